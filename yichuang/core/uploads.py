"""Uploaded files are judged by their content, never by their name: the first bytes must be those of an
allowed type, and the file name's extension must agree with them. A stored name is only ever a label (files
live in the database, never at a path a user chose); ``safe_file_name`` keeps it a plain, short one.

Containers are looked into before anything parses them: an Excel workbook (a ZIP) is refused when it has too
many entries or would unpack to too much (a zip bomb), a PDF with more pages than ``pdf_max_pages()``.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile

from django.conf import settings

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


def safe_file_name(name: str, *, default: str = "file", max_length: int = 200) -> str:
    """The last part of an uploaded file's name, without directories, control characters or leading dots:
    a label to show and to offer on download, never a path."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip().lstrip(".").strip()
    if not base:
        return default
    if len(base) > max_length:
        _stem, dot, extension = base.rpartition(".")
        keep = f"{dot}{extension}" if dot and len(extension) <= 10 else ""
        base = base[: max_length - len(keep)] + keep
    return base


def xlsx_limits() -> tuple[int, int]:
    """(most entries, most unpacked bytes) an uploaded workbook may have."""
    return (
        int(getattr(settings, "YICHUANG_XLSX_MAX_ENTRIES", 500)),
        int(getattr(settings, "YICHUANG_XLSX_MAX_UNPACKED_BYTES", 200 * 1024 * 1024)),
    )


def xlsx_check(content: bytes, *, field: str = "file") -> None:
    """Refuse a workbook that is encrypted, names a path outside itself, or would unpack to more than the
    limits — from the ZIP's directory alone, before openpyxl reads a byte of it. (Python's zipfile never
    unpacks more than an entry's declared size, so the declared sizes bound the work.) What is no ZIP at all
    is left to the caller's reader, which refuses it in its own words."""
    max_entries, max_unpacked = xlsx_limits()
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    if len(entries) > max_entries or sum(entry.file_size for entry in entries) > max_unpacked:
        raise ApplicationError(
            f"工作簿解压后过大（最多{len_text(max_entries)}个部件、{size_text(max_unpacked)}），请删去多余内容后再上传",
            fields={field: ["文件过大"]},
            code="xlsx_too_large",
        )
    for entry in entries:
        if (
            entry.flag_bits & 0x1
            or entry.filename.startswith(("/", "\\"))
            or ".." in entry.filename.split("/")
        ):
            raise ApplicationError(
                "工作簿已加密或结构异常，请用 Excel 另存为普通工作簿后再上传",
                fields={field: ["格式不正确"]},
                code="xlsx_invalid",
            )


def len_text(count: int) -> str:
    return f"{count:,}"


def pdf_max_pages() -> int:
    return int(getattr(settings, "YICHUANG_PDF_MAX_PAGES", 300))


def pdf_check(content: bytes, *, field: str = "file") -> None:
    """Refuse a PDF with more than ``pdf_max_pages()`` pages. A PDF that pypdf cannot read is let through:
    it is only stored and handed back, never rendered here, and the first bytes already say PDF."""
    from pypdf import PdfReader

    try:
        pages = len(PdfReader(io.BytesIO(content), strict=False).pages)
    except Exception:  # pypdf raises many kinds of error on a broken file
        return
    if pages > pdf_max_pages():
        raise ApplicationError(
            f"PDF 文件不能超过{pdf_max_pages()}页（本文件{pages}页），请分成几份上传",
            fields={field: ["页数过多"]},
            code="pdf_too_many_pages",
        )
