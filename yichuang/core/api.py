"""API of the core app: the working-day calendar, the audit chain check and the notification record."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from yichuang.core import calendar, services
from yichuang.core import notifications as notification_selectors
from yichuang.core.audit import audit_verify_chain
from yichuang.core.masking import mask_text
from yichuang.core.permissions import require_capability

router = Router(tags=["工作日历与审计"])


class DayOut(Schema):
    date: dt.date
    is_working_day: bool
    kind: str
    label: str


class YearOut(Schema):
    year: int
    national_data: bool
    working_days: int
    days: list[DayOut]


class AddWorkingDaysOut(Schema):
    start: dt.date
    days: int
    result: dt.date


class BetweenOut(Schema):
    start: dt.date
    end: dt.date
    working_days: int


class OverrideIn(Schema):
    is_working_day: bool
    note: str


class YearEnterIn(Schema):
    note: str


class ChainOut(Schema):
    ok: bool
    checked: int
    first_break_seq: int | None = None
    message: str


@router.get("/calendar/add-working-days", response=AddWorkingDaysOut)
def calendar_add_working_days(request: HttpRequest, start: dt.date, days: int) -> dict:
    require_capability(request.user, "calendar.view")
    return {"start": start, "days": days, "result": calendar.add_working_days(start, days)}


@router.get("/calendar/working-days-between", response=BetweenOut)
def calendar_working_days_between(request: HttpRequest, start: dt.date, end: dt.date) -> dict:
    require_capability(request.user, "calendar.view")
    return {"start": start, "end": end, "working_days": calendar.working_days_between(start, end)}


@router.get("/calendar/{year}", response=YearOut)
def calendar_year(request: HttpRequest, year: int) -> dict:
    require_capability(request.user, "calendar.view")
    days = calendar.year_days(year)
    return {
        "year": year,
        "national_data": calendar.year_has_national_data(year),
        "working_days": sum(1 for day in days if day.is_working_day),
        "days": days,
    }


@router.put("/calendar/overrides/{date}", response=DayOut)
def calendar_override_set(request: HttpRequest, date: dt.date, payload: OverrideIn) -> calendar.DayInfo:
    services.calendar_day_set(
        actor=request.user, date=date, is_working_day=payload.is_working_day, note=payload.note
    )
    return calendar.day_info(date)


@router.delete("/calendar/overrides/{date}", response={204: None})
def calendar_override_clear(request: HttpRequest, date: dt.date) -> Status:
    services.calendar_day_clear(actor=request.user, date=date)
    return Status(204, None)


@router.post("/calendar/years/{year}", response={201: YearOut})
def calendar_year_enter(request: HttpRequest, year: int, payload: YearEnterIn) -> Status:
    services.calendar_year_enter(actor=request.user, year=year, note=payload.note)
    return Status(201, calendar_year(request, year))


@router.get("/audit/verify", response=ChainOut)
def audit_verify(request: HttpRequest) -> dict:
    require_capability(request.user, "audit.view", "只有管理员和监察员可以校验审计日志")
    report = audit_verify_chain()
    return {
        "ok": report.ok,
        "checked": report.checked,
        "first_break_seq": report.first_break.seq if report.first_break else None,
        "message": str(report.first_break) if report.first_break else "审计链完好",
    }


class NotificationOut(Schema):
    id: int
    created_at: dt.datetime
    channel: str
    to: str  # masked
    subject: str
    body: str
    template: str
    status: str
    error: str
    object_type: str
    object_id: str


class NotificationPageOut(Schema):
    total: int
    items: list[NotificationOut]


@router.get("/notifications", response=NotificationPageOut)
def notification_list(
    request: HttpRequest,
    recipient: str = "",
    object_type: str = "",
    object_id: str = "",
    status: str = "",
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
) -> dict:
    notifications = notification_selectors.notification_list(
        actor=request.user, recipient=recipient, object_type=object_type, object_id=object_id, status=status
    )
    return {
        "total": notifications.count(),
        "items": [
            {
                "id": n.pk,
                "created_at": n.created_at,
                "channel": n.channel,
                "to": n.to_masked,
                "subject": n.subject,
                "body": mask_text(n.body),
                "template": n.template,
                "status": n.status,
                "error": mask_text(n.error),
                "object_type": n.object_type,
                "object_id": n.object_id,
            }
            for n in notifications[offset : offset + limit]
        ],
    }
