"""The working-day calendar (工作日): statutory holidays, make-up working days and admin overrides.

Time limits of the Administrative Licensing Law are counted in working days (§82). Day 1 is the
first working day *after* the start date. National data come from ``chinese_calendar``; an admin can
override any single day (a local holiday, a day the centre opens) and can enter a whole year that the
national data do not cover yet. A date in a year that is neither covered nor entered raises
:class:`CalendarYearNotCoveredError` — never a silent weekends-only guess.

    add_working_days(start, working_days_between(start, end)) == end   # for any working day end
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import chinese_calendar
from django.conf import settings
from django.core.cache import cache

from yichuang.core.errors import ApplicationError

FIRST_YEAR, LAST_YEAR = 2004, 2100  # chinese_calendar starts in 2004; later years are entered by hand
_MAX_SPAN_DAYS = 3660  # ten years: any longer request is a mistake, not a time limit

_HOLIDAY_NAMES_BY_MEMBER = {
    "new_years_day": "元旦",
    "spring_festival": "春节",
    "tomb_sweeping_day": "清明节",
    "labour_day": "劳动节",
    "dragon_boat_festival": "端午节",
    "national_day": "国庆节",
    "mid_autumn_festival": "中秋节",
    "anti_fascist_70th_day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}
# chinese_calendar names holidays by their English value ("Spring Festival"); show them in Chinese.
HOLIDAY_NAMES = {
    member.value: _HOLIDAY_NAMES_BY_MEMBER.get(member.name, member.value)
    for member in chinese_calendar.Holiday
}


class CalendarYearNotCoveredError(ApplicationError):
    def __init__(self, year: int) -> None:
        super().__init__(
            f"{year} 年的法定节假日安排尚无数据，无法按工作日计算期限。"
            f"请管理员在“工作日历”中录入 {year} 年的节假日和调休安排后再试。",
            code="calendar_year_not_covered",
            extra={"year": year},
        )
        self.year = year


@dataclass(frozen=True)
class DayInfo:
    date: dt.date
    is_working_day: bool
    kind: str  # workday, weekend, holiday, makeup_workday, override_workday, override_rest
    label: str  # holiday name or override note, for the calendar screen


# (overrides of one year: date → (is working day, note), whether the year may be computed)
_YearState = tuple[dict[dt.date, tuple[bool, str]], bool]


@functools.cache
def _national_year_covered(year: int) -> bool:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return False
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@functools.cache
def _national_year(year: int) -> dict[dt.date, tuple[bool, str | None]]:
    """chinese_calendar's answer for every day of a covered year, computed once per process
    (its own lookup scans the whole holiday table on every call)."""
    day, out = dt.date(year, 1, 1), {}
    while day.year == year:
        out[day] = chinese_calendar.get_holiday_detail(day)
        day += dt.timedelta(days=1)
    return out


def check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ApplicationError(
            f"年份应在 {FIRST_YEAR} 至 {LAST_YEAR} 之间",
            code="calendar_year_out_of_range",
            extra={"year": year},
        )


def _year_state(year: int) -> _YearState:
    """(overrides of that year, whether the year may be computed), cached per year."""
    check_year(year)
    key = f"yichuang:calendar:{year}"
    state = cache.get(key)
    if state is None:
        from yichuang.core.models import CalendarDay, CalendarYear

        overrides = {
            row.date: (row.is_working_day, row.note) for row in CalendarDay.objects.filter(date__year=year)
        }
        covered = _national_year_covered(year) or CalendarYear.objects.filter(year=year).exists()
        state = (overrides, covered)
        cache.set(key, state, getattr(settings, "CALENDAR_CACHE_SECONDS", 30))
    return state


def invalidate_year(year: int) -> None:
    cache.delete(f"yichuang:calendar:{year}")


def year_is_covered(year: int) -> bool:
    return _year_state(year)[1]


def year_has_national_data(year: int) -> bool:
    return _national_year_covered(year)


def day_info(day: dt.date, _states: dict[int, _YearState] | None = None) -> DayInfo:
    """What ``day`` is. ``_states`` lets a loop over many days read each year's state once."""
    if _states is None:
        overrides, covered = _year_state(day.year)
    else:
        if day.year not in _states:
            _states[day.year] = _year_state(day.year)
        overrides, covered = _states[day.year]
    if day in overrides:
        working, note = overrides[day]
        return DayInfo(day, working, "override_workday" if working else "override_rest", note)
    if not covered:
        raise CalendarYearNotCoveredError(day.year)
    weekend = day.weekday() >= 5
    if not _national_year_covered(day.year):  # entered by an admin: weekends plus overrides
        return DayInfo(day, not weekend, "weekend" if weekend else "workday", "")
    on_holiday, holiday = _national_year(day.year)[day]
    name = HOLIDAY_NAMES.get(holiday, holiday) if holiday else ""
    if on_holiday:
        return DayInfo(day, False, "holiday" if holiday is not None else "weekend", name)
    if weekend:  # a weekend that is a working day: 调休
        return DayInfo(day, True, "makeup_workday", f"{name}调休" if name else "调休上班")
    return DayInfo(day, True, "workday", "")


def is_working_day(day: dt.date) -> bool:
    return day_info(day).is_working_day


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The ``days``-th working day after ``start`` (before it, for negative ``days``).

    ``add_working_days(start, 0) == start``. Day 1 is the first working day after ``start``,
    whether or not ``start`` itself is a working day.
    """
    if abs(days) > _MAX_SPAN_DAYS:
        raise ApplicationError(f"工作日数 {days} 超出允许范围", code="calendar_span_too_large")
    step = 1 if days >= 0 else -1
    remaining, day = abs(days), start
    states: dict[int, _YearState] = {}
    while remaining:
        day += dt.timedelta(days=step)
        if day_info(day, states).is_working_day:
            remaining -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]; negative, counting [end, start), when ``end`` is earlier."""
    if abs((end - start).days) > _MAX_SPAN_DAYS * 2:
        raise ApplicationError("日期跨度超出允许范围", code="calendar_span_too_large")
    if end >= start:
        first, last, sign = start + dt.timedelta(days=1), end, 1
    else:
        first, last, sign = end, start - dt.timedelta(days=1), -1
    count, day = 0, first
    states: dict[int, _YearState] = {}
    while day <= last:
        if day_info(day, states).is_working_day:
            count += 1
        day += dt.timedelta(days=1)
    return sign * count


def year_days(year: int) -> list[DayInfo]:
    """Every day of ``year`` for the calendar screen and API (raises if the year is not covered)."""
    check_year(year)
    day, out = dt.date(year, 1, 1), []
    states: dict[int, _YearState] = {}
    while day.year == year:
        out.append(day_info(day, states))
        day += dt.timedelta(days=1)
    return out
