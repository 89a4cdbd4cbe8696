"""取号: a place in a category's queue, from the kiosk, the portal, a clerk or an appointment check-in.

Numbers are the category's prefix and a daily sequence (A001 …) from a counter row moved on by one upsert,
so concurrent kiosks never get the same number. A person holds one open ticket per category and day; a
repeated submit with the same idempotency key returns the first ticket. People of 65 and over (from the ID
number), the disabled, pregnant women, servicemen and key-project staff take the priority lane.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from stdnum.cn import ric

from yichuang.core.audit import audit_record, audited_atomic, step_record
from yichuang.core.crypto_fields import keyed_hash
from yichuang.core.errors import ApplicationError, ConflictError
from yichuang.core.notifications import notify, register_template
from yichuang.core.permissions import has_capability
from yichuang.core.sequences import counter_next
from yichuang.core.validators import normalize_id_number, validate_id_number
from yichuang.hall import hours, queue
from yichuang.hall.models import (
    OPEN_TICKET_STATUSES,
    Appointment,
    Hall,
    PriorityReason,
    ServiceCategory,
    Ticket,
    TicketEvent,
    TicketSequence,
    TicketSource,
    TicketStatus,
)
from yichuang.hall.workflow import ticket_transition

ELDERLY_AGE = 65
_MOBILE = re.compile(r"^1[3-9]\d{9}$")

NEAR_TEMPLATE = "hall.ticket_near"
register_template(
    NEAR_TEMPLATE,
    "【{hall}】您取的{category}号 {number} 前面还有{ahead}人，请回到大厅留意叫号。",
    subject="叫号提醒：{number}",
)


@dataclass(frozen=True)
class TicketInfo:
    """What a printed ticket and the kiosk screen show."""

    ticket: Ticket
    ahead: int
    wait_minutes: int


def age_on(id_number: str, day: dt.date) -> int | None:
    try:
        born = ric.get_birth_date(id_number)
    except Exception:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def clean_holder(*, id_number: str, phone: str, holder_name: str) -> tuple[str, str, str]:
    fields: dict[str, list[str]] = {}
    id_number = normalize_id_number(id_number) if id_number else ""
    if id_number:
        try:
            validate_id_number(id_number)
        except ValidationError as error:
            fields["id_number"] = list(error.messages)
    phone = (phone or "").strip().replace(" ", "")
    if phone and not _MOBILE.match(phone):
        fields["phone"] = ["请输入11位手机号码"]
    holder_name = (holder_name or "").strip()[:60]
    if fields:
        raise ApplicationError(next(iter(fields.values()))[0], code="invalid", fields=fields)
    return id_number, phone, holder_name


def _priority(priority: str, id_number: str, day: dt.date) -> str:
    if priority and priority not in PriorityReason.values:
        raise ApplicationError(
            "绿色通道类别不正确", code="invalid", fields={"priority": ["绿色通道类别不正确"]}
        )
    if not priority and id_number:
        age = age_on(id_number, day)
        if age is not None and age >= ELDERLY_AGE:
            return PriorityReason.ELDERLY
    return priority


def ticket_issue(
    *,
    hall: Hall,
    category: ServiceCategory,
    source: str,
    actor: Any = None,
    holder_name: str = "",
    id_number: str = "",
    phone: str = "",
    priority: str = "",
    appointment: Appointment | None = None,
    idempotency_key: str | None = None,
    now: dt.datetime | None = None,
) -> Ticket:
    """Take a number. ``actor`` is the clerk or the portal user (None at the kiosk)."""
    now = now or timezone.now()
    if idempotency_key:
        existing = Ticket.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    _check_may_issue(hall=hall, category=category, source=source, actor=actor, now=now)
    id_number, phone, holder_name = clean_holder(id_number=id_number, phone=phone, holder_name=holder_name)
    day = hours.local_day(now)
    priority = _priority(priority, id_number, day)
    try:
        ticket = _issue(
            hall=hall,
            category=category,
            source=source,
            actor=actor,
            holder_name=holder_name,
            id_number=id_number,
            phone=phone,
            priority=priority,
            appointment=appointment,
            idempotency_key=idempotency_key,
            now=now,
            day=day,
        )
    except IntegrityError:
        if idempotency_key:
            existing = Ticket.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing
        raise
    transaction.on_commit(lambda: after_issue(ticket, now))
    return ticket


def _check_may_issue(
    *, hall: Hall, category: ServiceCategory, source: str, actor: Any, now: dt.datetime
) -> None:
    if source not in TicketSource.values:
        raise ApplicationError("取号渠道不正确", code="invalid")
    if category.hall_id != hall.pk or not category.is_active or not hall.is_active:
        raise ApplicationError(
            "该业务类别不在本大厅办理", code="invalid", fields={"category": ["请选择本大厅的业务类别"]}
        )
    if source == TicketSource.DESK and not has_capability(actor, "hall.issue"):
        raise ApplicationError("您没有为来访群众取号的权限", code="permission_denied")
    if source == TicketSource.PORTAL and not has_capability(actor, "hall.book"):
        raise ApplicationError("请先以申请人身份登录后再网上取号", code="permission_denied")
    if not hours.is_open(hall, now):
        raise ApplicationError(
            f"{hall.name}当前不在服务时间（今日 {hours.hours_label(hall, hours.local_day(now))}），"
            "请在服务时间内取号或网上预约",
            code="hall_closed",
        )


@audited_atomic
def _issue(
    *,
    hall: Hall,
    category: ServiceCategory,
    source: str,
    actor: Any,
    holder_name: str,
    id_number: str,
    phone: str,
    priority: str,
    appointment: Appointment | None,
    idempotency_key: str | None,
    now: dt.datetime,
    day: dt.date,
) -> Ticket:
    holder = (
        {"id_number_hash": keyed_hash(id_number)}
        if id_number
        else ({"user": actor} if source == TicketSource.PORTAL else None)
    )
    if holder is not None:
        held = Ticket.objects.filter(
            category=category, day=day, status__in=OPEN_TICKET_STATUSES, **holder
        ).first()
        if held is not None:
            raise ConflictError(
                f"您已取得{category.name}的号码 {held.number}，请勿重复取号",
                code="ticket_held",
                extra={"number": held.number},
            )
    ticket = Ticket(
        hall=hall,
        category=category,
        day=day,
        source=source,
        priority=priority,
        holder_name=holder_name,
        id_number=id_number,
        phone=phone,
        user=actor if source == TicketSource.PORTAL else (appointment.user if appointment else None),
        appointment=appointment,
        slot_at=hours.at_local(appointment.slot.day, appointment.slot.starts_at) if appointment else None,
        queue_at=now,
        issued_at=now,
        idempotency_key=idempotency_key or None,
    )
    # Counted before the number is drawn: the counter row stays locked until commit, so the less the
    # transaction does after drawing, the less concurrent kiosks of the category wait for each other.
    ahead = queue.people_ahead(ticket, now)
    wait_minutes = queue.predicted_wait_minutes(category, ahead, now=now)
    seq = counter_next(model=TicketSequence, key_field="key", key=f"{hall.pk}:{category.prefix}", day=day)
    if category.daily_limit is not None and seq > category.daily_limit and source != TicketSource.APPOINTMENT:
        raise ApplicationError(f"{category.name}今日号源已发完，请网上预约其他日期", code="sold_out")
    ticket.seq, ticket.number = seq, f"{category.prefix}{seq:03d}"
    # Already this close to the counter: the holder is in the hall, no message needed.
    ticket.notified_ahead = ahead <= hall.notify_ahead
    ticket.save(force_insert=True)
    ticket.ahead_at_issue, ticket.wait_at_issue = ahead, wait_minutes
    step_record(
        TicketEvent(ticket=ticket, kind=TicketEvent.Kind.ISSUED, at=now, note=ticket.get_source_display())
    )
    audit_record(
        actor=actor,
        action="hall.ticket_issued",
        obj=ticket,
        data={"number": ticket.number, "category": category.code, "source": source, "priority": priority},
    )
    return ticket


def ticket_info(ticket: Ticket, now: dt.datetime | None = None) -> TicketInfo:
    """People ahead and the expected wait, now."""
    ahead = queue.people_ahead(ticket, now)
    return TicketInfo(
        ticket=ticket, ahead=ahead, wait_minutes=queue.predicted_wait_minutes(ticket.category, ahead, now=now)
    )


def issued_info(ticket: Ticket) -> TicketInfo:
    """What the kiosk answers right after :func:`ticket_issue`: the figures taken when the number was drawn
    (counted again only for a repeated submit, which returns the first ticket)."""
    if ticket.ahead_at_issue is not None and ticket.wait_at_issue is not None:
        return TicketInfo(ticket=ticket, ahead=ticket.ahead_at_issue, wait_minutes=ticket.wait_at_issue)
    return ticket_info(ticket)


@audited_atomic
def ticket_cancel(*, ticket: Ticket, actor: Any, now: dt.datetime | None = None) -> Ticket:
    """The holder gives up a waiting ticket (portal), or a clerk cancels it for him."""
    now = now or timezone.now()
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    owner = locked.user_id is not None and locked.user_id == getattr(actor, "pk", None)
    if not owner and not has_capability(actor, "hall.issue"):
        raise ApplicationError("只能取消本人的号码", code="permission_denied")
    ticket_transition(
        ticket=locked, to=TicketStatus.CANCELLED, event=TicketEvent.Kind.CANCELLED, actor=actor, at=now
    )
    transaction.on_commit(lambda: after_queue_change(locked.hall_id, now))
    return locked


def notify_near(category: ServiceCategory, now: dt.datetime) -> int:
    """Text the holders who now have ``notify_ahead`` or fewer people before them (once each)."""
    hall = category.hall
    waiting = list(queue.category_queue(category, now)[: hall.notify_ahead + 1])
    sent = 0
    for ahead, ticket in enumerate(waiting):
        if ticket.notified_ahead or not ticket.phone:
            continue
        notify(
            channel="sms",
            to=ticket.phone,
            template=NEAR_TEMPLATE,
            context={"hall": hall.name, "category": category.name, "number": ticket.number, "ahead": ahead},
            related=ticket,
        )
        Ticket.objects.filter(pk=ticket.pk).update(notified_ahead=True)
        sent += 1
    return sent


def after_issue(ticket: Ticket, now: dt.datetime) -> None:
    """A new number can only lengthen its own category's queue: that category's tidal rule, if any, is
    looked at, and only when the queue has reached an opening threshold (closing follows the calls)."""
    from yichuang.hall.tidal import tidal_after_issue

    tidal_after_issue(ticket, now)


def after_queue_change(hall_id: int, now: dt.datetime) -> None:
    # Imported here: tidal imports the queue selectors and the windows' transitions.
    from yichuang.hall.tidal import tidal_evaluate

    tidal_evaluate(hall_id=hall_id, now=now)
