"""12345统计: 响应率, 办结率, 按时办结率, 解决率, 满意率, 重办率 and the average handling time of the tickets
received in a period, by lead department (主办单位) and by day or month, with the counts behind them.

Reads only, in a fixed number of queries whatever the number of tickets: ``hotline_figures`` five (the
total, the departments, the departments' returns, the periods, the periods' returns — each one grouped
aggregate computed in the database with conditional counts).

**Which tickets.** Those whose received day (the local date of ``received_at``) is from ``start`` to
``end``, except the merged ones (已并单: a repeat is counted in the ticket it was merged into). A
department's row holds the tickets it leads now (``HotlineTicket.lead``; after a return and a re-dispatch,
the new lead); the row without a lead ("未派单") holds the direct answers and the tickets not yet
dispatched. The rows add up to the total. ``now`` (default: the present) decides what is still within
its limits.

- received (受理数): the tickets.
- dispatched (派单数): those dispatched to a lead (``dispatched_at`` set).
- 响应率 = responded ÷ due to respond.
  *Due to respond*: a direct answer, or a dispatched ticket except one in return review (its lead's part
  was returned; it counts again once re-dispatched) and one still waiting for its signature before its
  sign limit (``status`` 已派单待签收 with ``sign_due_at`` after ``now``: not yet late, not yet signed).
  *Responded*: a direct answer (answered at once), or a ticket whose lead's live assignment (role 主办,
  neither returned nor withdrawn — one per ticket) has ``Assignment.signed_at`` at or before
  ``HotlineTicket.sign_due_at`` (the sign limit of the latest dispatch).
- 办结率 = closed ÷ received: closed (已办结) — by a direct answer or after the call-back.
- 按时办结率 = closed on time ÷ closed dispatched: the closed tickets that were dispatched (direct answers
  are left out) whose lead's reply (``replied_at``, the last one after a 重办) is at or before ``due_at``
  (the handling limit, extensions included; a 重办 sets a new one).
- 解决率 = solved ÷ closed: the lead (or the operator's direct answer) said the matter is solved
  (``solved`` true).
- 满意率 = satisfied ÷ called back: the latest call-back's result (``callback_result``) is 满意 or 基本满意,
  over the tickets whose latest call-back reached the caller (满意, 基本满意 or 不满意; 未联系上 is not a
  result).
- 重办率 = reopened ÷ closed dispatched: the closed dispatched tickets reopened at least once
  (``reopen_count`` > 0).
- average handling time (平均办理时长): calendar hours — nights, weekends and holidays included — from the
  dispatch (``dispatched_at``, the latest one) to the lead's reply (``replied_at``, the last one), over the
  dispatched tickets replied; one decimal.
- 直接办结: the direct answers. 退单: the returns (a lead's part returned), counted for the department that
  returned — a department may have returns on tickets another leads now. 催办: the tickets reminded at
  least once (``reminders`` > 0, supervisions included); 督办: the tickets supervised. 挂账: the tickets
  carried as long-term matters at some time (a plan date set). 超期未办结: the tickets dispatched or being
  handled (已派单待签收, 办理中) past their handling limit at ``now``.

A rate is ``None`` when its denominator is zero (shown as "—").

By period: local days when the period is at most ``DAY_PERIODS_UP_TO`` days, else calendar months.

Who sees what (``figures_scope``): the hotline office (operators: ``hotline.intake`` or
``hotline.dispatch``), the admin and the inspector see every department; a department's staff (a handler, a
chief representative) see only the tickets their departments lead — and their own returns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DateField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from yichuang.accounts.models import Department
from yichuang.accounts.policies import department_scope
from yichuang.accounts.roles import CENTRE_WIDE_ROLES
from yichuang.core import periods
from yichuang.core.periods import MAX_PERIOD_DAYS, day_start, period_check
from yichuang.core.permissions import has_capability
from yichuang.hotline.models_tickets import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    CallBackResult,
    HotlineStatus,
    HotlineTicket,
)

__all__ = [
    "DAY_PERIODS_UP_TO",
    "MAX_PERIOD_DAYS",
    "NO_LEAD_LABEL",
    "PRESETS",
    "HotlineFigures",
    "Row",
    "figures_scope",
    "hotline_figures",
    "period_preset",
    "period_tickets",
]

DAY_PERIODS_UP_TO = 62
NO_LEAD_LABEL = "未派单（直接办结、待派单）"
PRESETS = (("month", "本月"), ("last_month", "上月"), ("week", "本周"), ("today", "今日"), ("year", "本年"))

S = HotlineStatus
_NOT_LIVE = (AssignmentStatus.RETURNED, AssignmentStatus.WITHDRAWN)
_OVERDUE_STATUSES = (S.DISPATCHED, S.HANDLING)


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _percent(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def _rate(rate: float | None) -> float | None:
    return None if rate is None else round(rate, 4)


COUNTS = (
    "received",
    "dispatched",
    "response_due",
    "responded",
    "closed",
    "closed_dispatched",
    "closed_on_time",
    "solved",
    "called_back",
    "satisfied",
    "reopened",
    "replied",
    "answered_directly",
    "returns",
    "reminded",
    "supervised",
    "long_term",
    "open_overdue",
)


@dataclass
class Row:
    """One line of a table: ``key`` is the department id (None: no lead; the total's too), or the first
    day of a period."""

    key: Any
    label: str
    received: int = 0
    dispatched: int = 0
    response_due: int = 0
    responded: int = 0
    closed: int = 0
    closed_dispatched: int = 0
    closed_on_time: int = 0
    solved: int = 0
    called_back: int = 0
    satisfied: int = 0
    reopened: int = 0
    replied: int = 0  # dispatched tickets replied: the average handling time's denominator
    handling_hours: float | None = None
    answered_directly: int = 0
    returns: int = 0
    reminded: int = 0
    supervised: int = 0
    long_term: int = 0
    open_overdue: int = 0

    @property
    def response_rate(self) -> float | None:
        """响应率: responded over due to respond."""
        return _ratio(self.responded, self.response_due)

    @property
    def closing_rate(self) -> float | None:
        """办结率: closed over received."""
        return _ratio(self.closed, self.received)

    @property
    def on_time_rate(self) -> float | None:
        """按时办结率: closed with the reply within the limit over closed dispatched."""
        return _ratio(self.closed_on_time, self.closed_dispatched)

    @property
    def solved_rate(self) -> float | None:
        """解决率: solved over closed."""
        return _ratio(self.solved, self.closed)

    @property
    def satisfaction_rate(self) -> float | None:
        """满意率: satisfied or basically satisfied over called back."""
        return _ratio(self.satisfied, self.called_back)

    @property
    def reopen_rate(self) -> float | None:
        """重办率: reopened over closed dispatched."""
        return _ratio(self.reopened, self.closed_dispatched)

    @property
    def response_percent(self) -> float | None:
        return _percent(self.response_rate)

    @property
    def closing_percent(self) -> float | None:
        return _percent(self.closing_rate)

    @property
    def on_time_percent(self) -> float | None:
        return _percent(self.on_time_rate)

    @property
    def solved_percent(self) -> float | None:
        return _percent(self.solved_rate)

    @property
    def satisfaction_percent(self) -> float | None:
        return _percent(self.satisfaction_rate)

    @property
    def reopen_percent(self) -> float | None:
        return _percent(self.reopen_rate)

    def as_dict(self) -> dict[str, Any]:
        key = self.key
        if isinstance(key, dt.date):
            key = key.isoformat()
        return {
            "key": key,
            "label": self.label,
            **{name: getattr(self, name) for name in COUNTS},
            "handling_hours": self.handling_hours,
            "response_rate": _rate(self.response_rate),
            "closing_rate": _rate(self.closing_rate),
            "on_time_rate": _rate(self.on_time_rate),
            "solved_rate": _rate(self.solved_rate),
            "satisfaction_rate": _rate(self.satisfaction_rate),
            "reopen_rate": _rate(self.reopen_rate),
        }


@dataclass
class HotlineFigures:
    start: dt.date
    end: dt.date
    now: dt.datetime
    total: Row
    by_department: list[Row] = field(default_factory=list)
    by_period: list[Row] = field(default_factory=list)
    granularity: str = "day"  # "day" or "month"
    scope: str = ""  # empty for every department; else whose figures these are

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "now": timezone.localtime(self.now).isoformat(timespec="seconds"),
            "scope": self.scope,
            "granularity": self.granularity,
            "total": self.total.as_dict(),
            "by_department": [row.as_dict() for row in self.by_department],
            "by_period": [row.as_dict() for row in self.by_period],
        }


# ——— periods and scope ———


def period_preset(preset: str, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """本月 (the default), 上月, 本周, 今日, 本年 (``core.periods``)."""
    return periods.period_preset(preset, today, default="month")


def figures_scope(user: Any) -> tuple[QuerySet[Department] | None, str]:
    """Whose tickets ``user`` sees the figures of: every department for the hotline office, the admin and
    the inspector; else his department's (and those below it)."""
    if (
        has_capability(user, "hotline.dispatch")
        or has_capability(user, "hotline.intake")
        or getattr(user, "role", None) in CENTRE_WIDE_ROLES
    ):
        return None, ""
    department = getattr(user, "department", None)
    return department_scope(user), department.name if department is not None else ""


def period_tickets(start: dt.date, end: dt.date) -> QuerySet[HotlineTicket]:
    """The tickets received on the local days ``start`` to ``end``, merged ones left out."""
    return (
        HotlineTicket.objects.filter(
            received_at__gte=day_start(start), received_at__lt=day_start(end + dt.timedelta(days=1))
        )
        .exclude(status=S.MERGED)
        .order_by()
    )


# ——— the aggregates ———


def _aggregates(now: dt.datetime) -> dict[str, Any]:
    dispatched = Q(dispatched_at__isnull=False)
    direct = Q(answered_directly=True)
    closed = Q(status=S.CLOSED)
    closed_dispatched = closed & dispatched
    signed_in_time = Exists(
        Assignment.objects.filter(
            ticket=OuterRef("pk"),
            role=AssignmentRole.LEAD,
            signed_at__isnull=False,
            signed_at__lte=OuterRef("sign_due_at"),
        ).exclude(status__in=_NOT_LIVE)
    )
    waiting_in_time = Q(status=S.DISPATCHED, sign_due_at__gt=now)
    replied = dispatched & Q(replied_at__isnull=False)
    handling = ExpressionWrapper(F("replied_at") - F("dispatched_at"), output_field=DurationField())
    return {
        "received": Count("id"),
        "dispatched": Count("id", filter=dispatched),
        "response_due": Count(
            "id", filter=direct | (dispatched & ~Q(status=S.RETURN_REVIEW) & ~waiting_in_time)
        ),
        "responded": Count("id", filter=direct | Q(signed_in_time)),
        "closed": Count("id", filter=closed),
        "closed_dispatched": Count("id", filter=closed_dispatched),
        "closed_on_time": Count(
            "id", filter=closed_dispatched & Q(replied_at__isnull=False, replied_at__lte=F("due_at"))
        ),
        "solved": Count("id", filter=closed & Q(solved=True)),
        "called_back": Count(
            "id",
            filter=Q(
                callback_result__in=[
                    CallBackResult.SATISFIED,
                    CallBackResult.BASIC,
                    CallBackResult.UNSATISFIED,
                ]
            ),
        ),
        "satisfied": Count(
            "id", filter=Q(callback_result__in=[CallBackResult.SATISFIED, CallBackResult.BASIC])
        ),
        "reopened": Count("id", filter=closed_dispatched & Q(reopen_count__gt=0)),
        "replied": Count("id", filter=replied),
        "handling": Avg(handling, filter=replied),
        "answered_directly": Count("id", filter=direct),
        "reminded": Count("id", filter=Q(reminders__gt=0)),
        "supervised": Count("id", filter=Q(supervised=True)),
        "long_term": Count("id", filter=Q(long_term_due__isnull=False)),
        "open_overdue": Count("id", filter=Q(status__in=_OVERDUE_STATUSES, due_at__lt=now)),
    }


def _hours(value: Any) -> float | None:
    if value is None:
        return None
    # A backend without an interval type gives microseconds.
    seconds = value.total_seconds() if isinstance(value, dt.timedelta) else float(value) / 1_000_000
    return round(seconds / 3600, 1)


def _fill(row: Row, values: dict[str, Any]) -> Row:
    for name in COUNTS:
        if name != "returns":
            setattr(row, name, values.get(name) or 0)
    row.handling_hours = _hours(values.get("handling"))
    return row


def _period_expression(granularity: str, received: str = "received_at") -> Any:
    zone = timezone.get_current_timezone()
    if granularity == "month":
        return TruncMonth(received, tzinfo=zone, output_field=DateField())
    return TruncDate(received, tzinfo=zone)


def _period_label(day: dt.date, granularity: str) -> str:
    return f"{day:%Y年%m月}" if granularity == "month" else f"{day:%Y-%m-%d}"


def hotline_figures(
    *,
    start: dt.date,
    end: dt.date,
    departments: QuerySet[Department] | None = None,
    scope: str = "",
    now: dt.datetime | None = None,
    by_period: bool = True,
) -> HotlineFigures:
    """The figures of the tickets received on the days ``start`` to ``end`` (local dates, both included);
    with ``departments`` (a department's staff) only the tickets they lead and their returns; by day or
    month of receipt too unless ``by_period`` is false."""
    period_check(start, end)
    now = now or timezone.now()
    tickets = period_tickets(start, end)
    returned = Assignment.objects.filter(
        role=AssignmentRole.LEAD,
        status=AssignmentStatus.RETURNED,
        ticket__received_at__gte=day_start(start),
        ticket__received_at__lt=day_start(end + dt.timedelta(days=1)),
    ).exclude(ticket__status=S.MERGED)
    if departments is not None:
        tickets = tickets.filter(lead__in=departments)
        returned = returned.filter(department__in=departments)
    aggregates = _aggregates(now)

    # By lead department (and the row without a lead), with the returns of each department.
    rows: dict[Any, Row] = {}
    paths: dict[Any, str] = {}
    for values in tickets.values("lead_id", "lead__name", "lead__path").annotate(**aggregates):
        key = values["lead_id"]
        rows[key] = _fill(Row(key=key, label=values["lead__name"] or NO_LEAD_LABEL), values)
        paths[key] = values["lead__path"] or "~"  # no lead: last
    for values in returned.values("department_id", "department__name", "department__path").annotate(
        count=Count("id")
    ):
        key = values["department_id"]
        if key not in rows:
            rows[key] = Row(key=key, label=values["department__name"])
            paths[key] = values["department__path"]
        rows[key].returns = values["count"]
    by_department = sorted(rows.values(), key=lambda row: (paths[row.key], row.label))

    total = _fill(Row(key=None, label="合计"), tickets.aggregate(**aggregates))
    total.returns = sum(row.returns for row in by_department)

    # By day or month of receipt.
    granularity = "day" if (end - start).days < DAY_PERIODS_UP_TO else "month"
    received: dict[dt.date, Row] = {}
    if by_period:
        received = _by_period(tickets, returned, granularity, aggregates)
    return HotlineFigures(
        start=start,
        end=end,
        now=now,
        total=total,
        by_department=by_department,
        by_period=[received[day] for day in sorted(received)],
        granularity=granularity,
        scope=scope if departments is not None else "",
    )


def _by_period(
    tickets: QuerySet[HotlineTicket], returned: QuerySet[Assignment], granularity: str, aggregates: Any
) -> dict[dt.date, Row]:
    expression = _period_expression(granularity)
    by_period: dict[dt.date, Row] = {}
    for values in tickets.annotate(period=expression).values("period").annotate(**aggregates):
        day = values["period"]
        by_period[day] = _fill(Row(key=day, label=_period_label(day, granularity)), values)
    period_returns = (
        returned.annotate(period=_period_expression(granularity, "ticket__received_at"))
        .values("period")
        .annotate(count=Count("id"))
    )
    for values in period_returns:
        day = values["period"]
        if day not in by_period:
            by_period[day] = Row(key=day, label=_period_label(day, granularity))
        by_period[day].returns = values["count"]
    return by_period
