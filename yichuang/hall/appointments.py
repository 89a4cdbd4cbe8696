"""预约: appointment slots per category and day, booking, cancelling, check-in for a ticket, no-shows.

A category's ``SlotPlan``s say which time spans can be booked and by how many people: the working-day plan
on working days (including 调休 make-up days, and 延时服务 hours up to ``extended_closes_at``), the weekend
plan on weekends when the hall serves at weekends (不打烊); nothing on holidays or days the hall is closed.
A plan's span is clipped to the hall's hours of that day. Days offered run from today (slots not yet begun)
to ``hall.booking_days_ahead`` days ahead.

An ``AppointmentSlot`` row is created when a slot is first booked; a booking moves its ``booked`` on by one
with a conditional update (``booked < capacity``), so parallel bookings never pass the capacity. One person
holds one live booking per category and day. Someone who missed ``no_show_limit`` appointments within
``no_show_period_days`` may not book until ``booking_ban_days`` after the last one missed.

Checking in at the kiosk (booking code and ID number) or at a desk issues a ticket of source
``appointment`` carrying the slot's start, which the queue serves from that moment ahead of ordinary
numbers. The sweep marks appointments nobody checked in for as no-shows.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from yichuang.core.audit import audit_record, audited_atomic
from yichuang.core.calendar import CalendarYearNotCoveredError, day_info
from yichuang.core.crypto_fields import keyed_hash
from yichuang.core.errors import (
    ApplicationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
)
from yichuang.core.notifications import notify, register_template
from yichuang.core.permissions import has_capability
from yichuang.core.validators import normalize_id_number
from yichuang.hall import hours
from yichuang.hall.models import (
    Appointment,
    AppointmentSlot,
    AppointmentStatus,
    Hall,
    ServiceCategory,
    SlotPlan,
    Ticket,
    TicketSource,
)
from yichuang.hall.tickets import clean_holder, ticket_issue

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 8
LIVE_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)

BOOKED_TEMPLATE = "hall.appointment_booked"
register_template(
    BOOKED_TEMPLATE,
    "【{hall}】您已预约{day} {start}—{end}的{category}业务，预约码 {code}。"
    "请在时段开始前{early}分钟至开始后{late}分钟内，凭预约码和身份证到大厅自助机签到取号。",
    subject="预约成功：{code}",
)
CANCELLED_TEMPLATE = "hall.appointment_cancelled"
register_template(
    CANCELLED_TEMPLATE,
    "【{hall}】您{day} {start}的{category}预约（预约码 {code}）已取消。",
    subject="预约已取消：{code}",
)


# ---------------------------------------------------------------- slots


@dataclass(frozen=True)
class Slot:
    """One bookable slot of one day (whether or not anyone booked it yet)."""

    category_id: int
    day: dt.date
    starts_at: dt.time
    ends_at: dt.time
    capacity: int
    booked: int

    @property
    def remaining(self) -> int:
        return max(self.capacity - self.booked, 0)

    @property
    def start(self) -> dt.datetime:
        return hours.at_local(self.day, self.starts_at)

    @property
    def end(self) -> dt.datetime:
        return hours.at_local(self.day, self.ends_at)

    @property
    def key(self) -> str:
        return f"{self.starts_at:%H:%M}"

    @property
    def label(self) -> str:
        return f"{self.starts_at:%H:%M}—{self.ends_at:%H:%M}"


def _plan_days(day: dt.date) -> str | None:
    """Which plan serves ``day``: the working-day plan, the weekend plan, or none (holiday)."""
    try:
        info = day_info(day)
    except CalendarYearNotCoveredError:
        return None
    if info.is_working_day:
        return SlotPlan.Days.WORKING
    if info.kind == "weekend":
        return SlotPlan.Days.WEEKEND
    return None


def booking_horizon(hall: Hall, now: dt.datetime | None = None) -> tuple[dt.date, dt.date]:
    """(first, last) day that may be booked."""
    today = hours.local_day(now)
    return today, today + dt.timedelta(days=hall.booking_days_ahead)


def plan_slots(*, category: ServiceCategory, day: dt.date) -> list[Slot]:
    """Every slot of ``day`` by the category's plans and the hall's hours, begun or not."""
    hall = category.hall
    if not (category.is_active and category.bookable and hall.is_active):
        return []
    kind = _plan_days(day)
    if kind is None:
        return []
    try:
        served = hours.hours_on(hall, day)
    except CalendarYearNotCoveredError:
        return []
    if served is None:
        return []
    opens, closes = served
    booked = {row.starts_at: row.booked for row in AppointmentSlot.objects.filter(category=category, day=day)}
    out: list[Slot] = []
    for plan in SlotPlan.objects.filter(category=category, days=kind, is_active=True).order_by("starts_at"):
        starts, ends = max(plan.starts_at, opens), min(plan.ends_at, closes)
        if starts >= ends:
            continue
        out.append(
            Slot(
                category_id=category.pk,
                day=day,
                starts_at=starts,
                ends_at=ends,
                capacity=plan.capacity,
                booked=booked.get(starts, 0),
            )
        )
    return out


def slots_for(*, category: ServiceCategory, day: dt.date, now: dt.datetime | None = None) -> list[Slot]:
    """The slots of ``day`` that may still be booked (full ones included, with 0 remaining): none outside
    the booking horizon, and today only those not yet begun."""
    now = now or timezone.now()
    first, last = booking_horizon(category.hall, now)
    if not first <= day <= last:
        return []
    return [slot for slot in plan_slots(category=category, day=day) if slot.start > now]


def bookable_days(*, category: ServiceCategory, now: dt.datetime | None = None) -> list[dt.date]:
    """The days within the horizon that have any slot not yet begun."""
    now = now or timezone.now()
    first, last = booking_horizon(category.hall, now)
    days, day = [], first
    while day <= last:
        if slots_for(category=category, day=day, now=now):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


# ---------------------------------------------------------------- selectors


def appointments_of(user: Any) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(user=user)
        .select_related("category", "hall", "slot")
        .order_by("-day", "-slot__starts_at", "-id")
    )


def appointment_get_for(*, actor: Any, code: str) -> Appointment:
    """The booking ``code`` as its booker (or desk staff) may see it; 404 otherwise."""
    code = normalize_code(code)
    appointment = (
        Appointment.objects.select_related("category", "hall", "slot").filter(code=code).first()
        if code
        else None
    )
    if appointment is None:
        raise NotFoundError("未找到该预约")
    own = appointment.user_id is not None and appointment.user_id == getattr(actor, "pk", None)
    if not own and not has_capability(actor, "hall.issue"):
        raise NotFoundError("未找到该预约")
    return appointment


def normalize_code(code: str) -> str:
    return "".join((code or "").split()).upper()[:12]


def booking_ban_until(*, hall: Hall, id_number: str, now: dt.datetime | None = None) -> dt.date | None:
    """The first day the person may book again, or None when he may book now."""
    if not id_number or not hall.no_show_limit:
        return None
    today = hours.local_day(now)
    since = today - dt.timedelta(days=hall.no_show_period_days)
    missed = list(
        Appointment.objects.filter(
            hall=hall, id_number_hash=keyed_hash(id_number), status=AppointmentStatus.NO_SHOW, day__gte=since
        )
        .order_by("-day")
        .values_list("day", flat=True)
    )
    if len(missed) < hall.no_show_limit:
        return None
    until = missed[0] + dt.timedelta(days=hall.booking_ban_days)
    return until if today < until else None


def slot_start(appointment: Appointment) -> dt.datetime:
    return hours.at_local(appointment.slot.day, appointment.slot.starts_at)


def checkin_window(appointment: Appointment) -> tuple[dt.datetime, dt.datetime]:
    hall, start = appointment.hall, slot_start(appointment)
    return (
        start - dt.timedelta(minutes=hall.checkin_early_minutes),
        start + dt.timedelta(minutes=hall.checkin_late_minutes),
    )


# ---------------------------------------------------------------- booking


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not Appointment.objects.filter(code=code).exists():
            return code


def _repeat(idempotency_key: str | None, actor: Any) -> Appointment | None:
    if not idempotency_key:
        return None
    existing = Appointment.objects.filter(idempotency_key=idempotency_key).first()
    if existing is None:
        return None
    if existing.user_id != getattr(actor, "pk", None) and not has_capability(actor, "hall.issue"):
        raise ConflictError("该幂等键已用于另一份预约", code="idempotency_key_reused")
    return existing


def _parse_time(value: dt.time | str) -> dt.time | None:
    if isinstance(value, dt.time):
        return value
    try:
        return dt.time.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _clean_booker(*, actor: Any, holder_name: str, id_number: str, phone: str) -> tuple[bool, str, str, str]:
    """(self-booking, id_number, phone, holder_name), or raise."""
    if has_capability(actor, "hall.book"):
        by_self = True
    elif has_capability(actor, "hall.issue"):
        by_self = False
    else:
        raise PermissionDeniedError("请以申请人身份登录后预约", extra={"needs": "hall.book"})
    fields: dict[str, list[str]] = {}
    for name, value, message in (
        ("holder_name", holder_name, "请填写姓名"),
        ("id_number", id_number, "请填写身份证号"),
        ("phone", phone, "请填写手机号码"),
    ):
        if not (value or "").strip():
            fields[name] = [message]
    if fields:
        raise ApplicationError(next(iter(fields.values()))[0], code="invalid", fields=fields)
    id_number, phone, holder_name = clean_holder(id_number=id_number, phone=phone, holder_name=holder_name)
    if by_self:
        applicant = getattr(actor, "applicant", None)
        own = getattr(applicant, "id_number", "") if applicant is not None else ""
        if own and own != id_number:
            raise ApplicationError(
                "网上预约只能为本人预约：身份证号应与账号登记的一致",
                code="not_self",
                fields={"id_number": ["应为本人身份证号"]},
            )
    return by_self, id_number, phone, holder_name


def appointment_book(
    *,
    category: ServiceCategory,
    day: dt.date,
    starts_at: dt.time | str,
    actor: Any,
    holder_name: str,
    id_number: str,
    phone: str,
    idempotency_key: str | None = None,
    now: dt.datetime | None = None,
) -> Appointment:
    """Book one place in a slot: the applicant for himself (hall.book) or a clerk for a caller (hall.issue).
    A repeat with the same idempotency key returns the first booking."""
    now = now or timezone.now()
    repeat = _repeat(idempotency_key, actor)
    if repeat is not None:
        return repeat
    by_self, id_number, phone, holder_name = _clean_booker(
        actor=actor, holder_name=holder_name, id_number=id_number, phone=phone
    )
    hall = category.hall
    if not (category.bookable and category.is_active and hall.is_active):
        raise ApplicationError(
            f"{category.name}暂不提供预约", code="not_bookable", fields={"category": ["该业务暂不提供预约"]}
        )
    start = _parse_time(starts_at)
    first, last = booking_horizon(hall, now)
    if not first <= day <= last:
        raise ApplicationError(
            f"只能预约{first:%m月%d日}至{last:%m月%d日}的时段",
            code="day_out_of_range",
            fields={"day": [f"请选择{first:%m月%d日}至{last:%m月%d日}之间的日期"]},
        )
    slot = next((s for s in slots_for(category=category, day=day, now=now) if s.starts_at == start), None)
    if slot is None:
        raise ApplicationError(
            "该时段不可预约（不在预约安排内或已开始），请重新选择",
            code="no_such_slot",
            fields={"starts_at": ["请选择可预约的时段"]},
        )
    until = booking_ban_until(hall=hall, id_number=id_number, now=now)
    if until is not None:
        raise ApplicationError(
            f"您近{hall.no_show_period_days}天内爽约已达{hall.no_show_limit}次，"
            f"{until:%Y年%m月%d日}前暂停预约；如需办理，请到大厅现场取号",
            code="booking_banned",
            extra={"until": until.isoformat()},
        )
    held = Appointment.objects.filter(
        id_number_hash=keyed_hash(id_number), category=category, day=day, status__in=LIVE_STATUSES
    ).first()
    if held is not None:
        raise _held_error(category, day)
    try:
        appointment = _book(
            category=category,
            slot=slot,
            user=actor if by_self else None,
            actor=actor,
            holder_name=holder_name,
            id_number=id_number,
            phone=phone,
            idempotency_key=idempotency_key,
            now=now,
        )
    except IntegrityError:
        repeat = _repeat(idempotency_key, actor)
        if repeat is not None:
            return repeat
        raise _held_error(category, day) from None
    return appointment


def _held_error(category: ServiceCategory, day: dt.date) -> ConflictError:
    return ConflictError(
        f"您已预约{day:%m月%d日}的{category.name}，同一业务每天只能预约一次",
        code="appointment_held",
        fields={"day": ["当天已有预约"]},
    )


@audited_atomic
def _book(
    *,
    category: ServiceCategory,
    slot: Slot,
    user: Any,
    actor: Any,
    holder_name: str,
    id_number: str,
    phone: str,
    idempotency_key: str | None,
    now: dt.datetime,
) -> Appointment:
    row, _created = AppointmentSlot.objects.get_or_create(
        category=category,
        day=slot.day,
        starts_at=slot.starts_at,
        defaults={"ends_at": slot.ends_at, "capacity": slot.capacity},
    )
    if row.capacity != slot.capacity or row.ends_at != slot.ends_at:
        # The admin changed the plan: follow it, never below the places already taken.
        AppointmentSlot.objects.filter(pk=row.pk).update(
            capacity=Greatest(F("booked"), Value(slot.capacity)), ends_at=slot.ends_at
        )
    # The place: taken only while one is left (the row lock makes parallel bookings queue here).
    taken = AppointmentSlot.objects.filter(pk=row.pk, booked__lt=F("capacity")).update(booked=F("booked") + 1)
    if not taken:
        raise ConflictError(
            f"{slot.day:%m月%d日} {slot.label} 已约满，请选择其他时段",
            code="slot_full",
            fields={"starts_at": ["该时段已约满"]},
        )
    row.refresh_from_db()
    hall = category.hall
    appointment = Appointment.objects.create(
        hall=hall,
        category=category,
        slot=row,
        day=slot.day,
        code=_new_code(),
        user=user,
        holder_name=holder_name,
        id_number=id_number,
        phone=phone,
        status=AppointmentStatus.BOOKED,
        booked_at=now,
        idempotency_key=idempotency_key or None,
    )
    audit_record(
        actor=actor,
        action="hall.appointment_booked",
        obj=appointment,
        data={
            "code": appointment.code,
            "category": category.code,
            "day": slot.day.isoformat(),
            "starts_at": slot.key,
            "id_number": id_number,
            "by": "self" if user is not None else "desk",
        },
    )
    notify(
        channel="sms",
        to=phone,
        template=BOOKED_TEMPLATE,
        context={
            "hall": hall.name,
            "day": f"{slot.day:%m月%d日}",
            "start": f"{slot.starts_at:%H:%M}",
            "end": f"{slot.ends_at:%H:%M}",
            "category": category.name,
            "code": appointment.code,
            "early": hall.checkin_early_minutes,
            "late": hall.checkin_late_minutes,
        },
        related=appointment,
    )
    return appointment


# ---------------------------------------------------------------- cancelling


@audited_atomic
def appointment_cancel(
    *, appointment: Appointment, actor: Any, now: dt.datetime | None = None
) -> Appointment:
    """The booker, or desk staff, cancels a booking before its slot starts; the place is free again."""
    now = now or timezone.now()
    locked = (
        Appointment.objects.select_related("slot", "hall", "category")
        .select_for_update(of=("self",))
        .get(pk=appointment.pk)
    )
    own = locked.user_id is not None and locked.user_id == getattr(actor, "pk", None)
    if not own and not has_capability(actor, "hall.issue"):
        raise PermissionDeniedError("只能取消本人的预约")
    if locked.status != AppointmentStatus.BOOKED:
        raise ConflictError(f"该预约{locked.get_status_display()}，不能取消", code="appointment_state")
    if slot_start(locked) <= now:
        raise ConflictError("预约时段已开始，不能再取消", code="slot_begun")
    locked.status = AppointmentStatus.CANCELLED
    locked.changed_at = now
    locked.save(update_fields=["status", "changed_at"])
    AppointmentSlot.objects.filter(pk=locked.slot_id, booked__gt=0).update(booked=F("booked") - 1)
    audit_record(
        actor=actor,
        action="hall.appointment_cancelled",
        obj=locked,
        data={"code": locked.code, "by": "self" if own else "desk"},
    )
    notify(
        channel="sms",
        to=locked.phone,
        template=CANCELLED_TEMPLATE,
        context={
            "hall": locked.hall.name,
            "day": f"{locked.day:%m月%d日}",
            "start": f"{locked.slot.starts_at:%H:%M}",
            "category": locked.category.name,
            "code": locked.code,
        },
        related=locked,
    )
    return locked


# ---------------------------------------------------------------- check-in


def appointment_check_in(
    *,
    id_number: str,
    code: str = "",
    appointment: Appointment | None = None,
    now: dt.datetime | None = None,
    actor: Any = None,
) -> Ticket:
    """Check in for the appointment (kiosk: booking code and ID number; desk: a clerk) and get its ticket,
    served from the slot's start ahead of ordinary numbers. Checking in again returns the same ticket."""
    now = now or timezone.now()
    wrong = ApplicationError(
        "预约码或身份证号不正确，请核对后重试",
        code="checkin_mismatch",
        fields={"id_number": ["与预约信息不一致"]},
    )
    if appointment is None:
        code = normalize_code(code)
        appointment = Appointment.objects.select_related("slot", "hall", "category").filter(code=code).first()
        if appointment is None or not code:
            raise ApplicationError(
                "预约码或身份证号不正确，请核对后重试",
                code="checkin_mismatch",
                fields={"code": ["未找到该预约"]},
            )
    if normalize_id_number(id_number or "") != appointment.id_number:
        raise wrong
    if appointment.status == AppointmentStatus.CHECKED_IN:
        return Ticket.objects.get(appointment=appointment)
    if appointment.status == AppointmentStatus.CANCELLED:
        raise ConflictError("该预约已取消，请到自助机取普通号", code="appointment_state")
    opens, closes = checkin_window(appointment)
    if appointment.status == AppointmentStatus.NO_SHOW or now > closes:
        raise ConflictError(
            f"已超过预约签到时间（{timezone.localtime(closes):%H:%M}前），预约已失效，请取普通号排队办理",
            code="checkin_too_late",
        )
    if now < opens:
        local = timezone.localtime(opens)
        when = f"{local:%H:%M}" if local.date() == hours.local_day(now) else f"{local:%m月%d日 %H:%M}"
        raise ApplicationError(
            f"还未到签到时间，请于{when}后签到（预约时段 {appointment.slot.starts_at:%H:%M} 开始）",
            code="checkin_too_early",
        )
    hall = appointment.hall
    if not hours.is_open(hall, now):
        raise ApplicationError(
            f"{hall.name}尚未开始服务（今日 {hours.hours_label(hall, hours.local_day(now))}），请开门后签到",
            code="hall_closed",
        )
    return _check_in(appointment=appointment, actor=actor, now=now)


