"""API of the catalog: 事项检索. Public: citizens search the catalog without signing in."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from yichuang.catalog import search
from yichuang.catalog.models import ServiceItem
from yichuang.catalog.views_search import guide_url

router = Router(tags=["事项检索"])

API_MAX_LIMIT = 50


class SearchDepartmentOut(Schema):
    id: int
    name: str


class SearchItemOut(Schema):
    id: int
    name: str
    implementation_code: str
    department: SearchDepartmentOut
    item_type: str
    item_type_label: str
    case_kind: str
    case_kind_label: str
    promised_days: int
    guide_url: str


class SearchOut(Schema):
    query: str
    total: int
    limit: int
    offset: int
    expansions: list[str]
    suggestions: list[str]
    items: list[SearchItemOut]


def _item_out(item: ServiceItem) -> SearchItemOut:
    version = item.current_version
    assert version is not None
    return SearchItemOut(
        id=item.pk,
        name=item.name,
        implementation_code=item.implementation_code,
        department=SearchDepartmentOut(id=item.department_id, name=item.department.name),
        item_type=version.item_type,
        item_type_label=version.get_item_type_display(),
        case_kind=version.case_kind,
        case_kind_label=version.get_case_kind_display(),
        promised_days=version.promised_days,
        guide_url=guide_url(item.pk),
    )


@router.get("/search", response=SearchOut, auth=None, summary="检索政务服务事项")
def search_catalog(
    request: HttpRequest, q: str = "", department_id: int | None = None, limit: int = 20, offset: int = 0
) -> SearchOut:
    """按名称、部门、群众说法（如“开饭店”）和办事指南检索在用的办理项，精确名称优先；每页最多50条。"""
    results = search.search_items(
        query=q, limit=min(limit, API_MAX_LIMIT), offset=offset, department_id=department_id
    )
    return SearchOut(
        query=results.query,
        total=results.total,
        limit=results.limit,
        offset=results.offset,
        expansions=results.expansions,
        suggestions=results.suggestions,
        items=[_item_out(item) for item in results.hits],
    )
