"""效能监察 figures of cases by department, item, window or staff member and period, always current.

Over the local days ``start`` … ``end`` (see ``facts`` for what each count means):

- 受理量 accepted; 办结量 decided; 接件量 submitted;
- 网办率 = accepted online or on the phone ÷ accepted; 即办件占比 = immediate ÷ accepted;
- 一窗受理率 = accepted by the comprehensive windows' clerks ÷ accepted; 免证办占比 = accepted with a material
  satisfied from an e-licence or shared data ÷ accepted;
- 按时办结率 = decided by the due date ÷ decided; 提前办结率 = decided before the due date ÷ decided;
  超期办结 = decided after it; 平均办理用时 = working days from acceptance to decision ÷ decided;
- 超期在办 (overdue now) = running cases (已受理, 审查中) past their due date today — a snapshot, not a period
  count, by department, item and the reviewer holding the case.

Days before ``RollupState.rolled_until`` come from ``FigureDay``; later ones are aggregated from the cases
(``rollup.live_rows``). A rate is None when its denominator is zero.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from yichuang.accounts.models import Department, User
from yichuang.cases.models import Case
from yichuang.cases.workflow import TIMED_STATUSES
from yichuang.catalog.models import ServiceItem
from yichuang.hall.models import Window
from yichuang.supervision import rollup
from yichuang.supervision.models import COUNT_FIELDS, Dimension, FigureDay, FigureMonth
from yichuang.supervision.ordinals import ordinals_ensure

_DAY = dt.timedelta(days=1)

# dimension → the case field holding a running case (for 超期在办)
_HOLDER: dict[str, str] = {
    Dimension.DEPARTMENT: "department_id",
    Dimension.ITEM: "item_id",
    Dimension.STAFF: "reviewer_id",
}


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class CaseRow:
    key: int
    label: str = ""
    department_label: str = ""
    submitted: int = 0
    accepted: int = 0
    accepted_online: int = 0
    accepted_immediate: int = 0
    accepted_one_window: int = 0
    accepted_exempt: int = 0
    decided: int = 0
    decided_on_time: int = 0
    decided_early: int = 0
    decided_late: int = 0
    working_days: int = 0
    overdue_open: int = 0

    def add(self, counts: Iterable[Any]) -> None:
        for name, value in zip(COUNT_FIELDS, counts, strict=True):
            setattr(self, name, getattr(self, name) + int(value or 0))

    @property
    def online_rate(self) -> float | None:
        return _ratio(self.accepted_online, self.accepted)

    @property
    def immediate_rate(self) -> float | None:
        return _ratio(self.accepted_immediate, self.accepted)

    @property
    def one_window_rate(self) -> float | None:
        return _ratio(self.accepted_one_window, self.accepted)

    @property
    def exempt_rate(self) -> float | None:
        return _ratio(self.accepted_exempt, self.accepted)

    @property
    def on_time_rate(self) -> float | None:
        return _ratio(self.decided_on_time, self.decided)

    @property
    def early_rate(self) -> float | None:
        return _ratio(self.decided_early, self.decided)

    @property
    def average_days(self) -> float | None:
        return _ratio(self.working_days, self.decided)

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in (*COUNT_FIELDS, "overdue_open")}

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        for rate in RATES:
            out[rate] = getattr(self, rate)
        return out


RATES = (
    "online_rate",
    "immediate_rate",
    "one_window_rate",
    "exempt_rate",
    "on_time_rate",
    "early_rate",
    "average_days",
)


@dataclass
class CaseFigures:
    dimension: str
    start: dt.date
    end: dt.date
    rows: list[CaseRow]
    total: CaseRow = field(default_factory=lambda: CaseRow(key=0, label="合计"))
    rolled_until: dt.date | None = None


def _split(
    start: dt.date, end: dt.date, until: dt.date | None
) -> tuple[tuple[dt.date, dt.date] | None, tuple[dt.date, dt.date] | None]:
    """(the rolled-up part, the live part) of [start, end]."""
    if until is None or until <= start:
        return None, (start, end)
    if until > end:
        return (start, end), None
    return (start, until - _DAY), (until, end)


def _department_ids(departments: QuerySet[Department] | Iterable[int] | None) -> list[int] | None:
    if departments is None:
        return None
    if isinstance(departments, QuerySet):
        return list(departments.values_list("pk", flat=True))
    return list(departments)


def _whole_months(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date] | None:
    """(first day of the first, first day of the last) whole month within [start, end], or None."""
    first = start if start.day == 1 else rollup.next_month(start)
    after = rollup.month_start(end + _DAY)  # the day after the last whole month
    if first >= after:
        return None
    return first, rollup.month_start(after - _DAY)


def _summed(rows: QuerySet[Any], *, by_day: bool) -> list[tuple[Any, ...]]:
    """Roll-up rows summed in the database per (key, department) — or per day, as (day, 0, 0, counts…)."""
    sums = {f"sum_{name}": Sum(name) for name in COUNT_FIELDS}
    values = rows.order_by().values(*(("day",) if by_day else ("key", "department_id"))).annotate(**sums)
    if by_day:
        return [(row["day"], 0, 0, *(row[f"sum_{n}"] for n in COUNT_FIELDS)) for row in values]
    return [(row["key"], row["department_id"], *(row[f"sum_{n}"] for n in COUNT_FIELDS)) for row in values]


def _rolled(
    dimension: str, start: dt.date, end: dt.date, departments: list[int] | None, *, by_day: bool
) -> list[tuple[Any, ...]]:
    """The roll-up's rows of [start, end]: by key, whole months from ``FigureMonth`` and the days around
    them from ``FigureDay``; by day, all from ``FigureDay``."""
    months = None if by_day else _whole_months(start, end)
    day_ranges = [(start, end)]
    out: list[tuple[Any, ...]] = []
    if months:
        first, last = months
        day_ranges = [(start, first - _DAY), (rollup.next_month(last), end)]
        month_rows = FigureMonth.objects.filter(dimension=dimension, month__gte=first, month__lte=last)
        if departments is not None:
            month_rows = month_rows.filter(department_id__in=departments)
        out.extend(_summed(month_rows, by_day=False))
    for low, high in day_ranges:
        if low > high:
            continue
        rows = FigureDay.objects.filter(dimension=dimension, day__gte=low, day__lte=high)
        if departments is not None:
            rows = rows.filter(department_id__in=departments)
        out.extend(_summed(rows, by_day=by_day))
    return out


@dataclass(frozen=True)
class Live:
    """A period's live part (the days from ``rolled_until``), aggregated once and shared by the figures and
    the trend of one page: ``keyed`` rows (key, department, counts…), ``daily`` (day, 0, 0, counts…)."""

    until: dt.date | None
    keyed: list[tuple[Any, ...]]
    daily: list[tuple[Any, ...]]


# The dimensions that count every fact of every case, so that their day totals are the trend's (a staff
# member has no 接件, a window only 受理).
_TREND_DIMENSIONS = (Dimension.DEPARTMENT, Dimension.ITEM)


def live_part(
    dimension: str,
    start: dt.date,
    end: dt.date,
    *,
    departments: QuerySet[Department] | Iterable[int] | None = None,
    today: dt.date | None = None,
) -> Live:
    """The live part of [start, end] for ``dimension``, with the trend's day totals from the same rows where
    the dimension counts every case (one aggregation over the raw cases instead of two)."""
    ordinals_ensure(today or timezone.localdate())
    scope = _department_ids(departments)
    until = rollup.rolled_until()
    live = _split(start, end, until)[1]
    if live is None:
        return Live(until, [], [])
    detail = rollup.live_rows(dimension, *live, departments=scope, by="day_key")
    keyed = [row[1:] for row in detail]
    if dimension not in _TREND_DIMENSIONS:
        return Live(until, keyed, rollup.live_rows(Dimension.DEPARTMENT, *live, departments=scope, by="day"))
    days: dict[Any, CaseRow] = {}
    for row in detail:
        days.setdefault(row[0], CaseRow(key=0)).add(row[3:])
    daily = [(day, 0, 0, *(getattr(row, name) for name in COUNT_FIELDS)) for day, row in days.items()]
    return Live(until, keyed, daily)


def raw_counts(
    dimension: str,
    start: dt.date,
    end: dt.date,
    *,
    departments: list[int] | None = None,
    by_day: bool = False,
    today: dt.date | None = None,
    live: Live | None = None,
) -> list[tuple[Any, ...]]:
    """(key, department, counts…) rows — or, with ``by_day``, each day's total as (day, 0, 0, counts…) —
    from the roll-up and the live part together (one row per part; callers sum). ``live``, when given, is
    this period's live part already aggregated (``live_part``)."""
    ordinals_ensure(today or timezone.localdate())
    until = live.until if live is not None else rollup.rolled_until()
    rolled, live_range = _split(start, end, until)
    out: list[tuple[Any, ...]] = []
    if rolled:
        out.extend(_rolled(dimension, *rolled, departments, by_day=by_day))
    if live is not None:
        out.extend(live.daily if by_day else live.keyed)
    elif live_range:
        by = "day" if by_day else "key"
        out.extend(rollup.live_rows(dimension, *live_range, departments=departments, by=by))
    return out