@audited_atomic
def _check_in(*, appointment: Appointment, actor: Any, now: dt.datetime) -> Ticket:
    locked = (
        Appointment.objects.select_related("slot", "hall", "category", "user")
        .select_for_update(of=("self",))
        .get(pk=appointment.pk)
    )
    if locked.status == AppointmentStatus.CHECKED_IN:  # a second kiosk a moment ago
        return Ticket.objects.get(appointment=locked)
    if locked.status != AppointmentStatus.BOOKED:
        raise ConflictError(f"该预约{locked.get_status_display()}，不能签到", code="appointment_state")
    ticket = ticket_issue(
        hall=locked.hall,
        category=locked.category,
        source=TicketSource.APPOINTMENT,
        actor=actor,
        holder_name=locked.holder_name,
        id_number=locked.id_number,
        phone=locked.phone,
        appointment=locked,
        idempotency_key=f"appointment:{locked.pk}",
        now=now,
    )
    locked.status = AppointmentStatus.CHECKED_IN
    locked.changed_at = now
    locked.save(update_fields=["status", "changed_at"])
    audit_record(
        actor=actor,
        action="hall.appointment_checked_in",
        obj=locked,
        data={"code": locked.code, "ticket": ticket.number},
    )
    return ticket


# ---------------------------------------------------------------- no-shows


