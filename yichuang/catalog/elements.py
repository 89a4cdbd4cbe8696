"""Item elements (事项要素) as one plain dict — the shape of a change request's payload, of the API
body and of a version read back — and its validation, with messages in Chinese.

Scalar elements are checked by the model fields' own validators (``full_clean``); the lists held as
JSON (steps, special procedures, fees, intermediary services) and the rules that tie elements
together are checked here.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import ValidationError

from yichuang.catalog import references
from yichuang.catalog.models import (
    DeliveryMethod,
    ItemCaseKind,
    ItemVersion,
    Material,
    OnlineDepth,
    SpecialProcedureKind,
)
from yichuang.core.errors import ApplicationError

# Scalar elements of a version, in the order a guide shows them.
SCALAR_FIELDS = (
    "name",
    "item_type",
    "service_object",
    "legal_basis",
    "case_kind",
    "acceptance_conditions",
    "legal_days",
    "promised_days",
    "online_depth",
    "visits_required",
    "tongban_scope",
    "nearby_level",
    "stationed",
    "negative_reason",
    "result_type",
    "result_name",
    "result_licence_type_code",
    "commitment_allowed",
    "handling_place",
    "handling_hours",
    "contact_phone",
    "complaint_phone",
    "keywords",
    "plain_summary",
)
LIST_FIELDS = ("process_steps", "special_procedures", "fees", "delivery_methods", "intermediary_services")
ELEMENT_FIELDS = SCALAR_FIELDS + LIST_FIELDS
MATERIAL_FIELDS = (
    "name",
    "source",
    "necessity",
    "originals",
    "copies",
    "media",
    "material_type",
    "licence_type_code",
    "commitment_replaceable",
    "note",
)
MATERIAL_FILE_FIELDS = ("blank_form", "sample")

# What each JSON list holds: {key: required?}
_ENTRY_KEYS: dict[str, dict[str, bool]] = {
    "process_steps": {"name": True, "description": False},
    "special_procedures": {"kind": True, "name": True, "days": True},
    "fees": {"name": True, "standard": True, "basis": False},
    "intermediary_services": {"name": True, "basis": False, "provider": False},
}
_VERSION_EXCLUDE = [
    "item",
    "number",
    "change_kind",
    "change_request",
    "published_at",
    "published_by",
    "implementation_code",
]
_MATERIAL_EXCLUDE = ["version", "position", "code", "key", "blank_form", "sample"]


def new_material_key() -> str:
    return secrets.token_hex(6)


def blank_elements() -> dict[str, Any]:
    """Defaults of every element, as a new item's form starts."""
    version = ItemVersion()
    data = {field: getattr(version, field) for field in SCALAR_FIELDS}
    data.update({field: [] for field in LIST_FIELDS})
    data["materials"] = []
    return data


def version_elements(version: ItemVersion) -> dict[str, Any]:
    """A published version read back as elements (materials and review points in order)."""
    data: dict[str, Any] = {field: getattr(version, field) for field in SCALAR_FIELDS}
    data.update({field: list(getattr(version, field) or []) for field in LIST_FIELDS})
    data["materials"] = [
        {
            "key": material.key,
            **{field: getattr(material, field) for field in MATERIAL_FIELDS},
            "blank_form": material.blank_form.sha256 if material.blank_form_id else None,  # type: ignore[union-attr]
            "sample": material.sample.sha256 if material.sample_id else None,  # type: ignore[union-attr]
            "review_points": [point.text for point in material.review_points.all()],
        }
        for material in version.materials.all()
    ]
    return data


def elements_merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """An edit may send only what changes; the rest stays as in the base version."""
    unknown = set(changes) - set(ELEMENT_FIELDS) - {"materials"}
    if unknown:
        raise ApplicationError(
            f"未知的事项要素：{'、'.join(sorted(unknown))}",
            fields={name: ["未知字段"] for name in sorted(unknown)},
        )
    return {**base, **changes}


