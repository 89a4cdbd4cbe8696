"""Working-day ordinals in the database: ``WorkdayOrdinal.ordinal`` counts the working days from the
calendar's first year up to and including the day, so ``working_days_between(a, b)`` is
``ordinal(b) - ordinal(a)`` and the roll-up can sum the working days a case took in SQL.

The rows follow the working-day calendar (chinese_calendar plus the admin's overrides): ``ordinals_ensure``
writes them through the end of the current year, once per process and year, and a change to the calendar
(``signals``) rewrites them and sends the roll-up back to the changed year.
"""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.db import transaction

from yichuang.core import calendar
from yichuang.supervision.models import WorkdayOrdinal

_READY_KEY = "yichuang:supervision:ordinals:{year}"
_READY_SECONDS = 6 * 3600


def _days(last_year: int) -> list[WorkdayOrdinal]:
    rows, ordinal, states = [], 0, {}  # type: ignore[var-annotated]
    day = dt.date(calendar.FIRST_YEAR, 1, 1)
    end = dt.date(last_year, 12, 31)
    while day <= end:
        try:
            working = calendar.day_info(day, states).is_working_day
        except calendar.CalendarYearNotCoveredError:
            break  # a year nobody entered yet: no case can have a deadline in it
        ordinal += int(working)
        rows.append(WorkdayOrdinal(day=day, ordinal=ordinal))
        day += dt.timedelta(days=1)
    return rows


def ordinals_write(last_year: int) -> int:
    """(Re)write the ordinals from the first calendar year through ``last_year``; returns the rows written."""
    rows = _days(last_year)
    with transaction.atomic():
        WorkdayOrdinal.objects.bulk_create(
            rows, batch_size=2000, update_conflicts=True, unique_fields=["day"], update_fields=["ordinal"]
        )
        if rows:
            WorkdayOrdinal.objects.filter(day__gt=rows[-1].day).delete()
    return len(rows)


def ordinals_ensure(today: dt.date) -> None:
    """Make sure the ordinals reach ``today``'s year (cheap after the first call of a process and year)."""
    key = _READY_KEY.format(year=today.year)
    if cache.get(key):
        return
    if not WorkdayOrdinal.objects.filter(day=today).exists():
        ordinals_write(today.year)
    cache.set(key, True, _READY_SECONDS)


def ordinals_forget(year: int) -> None:
    for each in range(year, year + 2):
        cache.delete(_READY_KEY.format(year=each))
