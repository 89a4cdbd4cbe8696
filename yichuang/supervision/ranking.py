"""评比排名 (月规范、季评比): departments by a composite score with the admin's weights, and windows and
staff members for the 示范窗口 / 服务标兵 selection.

A department's score over a month or a quarter is the weighted mean of its indicators, each a percentage:
按时办结率, 网办率, 即办件占比, 一窗受理率, 提前办结率, 免证办占比 (cases), 满意率 and 差评整改率
(好差评), 12345 按时办结率 and 满意率. Only the indicators it has data for count (a rate with no
denominator leaves its weight out). Minus the card points: each yellow card (not lifted), each red card,
and each card still unanswered past its answer date. Never below 0. Equal scores share a rank.

A window's or a staff member's score: the weighted mean of 满意率 and 按时办结率 (staff) or 一窗受理率
(windows) with the same weights. Fewer than ``minimum_services`` services in the period (cases accepted
or decided, plus ratings): listed unranked. The first three ranked are the candidates of the period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError
from django.utils import timezone

from yichuang.accounts.models import Department, User
from yichuang.core.audit import audit_record, audited_atomic
from yichuang.core.errors import ApplicationError, ConflictError
from yichuang.core.periods import month_end, month_start
from yichuang.core.permissions import require_capability
from yichuang.hall.models import Window
from yichuang.hotline.figures import hotline_figures
from yichuang.ratings.figures import ratings_figures
from yichuang.supervision.dashboard import ratings_by_key
from yichuang.supervision.figures import CaseRow, case_figures
from yichuang.supervision.models import Dimension, Honour, HonourKind, PeriodKind, RankingScheme
from yichuang.supervision.selectors_cards import CardCounts, card_counts

CANDIDATES = 3

# indicator → (label, scheme weight field)
DEPARTMENT_INDICATORS: tuple[tuple[str, str], ...] = (
    ("on_time", "按时办结率"),
    ("online", "网办率"),
    ("immediate", "即办件占比"),
    ("one_window", "一窗受理率"),
    ("early", "提前办结率"),
    ("exempt", "免证办占比"),
    ("satisfaction", "满意率"),
    ("rectification", "差评整改率"),
    ("hotline_on_time", "12345按时办结率"),
    ("hotline_satisfaction", "12345满意率"),
)


def scheme() -> RankingScheme:
    """The admin's weights (the defaults until he saves some)."""
    return RankingScheme.objects.order_by("pk").first() or RankingScheme()


