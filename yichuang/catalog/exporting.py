"""Excel export: a generic streaming workbook writer, and the whole catalog in the exchange format.

The exchange format is the one ``importing`` reads back: sheet "事项" (one row per item, Chinese
headers) and sheet "申请材料" (one row per material, keyed by 实施主体 + 基本编码). Choices are written
as their Chinese labels, yes/no as 是/否, and the list elements (办理流程, 特别程序, 收费, 中介服务) one
entry per line with the parts separated by "｜". An exported workbook imports back unchanged.

The writer is openpyxl's write-only mode into a temporary file, so memory stays flat however many
rows are written; the file is then streamed to the client.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

from yichuang.catalog.models import (
    DeliveryMethod,
    ItemCaseKind,
    ItemKind,
    ItemStatus,
    ItemType,
    Level,
    Material,
    MaterialMedia,
    MaterialNecessity,
    MaterialSource,
    NearbyLevel,
    OnlineDepth,
    ResultType,
    ServiceItem,
    ServiceObject,
    SpecialProcedureKind,
    TongbanScope,
)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ITEMS_SHEET = "事项"
MATERIALS_SHEET = "申请材料"
PART_SEPARATOR = "｜"
YES, NO = "是", "否"

# ——— generic writer ———


@dataclass(frozen=True)
class Sheet:
    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]]
    widths: Sequence[int] = ()


def _cell_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, str | int | float):
        return value
    return str(value)


def workbook_write(sheets: Sequence[Sheet], target: Any) -> None:
    """Write ``sheets`` to a file path or binary file object, row by row (write-only mode)."""
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        worksheet = workbook.create_sheet(title=sheet.title[:31])
        for index, width in enumerate(sheet.widths, start=1):
            worksheet.column_dimensions[_column_letter(index)].width = width
        header_cells = []
        for header in sheet.headers:
            cell = WriteOnlyCell(worksheet, value=header)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(vertical="center")
            header_cells.append(cell)
        worksheet.append(header_cells)
        for row in sheet.rows:
            worksheet.append([_cell_value(value) for value in row])
    workbook.save(target)


def workbook_sheets_response(sheets: Sequence[Sheet], filename: str) -> FileResponse:
    """An .xlsx download of several sheets, spooled to a temporary file and streamed."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 — FileResponse closes it
    workbook_write(sheets, spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


def workbook_response(
    rows: Iterable[Sequence[Any]], columns: Sequence[str], filename: str, sheet_title: str = "Sheet1"
) -> FileResponse:
    """An .xlsx download of one sheet: ``columns`` are the headers, ``rows`` the values in order."""
    return workbook_sheets_response([Sheet(title=sheet_title, headers=columns, rows=rows)], filename)


def _column_letter(index: int) -> str:
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# ——— the exchange format ———


def choice_label(choices: Any, value: Any) -> str:
    for code, label in choices.choices:
        if code == value:
            return str(label)
    return "" if value in (None, "") else str(value)


def _lines(entries: list[dict[str, Any]], keys: Sequence[str], labels: dict[str, Any] | None = None) -> str:
    out = []
    for entry in entries or []:
        parts = []
        for key in keys:
            value = entry.get(key, "")
            if labels and key in labels:
                value = choice_label(labels[key], value)
            parts.append(str(value if value is not None else ""))
        while len(parts) > 1 and parts[-1] == "":
            parts.pop()
        out.append(PART_SEPARATOR.join(parts))
    return "\n".join(out)


@dataclass(frozen=True)
class Column:
    """One column of the exchange format: its header, the element it carries and how it is written.

    ``kind`` tells the importer how to read it back: text, int, bool, choice, lines, methods, or
    info (written for people, ignored on import)."""

    header: str
    key: str
    kind: str = "text"
    choices: Any = None
    parts: tuple[str, ...] = ()
    part_choices: dict[str, Any] | None = None
    required: bool = False


# Columns describing the item's identity and place (read by the importer itself, not elements).
IDENTITY_COLUMNS = (
    Column("层级类别", "kind", "choice", ItemKind, required=True),
    Column("上级事项基本编码", "parent_code"),
    Column("上级事项名称", "parent_name"),
    Column("实施主体", "department", required=True),
    Column("实施主体统一社会信用代码", "credit_code"),
    Column("行使层级", "level", "choice", Level),
    Column("基本编码", "basic_code"),
    Column("实施编码", "implementation_code", "info"),
)
ELEMENT_COLUMNS = (
    Column("事项名称", "name", required=True),
    Column("事项类型", "item_type", "choice", ItemType, required=True),
    Column("服务对象", "service_object", "choice", ServiceObject),
    Column("办件类型", "case_kind", "choice", ItemCaseKind),
    Column("法定时限", "legal_days", "int"),
    Column("承诺时限", "promised_days", "int"),
    Column("设定依据", "legal_basis"),
    Column("受理条件", "acceptance_conditions"),
    Column("办理流程", "process_steps", "lines", parts=("name", "description")),
    Column(
        "特别程序",
        "special_procedures",
        "lines",
        parts=("kind", "name", "days"),
        part_choices={"kind": SpecialProcedureKind},
    ),
    Column("收费", "fees", "lines", parts=("name", "standard", "basis")),
    Column("网办深度", "online_depth", "choice", OnlineDepth),
    Column("到现场次数", "visits_required", "int"),
    Column("通办范围", "tongban_scope", "choice", TongbanScope),
    Column("就近办", "nearby_level", "choice", NearbyLevel),
    Column("是否进驻", "stationed", "bool"),
    Column("不进驻理由", "negative_reason"),
    Column("结果类型", "result_type", "choice", ResultType),
    Column("结果名称", "result_name"),
    Column("结果证照类型代码", "result_licence_type_code"),
    Column("送达方式", "delivery_methods", "methods", DeliveryMethod),
    Column("可告知承诺", "commitment_allowed", "bool"),
    Column("中介服务", "intermediary_services", "lines", parts=("name", "basis", "provider")),
    Column("常用说法", "keywords"),
    Column("白话版", "plain_summary"),
    Column("办理地点", "handling_place"),
    Column("办理时间", "handling_hours"),
    Column("咨询电话", "contact_phone"),
    Column("监督投诉电话", "complaint_phone"),
)
STATUS_COLUMNS = (
    Column("状态", "status", "choice", ItemStatus),
    Column("版本号", "version", "info"),
)
ITEM_COLUMNS = IDENTITY_COLUMNS + ELEMENT_COLUMNS + STATUS_COLUMNS

MATERIAL_COLUMNS = (
    Column("实施主体", "department", required=True),
    Column("基本编码", "basic_code", required=True),
    Column("事项名称", "item_name", "info"),
    Column("序号", "position", "int"),
    Column("材料标识", "key"),
    Column("材料名称", "name", required=True),
    Column("材料来源", "source", "choice", MaterialSource),
    Column("必要性", "necessity", "choice", MaterialNecessity),
    Column("原件份数", "originals", "int"),
    Column("复印件份数", "copies", "int"),
    Column("材料形式", "media", "choice", MaterialMedia),
    Column("材料类型", "material_type"),
    Column("可替代的电子证照类型", "licence_type_code"),
    Column("可告知承诺替代", "commitment_replaceable", "bool"),
    Column("填报须知", "note"),
    Column("审核要点", "review_points", "points"),
    Column("材料编码", "code", "info"),
)


def column_cell(column: Column, value: Any) -> Any:
    """How an element's value is written in its column."""
    if column.kind == "choice":
        return choice_label(column.choices, value)
    if column.kind == "bool":
        return YES if value else NO
    if column.kind == "lines":
        return _lines(value, column.parts, column.part_choices)
    if column.kind == "methods":
        return "、".join(choice_label(column.choices, v) for v in value or [])
    if column.kind == "points":
        return "\n".join(value or [])
    return "" if value is None else value


def _item_rows(items: Iterable[ServiceItem]) -> Iterable[list[Any]]:
    for item in items:
        version = item.current_version
        if version is None:
            continue
        parent = item.parent
        identity = {
            "kind": item.kind,
            "parent_code": parent.basic_code if parent else "",
            "parent_name": parent.name if parent else "",
            "department": item.department.name,
            "credit_code": item.department.credit_code or "",
            "level": item.level,
            "basic_code": item.basic_code,
            "implementation_code": item.implementation_code,
            "status": item.status,
            "version": version.number,
        }
        row = []
        for column in ITEM_COLUMNS:
            value = identity[column.key] if column.key in identity else getattr(version, column.key)
            row.append(column_cell(column, value))
        yield row


def _material_rows(
    materials: Iterable[Material], items_by_version: dict[int, ServiceItem]
) -> Iterable[list[Any]]:
    for material in materials:
        item = items_by_version[material.version_id]
        values = {
            "department": item.department.name,
            "basic_code": item.basic_code,
            "item_name": item.name,
            "review_points": [point.text for point in material.review_points.all()],
        }
        yield [
            column_cell(column, values[column.key] if column.key in values else getattr(material, column.key))
            for column in MATERIAL_COLUMNS
        ]


def catalog_export_items(department_id: int | None = None) -> QuerySet[ServiceItem]:
    items = ServiceItem.objects.filter(current_version__isnull=False).select_related(
        "department", "parent__parent", "current_version"
    )
    if department_id is not None:
        items = items.filter(department_id=department_id)
    return items.order_by("department__path", "parent_id", "basic_code", "pk")


def catalog_export_sheets(department_id: int | None = None) -> list[Sheet]:
    """The whole catalog (or one department's items) as the two sheets of the exchange format."""
    items = list(catalog_export_items(department_id))
    items.sort(key=lambda item: (item.department.path, _tree_key(item)))
    items_by_version = {item.current_version_id: item for item in items if item.current_version_id}
    materials: Callable[[], Iterable[Material]] = lambda: (  # noqa: E731
        Material.objects.filter(version_id__in=list(items_by_version))
        .prefetch_related("review_points")
        .order_by("version_id", "position")
        .iterator(chunk_size=1000)
    )
    return [
        Sheet(ITEMS_SHEET, [c.header for c in ITEM_COLUMNS], _item_rows(items), widths=_ITEM_WIDTHS),
        Sheet(
            MATERIALS_SHEET,
            [c.header for c in MATERIAL_COLUMNS],
            _material_rows(materials(), items_by_version),
            widths=_MATERIAL_WIDTHS,
        ),
    ]


def _tree_key(item: ServiceItem) -> tuple[Any, ...]:
    """Parents before their children, so that the importer meets a main item before its handling items."""
    chain: list[ServiceItem] = []
    node: ServiceItem | None = item
    while node is not None and len(chain) < 3:
        chain.append(node)
        node = node.parent
    chain.reverse()
    return tuple((n.basic_code or "~", n.name, n.pk) for n in chain)


def catalog_export_response(department_id: int | None = None) -> FileResponse:
    filename = "政务服务事项库.xlsx" if department_id is None else f"政务服务事项库-部门{department_id}.xlsx"
    return workbook_sheets_response(catalog_export_sheets(department_id), filename)


_ITEM_WIDTHS = (8, 14, 20, 20, 22, 8, 14, 34, 36, 12)
_MATERIAL_WIDTHS = (20, 14, 30, 6, 14, 30)
