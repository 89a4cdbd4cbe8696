"""Writes of the catalog: change requests and their decisions, publication of immutable versions,
sample files. Each is atomic, checks who acts, and leaves an audit event."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from yichuang.accounts.models import Department
from yichuang.catalog import policies, search
from yichuang.catalog.codes import implementation_code, material_code, normalize_basic_code
from yichuang.catalog.elements import (
    LIST_FIELDS,
    MATERIAL_FIELDS,
    SCALAR_FIELDS,
    elements_clean,
    elements_merge,
    version_elements,
)
from yichuang.catalog.models import (
    CatalogFile,
    ChangeKind,
    ChangeRequest,
    ChangeRequestStatus,
    ItemStatus,
    ItemVersion,
    Material,
    ReviewPoint,
    ServiceItem,
)
from yichuang.catalog.workflow import change_request_transition
from yichuang.core.audit import audit_record
from yichuang.core.errors import ApplicationError, ConflictError, full_clean_or_raise
from yichuang.core.uploads import DOCUMENT_TYPES, file_type_check


def _require_reason(reason: str, field: str = "reason", what: str = "申请理由") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(f"请填写{what}", fields={field: ["必填"]})
    return reason


def _check_files_exist(elements: dict[str, Any]) -> None:
    wanted = {m[f] for m in elements["materials"] for f in ("blank_form", "sample") if m.get(f)}
    if not wanted:
        return
    found = set(CatalogFile.objects.filter(sha256__in=wanted).values_list("sha256", flat=True))
    missing = wanted - found
    if missing:
        fields = {
            f"materials.{i}.{f}": ["文件不存在，请重新上传"]
            for i, m in enumerate(elements["materials"])
            for f in ("blank_form", "sample")
            if m.get(f) in missing
        }
        raise ApplicationError("引用的样表或示范文本不存在，请重新上传", fields=fields)


def _submit(*, actor: Any, **fields: Any) -> ChangeRequest:
    change_request = ChangeRequest(proposed_by=actor, proposed_at=timezone.now(), **fields)
    try:
        with transaction.atomic():
            change_request.save()
    except IntegrityError as exc:
        if change_request.kind == ChangeKind.CREATE:
            raise ConflictError(
                "该基本编码已有待审核的新增申请，请勿重复提交", code="duplicate_request"
            ) from exc
        raise ConflictError(
            "该事项已有待审核的变更申请，请等待审核或撤回后再提交", code="duplicate_request"
        ) from exc
    audit_record(
        actor=actor,
        action="catalog.change_request.submit",
        obj=change_request,
        data={
            "kind": change_request.kind,
            "item_id": change_request.item_id,
            "department_id": change_request.department_id,
            "basic_code": change_request.basic_code,
            "reason": change_request.reason,
        },
    )
    return change_request


@transaction.atomic
def change_request_propose_create(
    *,
    actor: Any,
    department: Department,
    item_kind: str,
    level: str,
    basic_code: str,
    elements: dict[str, Any],
    reason: str,
    parent: ServiceItem | None = None,
) -> ChangeRequest:
    """Propose a new item: its place in the tree, its code and all its elements."""
    policies.require_can_propose_for(actor, department)
    reason = _require_reason(reason)
    cleaned = elements_clean(elements)
    _check_files_exist(cleaned)
    code = normalize_basic_code(basic_code)
    candidate = ServiceItem(
        kind=item_kind,
        parent=parent,
        department=department,
        level=level,
        basic_code=code,
        name=cleaned["name"],
    )
    full_clean_or_raise(
        candidate, exclude=["current_version", "implementation_code"], validate_constraints=False
    )
    if parent is not None and parent.status != ItemStatus.ACTIVE:
        raise ApplicationError("上级事项已取消，不能在其下新增事项", fields={"parent": ["已取消"]})
    if code and ServiceItem.objects.filter(department=department, level=level, basic_code=code).exists():
        raise ConflictError(
            "本实施主体在该层级已有相同基本编码的事项",
            code="duplicate_code",
            fields={"basic_code": ["已存在"]},
        )
    return _submit(
        actor=actor,
        kind=ChangeKind.CREATE,
        department=department,
        item_kind=item_kind,
        parent=parent,
        level=level,
        basic_code=code,
        payload=cleaned,
        reason=reason,
    )


@transaction.atomic
def change_request_propose_edit(
    *, actor: Any, item: ServiceItem, elements: dict[str, Any], reason: str
) -> ChangeRequest:
    """Propose new elements for an item. ``elements`` may hold only what changes."""
    item = ServiceItem.objects.select_related("department", "current_version").get(pk=item.pk)
    policies.require_can_propose_for(actor, item.department)
    reason = _require_reason(reason)
    if item.status != ItemStatus.ACTIVE or item.current_version is None:
        raise ConflictError("该事项已取消，不能再变更", code="item_retired")
    base = version_elements(item.current_version)
    cleaned = elements_clean(elements_merge(base, elements))
    _check_files_exist(cleaned)
    if cleaned == elements_clean(base):
        raise ApplicationError("提交的事项要素与现行版本完全相同，没有需要审核的变更", code="no_change")
    return _submit(
        actor=actor,
        kind=ChangeKind.EDIT,
        item=item,
        department=item.department,
        base_version=item.current_version,
        payload=cleaned,
        reason=reason,
    )


@transaction.atomic
def change_request_propose_retire(*, actor: Any, item: ServiceItem, reason: str) -> ChangeRequest:
    item = ServiceItem.objects.select_related("department").get(pk=item.pk)
    policies.require_can_propose_for(actor, item.department)
    reason = _require_reason(reason, what="取消理由")
    if item.status != ItemStatus.ACTIVE:
        raise ConflictError("该事项已取消", code="item_retired")
    if item.children.filter(status=ItemStatus.ACTIVE).exists():
        raise ConflictError("该事项下还有在用的子项或办理项，请先取消它们", code="has_children")
    return _submit(
        actor=actor,
        kind=ChangeKind.RETIRE,
        item=item,
        department=item.department,
        base_version=item.current_version,
        payload={},
        reason=reason,
    )


@transaction.atomic
def change_request_approve(*, actor: Any, change_request: ChangeRequest, reason: str = "") -> ItemVersion:
    """Approve and publish: a new immutable version becomes the item's current one."""
    policies.require_can_decide(actor)
    locked = ChangeRequest.objects.select_for_update().get(pk=change_request.pk)
    if locked.status != ChangeRequestStatus.SUBMITTED:
        raise ConflictError(
            f"该申请当前状态为“{locked.get_status_display()}”，不能批准", code="illegal_transition"
        )
    if locked.kind == ChangeKind.CREATE:
        item = _item_create(locked)
        elements = locked.payload
    else:
        assert locked.item_id is not None
        item = ServiceItem.objects.select_for_update().get(pk=locked.item_id)
        if item.current_version_id != locked.base_version_id:
            raise ConflictError(
                "该事项在申请提交后已发布了新版本，请退回申请，由部门基于最新版本重新提交",
                code="stale_base_version",
            )
        if item.status != ItemStatus.ACTIVE:
            raise ConflictError("该事项已取消", code="item_retired")
        assert item.current_version is not None
        elements = (
            locked.payload if locked.kind == ChangeKind.EDIT else version_elements(item.current_version)
        )
    if locked.kind != ChangeKind.RETIRE:
        _check_files_exist(elements)
    version = item_version_publish(
        item=item, elements=elements, change_kind=locked.kind, actor=actor, change_request=locked
    )
    change_request_transition(
        change_request=locked,
        to=ChangeRequestStatus.APPROVED,
        actor=actor,
        reason=reason.strip(),
        data={"item_id": item.pk, "version": version.number},
    )
    if locked.kind == ChangeKind.CREATE:
        ChangeRequest.objects.filter(pk=locked.pk).update(item=item)
    return version


