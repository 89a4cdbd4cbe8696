"""API of the ratings' figures and exchange, mounted at ``/api/v1/ratings``:

- ``GET /figures`` — the numbers of the 好差评统计 screen (``ratings.view``; a chief representative gets his
  department's), with the monthly ranking of ``month``;
- ``GET /export`` — the ratings of a period in the provincial payload shape (``ratings.view``, centre-wide
  roles only; field table in docs/ratings.md, "Exchange");
- ``GET /public`` — the published months' department figures and ranking (anonymous).

Definitions in ``yichuang.ratings.figures`` and ``yichuang.ratings.export``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from yichuang.core.errors import PermissionDeniedError
from yichuang.core.permissions import require_capability
from yichuang.ratings import policies
from yichuang.ratings.export import EXPORT_LIMIT, ratings_export
from yichuang.ratings.figures import (
    figures_scope,
    month_start,
    monthly_ranking,
    period_preset,
    published_figures,
    ratings_figures,
)

router = Router(tags=["好差评"])

VIEW_MESSAGE = "您没有查看好差评统计的权限"


class PeriodQuery(Schema):
    start: dt.date | None = Field(None, description="起始日期（评价日期），默认本月1日")
    end: dt.date | None = Field(None, description="截止日期，默认起始日期与今天中较晚者")


class RatingFiguresQuery(PeriodQuery):
    month: str | None = Field(
        None, pattern=r"^[1-9]\d{3}-(0[1-9]|1[0-2])$", description="排名月份 YYYY-MM，默认截止日期所在月"
    )


class IndicatorsOut(Schema):
    efficiency: float | None = Field(description="办事效率（平均分）")
    guide_accuracy: float | None = Field(description="办事指南准确性")
    convenience: float | None = Field(description="网上办事便捷性")
    competence: float | None = Field(description="业务水平")
    attitude: float | None = Field(description="服务态度")


class RatingFiguresRowOut(Schema):
    key: int | str | None = Field(
        description="部门、人员、事项的 id；窗口为“大厅编码/窗口编号”；渠道代码；月份 YYYY-MM；合计为 null"
    )
    label: str
    count: int = Field(description="有效评价数")
    level_avg: float | None = Field(description="平均评价等级（5 非常满意 … 1 非常不满意）")
    satisfied: int = Field(description="基本满意及以上（3–5级）")
    satisfaction_rate: float | None = Field(description="满意率 = satisfied / count")
    bad: int = Field(description="差评（1、2级）")
    bad_rate: float | None = Field(description="差评率 = bad / count")
    real_name_bad: int = Field(description="实名差评")
    called_back: int = Field(description="已回访核实（联系上评价人）的实名差评")
    call_back_rate: float | None = Field(description="实名差评回访率 = called_back / real_name_bad")
    rectified: int = Field(description="已反馈或已办结整改的差评")
    rectification_rate: float | None = Field(description="整改率 = rectified / bad")
    indicators: IndicatorsOut


class RankedOut(RatingFiguresRowOut):
    rank: int | None = Field(description="名次；评价数不足最低数的为 null（不参与排名）")


class RankingOut(Schema):
    month: str
    minimum: int = Field(description="参与排名的最低评价数")
    departments: list[RankedOut]
    windows: list[RankedOut]
    staff: list[RankedOut]


class RatingFiguresOut(Schema):
    start: dt.date
    end: dt.date
    scope: str = Field(description="空：全中心；否则为统计范围所限的部门（首席代表只看本部门）")
    total: RatingFiguresRowOut
    by_department: list[RatingFiguresRowOut]
    by_window: list[RatingFiguresRowOut]
    by_staff: list[RatingFiguresRowOut]
    by_item: list[RatingFiguresRowOut]
    by_channel: list[RatingFiguresRowOut]
    by_month: list[RatingFiguresRowOut]
    ranking: RankingOut


def _period(filters: PeriodQuery) -> tuple[dt.date, dt.date]:
    default_start, _default_end = period_preset("month")
    start = filters.start or default_start
    end = filters.end or max(start, timezone.localdate())
    return start, end


@router.get(
    "/figures", response=RatingFiguresOut, summary="好差评统计：满意率、差评率、回访率、整改率和月度排名"
)
def figures(request: HttpRequest, filters: Query[RatingFiguresQuery]) -> dict[str, Any]:
    require_capability(request.user, "ratings.view", VIEW_MESSAGE)
    start, end = _period(filters)
    departments, scope = figures_scope(request.user)
    body = ratings_figures(start=start, end=end, departments=departments, scope=scope).as_dict()
    month = dt.datetime.strptime(filters.month, "%Y-%m").date() if filters.month else month_start(end)
    body["ranking"] = monthly_ranking(month=month, departments=departments).as_dict()
    return body


class ExportQuery(Schema):
    start: dt.date = Field(..., description="起始日期（评价日期）")
    end: dt.date = Field(..., description="截止日期（含），最长一年")
    offset: int = Field(0, ge=0, description="跳过的条数（分页）")
    limit: int = Field(EXPORT_LIMIT, ge=1, le=EXPORT_LIMIT, description="每页条数")


class RatingExportRaterOut(Schema):
    name: str = Field(description="姓名（脱敏）")
    idNumber: str = Field(description="证件号码（脱敏）")
    creditCode: str = Field(description="统一社会信用代码（脱敏）")
    phone: str = Field(description="电话（脱敏）")


class RatingExportRectificationOut(Schema):
    status: str = Field(
        description=(
            "call_back 待回访核实 · rectifying 整改中 · answered 已反馈 · closed 已办结 · "
            "withdrawn 评价已删除"
        )
    )
    openedAt: str
    dueDate: str
    reached: bool | None
    factsConfirmed: bool | None
    calledBackAt: str | None
    rectifiedAt: str | None
    answeredAt: str | None
    escalatedAt: str | None
    closedAt: str | None
    raterLevel: int | None = Field(description="评价人对整改的评价等级")


class RatingOut(Schema):
    ratingId: str
    subjectType: str = Field(description="1 办件 · 2 大厅窗口服务 · 3 12345工单")
    deptCode: str = Field(description="被评价部门统一社会信用代码")
    deptName: str
    areaCode: str = Field(description="行政区划代码")
    hallCode: str
    windowNo: str
    staffNo: str = Field(description="被评价人员工号（登录名）")
    caseNo: str = Field(description="办件编号")
    itemCode: str = Field(description="事项实施编码")
    itemName: str
    applicantType: str = Field(description="1 自然人 · 2 法人；未知为空")
    caseKind: str = Field(description="1 即办件 · 2 承诺件；大厅服务为空")
    channel: str = Field(description="1 网上 · 2 掌上办 · 4 窗口评价器 · 5 自助终端 · 6 12345热线")
    serviceTime: str = Field(description="服务（办结）时间，ISO 8601 +08:00")
    ratingTime: str = Field(description="评价时间，ISO 8601 +08:00")
    level: int = Field(description="5 非常满意 · 4 满意 · 3 基本满意 · 2 不满意 · 1 非常不满意")
    scores: dict[str, int] = Field(description="分项评价（1–5）")
    comment: str
    isBad: bool
    realName: bool
    rater: RatingExportRaterOut
    rectification: RatingExportRectificationOut | None
    valid: bool = Field(description="false：申诉成立后已删除")
    removedAt: str | None


class ExportOut(Schema):
    start: dt.date
    end: dt.date
    total: int = Field(description="期间内评价总数")
    offset: int
    count: int = Field(description="本页条数")
    items: list[RatingOut]


@router.get("/export", response=ExportOut, summary="评价数据交换：按省级接口格式导出期间内的评价")
def export(request: HttpRequest, filters: Query[ExportQuery]) -> dict[str, Any]:
    require_capability(request.user, "ratings.view", VIEW_MESSAGE)
    if not policies.centre_wide(request.user):
        raise PermissionDeniedError("只有政数局管理员和监察员可以导出评价数据", code="permission_denied")
    return ratings_export(start=filters.start, end=filters.end, offset=filters.offset, limit=filters.limit)


class PublicRowOut(Schema):
    label: str = Field(description="部门")
    count: int
    satisfaction_rate: float | None
    bad_rate: float | None
    rectification_rate: float | None


class PublicRankedOut(PublicRowOut):
    rank: int | None


class PublicMonthOut(Schema):
    month: str
    published_at: str
    total: PublicRowOut
    departments: list[PublicRankedOut]


@router.get("/public", response=list[PublicMonthOut], auth=None, summary="公开的评价结果（已公开月份）")
def public(request: HttpRequest) -> list[dict[str, Any]]:
    return [month.as_dict() for month in published_figures()]
