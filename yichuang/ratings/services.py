"""Writes of 好差评: a rating, the rectification of a bad one, the rater's rating of it, appeals, the sweep.

Each function is one transaction with its audit events. A rectification moves by the table in
``RECTIFICATION_TRANSITIONS``: 待回访核实 → 整改中 (the rater reached) → 已反馈 (measure and answer given)
→ 已办结 (the rater rated the rectification, or the period to do so passed); any open one is withdrawn
when an appeal removes its rating. Overdue ones are escalated to the admin (once) by the sweep.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
import secrets
from typing import Any

from django.conf import settings
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from yichuang.accounts.models import User
from yichuang.accounts.roles import Role
from yichuang.core.audit import audit_record, audited_atomic, step_record, step_update
from yichuang.core.calendar import add_working_days
from yichuang.core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from yichuang.core.masking import mask_phone
from yichuang.core.notifications import notify, register_template
from yichuang.core.permissions import has_capability
from yichuang.core.personal_data import personal_data_read
from yichuang.ratings import policies
from yichuang.ratings.models import (
    BAD_LEVELS,
    INDICATORS,
    Appeal,
    AppealStatus,
    Channel,
    Evaluation,
    EvaluationStatus,
    Invitation,
    Level,
    RatingPolicy,
    Rectification,
    RectificationEvent,
    RectificationStatus,
)
from yichuang.ratings.subjects import Served

MAX_COMMENT = 500
INVITATION_TEMPLATE = "ratings.invitation"
RECTIFICATION_TEMPLATE = "ratings.rectification_answer"
ESCALATION_TEMPLATE = "ratings.escalated"
ASSIGNED_TEMPLATE = "ratings.assigned"
register_template(
    INVITATION_TEMPLATE,
    "【政务服务好差评】您的“{label}”已办结，请对本次服务作出评价：{url}（{days}天内有效）",
    subject="请评价本次政务服务",
)
register_template(
    RECTIFICATION_TEMPLATE,
    "【政务服务好差评】您对“{label}”的评价已整改：{answer} 请评价整改结果：{url}",
    subject="差评整改反馈",
)
register_template(
    ESCALATION_TEMPLATE,
    "【好差评】{department}的差评整改（{label}）已超过期限{due}，请督办。",
    subject="差评整改超期",
)
register_template(
    ASSIGNED_TEMPLATE,
    "【好差评】您有一条差评待回访整改（{label}），请于{due}前完成。",
    subject="差评待整改",
)

R = RectificationStatus
RECTIFICATION_TRANSITIONS: dict[str, frozenset[str]] = {
    R.CALL_BACK: frozenset({R.RECTIFYING, R.WITHDRAWN}),
    R.RECTIFYING: frozenset({R.ANSWERED, R.WITHDRAWN}),
    R.ANSWERED: frozenset({R.CLOSED, R.WITHDRAWN}),
    R.CLOSED: frozenset({R.WITHDRAWN}),
    R.WITHDRAWN: frozenset(),
}


# Steps recorded without a move: a call that did not reach the rater, the escalation of an overdue one.
STEPS_THAT_STAY = frozenset({"call_attempt", "escalated"})


def rating_policy() -> RatingPolicy:
    policy = RatingPolicy.objects.order_by("pk").first()
    return policy if policy is not None else RatingPolicy()


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


# ——— ratings ———


def clean_rating(*, mode: str, level: Any, scores: Any, comment: str) -> tuple[int, dict[str, int], str]:
    """The level (required, never suggested), the indicator sub-scores of the service mode (optional, each
    1–5) and the comment (≤ 500 characters), or a structured error naming every wrong field."""
    fields: dict[str, list[str]] = {}
    try:
        level = int(level)
    except (TypeError, ValueError):
        level = 0
    if level not in Level.values:
        fields["level"] = ["请选择评价等级"]
    known = dict(INDICATORS[mode])
    clean: dict[str, int] = {}
    for key, value in (scores or {}).items():
        if key not in known:
            fields.setdefault("scores", []).append(f"未知的评价指标：{key}")
            continue
        if value in (None, ""):
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if number not in Level.values:
            fields.setdefault("scores", []).append(f"“{known[key]}”须为1至5级")
        else:
            clean[key] = number
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        fields["comment"] = [f"评价内容不能超过{MAX_COMMENT}字"]
    if fields:
        raise ApplicationError(next(iter(fields.values()))[0], code="invalid", fields=fields)
    return level, clean, comment


def evaluation_submit(
    *,
    served: Served,
    channel: str,
    level: Any,
    scores: dict[str, Any] | None = None,
    comment: str = "",
    actor: Any = None,
    idempotency_key: str | None = None,
    now: dt.datetime | None = None,
) -> Evaluation:
    """Record the rating of ``served`` (once per service, within the rating period). A bad one opens its
    rectification, assigned to the department that served and the staff member who did."""
    now = now or timezone.now()
    if idempotency_key:
        existing = Evaluation.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return _same_service(existing, served)
    if channel not in Channel.values:
        raise ApplicationError("评价渠道不正确", code="invalid")
    level, scores, comment = clean_rating(mode=served.mode, level=level, scores=scores, comment=comment)
    policy = rating_policy()
    if now > served.served_at + dt.timedelta(days=policy.rating_period_days):
        raise ApplicationError(
            f"服务结束已超过{policy.rating_period_days}天，评价期已过", code="rating_period_over"
        )
    try:
        return _evaluation_write(
            served=served,
            channel=channel,
            level=level,
            scores=scores,
            comment=comment,
            actor=actor,
            idempotency_key=idempotency_key,
            now=now,
            policy=policy,
        )
    except IntegrityError:
        if idempotency_key:
            existing = Evaluation.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                return _same_service(existing, served)
        if Evaluation.objects.filter(subject_kind=served.kind, subject_id=served.id).exists():
            raise ConflictError("该服务已经评价过了，每项服务只能评价一次", code="already_rated") from None
        raise


def _same_service(existing: Evaluation, served: Served) -> Evaluation:
    """A repeated submit returns the first rating — of the same service only."""
    if (existing.subject_kind, existing.subject_id) != (served.kind, served.id):
        raise ConflictError("该幂等键已用于其他服务的评价", code="idempotency_key_reused")
    return existing


@audited_atomic
def _evaluation_write(
    *,
    served: Served,
    channel: str,
    level: int,
    scores: dict[str, int],
    comment: str,
    actor: Any,
    idempotency_key: str | None,
    now: dt.datetime,
    policy: RatingPolicy,
) -> Evaluation:
    if Evaluation.objects.filter(subject_kind=served.kind, subject_id=served.id).exists():
        raise ConflictError("该服务已经评价过了，每项服务只能评价一次", code="already_rated")
    rater = served.rater
    evaluation = Evaluation.objects.create(
        subject_kind=served.kind,
        subject_id=served.id,
        subject_label=served.label[:200],
        channel=channel,
        service_mode=served.mode,
        level=level,
        scores=scores,
        comment=comment,
        is_bad=level in BAD_LEVELS,
        rated_at=now,
        served_at=served.served_at,
        department=served.department,
        staff=served.staff,
        window_number=served.window_number,
        hall_code=served.hall_code,
        item=served.item,
        case_number=served.case_number,
        case_kind=served.case_kind,
        rater_user=rater.user,
        rater_name=rater.name,
        rater_id_number=rater.id_number,
        rater_credit_code=rater.credit_code,
        rater_phone=rater.phone,
        rater_kind=rater.kind,
        is_real_name=rater.is_real_name,
        idempotency_key=idempotency_key or None,
    )
    audit_record(
        actor=actor,
        action="ratings.evaluation_submitted",
        obj=evaluation,
        data={
            "subject": f"{served.kind}:{served.id}",
            "channel": channel,
            "level": level,
            "department": served.department.pk,
        },
    )
    if evaluation.is_bad:
        _rectification_open(evaluation, served=served, now=now, policy=policy)
    return evaluation


def _rectification_open(
    evaluation: Evaluation, *, served: Served, now: dt.datetime, policy: RatingPolicy
) -> None:
    # The staff member who served calls back himself when he may rectify for his department (a
    # department's reviewer, a chief representative); otherwise (a front-desk clerk) the department's
    # rectifying staff take it from their list.
    staff = served.staff
    assignee = (
        staff
        if staff is not None
        and staff.is_active
        and staff.department_id == served.department.pk
        and has_capability(staff, "ratings.rectify")
        else None
    )
    due = add_working_days(_local_day(now), policy.rectification_working_days)
    rectification = Rectification.objects.create(
        evaluation=evaluation,
        department=served.department,
        assignee=assignee,
        opened_at=now,
        due_date=due,
    )
    step_record(
        RectificationEvent(
            rectification=rectification, kind="opened", at=now, note=f"差评自动生成整改，期限{due:%Y-%m-%d}"
        )
    )
    audit_record(
        actor=None,
        action="ratings.rectification_opened",
        obj=rectification,
        data={"evaluation": evaluation.pk, "department": served.department.pk, "due": due.isoformat()},
    )
    if assignee is not None and assignee.phone:
        notify(
            channel="sms",
            to=assignee.phone,
            template=ASSIGNED_TEMPLATE,
            context={"label": evaluation.subject_label, "due": f"{due:%Y-%m-%d}"},
            related=rectification,
        )


# ——— one-time links ———


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def public_url(path: str) -> str:
    return str(getattr(settings, "YICHUANG_PUBLIC_URL", "")).rstrip("/") + path


def invitation_create(
    *,
    purpose: str,
    served: Served,
    days: int,
    now: dt.datetime,
    label: str,
    template: str,
    extra: dict[str, str],
) -> str | None:
    """A one-time link for ``served``'s rater, texted to his phone; returns the token (None when there is
    no phone to send it to, or a link was already made)."""
    phone = served.rater.phone
    if (
        not phone
        or Invitation.objects.filter(purpose=purpose, subject_kind=served.kind, subject_id=served.id).exists()
    ):
        return None
    token = secrets.token_urlsafe(24)
    Invitation.objects.create(
        purpose=purpose,
        subject_kind=served.kind,
        subject_id=served.id,
        token_digest=_digest(token),
        sent_to=mask_phone(phone),
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    url = public_url(reverse("ratings:invitation", args=[token]))
    notify(
        channel="sms",
        to=phone,
        template=template,
        context={"label": label, "url": url, "days": days, **extra},
    )
    return token


def invitation_find(token: str, now: dt.datetime | None = None) -> Invitation:
    """The unused, unexpired invitation of ``token``; one error for every other case (never which)."""
    now = now or timezone.now()
    invitation = Invitation.objects.filter(token_digest=_digest(token or "")).first()
    if invitation is None or invitation.used_at is not None or invitation.expires_at < now:
        raise NotFoundError("评价链接无效、已使用或已过期", code="invitation_invalid")
    return invitation


def invitation_use(invitation: Invitation, now: dt.datetime) -> None:
    updated = Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(used_at=now)
    if not updated:
        raise NotFoundError("评价链接无效、已使用或已过期", code="invitation_invalid")


@audited_atomic
def case_invite(*, served: Served, now: dt.datetime | None = None) -> str | None:
    """一事一评: text the applicant of a closed case a one-time rating link."""
    now = now or timezone.now()
    days = rating_policy().rating_period_days
    return invitation_create(
        purpose=Invitation.Purpose.SERVICE,
        served=served,
        days=days,
        now=now,
        label=served.label,
        template=INVITATION_TEMPLATE,
        extra={},
    )


# ——— rectification ———


def _rectification_locked(rectification: Rectification, actor: Any) -> Rectification:
    locked = (
        Rectification.objects.select_for_update(of=("self",))
        .select_related("evaluation", "department")
        .get(pk=rectification.pk)
    )
    if not policies.may_rectify(actor, locked):
        raise PermissionDeniedError("您无权处理该差评整改", code="permission_denied")
    return locked


def rectification_transition(
    *,
    rectification: Rectification,
    to: str,
    kind: str,
    actor: Any,
    at: dt.datetime,
    changes: dict[str, Any] | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> RectificationEvent:
    """Move a locked rectification to ``to`` (or record a step that keeps it), apply ``changes``, write its
    event and the audit entry."""
    stays = to == rectification.status and kind in STEPS_THAT_STAY
    if not stays and to not in RECTIFICATION_TRANSITIONS[rectification.status]:
        raise ConflictError(
            f"该整改当前为“{rectification.get_status_display()}”，不能执行此操作",
            code="rectification_state",
            extra={"status": rectification.status},
        )
    before = rectification.status
    rectification.status = to
    for name, value in (changes or {}).items():
        setattr(rectification, name, value)
    step_update(rectification, {"status", *(changes or {})})
    row = step_record(
        RectificationEvent(
            rectification=rectification,
            kind=kind,
            at=at,
            actor_id=getattr(actor, "pk", None),
            note=note,
            data=data or {},
        )
    )
    audit_record(
        actor=actor,
        action=f"ratings.rectification_{kind}",
        obj=rectification,
        data={"from": before, "to": to, "note": note, **(data or {})},
    )
    return row


def _required(text: str, field: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ApplicationError(message, code="invalid", fields={field: [message]})
    if len(text) > 2000:
        raise ApplicationError("内容不能超过2000字", code="invalid", fields={field: ["内容不能超过2000字"]})
    return text


@audited_atomic
def rectification_call_back(
    *,
    rectification: Rectification,
    actor: Any,
    reached: bool,
    facts_confirmed: bool | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> Rectification:
    """回访核实: record a call to the rater. Not reached: the attempt is recorded and the call-back stays
    due. Reached: whether the facts are confirmed, and the rectification starts."""
    now = now or timezone.now()
    locked = _rectification_locked(rectification, actor)
    note = (note or "").strip()[:2000]
    if locked.status != R.CALL_BACK:
        raise ConflictError(
            f"该整改当前为“{locked.get_status_display()}”，已完成回访核实", code="rectification_state"
        )
    if not reached:
        if not note:
            raise ApplicationError(
                "请说明未联系上的情况", code="invalid", fields={"note": ["请说明未联系上的情况"]}
            )
        rectification_transition(
            rectification=locked,
            to=locked.status,
            kind="call_attempt",
            actor=actor,
            at=now,
            changes={"reached": False},
            note=note,
            data={"reached": False},
        )
        return locked
    if facts_confirmed is None:
        raise ApplicationError(
            "请核实差评反映的情况是否属实", code="invalid", fields={"facts_confirmed": ["请选择是否属实"]}
        )
    rectification_transition(
        rectification=locked,
        to=R.RECTIFYING,
        kind="called_back",
        actor=actor,
        at=now,
        changes={"reached": True, "facts_confirmed": facts_confirmed, "called_back_at": now},
        note=note,
        data={"reached": True, "facts_confirmed": facts_confirmed},
    )
    return locked


@audited_atomic
def rectification_answer(
    *, rectification: Rectification, actor: Any, measure: str, answer: str, now: dt.datetime | None = None
) -> Rectification:
    """整改 and 反馈: the measure taken (or, the facts not confirmed, the explanation) and the answer
    to the rater, who gets a one-time link to rate the rectification."""
    now = now or timezone.now()
    locked = _rectification_locked(rectification, actor)
    measure = _required(measure, "measure", "请填写整改措施（情况不属实的请说明核实情况）")
    answer = _required(answer, "answer", "请填写反馈评价人的内容")
    rectification_transition(
        rectification=locked,
        to=R.ANSWERED,
        kind="answered",
        actor=actor,
        at=now,
        changes={"measure": measure, "rectified_at": now, "answer": answer, "answered_at": now},
        note=answer,
    )
    evaluation = locked.evaluation
    from yichuang.ratings.subjects import served as served_of

    try:
        served = served_of(evaluation.subject_kind, evaluation.subject_id)
    except ApplicationError:
        served = None
    if served is not None:
        invitation_create(
            purpose=Invitation.Purpose.RECTIFICATION,
            served=served,
            days=rating_policy().rectification_rating_days,
            now=now,
            label=evaluation.subject_label,
            template=RECTIFICATION_TEMPLATE,
            extra={"answer": answer[:120]},
        )
    return locked


@audited_atomic
def rectification_rate(
    *,
    rectification: Rectification,
    level: Any,
    comment: str = "",
    actor: Any = None,
    now: dt.datetime | None = None,
) -> Rectification:
    """The rater rates the rectification (through his link or his account); it is then closed."""
    now = now or timezone.now()
    locked = Rectification.objects.select_for_update(of=("self",)).get(pk=rectification.pk)
    level, _scores, comment = clean_rating(mode="offline", level=level, scores={}, comment=comment)
    rectification_transition(
        rectification=locked,
        to=R.CLOSED,
        kind="rated",
        actor=actor,
        at=now,
        changes={"rater_level": level, "rater_comment": comment, "rater_rated_at": now, "closed_at": now},
        data={"level": level},
    )
    return locked


# ——— appeals ———


@audited_atomic
def appeal_file(
    *,
    evaluation: Evaluation,
    actor: Any,
    ground: str,
    reason: str,
    evidence: Any = None,
    now: dt.datetime | None = None,
) -> Appeal:
    """申诉: the rated department asks to remove a mistaken or malicious rating, with its evidence."""
    now = now or timezone.now()
    locked = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if not policies.may_appeal(actor, locked):
        raise PermissionDeniedError("只有被评价部门的首席代表可以申诉", code="permission_denied")
    if locked.status != EvaluationStatus.VALID:
        raise ConflictError("该评价已删除", code="evaluation_removed")
    days = rating_policy().appeal_days
    if now > locked.rated_at + dt.timedelta(days=days):
        raise ApplicationError(f"评价后{days}天内可以申诉，已超过申诉期", code="appeal_period_over")
    if ground not in Appeal.Ground.values:
        raise ApplicationError("请选择申诉理由", code="invalid", fields={"ground": ["请选择申诉理由"]})
    reason = _required(reason, "reason", "请写明申诉理由和事实")
    if locked.appeals.filter(status=AppealStatus.PENDING).exists():
        raise ConflictError("该评价已有待复核的申诉", code="appeal_pending")
    appeal = Appeal(
        evaluation=locked,
        department=locked.department,
        ground=ground,
        reason=reason,
        filed_by=actor,
        filed_at=now,
    )
    if evidence is not None:  # a checked upload (``forms_staff.evidence_file``): name and content
        evidence.seek(0)
        name = str(getattr(evidence, "name", "") or "evidence")
        appeal.evidence, appeal.evidence_name = evidence.read(), name[:200]
        appeal.evidence_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    appeal.save()
    audit_record(
        actor=actor,
        action="ratings.appeal_filed",
        obj=appeal,
        data={"evaluation": locked.pk, "ground": ground},
    )
    return appeal


@audited_atomic
def appeal_decide(
    *, appeal: Appeal, actor: Any, uphold: bool, note: str, now: dt.datetime | None = None
) -> Appeal:
    """复核: the admin upholds the appeal (the rating leaves the figures and its rectification is withdrawn,
    but both stay in the audit log) or rejects it."""
    now = now or timezone.now()
    if not has_capability(actor, "ratings.decide"):
        raise PermissionDeniedError("只有政数局管理员可以复核申诉", code="permission_denied")
    locked = Appeal.objects.select_for_update().select_related("evaluation").get(pk=appeal.pk)
    if locked.status != AppealStatus.PENDING:
        raise ConflictError("该申诉已复核", code="appeal_decided")
    note = _required(note, "note", "请填写复核意见")
    locked.status = AppealStatus.UPHELD if uphold else AppealStatus.REJECTED
    locked.decided_by, locked.decided_at, locked.decision_note = actor, now, note
    step_update(locked, {"status", "decided_by", "decided_at", "decision_note"})
    audit_record(
        actor=actor,
        action="ratings.appeal_upheld" if uphold else "ratings.appeal_rejected",
        obj=locked,
        data={"evaluation": locked.evaluation_id, "note": note},
    )
    if uphold:
        evaluation = Evaluation.objects.select_for_update().get(pk=locked.evaluation_id)
        evaluation.status, evaluation.removed_at = EvaluationStatus.REMOVED, now
        step_update(evaluation, {"status", "removed_at"})
        audit_record(
            actor=actor,
            action="ratings.evaluation_removed",
            obj=evaluation,
            data={"appeal": locked.pk, "level": evaluation.level, "department": evaluation.department_id},
        )
        rectification = Rectification.objects.select_for_update().filter(evaluation=evaluation).first()
        if rectification is not None and rectification.status != R.WITHDRAWN:
            rectification_transition(
                rectification=rectification,
                to=R.WITHDRAWN,
                kind="withdrawn",
                actor=actor,
                at=now,
                note="申诉成立，评价已删除",
            )
    return locked


# ——— the sweep ———


def ratings_sweep(now: dt.datetime | None = None) -> dict[str, int]:
    """Escalate overdue rectifications to the admin (once each); close answered ones whose rater did not
    rate the rectification within the period."""
    now = now or timezone.now()
    today = _local_day(now)
    escalated = 0
    overdue = Rectification.objects.filter(
        status__in=[R.CALL_BACK, R.RECTIFYING], due_date__lt=today, escalated_at__isnull=True
    ).values_list("pk", flat=True)
    for pk in list(overdue):
        escalated += _escalate(pk, now)
    closed = 0
    lapse = now - dt.timedelta(days=rating_policy().rectification_rating_days)
    for pk in list(
        Rectification.objects.filter(status=R.ANSWERED, answered_at__lt=lapse).values_list("pk", flat=True)
    ):
        closed += _close_unrated(pk, now)
    return {"escalated": escalated, "closed": closed}


@audited_atomic
def _escalate(pk: int, now: dt.datetime) -> int:
    locked = (
        Rectification.objects.select_for_update(of=("self",))
        .select_related("evaluation", "department")
        .get(pk=pk)
    )
    if locked.escalated_at is not None or locked.status not in (R.CALL_BACK, R.RECTIFYING):
        return 0
    rectification_transition(
        rectification=locked,
        to=locked.status,
        kind="escalated",
        actor=None,
        at=now,
        changes={"escalated_at": now},
        note=f"超过整改期限{locked.due_date:%Y-%m-%d}，上报政数局督办",
    )
    for admin in User.objects.filter(role=Role.ADMIN, is_active=True).exclude(phone=""):
        notify(
            channel="sms",
            to=admin.phone,
            template=ESCALATION_TEMPLATE,
            context={
                "department": locked.department.name,
                "label": locked.evaluation.subject_label,
                "due": f"{locked.due_date:%Y-%m-%d}",
            },
            related=locked,
        )
    return 1


@audited_atomic
def _close_unrated(pk: int, now: dt.datetime) -> int:
    locked = Rectification.objects.select_for_update().get(pk=pk)
    if locked.status != R.ANSWERED:
        return 0
    rectification_transition(
        rectification=locked,
        to=R.CLOSED,
        kind="closed",
        actor=None,
        at=now,
        changes={"closed_at": now},
        note="评价人未在期限内评价整改结果，自动办结",
    )
    return 1


_RATER_FIELDS = (("name", "rater_name"), ("id_number", "rater_id_number"), ("phone", "rater_phone"))


def rater_read_record(
    *, actor: Any, evaluation: Evaluation, rater: dict[str, str], screen: str, purpose: str = ""
) -> None:
    """A rater shown in full (``policies.rater_view``, to who must call back) is a read of personal data."""
    if not rater.get("full"):
        return
    personal_data_read(
        actor=actor,
        obj=evaluation,
        person="rater",
        fields=[field for key, field in _RATER_FIELDS if rater.get(key)],
        screen=screen,
        purpose=purpose,
    )