def overdue_open(
    dimension: str, *, departments: list[int] | None = None, today: dt.date | None = None
) -> dict[int, int]:
    """Running cases past their due date now, per key."""
    holder = _HOLDER.get(dimension)
    if holder is None:
        return {}
    today = today or timezone.localdate()
    cases = Case.objects.filter(status__in=TIMED_STATUSES, due_date__lt=today)
    if departments is not None:
        cases = cases.filter(department_id__in=departments)
    return {row[holder] or 0: row["n"] for row in cases.order_by().values(holder).annotate(n=Count("pk"))}


def labels(dimension: str, keys: Iterable[int]) -> dict[int, tuple[str, str]]:
    """key → (label, department label)."""
    ids = [key for key in keys if key]
    out: dict[int, tuple[str, str]] = {0: ("（未知）", "")}
    if dimension == Dimension.DEPARTMENT:
        for department in Department.objects.filter(pk__in=ids):
            out[department.pk] = (department.name, "")
    elif dimension == Dimension.ITEM:
        for item in ServiceItem.objects.filter(pk__in=ids).select_related("department"):
            out[item.pk] = (item.name, item.department.name)
    elif dimension == Dimension.WINDOW:
        out[0] = ("（未在窗口签到）", "")
        for window in Window.objects.filter(pk__in=ids).select_related("hall", "department"):
            out[window.pk] = (f"{window.number}号 {window.name}", window.hall.name)
    else:
        out[0] = ("（系统）", "")
        for user in User.objects.filter(pk__in=ids).select_related("department"):
            out[user.pk] = (
                user.full_name or user.username,
                user.department.name if user.department else "",
            )
    return out


