"""Writes of 12345 tickets: intake, direct answer, dispatch (with co-handlers), sign, return and its review,
co-handlers' opinions, reply, extension, long-term handling (挂账), reminders and supervision, call-back
(unsatisfied reopens up to ``REOPEN_LIMIT``), merging duplicates, and the sweep that reminds and supervises
when limits pass.

Who: the operator takes and answers calls (``hotline.intake``); the hotline office dispatches, reviews
returns and extensions, calls back, reminds and merges (``hotline.dispatch``); a department's staff sign,
handle and reply for their own department (``hotline.handle`` within their department scope).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import IntegrityError
from django.db.models import QuerySet
from django.utils import timezone

from yichuang.accounts.models import Department
from yichuang.accounts.policies import department_in_scope
from yichuang.core.audit import audit_record, audited_atomic, step_record, step_update
from yichuang.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from yichuang.core.notifications import notify, register_template
from yichuang.core.permissions import has_capability
from yichuang.core.sequences import counter_next
from yichuang.hotline import hooks, limits
from yichuang.hotline.models_taxonomy import HotlineCategory
from yichuang.hotline.models_tickets import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    CallBackResult,
    HotlineChannel,
    HotlineSequence,
    HotlineStatus,
    HotlineTicket,
    Nature,
    TicketStep,
    Urgency,
)
from yichuang.hotline.workflow import ticket_transition

S = HotlineStatus
REOPEN_LIMIT = 2
MAX_EXTENSION_DAYS = 15
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_PHONE = re.compile(r"^[0-9\-]{5,20}$")

DISPATCHED_TEMPLATE = "hotline.dispatched"
REMINDER_TEMPLATE = "hotline.reminder"
register_template(
    DISPATCHED_TEMPLATE,
    "【12345】新工单 {number}（{nature}，{urgency}）已派至{department}，请于{sign_due}前签收。",
    subject="12345新工单：{number}",
)
register_template(
    REMINDER_TEMPLATE,
    "【12345催办】工单 {number} {what}已超时（期限{due}），请尽快处理。",
    subject="12345催办：{number}",
)


def _require(actor: Any, capability: str, message: str) -> None:
    if not has_capability(actor, capability):
        raise PermissionDeniedError(message, code="permission_denied")


def _text(value: str, field: str, message: str, *, limit: int = 4000) -> str:
    value = (value or "").strip()
    if not value:
        raise ApplicationError(message, code="invalid", fields={field: [message]})
    if len(value) > limit:
        raise ApplicationError(
            f"内容不能超过{limit}字", code="invalid", fields={field: [f"内容不能超过{limit}字"]}
        )
    return value


def _locked(ticket: HotlineTicket) -> HotlineTicket:
    return HotlineTicket.objects.select_for_update().get(pk=ticket.pk)


# ——— intake ———


def _clean_intake(
    *, channel: str, nature: str, urgency: str, title: str, content: str, caller_phone: str, anonymous: bool
) -> dict[str, str]:
    fields: dict[str, list[str]] = {}
    if channel not in HotlineChannel.values:
        fields["channel"] = ["请选择来源渠道"]
    if nature not in Nature.values:
        fields["nature"] = ["请选择诉求性质"]
    if urgency not in Urgency.values:
        fields["urgency"] = ["请选择紧急程度"]
    content = (content or "").strip()
    if not content:
        fields["content"] = ["请填写诉求内容"]
    elif len(content) > 4000:
        fields["content"] = ["诉求内容不能超过4000字"]
    title = (title or "").strip() or content[:30]
    phone = (caller_phone or "").strip().replace(" ", "")
    if phone and not (_MOBILE.match(phone) or _PHONE.match(phone)):
        fields["caller_phone"] = ["请输入正确的电话号码"]
    if not phone and not anonymous:
        fields["caller_phone"] = ["请填写联系电话，或选择匿名"]
    if fields:
        raise ApplicationError(next(iter(fields.values()))[0], code="invalid", fields=fields)
    return {"title": title[:200], "content": content, "caller_phone": phone}


@audited_atomic
def _intake_write(**values: Any) -> HotlineTicket:
    now: dt.datetime = values["received_at"]
    day = timezone.localtime(now).date()
    seq = counter_next(model=HotlineSequence, key_field="key", key="RX", day=day)
    ticket = HotlineTicket.objects.create(number=f"RX{day:%Y%m%d}{seq:04d}", **values)
    _intake_step(ticket, values.get("received_by"), now)
    return ticket


def _intake_step(ticket: HotlineTicket, actor: Any, now: dt.datetime) -> None:
    step_record(
        TicketStep(
            ticket=ticket,
            action="intake",
            from_status="",
            to_status=S.RECEIVED,
            actor_id=getattr(actor, "pk", None),
            at=now,
            note=ticket.get_channel_display(),
        )
    )
    audit_record(
        actor=actor,
        action="hotline.ticket_intake",
        obj=ticket,
        data={
            "number": ticket.number,
            "nature": ticket.nature,
            "urgency": ticket.urgency,
            "channel": ticket.channel,
        },
    )


def ticket_intake(
    *,
    actor: Any,
    channel: str,
    nature: str,
    content: str,
    title: str = "",
    urgency: str = Urgency.C,
    category: HotlineCategory | None = None,
    address: str = "",
    division_code: str = "",
    caller_name: str = "",
    caller_phone: str = "",
    anonymous: bool = False,
    confidential: bool = False,
    caller_user: Any = None,
    external_id: str = "",
    idempotency_key: str | None = None,
    now: dt.datetime | None = None,
) -> HotlineTicket:
    """受理: a new ticket (工单编号 RX + date + 4 digits). ``actor`` is the operator, or None for Open311."""
    if actor is not None:
        _require(actor, "hotline.intake", "您没有受理12345诉求的权限")
    now = now or timezone.now()
    if idempotency_key:
        existing = HotlineTicket.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    clean = _clean_intake(
        channel=channel,
        nature=nature,
        urgency=urgency,
        title=title,
        content=content,
        caller_phone=caller_phone,
        anonymous=anonymous,
    )
    values = {
        "channel": channel,
        "nature": nature,
        "urgency": urgency,
        "category": category,
        "address": (address or "").strip()[:200],
        "division_code": (division_code or "").strip()[:12],
        "caller_name": "" if anonymous else (caller_name or "").strip()[:60],
        "anonymous": anonymous,
        "confidential": confidential,
        "caller_user": caller_user,
        "received_at": now,
        "received_by": actor,
        "external_id": external_id[:64],
        "idempotency_key": idempotency_key or None,
        **clean,
    }
    try:
        return _intake_write(**values)
    except IntegrityError:
        if idempotency_key:
            existing = HotlineTicket.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing
        raise


@audited_atomic
def ticket_answer_directly(
    *, ticket: HotlineTicket, actor: Any, reply: str, now: dt.datetime | None = None
) -> HotlineTicket:
    """直接办结: the operator answers at once (from the knowledge base); the ticket is closed and counts as
    responded and solved."""
    _require(actor, "hotline.intake", "您没有答复12345诉求的权限")
    now = now or timezone.now()
    locked = _locked(ticket)
    reply = _text(reply, "reply", "请填写答复内容")
    ticket_transition(
        ticket=locked,
        to=S.CLOSED,
        action="answer_directly",
        actor=actor,
        at=now,
        changes={
            "reply": reply,
            "replied_at": now,
            "closed_at": now,
            "answered_directly": True,
            "solved": True,
        },
        note=reply,
    )
    return locked


# ——— dispatch ———


def _assign(ticket: HotlineTicket, department: Department, role: str, now: dt.datetime) -> Assignment:
    return Assignment.objects.create(ticket=ticket, department=department, role=role, assigned_at=now)


def _dispatch(
    ticket: HotlineTicket,
    *,
    actor: Any,
    lead: Department,
    co_handlers: list[Department],
    now: dt.datetime,
    action: str,
    note: str = "",
) -> None:
    if not lead.is_active:
        raise ApplicationError("主办单位已停用", code="invalid", fields={"lead": ["请选择在用的单位"]})
    co_handlers = [d for d in co_handlers if d.pk != lead.pk]
    rule = limits.limits_for(ticket.nature, ticket.urgency)
    sign_due = limits.add_working_hours(now, rule.sign_hours)
    due = limits.handle_due(now, rule.handle_days + ticket.extension_days)
    _assign(ticket, lead, AssignmentRole.LEAD, now)
    existing_co = set(
        ticket.assignments.filter(role=AssignmentRole.CO)
        .exclude(status=AssignmentStatus.WITHDRAWN)
        .values_list("department_id", flat=True)
    )
    for department in co_handlers:
        if department.pk not in existing_co:
            _assign(ticket, department, AssignmentRole.CO, now)
    ticket_transition(
        ticket=ticket,
        to=S.DISPATCHED,
        action=action,
        actor=actor,
        at=now,
        changes={"lead": lead, "dispatched_at": now, "sign_due_at": sign_due, "due_at": due},
        note=note,
        department=lead,
        data={"lead": lead.pk, "co": [d.pk for d in co_handlers]},
    )
    for user in lead.staff.filter(is_active=True).exclude(phone=""):
        if has_capability(user, "hotline.handle"):
            notify(
                channel="sms",
                to=user.phone,
                template=DISPATCHED_TEMPLATE,
                context={
                    "number": ticket.number,
                    "nature": ticket.get_nature_display(),
                    "urgency": ticket.get_urgency_display(),
                    "department": lead.name,
                    "sign_due": f"{timezone.localtime(sign_due):%m-%d %H:%M}",
                },
                related=ticket,
            )


@audited_atomic
def ticket_dispatch(
    *,
    ticket: HotlineTicket,
    actor: Any,
    lead: Department,
    co_handlers: list[Department] | None = None,
    category: HotlineCategory | None = None,
    now: dt.datetime | None = None,
) -> HotlineTicket:
    """派单 to the lead department (主办) and co-handlers (协办); sets the sign and handling limits."""
    _require(actor, "hotline.dispatch", "您没有派单的权限")
    now = now or timezone.now()
    locked = _locked(ticket)
    if category is not None and category != locked.category:
        locked.category = category
        step_update(locked, {"category"})
    _dispatch(locked, actor=actor, lead=lead, co_handlers=list(co_handlers or []), now=now, action="dispatch")
    return locked


# ——— the department ———


def _live_assignment(ticket: HotlineTicket, actor: Any, role: str | None = None) -> Assignment:
    """The actor's department's live part in the ticket (lead first)."""
    _require(actor, "hotline.handle", "您没有办理12345工单的权限")
    parts = (
        ticket.assignments.select_for_update()
        .select_related("department")
        .exclude(status__in=[AssignmentStatus.RETURNED, AssignmentStatus.WITHDRAWN])
        .order_by("role")  # "co" < "lead": reversed below so the lead comes first
    )
    mine = [part for part in parts if department_in_scope(actor, part.department)]
    mine.sort(key=lambda part: part.role != AssignmentRole.LEAD)
    if role is not None:
        mine = [part for part in mine if part.role == role]
    if not mine:
        raise PermissionDeniedError("该工单不是派给本单位的", code="permission_denied")
    return mine[0]


@audited_atomic
def ticket_sign(*, ticket: HotlineTicket, actor: Any, now: dt.datetime | None = None) -> HotlineTicket:
    """签收: the lead's signature starts the handling; a co-handler signs its own part."""
    now = now or timezone.now()
    locked = _locked(ticket)
    part = _live_assignment(locked, actor)
    if part.status != AssignmentStatus.PENDING:
        raise ConflictError("本单位已签收该工单", code="already_signed")
    part.status, part.signed_at, part.signed_by = AssignmentStatus.SIGNED, now, actor
    step_update(part, {"status", "signed_at", "signed_by"})
    late = bool(locked.sign_due_at and now > locked.sign_due_at)
    if part.role == AssignmentRole.LEAD:
        ticket_transition(
            ticket=locked,
            to=S.HANDLING,
            action="sign",
            actor=actor,
            at=now,
            department=part.department,
            data={"late": late},
        )
    else:
        ticket_transition(
            ticket=locked,
            to=locked.status,
            action="co_sign",
            actor=actor,
            at=now,
            department=part.department,
            data={"late": late},
        )
    return locked


