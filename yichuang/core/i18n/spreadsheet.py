"""The content translations as an Excel workbook, for translators who work offline (openpyxl).

One row per field: the technical columns (kind, key, field, the hash of the Chinese) identify it and travel
back unchanged; the translator reads the Chinese and fills the column 蒙古文译文. Each header names its column
in Chinese with the code in brackets (``中文原文 (chinese)``); the import finds columns by that code, so a
translator may reorder or hide columns.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from yichuang.core.errors import ApplicationError
from yichuang.core.i18n import content
from yichuang.core.i18n.selectors import ObjectRow
from yichuang.core.uploads import xlsx_check
from yichuang.core.xlsx import workbook_bytes

SHEET = "蒙古文译文"
# (code, header, width); the import needs kind, key, field, source_hash and mongolian.
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("kind", "类别代码", 10),
    ("key", "对象标识", 16),
    ("field", "字段", 24),
    ("kind_label", "类别", 14),
    ("title", "对象", 30),
    ("label", "字段说明", 24),
    ("chinese", "中文原文", 50),
    ("state", "状态", 8),
    ("mongolian", "蒙古文译文", 50),
    ("source_hash", "原文校验码（请勿修改）", 20),
)
REQUIRED = ("kind", "key", "field", "source_hash", "mongolian")
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
# Windows ships Mongolian Baiti for the traditional script; other systems pick their own Mongolian font.
MONGOLIAN_CELL_FONT = "Mongolian Baiti"
_HEADER_CODE = re.compile(r"\(([a-z_]+)\)\s*$")
INSTRUCTIONS = (
    "蒙古文内容翻译表 · 使用说明",
    "1. 在“蒙古文译文”一列填写传统蒙古文（竖写蒙古文的 Unicode 编码，不要使用西里尔字母）。",
    "2. 不要修改类别代码、对象标识、字段和原文校验码四列：导入时据此找到对应的内容。",
    "3. 原文中的 {占位符}（例如 {item_name}）必须原样保留在译文中。",
    "4. 译文留空的行在导入时不作修改；要删除已有译文，请在系统的翻译页面中清空。",
    "5. 导出后中文原文又被修改的行，导入时会被跳过，并在结果中列出，请重新导出后翻译。",
    "6. 文件中有任何一行错误时，整个文件都不会导入；请按提示改正后重新上传。",
)


def content_workbook(objects: list[ObjectRow], *, kind_labels: dict[str, str]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append([f"{header} ({code})" for code, header, _width in COLUMNS])
    for index, (_code, _header, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE7F3")
    wrap = Alignment(wrap_text=True, vertical="top")
    mongolian_column = next(i for i, column in enumerate(COLUMNS, start=1) if column[0] == "mongolian")
    for row in objects:
        for field_row in row.fields:
            values: dict[str, Any] = {
                "kind": row.obj.kind,
                "key": row.obj.key,
                "field": field_row.field.field,
                "kind_label": kind_labels.get(row.obj.kind, row.obj.kind),
                "title": row.obj.title,
                "label": field_row.field.label,
                "chinese": content.normalise(field_row.field.text),
                "state": field_row.state_label,
                "mongolian": field_row.text,
                "source_hash": field_row.field.hash,
            }
            sheet.append([values[code] for code, _header, _width in COLUMNS])
            for cell in sheet[sheet.max_row]:
                cell.alignment = wrap
            sheet.cell(row=sheet.max_row, column=mongolian_column).font = Font(name=MONGOLIAN_CELL_FONT)
    sheet.freeze_panes = "D2"
    notes = workbook.create_sheet("使用说明")
    for line in INSTRUCTIONS:
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    return workbook_bytes(workbook, "蒙古文内容翻译表")


@dataclass(frozen=True)
class SheetRow:
    number: int  # the row's number in the sheet, as the translator sees it
    kind: str
    key: str
    field: str
    source_hash: str
    mongolian: str


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_rows(data: bytes) -> list[SheetRow]:
    """The rows of an uploaded translation workbook; a clear error when it is not one."""
    if not data:
        raise ApplicationError("请选择要导入的 Excel 文件", code="no_file", fields={"file": ["请选择文件"]})
    if len(data) > MAX_BYTES:
        raise ApplicationError("文件不能超过 5 MB", code="file_too_large", fields={"file": ["文件过大"]})
    xlsx_check(data)  # a zip bomb is refused before openpyxl unpacks anything
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise ApplicationError(
            "无法读取该文件：请上传由本系统导出的 Excel 文件（.xlsx）",
            code="bad_file",
            fields={"file": ["格式不正确"]},
        ) from None
    try:
        sheet = workbook[SHEET] if SHEET in workbook.sheetnames else workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None) or ()
        columns: dict[str, int] = {}
        for index, cell in enumerate(header):
            match = _HEADER_CODE.search(_text(cell))
            if match:
                columns.setdefault(match.group(1), index)
        missing = [code for code in REQUIRED if code not in columns]
        if missing:
            names = dict((code, header) for code, header, _width in COLUMNS)
            raise ApplicationError(
                "表头缺少以下列："
                + "、".join(f"{names[code]} ({code})" for code in missing)
                + "。请使用系统导出的表格",
                code="bad_header",
                fields={"file": ["表头不正确"]},
            )
        result = []
        for number, values in enumerate(rows, start=2):
            if number - 1 > MAX_ROWS:
                raise ApplicationError(
                    f"一次最多导入 {MAX_ROWS} 行，请分批导入",
                    code="too_many_rows",
                    fields={"file": ["行数过多"]},
                )

            def cell(code: str, values: tuple[Any, ...] = values) -> str:
                index = columns[code]
                return _text(values[index]) if index < len(values) else ""

            if not any(_text(value) for value in values):
                continue
            result.append(
                SheetRow(
                    number=number,
                    kind=cell("kind"),
                    key=cell("key"),
                    field=cell("field"),
                    source_hash=cell("source_hash"),
                    mongolian=cell("mongolian"),
                )
            )
        return result
    finally:
        workbook.close()