def period_of(kind: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The month or the quarter ``day`` is in."""
    if kind == PeriodKind.QUARTER:
        first = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
        last = month_end(first.replace(month=first.month + 2))
        return first, last
    if kind != PeriodKind.MONTH:
        raise ApplicationError("评比周期无效", code="invalid", fields={"period": ["评比周期无效"]})
    return month_start(day), month_end(day)


def period_label(kind: str, start: dt.date) -> str:
    if kind == PeriodKind.QUARTER:
        return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
    return f"{start.year}年{start.month}月"


@dataclass
class Ranked:
    key: int
    label: str
    score: float | None
    indicators: dict[str, float | None] = field(default_factory=dict)
    services: int = 0
    cards: CardCounts = field(default_factory=CardCounts)
    points: float = 0.0
    rank: int | None = None


def _weighted(values: dict[str, float | None], weights: dict[str, int]) -> float | None:
    total = sum(weights[name] for name, value in values.items() if value is not None and weights.get(name))
    if not total:
        return None
    return (
        sum(
            weights[name] * value for name, value in values.items() if value is not None and weights.get(name)
        )
        / total
    )


def _percent(rate: float | None) -> float | None:
    return None if rate is None else rate * 100


def _rank(rows: list[Ranked]) -> list[Ranked]:
    """Highest score first; equal scores share a rank; unranked (score None) last, by label."""
    ranked = sorted(
        (r for r in rows if r.score is not None), key=lambda r: (-round(r.score or 0, 2), r.label)
    )
    previous, rank = None, 0
    for position, row in enumerate(ranked, start=1):
        score = round(row.score or 0, 2)
        if score != previous:
            rank, previous = position, score
        row.rank = rank
    return ranked + sorted((r for r in rows if r.score is None), key=lambda r: r.label)


def _weights(current: RankingScheme) -> dict[str, int]:
    return {name: int(getattr(current, name)) for name, _label in DEPARTMENT_INDICATORS}


def department_ranking(
    *, start: dt.date, end: dt.date, departments: list[int] | None = None, today: dt.date | None = None
) -> list[Ranked]:
    today = today or timezone.localdate()
    current = scheme()
    weights = _weights(current)
    queryset = None if departments is None else Department.objects.filter(pk__in=departments)
    cases = {
        row.key: row for row in case_figures(start=start, end=end, departments=departments, today=today).rows
    }
    ratings = {
        row.key: row
        for row in ratings_figures(
            start=start, end=end, departments=queryset, parts={"department"}
        ).by_department
    }
    hotline = {
        row.key: row
        for row in hotline_figures(start=start, end=end, departments=queryset, by_period=False).by_department
    }
    cards = card_counts(start=start, end=end, departments=departments, today=today)
    keys = {k for k in (*cases, *ratings, *hotline, *cards) if k}
    names = dict(Department.objects.filter(pk__in=keys).values_list("pk", "name"))
    rows = []
    for key in keys:
        case_row = cases.get(key) or CaseRow(key=key)
        rated, called = ratings.get(key), hotline.get(key)
        values = {
            "on_time": _percent(case_row.on_time_rate),
            "online": _percent(case_row.online_rate),
            "immediate": _percent(case_row.immediate_rate),
            "one_window": _percent(case_row.one_window_rate),
            "early": _percent(case_row.early_rate),
            "exempt": _percent(case_row.exempt_rate),
            "satisfaction": _percent(rated.satisfaction_rate if rated else None),
            "rectification": _percent(rated.rectification_rate if rated else None),
            "hotline_on_time": _percent(called.on_time_rate if called else None),
            "hotline_satisfaction": _percent(called.satisfaction_rate if called else None),
        }
        counted = cards.get(key, CardCounts())
        points = float(
            counted.yellow * current.yellow_points
            + counted.red * current.red_points
            + counted.unanswered * current.unanswered_points
        )
        base = _weighted(values, weights)
        score = None if base is None else max(0.0, base - points)
        services = (
            case_row.accepted
            + case_row.decided
            + (rated.count if rated else 0)
            + (called.received if called else 0)
        )
        rows.append(Ranked(key, names.get(key, str(key)), score, values, services, counted, points))
    return _rank(rows)


def _small_ranking(rows: dict[int, Ranked], minimum: int) -> list[Ranked]:
    for row in rows.values():
        if row.services < minimum:
            row.score = None
    return _rank(list(rows.values()))


def window_ranking(*, start: dt.date, end: dt.date, today: dt.date | None = None) -> list[Ranked]:
    current = scheme()
    weights = {"satisfaction": current.satisfaction, "one_window": current.one_window}
    cases = {
        row.key: row
        for row in case_figures(start=start, end=end, dimension=Dimension.WINDOW, today=today).rows
    }
    rated = ratings_by_key(Dimension.WINDOW, ratings_figures(start=start, end=end))
    windows = Window.objects.filter(pk__in={*cases, *rated}).select_related("hall")
    rows: dict[int, Ranked] = {}
    for window in windows:
        case_row, rating = cases.get(window.pk) or CaseRow(key=window.pk), rated.get(window.pk)
        values = {
            "satisfaction": _percent(rating.satisfaction_rate if rating else None),
            "one_window": _percent(case_row.one_window_rate),
        }
        services = case_row.accepted + (rating.count if rating else 0)
        label = f"{window.hall.name} {window.number}号 {window.name}"
        rows[window.pk] = Ranked(window.pk, label, _weighted(values, weights), values, services)
    return _small_ranking(rows, current.minimum_services)


def staff_ranking(*, start: dt.date, end: dt.date, today: dt.date | None = None) -> list[Ranked]:
    current = scheme()
    weights = {"satisfaction": current.satisfaction, "on_time": current.on_time}
    cases = {
        row.key: row
        for row in case_figures(start=start, end=end, dimension=Dimension.STAFF, today=today).rows
    }
    rated = ratings_by_key(Dimension.STAFF, ratings_figures(start=start, end=end))
    people = User.objects.filter(pk__in={*cases, *rated}).select_related("department")
    rows: dict[int, Ranked] = {}
    for person in people:
        case_row, rating = cases.get(person.pk) or CaseRow(key=person.pk), rated.get(person.pk)
        values = {
            "satisfaction": _percent(rating.satisfaction_rate if rating else None),
            "on_time": _percent(case_row.on_time_rate),
        }
        services = case_row.accepted + case_row.decided + (rating.count if rating else 0)
        label = (
            f"{person.full_name or person.username}（{person.department.name if person.department else ''}）"
        )
        rows[person.pk] = Ranked(person.pk, label, _weighted(values, weights), values, services)
    return _small_ranking(rows, current.minimum_services)


@audited_atomic
def honour_award(
    *,
    actor: Any,
    kind: str,
    period_kind: str,
    day: dt.date,
    key: int,
    reason: str,
    today: dt.date | None = None,
) -> Honour:
    """评选 a 示范窗口 or 服务标兵 of the period ``day`` is in, from the candidates (the first three
    ranked) of a period that has ended."""
    require_capability(actor, "supervision.rank", "只有政数局管理员可以评选示范窗口和服务标兵")
    if kind not in HonourKind.values:
        raise ApplicationError("评选类别无效", code="invalid", fields={"kind": ["评选类别无效"]})
    start, end = period_of(period_kind, day)
    today = today or timezone.localdate()
    if end >= today:
        raise ConflictError(f"{period_label(period_kind, start)}尚未结束，结束后再评选", code="period_open")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("请填写评选理由", code="invalid", fields={"reason": ["请填写评选理由"]})
    ranking = (window_ranking if kind == HonourKind.MODEL_WINDOW else staff_ranking)(
        start=start, end=end, today=today
    )
    candidate = next((row for row in ranking if row.key == key), None)
    if candidate is None or candidate.rank is None or candidate.rank > CANDIDATES:
        raise ConflictError(f"只能从排名前{CANDIDATES}名中评选", code="not_a_candidate")
    subject: dict[str, Any] = {"window_id": key} if kind == HonourKind.MODEL_WINDOW else {"staff_id": key}
    if Honour.objects.filter(kind=kind, period_kind=period_kind, period_start=start, **subject).exists():
        raise ConflictError("已评选过", code="already_awarded")
    try:
        honour = Honour.objects.create(
            kind=kind,
            period_kind=period_kind,
            period_start=start,
            rank=candidate.rank,
            score=Decimal(str(round(candidate.score or 0, 2))),
            reason=reason,
            awarded_by=actor,
            awarded_at=timezone.now(),
            **subject,
        )
    except IntegrityError as error:
        raise ConflictError("已评选过", code="already_awarded") from error
    audit_record(
        actor=actor,
        action="supervision.honour_awarded",
        obj=honour,
        data={"kind": kind, "period": period_label(period_kind, start), "key": key, "rank": candidate.rank},
    )
    return honour