@audited_atomic
def ticket_return(
    *, ticket: HotlineTicket, actor: Any, reason: str, now: dt.datetime | None = None
) -> HotlineTicket:
    """退单: the lead says the matter is not its own, with a reason, before signing and within the return
    limit; the hotline office reviews it."""
    now = now or timezone.now()
    locked = _locked(ticket)
    part = _live_assignment(locked, actor, role=AssignmentRole.LEAD)
    reason = _text(reason, "reason", "请写明退单理由（如职责依据）")
    if part.status != AssignmentStatus.PENDING:
        raise ConflictError("已签收的工单不能退单，请办理或申请协调", code="already_signed")
    rule = limits.limits_for(locked.nature, locked.urgency)
    if now > limits.add_working_hours(part.assigned_at, rule.return_hours):
        raise ApplicationError(
            f"已超过退单时限（派单后{rule.return_hours}个工作小时），请签收办理", code="return_too_late"
        )
    part.status, part.return_reason = AssignmentStatus.RETURNED, reason
    step_update(part, {"status", "return_reason"})
    ticket_transition(
        ticket=locked,
        to=S.RETURN_REVIEW,
        action="return",
        actor=actor,
        at=now,
        note=reason,
        department=part.department,
    )
    return locked


@audited_atomic
def ticket_return_review(
    *,
    ticket: HotlineTicket,
    actor: Any,
    accept: bool,
    note: str,
    lead: Department | None = None,
    co_handlers: list[Department] | None = None,
    now: dt.datetime | None = None,
) -> HotlineTicket:
    """退单审核: accepted → re-dispatched to ``lead``; refused → back to the department that returned it,
    with the office's reason (争议裁定)."""
    _require(actor, "hotline.dispatch", "您没有审核退单的权限")
    now = now or timezone.now()
    locked = _locked(ticket)
    note = _text(note, "note", "请填写审核意见")
    returned = locked.assignments.filter(role=AssignmentRole.LEAD, status=AssignmentStatus.RETURNED).last()
    if locked.status != S.RETURN_REVIEW or returned is None:
        raise ConflictError("该工单没有待审核的退单", code="ticket_state")
    if accept:
        if lead is None:
            raise ApplicationError(
                "请选择改派的主办单位", code="invalid", fields={"lead": ["请选择主办单位"]}
            )
        if lead.pk == returned.department_id:
            raise ApplicationError(
                "同意退单须改派其他单位", code="invalid", fields={"lead": ["请选择其他单位"]}
            )
        target = lead
    else:
        target = returned.department
    _dispatch(
        locked,
        actor=actor,
        lead=target,
        co_handlers=list(co_handlers or []),
        now=now,
        action="return_accepted" if accept else "return_refused",
        note=note,
    )
    return locked


