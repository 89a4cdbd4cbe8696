"""From a figure to its cases: the cases one count of one row is made of, with the same definitions
(``facts``) the roll-up counts with, so the list always has as many cases as the figure says."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from yichuang.cases.models import Case
from yichuang.cases.workflow import TIMED_STATUSES
from yichuang.core.errors import ApplicationError
from yichuang.core.periods import day_start, period_check
from yichuang.supervision import facts
from yichuang.supervision.models import Dimension

METRIC_LABELS: dict[str, str] = {
    "submitted": "接件",
    "accepted": "受理",
    "accepted_online": "网上受理",
    "accepted_immediate": "即办件",
    "accepted_one_window": "综合窗口受理",
    "accepted_exempt": "免证办",
    "decided": "办结",
    "decided_on_time": "按时办结",
    "decided_early": "提前办结",
    "decided_late": "超期办结",
    "overdue_open": "超期在办",
}

# dimension → the field holding a running case (超期在办)
_HOLDERS: dict[str, str] = {
    Dimension.DEPARTMENT: "department_id",
    Dimension.ITEM: "item_id",
    Dimension.STAFF: "reviewer_id",
}


@dataclass(frozen=True)
class DrillDown:
    dimension: str
    key: int
    metric: str
    start: dt.date
    end: dt.date

    @property
    def metric_label(self) -> str:
        return METRIC_LABELS[self.metric]


def _key_filter(field: str, key: int) -> dict[str, object]:
    """Key 0 is the row of the unknown ones (no window, no staff member)."""
    return {f"{field}__isnull": True} if key == 0 else {field: key}


def drill_check(dimension: str, metric: str, start: dt.date, end: dt.date) -> None:
    if dimension not in Dimension.values:
        raise ApplicationError("统计维度无效", code="invalid", fields={"dimension": ["统计维度无效"]})
    if metric not in METRIC_LABELS:
        raise ApplicationError("统计指标无效", code="invalid", fields={"metric": ["统计指标无效"]})
    if metric == "overdue_open" and dimension not in _HOLDERS:
        raise ApplicationError(
            "该维度不统计超期在办", code="invalid", fields={"metric": ["该维度不统计超期在办"]}
        )
    if metric != "overdue_open" and facts.METRICS[metric][0] not in facts.KEYS[dimension]:
        raise ApplicationError(
            "该维度不统计此指标", code="invalid", fields={"metric": ["该维度不统计此指标"]}
        )
    period_check(start, end)


def drill_cases(
    drill: DrillDown, *, departments: list[int] | None = None, today: dt.date | None = None
) -> QuerySet[Case]:
    """The cases behind ``drill`` (within ``departments`` when given), newest fact first."""
    drill_check(drill.dimension, drill.metric, drill.start, drill.end)
    cases = Case.objects.all()
    if departments is not None:
        cases = cases.filter(department_id__in=departments)
    if drill.metric == "overdue_open":
        today = today or timezone.localdate()
        holder = _HOLDERS[drill.dimension]
        cases = cases.filter(status__in=TIMED_STATUSES, due_date__lt=today)
        cases = cases.filter(**_key_filter(holder, drill.key))
        return cases.order_by("due_date", "pk")
    fact = facts.METRICS[drill.metric][0]
    stamp = facts.FACT_DATES[fact]
    cases = cases.filter(
        **{
            f"{stamp}__gte": day_start(drill.start),
            f"{stamp}__lt": day_start(drill.end + dt.timedelta(days=1)),
        }
    )
    rows, _fact = facts.metric_cases(cases, drill.metric, window=drill.dimension == Dimension.WINDOW)
    key_field = facts.KEYS[drill.dimension][fact]
    rows = rows.filter(**_key_filter(key_field, drill.key))
    return rows.order_by(f"-{stamp}", "-pk")
