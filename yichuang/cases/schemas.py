"""Request and response shapes of the case API (``/api/v1/cases``). Personal data leaves only masked."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, Literal

from django.urls import reverse
from ninja import Schema
from pydantic import Field

from yichuang.cases import selectors
from yichuang.cases.models import (
    Case,
    CaseEvent,
    CaseExtension,
    CaseFile,
    CaseMaterial,
    CaseNotice,
    CaseStatus,
    CommitmentVerification,
    CreditMark,
    SpecialProcedure,
)
from yichuang.cases.notices_pdf import NOTICE_KINDS
from yichuang.cases.services import Submission
from yichuang.cases.workflow import CASE_STEP_FIELDS, provincial_code
from yichuang.catalog.models import ReviewPoint
from yichuang.core.prepared import PreparedRead

# ——— input ———


class SubmitIn(Schema):
    item_id: int
    applicant_id: int
    channel: str = Field(
        ..., description="window 窗口 · online 网上办 · mobile 掌上办 · kiosk 自助终端 · proxy 帮办代办"
    )
    by_commitment: bool = Field(False, description="告知承诺办理")
    use_licences: bool = Field(
        False, description="免证办：申请人同意调取其持有的电子证照替代相应材料（记录用证授权）"
    )
    idempotency_key: str | None = Field(
        None,
        max_length=64,
        description="幂等键；也可放在请求头 Idempotency-Key 中。同一键重复提交返回同一办件",
    )


class FindingIn(Schema):
    case_material_id: int
    state: str = Field(
        ..., description="received · original_checked · missing · deficient · exempt · committed"
    )
    note: str = ""


class FindingsIn(Schema):
    findings: list[FindingIn] = Field(..., min_length=1)


class AcceptIn(Schema):
    deficiency_commitment: bool = Field(False, description="申请人已书面承诺限期补交容缺材料")
    note: str = ""


class RefuseIn(Schema):
    reason: str
    competent_office: str = ""


class NoteIn(Schema):
    note: str = ""


class ReasonIn(Schema):
    reason: str = ""


class ReviewIn(Schema):
    reviewer_id: int | None = Field(None, description="审查人；不填为本人")


class DecideResultIn(Schema):
    licence: dict[str, str] | None = Field(
        None, description="结果为电子证照的事项：照面信息（按证照类型的信息项 key 填写）"
    )
    replaces: str = Field("", description="变更、延续：被替换的原证照标识")


class DecideIn(Schema):
    decision: Literal["approve", "deny"]
    reason: str = ""
    result: DecideResultIn | None = None


class DeliverIn(Schema):
    method: Literal["pickup", "mail"]
    recipient: str = ""
    tracking_number: str = ""


class SpecialProcedureIn(Schema):
    kind: str
    name: str = ""
    days: int | None = Field(None, ge=1, le=365)
    reason: str = ""


class SpecialProcedureFinishIn(Schema):
    result: str = ""


class ExtensionIn(Schema):
    days: int = Field(..., ge=1, le=365)
    reason: str


class ExtensionDecideIn(Schema):
    approve: bool
    note: str = ""


class VerifyIn(Schema):
    truthful: bool
    findings: str = ""


class ClearIn(Schema):
    reason: str


# ——— output ———


class CaseOut(Schema):
    """A case as lists show it; applicant identifiers and phones are masked."""

    id: int
    number: str
    item_id: int
    item_name: str
    item_version: int
    department_id: int
    department_name: str
    applicant_id: int
    applicant_name: str
    applicant_identifier: str
    applicant_phone: str
    channel: str
    channel_label: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    submitted_at: dt.datetime
    accepted_at: dt.datetime | None
    due_date: dt.date | None
    deadline_state: str
    deadline_state_label: str
    remaining_working_days: int | None
    by_commitment: bool
    reviewer_name: str | None


class CasePageOut(Schema):
    total: int
    limit: int
    offset: int
    cases: list[CaseOut]


class MaterialOut(Schema):
    id: int
    material_id: int
    name: str
    necessity: str
    state: str
    state_label: str
    note: str
    due_date: dt.date | None
    review_points: list[str]
    licence_type_code: str = Field("", description="可替代该材料的电子证照类型代码")
    licence_identifier: str = Field("", description="免证办：替代该材料的电子证照标识")
    licence_provider: str = ""
    licence_authorisation: str = Field("", description="免证办：用证授权编号")


class EventOut(Schema):
    action: str
    from_status: str
    to_status: str
    actor: str | None
    at: dt.datetime
    note: str


class NoticeOut(Schema):
    id: int
    kind: str
    kind_label: str
    document_number: str
    issued_at: dt.datetime
    url: str


class FileOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    case_material_id: int | None
    uploaded_at: dt.datetime
    url: str


class SpecialProcedureOut(Schema):
    id: int
    kind: str
    name: str
    planned_days: int
    status: str
    started_on: dt.date
    ended_on: dt.date | None
    paused_days: int
    reason: str
    result: str


class ExtensionOut(Schema):
    id: int
    case_id: int
    days: int
    reason: str
    status: str
    status_label: str
    requested_at: dt.datetime
    decided_at: dt.datetime | None
    decision_note: str


class VerificationOut(Schema):
    id: int
    case_id: int
    due_date: dt.date
    status: str
    status_label: str
    findings: str
    verified_at: dt.datetime | None


class CreditMarkOut(Schema):
    id: int
    applicant_id: int
    case_id: int | None
    reason: str
    marked_at: dt.datetime
    cleared_at: dt.datetime | None
    clear_reason: str


class CaseDetailOut(CaseOut):
    provincial_code: str
    limit_days: int
    extension_days: int
    paused_days: int
    deemed_accepted: bool
    correction_notice_due: dt.date
    decision: str
    decision_reason: str
    decided_at: dt.datetime | None
    refusal_reason: str
    competent_office: str
    closed_at: dt.datetime | None
    revoked_at: dt.datetime | None
    revoke_reason: str
    materials: list[MaterialOut]
    timeline: list[EventOut]
    notices: list[NoticeOut]
    files: list[FileOut]
    special_procedures: list[SpecialProcedureOut]
    extensions: list[ExtensionOut]
    verification: VerificationOut | None


class TrackEventOut(Schema):
    """A timeline step for the public: what happened and when, never who."""

    action: str
    action_label: str
    status_label: str
    at: dt.datetime


class TrackOut(Schema):
    number: str
    item_name: str
    department_name: str
    status: str
    status_label: str
    provincial_code: str
    submitted_at: dt.datetime
    accepted_at: dt.datetime | None
    due_date: dt.date | None
    decided_at: dt.datetime | None
    closed_at: dt.datetime | None
    timeline: list[TrackEventOut]


# ——— how a case fills them ———

# Timeline steps in words, for the public progress lookup (which shows what happened, not who did it).
ACTION_LABELS: dict[str, str] = {
    "submit": "提交申请",
    "request_correction": "一次性告知补正",
    "supply_correction": "提交补正材料",
    "accept": "受理",
    "deemed_accept": "视为受理",
    "refuse": "不予受理",
    "start_review": "部门审查",
    "special_procedure_start": "特别程序开始",
    "special_procedure_finish": "特别程序结束",
    "extension": "延长办理期限",
    "decide_approve": "作出准予决定",
    "decide_deny": "作出不予决定",
    "result_ready": "办理结果已制作",
    "deliver": "结果已送达",
    "withdraw": "撤回申请",
    "terminate": "终止办理",
    "revoke": "撤销",
}


def _person(user: Any) -> str | None:
    return (user.full_name or user.username) if user is not None else None


# What ``case_out`` reads of a case's relations. Lists and steps load only these (``.only()``), not the
# whole joined rows — the item version's elements above all, which nothing here shows.
CASE_OUT_FIELDS = CASE_STEP_FIELDS  # the answer shows what a step has read


def case_out(case: Case, *, today: dt.date | None = None) -> dict[str, Any]:
    """The list shape of a case from a selector (item version, department, applicant, reviewer joined)."""
    applicant = case.applicant
    return {
        "id": case.pk,
        "number": case.number,
        "item_id": case.item_id,
        "item_name": case.item_version.name,
        "item_version": case.item_version.number,
        "department_id": case.department_id,
        "department_name": case.department.name,
        "applicant_id": applicant.pk,
        "applicant_name": applicant.name,
        "applicant_identifier": applicant.masked_identifier,
        "applicant_phone": applicant.masked_phone,
        "channel": case.channel,
        "channel_label": case.get_channel_display(),
        "kind": case.kind,
        "kind_label": case.get_kind_display(),
        "status": case.status,
        "status_label": case.get_status_display(),
        "submitted_at": case.submitted_at,
        "accepted_at": case.accepted_at,
        "due_date": case.due_date,
        "deadline_state": case.deadline_state,
        "deadline_state_label": case.get_deadline_state_display(),
        "remaining_working_days": selectors.remaining_working_days(case, today),
        "by_commitment": case.by_commitment,
        "reviewer_name": _person(case.reviewer),
    }


# The review points of a version's materials, read once per answer.
_VERSION_POINTS = PreparedRead(
    lambda version_id: ReviewPoint.objects.filter(material__version_id=version_id).only("material_id", "text")
)


def materials_out(rows: list[CaseMaterial]) -> list[dict[str, Any]]:
    """A case's materials (all of one item version) with their review points."""
    if not rows:
        return []
    points: dict[int, list[str]] = defaultdict(list)
    for point in _VERSION_POINTS.rows(rows[0].material.version_id):
        points[point.material_id].append(point.text)
    return [material_out(row, points[row.material_id]) for row in rows]


