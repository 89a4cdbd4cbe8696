"""好差评统计: satisfaction, 差评率, 实名差评回访率 and 整改率 by department, window, staff member, item,
channel and month; the monthly ranking; the published months of the public page.

Reads only, in a fixed number of queries whatever the number of ratings: ``ratings_figures`` seven (the
total and one grouped aggregate per table, each computed in the database with conditional counts and
averages), ``monthly_ranking`` three, ``published_figures`` three.

Over the **valid** ratings (a rating removed after an upheld appeal never counts) whose rating day (the
local date of ``rated_at``) is from ``start`` to ``end``:

- count: the ratings; average level: the mean of the five levels (非常满意 5 … 非常不满意 1).
- 满意率 (satisfaction rate): the share of levels 3–5 (基本满意 and better) in the count.
- 差评 (bad ratings): levels 2 and 1; 差评率 = 差评 ÷ count.
- 实名差评: bad ratings whose rater is known (by account, ID number, credit code or phone).
- 实名差评回访率 (call-back rate): the real-name bad ratings whose rectification has ``called_back_at`` set
  — the rater was reached and the facts checked (回访核实) — over the real-name bad ratings. Attempts that
  did not reach the rater do not count: the rate is what was actually called back.
- 整改率 (rectification rate): the bad ratings whose rectification is 已反馈 (answered) or 已办结 (closed)
  over the bad ratings.
- indicator averages: the mean of each indicator sub-score (办事效率, 办事指南准确性, 网上办事便捷性,
  业务水平, 服务态度) over the ratings that gave it.

A rate is ``None`` when its denominator is zero (shown as "—").

By window: hall code and window number as recorded on the rating (hall services only). By staff: who served
(hall) or decided the case. By item: the case's item. By month: the local calendar month of the rating.

The monthly ranking orders departments (windows, staff) of one month by 满意率 (higher first), then 差评率
(lower first), then count (more first); equal on all three share a rank. Fewer than ``RANKING_MINIMUM``
ratings in the month: listed after the ranked ones, unranked.

The public page shows, for each month the admin published (``Publication``), per department: count, 满意率,
差评率, 整改率 and the department ranking — never a rater, a staff member or a window's clerk. Its numbers
are computed when shown: a rating removed by a later appeal leaves them, a rectification finished later
raises 整改率.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.db.models import Avg, Count, DateField, FloatField, Q, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, TruncMonth
from django.utils import timezone

from yichuang.accounts.models import Department
from yichuang.accounts.policies import department_scope
from yichuang.core import periods
from yichuang.core.periods import (  # noqa: F401  (the screens' and the publication's names)
    MAX_PERIOD_DAYS,
    day_start,
    month_end,
    month_start,
    period_check,
    previous_month,
)
from yichuang.ratings import policies
from yichuang.ratings.models import (
    Channel,
    Evaluation,
    EvaluationStatus,
    Publication,
    RectificationStatus,
)

RANKING_MINIMUM = 5
PUBLIC_MONTHS = 24

# Every indicator of either service mode, in the order the tables show them.
INDICATORS: tuple[tuple[str, str], ...] = (
    ("efficiency", "办事效率"),
    ("guide_accuracy", "办事指南准确性"),
    ("convenience", "网上办事便捷性"),
    ("competence", "业务水平"),
    ("attitude", "服务态度"),
)

_BAD = Q(is_bad=True)
_REAL_NAME_BAD = Q(is_bad=True, is_real_name=True)
_RECTIFIED = (RectificationStatus.ANSWERED, RectificationStatus.CLOSED)


def _aggregates() -> dict[str, Any]:
    aggregates: dict[str, Any] = {
        "count": Count("id"),
        "level_avg": Avg("level"),
        "satisfied": Count("id", filter=Q(level__gte=3)),
        "bad": Count("id", filter=_BAD),
        "real_name_bad": Count("id", filter=_REAL_NAME_BAD),
        "called_back": Count("id", filter=_REAL_NAME_BAD & Q(rectification__called_back_at__isnull=False)),
        "rectified": Count("id", filter=_BAD & Q(rectification__status__in=_RECTIFIED)),
    }
    for key, _label in INDICATORS:
        aggregates[f"indicator_{key}"] = Avg(Cast(KT(f"scores__{key}"), FloatField()))
    return aggregates


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _percent(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def _rounded(value: Any, digits: int = 2) -> float | None:
    return None if value is None else round(float(value), digits)


@dataclass
class Row:
    """One line of a table: ``key`` identifies the group (department id, (hall, window), staff id, item id,
    channel, month), ``label`` is what is shown."""

    key: Any
    label: str
    count: int = 0
    level_avg: float | None = None
    satisfied: int = 0
    bad: int = 0
    real_name_bad: int = 0
    called_back: int = 0
    rectified: int = 0
    indicators: dict[str, float | None] = field(default_factory=dict)

    @property
    def satisfaction_rate(self) -> float | None:
        """满意率: levels 3–5 over the count, 0–1."""
        return _ratio(self.satisfied, self.count)

    @property
    def bad_rate(self) -> float | None:
        """差评率: bad ratings over the count."""
        return _ratio(self.bad, self.count)

    @property
    def call_back_rate(self) -> float | None:
        """实名差评回访率: real-name bad ratings called back over real-name bad ratings."""
        return _ratio(self.called_back, self.real_name_bad)

    @property
    def rectification_rate(self) -> float | None:
        """整改率: bad ratings answered or closed over bad ratings."""
        return _ratio(self.rectified, self.bad)

    # Percentages (one decimal) for the screens.
    @property
    def satisfaction_percent(self) -> float | None:
        return _percent(self.satisfaction_rate)

    @property
    def bad_percent(self) -> float | None:
        return _percent(self.bad_rate)

    @property
    def call_back_percent(self) -> float | None:
        return _percent(self.call_back_rate)

    @property
    def rectification_percent(self) -> float | None:
        return _percent(self.rectification_rate)

    @property
    def indicator_values(self) -> list[float | None]:
        return [self.indicators.get(key) for key, _label in INDICATORS]

    def as_dict(self) -> dict[str, Any]:
        def rate(value: float | None) -> float | None:
            return None if value is None else round(value, 4)

        key = self.key
        if isinstance(key, dt.date):
            key = f"{key:%Y-%m}"
        elif isinstance(key, tuple):
            key = "/".join(str(part) for part in key)
        return {
            "key": key,
            "label": self.label,
            "count": self.count,
            "level_avg": self.level_avg,
            "satisfied": self.satisfied,
            "satisfaction_rate": rate(self.satisfaction_rate),
            "bad": self.bad,
            "bad_rate": rate(self.bad_rate),
            "real_name_bad": self.real_name_bad,
            "called_back": self.called_back,
            "call_back_rate": rate(self.call_back_rate),
            "rectified": self.rectified,
            "rectification_rate": rate(self.rectification_rate),
            "indicators": {key: self.indicators.get(key) for key, _label in INDICATORS},
        }


def _fill(row: Row, values: dict[str, Any]) -> Row:
    for name in ("count", "satisfied", "bad", "real_name_bad", "called_back", "rectified"):
        setattr(row, name, values.get(name) or 0)
    row.level_avg = _rounded(values.get("level_avg"))
    row.indicators = {key: _rounded(values.get(f"indicator_{key}")) for key, _label in INDICATORS}
    return row


@dataclass
class RatingsFigures:
    start: dt.date
    end: dt.date
    total: Row
    by_department: list[Row] = field(default_factory=list)
    by_window: list[Row] = field(default_factory=list)
    by_staff: list[Row] = field(default_factory=list)
    by_item: list[Row] = field(default_factory=list)
    by_channel: list[Row] = field(default_factory=list)
    by_month: list[Row] = field(default_factory=list)
    scope: str = ""  # empty for the whole centre; else the department whose figures these are

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "scope": self.scope,
            "total": self.total.as_dict(),
            "by_department": [row.as_dict() for row in self.by_department],
            "by_window": [row.as_dict() for row in self.by_window],
            "by_staff": [row.as_dict() for row in self.by_staff],
            "by_item": [row.as_dict() for row in self.by_item],
            "by_channel": [row.as_dict() for row in self.by_channel],
            "by_month": [row.as_dict() for row in self.by_month],
        }


# ——— periods ———


def period_preset(preset: str, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """本月 (the default), 上月, 本周, 今日, 本年 (``core.periods``)."""
    return periods.period_preset(preset, today, default="month")


PRESETS = (("month", "本月"), ("last_month", "上月"), ("week", "本周"), ("today", "今日"), ("year", "本年"))


def figures_scope(user: Any) -> tuple[QuerySet[Department] | None, str]:
    """Whose ratings ``user`` sees the figures of: all for the centre-wide roles (the admin, the
    inspector), else his department's (and those below it) — a chief representative's."""
    if policies.centre_wide(user):
        return None, ""
    department = getattr(user, "department", None)
    return department_scope(user), department.name if department is not None else ""


def valid_ratings(start: dt.date, end: dt.date) -> QuerySet[Evaluation]:
    """The valid ratings of the local days ``start`` to ``end``."""
    return Evaluation.objects.filter(
        status=EvaluationStatus.VALID,
        rated_at__gte=day_start(start),
        rated_at__lt=day_start(end + dt.timedelta(days=1)),
    ).order_by()


def _grouped(ratings: QuerySet[Evaluation], *keys: str) -> list[dict[str, Any]]:
    return list(ratings.values(*keys).annotate(**_aggregates()).order_by(*keys))


def _month_expression() -> TruncMonth:
    return TruncMonth("rated_at", tzinfo=timezone.get_current_timezone(), output_field=DateField())


def _by_department(ratings: QuerySet[Evaluation]) -> list[Row]:
    return [
        _fill(Row(key=values["department_id"], label=values["department__name"]), values)
        for values in _grouped(ratings, "department__path", "department_id", "department__name")
    ]


def _by_window(ratings: QuerySet[Evaluation]) -> list[Row]:
    return [
        _fill(
            Row(
                key=(values["hall_code"], values["window_number"]),
                label=f"{values['window_number']}号窗口（{values['hall_code']}）",
            ),
            values,
        )
        for values in _grouped(ratings.exclude(window_number=""), "hall_code", "window_number")
    ]


def _by_staff(ratings: QuerySet[Evaluation]) -> list[Row]:
    rows = [
        _fill(
            Row(key=values["staff_id"], label=values["staff__full_name"] or values["staff__username"]),
            values,
        )
        for values in _grouped(
            ratings.filter(staff__isnull=False), "staff_id", "staff__full_name", "staff__username"
        )
    ]
    rows.sort(key=lambda row: (-row.count, row.label))
    return rows


# The breakdowns ``ratings_figures`` can compute; a caller that shows a few asks for those only.
PARTS = frozenset({"department", "window", "staff", "item", "channel", "month"})


def ratings_figures(
    *,
    start: dt.date,
    end: dt.date,
    departments: QuerySet[Department] | None = None,
    scope: str = "",
    parts: Collection[str] = PARTS,
) -> RatingsFigures:
    """The figures of the valid ratings given on the days ``start`` to ``end`` (local dates, both included);
    with ``departments`` (a chief representative's scope) only the ratings of those departments. The total
    always; of the breakdowns only ``parts`` (see ``PARTS``), the others left empty."""
    period_check(start, end)
    ratings = valid_ratings(start, end)
    if departments is not None:
        ratings = ratings.filter(department__in=departments)
    total = _fill(Row(key=None, label="合计"), ratings.aggregate(**_aggregates()))
    figures = RatingsFigures(
        start=start, end=end, total=total, scope=scope if departments is not None else ""
    )
    if "item" in parts:
        figures.by_item = _by_item(ratings)
    if "channel" in parts:
        figures.by_channel = _by_channel(ratings)
    if "month" in parts:
        figures.by_month = [
            _fill(Row(key=values["month"], label=f"{values['month']:%Y年%m月}"), values)
            for values in _grouped(ratings.annotate(month=_month_expression()), "month")
        ]
    if "department" in parts:
        figures.by_department = _by_department(ratings)
    if "window" in parts:
        figures.by_window = _by_window(ratings)
    if "staff" in parts:
        figures.by_staff = _by_staff(ratings)
    return figures


def _by_item(ratings: QuerySet[Evaluation]) -> list[Row]:
    items = [
        _fill(Row(key=values["item_id"], label=values["item__name"]), values)
        for values in _grouped(ratings.filter(item__isnull=False), "item_id", "item__name")
    ]
    items.sort(key=lambda row: (-row.count, row.label))
    return items


def _by_channel(ratings: QuerySet[Evaluation]) -> list[Row]:
    channel_labels = dict(Channel.choices)
    by_channel = {values["channel"]: values for values in _grouped(ratings, "channel")}
    return [
        _fill(Row(key=channel, label=str(channel_labels[channel])), by_channel[channel])
        for channel in Channel.values
        if channel in by_channel
    ]


# ——— the monthly ranking ———


@dataclass(frozen=True)
class Ranked:
    rank: int | None  # None: fewer ratings than the minimum
    row: Row


def _ranking_key(row: Row) -> tuple[Fraction, Fraction, int]:
    # Exact fractions: 4/5 and 8/10 are the same 满意率 and must share a rank.
    return (-Fraction(row.satisfied, row.count), Fraction(row.bad, row.count), -row.count)


def rank_rows(rows: list[Row], minimum: int = RANKING_MINIMUM) -> list[Ranked]:
    """``rows`` ranked by 满意率, then 差评率, then count (competition ranking: 1, 2, 2, 4); those with fewer
    than ``minimum`` ratings follow, unranked, by count."""
    eligible = sorted(
        (row for row in rows if row.count >= max(minimum, 1)), key=lambda r: (_ranking_key(r), r.label)
    )
    ranked: list[Ranked] = []
    previous: tuple[Fraction, Fraction, int] | None = None
    rank = 0
    for position, row in enumerate(eligible, start=1):
        key = _ranking_key(row)
        if key != previous:
            rank, previous = position, key
        ranked.append(Ranked(rank=rank, row=row))
    rest = sorted((row for row in rows if row.count < max(minimum, 1)), key=lambda r: (-r.count, r.label))
    return ranked + [Ranked(rank=None, row=row) for row in rest]


@dataclass
class MonthlyRanking:
    month: dt.date  # the first day
    minimum: int
    departments: list[Ranked]
    windows: list[Ranked]
    staff: list[Ranked]

    def as_dict(self) -> dict[str, Any]:
        def table(rows: list[Ranked]) -> list[dict[str, Any]]:
            return [{"rank": ranked.rank, **ranked.row.as_dict()} for ranked in rows]

        return {
            "month": f"{self.month:%Y-%m}",
            "minimum": self.minimum,
            "departments": table(self.departments),
            "windows": table(self.windows),
            "staff": table(self.staff),
        }


def monthly_ranking(
    *, month: dt.date, departments: QuerySet[Department] | None = None, minimum: int = RANKING_MINIMUM
) -> MonthlyRanking:
    """The departments, windows and staff of the month of ``month`` ranked (see the module's docstring);
    with ``departments`` only theirs."""
    first = month_start(month)
    ratings = valid_ratings(first, month_end(first))
    if departments is not None:
        ratings = ratings.filter(department__in=departments)
    return MonthlyRanking(
        month=first,
        minimum=minimum,
        departments=rank_rows(_by_department(ratings), minimum),
        windows=rank_rows(_by_window(ratings), minimum),
        staff=rank_rows(_by_staff(ratings), minimum),
    )


# ——— the public page ———


@dataclass
class PublishedMonth:
    month: dt.date
    published_at: dt.datetime
    total: Row
    departments: list[Ranked]

    def as_dict(self) -> dict[str, Any]:
        def public(row: Row) -> dict[str, Any]:
            values = row.as_dict()
            return {
                name: values[name]
                for name in ("label", "count", "satisfaction_rate", "bad_rate", "rectification_rate")
            }

        return {
            "month": f"{self.month:%Y-%m}",
            "published_at": timezone.localtime(self.published_at).isoformat(timespec="seconds"),
            "total": public(self.total),
            "departments": [{"rank": ranked.rank, **public(ranked.row)} for ranked in self.departments],
        }


def published_figures(*, limit: int = PUBLIC_MONTHS, minimum: int = RANKING_MINIMUM) -> list[PublishedMonth]:
    """The published months (newest first, at most ``limit``) with their department figures and ranking.
    Only months with a ``Publication`` are read; only department-level numbers leave this function."""
    publications = list(Publication.objects.order_by("-month")[:limit])
    if not publications:
        return []
    months = [month_start(publication.month) for publication in publications]
    ratings = (
        valid_ratings(min(months), month_end(max(months)))
        .annotate(month=_month_expression())
        .filter(month__in=months)
    )
    totals = {values["month"]: values for values in _grouped(ratings, "month")}
    by_month: dict[dt.date, list[Row]] = {month: [] for month in months}
    for values in _grouped(ratings, "month", "department__path", "department_id", "department__name"):
        row = _fill(Row(key=values["department_id"], label=values["department__name"]), values)
        by_month[values["month"]].append(row)
    return [
        PublishedMonth(
            month=month,
            published_at=publication.published_at,
            total=_fill(Row(key=None, label="合计"), totals.get(month, {})),
            departments=rank_rows(by_month[month], minimum),
        )
        for month, publication in zip(months, publications, strict=True)
    ]