def case_figures(
    *,
    start: dt.date,
    end: dt.date,
    dimension: str = Dimension.DEPARTMENT,
    departments: QuerySet[Department] | Iterable[int] | None = None,
    today: dt.date | None = None,
    live: Live | None = None,
) -> CaseFigures:
    """The figures of every key of ``dimension`` with cases in the period (within ``departments``, the
    cases' departments, when given), ordered by 受理量 then label, and their total. ``live``: the period's
    live part, when the caller has it already (``live_part`` with the same arguments)."""
    today = today or timezone.localdate()
    scope = _department_ids(departments)
    rows: dict[int, CaseRow] = {}
    for counted in raw_counts(dimension, start, end, departments=scope, today=today, live=live):
        key = int(counted[0])
        rows.setdefault(key, CaseRow(key=key)).add(counted[2:])
    for key, count in overdue_open(dimension, departments=scope, today=today).items():
        rows.setdefault(key, CaseRow(key=key)).overdue_open += count
    names = labels(dimension, rows)
    total = CaseRow(key=0, label="合计")
    for key, row in rows.items():
        row.label, row.department_label = names.get(key, (str(key), ""))
        total.add(row.counts()[name] for name in COUNT_FIELDS)
        total.overdue_open += row.overdue_open
    ordered = sorted(rows.values(), key=lambda r: (-r.accepted, -r.decided, r.label))
    until = live.until if live is not None else rollup.rolled_until()
    return CaseFigures(dimension, start, end, ordered, total, until)


def daily_trend(
    *,
    start: dt.date,
    end: dt.date,
    departments: QuerySet[Department] | Iterable[int] | None = None,
    today: dt.date | None = None,
    live: Live | None = None,
) -> list[tuple[dt.date, CaseRow]]:
    """Every day of the period (empty days too) with the day's total over ``departments`` (``live`` as for
    ``case_figures``)."""
    scope = _department_ids(departments)
    days: dict[dt.date, CaseRow] = {}
    day = start
    while day <= end:
        days[day] = CaseRow(key=0, label=f"{day:%m-%d}")
        day += _DAY
    counted = raw_counts(
        Dimension.DEPARTMENT, start, end, departments=scope, by_day=True, today=today, live=live
    )
    for row in counted:
        on = row[0] if isinstance(row[0], dt.date) else dt.date.fromisoformat(str(row[0]))
        if on in days:
            days[on].add(row[3:])
    return list(days.items())