def material_out(row: CaseMaterial, review_points: list[str]) -> dict[str, Any]:
    return {
        "id": row.pk,
        "material_id": row.material_id,
        "name": row.material.name,
        "necessity": row.material.necessity,
        "state": row.state,
        "state_label": row.get_state_display(),
        "note": row.note,
        "due_date": row.due_date,
        "review_points": review_points,
        "licence_type_code": row.material.licence_type_code,
        "licence_identifier": row.licence_identifier,
        "licence_provider": row.licence_provider,
        "licence_authorisation": row.licence_authorisation,
    }


def case_materials(case: Case) -> list[CaseMaterial]:
    return list(case.materials.select_related("material").order_by("material__position", "pk"))


def notice_out(notice: CaseNotice) -> dict[str, Any]:
    return {
        "id": notice.pk,
        "kind": notice.kind,
        "kind_label": NOTICE_KINDS.get(notice.kind, notice.kind),
        "document_number": notice.document_number,
        "issued_at": notice.issued_at,
        "url": reverse("api-v1:cases_notice_pdf", kwargs={"case_id": notice.case_id, "notice_id": notice.pk}),
    }


def file_out(file: CaseFile) -> dict[str, Any]:
    return {
        "id": file.pk,
        "name": file.name,
        "content_type": file.content_type,
        "size": file.size,
        "sha256": file.sha256,
        "case_material_id": file.case_material_id,
        "uploaded_at": file.uploaded_at,
        "url": reverse("api-v1:cases_file_download", kwargs={"case_id": file.case_id, "file_id": file.pk}),
    }


