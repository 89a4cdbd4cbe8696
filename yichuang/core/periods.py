"""Reporting periods of the figures screens: local dates from ``start`` to ``end`` (both included), at
most a year, and the presets the screens offer (今日, 本周, 本月, 上月, 本年)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from yichuang.core.errors import ApplicationError

MAX_PERIOD_DAYS = 366


def period_check(start: dt.date, end: dt.date) -> None:
    if start > end:
        raise ApplicationError(
            "截止日期不能早于起始日期", code="period_invalid", fields={"end": ["截止日期不能早于起始日期"]}
        )
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise ApplicationError(
            "统计期间最长一年", code="period_invalid", fields={"end": ["统计期间最长一年"]}
        )


def day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def previous_month(day: dt.date) -> dt.date:
    return month_start(month_start(day) - dt.timedelta(days=1))


def period_preset(
    preset: str, today: dt.date | None = None, *, default: str = "today"
) -> tuple[dt.date, dt.date]:
    """今日 (``today``), 本周 (from Monday), 本月 (from the 1st), 本年 (from 1 January) — each up to today —
    and 上月 (the whole last month); an unknown preset is ``default``."""
    today = today or timezone.localdate()
    preset = preset if preset in {"today", "week", "month", "last_month", "year"} else default
    if preset == "last_month":
        first = previous_month(today)
        return first, month_end(first)
    if preset == "week":
        return today - dt.timedelta(days=today.weekday()), today
    if preset == "month":
        return today.replace(day=1), today
    if preset == "year":
        return today.replace(month=1, day=1), today
    return today, today
