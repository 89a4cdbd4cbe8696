"""API of 好差评 (``/api/v1/ratings``): an applicant rates his own closed case or finished number; staff list
and work the rectifications of bad ratings (回访核实, 整改反馈), list their ratings, appeal, and the admin
decides appeals.

Session or bearer token (the API's default auth). Handlers fetch through ``selectors`` (scoped by
``policies``: another department's record is a 404), check the capability (403) and call the services.
Lists never carry the rater's identity; a rectification's detail shows it as ``policies.rater_view``
allows (in full only to who must call back).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Header, Query, Router, Schema, Status
from pydantic import Field

from yichuang.accounts.models import Department
from yichuang.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from yichuang.core.http import idempotency_key_from
from yichuang.core.masking import mask_name
from yichuang.core.permissions import has_capability
from yichuang.core.personal_data import request_purpose, screen_name
from yichuang.ratings import policies, selectors, services
from yichuang.ratings.models import (
    INDICATORS,
    Appeal,
    AppealStatus,
    Channel,
    Evaluation,
    Rectification,
    RectificationStatus,
)

router = Router(tags=["好差评"])

# Where an applicant rates his own service through the API (the window, kiosk and hotline have their own).
SELF_CHANNELS = (Channel.ONLINE, Channel.MOBILE)


# ——— schemas ———


class EvaluationIn(Schema):
    subject_kind: str = Field(..., description="case 办件（一事一评）· hall_ticket 大厅窗口服务（一次一评）")
    subject_id: int
    level: int = Field(..., description="5 非常满意 · 4 满意 · 3 基本满意 · 2 不满意 · 1 非常不满意")
    scores: dict[str, Any] = Field(
        default_factory=dict,
        description="分项评价（选填，各1至5）：线上服务 efficiency、guide_accuracy、convenience；"
        "线下服务 efficiency、competence、attitude",
    )
    comment: str = ""
    channel: str = Field("online", description="online 网上 · mobile 掌上办")
    idempotency_key: str | None = None


class EvaluationSubmittedOut(Schema):
    id: int
    subject_kind: str
    subject_id: int
    subject_label: str
    channel: str
    level: int
    level_label: str
    is_bad: bool
    rated_at: dt.datetime


class RaterOut(Schema):
    name: str
    id_number: str
    phone: str
    real_name: str = Field(description="实名 · 匿名")
    full: bool = Field(description="是否完整显示（仅负责回访的人员）")


class IndicatorOut(Schema):
    key: str
    label: str
    score: int


class EvaluationOut(Schema):
    id: int
    subject_kind: str
    subject_label: str
    channel: str
    channel_label: str
    service_mode: str
    level: int
    level_label: str
    is_bad: bool
    indicators: list[IndicatorOut]
    comment: str
    rated_at: dt.datetime
    served_at: dt.datetime
    department_id: int
    department: str
    staff: str
    window_number: str
    case_number: str
    is_real_name: bool
    rater: str = Field(description="评价人（已脱敏）")
    status: str
    rectification_id: int | None
    rectification_status: str
    appeal_pending: bool
    may_appeal: bool = Field(description="当前用户可否申诉（申诉期内、无待复核申诉）")


class EvaluationPageOut(Schema):
    total: int
    limit: int
    offset: int
    evaluations: list[EvaluationOut]


class EvaluationFilter(Schema):
    start: dt.date | None = Field(None, description="评价日期自")
    end: dt.date | None = Field(None, description="评价日期至")
    level: int | None = Field(None, ge=1, le=5)
    channel: str = ""
    bad_only: bool = False
    department: int | None = Field(None, description="部门 id（含下级；仅政数局管理员、监察员）")
    removed: bool = Field(False, description="只列申诉成立后删除的评价（仅政数局管理员）")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)


class RectificationOut(Schema):
    id: int
    evaluation_id: int
    subject_label: str
    department_id: int
    department: str
    level: int
    level_label: str
    is_real_name: bool
    status: str
    status_label: str
    due_date: dt.date
    overdue: bool
    escalated: bool
    assignee: str


class RectificationPageOut(Schema):
    total: int
    limit: int
    offset: int
    rectifications: list[RectificationOut]


class RectificationFilter(Schema):
    status: str = ""
    overdue_only: bool = False
    department: int | None = Field(None, description="部门 id（含下级；仅政数局管理员、监察员）")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)


class RectificationEventOut(Schema):
    kind: str
    label: str
    at: dt.datetime
    actor: str
    note: str


class RectificationDetailOut(RectificationOut):
    evaluation: EvaluationOut
    rater: RaterOut
    reached: bool | None
    facts_confirmed: bool | None
    called_back_at: dt.datetime | None
    measure: str
    answer: str
    answered_at: dt.datetime | None
    rater_level: int | None = Field(description="评价人对整改的评价")
    rater_comment: str
    may_rectify: bool
    events: list[RectificationEventOut]


class CallBackIn(Schema):
    reached: bool = Field(..., description="是否联系上评价人")
    facts_confirmed: bool | None = Field(None, description="联系上的：差评反映的情况是否属实")
    note: str = ""


class RectificationAnswerIn(Schema):
    measure: str = Field(..., description="整改措施（情况不属实的写明核实情况）")
    answer: str = Field(..., description="反馈评价人的内容（短信发送）")


class AppealIn(Schema):
    ground: str = Field(..., description="mistaken 误评 · malicious 恶意差评 · not_ours 非本部门服务")
    reason: str


class AppealOut(Schema):
    id: int
    evaluation: EvaluationOut
    department: str
    ground: str
    ground_label: str
    reason: str
    has_evidence: bool
    evidence_name: str
    filed_by: str
    filed_at: dt.datetime
    status: str
    status_label: str
    decided_by: str
    decided_at: dt.datetime | None
    decision_note: str


class AppealPageOut(Schema):
    total: int
    limit: int
    offset: int
    appeals: list[AppealOut]


class AppealFilter(Schema):
    status: str = ""
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)


class AppealDecideIn(Schema):
    uphold: bool = Field(..., description="true 申诉成立（删除评价）· false 申诉不成立")
    note: str


# ——— shaping ———


def _person(user: Any) -> str:
    return (user.full_name or user.username) if user is not None else ""


def _indicators(evaluation: Evaluation) -> list[dict[str, Any]]:
    scores = evaluation.scores or {}
    return [
        {"key": key, "label": label, "score": scores[key]}
        for key, label in INDICATORS.get(evaluation.service_mode, ())
        if scores.get(key) is not None
    ]


def evaluation_out(
    user: Any, evaluation: Evaluation, *, appeal_days: int, now: dt.datetime
) -> dict[str, Any]:
    rectification = getattr(evaluation, "rectification", None) if evaluation.is_bad else None
    return {
        "id": evaluation.pk,
        "subject_kind": evaluation.subject_kind,
        "subject_label": evaluation.subject_label,
        "channel": evaluation.channel,
        "channel_label": evaluation.get_channel_display(),
        "service_mode": evaluation.service_mode,
        "level": evaluation.level,
        "level_label": evaluation.get_level_display(),
        "is_bad": evaluation.is_bad,
        "indicators": _indicators(evaluation),
        "comment": evaluation.comment,
        "rated_at": evaluation.rated_at,
        "served_at": evaluation.served_at,
        "department_id": evaluation.department_id,
        "department": evaluation.department.name,
        "staff": _person(evaluation.staff),
        "window_number": evaluation.window_number,
        "case_number": evaluation.case_number,
        "is_real_name": evaluation.is_real_name,
        "rater": mask_name(evaluation.rater_name),
        "status": evaluation.status,
        "rectification_id": rectification.pk if rectification else None,
        "rectification_status": rectification.status if rectification else "",
        "appeal_pending": bool(getattr(evaluation, "appeal_pending", False)),
        "may_appeal": selectors.may_appeal_now(user, evaluation, appeal_days=appeal_days, now=now),
    }


def rectification_out(rectification: Rectification, today: dt.date) -> dict[str, Any]:
    evaluation = rectification.evaluation
    return {
        "id": rectification.pk,
        "evaluation_id": evaluation.pk,
        "subject_label": evaluation.subject_label,
        "department_id": rectification.department_id,
        "department": rectification.department.name,
        "level": evaluation.level,
        "level_label": evaluation.get_level_display(),
        "is_real_name": evaluation.is_real_name,
        "status": rectification.status,
        "status_label": rectification.get_status_display(),
        "due_date": rectification.due_date,
        "overdue": selectors.rectification_is_overdue(rectification, today),
        "escalated": rectification.escalated_at is not None,
        "assignee": _person(rectification.assignee),
    }


def rectification_detail_out(
    user: Any, rectification: Rectification, *, request: HttpRequest | None = None
) -> dict[str, Any]:
    """``request``: the rater shown in full to its user is logged as a read of personal data."""
    evaluation = rectification.evaluation
    rater = policies.rater_view(user, evaluation)
    if request is not None:
        services.rater_read_record(
            actor=user,
            evaluation=evaluation,
            rater=rater,
            screen=screen_name(request),
            purpose=request_purpose(request),
        )
    now = timezone.now()
    return {
        **rectification_out(rectification, timezone.localdate()),
        "evaluation": evaluation_out(
            user, evaluation, appeal_days=services.rating_policy().appeal_days, now=now
        ),
        "rater": {**rater, "full": bool(rater["full"])},
        "reached": rectification.reached,
        "facts_confirmed": rectification.facts_confirmed,
        "called_back_at": rectification.called_back_at,
        "measure": rectification.measure,
        "answer": rectification.answer,
        "answered_at": rectification.answered_at,
        "rater_level": rectification.rater_level,
        "rater_comment": rectification.rater_comment,
        "may_rectify": policies.may_rectify(user, rectification),
        "events": [
            {
                "kind": event.kind,
                "label": selectors.EVENT_LABELS.get(event.kind, event.kind),
                "at": event.at,
                "actor": _person(event.actor),
                "note": event.note,
            }
            for event in selectors.rectification_timeline(rectification)
        ],
    }


def appeal_out(user: Any, appeal: Appeal, *, appeal_days: int, now: dt.datetime) -> dict[str, Any]:
    return {
        "id": appeal.pk,
        "evaluation": evaluation_out(user, appeal.evaluation, appeal_days=appeal_days, now=now),
        "department": appeal.department.name,
        "ground": appeal.ground,
        "ground_label": appeal.get_ground_display(),
        "reason": appeal.reason,
        "has_evidence": bool(appeal.evidence),
        "evidence_name": appeal.evidence_name,
        "filed_by": _person(appeal.filed_by),
        "filed_at": appeal.filed_at,
        "status": appeal.status,
        "status_label": appeal.get_status_display(),
        "decided_by": _person(appeal.decided_by),
        "decided_at": appeal.decided_at,
        "decision_note": appeal.decision_note,
    }


# ——— checks ———


def _require_any(user: Any, capabilities: tuple[str, ...], message: str) -> None:
    if not any(has_capability(user, capability) for capability in capabilities):
        raise PermissionDeniedError(message, extra={"needs": " | ".join(capabilities)})


def _department(user: Any, department_id: int | None) -> Department | None:
    """The department filter: the centre-wide roles only (the others see their own department anyway)."""
    if department_id is None:
        return None
    if not policies.centre_wide(user):
        raise PermissionDeniedError("只有政数局管理员和监察员可以按部门筛选", code="permission_denied")
    department = Department.objects.filter(pk=department_id).first()
    if department is None:
        raise ApplicationError("部门不存在", fields={"department": ["无效"]})
    return department


# ——— the applicant's rating ———


@router.post(
    "/evaluations",
    response={200: EvaluationSubmittedOut, 201: EvaluationSubmittedOut},
    summary="评价本人已办结的办件或大厅服务（一事一评、一次一评）",
)
def evaluation_submit(
    request: HttpRequest,
    payload: EvaluationIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status:
    """每项服务只能评价一次；同一用户用同一幂等键重复提交，返回原评价（200）。只能评价本人的服务，
    他人的或不存在的服务一律返回 404。"""
    user = request.user
    raw_key = idempotency_key_from(idempotency_key, payload.idempotency_key)
    if payload.channel not in SELF_CHANNELS:
        raise ApplicationError("评价渠道须为 online（网上）或 mobile（掌上办）", fields={"channel": ["无效"]})
    # Keys are the user's own: two users' equal keys never meet.
    key = hashlib.sha256(f"ratings:{user.pk}:{raw_key}".encode()).hexdigest() if raw_key else None
    if key is not None:
        repeat = Evaluation.objects.filter(idempotency_key=key).first()
        if repeat is not None:
            if (repeat.subject_kind, repeat.subject_id) != (payload.subject_kind, payload.subject_id):
                raise ConflictError("该幂等键已用于另一次评价", code="idempotency_key_reused")
            return Status(200, _submitted_out(repeat))
    served = selectors.served_for_rater(user=user, kind=payload.subject_kind, subject_id=payload.subject_id)
    evaluation = services.evaluation_submit(
        served=served,
        channel=payload.channel,
        level=payload.level,
        scores=payload.scores,
        comment=payload.comment,
        actor=user,
        idempotency_key=key,
    )
    return Status(201, _submitted_out(evaluation))


def _submitted_out(evaluation: Evaluation) -> dict[str, Any]:
    return {
        "id": evaluation.pk,
        "subject_kind": evaluation.subject_kind,
        "subject_id": evaluation.subject_id,
        "subject_label": evaluation.subject_label,
        "channel": evaluation.channel,
        "level": evaluation.level,
        "level_label": evaluation.get_level_display(),
        "is_bad": evaluation.is_bad,
        "rated_at": evaluation.rated_at,
    }


# ——— rectifications ———


@router.get("/rectifications", response=RectificationPageOut, summary="差评整改列表（本部门；评价人不显示）")
def rectification_list(request: HttpRequest, filters: Query[RectificationFilter]) -> dict[str, Any]:
    user = request.user
    _require_any(user, ("ratings.rectify", "ratings.view"), "您没有查看差评整改的权限")
    if filters.status and filters.status not in RectificationStatus.values:
        raise ApplicationError("状态无效", fields={"status": ["无效"]})
    today = timezone.localdate()
    rows = selectors.rectification_list(
        user=user,
        status=filters.status,
        overdue_only=filters.overdue_only,
        department=_department(user, filters.department),
        today=today,
    )
    page = rows[filters.offset : filters.offset + filters.limit]
    return {
        "total": rows.count(),
        "limit": filters.limit,
        "offset": filters.offset,
        "rectifications": [rectification_out(r, today) for r in page],
    }


def _rectification(request: HttpRequest, rectification_id: int) -> Rectification:
    _require_any(request.user, ("ratings.rectify", "ratings.view"), "您没有查看差评整改的权限")
    return selectors.rectification_get(user=request.user, rectification_id=rectification_id)


@router.get(
    "/rectifications/{rectification_id}",
    response=RectificationDetailOut,
    summary="差评整改详情（评价人身份仅负责回访的人员可见）",
)
def rectification_detail(request: HttpRequest, rectification_id: int) -> dict[str, Any]:
    return rectification_detail_out(request.user, _rectification(request, rectification_id), request=request)


def _step(request: HttpRequest, rectification_id: int, expect: str, step: Any) -> dict[str, Any]:
    """One step of a rectification in the state it needs (a repeated request is refused with 409)."""
    rectification = _rectification(request, rectification_id)
    if not policies.may_rectify(request.user, rectification):
        raise PermissionDeniedError("您无权处理该差评整改")
    with transaction.atomic():
        locked = selectors.rectification_for_step(rectification_id=rectification.pk, status=expect)
        step(locked)
    return rectification_detail_out(request.user, _rectification(request, rectification_id), request=request)


@router.post(
    "/rectifications/{rectification_id}/call-back",
    response=RectificationDetailOut,
    summary="回访核实：记录联系评价人的情况（联系上并核实后进入整改）",
)
def rectification_call_back(
    request: HttpRequest, rectification_id: int, payload: CallBackIn
) -> dict[str, Any]:
    return _step(
        request,
        rectification_id,
        RectificationStatus.CALL_BACK,
        lambda locked: services.rectification_call_back(
            rectification=locked,
            actor=request.user,
            reached=payload.reached,
            facts_confirmed=payload.facts_confirmed,
            note=payload.note,
        ),
    )


@router.post(
    "/rectifications/{rectification_id}/answer",
    response=RectificationDetailOut,
    summary="整改反馈：整改措施和反馈评价人的内容",
)
def rectification_answer(
    request: HttpRequest, rectification_id: int, payload: RectificationAnswerIn
) -> dict[str, Any]:
    return _step(
        request,
        rectification_id,
        RectificationStatus.RECTIFYING,
        lambda locked: services.rectification_answer(
            rectification=locked, actor=request.user, measure=payload.measure, answer=payload.answer
        ),
    )


# ——— ratings and appeals ———


@router.get("/evaluations", response=EvaluationPageOut, summary="评价列表（本部门；评价人已脱敏）")
def evaluation_list(request: HttpRequest, filters: Query[EvaluationFilter]) -> dict[str, Any]:
    """申诉成立后删除的评价不列出；政数局管理员可用 removed=true 只列这些评价。"""
    user = request.user
    _require_any(user, ("ratings.view", "ratings.rectify"), "您没有查看评价的权限")
    if filters.channel and filters.channel not in Channel.values:
        raise ApplicationError("评价渠道无效", fields={"channel": ["无效"]})
    if filters.start and filters.end and filters.start > filters.end:
        raise ApplicationError("截止日期不能早于起始日期", fields={"end": ["早于起始日期"]})
    rows = selectors.evaluation_list(
        user=user,
        start=filters.start,
        end=filters.end,
        level=filters.level,
        channel=filters.channel,
        bad_only=filters.bad_only,
        department=_department(user, filters.department),
        removed=filters.removed,
    )
    appeal_days = services.rating_policy().appeal_days
    now = timezone.now()
    page = rows[filters.offset : filters.offset + filters.limit]
    return {
        "total": rows.count(),
        "limit": filters.limit,
        "offset": filters.offset,
        "evaluations": [evaluation_out(user, e, appeal_days=appeal_days, now=now) for e in page],
    }


@router.post(
    "/evaluations/{evaluation_id}/appeal",
    response={201: AppealOut},
    summary="申诉：被评价部门的首席代表申请删除误评、恶意差评（证明材料请在页面上传）",
)
def appeal_file(request: HttpRequest, evaluation_id: int, payload: AppealIn) -> Status:
    user = request.user
    _require_any(user, ("ratings.appeal",), "只有被评价部门的首席代表可以申诉")
    evaluation = selectors.evaluation_get(user=user, evaluation_id=evaluation_id)
    appeal = services.appeal_file(
        evaluation=evaluation, actor=user, ground=payload.ground, reason=payload.reason
    )
    return Status(201, _appeal(user, appeal.pk))


def _appeal(user: Any, appeal_id: int) -> dict[str, Any]:
    appeal = selectors.appeal_get(user=user, appeal_id=appeal_id)
    return appeal_out(user, appeal, appeal_days=services.rating_policy().appeal_days, now=timezone.now())


@router.get("/appeals", response=AppealPageOut, summary="申诉列表（政数局管理员全部；部门本部门的）")
def appeal_list(request: HttpRequest, filters: Query[AppealFilter]) -> dict[str, Any]:
    user = request.user
    _require_any(user, ("ratings.decide", "ratings.appeal", "ratings.view"), "您没有查看申诉复核的权限")
    if filters.status and filters.status not in AppealStatus.values:
        raise ApplicationError("状态无效", fields={"status": ["无效"]})
    rows = selectors.appeal_list(user=user, status=filters.status)
    appeal_days = services.rating_policy().appeal_days
    now = timezone.now()
    page = rows.select_related("evaluation__rectification")[filters.offset : filters.offset + filters.limit]
    return {
        "total": rows.count(),
        "limit": filters.limit,
        "offset": filters.offset,
        "appeals": [appeal_out(user, a, appeal_days=appeal_days, now=now) for a in page],
    }


@router.post("/appeals/{appeal_id}/decide", response=AppealOut, summary="复核申诉（政数局管理员）")
def appeal_decide(request: HttpRequest, appeal_id: int, payload: AppealDecideIn) -> dict[str, Any]:
    user = request.user
    _require_any(user, ("ratings.decide",), "只有政数局管理员可以复核申诉")
    appeal = selectors.appeal_get(user=user, appeal_id=appeal_id)
    services.appeal_decide(appeal=appeal, actor=user, uphold=payload.uphold, note=payload.note)
    return _appeal(user, appeal.pk)
