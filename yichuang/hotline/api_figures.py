"""API of the 12345 figures, mounted at ``/api/v1/hotline``:

- ``GET /figures`` — the numbers of the 12345统计 screen for a period (received date): the total, by lead
  department and by day or month (``hotline.view``; a department's staff get their departments');
- ``GET /topics`` — the hot topics (热点诉求) of the ``days`` days up to ``end``, with their trend against the
  ``days`` days before.

Definitions in ``yichuang.hotline.figures`` and ``yichuang.hotline.topics``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from yichuang.core.permissions import require_capability
from yichuang.hotline.figures import figures_scope, hotline_figures, period_preset
from yichuang.hotline.topics import MAX_TOPIC_DAYS, TOPIC_DAYS, TOPIC_LIMIT, hot_topics

router = Router(tags=["12345统计"])

VIEW_MESSAGE = "您没有查看12345统计的权限"


class HotlineFiguresQuery(Schema):
    start: dt.date | None = Field(None, description="起始日期（受理日期），默认本月1日")
    end: dt.date | None = Field(None, description="截止日期（含），默认起始日期与今天中较晚者；最长一年")


class HotlineFiguresRowOut(Schema):
    key: int | str | None = Field(
        description="主办单位 id（未派单的一行和合计为 null）；按期间时为该日或该月1日（YYYY-MM-DD）"
    )
    label: str
    received: int = Field(description="受理数（已并单的不计）")
    dispatched: int = Field(description="派单数")
    response_due: int = Field(
        description="应签收：直接办结及已派单的工单，退单待审核和尚在签收时限内未签收的除外"
    )
    responded: int = Field(description="按时签收：直接办结，或主办单位在签收期限内签收")
    closed: int = Field(description="办结数")
    closed_dispatched: int = Field(description="派单后办结的工单（不含直接办结）")
    closed_on_time: int = Field(description="答复不晚于办理期限的派单办结工单")
    solved: int = Field(description="诉求已解决的办结工单")
    called_back: int = Field(description="回访联系上的工单（最近一次回访为满意、基本满意或不满意）")
    satisfied: int = Field(description="最近一次回访满意或基本满意")
    reopened: int = Field(description="重办过的派单办结工单")
    replied: int = Field(description="已答复的派单工单（平均办理时长的分母）")
    handling_hours: float | None = Field(description="平均办理时长：派单到（最后一次）答复的自然小时数")
    answered_directly: int = Field(description="直接办结")
    returns: int = Field(description="退单次数（计入退单的单位）")
    reminded: int = Field(description="催办过的工单")
    supervised: int = Field(description="督办过的工单")
    long_term: int = Field(description="曾列入挂账办理的工单")
    open_overdue: int = Field(description="已派单或办理中且超过办理期限的工单")
    response_rate: float | None = Field(description="响应率 = responded / response_due")
    closing_rate: float | None = Field(description="办结率 = closed / received")
    on_time_rate: float | None = Field(description="按时办结率 = closed_on_time / closed_dispatched")
    solved_rate: float | None = Field(description="解决率 = solved / closed")
    satisfaction_rate: float | None = Field(description="满意率 = satisfied / called_back")
    reopen_rate: float | None = Field(description="重办率 = reopened / closed_dispatched")


class HotlineFiguresOut(Schema):
    start: dt.date
    end: dt.date
    now: str = Field(description="统计时点（超期、签收时限据此判断），ISO 8601")
    scope: str = Field(description="空：全部单位；否则为统计范围所限的单位（承办单位只看本单位）")
    granularity: str = Field(description="by_period 的粒度：day 按日（期间不超过62天）或 month 按月")
    total: HotlineFiguresRowOut
    by_department: list[HotlineFiguresRowOut]
    by_period: list[HotlineFiguresRowOut]


def _period(filters: HotlineFiguresQuery) -> tuple[dt.date, dt.date]:
    default_start, _default_end = period_preset("month")
    start = filters.start or default_start
    end = filters.end or max(start, timezone.localdate())
    return start, end


@router.get(
    "/figures",
    response=HotlineFiguresOut,
    summary="12345统计：响应率、办结率、按时办结率、解决率、满意率、重办率和平均办理时长",
)
def figures(request: HttpRequest, filters: Query[HotlineFiguresQuery]) -> dict[str, Any]:
    require_capability(request.user, "hotline.view", VIEW_MESSAGE)
    start, end = _period(filters)
    departments, scope = figures_scope(request.user)
    return hotline_figures(start=start, end=end, departments=departments, scope=scope).as_dict()


class TopicsQuery(Schema):
    end: dt.date | None = Field(None, description="统计截止日期（含），默认今天")
    days: int = Field(TOPIC_DAYS, ge=1, le=MAX_TOPIC_DAYS, description="统计天数；与此前同样天数比较")
    limit: int = Field(TOPIC_LIMIT, ge=1, le=50, description="最多返回的热点数")
    category_level: int = Field(3, ge=1, le=3, description="按几级分类聚类（1 一级 … 3 三级）")


class TopicOut(Schema):
    topic: str = Field(description="主题：分类名称（默认三级分类），无分类时为最多工单共有的关键词")
    category: str = Field(description="分类路径（截至聚类的级别）；按关键词聚类时为空")
    place_code: str = Field(description="地点：乡镇级行政区划代码（无区划时为地址的第一个词）")
    place: str
    keywords: list[str] = Field(description="本期最常见的关键词")
    label: str
    count: int = Field(description="本期工单数")
    previous: int = Field(description="上期工单数")
    change: int
    change_percent: float | None = Field(description="变化百分比；上期为0时为 null")
    trend: str = Field(description="new 新出现 · up 上升 · down 下降 · flat 持平")
    numbers: list[str] = Field(description="本期最近的工单编号（最多5个）")


class TopicsOut(Schema):
    start: dt.date
    end: dt.date
    previous_start: dt.date
    previous_end: dt.date
    days: int
    tickets: int = Field(description="本期工单数")
    previous_tickets: int = Field(description="上期工单数")
    truncated: bool = Field(description="工单过多时只读取最近的部分")
    scope: str
    topics: list[TopicOut]


@router.get("/topics", response=TopicsOut, summary="热点诉求：近期工单按主题和地点聚类及其趋势")
def topics(request: HttpRequest, filters: Query[TopicsQuery]) -> dict[str, Any]:
    require_capability(request.user, "hotline.view", VIEW_MESSAGE)
    departments, scope = figures_scope(request.user)
    return hot_topics(
        end=filters.end,
        days=filters.days,
        departments=departments,
        scope=scope,
        limit=filters.limit,
        category_level=filters.category_level,
    ).as_dict()