def extension_out(extension: CaseExtension) -> dict[str, Any]:
    return {
        "id": extension.pk,
        "case_id": extension.case_id,
        "days": extension.days,
        "reason": extension.reason,
        "status": extension.status,
        "status_label": extension.get_status_display(),
        "requested_at": extension.requested_at,
        "decided_at": extension.decided_at,
        "decision_note": extension.decision_note,
    }


def verification_out(verification: CommitmentVerification) -> dict[str, Any]:
    return {
        "id": verification.pk,
        "case_id": verification.case_id,
        "due_date": verification.due_date,
        "status": verification.status,
        "status_label": verification.get_status_display(),
        "findings": verification.findings,
        "verified_at": verification.verified_at,
    }


def credit_mark_out(mark: CreditMark) -> dict[str, Any]:
    return {
        "id": mark.pk,
        "applicant_id": mark.applicant_id,
        "case_id": mark.case_id,
        "reason": mark.reason,
        "marked_at": mark.marked_at,
        "cleared_at": mark.cleared_at,
        "clear_reason": mark.clear_reason,
    }


def procedure_out(procedure: SpecialProcedure) -> dict[str, Any]:
    return {
        "id": procedure.pk,
        "kind": procedure.kind,
        "name": procedure.name,
        "planned_days": procedure.planned_days,
        "status": procedure.status,
        "started_on": procedure.started_on,
        "ended_on": procedure.ended_on,
        "paused_days": procedure.paused_days,
        "reason": procedure.reason,
        "result": procedure.result,
    }


