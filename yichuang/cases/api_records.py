"""API of what a case keeps besides its status: material files (upload, download), written notices (PDF),
extension decisions, commitment verifications and credit marks. Every download is read through the
caller's case scope, so an applicant never reaches another applicant's files."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from yichuang.cases import commitments, selectors, timing, uploads
from yichuang.cases.models import CaseExtension, CaseMaterial, CommitmentVerification, CreditMark
from yichuang.cases.notices import notice_filename, notice_pdf
from yichuang.cases.schemas import (
    ClearIn,
    CreditMarkOut,
    ExtensionDecideIn,
    ExtensionOut,
    FileOut,
    VerificationOut,
    VerifyIn,
    credit_mark_out,
    extension_out,
    file_out,
    verification_out,
)
from yichuang.core.errors import ApplicationError, NotFoundError

router = Router(tags=["办件"])


def _download(content: bytes, *, content_type: str, filename: str, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@router.post("/{case_id}/files", response={201: FileOut}, summary="上传材料文件（PDF/JPG/PNG）")
def case_file_upload(
    request: HttpRequest,
    case_id: int,
    file: File[UploadedFile],
    case_material_id: Form[int | None] = None,
) -> Status:
    """文件类型按内容判断，不看扩展名；可指定对应的材料（case_material_id）。"""
    case = selectors.case_get(actor=request.user, case_id=case_id)
    material = None
    if case_material_id is not None:
        material = CaseMaterial.objects.filter(pk=case_material_id).first()
        if material is None:
            raise ApplicationError("材料不属于该办件", fields={"case_material_id": ["无效"]})
    # Read one byte past the limit at most: the service refuses what is too large, memory stays bounded.
    content = file.read(uploads.max_upload_bytes() + 1)
    stored = uploads.case_file_upload(
        actor=request.user, case=case, name=file.name or "", content=content, case_material=material
    )
    return Status(201, file_out(stored))


@router.get("/{case_id}/files/{file_id}", url_name="cases_file_download", summary="下载材料文件")
def case_file_download(request: HttpRequest, case_id: int, file_id: int) -> HttpResponse:
    case = selectors.case_get(actor=request.user, case_id=case_id)
    stored = case.files.filter(pk=file_id).first()
    if stored is None:
        raise NotFoundError("未找到该文件")
    return _download(bytes(stored.data), content_type=stored.content_type, filename=stored.name)


@router.get("/{case_id}/notices/{notice_id}.pdf", url_name="cases_notice_pdf", summary="下载文书（PDF）")
def case_notice_pdf(request: HttpRequest, case_id: int, notice_id: int) -> HttpResponse:
    case = selectors.case_get(actor=request.user, case_id=case_id)
    notice = case.notices.select_related("case").filter(pk=notice_id).first()
    if notice is None:
        raise NotFoundError("未找到该文书")
    return _download(
        notice_pdf(notice), content_type="application/pdf", filename=notice_filename(notice), inline=True
    )


@router.post("/extensions/{extension_id}/decide", response=ExtensionOut, summary="批准或不批准延期")
def extension_decide(request: HttpRequest, extension_id: int, payload: ExtensionDecideIn) -> dict[str, Any]:
    extension = CaseExtension.objects.filter(pk=extension_id).first()
    if extension is None:
        raise NotFoundError("未找到该延期申请")
    selectors.case_get(actor=request.user, case_id=extension.case_id)  # 404 outside the caller's scope
    decided = timing.case_extension_decide(
        actor=request.user, extension=extension, approve=payload.approve, note=payload.note
    )
    return extension_out(decided)


@router.post("/verifications/{verification_id}", response=VerificationOut, summary="记录告知承诺核查结果")
def verification_record(request: HttpRequest, verification_id: int, payload: VerifyIn) -> dict[str, Any]:
    verification = CommitmentVerification.objects.filter(pk=verification_id).first()
    if verification is None:
        raise NotFoundError("未找到该核查任务")
    selectors.case_get(actor=request.user, case_id=verification.case_id)
    recorded = commitments.commitment_verify(
        actor=request.user, verification=verification, truthful=payload.truthful, findings=payload.findings
    )
    return verification_out(recorded)


@router.post("/credit-marks/{mark_id}/clear", response=CreditMarkOut, summary="信用修复（清除失信记录）")
def credit_mark_clear(request: HttpRequest, mark_id: int, payload: ClearIn) -> dict[str, Any]:
    mark = CreditMark.objects.filter(pk=mark_id).first()
    if mark is None:
        raise NotFoundError("未找到该失信记录")
    return credit_mark_out(
        commitments.credit_mark_clear(actor=request.user, mark=mark, reason=payload.reason)
    )
