"""大厅统计: waits and service times by business category, window, clerk and hour of day, and abandonment.

Reads only, in a fixed number of queries whatever the number of tickets (nine: the categories, the
windows, one grouped aggregate per table, the totals and one list of waits for the percentiles).

Over the tickets of the hall whose day (the local date the number was taken) is from ``start`` to
``end``:

- issued: the tickets taken; served: those 已办结 (done).
- wait: from taking the number to the first call (``called_at`` − ``issued_at``); an appointment's ticket
  waits from its slot's start if it checked in before it (``called_at`` − max(``issued_at``, ``slot_at``),
  never below zero). Over the tickets called at least once. Average and 90th percentile (interpolated
  between the closest ranks, as PostgreSQL's ``percentile_cont``; computed here so SQLite gives the same).
- service time: over the done tickets, ``finished_at`` − the start of service (``serving_at``, else the
  call).
- abandonment: 未等候离开 (abandoned), 过号作废 (no_show) and 已取消 (cancelled), each counted; the
  abandonment rate is (abandoned + no_show) / issued — a cancelled ticket was given back on purpose.
- by window and by clerk: the tickets the window (clerk) called last — the one that served it, or the one
  where its number lapsed; ``tickets`` then counts those tickets rather than the issued ones.
- by hour: waits, issued and abandonment by the hour the number was taken; served and service times by the
  hour of the (first) call.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import Coalesce, ExtractHour, Greatest, Least
from django.utils import timezone

from yichuang.accounts.models import Department
from yichuang.accounts.policies import department_scope
from yichuang.accounts.roles import CENTRE_WIDE_ROLES
from yichuang.core.periods import MAX_PERIOD_DAYS, period_check, period_preset  # noqa: F401  (the screens' names)
from yichuang.hall.models import Hall, ServiceCategory, Ticket, TicketStatus, Window

PERCENTILE = 0.9

# The moment the wait starts: the number taken, or an appointment's slot if it checked in early; never
# after the call (a ticket called before its slot waited nothing).
_WAIT_FROM = Least(F("called_at"), Greatest(F("issued_at"), Coalesce(F("slot_at"), F("issued_at"))))
WAIT = ExpressionWrapper(F("called_at") - _WAIT_FROM, output_field=DurationField())
SERVICE = ExpressionWrapper(
    F("finished_at") - Coalesce(F("serving_at"), F("called_at")), output_field=DurationField()
)
_CALLED = Q(called_at__isnull=False)
_DONE = Q(status=TicketStatus.DONE)


def _aggregates() -> dict[str, Any]:
    return {
        "tickets": Count("id"),
        "served": Count("id", filter=_DONE),
        "called": Count("id", filter=_CALLED),
        "wait_avg": Avg("wait", filter=_CALLED),
        "service_avg": Avg("service", filter=_DONE),
        "abandoned": Count("id", filter=Q(status=TicketStatus.ABANDONED)),
        "no_show": Count("id", filter=Q(status=TicketStatus.NO_SHOW)),
        "cancelled": Count("id", filter=Q(status=TicketStatus.CANCELLED)),
    }


def _minutes(value: dt.timedelta | float | None) -> float | None:
    if value is None:
        return None
    seconds = value.total_seconds() if isinstance(value, dt.timedelta) else float(value) / 1_000_000
    return round(seconds / 60, 1)


def percentile(values: Iterable[float], fraction: float = PERCENTILE) -> float | None:
    """The ``fraction`` percentile, interpolated between the closest ranks (``percentile_cont``)."""
    ordered = sorted(values)
    if not ordered:
        return None
    position = (len(ordered) - 1) * fraction
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


@dataclass
class Row:
    """One line of a table. ``key`` is the category/window/clerk id or the hour; ``label`` what is shown."""

    key: Any
    label: str
    tickets: int = 0  # issued (category, hour, total) or handled (window, clerk)
    served: int = 0
    called: int = 0
    wait_avg: float | None = None  # minutes
    wait_p90: float | None = None
    service_avg: float | None = None
    abandoned: int = 0
    no_show: int = 0
    cancelled: int = 0

    @property
    def lost(self) -> int:
        """Abandoned, lapsed and cancelled together."""
        return self.abandoned + self.no_show + self.cancelled

    @property
    def abandonment_rate(self) -> float | None:
        """(abandoned + no_show) / tickets, 0–1; None without tickets."""
        return (self.abandoned + self.no_show) / self.tickets if self.tickets else None

    @property
    def abandonment_percent(self) -> float | None:
        rate = self.abandonment_rate
        return None if rate is None else round(rate * 100, 1)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "tickets": self.tickets,
            "served": self.served,
            "called": self.called,
            "wait_avg_minutes": self.wait_avg,
            "wait_p90_minutes": self.wait_p90,
            "service_avg_minutes": self.service_avg,
            "abandoned": self.abandoned,
            "no_show": self.no_show,
            "cancelled": self.cancelled,
            "abandonment_rate": None if self.abandonment_rate is None else round(self.abandonment_rate, 4),
        }


@dataclass
class HallFigures:
    hall: Hall
    start: dt.date
    end: dt.date
    total: Row
    by_category: list[Row] = field(default_factory=list)
    by_window: list[Row] = field(default_factory=list)
    by_clerk: list[Row] = field(default_factory=list)
    by_hour: list[Row] = field(default_factory=list)
    scope: str = ""  # empty for the whole hall; else the department whose windows the figures cover

    @property
    def longest_hour_wait(self) -> float:
        """The scale of the chart of waits by hour: the longest p90 (or average) of any hour."""
        values = [v for row in self.by_hour for v in (row.wait_p90, row.wait_avg) if v is not None]
        return max(values, default=0.0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "hall": self.hall.code,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "scope": self.scope,
            "total": self.total.as_dict(),
            "by_category": [row.as_dict() for row in self.by_category],
            "by_window": [row.as_dict() for row in self.by_window],
            "by_clerk": [row.as_dict() for row in self.by_clerk],
            "by_hour": [row.as_dict() for row in self.by_hour],
        }


def _fill(row: Row, values: dict[str, Any]) -> Row:
    for name in ("tickets", "served", "called", "abandoned", "no_show", "cancelled"):
        setattr(row, name, values.get(name) or 0)
    row.wait_avg = _minutes(values.get("wait_avg"))
    row.service_avg = _minutes(values.get("service_avg"))
    return row


def _grouped(tickets: QuerySet[Ticket], *keys: str) -> list[dict[str, Any]]:
    return list(tickets.values(*keys).annotate(**_aggregates()).order_by(*keys))


def figures_scope(user: Any) -> tuple[QuerySet[Department] | None, str]:
    """Whose windows ``user`` may see the figures of: the whole hall for the centre-wide roles (the admin,
    the inspector), else his department's (and those below it) — a chief representative's."""
    if user.role in CENTRE_WIDE_ROLES:
        return None, ""
    return department_scope(user), user.department.name


def hall_figures(
    *,
    hall: Hall,
    start: dt.date,
    end: dt.date,
    departments: QuerySet[Department] | None = None,
    scope: str = "",
) -> HallFigures:
    """The hall's figures for the days ``start`` to ``end`` (local dates, both included).

    With ``departments`` (a chief representative's scope) only the numbers called at those departments'
    windows count, and only those windows and the categories they serve are listed; numbers nobody
    called (left before their turn, cancelled) belong to no window and so to the whole hall's figures."""
    period_check(start, end)
    zone = timezone.get_current_timezone()
    tickets = Ticket.objects.filter(hall=hall, day__gte=start, day__lte=end)
    hall_windows = Window.objects.filter(hall=hall)
    hall_categories = ServiceCategory.objects.filter(hall=hall)
    if departments is not None:
        tickets = tickets.filter(window__department__in=departments)
        hall_windows = hall_windows.filter(department__in=departments)
        hall_categories = hall_categories.filter(pk__in=hall_windows.values("categories"))
    tickets = tickets.order_by().annotate(
        wait=WAIT,
        service=SERVICE,
        issue_hour=ExtractHour("issued_at", tzinfo=zone),
        call_hour=ExtractHour("called_at", tzinfo=zone),
    )
    # The waits of the period, for the percentiles of every table (one query, whatever the number).
    waits: dict[str, dict[Any, list[float]]] = defaultdict(lambda: defaultdict(list))
    for category_id, window_id, clerk_id, hour, wait in tickets.filter(_CALLED).values_list(
        "category_id", "window_id", "clerk_id", "issue_hour", "wait"
    ):
        minutes = wait.total_seconds() / 60 if isinstance(wait, dt.timedelta) else float(wait) / 60e6
        waits["category"][category_id].append(minutes)
        waits["window"][window_id].append(minutes)
        waits["clerk"][clerk_id].append(minutes)
        waits["hour"][hour].append(minutes)
        waits["total"][None].append(minutes)

    def p90(table: str, key: Any) -> float | None:
        value = percentile(waits[table].get(key, []))
        return None if value is None else round(value, 1)

    total = _fill(Row(key=None, label="合计"), tickets.aggregate(**_aggregates()))
    total.wait_p90 = p90("total", None)

    by_category = {row["category_id"]: row for row in _grouped(tickets, "category_id")}
    categories = []
    for category in hall_categories.order_by("position", "prefix"):
        values = by_category.get(category.pk)
        if values is None and not category.is_active:
            continue
        row = _fill(Row(key=category.pk, label=f"{category.prefix} {category.name}"), values or {})
        row.wait_p90 = p90("category", category.pk)
        categories.append(row)

    by_window = {row["window_id"]: row for row in _grouped(tickets.filter(window__isnull=False), "window_id")}
    windows = []
    for window in hall_windows.order_by("position", "number"):
        values = by_window.get(window.pk)
        if values is None and not window.is_active:
            continue
        row = _fill(Row(key=window.pk, label=f"{window.number}号 {window.name}"), values or {})
        row.wait_p90 = p90("window", window.pk)
        windows.append(row)

    clerks = []
    for values in _grouped(
        tickets.filter(clerk__isnull=False), "clerk_id", "clerk__full_name", "clerk__username"
    ):
        label = values["clerk__full_name"] or values["clerk__username"]
        row = _fill(Row(key=values["clerk_id"], label=label), values)
        row.wait_p90 = p90("clerk", values["clerk_id"])
        clerks.append(row)
    clerks.sort(key=lambda row: (-row.tickets, row.label))

    hours: dict[int, Row] = {}
    for values in _grouped(tickets, "issue_hour"):
        hour = values["issue_hour"]
        row = hours[hour] = _fill(Row(key=hour, label=f"{hour:02d}:00"), values)
        row.served, row.service_avg = 0, None  # by the hour of the call, below
        row.wait_p90 = p90("hour", hour)
    for values in _grouped(tickets.filter(_CALLED), "call_hour"):
        hour = values["call_hour"]
        row = hours.setdefault(hour, Row(key=hour, label=f"{hour:02d}:00"))
        row.served = values["served"] or 0
        row.service_avg = _minutes(values["service_avg"])
    return HallFigures(
        hall=hall,
        start=start,
        end=end,
        total=total,
        by_category=categories,
        by_window=windows,
        by_clerk=clerks,
        by_hour=[hours[hour] for hour in sorted(hours)],
        scope=scope if departments is not None else "",
    )


PRESETS = (("today", "今日"), ("week", "本周"), ("month", "本月"))
