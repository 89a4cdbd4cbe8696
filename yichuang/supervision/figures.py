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
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, QuerySet, Sum
from django.db.models.expressions import RawSQL
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
# How long today's partial sums stay cached (each partial roll-up gives them a new key).
PARTIAL_SECONDS = 15 * 60

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


# ``case_figures`` builds rows positionally: key, label, department label, the counts, 超期在办.
assert [f.name for f in fields(CaseRow)][3:-1] == list(COUNT_FIELDS)

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
    start: dt.date, end: dt.date, done: rollup.Progress
) -> tuple[tuple[dt.date, dt.date] | None, tuple[dt.date, dt.date] | None, dt.datetime | None]:
    """(the rolled-up days, the live days, and the moment the live part starts when its first day is rolled
    up in part) of [start, end]."""
    until = done.rolled_until
    if until is None or until <= start:
        rolled, live = None, (start, end)
    elif until > end:
        return (start, end), None, None
    else:
        rolled, live = (start, until - _DAY), (until, end)
    partial = done.partial_until if live[0] == until else None
    return rolled, live, partial


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


def _summed(rows: QuerySet[Any], group: str) -> list[tuple[Any, ...]]:
    """Roll-up rows summed in the database per ``group`` (key, day or month): (group value, counts…)."""
    sums = {f"sum_{name}": Sum(name) for name in COUNT_FIELDS}
    sql, params = rows.order_by().values(group).annotate(**sums).query.sql_with_params()
    with connection.cursor() as cursor:  # plain tuples: thousands of rows, no per-value converters
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _rolled(
    dimension: str, start: dt.date, end: dt.date, departments: list[int] | None, *, by: str
) -> list[tuple[Any, ...]]:
    """The roll-up's rows of [start, end] summed ``by`` key, day or month: by key or month, whole months
    come from ``FigureMonth`` and the days around them from ``FigureDay`` (their rows carry the day, which
    the caller puts in its month); by day, all from ``FigureDay``."""
    months = None if by == "day" else _whole_months(start, end)
    day_ranges = [(start, end)]
    out: list[tuple[Any, ...]] = []
    if months:
        first, last = months
        day_ranges = [(start, first - _DAY), (rollup.next_month(last), end)]
        month_rows = FigureMonth.objects.filter(dimension=dimension, month__gte=first, month__lte=last)
        if departments is not None:
            month_rows = month_rows.filter(department_id__in=departments)
        out.extend(_summed(month_rows, "key" if by == "key" else "month"))
    for low, high in day_ranges:
        if low > high:
            continue
        rows = FigureDay.objects.filter(dimension=dimension, day__gte=low, day__lte=high)
        if departments is not None:
            rows = rows.filter(department_id__in=departments)
        out.extend(_summed(rows, "key" if by == "key" else "day"))
    return out