def elements_clean(data: dict[str, Any]) -> dict[str, Any]:
    """Validate a complete set of elements; return it normalised or raise with every problem at once."""
    errors: dict[str, list[str]] = {}
    merged = {**blank_elements(), **data}
    unknown = set(data) - set(ELEMENT_FIELDS) - {"materials"}
    for name in sorted(unknown):
        errors[name] = ["未知字段"]

    version = ItemVersion(**{field: merged[field] for field in ELEMENT_FIELDS})
    _collect(errors, "", lambda: version.full_clean(exclude=_VERSION_EXCLUDE, validate_constraints=False))
    cleaned: dict[str, Any] = {field: getattr(version, field) for field in SCALAR_FIELDS}
    for field in SCALAR_FIELDS:
        if isinstance(cleaned[field], str):
            cleaned[field] = cleaned[field].strip()

    for field in ("process_steps", "special_procedures", "fees", "intermediary_services"):
        cleaned[field] = _clean_entries(errors, field, merged[field])
    cleaned["delivery_methods"] = _clean_delivery(errors, merged["delivery_methods"])
    cleaned["materials"] = _clean_materials(errors, merged["materials"])
    if not errors:
        _check_rules(errors, cleaned)
    if errors:
        first_messages = next(iter(errors.values()))
        raise ApplicationError(
            f"事项要素有 {sum(len(m) for m in errors.values())} 处需要修改：{first_messages[0]}",
            code="invalid_elements",
            fields=errors,
        )
    return cleaned


def _collect(errors: dict[str, list[str]], prefix: str, check: Any) -> None:
    try:
        check()
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(f"{prefix}{name}", []).extend(str(m) for m in messages)


def _clean_entries(errors: dict[str, list[str]], field: str, value: Any) -> list[dict[str, Any]]:
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        errors[field] = ["应为列表"]
        return []
    keys = _ENTRY_KEYS[field]
    cleaned = []
    for index, entry in enumerate(value):
        where = f"{field}.{index}"
        if not isinstance(entry, dict):
            errors[where] = ["应为对象"]
            continue
        row: dict[str, Any] = {}
        for key, required in keys.items():
            raw = entry.get(key, "")
            if key == "days":
                try:
                    number = int(raw)
                except (TypeError, ValueError):
                    errors.setdefault(f"{where}.days", []).append("天数应为整数")
                    continue
                if not 1 <= number <= 365:
                    errors.setdefault(f"{where}.days", []).append("特别程序时限应在1至365个工作日之间")
                row[key] = number
                continue
            text = str(raw or "").strip()
            if required and not text:
                errors.setdefault(f"{where}.{key}", []).append("必填")
            row[key] = text
        if field == "special_procedures" and row.get("kind") not in SpecialProcedureKind.values:
            errors.setdefault(f"{where}.kind", []).append("特别程序类型无效")
        cleaned.append(row)
    return cleaned


