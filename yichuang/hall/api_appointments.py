"""API of 预约 (mounted at ``/api/v1/hall``): the slots of a category (public), booking (the applicant for
himself, a clerk for a caller), my appointments, cancelling, and the kiosk's check-in (no login: the
booking code and the matching ID number)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Header, Query, Router, Schema, Status
from pydantic import Field

from yichuang.core.errors import NotFoundError
from yichuang.core.http import idempotency_key_from
from yichuang.core.masking import mask_id_number, mask_name, mask_phone
from yichuang.core.permissions import require_capability
from yichuang.hall import appointments, tickets
from yichuang.hall.models import Appointment, ServiceCategory, Ticket

router = Router(tags=["大厅预约"])


class SlotOut(Schema):
    day: dt.date
    starts_at: str = Field(description="HH:MM")
    ends_at: str
    capacity: int
    booked: int
    remaining: int


class SlotsQuery(Schema):
    category_id: int
    day: dt.date | None = Field(None, description="不填则返回可预约期内各天的时段")


class BookIn(Schema):
    category_id: int
    day: dt.date
    starts_at: str = Field(description="时段开始时间 HH:MM")
    holder_name: str = ""
    id_number: str = ""
    phone: str = ""
    idempotency_key: str | None = None


class AppointmentOut(Schema):
    code: str
    hall: str
    category_id: int
    category: str
    day: dt.date
    starts_at: str
    ends_at: str
    status: str
    status_label: str
    holder_name: str
    id_number: str = Field(description="脱敏")
    phone: str = Field(description="脱敏")
    booked_at: dt.datetime
    ticket_number: str | None = None


class CheckInIn(Schema):
    id_number: str


class AppointmentTicketOut(Schema):
    id: int
    number: str
    category: str
    source: str
    slot_at: dt.datetime | None
    ahead: int
    wait_minutes: int
    appointment_code: str


def _category(pk: int) -> ServiceCategory:
    category = ServiceCategory.objects.select_related("hall").filter(pk=pk, is_active=True).first()
    if category is None:
        raise NotFoundError("未找到该业务类别")
    return category


def _slot_out(slot: appointments.Slot) -> dict[str, Any]:
    return {
        "day": slot.day,
        "starts_at": f"{slot.starts_at:%H:%M}",
        "ends_at": f"{slot.ends_at:%H:%M}",
        "capacity": slot.capacity,
        "booked": slot.booked,
        "remaining": slot.remaining,
    }


def appointment_out(appointment: Appointment) -> dict[str, Any]:
    ticket = Ticket.objects.filter(appointment=appointment).values_list("number", flat=True).first()
    return {
        "code": appointment.code,
        "hall": appointment.hall.name,
        "category_id": appointment.category_id,
        "category": appointment.category.name,
        "day": appointment.day,
        "starts_at": f"{appointment.slot.starts_at:%H:%M}",
        "ends_at": f"{appointment.slot.ends_at:%H:%M}",
        "status": appointment.status,
        "status_label": appointment.get_status_display(),
        "holder_name": mask_name(appointment.holder_name),
        "id_number": mask_id_number(appointment.id_number),
        "phone": mask_phone(appointment.phone),
        "booked_at": appointment.booked_at,
        "ticket_number": ticket,
    }


@router.get("/appointments/slots", response=list[SlotOut], summary="可预约时段（含余量）", auth=None)
def slot_list(request: HttpRequest, query: Query[SlotsQuery]) -> list[dict[str, Any]]:
    """不含已开始的时段；节假日、大厅不开放的日子没有时段。"""
    category = _category(query.category_id)
    days = [query.day] if query.day is not None else appointments.bookable_days(category=category)
    return [_slot_out(slot) for day in days for slot in appointments.slots_for(category=category, day=day)]


@router.post(
    "/appointments",
    response={200: AppointmentOut, 201: AppointmentOut},
    summary="预约（申请人为本人预约；窗口人员为来访群众预约）",
)
def appointment_book(
    request: HttpRequest,
    payload: BookIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status:
    """同一幂等键重复提交返回原预约（200）。约满 409 slot_full；同日同业务已有预约 409 appointment_held；
    多次爽约暂停预约 400 booking_banned。"""
    key = idempotency_key_from(idempotency_key, payload.idempotency_key)
    category = _category(payload.category_id)
    existed = bool(key) and Appointment.objects.filter(idempotency_key=key).exists()
    appointment = appointments.appointment_book(
        category=category,
        day=payload.day,
        starts_at=payload.starts_at,
        actor=request.user,
        holder_name=payload.holder_name,
        id_number=payload.id_number,
        phone=payload.phone,
        idempotency_key=key,
    )
    return Status(200 if existed else 201, appointment_out(appointment))


@router.get("/appointments", response=list[AppointmentOut], summary="我的预约")
def appointment_list(request: HttpRequest) -> list[dict[str, Any]]:
    require_capability(request.user, "hall.book", "请以申请人身份登录后查看预约")
    return [appointment_out(a) for a in appointments.appointments_of(request.user)[:100]]


@router.post("/appointments/{code}/cancel", response=AppointmentOut, summary="取消预约")
def appointment_cancel(request: HttpRequest, code: str) -> dict[str, Any]:
    appointment = appointments.appointment_get_for(actor=request.user, code=code)
    cancelled = appointments.appointment_cancel(appointment=appointment, actor=request.user)
    return appointment_out(cancelled)


@router.post(
    "/appointments/{code}/check-in",
    response=AppointmentTicketOut,
    summary="预约签到取号（自助机，无需登录）",
    auth=None,
)
def appointment_check_in(request: HttpRequest, code: str, payload: CheckInIn) -> dict[str, Any]:
    """凭预约码和预约人身份证号签到；重复签到返回同一号码。太早 400 checkin_too_early，
    太迟 409 checkin_too_late（请取普通号）。"""
    user = request.user if getattr(request.user, "is_authenticated", False) else None
    ticket = appointments.appointment_check_in(code=code, id_number=payload.id_number, actor=user)
    info = tickets.ticket_info(ticket)
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "category": ticket.category.name,
        "source": ticket.source,
        "slot_at": ticket.slot_at,
        "ahead": info.ahead,
        "wait_minutes": info.wait_minutes,
        "appointment_code": appointments.normalize_code(code),
    }
