"""The monthly report (``ReportDocument``) as an Excel workbook (openpyxl).

Sheets: 概要 (title, period, generation time, the headline figures and the sections' text), one sheet per
table (title, bold header row frozen with a filter, widths from the content, number formats: counts
``#,##0``, a rate given as "93.5%" stored as the number 0.935 shown ``0.0%``), and 图表 with each chart's data
and a native Excel chart (bar or line) drawn from it.
"""

from __future__ import annotations

import re
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from yichuang.core.xlsx import workbook_bytes
from yichuang.supervision.report_document import Cell, ReportChart, ReportDocument, ReportTable

__all__ = ["report_xlsx"]

SUMMARY_SHEET = "概要"
CHART_SHEET = "图表"
HEADER_FILL = PatternFill("solid", fgColor="E8EEF8")
PERCENT_TEXT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*%\s*$")
SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
CHART_ROWS = 18  # the room a chart takes on the 图表 sheet, in rows


def _sheet_title(title: str, taken: set[str]) -> str:
    """A valid, unique sheet name (at most 31 characters, none of []:*?/\\)."""
    base = SHEET_FORBIDDEN.sub("_", title).strip("' ") or "表"
    base = base[:31]
    name, counter = base, 2
    while name in taken:
        suffix = f"({counter})"
        name = base[: 31 - len(suffix)] + suffix
        counter += 1
    taken.add(name)
    return name


def _display_width(text: str) -> float:
    """Columns a text needs: a Chinese character is about two Latin ones."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _write_value(sheet: Worksheet, row: int, column: int, value: Cell) -> None:
    cell = sheet.cell(row=row, column=column)
    if value is None:
        cell.value = "—"
        cell.alignment = Alignment(horizontal="right")
    elif isinstance(value, str) and (match := PERCENT_TEXT.match(value)):
        cell.value = float(match.group(1)) / 100
        cell.number_format = "0.0%"
    elif isinstance(value, bool):
        cell.value = "是" if value else "否"
    elif isinstance(value, int):
        cell.value = value
        cell.number_format = "#,##0"
    elif isinstance(value, float):
        cell.value = value
        cell.number_format = "#,##0.0"
    else:
        cell.value = value


def _summary_sheet(sheet: Worksheet, doc: ReportDocument) -> None:
    sheet["A1"] = doc.title
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = doc.period_label
    sheet["A3"] = f"生成时间：{doc.generated_at:%Y-%m-%d %H:%M}"
    row = 5
    sheet.cell(row=row, column=1, value="指标").font = Font(bold=True)
    sheet.cell(row=row, column=2, value="数值").font = Font(bold=True)
    for label, value in doc.summary:
        row += 1
        sheet.cell(row=row, column=1, value=label)
        _write_value(sheet, row, 2, value)
    for section in doc.sections:
        if not section.paragraphs:
            continue
        row += 2
        sheet.cell(row=row, column=1, value=section.title).font = Font(bold=True)
        for text in section.paragraphs:
            row += 1
            cell = sheet.cell(row=row, column=1, value=text)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=6)
            sheet.row_dimensions[row].height = 15 * max(1, int(_display_width(text) / 100) + 1)
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 18
    for letter in "CDEF":
        sheet.column_dimensions[letter].width = 14


def _table_sheet(sheet: Worksheet, table: ReportTable) -> None:
    sheet["A1"] = table.title
    sheet["A1"].font = Font(bold=True, size=13)
    widths = [_display_width(column) for column in table.columns]
    for column, name in enumerate(table.columns, start=1):
        cell = sheet.cell(row=2, column=column, value=name)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row_index, row in enumerate(table.rows, start=3):
        for column, value in enumerate(row[: len(table.columns)], start=1):
            _write_value(sheet, row_index, column, value)
            text = "—" if value is None else str(value)
            widths[column - 1] = max(widths[column - 1], _display_width(text))
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 8), 60)
    sheet.freeze_panes = "A3"
    last_row = 2 + len(table.rows)
    if table.columns:
        sheet.auto_filter.ref = f"A2:{get_column_letter(len(table.columns))}{max(last_row, 2)}"
    if table.note:
        sheet.cell(row=last_row + 2, column=1, value=table.note).font = Font(italic=True, color="666666")


def _chart_block(sheet: Worksheet, chart: ReportChart, top: int) -> int:
    """Write the chart's data at ``top`` and anchor a native chart beside it; return the next free row."""
    sheet.cell(row=top, column=1, value=chart.title + ("（%）" if chart.percent else "")).font = Font(
        bold=True
    )
    header = top + 1
    sheet.cell(row=header, column=1, value="分类").font = Font(bold=True)
    for index, (name, values) in enumerate(chart.series, start=2):
        sheet.cell(row=header, column=index, value=name).font = Font(bold=True)
        for offset, value in enumerate(values, start=1):
            cell = sheet.cell(row=header + offset, column=index, value=value)
            cell.number_format = "0.0" if chart.percent else "#,##0"
    for offset, category in enumerate(chart.categories, start=1):
        sheet.cell(row=header + offset, column=1, value=category)
    last = header + len(chart.categories)
    if chart.categories and chart.series:
        native: Any = BarChart() if chart.kind == "bar" else LineChart()
        if chart.kind == "bar":
            native.type = "col"
        native.title = chart.title
        native.y_axis.title = "%" if chart.percent else "数量"
        native.height, native.width = 8.5, 18
        if chart.percent:
            native.y_axis.scaling.min, native.y_axis.scaling.max = 0, 100
        data = Reference(sheet, min_col=2, max_col=1 + len(chart.series), min_row=header, max_row=last)
        categories = Reference(sheet, min_col=1, min_row=header + 1, max_row=last)
        native.add_data(data, titles_from_data=True)
        native.set_categories(categories)
        sheet.add_chart(native, f"{get_column_letter(len(chart.series) + 3)}{top}")
    return max(last + 2, top + CHART_ROWS)


def report_xlsx(doc: ReportDocument) -> bytes:
    """The report as .xlsx bytes."""
    workbook = Workbook()
    taken = {SUMMARY_SHEET, CHART_SHEET}
    summary = workbook.active
    assert summary is not None
    summary.title = SUMMARY_SHEET
    _summary_sheet(summary, doc)
    for section in doc.sections:
        for table in section.tables:
            _table_sheet(workbook.create_sheet(_sheet_title(table.title, taken)), table)
    charts = [chart for section in doc.sections for chart in section.charts]
    if charts:
        sheet = workbook.create_sheet(CHART_SHEET)
        sheet.column_dimensions["A"].width = 18
        top = 1
        for chart in charts:
            top = _chart_block(sheet, chart, top)
    return workbook_bytes(workbook, f"{doc.title}（{doc.period_label}）")
