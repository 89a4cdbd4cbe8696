"""The ten lists (清单) of DESIGN §2: their membership rules and the services that keep and publish them.

A list's members are computed, not stored: each ``ListKind`` has a rule — a queryset filter over the
in-use handling items' *current* versions, written with plain lookups and ``Exists`` so that it means
the same on SQLite and PostgreSQL — plus the admin's by-hand adjustments (纳入 / 移出). Publishing
freezes what the rule and the adjustments give at that moment into a numbered, dated edition
(``ItemListVersion``) whose entries point at the item versions of the day, so an old edition keeps
saying what the items said when it was published.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Prefetch, Q, QuerySet
from django.db.models.expressions import Combinable
from django.utils import timezone

from yichuang.catalog import policies
from yichuang.catalog.models import (
    ItemCaseKind,
    ItemKind,
    ItemList,
    ItemListAdjustment,
    ItemListEntry,
    ItemListVersion,
    ItemStatus,
    ItemType,
    ItemVersion,
    ListAdjustmentAction,
    ListKind,
    ListMembership,
    Material,
    MaterialNecessity,
    NearbyLevel,
    OnlineDepth,
    ServiceItem,
    TongbanScope,
)
from yichuang.core.audit import audit_record
from yichuang.core.errors import ApplicationError, ConflictError, NotFoundError

__all__ = [
    "LIST_RULES",
    "ListPreview",
    "ListRule",
    "PlannedEntry",
    "item_list_adjust",
    "item_list_adjustment_remove",
    "item_list_preview",
    "item_list_publish",
    "item_list_update",
    "list_candidates",
    "rule_members",
]


# ——— rules ———


def _current_materials(**lookups: Any) -> Exists:
    return Exists(Material.objects.filter(version=OuterRef("current_version"), **lookups))


def _names(materials: list[Material], keep: Callable[[Material], bool]) -> str:
    return "、".join(m.name for m in materials if keep(m))


def _licensing_note(v: ItemVersion) -> str:
    return v.legal_basis.strip()[:200]


def _commitment_note(v: ItemVersion) -> str:
    parts = []
    if v.commitment_allowed:
        parts.append("整项可告知承诺办理")
    replaceable = _names(list(v.materials.all()), lambda m: m.commitment_replaceable)
    if replaceable:
        parts.append(f"可承诺替代的材料：{replaceable}")
    return "；".join(parts)


def _no_visit_note(v: ItemVersion) -> str:
    return f"到现场0次，{OnlineDepth(v.online_depth).label}"


def _intermediary_note(v: ItemVersion) -> str:
    names = [str(s.get("name", "")).strip() for s in v.intermediary_services if isinstance(s, dict)]
    return "、".join(n for n in names if n)


@dataclass(frozen=True)
class ListRule:
    """Who belongs to a list: ``condition`` filters ``ServiceItem`` rows (through ``current_version``);
    ``note`` says, for one member's current version, the fact that put it there."""

    kind: str
    summary: str
    condition: Callable[[], Q | Combinable]
    note: Callable[[ItemVersion], str]


LIST_RULES: dict[str, ListRule] = {
    rule.kind: rule
    for rule in [
        ListRule(
            ListKind.LICENSING,
            "事项类型为行政许可",
            lambda: Q(current_version__item_type=ItemType.LICENSING),
            _licensing_note,
        ),
        ListRule(
            ListKind.IMMEDIATE,
            "办件类型为即办件（当场办结）",
            lambda: Q(current_version__case_kind=ItemCaseKind.IMMEDIATE),
            lambda v: "材料齐全、符合法定形式的当场办结",
        ),
        ListRule(
            ListKind.DEFICIENCY,
            "至少一项申请材料可容缺后补",
            lambda: _current_materials(necessity=MaterialNecessity.DEFERRABLE),
            lambda v: (
                "可容缺后补："
                + _names(list(v.materials.all()), lambda m: m.necessity == MaterialNecessity.DEFERRABLE)
            ),
        ),
        ListRule(
            ListKind.COMMITMENT,
            "整项可告知承诺办理，或至少一项材料可由告知承诺替代",
            lambda: (
                Q(current_version__commitment_allowed=True) | _current_materials(commitment_replaceable=True)
            ),
            _commitment_note,
        ),
        ListRule(
            ListKind.NO_VISIT,
            "到办事现场次数为0（全程网办）",
            lambda: Q(current_version__visits_required=0),
            _no_visit_note,
        ),
        ListRule(
            ListKind.NEARBY,
            "可在苏木乡镇（街道）或嘎查村（社区）便民服务站办理",
            lambda: ~Q(current_version__nearby_level=NearbyLevel.NONE),
            lambda v: str(NearbyLevel(v.nearby_level).label),
        ),
        ListRule(
            ListKind.TONGBAN,
            "通办范围为全盟（市）、全区或跨省",
            lambda: ~Q(current_version__tongban_scope=TongbanScope.NONE),
            lambda v: str(TongbanScope(v.tongban_scope).label),
        ),
        ListRule(
            ListKind.CERTIFICATE_FREE,
            "至少一项申请材料可由电子证照替代",
            lambda: _current_materials(licence_type_code__gt=""),
            lambda v: (
                "可用电子证照替代：" + _names(list(v.materials.all()), lambda m: bool(m.licence_type_code))
            ),
        ),
        ListRule(
            ListKind.NEGATIVE,
            "不进驻政务服务中心（备注为不进驻理由）",
            lambda: Q(current_version__stationed=False),
            lambda v: v.negative_reason,
        ),
        ListRule(
            ListKind.INTERMEDIARY,
            "办理中需要申请人委托中介服务",
            # Exact match on the empty JSON list: the same on SQLite (JSON text) and PostgreSQL (jsonb).
            lambda: ~Q(current_version__intermediary_services=[]),
            _intermediary_note,
        ),
    ]
}


