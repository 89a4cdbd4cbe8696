"""Writes of the core app: working-day calendar overrides and manually entered years."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from yichuang.core import calendar
from yichuang.core.audit import audit_record
from yichuang.core.errors import ApplicationError, NotFoundError
from yichuang.core.models import CalendarDay, CalendarYear
from yichuang.core.permissions import require_capability


@transaction.atomic
def calendar_day_set(*, actor: Any, date: dt.date, is_working_day: bool, note: str) -> CalendarDay:
    """Make ``date`` a working day or a day off regardless of the national data."""
    require_capability(actor, "calendar.manage", "只有政数局管理员可以调整工作日历")
    note = (note or "").strip()
    if not note:
        raise ApplicationError("请填写调整依据（如文件名称或原因）", fields={"note": ["必填"]})
    day, created = CalendarDay.objects.select_for_update().get_or_create(
        date=date, defaults={"is_working_day": is_working_day, "note": note}
    )
    if not created:
        day.is_working_day, day.note = is_working_day, note
    try:
        day.full_clean()
    except ValidationError as exc:
        raise ApplicationError.from_validation_error(exc) from exc
    day.save()
    audit_record(
        actor=actor,
        action="calendar.day_set",
        obj=day,
        data={"date": date.isoformat(), "is_working_day": is_working_day, "note": note},
    )
    transaction.on_commit(lambda: calendar.invalidate_year(date.year))
    calendar.invalidate_year(date.year)
    return day


@transaction.atomic
def calendar_day_clear(*, actor: Any, date: dt.date) -> None:
    """Remove an override: the day follows the national data again."""
    require_capability(actor, "calendar.manage", "只有政数局管理员可以调整工作日历")
    deleted, _ = CalendarDay.objects.filter(date=date).delete()
    if not deleted:
        raise NotFoundError(f"{date:%Y-%m-%d} 没有人工调整")
    audit_record(
        actor=actor,
        action="calendar.day_clear",
        object_type="core.calendarday",
        object_id=date.isoformat(),
        data={"date": date.isoformat()},
    )
    transaction.on_commit(lambda: calendar.invalidate_year(date.year))
    calendar.invalidate_year(date.year)


@transaction.atomic
def calendar_year_enter(*, actor: Any, year: int, note: str) -> CalendarYear:
    """Declare that an admin has entered ``year``'s holidays and make-up days as overrides.

    From then on the year counts weekends as rest days plus the overrides entered for it.
    """
    require_capability(actor, "calendar.manage", "只有政数局管理员可以录入年度日历")
    note = (note or "").strip()
    if not note:
        raise ApplicationError(
            "请填写依据（如国务院办公厅关于该年度部分节假日安排的通知）", fields={"note": ["必填"]}
        )
    calendar.check_year(year)
    if calendar.year_has_national_data(year):
        raise ApplicationError(f"{year} 年已有国家法定节假日数据，无需人工录入", code="year_covered")
    if CalendarYear.objects.filter(year=year).exists():
        raise ApplicationError(f"{year} 年已经录入", code="duplicate")
    entry = CalendarYear.objects.create(year=year, note=note)
    audit_record(actor=actor, action="calendar.year_enter", obj=entry, data={"year": year, "note": note})
    transaction.on_commit(lambda: calendar.invalidate_year(year))
    calendar.invalidate_year(year)
    return entry
