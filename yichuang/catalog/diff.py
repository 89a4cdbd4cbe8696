"""What changed between two sets of elements: field by field, materials matched by their stable key,
long texts with an inline character diff (Chinese has no spaces to diff words by)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from yichuang.catalog.elements import ELEMENT_FIELDS, MATERIAL_FIELDS
from yichuang.catalog.models import (
    DeliveryMethod,
    ItemVersion,
    Material,
    SpecialProcedureKind,
)

_INLINE_MIN_LENGTH = 20


@dataclass
class FieldChange:
    name: str
    label: str
    old: str
    new: str
    inline: list[tuple[str, str]] = field(default_factory=list)  # (equal|insert|delete, text)


@dataclass
class MaterialChange:
    key: str
    name: str
    status: str  # added | removed | changed
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return {"added": "新增材料", "removed": "删除材料", "changed": "修改材料"}[self.status]


@dataclass
class ElementsDiff:
    fields: list[FieldChange] = field(default_factory=list)
    materials: list[MaterialChange] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.fields and not self.materials

    def as_dict(self) -> dict[str, Any]:
        return {
            "fields": [{"field": c.name, "label": c.label, "old": c.old, "new": c.new} for c in self.fields],
            "materials": [
                {
                    "key": m.key,
                    "name": m.name,
                    "status": m.status,
                    "changes": [
                        {"field": c.name, "label": c.label, "old": c.old, "new": c.new} for c in m.changes
                    ],
                }
                for m in self.materials
            ],
        }


def _label(model: Any, name: str) -> str:
    labels = {"review_points": "审核要点", "blank_form": "空白表格", "sample": "示范文本"}
    if name in labels:
        return labels[name]
    return str(model._meta.get_field(name).verbose_name)


def _display(model: Any, name: str, value: Any) -> str:
    if value is None or value == "" or value == []:
        return "（无）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if name == "review_points":
        return "\n".join(f"{i}. {text}" for i, text in enumerate(value, start=1))
    if name == "delivery_methods":
        return "、".join(str(DeliveryMethod(v).label) for v in value if v in DeliveryMethod.values)
    if name == "process_steps":
        return "\n".join(
            f"{i}. {s['name']}" + (f"：{s['description']}" if s.get("description") else "")
            for i, s in enumerate(value, start=1)
        )
    if name == "special_procedures":
        kinds = dict(SpecialProcedureKind.choices)
        return "\n".join(
            f"{kinds.get(s['kind'], s['kind'])}（{s['name']}）{s['days']}个工作日" for s in value
        )
    if name == "fees":
        return "\n".join(
            f"{f['name']}：{f['standard']}" + (f"（{f['basis']}）" if f.get("basis") else "") for f in value
        )
    if name == "intermediary_services":
        return "\n".join(
            f"{s['name']}" + (f"（依据：{s['basis']}）" if s.get("basis") else "") for s in value
        )
    if name in ("blank_form", "sample"):
        return "已上传文件"
    try:
        model_field = model._meta.get_field(name)
    except Exception:
        return str(value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    return str(value)


def _inline(old: str, new: str) -> list[tuple[str, str]]:
    if max(len(old), len(new)) < _INLINE_MIN_LENGTH:
        return []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    parts: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            parts.append(("equal", old[i1:i2]))
            continue
        if i2 > i1:
            parts.append(("delete", old[i1:i2]))
        if j2 > j1:
            parts.append(("insert", new[j1:j2]))
    return parts


def _change(model: Any, name: str, old: Any, new: Any) -> FieldChange | None:
    if old == new:
        return None
    old_text, new_text = _display(model, name, old), _display(model, name, new)
    return FieldChange(name, _label(model, name), old_text, new_text, _inline(old_text, new_text))


def elements_diff(old: dict[str, Any] | None, new: dict[str, Any]) -> ElementsDiff:
    """Differences from ``old`` (None for a new item: everything is added) to ``new``."""
    old = old or {}
    diff = ElementsDiff()
    for name in ELEMENT_FIELDS:
        change = _change(ItemVersion, name, old.get(name), new.get(name))
        if change is not None:
            diff.fields.append(change)
    old_materials = {m["key"]: m for m in old.get("materials", [])}
    new_materials = {m["key"]: m for m in new.get("materials", [])}
    material_fields = (*MATERIAL_FIELDS, "blank_form", "sample", "review_points")
    for key, material in new_materials.items():
        before = old_materials.get(key)
        if before is None:
            changes = [c for n in material_fields if (c := _change(Material, n, None, material.get(n)))]
            diff.materials.append(MaterialChange(key, material["name"], "added", changes))
            continue
        changes = [c for n in material_fields if (c := _change(Material, n, before.get(n), material.get(n)))]
        if changes:
            diff.materials.append(MaterialChange(key, material["name"], "changed", changes))
    for key, material in old_materials.items():
        if key not in new_materials:
            diff.materials.append(MaterialChange(key, material["name"], "removed"))
    return diff
