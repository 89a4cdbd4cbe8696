"""When a hall serves: working-day hours (with 延时服务), weekend 不打烊 hours, closed on holidays.

The working-day calendar (``core.calendar``) decides what a day is, including 调休 make-up days."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from yichuang.core.calendar import day_info
from yichuang.hall.models import Hall


def hours_on(hall: Hall, day: dt.date) -> tuple[dt.time, dt.time] | None:
    """(opens, closes) on ``day``, or None when the hall is closed that day."""
    info = day_info(day)
    if info.is_working_day:
        return hall.opens_at, hall.extended_closes_at or hall.closes_at
    if info.kind == "weekend" and hall.weekend_opens_at and hall.weekend_closes_at:
        return hall.weekend_opens_at, hall.weekend_closes_at
    return None


def is_open(hall: Hall, moment: dt.datetime | None = None) -> bool:
    local = timezone.localtime(moment or timezone.now())
    hours = hours_on(hall, local.date())
    return hours is not None and hours[0] <= local.time() < hours[1]


def hours_label(hall: Hall, day: dt.date) -> str:
    hours = hours_on(hall, day)
    if hours is None:
        return "今日不开放"
    return f"{hours[0]:%H:%M}—{hours[1]:%H:%M}"


def local_day(moment: dt.datetime | None = None) -> dt.date:
    return timezone.localtime(moment or timezone.now()).date()


def at_local(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))