@transaction.atomic
def change_request_reject(*, actor: Any, change_request: ChangeRequest, reason: str) -> ChangeRequest:
    policies.require_can_decide(actor)
    reason = _require_reason(reason, what="退回理由")
    return change_request_transition(
        change_request=change_request, to=ChangeRequestStatus.REJECTED, actor=actor, reason=reason
    )


@transaction.atomic
def change_request_withdraw(*, actor: Any, change_request: ChangeRequest) -> ChangeRequest:
    policies.require_can_propose_for(actor, change_request.department)
    return change_request_transition(
        change_request=change_request, to=ChangeRequestStatus.WITHDRAWN, actor=actor
    )


def _item_create(change_request: ChangeRequest) -> ServiceItem:
    if (
        change_request.basic_code
        and ServiceItem.objects.filter(
            department_id=change_request.department_id,
            level=change_request.level,
            basic_code=change_request.basic_code,
        ).exists()
    ):
        raise ConflictError("该基本编码已被其他事项使用，请退回申请并更换编码", code="duplicate_code")
    item = ServiceItem(
        kind=change_request.item_kind,
        parent=change_request.parent,
        department=change_request.department,
        level=change_request.level,
        basic_code=change_request.basic_code,
        name=change_request.payload["name"],
    )
    full_clean_or_raise(item, exclude=["current_version", "implementation_code"])
    item.save()
    return item