@audited_atomic
def ticket_co_reply(
    *, ticket: HotlineTicket, actor: Any, reply: str, now: dt.datetime | None = None
) -> HotlineTicket:
    """协办意见: a co-handler's part, which the lead takes into its reply."""
    now = now or timezone.now()
    locked = _locked(ticket)
    part = _live_assignment(locked, actor, role=AssignmentRole.CO)
    reply = _text(reply, "reply", "请填写协办意见")
    if locked.status not in (S.DISPATCHED, S.HANDLING, S.LONG_TERM):
        raise ConflictError("该工单当前不在办理中", code="ticket_state")
    part.status, part.reply, part.replied_at, part.replied_by = AssignmentStatus.REPLIED, reply, now, actor
    if part.signed_at is None:
        part.signed_at, part.signed_by = now, actor
    step_update(part, {"status", "reply", "replied_at", "replied_by", "signed_at", "signed_by"})
    ticket_transition(
        ticket=locked,
        to=locked.status,
        action="co_reply",
        actor=actor,
        at=now,
        note=reply,
        department=part.department,
    )
    return locked


@audited_atomic
def ticket_reply(
    *, ticket: HotlineTicket, actor: Any, reply: str, solved: bool, now: dt.datetime | None = None
) -> HotlineTicket:
    """答复: the lead's answer to the caller, after every co-handler's opinion; then the office calls back."""
    now = now or timezone.now()
    locked = _locked(ticket)
    part = _live_assignment(locked, actor, role=AssignmentRole.LEAD)
    reply = _text(reply, "reply", "请填写答复内容")
    waiting = list(
        locked.assignments.filter(role=AssignmentRole.CO)
        .exclude(status__in=[AssignmentStatus.REPLIED, AssignmentStatus.WITHDRAWN])
        .values_list("department__name", flat=True)
    )
    if waiting:
        raise ConflictError(f"协办单位尚未提交意见：{'、'.join(waiting)}", code="co_handlers_pending")
    part.status, part.reply, part.replied_at, part.replied_by = AssignmentStatus.REPLIED, reply, now, actor
    step_update(part, {"status", "reply", "replied_at", "replied_by"})
    ticket_transition(
        ticket=locked,
        to=S.REPLIED,
        action="reply",
        actor=actor,
        at=now,
        note=reply,
        department=part.department,
        changes={"reply": reply, "replied_at": now, "solved": solved},
        data={"solved": solved},
    )
    return locked


