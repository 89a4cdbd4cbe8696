"""Reads of the ten lists: published editions (public), adjustments and the item picker (admin), and
the Excel rendering of an edition. Every list read costs a fixed number of queries, whatever its size."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from yichuang.catalog.models import (
    ItemCaseKind,
    ItemKind,
    ItemList,
    ItemListAdjustment,
    ItemListEntry,
    ItemListVersion,
    ItemStatus,
    ServiceItem,
)
from yichuang.core.errors import NotFoundError


@dataclass
class ListSummary:
    item_list: ItemList
    latest: ItemListVersion | None


def item_list_index() -> list[ListSummary]:
    """The ten lists in their order, each with its latest edition (two queries)."""
    lists = list(ItemList.objects.order_by("position", "pk"))
    newest = (
        ItemListVersion.objects.filter(item_list=OuterRef("item_list")).order_by("-number").values("pk")[:1]
    )
    latest = {v.item_list_id: v for v in ItemListVersion.objects.filter(pk=Subquery(newest))}
    return [ListSummary(item_list=lst, latest=latest.get(lst.pk)) for lst in lists]


def item_list_get(*, kind: str) -> ItemList:
    item_list = ItemList.objects.filter(kind=kind).first()
    if item_list is None:
        raise NotFoundError("未找到该清单")
    return item_list


def item_list_versions(*, item_list: ItemList) -> QuerySet[ItemListVersion]:
    return item_list.versions.select_related("published_by").order_by("-number")


def item_list_version_get(*, item_list: ItemList, number: int | None = None) -> ItemListVersion | None:
    """An edition by number (404 when there is none), or the latest one (None before the first)."""
    versions = item_list_versions(item_list=item_list)
    if number is None:
        return versions.first()
    version = versions.filter(number=number).first()
    if version is None:
        raise NotFoundError(f"未找到{item_list.name}第{number}版")
    return version


def item_list_entries(*, version: ItemListVersion) -> QuerySet[ItemListEntry]:
    """An edition's entries with what the items said when it was published."""
    return version.entries.select_related("item_version", "item__department").order_by("position")


def item_list_adjustments(*, item_list: ItemList) -> QuerySet[ItemListAdjustment]:
    return item_list.adjustments.select_related(
        "item", "item__department", "item__current_version", "created_by"
    ).order_by("action", "item__department__path", "item__basic_code")


def list_item_search(*, query: str, limit: int = 20) -> QuerySet[ServiceItem]:
    """The item picker of the adjustment form: published handling items by name or 实施编码."""
    query = (query or "").strip()
    items = ServiceItem.objects.filter(
        kind=ItemKind.HANDLING, status=ItemStatus.ACTIVE, current_version__isnull=False
    ).select_related("department")
    if not query:
        return items.none()
    return items.filter(Q(name__icontains=query) | Q(implementation_code__startswith=query.upper())).order_by(
        "department__path", "basic_code"
    )[:limit]


def promised_label(*, case_kind: str, promised_days: int) -> str:
    if case_kind == ItemCaseKind.IMMEDIATE or promised_days == 0:
        return "即办"
    return f"{promised_days}个工作日"


# ——— Excel ———

EXPORT_COLUMNS: list[tuple[str, int]] = [
    ("序号", 8),
    ("事项名称", 40),
    ("实施主体", 24),
    ("实施编码", 34),
    ("事项类型", 14),
    ("承诺时限", 14),
    ("备注", 50),
]


def entry_row(entry: ItemListEntry) -> list[Any]:
    v = entry.item_version
    return [
        entry.position,
        v.name,
        entry.item.department.name,
        v.implementation_code,
        v.get_item_type_display(),
        promised_label(case_kind=v.case_kind, promised_days=v.promised_days),
        entry.note,
    ]


def item_list_version_xlsx(*, version: ItemListVersion) -> bytes:
    """One edition as a workbook: title row, frozen header, one row per entry."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    item_list = version.item_list
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = item_list.name[:31]
    title = f"{item_list.name}（第{version.number}版，{version.effective_date:%Y年%m月%d日}起施行）"
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(EXPORT_COLUMNS))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append([name for name, _width in EXPORT_COLUMNS])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for entry in item_list_entries(version=version):
        sheet.append(entry_row(entry))
    for index, (_name, width) in enumerate(EXPORT_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "1:2"
    workbook.properties.title = title
    workbook.properties.created = timezone.now().replace(tzinfo=None)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
