"""Material files of a case: scans and photos (PDF/JPG/PNG) checked by content, kept in the database with
the case (one transaction with the case's other writes, so nothing is left half-stored).

Photos (掌上办: taken with a phone's camera) are decoded before they are kept: a file that only starts like
a JPG or PNG is refused, the camera's orientation is applied to the pixels, a large photo is reduced to
``photo_max_side()`` pixels on its longest side, and whatever metadata the camera wrote (EXIF with the
phone's model, the time and the GPS position, XMP, comments) is dropped — personal data the office does
not need. A photo that is already small and carries no metadata is kept byte for byte, so preparing a
prepared file again changes nothing (the form prepares, and the service checks again before storing).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone
from PIL import Image, ImageOps

from yichuang.cases import policies
from yichuang.cases.models import Case, CaseFile, CaseMaterial, CaseStatus
from yichuang.cases.workflow import case_lock
from yichuang.core.audit import audit_record, audited_atomic
from yichuang.core.errors import ApplicationError, ConflictError
from yichuang.core.uploads import SCAN_TYPES, file_type_check, pdf_check, safe_file_name

MAX_FILES_PER_CASE = 100
# Files may be added while the application is at the window, in correction, or under review (补交 of 容缺).
UPLOAD_STATUSES = frozenset(
    {CaseStatus.SUBMITTED, CaseStatus.CORRECTION, CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW}
)
PHOTO_TYPES = frozenset({"image/jpeg", "image/png"})
# content type → the formats Pillow may report for it (a phone's JPEG is sometimes an MPO: JPEG + preview).
_PHOTO_FORMATS = {"image/jpeg": frozenset({"JPEG", "MPO"}), "image/png": frozenset({"PNG"})}
_PHOTO_SAVE_FORMAT = {"image/jpeg": "JPEG", "image/png": "PNG"}
JPEG_QUALITY = 85
# What a decoded photo may carry and still be kept as it is: encoding facts and the colour profile.
_HARMLESS_INFO = frozenset(
    {
        "jfif", "jfif_version", "jfif_unit", "jfif_density", "dpi", "icc_profile", "adobe",
        "adobe_transform", "progressive", "progression", "transparency", "gamma", "srgb", "chromaticity",
        "aspect", "interlace",
    }
)  # fmt: skip
# HEIF/HEIC (iPhone's "高效" format): an ISO box "ftyp" at byte 4 with one of these brands.
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif")


@dataclass(frozen=True)
class PreparedFile:
    """An upload that passed the checks, as it will be stored (a photo possibly re-encoded)."""

    name: str
    content: bytes
    content_type: str
    original_size: int


def max_upload_bytes() -> int:
    return int(getattr(settings, "YICHUANG_CASE_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


def photo_max_side() -> int:
    """The longest side, in pixels, a stored photo may have (2000 px keeps a document legible)."""
    return int(getattr(settings, "YICHUANG_PHOTO_MAX_SIDE", 2000))


def photo_max_pixels() -> int:
    """Larger pictures are refused before they are decoded (a 200-megapixel photo is a memory bomb)."""
    return int(getattr(settings, "YICHUANG_PHOTO_MAX_PIXELS", 60_000_000))


def case_file_check(*, name: str, content: bytes, field: str = "file") -> str:
    """Check a file's type and size before anything is written (so a form can refuse all files at once)."""
    if len(content) > 12 and content[4:8] == b"ftyp" and content[8:12] in _HEIF_BRANDS:
        raise ApplicationError(
            "暂不支持 HEIC/HEIF 格式的照片。请在手机“相机”设置中选择“兼容性最佳”（JPG）后重新拍照，"
            "或在相册中将照片导出为 JPG 后上传",
            fields={field: ["文件类型不允许"]},
            code="file_type_not_allowed",
        )
    content_type = file_type_check(
        name=name, content=content, allowed=SCAN_TYPES, max_bytes=max_upload_bytes(), field=field
    )
    if content_type == "application/pdf":
        pdf_check(content, field=field)
    return content_type


def case_file_prepare(*, name: str, content: bytes, field: str = "file") -> PreparedFile:
    """Check a file and return it as it is to be stored: photos decoded, turned upright, reduced and
    stripped of their metadata (see the module's docstring). Raises ``ApplicationError`` in Chinese."""
    content_type = case_file_check(name=name, content=content, field=field)
    prepared = content
    if content_type in PHOTO_TYPES:
        prepared = photo_normalise(content=content, content_type=content_type, field=field)
    return PreparedFile(name=name, content=prepared, content_type=content_type, original_size=len(content))


