"""The roll-up: ``FigureDay`` rows for the closed days (nightly) and for today's facts older than a few
minutes (``rollup_today``, after every sweep); the same aggregation over the raw cases for the rest (normally
the last minutes).

Both run one SQL statement per dimension built from ``facts``: the three facts' grouped counts joined with
UNION ALL and summed per (day, key, department). Rolling up inserts that result; the live part selects it.
So a figure read from the roll-up plus the live part always equals the aggregation over the raw table.

Which cases are read: for a long range (a first roll-up, a rebuild) every case, filtered by the fact dates;
for a few days only the cases with a timeline event in those days (``CaseEvent.at`` is indexed), since every
fact is dated by a step of the case that writes an event the same moment. The one exception, a deemed
acceptance (§32) dated back to the receipt, re-rolls its day (``hooks``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Min, QuerySet
from django.utils import timezone

from yichuang.cases.models import Case, CaseEvent
from yichuang.core.periods import day_start
from yichuang.supervision import facts
from yichuang.supervision.models import COUNT_FIELDS, Dimension, FigureDay, FigureMonth, RollupState
from yichuang.supervision.ordinals import ordinals_ensure

# Up to this many days, read only the cases with an event in the range; beyond it, scan every case.
CANDIDATE_DAYS = 40
# After writing more rows than this, refresh the table's statistics (PostgreSQL).
ANALYZE_ROWS = 50_000
# Today's facts younger than this stay live: a step still committing while ``rollup_today`` runs is counted
# by the next read (and the next run), not lost until the night.
SETTLE = dt.timedelta(minutes=2)

_DAY = dt.timedelta(days=1)


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _cases(low: dt.datetime, high: dt.datetime, departments: Iterable[int] | None) -> QuerySet[Case]:
    cases = Case.objects.all()
    if high - low <= dt.timedelta(days=CANDIDATE_DAYS):
        touched = CaseEvent.objects.filter(at__gte=low, at__lt=high)
        if connection.vendor == "postgresql":
            # The ids as one array parameter: PostgreSQL reads them through the primary key, where a
            # subquery made it hash the events against a scan of every case.
            ids = list(touched.order_by().values_list("case_id", flat=True).distinct())
            table = _quote(Case._meta.db_table)
            cases = cases.extra(where=[f"{table}.{_quote('id')} = ANY(%s)"], params=[ids])
        else:
            cases = cases.filter(pk__in=touched.values("case_id"))
    if departments is not None:
        cases = cases.filter(department_id__in=list(departments))
    return cases


def _union(
    dimension: str,
    start: dt.date,
    end: dt.date,
    departments: Iterable[int] | None,
    *,
    since: dt.datetime | None = None,
    before: dt.datetime | None = None,
) -> tuple[str, list[Any]]:
    """The facts of [start, end] — from the moment ``since`` and before ``before`` when given."""
    low, high = since or day_start(start), before or day_start(end + _DAY)
    cases = _cases(low, high, departments)
    columns = ", ".join(_quote(name) for name in ("fact_day", "fact_key", "fact_department", *COUNT_FIELDS))
    parts: list[str] = []
    params: list[Any] = []
    for fact, field in facts.FACT_DATES.items():
        query = facts.grouped(cases.filter(**{f"{field}__gte": low, f"{field}__lt": high}), fact, dimension)
        if query is None:
            continue
        sql, part_params = query.query.sql_with_params()
        parts.append(f"SELECT {columns} FROM ({sql}) {_quote('f_' + fact)}")
        params.extend(part_params)
    return " UNION ALL ".join(parts), params


def _summed() -> str:
    return ", ".join(f"SUM({_quote(name)})" for name in COUNT_FIELDS)


def live_rows(
    dimension: str,
    start: dt.date,
    end: dt.date,
    *,
    departments: Iterable[int] | None = None,
    by: str = "key",
    since: dt.datetime | None = None,
) -> list[tuple[Any, ...]]:
    """Aggregate the raw cases of [start, end] into rows (what, counts…) where ``what`` is, by ``key``, the
    key (a null key — no window, no staff member — is 0); by ``day``, the day; by ``day_key``, the day and
    the key. ``since``: only the facts from that moment on."""
    union, params = _union(dimension, start, end, departments, since=since)
    key, day = f"COALESCE({_quote('fact_key')}, 0)", _quote("fact_day")
    grouped = selected = {"key": key, "day": day, "day_key": f"{day}, {key}"}[by]
    sql = f"SELECT {selected}, {_summed()} FROM ({union}) {_quote('u')} GROUP BY {grouped}"
    width = 2 if by == "day_key" else 1
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        # The sums of counts come as decimals from PostgreSQL: plain ints here, once.
        return [(*row[:width], *(int(value or 0) for value in row[width:])) for row in cursor.fetchall()]


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _roll_months(start: dt.date, end: dt.date, through: dt.date) -> int:
    """Re-sum ``FigureMonth`` for every month [start, end] touches from its ``FigureDay`` rows up to
    ``through`` (the last whole day rolled up: a partial day is not part of its month)."""
    table = _quote(FigureMonth._meta.db_table)
    names = ", ".join(_quote(name) for name in ("dimension", "month", "key", "department_id", *COUNT_FIELDS))
    dimension, keys = _quote("dimension"), f"{_quote('key')}, {_quote('department_id')}"
    day, source = _quote("day"), _quote(FigureDay._meta.db_table)
    month, written = month_start(start), 0
    FigureMonth.objects.filter(month__gte=month, month__lte=end).delete()
    while month <= end:
        following = next_month(month)
        sql = (
            f"INSERT INTO {table} ({names}) SELECT {dimension}, %s, {keys}, {_summed()} FROM {source} "
            f"WHERE {day} >= %s AND {day} < %s GROUP BY {dimension}, {keys}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [month, month, min(following, through + _DAY)])
            written += max(cursor.rowcount, 0)
        month = following
    return written


def _insert(start: dt.date, end: dt.date, *, before: dt.datetime | None = None) -> int:
    """Aggregate the facts of [start, end] (before the moment ``before``) into new ``FigureDay`` rows."""
    table = _quote(FigureDay._meta.db_table)
    names = ", ".join(_quote(name) for name in ("dimension", "day", "key", "department_id", *COUNT_FIELDS))
    written = 0
    for dimension in Dimension.values:
        union, params = _union(dimension, start, end, None, before=before)
        key = f"COALESCE({_quote('fact_key')}, 0)"
        groups = f"{_quote('fact_day')}, {key}, {_quote('fact_department')}"
        sql = (
            f"INSERT INTO {table} ({names}) SELECT %s, {groups}, {_summed()} "
            f"FROM ({union}) {_quote('u')} GROUP BY {groups}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [dimension, *params])
            written += max(cursor.rowcount, 0)
    return written


def roll_days(start: dt.date, end: dt.date, *, through: dt.date | None = None) -> int:
    """Replace the roll-up of [start, end] by a fresh aggregation, and re-sum the months it touches from their
    days up to ``through`` (default ``end``); returns the day rows written."""
    ordinals_ensure(timezone.localdate())
    with transaction.atomic():
        FigureDay.objects.filter(day__gte=start, day__lte=end).delete()
        written = _insert(start, end)
        months = _roll_months(start, end, through or end)
        _new_version()
    if written > ANALYZE_ROWS and connection.vendor == "postgresql":
        # A first roll-up or a rebuild: without fresh statistics the planner sorts the new rows on disk.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {_quote(FigureDay._meta.db_table)}")
            if months:
                cursor.execute(f"ANALYZE {_quote(FigureMonth._meta.db_table)}")
    return written


def _new_version() -> None:
    """The rolled-up days changed: sums cached from them (``figures``) are no longer read."""
    RollupState.objects.filter(pk=1).update(version=uuid.uuid4().hex)


def _state() -> RollupState:
    state = RollupState.objects.select_for_update().filter(pk=1).first()
    if state is None:
        RollupState.objects.get_or_create(pk=1)
        state = RollupState.objects.select_for_update().get(pk=1)
    return state


@dataclass(frozen=True)
class Progress:
    """How far the roll-up has come: the days before ``rolled_until``, and on that day the facts before
    ``partial_until`` when set."""

    rolled_until: dt.date | None = None
    partial_until: dt.datetime | None = None
    version: str = ""


def progress() -> Progress:
    row = RollupState.objects.filter(pk=1).values_list("rolled_until", "partial_until", "version").first()
    return Progress(*row) if row else Progress()


def rolled_until() -> dt.date | None:
    """The first day not in the roll-up (None: nothing rolled up yet)."""
    return progress().rolled_until


def _moved(state: RollupState, until: dt.date) -> None:
    """Set ``rolled_until``; a partial day it leaves behind is no longer read."""
    if state.rolled_until != until:
        state.partial_until = None
    state.rolled_until = until


def rollup(*, today: dt.date | None = None, rebuild: bool = False) -> dict[str, Any]:
    """Roll up every closed day not rolled up yet (all of them with ``rebuild``). Idempotent; concurrent runs
    queue on the state row."""
    today = today or timezone.localdate()
    with transaction.atomic():
        state = _state()
        start = None if rebuild else state.rolled_until
        if start is None:
            first = Case.objects.aggregate(first=Min("submitted_at"))["first"]
            start = timezone.localdate(first) if first else today
        end = today - _DAY
        written = roll_days(start, end) if start <= end else 0
        _moved(state, max(today, state.rolled_until or today) if not rebuild else today)
        state.rolled_at = timezone.now()
        state.save(update_fields=["rolled_until", "partial_until", "rolled_at"])
    return {"from": start, "to": end, "rows": written, "rolled_until": state.rolled_until}


def rollup_today(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """Roll up today's facts older than ``SETTLE`` into today's ``FigureDay`` rows (replacing the previous
    ones), so that the figures read live only the last minutes. Runs once the days before are rolled up
    (``rollup``); a no-op when nothing older is left to add. Returns the rows written and the new mark."""
    mark = (now or timezone.now()) - SETTLE
    day = timezone.localdate(mark)
    with transaction.atomic():
        state = _state()
        if state.rolled_until != day or (state.partial_until is not None and state.partial_until >= mark):
            return {"rows": 0, "partial_until": state.partial_until}
        ordinals_ensure(day)
        FigureDay.objects.filter(day=day).delete()
        written = _insert(day, day, before=mark)
        state.partial_until = mark
        state.save(update_fields=["partial_until"])
    return {"rows": written, "partial_until": mark}


def reroll_day(day: dt.date) -> None:
    """A fact was dated back into a rolled-up day: aggregate that day again."""
    until = rolled_until()
    if until is not None and day < until:
        roll_days(day, day, through=until - _DAY)


def rollup_from(day: dt.date) -> None:
    """Something every figure from ``day`` on depends on changed (the calendar): read those days live until
    the next roll-up rebuilds them."""
    with transaction.atomic():
        state = _state()
        if state.rolled_until is not None and day < state.rolled_until:
            _moved(state, day)
            state.version = uuid.uuid4().hex
            state.save(update_fields=["rolled_until", "partial_until", "version"])
