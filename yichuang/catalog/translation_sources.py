"""The catalog's translatable content: each item's name and the texts its guide shows (受理条件, 办理流程,
申请材料, 办理地点 …), read from the item's current version (see ``yichuang.core.i18n.content``).

A translation is keyed by the item's id and a field that names the same text in every version — a material
by its cross-version ``key``, a process step by its number — never by a version: a published version is never
touched, and a translation carries over to a new version as long as the Chinese reads the same."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext_noop

from yichuang.catalog.models import ItemStatus, ItemVersion, Material, ServiceItem
from yichuang.core.i18n.content import SourceField, SourceObject, register

GROUP_CONDITIONS = gettext_noop("受理条件")
GROUP_PROCESS = gettext_noop("办理流程")
GROUP_MATERIALS = gettext_noop("申请材料")
GROUP_PLACE = gettext_noop("办理地点和时间")
GROUP_RESULT = gettext_noop("审批结果")
GROUP_PLAIN = gettext_noop("白话版说明")


def version_fields(version: ItemVersion, materials: list[Material] | None = None) -> tuple[SourceField, ...]:
    """The translatable texts of one version, in the order the guide shows them (empty ones left out)."""
    if materials is None:
        materials = list(version.materials.all())
    fields = [SourceField("name", "事项名称", version.name)]
    if version.acceptance_conditions.strip():
        fields.append(
            SourceField(
                "acceptance_conditions", "受理条件", version.acceptance_conditions, GROUP_CONDITIONS, True
            )
        )
    for number, step in enumerate(version.process_steps or [], start=1):
        if not isinstance(step, dict):
            continue
        if str(step.get("name") or "").strip():
            fields.append(
                SourceField(f"process.{number}.name", f"办理流程第{number}步", step["name"], GROUP_PROCESS)
            )
        if str(step.get("description") or "").strip():
            fields.append(
                SourceField(
                    f"process.{number}.description",
                    f"办理流程第{number}步说明",
                    step["description"],
                    GROUP_PROCESS,
                )
            )
    for material in materials:
        fields.append(
            SourceField(
                f"material.{material.key}.name", f"申请材料：{material.name}", material.name, GROUP_MATERIALS
            )
        )
    for name, label in (("handling_place", "办理地点"), ("handling_hours", "办理时间")):
        value = getattr(version, name)
        if value.strip():
            fields.append(SourceField(name, label, value, GROUP_PLACE))
    if version.result_name.strip():
        fields.append(SourceField("result_name", "审批结果名称", version.result_name, GROUP_RESULT))
    if version.plain_summary.strip():
        fields.append(SourceField("plain_summary", "白话版说明", version.plain_summary, GROUP_PLAIN, True))
    return tuple(fields)


def _object(item: ServiceItem, version: ItemVersion, materials: list[Material] | None = None) -> SourceObject:
    code = version.implementation_code or item.implementation_code
    note = " · ".join(part for part in (item.department.name, code) if part)
    return SourceObject(
        kind=ItemSource.kind,
        key=str(item.pk),
        title=version.name,
        fields=version_fields(version, materials),
        note=note,
    )


class ItemSource:
    kind = "item"
    label = "事项与办事指南"
    position = 10

    def _items(self) -> Any:
        return (
            ServiceItem.objects.filter(current_version__isnull=False)
            .select_related("department", "current_version")
            .prefetch_related(
                Prefetch("current_version__materials", queryset=Material.objects.order_by("position"))
            )
        )

    def objects(self) -> list[SourceObject]:
        items = (
            self._items().filter(status=ItemStatus.ACTIVE).order_by("department__path", "basic_code", "pk")
        )
        return [_object(item, item.current_version) for item in items]

    def get(self, key: str) -> SourceObject | None:
        if not key.isdigit():
            return None
        item = self._items().filter(pk=int(key)).first()
        return _object(item, item.current_version) if item is not None else None

    def describe(self, obj: Any) -> SourceObject:
        """``obj`` is an ItemVersion (the one a guide shows, current or historical)."""
        version: ItemVersion = obj
        return SourceObject(
            kind=self.kind, key=str(version.item_id), title=version.name, fields=version_fields(version)
        )


register(ItemSource())
