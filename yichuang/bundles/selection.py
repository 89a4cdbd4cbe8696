"""What one application of a bundle asks: the members its answers select, the one form (each field once)
and the one material list (each material type once, the items' own application forms replaced by the one
form). Reads only; ``services`` writes with it."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from yichuang.bundles.fields import BY_KEY, GROUP_ORDER, FormField
from yichuang.bundles.models import Bundle, BundleMember, BundleQuestion
from yichuang.catalog.models import Material, MaterialNecessity
from yichuang.core.errors import ApplicationError

ONE_FORM = "application_form"  # the material type every item's own application form has
ONE_FORM_NAME = "一件事综合申请表（一表制）"


@dataclass
class MergedField:
    field: FormField
    members: list[BundleMember] = dataclasses.field(default_factory=list)

    @property
    def used_by(self) -> str:
        return "、".join(str(member) for member in self.members)


@dataclass
class MergedMaterial:
    key: str
    name: str
    material_type: str
    rows: list[tuple[BundleMember, Material]] = dataclasses.field(default_factory=list)

    @property
    def necessity(self) -> str:
        """The strictest of the members' necessities: required if any member requires it."""
        order: list[str] = [
            MaterialNecessity.REQUIRED,
            MaterialNecessity.DEFERRABLE,
            MaterialNecessity.OPTIONAL,
        ]
        return min((material.necessity for _, material in self.rows), key=order.index)

    @property
    def licence_type_code(self) -> str:
        return next((m.licence_type_code for _, m in self.rows if m.licence_type_code), "")

    @property
    def by_form(self) -> bool:
        return self.key == ONE_FORM

    @property
    def used_by(self) -> str:
        return "、".join(dict.fromkeys(str(member) for member, _ in self.rows))

    @property
    def note(self) -> str:
        return next((m.note for _, m in self.rows if m.note), "")


@dataclass
class Selection:
    bundle: Bundle
    answers: dict[str, list[str]]
    members: list[BundleMember]
    fields: list[MergedField]
    materials: list[MergedMaterial]

    @property
    def field_groups(self) -> list[tuple[str, list[MergedField]]]:
        groups: dict[str, list[MergedField]] = defaultdict(list)
        for merged in self.fields:
            groups[merged.field.group].append(merged)
        return [(group, groups[group]) for group in GROUP_ORDER if group in groups]

    @property
    def separate_material_count(self) -> int:
        """How many materials applying item by item would take."""
        return sum(len(merged.rows) for merged in self.materials)


def questions_of(bundle: Bundle) -> list[BundleQuestion]:
    return list(bundle.questions.all())


def members_of(bundle: Bundle) -> list[BundleMember]:
    return list(
        bundle.members.select_related("item__current_version", "item__department")
        .prefetch_related("requires")
        .order_by("position", "pk")
    )


def answers_clean(
    bundle: Bundle, answers: dict[str, Any], questions: list[BundleQuestion] | None = None
) -> dict[str, list[str]]:
    """Every question answered with its own choices: ``{key: [values]}``, or one error naming them all."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, list[str]] = {}
    for question in questions if questions is not None else questions_of(bundle):
        raw = answers.get(question.key)
        values = (
            [str(v) for v in raw]
            if isinstance(raw, list | tuple)
            else ([str(raw)] if raw not in (None, "") else [])
        )
        allowed = {choice["value"] for choice in question.choices}
        if not values:
            errors[f"answers.{question.key}"] = ["请选择"]
        elif any(value not in allowed for value in values):
            errors[f"answers.{question.key}"] = ["选项无效"]
        elif len(values) > 1 and not question.multiple:
            errors[f"answers.{question.key}"] = ["只能选择一项"]
        else:
            cleaned[question.key] = values
    if errors:
        raise ApplicationError("请回答情形引导中的每个问题", code="answers_invalid", fields=errors)
    return cleaned


def member_applies(member: BundleMember, answers: dict[str, list[str]]) -> bool:
    return all(set(answers.get(key, [])) & set(allowed) for key, allowed in (member.condition or {}).items())


def _material_keys(materials: list[Material]) -> list[str]:
    """The n-th material of a type in an item merges with the n-th of that type in the others (an item
    asking for two ID cards — both parties' — keeps both); one without a type stands alone."""
    seen: dict[str, int] = defaultdict(int)
    keys = []
    for material in materials:
        if material.material_type == ONE_FORM:
            keys.append(ONE_FORM)
        elif material.material_type:
            seen[material.material_type] += 1
            n = seen[material.material_type]
            keys.append(material.material_type if n == 1 else f"{material.material_type}#{n}")
        else:
            keys.append(f"material-{material.pk}")
    return keys


def materials_by_member(members: list[BundleMember]) -> dict[int, list[Material]]:
    version_ids = [m.item.current_version_id for m in members if m.item.current_version_id]
    by_version: dict[int, list[Material]] = defaultdict(list)
    for material in Material.objects.filter(version_id__in=version_ids).order_by("position", "pk"):
        by_version[material.version_id].append(material)
    return {m.pk: by_version.get(m.item.current_version_id or 0, []) for m in members}


def material_key_map(materials: list[Material]) -> dict[int, str]:
    """{material id: merged key} for one item's materials."""
    return dict(zip((m.pk for m in materials), _material_keys(materials), strict=True))


def merge(bundle: Bundle, members: list[BundleMember], answers: dict[str, list[str]]) -> Selection:
    fields: dict[str, MergedField] = {}
    for member in members:
        for key in member.fields:
            fields.setdefault(key, MergedField(BY_KEY[key])).members.append(member)
    order = {f.key: n for n, f in enumerate(BY_KEY.values())}
    merged_fields = sorted(fields.values(), key=lambda m: order[m.field.key])
    materials: dict[str, MergedMaterial] = {}
    by_member = materials_by_member(members)
    for member in members:
        rows = by_member[member.pk]
        for material, key in zip(rows, _material_keys(rows), strict=True):
            merged = materials.get(key)
            if merged is None:
                name = ONE_FORM_NAME if key == ONE_FORM else material.name
                merged = materials[key] = MergedMaterial(key, name, material.material_type)
            merged.rows.append((member, material))
    ordered = sorted(materials.values(), key=lambda m: (not m.by_form,))
    return Selection(bundle, answers, members, merged_fields, ordered)


def selection_for(bundle: Bundle, answers: dict[str, Any]) -> Selection:
    """The members, form and materials for these answers (every question must be answered)."""
    cleaned = answers_clean(bundle, answers)
    members = [member for member in members_of(bundle) if member_applies(member, cleaned)]
    if not members:
        raise ApplicationError("根据您的情形，本一件事没有需要办理的事项", code="nothing_selected")
    return merge(bundle, members, cleaned)


def selection_all(bundle: Bundle) -> Selection:
    """Every member (the guide shows the full lists, marking what depends on the situation)."""
    return merge(bundle, members_of(bundle), {})
