"""Reads of the catalog. Published items, versions and guides are public; change requests are read
through ``policies.change_request_scope``."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from yichuang.catalog import policies
from yichuang.catalog.diff import ElementsDiff, elements_diff
from yichuang.catalog.elements import elements_merge, version_elements
from yichuang.catalog.models import (
    ChangeKind,
    ChangeRequest,
    ChangeRequestStatus,
    ItemKind,
    ItemStatus,
    ItemVersion,
    Material,
    ReviewPoint,
    ServiceItem,
)
from yichuang.core.errors import NotFoundError


def _with_materials(versions: QuerySet[ItemVersion]) -> QuerySet[ItemVersion]:
    return versions.prefetch_related(
        Prefetch(
            "materials",
            queryset=Material.objects.select_related("blank_form", "sample").prefetch_related(
                Prefetch("review_points", queryset=ReviewPoint.objects.order_by("position"))
            ),
        )
    )


def item_get(*, item_id: int) -> ServiceItem:
    """A published item (in use or retired) with its department and parent."""
    item = (
        ServiceItem.objects.select_related("department", "parent", "current_version")
        .filter(pk=item_id, current_version__isnull=False)
        .first()
    )
    if item is None:
        raise NotFoundError("未找到该事项")
    return item


def item_version_get(*, item: ServiceItem, number: int | None = None) -> ItemVersion:
    """A version with its materials and review points; the current one when ``number`` is None."""
    versions = _with_materials(ItemVersion.objects.select_related("published_by", "change_request"))
    if number is None:
        version = versions.filter(item=item, pk=item.current_version_id or 0).first()
    else:
        version = versions.filter(item=item, number=number).first()
    if version is None:
        raise NotFoundError("未找到该版本")
    return version


def item_versions(*, item: ServiceItem) -> QuerySet[ItemVersion]:
    return (
        ItemVersion.objects.filter(item=item)
        .select_related("published_by", "change_request")
        .only(
            "pk",
            "item_id",
            "number",
            "change_kind",
            "published_at",
            "published_by__full_name",
            "published_by__username",
            "change_request__reason",
            "name",
        )
        .order_by("-number")
    )


def item_path(*, item: ServiceItem) -> list[ServiceItem]:
    """Main item → sub-item → the item itself."""
    path = [item]
    while path[0].parent_id is not None:
        parent = ServiceItem.objects.select_related("parent").get(pk=path[0].parent_id)
        path.insert(0, parent)
    return path


def item_children(*, item: ServiceItem) -> QuerySet[ServiceItem]:
    return item.children.filter(status=ItemStatus.ACTIVE, current_version__isnull=False).order_by(
        "basic_code", "pk"
    )


def handling_items(
    *, department_id: int | None = None, include_retired: bool = False
) -> QuerySet[ServiceItem]:
    items = ServiceItem.objects.filter(kind=ItemKind.HANDLING, current_version__isnull=False).select_related(
        "department", "current_version"
    )
    if not include_retired:
        items = items.filter(status=ItemStatus.ACTIVE)
    if department_id is not None:
        items = items.filter(department_id=department_id)
    return items.order_by("department__path", "basic_code", "pk")


def versions_diff(*, item: ServiceItem, from_number: int, to_number: int) -> ElementsDiff:
    old = item_version_get(item=item, number=from_number)
    new = item_version_get(item=item, number=to_number)
    return elements_diff(version_elements(old), version_elements(new))


def change_request_list(
    *, actor: Any, status: str | None = None, item: ServiceItem | None = None
) -> QuerySet[ChangeRequest]:
    requests = policies.change_request_scope(actor).select_related(
        "department", "item", "proposed_by", "decided_by", "base_version", "resulting_version"
    )
    if status:
        requests = requests.filter(status=status)
    if item is not None:
        requests = requests.filter(item=item)
    return requests.order_by("-proposed_at", "-pk")


def change_request_get(*, actor: Any, change_request_id: int) -> ChangeRequest:
    change_request = (
        change_request_list(actor=actor)
        .select_related("base_version", "parent")
        .filter(pk=change_request_id)
        .first()
    )
    if change_request is None:
        raise NotFoundError("未找到该变更申请，或它不属于您的部门")
    return change_request


def change_request_diff(*, change_request: ChangeRequest) -> ElementsDiff:
    """What approval would change: the proposal against the version it was based on."""
    if change_request.kind == ChangeKind.RETIRE:
        return ElementsDiff()
    base = None
    if change_request.base_version_id is not None:
        base_version = _with_materials(ItemVersion.objects.all()).get(pk=change_request.base_version_id)
        base = version_elements(base_version)
    proposed = change_request.payload if base is None else elements_merge(base, change_request.payload)
    return elements_diff(base, proposed)


def open_change_request_for(*, item: ServiceItem) -> ChangeRequest | None:
    return ChangeRequest.objects.filter(item=item, status=ChangeRequestStatus.SUBMITTED).first()