def case_detail_out(case: Case, *, received: Submission | None = None) -> dict[str, Any]:
    """The whole case. ``received``: the case was just made with these materials and its receipt event and
    has no other records yet, so none is read back."""
    if received is not None and received.received is not None:
        materials = received.materials
        events: list[CaseEvent] = [received.received]
        notices: list[CaseNotice] = []
        files: list[CaseFile] = []
        procedures: list[SpecialProcedure] = []
        extensions: list[CaseExtension] = []
    else:
        materials = case_materials(case)
        events = list(selectors.case_timeline(case))
        notices = list(case.notices.defer("document", "pdf").order_by("issued_at", "pk"))
        files = list(case.files.defer("data").order_by("uploaded_at", "pk"))
        procedures = list(case.special_procedures.all())
        extensions = list(case.extensions.all())
    # Only a 告知承诺 case is verified afterwards.
    verification = CommitmentVerification.objects.filter(case=case).first() if case.by_commitment else None
    return {
        **case_out(case),
        "provincial_code": provincial_code(case),
        "limit_days": case.limit_days,
        "extension_days": case.extension_days,
        "paused_days": case.paused_days,
        "deemed_accepted": case.deemed_accepted,
        "correction_notice_due": case.correction_notice_due,
        "decision": case.decision,
        "decision_reason": case.decision_reason,
        "decided_at": case.decided_at,
        "refusal_reason": case.refusal_reason,
        "competent_office": case.competent_office,
        "closed_at": case.closed_at,
        "revoked_at": case.revoked_at,
        "revoke_reason": case.revoke_reason,
        "materials": materials_out(materials),
        "timeline": [
            {
                "action": event.action,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "actor": _person(event.actor),
                "at": event.at,
                "note": event.note,
            }
            for event in events
        ],
        "notices": [notice_out(n) for n in notices],
        "files": [file_out(f) for f in files],
        "special_procedures": [procedure_out(p) for p in procedures],
        "extensions": [extension_out(e) for e in extensions],
        "verification": verification_out(verification) if verification is not None else None,
    }


def track_out(case: Case) -> dict[str, Any]:
    """Progress for the public: no names, no identifiers, no reasons."""
    return {
        "number": case.number,
        "item_name": case.item_version.name,
        "department_name": case.department.name,
        "status": case.status,
        "status_label": case.get_status_display(),
        "provincial_code": provincial_code(case),
        "submitted_at": case.submitted_at,
        "accepted_at": case.accepted_at,
        "due_date": case.due_date,
        "decided_at": case.decided_at,
        "closed_at": case.closed_at,
        "timeline": [
            {
                "action": event.action,
                "action_label": ACTION_LABELS.get(event.action) or str(CaseStatus(event.to_status).label),
                "status_label": str(CaseStatus(event.to_status).label),
                "at": event.at,
            }
            for event in case.events.order_by("at", "pk").only("action", "to_status", "at")
        ],
    }