def _unreadable(field: str) -> ApplicationError:
    return ApplicationError(
        "图片无法识别：文件已损坏，或不是真正的 JPG/PNG 图片。请重新拍照或重新选择文件",
        fields={field: ["图片无法识别"]},
        code="image_invalid",
    )


def _too_many_pixels(field: str) -> ApplicationError:
    return ApplicationError(
        f"图片像素过多（超过{photo_max_pixels() // 10_000}万像素），请调低相机分辨率后重新拍照",
        fields={field: ["图片过大"]},
        code="image_too_large",
    )


def _carries_metadata(image: Image.Image) -> bool:
    if set(image.info) - _HARMLESS_INFO:
        return True
    try:
        return len(image.getexif()) > 0
    except Exception:  # a broken EXIF block is metadata too: re-encoding drops it
        return True


def photo_normalise(*, content: bytes, content_type: str, field: str = "file") -> bytes:
    """The photo decoded (it must be a whole, real image), upright, at most ``photo_max_side()`` pixels on
    its longest side and without metadata; unchanged when it already is all that."""
    side = photo_max_side()
    try:
        with Image.open(io.BytesIO(content)) as image:
            if image.format not in _PHOTO_FORMATS[content_type]:
                raise _unreadable(field)
            width, height = image.size
            if width < 1 or height < 1:
                raise _unreadable(field)
            if width * height > photo_max_pixels():
                raise _too_many_pixels(field)
            orientation = image.getexif().get(0x0112, 1)
            too_large = max(width, height) > side
            if image.format == "JPEG" and too_large:
                image.draft("RGB", (side, side))  # decode at a reduced scale: faster, less memory
            image.load()  # decodes every byte: a truncated or corrupt file fails here
            if not too_large and orientation in (1, None) and not _carries_metadata(image):
                return content
            return _reencode(image, content_type=content_type, side=side)
    except ApplicationError:
        raise
    except Image.DecompressionBombError:
        raise _too_many_pixels(field) from None
    except Exception:  # whatever a broken or hostile file makes the decoder raise: it is not a photo
        raise _unreadable(field) from None


def _reencode(image: Image.Image, *, content_type: str, side: int) -> bytes:
    icc_profile = image.info.get("icc_profile")
    upright = ImageOps.exif_transpose(image)
    if max(upright.size) > side:
        upright.thumbnail((side, side), Image.Resampling.LANCZOS, reducing_gap=3.0)
    options: dict[str, Any] = {}
    if icc_profile:
        options["icc_profile"] = icc_profile
    if content_type == "image/jpeg":
        if upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
        options.update(quality=JPEG_QUALITY, optimize=True)
    else:
        options.update(optimize=True)
    # Nothing of the original's info is passed on: no exif, no xmp, no comment, no text chunks.
    upright.info = {}
    out = io.BytesIO()
    upright.save(out, format=_PHOTO_SAVE_FORMAT[content_type], **options)
    return out.getvalue()


@audited_atomic
def case_file_upload(
    *,
    actor: Any,
    case: Case,
    name: str,
    content: bytes,
    case_material: CaseMaterial | None = None,
    original_size: int | None = None,
) -> CaseFile:
    """Attach one file to the case (and to one of its materials); a photo is stored prepared
    (``case_file_prepare``). ``original_size``: the size the browser sent, when a form prepared it already."""
    case = case_lock(case)
    policies.require_can_supply(actor, case)
    if case.status not in UPLOAD_STATUSES:
        raise ConflictError(
            f"办件当前状态为“{case.get_status_display()}”，不能再上传材料", code="upload_closed"
        )
    if case_material is not None and case_material.case_id != case.pk:
        raise ApplicationError("材料不属于该办件", fields={"case_material": ["无效"]})
    prepared = case_file_prepare(name=name, content=content)
    if case.files.count() >= MAX_FILES_PER_CASE:
        raise ApplicationError(f"每个办件最多上传{MAX_FILES_PER_CASE}个文件", code="too_many_files")
    stored = CaseFile.objects.create(
        case=case,
        case_material=case_material,
        name=safe_file_name(name),
        content_type=prepared.content_type,
        size=len(prepared.content),
        sha256=hashlib.sha256(prepared.content).hexdigest(),
        data=prepared.content,
        uploaded_by=actor,
        uploaded_at=timezone.now(),
    )
    data: dict[str, Any] = {
        "number": case.number,
        "file_id": stored.pk,
        "material_id": case_material.pk if case_material else None,
        "size": stored.size,
        "content_type": prepared.content_type,
    }
    sent = original_size if original_size is not None else len(content)
    if sent != stored.size:
        data["original_size"] = sent  # a photo reduced or stripped of its metadata
    audit_record(actor=actor, action="case.file.upload", obj=case, data=data)
    return stored
