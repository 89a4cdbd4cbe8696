"""Import of the hotline's three-level classification (一级/二级/三级分类) into ``HotlineCategory``.

The file is the platform's ``taxonomy.csv`` (header 一级分类,二级分类,三级分类; one row per leaf). Each
row creates the nodes of its path that are missing, parents first; nodes that exist already (by path) are
left as the hotline office keeps them (renamed positions, deactivated nodes stay so). Running the import
again therefore changes nothing. One transaction and one audit event per import.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from yichuang.core.audit import audit_record, audited_atomic
from yichuang.core.errors import ApplicationError
from yichuang.hotline.models_taxonomy import HotlineCategory

__all__ = [
    "TAXONOMY_COLUMNS",
    "TaxonomyReport",
    "category_ancestor_paths",
    "taxonomy_import",
    "taxonomy_read",
]

TAXONOMY_COLUMNS = ("一级分类", "二级分类", "三级分类")
SEPARATOR = "/"
NAME_MAX = HotlineCategory._meta.get_field("name").max_length or 60


@dataclass
class TaxonomyReport:
    rows: int = 0
    created: dict[int, int] = field(default_factory=lambda: {1: 0, 2: 0, 3: 0})
    existing: int = 0

    @property
    def created_total(self) -> int:
        return sum(self.created.values())

    def summary(self) -> str:
        return (
            f"读取 {self.rows} 行；新增一级 {self.created[1]}、二级 {self.created[2]}、"
            f"三级 {self.created[3]} 个分类，"
            f"已有 {self.existing} 个未改动"
        )


def category_ancestor_paths(path: str) -> list[str]:
    """``"a/b/c"`` → ``["a/b/c", "a/b", "a"]``: the node and its ancestors, deepest first."""
    parts = [part for part in path.split(SEPARATOR) if part]
    return [SEPARATOR.join(parts[:depth]) for depth in range(len(parts), 0, -1)]


def taxonomy_read(path: Path | str) -> list[tuple[str, ...]]:
    """The rows of a ``taxonomy.csv`` as (一级, 二级, 三级) tuples, in file order."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in TAXONOMY_COLUMNS if column not in (reader.fieldnames or [])]
        if missing:
            raise ApplicationError(
                f"分类文件缺少列：{'、'.join(missing)}（应为 {','.join(TAXONOMY_COLUMNS)}）",
                code="taxonomy_columns",
            )
        return [tuple((row.get(column) or "").strip() for column in TAXONOMY_COLUMNS) for row in reader]


def _clean_row(number: int, row: Iterable[str]) -> list[str]:
    names = [name.strip() for name in row]
    while names and not names[-1]:
        names.pop()
    if not names:
        return []
    if any(not name for name in names):
        raise ApplicationError(f"第 {number} 行：上级分类为空", code="taxonomy_row", extra={"row": number})
    if len(names) > 3:
        raise ApplicationError(f"第 {number} 行：分类最多三级", code="taxonomy_row", extra={"row": number})
    for name in names:
        if SEPARATOR in name or len(name) > NAME_MAX:
            raise ApplicationError(
                f"第 {number} 行：分类名称“{name}”不能含“/”，且不超过 {NAME_MAX} 个字",
                code="taxonomy_row",
                extra={"row": number},
            )
    return names


@audited_atomic
def taxonomy_import(*, rows: Iterable[Iterable[str]], actor: Any = None) -> TaxonomyReport:
    """Create the missing nodes of ``rows`` (each ``(一级, 二级, 三级)``; blanks at the end for a shorter
    path). Idempotent. ``actor`` is the importing user, or None for a command run by the system."""
    report = TaxonomyReport()
    wanted: dict[str, tuple[int, str]] = {}  # path → (level, name), in first-seen order
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        report.rows += 1
        names = _clean_row(number, row)
        for depth in range(1, len(names) + 1):
            wanted.setdefault(SEPARATOR.join(names[:depth]), (depth, names[depth - 1]))
    known: dict[str, HotlineCategory] = {c.path: c for c in HotlineCategory.objects.filter(path__in=wanted)}
    report.existing = len(known)
    for level in (1, 2, 3):
        siblings: dict[int | None, int] = {}
        new: list[HotlineCategory] = []
        for path, (depth, name) in wanted.items():
            if depth != level or path in known:
                continue
            parent = known[path.rsplit(SEPARATOR, 1)[0]] if level > 1 else None
            key = parent.pk if parent else None
            if key not in siblings:
                siblings[key] = HotlineCategory.objects.filter(parent=parent, level=level).count()
            siblings[key] += 1
            new.append(
                HotlineCategory(parent=parent, level=level, name=name, path=path, position=siblings[key])
            )
        HotlineCategory.objects.bulk_create(new)
        report.created[level] = len(new)
        if new:  # bulk_create sets primary keys on SQLite and PostgreSQL, but read them back to be sure
            known.update({c.path: c for c in HotlineCategory.objects.filter(path__in=[n.path for n in new])})
    audit_record(
        actor=actor,
        action="hotline.taxonomy_imported",
        object_type="hotline.hotlinecategory",
        data={"rows": report.rows, "created": report.created, "existing": report.existing},
    )
    return report
