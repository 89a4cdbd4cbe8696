"""Material files of a case: scans and photos (PDF/JPG/PNG) checked by content, kept in the database with
the case (one transaction with the case's other writes, so nothing is left half-stored)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.utils import timezone

from yichuang.cases import policies
from yichuang.cases.models import Case, CaseFile, CaseMaterial, CaseStatus
from yichuang.cases.workflow import case_lock
from yichuang.core.audit import audit_record, audited_atomic
from yichuang.core.errors import ApplicationError, ConflictError
from yichuang.core.uploads import SCAN_TYPES, file_type_check

MAX_FILES_PER_CASE = 100
# Files may be added while the application is at the window, in correction, or under review (补交 of 容缺).
UPLOAD_STATUSES = frozenset(
    {CaseStatus.SUBMITTED, CaseStatus.CORRECTION, CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW}
)


def max_upload_bytes() -> int:
    return int(getattr(settings, "YICHUANG_CASE_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


def case_file_check(*, name: str, content: bytes, field: str = "file") -> str:
    """Check a file before anything is written (so a form can refuse all files at once)."""
    return file_type_check(
        name=name, content=content, allowed=SCAN_TYPES, max_bytes=max_upload_bytes(), field=field
    )


@audited_atomic
def case_file_upload(
    *, actor: Any, case: Case, name: str, content: bytes, case_material: CaseMaterial | None = None
) -> CaseFile:
    """Attach one file to the case (and to one of its materials)."""
    case = case_lock(case)
    policies.require_can_supply(actor, case)
    if case.status not in UPLOAD_STATUSES:
        raise ConflictError(
            f"办件当前状态为“{case.get_status_display()}”，不能再上传材料", code="upload_closed"
        )
    if case_material is not None and case_material.case_id != case.pk:
        raise ApplicationError("材料不属于该办件", fields={"case_material": ["无效"]})
    content_type = case_file_check(name=name, content=content)
    if case.files.count() >= MAX_FILES_PER_CASE:
        raise ApplicationError(f"每个办件最多上传{MAX_FILES_PER_CASE}个文件", code="too_many_files")
    stored = CaseFile.objects.create(
        case=case,
        case_material=case_material,
        name=(name or "file")[-200:],
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        data=content,
        uploaded_by=actor,
        uploaded_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action="case.file.upload",
        obj=case,
        data={
            "number": case.number,
            "file_id": stored.pk,
            "material_id": case_material.pk if case_material else None,
            "size": stored.size,
            "content_type": content_type,
        },
    )
    return stored