@audited_atomic
def ticket_long_term(
    *, ticket: HotlineTicket, actor: Any, plan: str, plan_due: dt.date, now: dt.datetime | None = None
) -> HotlineTicket:
    """挂账: a matter that cannot be solved within the limit is carried with a plan and a date."""
    now = now or timezone.now()
    locked = _locked(ticket)
    _live_assignment(locked, actor, role=AssignmentRole.LEAD)
    plan = _text(plan, "plan", "请填写挂账办理计划")
    if plan_due <= timezone.localtime(now).date():
        raise ApplicationError(
            "计划完成日期须晚于今天", code="invalid", fields={"plan_due": ["请选择以后的日期"]}
        )
    ticket_transition(
        ticket=locked,
        to=S.LONG_TERM,
        action="long_term",
        actor=actor,
        at=now,
        note=plan,
        changes={"long_term_plan": plan, "long_term_due": plan_due},
        data={"plan_due": plan_due.isoformat()},
    )
    return locked


@audited_atomic
def ticket_extension(
    *,
    ticket: HotlineTicket,
    actor: Any,
    days: int,
    reason: str,
    approve: bool | None = None,
    now: dt.datetime | None = None,
) -> HotlineTicket:
    """延期: the lead asks (``approve`` None) with a reason; the office approves or refuses. An approved
    extension moves the handling limit by ``days`` working days."""
    now = now or timezone.now()
    locked = _locked(ticket)
    if locked.status not in (S.DISPATCHED, S.HANDLING):
        raise ConflictError("该工单当前不能延期", code="ticket_state")
    if not 1 <= int(days) <= MAX_EXTENSION_DAYS:
        raise ApplicationError(
            f"延期为1至{MAX_EXTENSION_DAYS}个工作日", code="invalid", fields={"days": ["延期天数不正确"]}
        )
    reason = _text(reason, "reason", "请写明延期理由")
    if approve is None:
        part = _live_assignment(locked, actor, role=AssignmentRole.LEAD)
        ticket_transition(
            ticket=locked,
            to=locked.status,
            action="extension_requested",
            actor=actor,
            at=now,
            note=reason,
            department=part.department,
            data={"days": int(days)},
        )
        return locked
    _require(actor, "hotline.dispatch", "您没有审批延期的权限")
    changes: dict[str, Any] = {}
    if approve:
        total = locked.extension_days + int(days)
        rule = limits.limits_for(locked.nature, locked.urgency)
        changes = {
            "extension_days": total,
            "due_at": limits.handle_due(locked.dispatched_at or now, rule.handle_days + total),
        }
    ticket_transition(
        ticket=locked,
        to=locked.status,
        action="extension_decided",
        actor=actor,
        at=now,
        note=reason,
        changes=changes,
        data={"days": int(days), "approved": approve},
    )
    return locked


