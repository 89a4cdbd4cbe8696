"""API of the catalog: published items, their versions and diffs, guides (public), and change requests
(department staff propose, the admin decides)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import Field

from yichuang.accounts.models import Department
from yichuang.catalog import selectors, services
from yichuang.catalog.diff import ElementsDiff
from yichuang.catalog.elements import version_elements
from yichuang.catalog.models import ChangeRequest, ItemKind, ItemStatus, ItemVersion, ServiceItem
from yichuang.core.errors import ApplicationError, NotFoundError

router = Router(tags=["事项库"])


class ProcessStep(Schema):
    name: str
    description: str = ""


class SpecialProcedure(Schema):
    kind: str
    name: str
    days: int


class Fee(Schema):
    name: str
    standard: str
    basis: str = ""


class IntermediaryService(Schema):
    name: str
    basis: str = ""
    provider: str = ""


class MaterialSchema(Schema):
    key: str | None = Field(None, description="跨版本不变的材料标识；新增材料可不填")
    name: str
    source: str = Field("10", description="10 自备 · 20 政府部门核发 · 99 其他")
    necessity: str = Field("1", description="1 必要 · 2 非必要 · 3 容缺后补")
    originals: int = 1
    copies: int = 0
    media: str = "both"
    material_type: str = ""
    licence_type_code: str = Field("", description="可替代该材料的电子证照类型代码（免证办）")
    commitment_replaceable: bool = False
    note: str = ""
    blank_form: str | None = Field(None, description="空白表格文件的 SHA-256")
    sample: str | None = Field(None, description="示范文本文件的 SHA-256")
    review_points: list[str] = Field(default_factory=list, description="审核要点")


class ElementsIn(Schema):
    """Item elements. For an edit send only what changes; for a new item send at least name, item_type,
    legal_days and promised_days."""

    name: str | None = None
    item_type: str | None = None
    service_object: str | None = None
    legal_basis: str | None = None
    case_kind: str | None = Field(None, description="1 即办件 · 2 承诺件")
    acceptance_conditions: str | None = None
    legal_days: int | None = None
    promised_days: int | None = None
    online_depth: int | None = Field(None, description="1–4，4 为全程网办")
    visits_required: int | None = None
    tongban_scope: str | None = None
    nearby_level: str | None = None
    stationed: bool | None = None
    negative_reason: str | None = None
    result_type: str | None = Field(None, description="10 证照 · 20 批文 · 30 其他")
    result_name: str | None = None
    result_licence_type_code: str | None = None
    commitment_allowed: bool | None = None
    handling_place: str | None = None
    handling_hours: str | None = None
    contact_phone: str | None = None
    complaint_phone: str | None = None
    keywords: str | None = None
    plain_summary: str | None = None
    process_steps: list[ProcessStep] | None = None
    special_procedures: list[SpecialProcedure] | None = None
    fees: list[Fee] | None = None
    delivery_methods: list[str] | None = None
    intermediary_services: list[IntermediaryService] | None = None
    materials: list[MaterialSchema] | None = None


class ElementsOut(Schema):
    name: str
    item_type: str
    service_object: str
    legal_basis: str
    case_kind: str
    acceptance_conditions: str
    legal_days: int
    promised_days: int
    online_depth: int
    visits_required: int
    tongban_scope: str
    nearby_level: str
    stationed: bool
    negative_reason: str
    result_type: str
    result_name: str
    result_licence_type_code: str
    commitment_allowed: bool
    handling_place: str
    handling_hours: str
    contact_phone: str
    complaint_phone: str
    keywords: str
    plain_summary: str
    process_steps: list[ProcessStep]
    special_procedures: list[SpecialProcedure]
    fees: list[Fee]
    delivery_methods: list[str]
    intermediary_services: list[IntermediaryService]
    materials: list[MaterialSchema]


class ItemOut(Schema):
    id: int
    kind: str
    parent_id: int | None
    department_id: int
    department_name: str
    level: str
    basic_code: str
    implementation_code: str
    source_code: str
    status: str
    name: str
    current_version: int | None


class VersionSummaryOut(Schema):
    number: int
    change_kind: str
    published_at: datetime
    published_by: str | None
    reason: str


class VersionOut(VersionSummaryOut):
    item: ItemOut
    implementation_code: str
    material_codes: dict[str, str]
    elements: ElementsOut


class FieldChangeOut(Schema):
    field: str
    label: str
    old: str
    new: str


class MaterialChangeOut(Schema):
    key: str
    name: str
    status: str
    changes: list[FieldChangeOut]


class DiffOut(Schema):
    fields: list[FieldChangeOut]
    materials: list[MaterialChangeOut]


class ChangeRequestIn(Schema):
    kind: Literal["create", "edit", "retire"]
    reason: str
    item_id: int | None = Field(None, description="变更或取消时必填")
    department_id: int | None = Field(None, description="新增时必填")
    item_kind: str = "handling"
    parent_id: int | None = None
    level: str = "4"
    basic_code: str = ""
    elements: ElementsIn | None = None


class DecisionIn(Schema):
    reason: str = ""


class ChangeRequestOut(Schema):
    id: int
    kind: str
    status: str
    item_id: int | None
    department_id: int
    department_name: str
    base_version: int | None
    basic_code: str
    name: str
    reason: str
    proposed_by: str
    proposed_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str
    resulting_version: int | None


class ChangeRequestDetailOut(ChangeRequestOut):
    diff: DiffOut


class ItemFilter(Schema):
    department_id: int | None = None
    kind: str | None = None
    include_retired: bool = False
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)


class ItemPageOut(Schema):
    total: int
    items: list[ItemOut]


def _user_label(user: Any) -> str | None:
    return (user.full_name or user.username) if user is not None else None


def _item_out(item: ServiceItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "kind": item.kind,
        "parent_id": item.parent_id,
        "department_id": item.department_id,
        "department_name": item.department.name,
        "level": item.level,
        "basic_code": item.basic_code,
        "implementation_code": item.implementation_code,
        "source_code": item.source_code,
        "status": item.status,
        "name": item.name,
        "current_version": item.current_version.number if item.current_version else None,
    }


def _version_out(item: ServiceItem, version: ItemVersion) -> dict[str, Any]:
    materials = list(version.materials.all())
    return {
        "item": _item_out(item),
        "number": version.number,
        "change_kind": version.change_kind,
        "published_at": version.published_at,
        "published_by": _user_label(version.published_by),
        "reason": version.change_request.reason if version.change_request else "",
        "implementation_code": version.implementation_code,
        "material_codes": {m.key: m.code for m in materials},
        "elements": version_elements(version),
    }


def _diff_out(diff: ElementsDiff) -> dict[str, Any]:
    return diff.as_dict()


def _change_request_out(change_request: ChangeRequest) -> dict[str, Any]:
    try:
        resulting: int | None = change_request.resulting_version.number
    except ItemVersion.DoesNotExist:
        resulting = None
    return {
        "id": change_request.pk,
        "kind": change_request.kind,
        "status": change_request.status,
        "item_id": change_request.item_id,
        "department_id": change_request.department_id,
        "department_name": change_request.department.name,
        "base_version": change_request.base_version.number if change_request.base_version else None,
        "basic_code": change_request.basic_code
        or (change_request.item.basic_code if change_request.item else ""),
        "name": change_request.payload.get("name")
        or (change_request.item.name if change_request.item else ""),
        "reason": change_request.reason,
        "proposed_by": _user_label(change_request.proposed_by) or "",
        "proposed_at": change_request.proposed_at,
        "decided_by": _user_label(change_request.decided_by),
        "decided_at": change_request.decided_at,
        "decision_reason": change_request.decision_reason,
        "resulting_version": resulting,
    }


# ——— public reads ———


@router.get("/items", response=ItemPageOut, auth=None, summary="事项列表（公开）")
def item_list(request: HttpRequest, filters: Query[ItemFilter]) -> dict[str, Any]:
    items = ServiceItem.objects.filter(current_version__isnull=False).select_related(
        "department", "current_version"
    )
    if not filters.include_retired:
        items = items.filter(status=ItemStatus.ACTIVE)
    if filters.department_id is not None:
        items = items.filter(department_id=filters.department_id)
    if filters.kind:
        if filters.kind not in ItemKind.values:
            raise ApplicationError("层级类别应为 main、sub 或 handling", fields={"kind": ["无效"]})
        items = items.filter(kind=filters.kind)
    items = items.order_by("department__path", "basic_code", "pk")
    page = items[filters.offset : filters.offset + filters.limit]
    return {"total": items.count(), "items": [_item_out(item) for item in page]}


@router.get("/items/{item_id}", response=VersionOut, auth=None, summary="事项及其现行版本（公开）")
def item_detail(request: HttpRequest, item_id: int) -> dict[str, Any]:
    item = selectors.item_get(item_id=item_id)
    return _version_out(item, selectors.item_version_get(item=item))


@router.get(
    "/items/{item_id}/versions", response=list[VersionSummaryOut], auth=None, summary="版本历史（公开）"
)
def item_version_list(request: HttpRequest, item_id: int) -> list[dict[str, Any]]:
    item = selectors.item_get(item_id=item_id)
    return [
        {
            "number": v.number,
            "change_kind": v.change_kind,
            "published_at": v.published_at,
            "published_by": _user_label(v.published_by),
            "reason": v.change_request.reason if v.change_request else "",
        }
        for v in selectors.item_versions(item=item)
    ]


@router.get("/items/{item_id}/versions/{number}", response=VersionOut, auth=None, summary="历史版本（公开）")
def item_version_detail(request: HttpRequest, item_id: int, number: int) -> dict[str, Any]:
    item = selectors.item_get(item_id=item_id)
    return _version_out(item, selectors.item_version_get(item=item, number=number))


@router.get("/items/{item_id}/diff", response=DiffOut, auth=None, summary="两个版本的差异（公开）")
def item_diff(
    request: HttpRequest, item_id: int, from_: int = Query(..., alias="from"), to: int = Query(...)
) -> Any:
    item = selectors.item_get(item_id=item_id)
    return _diff_out(selectors.versions_diff(item=item, from_number=from_, to_number=to))


@router.get("/guides/{item_id}", response=VersionOut, auth=None, summary="办事指南数据（公开，与窗口同源）")
def guide_detail(request: HttpRequest, item_id: int) -> dict[str, Any]:
    item = selectors.item_get(item_id=item_id)
    if item.kind != ItemKind.HANDLING:
        raise NotFoundError("办事指南只针对办理项，请选择具体的办理项")
    return _version_out(item, selectors.item_version_get(item=item))


# ——— change requests ———


@router.get("/change-requests", response=list[ChangeRequestOut], summary="变更申请列表")
def change_request_list(
    request: HttpRequest,
    status: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
) -> list[dict[str, Any]]:
    requests = selectors.change_request_list(actor=request.user, status=status).select_related("base_version")
    return [_change_request_out(cr) for cr in requests[offset : offset + limit]]


@router.get("/change-requests/{change_request_id}", response=ChangeRequestDetailOut, summary="变更申请及差异")
def change_request_detail(request: HttpRequest, change_request_id: int) -> dict[str, Any]:
    change_request = selectors.change_request_get(actor=request.user, change_request_id=change_request_id)
    return {
        **_change_request_out(change_request),
        "diff": _diff_out(selectors.change_request_diff(change_request=change_request)),
    }


@router.post("/change-requests", response={201: ChangeRequestOut}, summary="提出新增、变更或取消申请")
def change_request_create(request: HttpRequest, payload: ChangeRequestIn) -> Status:
    elements = payload.elements.dict(exclude_unset=True) if payload.elements else {}
    if payload.kind == "create":
        if payload.department_id is None:
            raise ApplicationError("新增事项须指定实施主体", fields={"department_id": ["必填"]})
        department = get_object_or_404(Department, pk=payload.department_id)
        parent = get_object_or_404(ServiceItem, pk=payload.parent_id) if payload.parent_id else None
        change_request = services.change_request_propose_create(
            actor=request.user,
            department=department,
            item_kind=payload.item_kind,
            parent=parent,
            level=payload.level,
            basic_code=payload.basic_code,
            elements=elements,
            reason=payload.reason,
        )
    else:
        if payload.item_id is None:
            raise ApplicationError("变更或取消须指定事项", fields={"item_id": ["必填"]})
        item = selectors.item_get(item_id=payload.item_id)
        if payload.kind == "edit":
            change_request = services.change_request_propose_edit(
                actor=request.user, item=item, elements=elements, reason=payload.reason
            )
        else:
            change_request = services.change_request_propose_retire(
                actor=request.user, item=item, reason=payload.reason
            )
    return Status(201, _change_request_out(change_request))


def _decide(request: HttpRequest, change_request_id: int) -> ChangeRequest:
    return selectors.change_request_get(actor=request.user, change_request_id=change_request_id)


@router.post("/change-requests/{change_request_id}/approve", response=VersionOut, summary="批准并发布新版本")
def change_request_approve(
    request: HttpRequest, change_request_id: int, payload: DecisionIn
) -> dict[str, Any]:
    version = services.change_request_approve(
        actor=request.user, change_request=_decide(request, change_request_id), reason=payload.reason
    )
    item = selectors.item_get(item_id=version.item_id)
    return _version_out(item, selectors.item_version_get(item=item, number=version.number))


@router.post("/change-requests/{change_request_id}/reject", response=ChangeRequestOut, summary="退回申请")
def change_request_reject(
    request: HttpRequest, change_request_id: int, payload: DecisionIn
) -> dict[str, Any]:
    change_request = services.change_request_reject(
        actor=request.user, change_request=_decide(request, change_request_id), reason=payload.reason
    )
    return _change_request_out(
        selectors.change_request_get(actor=request.user, change_request_id=change_request.pk)
    )


@router.post("/change-requests/{change_request_id}/withdraw", response=ChangeRequestOut, summary="撤回申请")
def change_request_withdraw(request: HttpRequest, change_request_id: int) -> dict[str, Any]:
    change_request = services.change_request_withdraw(
        actor=request.user, change_request=_decide(request, change_request_id)
    )
    return _change_request_out(
        selectors.change_request_get(actor=request.user, change_request_id=change_request.pk)
    )