def _merged(rows: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Rows (what, counts…) summed per ``what`` into plain ints."""
    sums: dict[Any, list[int]] = {}
    for row in rows:
        counts = [int(value or 0) for value in row[1:]]
        summed = sums.get(row[0])
        sums[row[0]] = counts if summed is None else [a + b for a, b in zip(summed, counts, strict=True)]
    return [(what, *counts) for what, counts in sums.items()]


def _rolled_cached(
    dimension: str,
    days: tuple[dt.date, dt.date],
    departments: list[int] | None,
    by: str,
    version: str,
    *,
    longest: int | None = None,
) -> list[tuple[Any, ...]]:
    """``_rolled`` of ``days``, one row per key (day, month), cached under ``version``: the roll-up's version
    for closed days, which changes only when the roll-up writes past days again (nightly, or a fact dated
    back); with today's partial mark for today's rows, rewritten with the mark every few minutes. So a
    period's sums are aggregated once (per process, or shared through Redis when configured)."""
    seconds = settings.YICHUANG_SUPERVISION_CACHE_SECONDS
    if longest is not None:
        seconds = min(seconds, longest)
    if not version or seconds <= 0:
        return _merged(_rolled(dimension, *days, departments, by=by))
    scope = "all" if departments is None else hashlib.sha1(repr(sorted(departments)).encode()).hexdigest()
    key = f"supervision:rolled:{version}:{dimension}:{by}:{days[0]}:{days[1]}:{scope}"
    rows = cache.get(key)
    if rows is None:
        rows = _merged(_rolled(dimension, *days, departments, by=by))
        cache.set(key, rows, seconds)
    return list(rows)


@dataclass(frozen=True)
class Live:
    """A period's live part (the facts from the roll-up's progress on), aggregated once and shared by the
    figures and the trend of one page: ``keyed`` rows (key, counts…), ``daily`` (day, counts…)."""

    done: rollup.Progress
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
    done = rollup.progress()
    _rolled_days, live, since = _split(start, end, done)
    if live is None:
        return Live(done, [], [])
    detail = rollup.live_rows(dimension, *live, departments=scope, by="day_key", since=since)
    keyed = [row[1:] for row in detail]  # (day, key, counts…) → (key, counts…)
    if dimension not in _TREND_DIMENSIONS:
        daily = rollup.live_rows(Dimension.DEPARTMENT, *live, departments=scope, by="day", since=since)
        return Live(done, keyed, daily)
    days: dict[Any, CaseRow] = {}
    for row in detail:
        days.setdefault(row[0], CaseRow(key=0)).add(row[2:])
    daily = [(day, *(getattr(row, name) for name in COUNT_FIELDS)) for day, row in days.items()]
    return Live(done, keyed, daily)


def raw_counts(
    dimension: str,
    start: dt.date,
    end: dt.date,
    *,
    departments: list[int] | None = None,
    by: str = "key",
    today: dt.date | None = None,
    live: Live | None = None,
) -> list[tuple[Any, ...]]:
    """(key, counts…) rows — or, ``by`` "day" or "month", totals as (day or month, counts…), a month's rows
    carrying either its first day or one of its days — from the roll-up and the live part together (one row
    per part; callers sum). ``live``, when given, is this period's live part already aggregated
    (``live_part``)."""
    ordinals_ensure(today or timezone.localdate())
    done = live.done if live is not None else rollup.progress()
    rolled, live_days, since = _split(start, end, done)
    out: list[tuple[Any, ...]] = []
    if rolled:
        out.extend(_rolled_cached(dimension, rolled, departments, by, done.version))
    if live_days and since is not None:  # the first live day's facts before ``since``, rolled up already
        partial = f"{done.version}:{since.isoformat()}" if done.version else ""
        first = (live_days[0], live_days[0])
        # Kept a quarter of an hour only: the next partial roll-up, minutes later, gives a new mark.
        by_first = "day" if by == "month" else by
        out.extend(_rolled_cached(dimension, first, departments, by_first, partial, longest=PARTIAL_SECONDS))
    if live is not None:
        out.extend(live.keyed if by == "key" else live.daily)
    elif live_days:
        live_by = "key" if by == "key" else "day"
        out.extend(rollup.live_rows(dimension, *live_days, departments=departments, by=live_by, since=since))
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
    # COUNT(*), not of a column: the index on (status, due_date) including the holders answers it alone.
    return {row[holder] or 0: row["n"] for row in cases.order_by().values(holder).annotate(n=Count("*"))}


def _of(objects: QuerySet[Any], ids: list[int]) -> QuerySet[Any]:
    """``objects`` with these primary keys: on PostgreSQL as one array parameter, since a year of items is
    thousands of keys, which as an ``IN`` list cost more to send and plan than to read."""
    if connection.vendor == "postgresql" and len(ids) > 100:
        return objects.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", (ids,)))
    return objects.filter(pk__in=ids)


def labels(dimension: str, keys: Iterable[int]) -> dict[int, tuple[str, str]]:
    """key → (label, department label)."""
    ids = [key for key in keys if key]
    out: dict[int, tuple[str, str]] = {0: ("（未知）", "")}
    if dimension == Dimension.DEPARTMENT:
        for pk, name in _of(Department.objects.all(), ids).values_list("pk", "name"):
            out[pk] = (name, "")
    elif dimension == Dimension.ITEM:
        items = _of(ServiceItem.objects.all(), ids).values_list("pk", "name", "department__name")
        for pk, name, department in items:
            out[pk] = (name, department)
    elif dimension == Dimension.WINDOW:
        out[0] = ("（未在窗口签到）", "")
        windows = _of(Window.objects.all(), ids).values_list("pk", "number", "name", "hall__name")
        for pk, number, name, hall in windows:
            out[pk] = (f"{number}号 {name}", hall)
    else:
        out[0] = ("（系统）", "")
        users = _of(User.objects.all(), ids).values_list("pk", "full_name", "username", "department__name")
        for pk, full_name, username, department in users:
            out[pk] = (full_name or username, department or "")
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
    width = len(COUNT_FIELDS)
    sums: dict[int, list[int]] = {}  # key → the counts, then 超期在办
    for counted in raw_counts(dimension, start, end, departments=scope, today=today, live=live):
        key, counts = int(counted[0]), (*counted[1:], 0)  # ints: merged from the roll-up, or ``live_rows``
        summed = sums.get(key)
        sums[key] = list(counts) if summed is None else [a + b for a, b in zip(summed, counts, strict=True)]
    for key, count in overdue_open(dimension, departments=scope, today=today).items():
        sums.setdefault(key, [0] * (width + 1))[width] += count
    names = labels(dimension, sums)
    rows = [CaseRow(key, *names.get(key, (str(key), "")), *summed) for key, summed in sums.items()]
    total = CaseRow(0, "合计", "", *(sum(column) for column in zip(*sums.values(), strict=True)))
    ordered = sorted(rows, key=lambda r: (-r.accepted, -r.decided, r.label))
    done = live.done if live is not None else rollup.progress()
    return CaseFigures(dimension, start, end, ordered, total, done.rolled_until)


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _trend(
    start: dt.date,
    end: dt.date,
    by: str,
    departments: QuerySet[Department] | Iterable[int] | None,
    today: dt.date | None,
    live: Live | None,
) -> list[tuple[dt.date, CaseRow]]:
    """Every day (``by`` "day") or month ("month", by its first day) of [start, end], empty ones too, with
    its total over ``departments``."""
    buckets: dict[dt.date, CaseRow] = {}
    step = start if by == "day" else rollup.month_start(start)
    while step <= end:
        buckets[step] = CaseRow(key=0, label=f"{step:%m-%d}" if by == "day" else f"{step:%Y-%m}")
        step = step + _DAY if by == "day" else rollup.next_month(step)
    scope = _department_ids(departments)
    for row in raw_counts(Dimension.DEPARTMENT, start, end, departments=scope, by=by, today=today, live=live):
        on = _as_date(row[0])
        bucket = buckets.get(on if by == "day" else rollup.month_start(on))
        if bucket is not None:
            bucket.add(row[1:])
    return list(buckets.items())


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
    return _trend(start, end, "day", departments, today, live)


def monthly_trend(
    *,
    start: dt.date,
    end: dt.date,
    departments: QuerySet[Department] | Iterable[int] | None = None,
    today: dt.date | None = None,
    live: Live | None = None,
) -> list[tuple[dt.date, CaseRow]]:
    """Every month the period touches (by its first day; the first and last months only over their days in
    the period) with its total over ``departments``: a long period's trend, read from the month roll-up."""
    return _trend(start, end, "month", departments, today, live)
