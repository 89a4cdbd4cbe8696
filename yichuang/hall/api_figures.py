"""API of the hall's figures (``/api/v1/hall/figures``): the numbers of the 大厅统计 screen as JSON, for
those who hold ``hall.figures``. Definitions in ``yichuang.hall.figures``."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from yichuang.core.errors import NotFoundError
from yichuang.core.permissions import require_capability
from yichuang.hall.figures import figures_scope, hall_figures
from yichuang.hall.models import Hall

router = Router(tags=["服务大厅"])


class HallFiguresQuery(Schema):
    hall: str = Field(..., description="大厅编码")
    start: dt.date | None = Field(None, description="起始日期（取号日期），默认今天")
    end: dt.date | None = Field(None, description="截止日期，默认起始日期与今天中较晚者")


class FiguresRowOut(Schema):
    key: int | None = Field(description="业务类别、窗口、工作人员的 id，或时段的小时；合计为 null")
    label: str
    tickets: int = Field(description="取号数（按窗口、工作人员时为叫过的号数）")
    served: int = Field(description="已办结")
    called: int = Field(description="已叫号（计入等候的号数）")
    wait_avg_minutes: float | None
    wait_p90_minutes: float | None
    service_avg_minutes: float | None
    abandoned: int = Field(description="未等候离开")
    no_show: int = Field(description="过号作废")
    cancelled: int = Field(description="已取消")
    abandonment_rate: float | None = Field(description="(未等候离开 + 过号作废) / 取号数")


class HallFiguresOut(Schema):
    hall: str
    start: dt.date
    end: dt.date
    scope: str = Field(description="空：全大厅；否则为统计范围所限的部门（首席代表只看本部门窗口叫号的号码）")
    total: FiguresRowOut
    by_category: list[FiguresRowOut]
    by_window: list[FiguresRowOut]
    by_clerk: list[FiguresRowOut]
    by_hour: list[FiguresRowOut] = Field(description="等候、取号和流失按取号时段；办结和办理时长按叫号时段")


@router.get("/figures", response=HallFiguresOut, summary="大厅统计：等候、办理时长和流失")
def figures(request: HttpRequest, filters: Query[HallFiguresQuery]) -> dict[str, object]:
    require_capability(request.user, "hall.figures", "您没有查看大厅统计的权限")
    hall = Hall.objects.filter(code=filters.hall).first()
    if hall is None:
        raise NotFoundError("未找到该服务大厅", code="hall_not_found")
    today = timezone.localdate()
    start = filters.start or today
    end = filters.end or max(start, today)
    departments, scope = figures_scope(request.user)
    return hall_figures(hall=hall, start=start, end=end, departments=departments, scope=scope).as_dict()
