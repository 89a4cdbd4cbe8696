"""The dashboard's content for one period and dimension: the case figures, with — where the key is the same —
the 好差评 and 12345 figures of that department, window, staff member or item, and the charts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.accounts.models import Department
from yichuang.accounts.policies import department_scope
from yichuang.accounts.roles import CENTRE_WIDE_ROLES
from yichuang.hall.models import Window
from yichuang.hotline.figures import HotlineFigures, hotline_figures
from yichuang.ratings.figures import RatingsFigures, ratings_figures
from yichuang.ratings.figures import Row as RatingsRow
from yichuang.supervision import charts
from yichuang.supervision.figures import (
    CaseFigures,
    CaseRow,
    case_figures,
    daily_trend,
    live_part,
    monthly_trend,
)
from yichuang.supervision.models import Dimension

TOP = 10
# The screen's table shows this many rows (by 受理量); the API and the monthly report's Excel have them all.
TABLE_ROWS = 200
# A period longer than this many days has its trend by month (a year by day is 365 points nobody reads).
TREND_DAILY_DAYS = 92


def scope_of(user: Any) -> tuple[QuerySet[Department] | None, list[int] | None, str]:
    """(departments queryset, their ids, a label) for a department's staff; (None, None, "") centre-wide."""
    if user.role in CENTRE_WIDE_ROLES:
        return None, None, ""
    departments = department_scope(user)
    return departments, list(departments.values_list("pk", flat=True)), str(user.department)


@dataclass
class Line:
    """A dashboard row: the case figures and, when known for the same key, the ratings and hotline ones."""

    cases: CaseRow
    ratings: RatingsRow | None = None
    hotline: Any = None


@dataclass
class Dashboard:
    figures: CaseFigures
    lines: list[Line]
    ratings: RatingsFigures
    hotline: HotlineFigures | None
    trend_chart: dict[str, Any] = field(default_factory=dict)
    volume_chart: dict[str, Any] = field(default_factory=dict)
    rate_chart: dict[str, Any] = field(default_factory=dict)


def ratings_by_key(dimension: str, ratings: RatingsFigures) -> dict[int, RatingsRow]:
    if dimension == Dimension.DEPARTMENT:
        return {row.key: row for row in ratings.by_department if row.key is not None}
    if dimension == Dimension.STAFF:
        return {row.key: row for row in ratings.by_staff if row.key is not None}
    if dimension == Dimension.ITEM:
        return {row.key: row for row in ratings.by_item if row.key is not None}
    windows = {(w.hall.code, w.number): w.pk for w in Window.objects.select_related("hall")}
    out = {}
    for row in ratings.by_window:
        pk = windows.get(tuple(row.key)) if isinstance(row.key, list | tuple) else None
        if pk is not None:
            out[pk] = row
    return out


def dashboard(
    *,
    user: Any,
    start: dt.date,
    end: dt.date,
    dimension: str = Dimension.DEPARTMENT,
    today: dt.date | None = None,
) -> Dashboard:
    today = today or timezone.localdate()
    departments, ids, scope = scope_of(user)
    live = live_part(dimension, start, end, departments=ids, today=today)
    figures = case_figures(start=start, end=end, dimension=dimension, departments=ids, today=today, live=live)
    # The ratings' total and the rows of this dimension only; the 12345 figures without their trend.
    ratings = ratings_figures(
        start=start, end=end, departments=departments, scope=scope, parts={str(dimension)}
    )
    hotline = hotline_figures(start=start, end=end, departments=departments, scope=scope, by_period=False)
    rated = ratings_by_key(dimension, ratings)
    called = {row.key: row for row in hotline.by_department} if dimension == Dimension.DEPARTMENT else {}
    lines = [Line(row, rated.get(row.key), called.get(row.key)) for row in figures.rows[:TABLE_ROWS]]
    board = Dashboard(figures, lines, ratings, hotline)
    if (end - start).days + 1 > TREND_DAILY_DAYS:
        trend = monthly_trend(start=start, end=end, departments=ids, today=today, live=live)
        trend_title = _("每月受理和办结")
    else:
        trend = daily_trend(start=start, end=end, departments=ids, today=today, live=live)
        trend_title = _("每日受理和办结")
    board.trend_chart = charts.line(
        [row.label for _day, row in trend],
        [
            (_("受理"), [row.accepted for _day, row in trend]),
            (_("办结"), [row.decided for _day, row in trend]),
        ],
        title=trend_title,
    )
    top = figures.rows[:TOP]
    board.volume_chart = charts.bar(
        [row.label for row in top],
        [(_("受理"), [row.accepted for row in top]), (_("办结"), [row.decided for row in top])],
        title=_("受理量前%(top)d") % {"top": TOP},
        horizontal=True,
    )
    board.rate_chart = charts.bar(
        [row.label for row in top],
        [
            (_("按时办结率"), [charts.percent_value(row.on_time_rate) for row in top]),
            (_("网办率"), [charts.percent_value(row.online_rate) for row in top]),
        ],
        title=_("按时办结率和网办率"),
        percent=True,
        horizontal=True,
    )
    return board