# ——— the office: reminders, call-back, merging ———


@audited_atomic
def ticket_remind(
    *,
    ticket: HotlineTicket,
    actor: Any,
    supervise: bool = False,
    note: str = "",
    now: dt.datetime | None = None,
) -> HotlineTicket:
    """催办 (a reminder to the lead) or 督办 (supervision: the ticket is flagged for the supervisors)."""
    if actor is not None:
        _require(actor, "hotline.dispatch", "您没有催办督办的权限")
    now = now or timezone.now()
    locked = _locked(ticket)
    if locked.status not in (S.DISPATCHED, S.HANDLING, S.LONG_TERM):
        raise ConflictError("该工单当前不需要催办", code="ticket_state")
    changes: dict[str, Any] = {"reminders": locked.reminders + 1}
    if supervise:
        changes["supervised"] = True
    ticket_transition(
        ticket=locked,
        to=locked.status,
        action="supervise" if supervise else "remind",
        actor=actor,
        at=now,
        note=note,
        changes=changes,
        department=locked.lead,
    )
    return locked


@audited_atomic
def ticket_call_back(
    *, ticket: HotlineTicket, actor: Any, result: str, note: str = "", now: dt.datetime | None = None
) -> HotlineTicket:
    """回访: satisfied or basically satisfied closes the ticket; unsatisfied reopens it for the lead (重办) up
    to ``REOPEN_LIMIT`` times, then closes it as unsatisfied; not reached is recorded and the call-back stays
    due. The result is also the caller's rating of the service (好差评, through ``hooks``)."""
    _require(actor, "hotline.dispatch", "您没有回访的权限")
    now = now or timezone.now()
    locked = _locked(ticket)
    if result not in CallBackResult.values:
        raise ApplicationError("请选择回访结果", code="invalid", fields={"result": ["请选择回访结果"]})
    if locked.status != S.REPLIED:
        raise ConflictError("该工单尚未答复，不能回访", code="ticket_state")
    note = (note or "").strip()[:2000]
    if result == CallBackResult.UNREACHED:
        ticket_transition(
            ticket=locked,
            to=S.REPLIED,
            action="call_attempt",
            actor=actor,
            at=now,
            note=note,
            data={"result": result},
        )
        return locked
    reopen = result == CallBackResult.UNSATISFIED and locked.reopen_count < REOPEN_LIMIT
    if reopen:
        rule = limits.limits_for(locked.nature, locked.urgency)
        lead = locked.assignments.filter(role=AssignmentRole.LEAD, status=AssignmentStatus.REPLIED).last()
        if lead is not None:
            lead.status = AssignmentStatus.SIGNED
            step_update(lead, {"status"})
        ticket_transition(
            ticket=locked,
            to=S.HANDLING,
            action="reopen",
            actor=actor,
            at=now,
            note=note,
            department=locked.lead,
            changes={
                "callback_result": result,
                "reopen_count": locked.reopen_count + 1,
                "solved": None,
                "due_at": limits.handle_due(now, rule.handle_days),
            },
            data={"result": result},
        )
    else:
        ticket_transition(
            ticket=locked,
            to=S.CLOSED,
            action="close",
            actor=actor,
            at=now,
            note=note,
            changes={"callback_result": result, "closed_at": now},
            data={"result": result},
        )
    hooks.called_back(ticket=locked, result=result, actor=actor, at=now)
    return locked