def list_candidates() -> QuerySet[ServiceItem]:
    """Items a list may hold: published handling items in use, in publication order (department, code)."""
    return (
        ServiceItem.objects.filter(
            kind=ItemKind.HANDLING, status=ItemStatus.ACTIVE, current_version__isnull=False
        )
        .select_related("department", "current_version")
        .prefetch_related(
            Prefetch("current_version__materials", queryset=Material.objects.order_by("position"))
        )
        .order_by("department__path", "basic_code", "pk")
    )


def rule_members(*, kind: str) -> QuerySet[ServiceItem]:
    return list_candidates().filter(LIST_RULES[kind].condition())


# ——— what a publication would contain ———


@dataclass
class PlannedEntry:
    item: ServiceItem
    note: str
    by_hand: bool

    @property
    def version(self) -> ItemVersion:
        assert self.item.current_version is not None
        return self.item.current_version


@dataclass
class ListPreview:
    """What publishing now would give, against the latest published edition."""

    item_list: ItemList
    entries: list[PlannedEntry]
    latest: ItemListVersion | None
    added: list[PlannedEntry] = field(default_factory=list)
    removed: list[ItemListEntry] = field(default_factory=list)
    # Still listed, but the item has published a new version since the latest edition.
    updated: list[PlannedEntry] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return self.latest is not None and not (self.added or self.removed or self.updated)


def _planned_entries(item_list: ItemList) -> list[PlannedEntry]:
    adjustments = {a.item_id: a for a in item_list.adjustments.all()}
    excluded = {pk for pk, a in adjustments.items() if a.action == ListAdjustmentAction.EXCLUDE}
    included = {pk: a for pk, a in adjustments.items() if a.action == ListAdjustmentAction.INCLUDE}
    rule = LIST_RULES[item_list.kind]
    members: dict[int, ServiceItem] = {}
    if item_list.membership == ListMembership.RULE:
        members = {item.pk: item for item in rule_members(kind=item_list.kind) if item.pk not in excluded}
    by_hand = {pk for pk in included if pk not in members}
    if by_hand:
        members.update({item.pk: item for item in list_candidates().filter(pk__in=by_hand)})
    ordered = sorted(members.values(), key=lambda i: (i.department.path, i.basic_code, i.pk))
    entries = []
    for item in ordered:
        assert item.current_version is not None
        if item.pk in by_hand:
            # The item's own facts do not put it on the list: the admin's reason does.
            entries.append(PlannedEntry(item=item, note=included[item.pk].reason, by_hand=True))
        else:
            entries.append(PlannedEntry(item=item, note=rule.note(item.current_version), by_hand=False))
    return entries


def _latest_version(item_list: ItemList) -> ItemListVersion | None:
    return item_list.versions.order_by("-number").first()


def item_list_preview(*, item_list: ItemList) -> ListPreview:
    entries = _planned_entries(item_list)
    latest = _latest_version(item_list)
    preview = ListPreview(item_list=item_list, entries=entries, latest=latest)
    if latest is None:
        preview.added = list(entries)
        return preview
    published = {
        e.item_id: e
        for e in latest.entries.select_related("item_version", "item__department").order_by("position")
    }
    planned = {e.item.pk: e for e in entries}
    preview.added = [e for e in entries if e.item.pk not in published]
    preview.removed = [e for pk, e in published.items() if pk not in planned]
    preview.updated = [
        e for e in entries if e.item.pk in published and published[e.item.pk].item_version_id != e.version.pk
    ]
    return preview


