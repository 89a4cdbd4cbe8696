"""API of the catalog: 事项清单. Published editions are public; preview, adjustments and publication
are the admin's (capability ``catalog.manage``, checked by the services)."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status

from yichuang.catalog import list_selectors, lists, policies
from yichuang.catalog.models import ItemList, ItemListEntry, ItemListVersion, ServiceItem
from yichuang.core.errors import NotFoundError

router = Router(tags=["事项清单"])


class ListVersionOut(Schema):
    number: int
    effective_date: date
    published_at: datetime
    note: str
    item_count: int


class ListOut(Schema):
    kind: str
    name: str
    description: str
    membership: str
    latest: ListVersionOut | None


class ListEntryOut(Schema):
    position: int
    item_id: int
    item_version: int
    name: str
    department: str
    implementation_code: str
    item_type: str
    item_type_label: str
    promised: str
    note: str
    by_hand: bool


class ListEditionOut(Schema):
    kind: str
    name: str
    description: str
    version: ListVersionOut | None
    entries: list[ListEntryOut]


class PreviewEntryOut(Schema):
    item_id: int
    name: str
    department: str
    implementation_code: str
    note: str
    by_hand: bool


class ListPreviewOut(Schema):
    kind: str
    item_count: int
    latest_number: int | None
    unchanged: bool
    entries: list[PreviewEntryOut]
    added: list[int]
    removed: list[int]
    updated: list[int]


class AdjustmentIn(Schema):
    item_id: int
    action: str
    reason: str


class AdjustmentOut(Schema):
    item_id: int
    action: str
    reason: str


class PublishIn(Schema):
    effective_date: date | None = None
    note: str = ""


def _version_out(version: ItemListVersion | None) -> dict | None:
    if version is None:
        return None
    return {
        "number": version.number,
        "effective_date": version.effective_date,
        "published_at": version.published_at,
        "note": version.note,
        "item_count": version.item_count,
    }


def _entry_out(entry: ItemListEntry) -> dict:
    v = entry.item_version
    return {
        "position": entry.position,
        "item_id": entry.item_id,
        "item_version": v.number,
        "name": v.name,
        "department": entry.item.department.name,
        "implementation_code": v.implementation_code,
        "item_type": v.item_type,
        "item_type_label": v.get_item_type_display(),
        "promised": list_selectors.promised_label(case_kind=v.case_kind, promised_days=v.promised_days),
        "note": entry.note,
        "by_hand": entry.by_hand,
    }


def _edition_out(item_list: ItemList, version: ItemListVersion | None) -> dict:
    entries = list(list_selectors.item_list_entries(version=version)) if version else []
    return {
        "kind": item_list.kind,
        "name": item_list.name,
        "description": item_list.description,
        "version": _version_out(version),
        "entries": [_entry_out(e) for e in entries],
    }


def _item(item_id: int) -> ServiceItem:
    item = ServiceItem.objects.filter(pk=item_id).first()
    if item is None:
        raise NotFoundError("未找到该事项", fields={"item_id": ["不存在"]})
    return item


@router.get("/lists", response=list[ListOut], auth=None)
def list_index(request: HttpRequest) -> list[dict]:
    return [
        {
            "kind": s.item_list.kind,
            "name": s.item_list.name,
            "description": s.item_list.description,
            "membership": s.item_list.membership,
            "latest": _version_out(s.latest),
        }
        for s in list_selectors.item_list_index()
    ]


@router.get("/lists/{kind}", response=ListEditionOut, auth=None)
def list_detail(request: HttpRequest, kind: str) -> dict:
    item_list = list_selectors.item_list_get(kind=kind)
    return _edition_out(item_list, list_selectors.item_list_version_get(item_list=item_list))


@router.get("/lists/{kind}/versions/{number}", response=ListEditionOut, auth=None)
def list_version(request: HttpRequest, kind: str, number: int) -> dict:
    item_list = list_selectors.item_list_get(kind=kind)
    return _edition_out(item_list, list_selectors.item_list_version_get(item_list=item_list, number=number))


@router.get("/lists/{kind}/preview", response=ListPreviewOut)
def list_preview(request: HttpRequest, kind: str) -> dict:
    policies.require_can_manage(request.user)
    item_list = list_selectors.item_list_get(kind=kind)
    preview = lists.item_list_preview(item_list=item_list)
    return {
        "kind": item_list.kind,
        "item_count": len(preview.entries),
        "latest_number": preview.latest.number if preview.latest else None,
        "unchanged": preview.unchanged,
        "entries": [
            {
                "item_id": e.item.pk,
                "name": e.item.name,
                "department": e.item.department.name,
                "implementation_code": e.item.implementation_code,
                "note": e.note,
                "by_hand": e.by_hand,
            }
            for e in preview.entries
        ],
        "added": [e.item.pk for e in preview.added],
        "removed": [e.item_id for e in preview.removed],
        "updated": [e.item.pk for e in preview.updated],
    }


@router.post("/lists/{kind}/adjustments", response={201: AdjustmentOut})
def list_adjust(request: HttpRequest, kind: str, payload: AdjustmentIn) -> Status:
    policies.require_can_manage(request.user)
    item_list = list_selectors.item_list_get(kind=kind)
    adjustment = lists.item_list_adjust(
        actor=request.user,
        item_list=item_list,
        item=_item(payload.item_id),
        action=payload.action,
        reason=payload.reason,
    )
    return Status(
        201, {"item_id": adjustment.item_id, "action": adjustment.action, "reason": adjustment.reason}
    )


@router.delete("/lists/{kind}/adjustments/{item_id}", response={204: None})
def list_adjustment_remove(request: HttpRequest, kind: str, item_id: int) -> Status:
    policies.require_can_manage(request.user)
    item_list = list_selectors.item_list_get(kind=kind)
    lists.item_list_adjustment_remove(actor=request.user, item_list=item_list, item=_item(item_id))
    return Status(204, None)


@router.post("/lists/{kind}/publish", response={201: ListEditionOut})
def list_publish(request: HttpRequest, kind: str, payload: PublishIn) -> Status:
    policies.require_can_manage(request.user)
    item_list = list_selectors.item_list_get(kind=kind)
    version = lists.item_list_publish(
        actor=request.user, item_list=item_list, effective_date=payload.effective_date, note=payload.note
    )
    return Status(201, _edition_out(item_list, version))
