"""API of 事项抽查 (mounted at ``/api/v1/supervision``): the year's draws and coverage, a draw with its items,
drawing a month (``supervision.sample``), recording an inspection (``supervision.sample``).

Thin: check, call ``sampling``/``selectors_sampling``, shape. A chief representative (``supervision.view``)
sees his own department's sampled items only; another department's item is a 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from yichuang.core.permissions import require_capability
from yichuang.supervision import sampling
from yichuang.supervision import selectors_sampling as selectors
from yichuang.supervision.models_sampling import Inspection, SampledItem, SampleDraw

router = Router(tags=["事项抽查"])


# ——— schemas ———


class DrawOut(Schema):
    id: int
    year: int
    month: int
    drawn_at: dt.datetime
    drawn_by: str | None = Field(description="抽取人；null 表示定时任务")
    seed: int = Field(description="随机种子，可复现本次抽取")
    population_size: int = Field(description="抽取时的进驻事项数")
    sample_size: int
    inspected: int = Field(description="已检查的事项数（您可见的部门）")
    note: str


class InspectionOut(Schema):
    id: int
    inspector: str
    inspected_at: dt.datetime
    guide_result: str = Field(description='"" 未检查 · ok 符合 · issue 有问题')
    materials_result: str
    time_limits_result: str
    case_numbers: list[str]
    conclusion: str = Field(description="pass 合格 · basic 基本合格 · fail 不合格")
    conclusion_label: str
    findings: str
    rectification: str
    rectification_due: dt.date | None


class SampledItemOut(Schema):
    id: int
    draw_id: int
    item_id: int
    item_name: str
    basic_code: str
    department_id: int
    department: str
    first_this_year: bool = Field(description="false 表示为凑足10%而复查")
    status: str = Field(description="pending 待检查 · inspected 已检查")
    status_label: str
    inspection: InspectionOut | None


class DrawDetailOut(DrawOut):
    items: list[SampledItemOut]


class DrawIn(Schema):
    year: int
    month: int = Field(ge=1, le=12)


class YearFilter(Schema):
    year: int | None = Field(None, description="年度，默认今年")


class InspectionIn(Schema):
    conclusion: str = Field(description="pass 合格 · basic 基本合格 · fail 不合格")
    guide_result: str = Field("", description='办事指南准确性："" 未检查 · ok 符合 · issue 有问题')
    materials_result: str = Field("", description="申请材料与审核要点")
    time_limits_result: str = Field("", description="办理时限")
    case_numbers: list[str] = Field(default_factory=list, description="抽查的办件编号，须为本事项的办件")
    findings: str = ""
    rectification: str = ""
    rectification_due: dt.date | None = None


class MonthOut(Schema):
    month: int
    draw_id: int | None
    sample_size: int
    first: int = Field(description="其中本年度首次抽到的")
    inspected: int


class CoverageOut(Schema):
    year: int
    population: int = Field(description="当前进驻事项数（您可见的部门）")
    drawn: int = Field(description="其中本年度至少抽到一次的")
    inspected: int = Field(description="其中本年度至少检查过一次的")
    remaining: int
    months: list[MonthOut]


# ——— shaping ———


def _user_label(user: Any) -> str:
    return str(user.full_name or user.username) if user is not None else ""


def _draw_out(draw: SampleDraw, inspected: int) -> dict[str, Any]:
    return {
        "id": draw.pk,
        "year": draw.year,
        "month": draw.month,
        "drawn_at": draw.drawn_at,
        "drawn_by": _user_label(draw.drawn_by) if draw.drawn_by_id else None,
        "seed": draw.seed,
        "population_size": draw.population_size,
        "sample_size": draw.sample_size,
        "inspected": inspected,
        "note": draw.note,
    }


def _inspection_out(inspection: Inspection | None) -> dict[str, Any] | None:
    if inspection is None:
        return None
    return {
        "id": inspection.pk,
        "inspector": _user_label(inspection.inspector),
        "inspected_at": inspection.inspected_at,
        "guide_result": inspection.guide_result,
        "materials_result": inspection.materials_result,
        "time_limits_result": inspection.time_limits_result,
        "case_numbers": list(inspection.case_numbers or []),
        "conclusion": inspection.conclusion,
        "conclusion_label": inspection.get_conclusion_display(),
        "findings": inspection.findings,
        "rectification": inspection.rectification,
        "rectification_due": inspection.rectification_due,
    }


def _item_out(row: SampledItem) -> dict[str, Any]:
    return {
        "id": row.pk,
        "draw_id": row.draw_id,
        "item_id": row.item_id,
        "item_name": row.item.name,
        "basic_code": row.item.basic_code,
        "department_id": row.department_id,
        "department": row.department.name,
        "first_this_year": row.first_this_year,
        "status": row.status,
        "status_label": row.get_status_display(),
        "inspection": _inspection_out(selectors.inspection_of(row)),
    }


# ——— endpoints ———


@router.get("/sampling/draws", response=list[DrawOut], summary="本年度（或指定年度）的抽查批次")
def draws_list(request: HttpRequest, filters: Query[YearFilter]) -> list[dict[str, Any]]:
    selectors.require_view(request.user)
    year = filters.year or timezone.localdate().year
    coverage = selectors.year_coverage(year=year, actor=request.user)
    inspected = {m.month: m.inspected for m in coverage.months}
    return [_draw_out(draw, inspected[draw.month]) for draw in selectors.draw_list(year=year)]


@router.post(
    "/sampling/draws",
    response={200: DrawDetailOut, 201: DrawDetailOut},
    summary="抽取一个月的抽查事项（已抽取的月份返回原批次，状态码 200）",
)
def draws_create(request: HttpRequest, payload: DrawIn) -> Any:
    require_capability(request.user, sampling.CAPABILITY, "只有监察员和管理员可以抽取抽查事项")
    draw, created = sampling.sample_draw(actor=request.user, year=payload.year, month=payload.month)
    return Status(201 if created else 200, _draw_detail(request, draw))


def _draw_detail(request: HttpRequest, draw: SampleDraw) -> dict[str, Any]:
    items = list(selectors.draw_items(actor=request.user, draw=draw))
    inspected = sum(1 for row in items if row.status == "inspected")
    return {**_draw_out(draw, inspected), "items": [_item_out(row) for row in items]}


@router.get("/sampling/draws/{draw_id}", response=DrawDetailOut, summary="抽查批次及其事项")
def draws_get(request: HttpRequest, draw_id: int) -> dict[str, Any]:
    draw = selectors.draw_get(actor=request.user, draw_id=draw_id)
    return _draw_detail(request, draw)


@router.post(
    "/sampling/items/{sampled_item_id}/inspection",
    response={201: SampledItemOut},
    summary="登记抽查事项的检查结果（每项一次，重复登记返回 409）",
)
def inspection_create(request: HttpRequest, sampled_item_id: int, payload: InspectionIn) -> Any:
    require_capability(request.user, sampling.CAPABILITY, "只有监察员和管理员可以登记抽查结果")
    sampled = selectors.sampled_item_get(actor=request.user, sampled_item_id=sampled_item_id)
    sampling.inspection_record(actor=request.user, sampled_item=sampled, **payload.dict())
    return Status(201, _item_out(selectors.sampled_item_get(actor=request.user, sampled_item_id=sampled.pk)))


@router.get("/sampling/coverage", response=CoverageOut, summary="年度抽查覆盖情况")
def coverage_get(request: HttpRequest, filters: Query[YearFilter]) -> dict[str, Any]:
    selectors.require_view(request.user)
    coverage = selectors.year_coverage(year=filters.year or timezone.localdate().year, actor=request.user)
    return {
        "year": coverage.year,
        "population": coverage.population,
        "drawn": coverage.drawn,
        "inspected": coverage.inspected,
        "remaining": coverage.remaining,
        "months": [
            {
                "month": m.month,
                "draw_id": m.draw.pk if m.draw else None,
                "sample_size": m.sample_size,
                "first": m.first,
                "inspected": m.inspected,
            }
            for m in coverage.months
        ],
    }