def _clean_delivery(errors: dict[str, list[str]], value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if not isinstance(value, list) or any(v not in DeliveryMethod.values for v in value):
        errors["delivery_methods"] = ["送达方式无效"]
        return []
    return [method for method in DeliveryMethod.values if method in value]


def _clean_materials(errors: dict[str, list[str]], value: Any) -> list[dict[str, Any]]:
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        errors["materials"] = ["应为列表"]
        return []
    cleaned = []
    seen_keys: set[str] = set()
    for index, entry in enumerate(value):
        where = f"materials.{index}."
        if not isinstance(entry, dict):
            errors[f"materials.{index}"] = ["应为对象"]
            continue
        unknown = set(entry) - set(MATERIAL_FIELDS) - set(MATERIAL_FILE_FIELDS) - {"key", "review_points"}
        for name in sorted(unknown):
            errors[f"{where}{name}"] = ["未知字段"]
        defaults = Material()
        fields = {name: entry.get(name, getattr(defaults, name)) for name in MATERIAL_FIELDS}
        material = Material(**fields)
        _collect(
            errors,
            where,
            lambda m=material: m.full_clean(exclude=_MATERIAL_EXCLUDE, validate_constraints=False),
        )
        row: dict[str, Any] = {name: getattr(material, name) for name in MATERIAL_FIELDS}
        for name in MATERIAL_FIELDS:
            if isinstance(row[name], str):
                row[name] = row[name].strip()
        key = str(entry.get("key") or "").strip() or new_material_key()
        if key in seen_keys:
            errors.setdefault(f"{where}key", []).append("材料标识重复")
        seen_keys.add(key)
        row["key"] = key
        for name in MATERIAL_FILE_FIELDS:
            row[name] = entry.get(name) or None
        points = entry.get("review_points") or []
        if isinstance(points, str):
            points = points.splitlines()
        if not isinstance(points, list):
            errors[f"{where}review_points"] = ["审核要点应为列表"]
            points = []
        row["review_points"] = [str(p).strip() for p in points if str(p).strip()]
        if row["originals"] == 0 and row["copies"] == 0 and row["media"] != "electronic":
            errors.setdefault(f"{where}originals", []).append("纸质材料的原件和复印件份数不能都为0")
        cleaned.append(row)
    names = [row["name"] for row in cleaned]
    for index, name in enumerate(names):
        if name and names.index(name) != index:
            errors.setdefault(f"materials.{index}.name", []).append("同一事项的材料名称不能重复")
    return cleaned


def _check_rules(errors: dict[str, list[str]], data: dict[str, Any]) -> None:
    """Rules across elements (DESIGN §4)."""
    if data["promised_days"] > data["legal_days"]:
        errors["promised_days"] = ["承诺时限不能超过法定时限"]
    if data["case_kind"] == ItemCaseKind.IMMEDIATE and data["promised_days"] != 0:
        errors["promised_days"] = ["即办件应当场办结，承诺时限为0个工作日"]
    if data["case_kind"] == ItemCaseKind.PROMISED and data["promised_days"] < 1:
        errors["promised_days"] = ["承诺件的承诺时限至少为1个工作日"]
    if not data["stationed"] and not data["negative_reason"]:
        errors["negative_reason"] = ["不进驻政务服务中心的事项须说明理由（进驻负面清单）"]
    if data["stationed"] and data["negative_reason"]:
        errors["negative_reason"] = ["进驻中心的事项不应填写不进驻理由"]
    if data["visits_required"] == 0 and data["online_depth"] != OnlineDepth.FULL:
        errors["visits_required"] = ["零跑动（不见面）事项的网办深度应为四级：全程网办"]
    deferrable = [m for m in data["materials"] if m["necessity"] == "3"]
    if (
        deferrable
        and data["case_kind"] == ItemCaseKind.IMMEDIATE
        and len(deferrable) == len(data["materials"])
    ):
        errors["materials"] = ["容缺受理只适用于次要材料，主要材料不能全部容缺"]
    if data["result_type"] == "10" and not data["result_name"]:
        errors["result_name"] = ["审批结果为证照时须填写证照名称"]
    _check_licence_types(errors, data)


def _check_licence_types(errors: dict[str, list[str]], data: dict[str, Any]) -> None:
    """Licence type codes must name a type of the licence catalogue (证照目录)."""
    codes = [data.get("result_licence_type_code") or ""] + [
        m.get("licence_type_code") or "" for m in data["materials"]
    ]
    known = references.licence_type_names(codes)
    if known is None:
        return
    if (code := data.get("result_licence_type_code") or "") and code not in known:
        errors["result_licence_type_code"] = [f"证照类型代码 {code} 不在证照目录中"]
    for index, material in enumerate(data["materials"]):
        if (code := material.get("licence_type_code") or "") and code not in known:
            errors[f"materials.{index}.licence_type_code"] = [f"证照类型代码 {code} 不在证照目录中"]