# ——— services ———


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("请填写调整理由", code="reason_required", fields={"reason": ["必填"]})
    return reason


@transaction.atomic
def item_list_adjust(
    *, actor: Any, item_list: ItemList, item: ServiceItem, action: str, reason: str
) -> ItemListAdjustment:
    """Include or exclude one item by hand, from the next edition on. Replaces an earlier adjustment."""
    policies.require_can_manage(actor)
    if action not in ListAdjustmentAction.values:
        raise ApplicationError(
            "调整操作无效，应为纳入或移出", code="invalid_action", fields={"action": ["无效"]}
        )
    reason = _require_reason(reason)
    item = ServiceItem.objects.get(pk=item.pk)
    if item.kind != ItemKind.HANDLING or item.current_version_id is None:
        raise ApplicationError(
            "只能调整已发布的办理项", code="not_handling_item", fields={"item": ["不是办理项"]}
        )
    if action == ListAdjustmentAction.INCLUDE and item.status != ItemStatus.ACTIVE:
        raise ConflictError("该事项已取消，不能纳入清单", code="item_retired")
    if action == ListAdjustmentAction.EXCLUDE and item_list.membership == ListMembership.MANUAL:
        raise ApplicationError(
            "手工维护的清单只需纳入事项；要移出，请删除该事项的纳入记录", code="manual_list_exclude"
        )
    previous = ItemListAdjustment.objects.filter(item_list=item_list, item=item).first()
    adjustment, _created = ItemListAdjustment.objects.update_or_create(
        item_list=item_list,
        item=item,
        defaults={"action": action, "reason": reason, "created_by": actor},
    )
    audit_record(
        actor=actor,
        action="catalog.list.adjust",
        obj=item_list,
        data={
            "item_id": item.pk,
            "action": action,
            "reason": reason,
            "replaced": previous.action if previous else None,
        },
    )
    return adjustment


@transaction.atomic
def item_list_adjustment_remove(*, actor: Any, item_list: ItemList, item: ServiceItem) -> None:
    policies.require_can_manage(actor)
    adjustment = ItemListAdjustment.objects.filter(item_list=item_list, item=item).first()
    if adjustment is None:
        raise NotFoundError("该事项没有手工调整记录")
    adjustment.delete()
    audit_record(
        actor=actor,
        action="catalog.list.adjustment_remove",
        obj=item_list,
        data={"item_id": item.pk, "action": adjustment.action},
    )


@transaction.atomic
def item_list_update(*, actor: Any, item_list: ItemList, membership: str, description: str) -> ItemList:
    policies.require_can_manage(actor)
    if membership not in ListMembership.values:
        raise ApplicationError("成员方式无效", code="invalid_membership", fields={"membership": ["无效"]})
    locked = ItemList.objects.select_for_update().get(pk=item_list.pk)
    before = {"membership": locked.membership, "description": locked.description}
    locked.membership = membership
    locked.description = (description or "").strip()
    locked.save(update_fields=["membership", "description"])
    audit_record(
        actor=actor,
        action="catalog.list.update",
        obj=locked,
        data={
            "before": before,
            "after": {"membership": locked.membership, "description": locked.description},
        },
    )
    return locked


@transaction.atomic
def item_list_publish(
    *, actor: Any, item_list: ItemList, effective_date: date | None, note: str = ""
) -> ItemListVersion:
    """Freeze what the list holds now into edition max+1. An unchanged list may be re-published
    (a re-dated edition)."""
    policies.require_can_manage(actor)
    if effective_date is None:
        raise ApplicationError(
            "请填写施行日期", code="effective_date_required", fields={"effective_date": ["必填"]}
        )
    locked = ItemList.objects.select_for_update().get(pk=item_list.pk)
    entries = _planned_entries(locked)
    number = (locked.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = ItemListVersion.objects.create(
        item_list=locked,
        number=number,
        effective_date=effective_date,
        published_at=timezone.now(),
        published_by=actor,
        note=(note or "").strip(),
        item_count=len(entries),
    )
    ItemListEntry.objects.bulk_create(
        [
            ItemListEntry(
                list_version=version,
                item=entry.item,
                item_version=entry.version,
                position=position,
                note=entry.note,
                by_hand=entry.by_hand,
            )
            for position, entry in enumerate(entries, start=1)
        ]
    )
    audit_record(
        actor=actor,
        action="catalog.list.publish",
        obj=locked,
        data={
            "version": number,
            "effective_date": effective_date.isoformat(),
            "item_count": len(entries),
        },
    )
    return version