@audited_atomic
def appointments_mark_no_show(*, now: dt.datetime | None = None) -> int:
    """Booked appointments whose slot ended more than the hall's check-in grace ago become no-shows
    (idempotent: run it from the sweep as often as you like)."""
    now = now or timezone.now()
    today = hours.local_day(now)
    candidates = (
        Appointment.objects.filter(status=AppointmentStatus.BOOKED, day__lte=today)
        .select_related("slot", "hall")
        .order_by("pk")
    )
    lapsed: list[Appointment] = []
    for appointment in candidates.iterator(chunk_size=500):
        ends = hours.at_local(appointment.slot.day, appointment.slot.ends_at)
        if ends + dt.timedelta(minutes=appointment.hall.checkin_late_minutes) < now:
            lapsed.append(appointment)
    marked = 0
    for start in range(0, len(lapsed), 500):
        batch = lapsed[start : start + 500]
        pks = [a.pk for a in batch]
        marked_pks = set(
            Appointment.objects.select_for_update()
            .filter(pk__in=pks, status=AppointmentStatus.BOOKED)
            .values_list("pk", flat=True)
        )
        if not marked_pks:
            continue
        Appointment.objects.filter(pk__in=marked_pks, status=AppointmentStatus.BOOKED).update(
            status=AppointmentStatus.NO_SHOW, changed_at=now
        )
        for appointment in batch:
            if appointment.pk in marked_pks:
                audit_record(
                    actor=None,
                    action="hall.appointment_no_show",
                    obj=appointment,
                    data={"code": appointment.code, "id_number": appointment.id_number},
                )
        marked += len(marked_pks)
    return marked