@audited_atomic
def ticket_merge(
    *, ticket: HotlineTicket, into: HotlineTicket, actor: Any, now: dt.datetime | None = None
) -> HotlineTicket:
    """并单: a repeat of an open ticket is merged into it; the caller is answered with it."""
    if actor is not None:
        _require(actor, "hotline.dispatch", "您没有并单的权限")
    now = now or timezone.now()
    if ticket.pk == into.pk:
        raise ApplicationError("不能与自身并单", code="invalid")
    target = HotlineTicket.objects.select_for_update().get(pk=into.pk)
    if target.status not in (S.RECEIVED, S.DISPATCHED, S.HANDLING, S.LONG_TERM, S.RETURN_REVIEW):
        raise ConflictError(f"工单 {target.number} 已不在办理中，不能并入", code="ticket_state")
    locked = _locked(ticket)
    ticket_transition(
        ticket=locked,
        to=S.MERGED,
        action="merge",
        actor=actor,
        at=now,
        changes={"merged_into": target},
        note=f"并入 {target.number}",
        data={"into": target.number},
    )
    return locked


# ——— the sweep ———


def hotline_sweep(now: dt.datetime | None = None) -> dict[str, int]:
    """Remind the lead of tickets past their sign limit, and supervise those past their handling limit
    (once each)."""
    now = now or timezone.now()
    reminded = supervised = 0
    unsigned = HotlineTicket.objects.filter(status=S.DISPATCHED, sign_due_at__lt=now, reminders=0)
    for ticket in list(unsigned):
        _remind_system(ticket, now, supervise=False)
        reminded += 1
    overdue: QuerySet[HotlineTicket] = HotlineTicket.objects.filter(
        status__in=[S.DISPATCHED, S.HANDLING], due_at__lt=now, supervised=False
    )
    for ticket in list(overdue):
        _remind_system(ticket, now, supervise=True)
        supervised += 1
    return {"reminded": reminded, "supervised": supervised}


def _remind_system(ticket: HotlineTicket, now: dt.datetime, *, supervise: bool) -> None:
    due = ticket.due_at if supervise else ticket.sign_due_at
    ticket_remind(
        ticket=ticket,
        actor=None,
        supervise=supervise,
        note="系统自动" + ("督办" if supervise else "催办"),
        now=now,
    )
    if ticket.lead is None or due is None:
        return
    for user in ticket.lead.staff.filter(is_active=True).exclude(phone=""):
        if has_capability(user, "hotline.handle"):
            notify(
                channel="sms",
                to=user.phone,
                template=REMINDER_TEMPLATE,
                context={
                    "number": ticket.number,
                    "what": "办理" if supervise else "签收",
                    "due": f"{timezone.localtime(due):%m-%d %H:%M}",
                },
                related=ticket,
            )
