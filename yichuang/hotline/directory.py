"""The dispatch directory (派单目录): which department leads a matter of a category in a division, and who
co-handles it. The hotline office edits it (``hotline.dispatch``); dispatch and the classifier's suggestion
read it through ``directory_lookup``.

The most specific entry wins: among the active entries whose category is the matter's category or one of
its ancestors, and whose division code is empty (anywhere) or a prefix of the matter's division code, the
one with the deepest category; between entries of the same category, the one with the longest division
code. The category comes first because it decides the kind of department (住建, 生态环境 …); the division
only picks the local one among them. An entry whose lead department is no longer in use is passed over,
so a closed department never receives a ticket while a less specific entry still applies.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q, QuerySet

from yichuang.accounts.models import Department
from yichuang.core.audit import audit_record, audited_atomic
from yichuang.core.errors import ApplicationError, ConflictError, NotFoundError
from yichuang.core.permissions import require_capability
from yichuang.core.validators import validate_division_code
from yichuang.hotline.models_taxonomy import DirectoryEntry, HotlineCategory
from yichuang.hotline.taxonomy import category_ancestor_paths

__all__ = [
    "DIVISION_PREFIX_LENGTHS",
    "DirectoryMatch",
    "directory_entries",
    "directory_entry_activate",
    "directory_entry_create",
    "directory_entry_deactivate",
    "directory_entry_get",
    "directory_entry_update",
    "directory_lookup",
    "directory_lookup_many",
    "division_code_clean",
]

CAPABILITY = "hotline.dispatch"
# GB/T 2260 levels a directory entry may name: province, city (盟市), county (旗县), township, village.
DIVISION_PREFIX_LENGTHS = (2, 4, 6, 9, 12)
BASIS_MAX = DirectoryEntry._meta.get_field("basis").max_length or 200


@dataclass(frozen=True)
class DirectoryMatch:
    """The entry that applies: its lead and co-handlers (departments in use only)."""

    entry: DirectoryEntry
    lead: Department
    co_handlers: tuple[Department, ...]

    @property
    def category_path(self) -> str:
        return self.entry.category.path

    @property
    def division_code(self) -> str:
        return self.entry.division_code


# ——— reads ———


def _active_co_handlers() -> Prefetch:
    return Prefetch(
        "co_handlers",
        queryset=Department.objects.filter(is_active=True).order_by("path"),
        to_attr="co_active",
    )


def directory_lookup(category: HotlineCategory | str, division_code: str = "") -> DirectoryMatch | None:
    """The most specific active entry for a matter of ``category`` (a node or its path "一级/二级/三级")
    in ``division_code`` (the matter's place; empty: unknown), or None when no entry covers it."""
    path = category.path if isinstance(category, HotlineCategory) else str(category or "")
    return directory_lookup_many([path], division_code).get(path)


def directory_lookup_many(paths: Iterable[str], division_code: str = "") -> dict[str, DirectoryMatch | None]:
    """``directory_lookup`` of several category paths in one place, with one query (and one for the
    co-handlers)."""
    wanted = {path: category_ancestor_paths(path) for path in paths if path}
    if not wanted:
        return {}
    code = "".join(ch for ch in (division_code or "") if ch.isdigit())
    prefixes = [code[:length] for length in range(1, len(code) + 1)]
    candidates = list(
        DirectoryEntry.objects.filter(
            is_active=True,
            lead__is_active=True,
            category__path__in={ancestor for chain in wanted.values() for ancestor in chain},
        )
        .filter(Q(division_code="") | Q(division_code__in=prefixes))
        .select_related("category", "lead")
        .prefetch_related(_active_co_handlers())
    )
    result: dict[str, DirectoryMatch | None] = {}
    for path, chain in wanted.items():
        best = max(
            (entry for entry in candidates if entry.category.path in chain),
            key=lambda entry: (entry.category.path.count("/"), len(entry.division_code)),
            default=None,
        )
        if best is None:
            result[path] = None
            continue
        co = tuple(d for d in getattr(best, "co_active", []) if d.pk != best.lead_id)
        result[path] = DirectoryMatch(entry=best, lead=best.lead, co_handlers=co)
    return result


def directory_entries(
    *,
    category: HotlineCategory | None = None,
    division_code: str = "",
    lead: Department | None = None,
    include_inactive: bool = False,
) -> QuerySet[DirectoryEntry]:
    """Entries for the directory's list: those of ``category`` and the categories below it, of exactly
    ``division_code`` ("*" for the entries valid anywhere), led by ``lead``; active ones unless asked."""
    rows = DirectoryEntry.objects.select_related("category", "lead").prefetch_related(
        Prefetch("co_handlers", queryset=Department.objects.order_by("path"))
    )
    if not include_inactive:
        rows = rows.filter(is_active=True)
    if category is not None:
        rows = rows.filter(Q(category=category) | Q(category__path__startswith=category.path + "/"))
    if division_code == "*":
        rows = rows.filter(division_code="")
    elif division_code:
        rows = rows.filter(division_code=division_code)
    if lead is not None:
        rows = rows.filter(lead=lead)
    return rows.order_by("category__path", "division_code", "pk")


def directory_entry_get(entry_id: int) -> DirectoryEntry:
    entry = (
        DirectoryEntry.objects.select_related("category", "lead")
        .prefetch_related(Prefetch("co_handlers", queryset=Department.objects.order_by("path")))
        .filter(pk=entry_id)
        .first()
    )
    if entry is None:
        raise NotFoundError("未找到该派单目录条目")
    return entry


# ——— writes ———


def division_code_clean(value: str) -> str:
    """Empty (anywhere), or a GB/T 2260 code or prefix of 2, 4, 6, 9 or 12 digits."""
    code = (value or "").strip()
    if not code:
        return ""
    if not code.isdigit() or len(code) not in DIVISION_PREFIX_LENGTHS:
        raise ApplicationError(
            "行政区划代码应为空（全域），或2位（省）、4位（盟市）、6位（旗县）、9位（苏木乡镇）、12位（嘎查村）数字",
            code="invalid",
            fields={"division_code": ["行政区划代码格式不正确"]},
        )
    try:
        validate_division_code(code if len(code) >= 6 else code.ljust(6, "0"))
    except ValidationError as exc:
        raise ApplicationError(
            exc.messages[0], code="invalid", fields={"division_code": exc.messages}
        ) from exc
    return code


def _clean(
    *,
    category: HotlineCategory,
    division_code: str,
    lead: Department,
    co_handlers: Iterable[Department],
    basis: str,
    new_category: bool = True,
) -> tuple[str, list[Department], str]:
    # An entry whose category was deactivated since stays editable as to its departments.
    if new_category and not category.is_active:
        raise ApplicationError(
            "该分类已停用，不能再登记派单目录", code="invalid", fields={"category": ["分类已停用"]}
        )
    code = division_code_clean(division_code)
    if not lead.is_active:
        raise ApplicationError("主办单位已停用", code="invalid", fields={"lead": ["主办单位已停用"]})
    co = list({d.pk: d for d in co_handlers}.values())
    if any(d.pk == lead.pk for d in co):
        raise ApplicationError(
            "主办单位不能同时是协办单位",
            code="invalid",
            fields={"co_handlers": ["协办单位中不能包含主办单位"]},
        )
    inactive = [d.name for d in co if not d.is_active]
    if inactive:
        raise ApplicationError(
            f"协办单位已停用：{'、'.join(inactive)}",
            code="invalid",
            fields={"co_handlers": ["含已停用的单位"]},
        )
    basis = (basis or "").strip()
    if len(basis) > BASIS_MAX:
        raise ApplicationError(
            f"依据不超过 {BASIS_MAX} 个字", code="invalid", fields={"basis": [f"不超过 {BASIS_MAX} 个字"]}
        )
    return code, co, basis


def _snapshot(entry: DirectoryEntry, co: Iterable[Department]) -> dict[str, Any]:
    return {
        "category": entry.category.path,
        "division_code": entry.division_code,
        "lead": entry.lead.name,
        "lead_id": entry.lead_id,
        "co_handlers": sorted(d.pk for d in co),
        "basis": entry.basis,
        "is_active": entry.is_active,
    }


def _duplicate(category: HotlineCategory, code: str) -> ConflictError:
    existing = DirectoryEntry.objects.filter(category=category, division_code=code).first()
    hint = "（已停用，可编辑后重新启用）" if existing is not None and not existing.is_active else ""
    return ConflictError(
        f"“{category.path}”在{code or '全域'}已有派单目录条目{hint}",
        code="directory_duplicate",
        extra={"entry_id": existing.pk} if existing is not None else None,
    )


@audited_atomic
def directory_entry_create(
    *,
    actor: Any,
    category: HotlineCategory,
    lead: Department,
    division_code: str = "",
    co_handlers: Iterable[Department] = (),
    basis: str = "",
) -> DirectoryEntry:
    require_capability(actor, CAPABILITY, "只有12345热线办公室可以维护派单目录")
    code, co, basis = _clean(
        category=category, division_code=division_code, lead=lead, co_handlers=co_handlers, basis=basis
    )
    if DirectoryEntry.objects.filter(category=category, division_code=code).exists():
        raise _duplicate(category, code)
    entry = DirectoryEntry(category=category, division_code=code, lead=lead, basis=basis)
    try:
        with transaction.atomic():
            entry.save(force_insert=True)
    except IntegrityError as exc:  # created by someone else meanwhile
        raise _duplicate(category, code) from exc
    entry.co_handlers.set(co)
    audit_record(actor=actor, action="hotline.directory_created", obj=entry, data=_snapshot(entry, co))
    return entry


def _locked(entry: DirectoryEntry) -> DirectoryEntry:
    locked = DirectoryEntry.objects.select_for_update().select_related("category", "lead").filter(pk=entry.pk)
    row = locked.first()
    if row is None:
        raise NotFoundError("未找到该派单目录条目")
    return row


@audited_atomic
def directory_entry_update(
    *,
    actor: Any,
    entry: DirectoryEntry,
    category: HotlineCategory,
    lead: Department,
    division_code: str = "",
    co_handlers: Iterable[Department] = (),
    basis: str = "",
) -> DirectoryEntry:
    require_capability(actor, CAPABILITY, "只有12345热线办公室可以维护派单目录")
    row = _locked(entry)
    before = _snapshot(row, row.co_handlers.all())
    code, co, basis = _clean(
        category=category,
        division_code=division_code,
        lead=lead,
        co_handlers=co_handlers,
        basis=basis,
        new_category=category.pk != row.category_id,
    )
    moved = category.pk != row.category_id or code != row.division_code
    if (
        moved
        and DirectoryEntry.objects.filter(category=category, division_code=code).exclude(pk=row.pk).exists()
    ):
        raise _duplicate(category, code)
    row.category, row.division_code, row.lead, row.basis = category, code, lead, basis
    try:
        with transaction.atomic():
            row.save(update_fields=["category", "division_code", "lead", "basis"])
    except IntegrityError as exc:
        raise _duplicate(category, code) from exc
    row.co_handlers.set(co)
    after = _snapshot(row, co)
    changed = {key: after[key] for key in after if after[key] != before[key]}
    audit_record(
        actor=actor,
        action="hotline.directory_updated",
        obj=row,
        data={"before": {key: before[key] for key in changed}, "after": changed},
    )
    return row


@audited_atomic
def directory_entry_deactivate(*, actor: Any, entry: DirectoryEntry, reason: str = "") -> DirectoryEntry:
    """Stop using an entry (kept for the record; matters fall to the next most specific one)."""
    require_capability(actor, CAPABILITY, "只有12345热线办公室可以维护派单目录")
    row = _locked(entry)
    if not row.is_active:
        raise ConflictError("该条目已停用", code="directory_inactive")
    row.is_active = False
    row.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action="hotline.directory_deactivated",
        obj=row,
        data={"category": row.category.path, "division_code": row.division_code, "reason": reason.strip()},
    )
    return row


@audited_atomic
def directory_entry_activate(*, actor: Any, entry: DirectoryEntry) -> DirectoryEntry:
    require_capability(actor, CAPABILITY, "只有12345热线办公室可以维护派单目录")
    row = _locked(entry)
    if row.is_active:
        raise ConflictError("该条目已在用", code="directory_active")
    if not row.lead.is_active:
        raise ApplicationError(
            "主办单位已停用，请先更换主办单位", code="invalid", fields={"lead": ["主办单位已停用"]}
        )
    row.is_active = True
    row.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action="hotline.directory_activated",
        obj=row,
        data={"category": row.category.path, "division_code": row.division_code},
    )
    return row
