"""Uploaded files are judged by their content, never by their name: the first bytes must be those of an
allowed type, and the file name's extension must agree with them."""

from __future__ import annotations

from yichuang.core.errors import ApplicationError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024

# content type → (leading bytes, allowed extensions)
FILE_TYPES: dict[str, tuple[tuple[bytes, ...], frozenset[str]]] = {
    "application/pdf": ((b"%PDF-",), frozenset({".pdf"})),
    "image/png": ((b"\x89PNG\r\n\x1a\n",), frozenset({".png"})),
    "image/jpeg": ((b"\xff\xd8\xff",), frozenset({".jpg", ".jpeg"})),
    # .docx / .xlsx are ZIP containers; .doc / .xls the OLE2 compound format.
    "application/zip": ((b"PK\x03\x04",), frozenset({".docx", ".xlsx"})),
    "application/x-ole-storage": ((b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",), frozenset({".doc", ".xls"})),
}
DOCUMENT_TYPES = frozenset(FILE_TYPES)
SCAN_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg"})
_TYPE_NAMES = {
    "application/pdf": "PDF",
    "image/png": "PNG",
    "image/jpeg": "JPG",
    "application/zip": "Word/Excel",
    "application/x-ole-storage": "Word/Excel",
}


def size_text(size: int) -> str:
    """10485760 → "10MB", 1024 → "1KB" (as a limit is told to a user)."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g}MB"
    return f"{size / 1024:g}KB"


def file_type_check(
    *,
    name: str,
    content: bytes,
    allowed: frozenset[str],
    max_bytes: int = MAX_UPLOAD_BYTES,
    field: str = "file",
) -> str:
    """The content type of an acceptable upload, or an ``ApplicationError`` in Chinese saying why not."""
    if not content:
        raise ApplicationError("上传的文件是空的", fields={field: ["空文件"]}, code="empty_file")
    if len(content) > max_bytes:
        raise ApplicationError(
            f"文件不能超过{size_text(max_bytes)}", fields={field: ["文件过大"]}, code="file_too_large"
        )
    content_type = next(
        (kind for kind, (heads, _) in FILE_TYPES.items() if any(content.startswith(head) for head in heads)),
        None,
    )
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if content_type is None or content_type not in allowed or extension not in FILE_TYPES[content_type][1]:
        kinds = "、".join(dict.fromkeys(_TYPE_NAMES[kind] for kind in FILE_TYPES if kind in allowed))
        raise ApplicationError(
            f"只能上传 {kinds} 文件，且文件内容须与扩展名一致",
            fields={field: ["文件类型不允许"]},
            code="file_type_not_allowed",
        )
    return content_type
