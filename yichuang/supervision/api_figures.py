"""API of the supervision figures, mounted at ``/api/v1/supervision``:

- ``GET /figures`` — the case figures of a period by department, item, window or staff member (the dashboard's
  table), with the total; ``supervision.view``; a chief representative gets his departments' cases only;
- ``GET /figures/cases`` — the drill-down: the cases one count is made of, paged.

Definitions in ``yichuang.supervision.facts`` and ``yichuang.supervision.figures``."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from yichuang.core.masking import mask_name
from yichuang.core.periods import period_check, period_preset
from yichuang.core.permissions import require_capability
from yichuang.supervision.dashboard import scope_of
from yichuang.supervision.drilldown import DrillDown, drill_cases
from yichuang.supervision.figures import case_figures
from yichuang.supervision.models import Dimension

router = Router(tags=["电子监察"])

VIEW_MESSAGE = "您没有查看效能监察统计的权限"
PAGE_SIZE = 100


class SupervisionFiguresQuery(Schema):
    start: dt.date | None = Field(None, description="起始日期，默认本月1日")
    end: dt.date | None = Field(None, description="截止日期（含），默认今天；最长一年")
    dimension: Dimension = Field(
        Dimension.DEPARTMENT, description="统计维度：department · item · window · staff"
    )


class SupervisionFiguresRowOut(Schema):
    key: int = Field(
        description="部门、事项、窗口或人员的 id；0 为未知（未在窗口签到、系统视为受理等）；合计为 0"
    )
    label: str
    department_label: str = Field(description="事项的实施部门、窗口所在大厅、人员所在部门")
    submitted: int = Field(description="接件（按接件日期）")
    accepted: int = Field(description="受理（按受理日期；逾期未告知补正视为受理的，按接件日期）")
    accepted_online: int = Field(description="网上、掌上受理")
    accepted_immediate: int = Field(description="即办件")
    accepted_one_window: int = Field(description="综合窗口（综窗受理员）受理")
    accepted_exempt: int = Field(description="免证办：至少一项材料由电子证照或共享数据替代")
    decided: int = Field(description="办结（作出准予或不予决定，按决定日期）")
    decided_on_time: int = Field(description="不晚于到期日办结")
    decided_early: int = Field(description="早于到期日办结")
    decided_late: int = Field(description="晚于到期日办结")
    working_days: int = Field(description="办结件自受理日至决定日的工作日合计")
    overdue_open: int = Field(description="当前超期在办（已受理、审查中且已过到期日），不随期间变化")
    online_rate: float | None = Field(description="网办率 = accepted_online / accepted")
    immediate_rate: float | None = Field(description="即办件占比 = accepted_immediate / accepted")
    one_window_rate: float | None = Field(description="一窗受理率 = accepted_one_window / accepted")
    exempt_rate: float | None = Field(description="免证办占比 = accepted_exempt / accepted")
    on_time_rate: float | None = Field(description="按时办结率 = decided_on_time / decided")
    early_rate: float | None = Field(description="提前办结率 = decided_early / decided")
    average_days: float | None = Field(description="平均办理用时（工作日）= working_days / decided")


class SupervisionFiguresOut(Schema):
    start: dt.date
    end: dt.date
    dimension: str
    scope: str = Field(description="空：全部部门；否则为统计范围所限的部门")
    rolled_until: dt.date | None = Field(description="此日之前读取按日汇总，此日起实时统计")
    total: SupervisionFiguresRowOut
    rows: list[SupervisionFiguresRowOut]


def _period(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    default_start, _default_end = period_preset("month")
    start = start or default_start
    end = end or max(start, timezone.localdate())
    period_check(start, end)
    return start, end


@router.get(
    "/figures", response=SupervisionFiguresOut, summary="效能统计：按部门、事项、窗口或人员的办件指标"
)
def figures(request: HttpRequest, filters: Query[SupervisionFiguresQuery]) -> HttpResponse:
    require_capability(request.user, "supervision.view", VIEW_MESSAGE)
    start, end = _period(filters.start, filters.end)
    _departments, ids, scope = scope_of(request.user)
    result = case_figures(start=start, end=end, dimension=filters.dimension, departments=ids)
    body = {
        "start": start,
        "end": end,
        "dimension": result.dimension,
        "scope": scope,
        "rolled_until": result.rolled_until,
        "total": result.total.as_dict(),
        "rows": [row.as_dict() for row in result.rows],
    }
    # Written as JSON directly: a year by item is thousands of rows of plain numbers, which validating
    # through ``SupervisionFiguresOut`` took longer than computing them. ``SupervisionFiguresOut`` documents
    # the shape, and the tests validate the answer against it.
    return HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False), content_type="application/json"
    )


class DrillQuery(Schema):
    dimension: Dimension = Field(description="统计维度")
    key: int = Field(description="该维度对象的 id（0 为未知）")
    metric: str = Field(
        description="指标：submitted accepted accepted_online accepted_immediate accepted_one_window "
        "accepted_exempt decided decided_on_time decided_early decided_late overdue_open"
    )
    start: dt.date | None = None
    end: dt.date | None = None
    page: int = Field(1, ge=1)


class DrillCaseOut(Schema):
    id: int
    number: str
    item: str
    department: str
    applicant: str = Field(description="申请人（脱敏）")
    channel: str
    kind: str
    status: str
    accepted_at: dt.datetime | None
    due_date: dt.date | None
    decided_at: dt.datetime | None


class DrillOut(Schema):
    count: int
    page: int
    pages: int
    cases: list[DrillCaseOut]


@router.get("/figures/cases", response=DrillOut, summary="效能统计下钻：构成某一数字的办件")
def figure_cases(request: HttpRequest, filters: Query[DrillQuery]) -> dict[str, Any]:
    require_capability(request.user, "supervision.view", VIEW_MESSAGE)
    start, end = _period(filters.start, filters.end)
    _departments, ids, _scope = scope_of(request.user)
    drill = DrillDown(
        dimension=filters.dimension, key=filters.key, metric=filters.metric, start=start, end=end
    )
    cases = drill_cases(drill, departments=ids).select_related("item", "department", "applicant")
    count = cases.count()
    pages = max(1, -(-count // PAGE_SIZE))
    page = min(filters.page, pages)
    rows = cases[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return {
        "count": count,
        "page": page,
        "pages": pages,
        "cases": [
            {
                "id": case.pk,
                "number": case.number,
                "item": case.item.name,
                "department": case.department.name,
                "applicant": mask_name(case.applicant.name),
                "channel": case.channel,
                "kind": case.kind,
                "status": case.status,
                "accepted_at": case.accepted_at,
                "due_date": case.due_date,
                "decided_at": case.decided_at,
            }
            for case in rows
        ],
    }