def item_version_publish(
    *,
    item: ServiceItem,
    elements: dict[str, Any],
    change_kind: str,
    actor: Any,
    change_request: ChangeRequest | None = None,
    published_at: datetime | None = None,
) -> ItemVersion:
    """Write a new version with its materials and review points and make it current.

    The caller holds the item's row lock (or has just created the item) and has cleaned ``elements``.
    """
    number = (item.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    code = implementation_code(
        credit_code=item.department.credit_code, level=item.level, basic_code=item.basic_code
    )
    version = ItemVersion(
        item=item,
        number=number,
        change_kind=change_kind,
        change_request=change_request,
        published_at=published_at or timezone.now(),
        published_by=actor,
        implementation_code=code,
        **{field: elements[field] for field in SCALAR_FIELDS},
        **{field: elements[field] for field in LIST_FIELDS},
    )
    version.save()
    files = {
        f.sha256: f
        for f in CatalogFile.objects.filter(
            sha256__in={m[k] for m in elements["materials"] for k in ("blank_form", "sample") if m.get(k)}
        )
    }
    materials = Material.objects.bulk_create(
        [
            Material(
                version=version,
                key=entry["key"],
                position=position,
                code=material_code(code, position),
                blank_form=files.get(entry.get("blank_form") or ""),
                sample=files.get(entry.get("sample") or ""),
                **{field: entry[field] for field in MATERIAL_FIELDS},
            )
            for position, entry in enumerate(elements["materials"], start=1)
        ]
    )
    if not all(m.pk for m in materials):  # backends without RETURNING ids (none we support today)
        materials = list(version.materials.order_by("position"))
    ReviewPoint.objects.bulk_create(
        [
            ReviewPoint(material=material, position=index, text=text)
            for material, entry in zip(materials, elements["materials"], strict=True)
            for index, text in enumerate(entry["review_points"], start=1)
        ]
    )
    item.current_version = version
    item.name = version.name
    item.implementation_code = code
    if change_kind == ChangeKind.RETIRE:
        item.status = ItemStatus.RETIRED
    item.save(update_fields=["current_version", "name", "implementation_code", "status", "updated_at"])
    search.search_index_items(items=[item])
    audit_record(
        actor=actor,
        action="catalog.item.publish",
        obj=item,
        data={
            "version": number,
            "change_kind": change_kind,
            "implementation_code": code,
            "change_request_id": change_request.pk if change_request else None,
        },
    )
    return version


@transaction.atomic
def catalog_file_upload(*, actor: Any, name: str, content: bytes) -> CatalogFile:
    """Store a blank form or sample file, checked by its content, once per content."""
    if not (
        policies.has_capability(actor, "catalog.propose") or policies.has_capability(actor, "catalog.manage")
    ):
        policies.require_can_manage(actor)
    content_type = file_type_check(name=name, content=content, allowed=DOCUMENT_TYPES)
    digest = hashlib.sha256(content).hexdigest()
    existing = CatalogFile.objects.filter(sha256=digest).first()
    if existing is not None:
        return existing
    stored = CatalogFile.objects.create(
        sha256=digest,
        name=name[-200:],
        content_type=content_type,
        size=len(content),
        data=content,
        uploaded_by=actor,
    )
    audit_record(
        actor=actor, action="catalog.file.upload", obj=stored, data={"name": stored.name, "size": stored.size}
    )
    return stored


__all__ = [
    "catalog_file_upload",
    "change_request_approve",
    "change_request_propose_create",
    "change_request_propose_edit",
    "change_request_propose_retire",
    "change_request_reject",
    "change_request_withdraw",
    "item_version_publish",
]
