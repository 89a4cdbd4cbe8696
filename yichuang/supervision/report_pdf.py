"""The monthly report (``ReportDocument``) as an A4 PDF.

Pure rendering with reportlab: the title and period, the headline figures as a grid, then each section's
paragraphs, charts (vector charts from ``reportlab.graphics``, Chinese labels) and tables (the header row
repeated on every page a table runs over). Every page is numbered "第 x 页 共 y 页" and, after the first,
carries the title and period at the top. The Chinese font is the case notices' (``cases.notices_pdf``,
SIL OFL): its subset is embedded, so the text stays extractable.
"""

from __future__ import annotations

import functools
import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from yichuang.cases.notices_pdf import NumberedCanvas, register_font
from yichuang.supervision.charts import PALETTE, format_count
from yichuang.supervision.report_document import Cell, ReportChart, ReportDocument, ReportTable

__all__ = ["report_pdf"]

PAGE_WIDTH, PAGE_HEIGHT = A4
LEFT_MARGIN = RIGHT_MARGIN = 20 * mm
TOP_MARGIN = 22 * mm
BOTTOM_MARGIN = 20 * mm
TEXT_WIDTH = PAGE_WIDTH - LEFT_MARGIN - RIGHT_MARGIN

TITLE_SIZE = 20
BODY_SIZE = 11
TABLE_SIZE = 9
SUMMARY_COLUMNS = 4
CHART_HEIGHT = 62 * mm
HEADER_FILL = colors.HexColor("#e8eef8")
GRID = colors.HexColor("#9aa7b8")
CHART_COLORS = [colors.HexColor(value) for value in PALETTE]


@functools.cache
def _styles() -> dict[str, ParagraphStyle]:
    font = register_font()
    base = ParagraphStyle(
        "report",
        fontName=font,
        fontSize=BODY_SIZE,
        leading=BODY_SIZE * 1.7,
        wordWrap="CJK",
        alignment=TA_LEFT,
    )
    return {
        "title": ParagraphStyle(
            "title", parent=base, fontSize=TITLE_SIZE, leading=TITLE_SIZE * 1.4, alignment=TA_CENTER
        ),
        "period": ParagraphStyle("period", parent=base, fontSize=13, alignment=TA_CENTER, spaceAfter=4),
        "generated": ParagraphStyle(
            "generated", parent=base, fontSize=9, alignment=TA_CENTER, textColor=colors.grey, spaceAfter=10
        ),
        "section": ParagraphStyle(
            "section", parent=base, fontSize=14, leading=22, spaceBefore=12, spaceAfter=4
        ),
        "body": ParagraphStyle("body", parent=base, firstLineIndent=2 * BODY_SIZE, spaceAfter=4),
        "caption": ParagraphStyle(
            "caption", parent=base, fontSize=10.5, leading=16, spaceBefore=8, spaceAfter=3
        ),
        "note": ParagraphStyle("note", parent=base, fontSize=8.5, leading=13, textColor=colors.grey),
        "cell": ParagraphStyle("cell", parent=base, fontSize=TABLE_SIZE, leading=TABLE_SIZE * 1.45),
        "head": ParagraphStyle(
            "head", parent=base, fontSize=TABLE_SIZE, leading=TABLE_SIZE * 1.45, alignment=TA_CENTER
        ),
        "figure": ParagraphStyle("figure", parent=base, fontSize=16, leading=22, alignment=TA_CENTER),
        "figure_label": ParagraphStyle(
            "figure_label",
            parent=base,
            fontSize=9,
            leading=13,
            alignment=TA_CENTER,
            textColor=colors.HexColor("#4a5565"),
        ),
    }


def _paragraph(text: str, style: str) -> Paragraph:
    # Paragraph reads mini-markup: escape what the caller wrote so "<" or "&" print as such.
    return Paragraph(escape(text).replace("\n", "<br/>"), _styles()[style])


def _cell_text(value: Cell) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return format_count(value) if abs(value) < 100_000 else f"{value:,}"
    return str(value)


class _NumberedCanvas(NumberedCanvas):
    """第 x 页 共 y 页 on every page (a one-page report too) and the running header from the second on."""

    right_margin, top_margin, bottom_margin = RIGHT_MARGIN, TOP_MARGIN, BOTTOM_MARGIN
    number_size = 9
    number_single_page = True


# ——— the headline figures ———


def _summary_grid(summary: list[tuple[str, str]]) -> Table | None:
    if not summary:
        return None
    cells: list[Any] = [
        [_paragraph(value, "figure"), _paragraph(label, "figure_label")] for label, value in summary
    ]
    while len(cells) % SUMMARY_COLUMNS:
        cells.append("")
    rows = [cells[i : i + SUMMARY_COLUMNS] for i in range(0, len(cells), SUMMARY_COLUMNS)]
    width = TEXT_WIDTH / SUMMARY_COLUMNS
    table = Table(rows, colWidths=[width] * SUMMARY_COLUMNS)
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.6, GRID),
                ("INNERGRID", (0, 0), (-1, -1), 0.4, GRID),
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f6f8fb")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return table


# ——— tables ———


def _column_widths(table: ReportTable) -> list[float]:
    """Widths from the longest text of each column (header included), scaled to the text width."""
    font = register_font()
    wanted = []
    for index, column in enumerate(table.columns):
        texts = [column] + [_cell_text(row[index]) if index < len(row) else "" for row in table.rows]
        longest = max(pdfmetrics.stringWidth(text, font, TABLE_SIZE) for text in texts)
        wanted.append(min(max(longest + 8, 14 * mm), 70 * mm))
    scale = TEXT_WIDTH / sum(wanted)
    return [width * scale for width in wanted]


def _table(table: ReportTable) -> list[Any]:
    flowables: list[Any] = [_paragraph(table.title, "caption")]
    numeric = [
        bool(table.rows)
        and all(isinstance(row[i], int | float) or row[i] is None for row in table.rows if i < len(row))
        for i in range(len(table.columns))
    ]
    header = [_paragraph(column, "head") for column in table.columns]
    body = [
        [
            _paragraph(_cell_text(row[i]) if i < len(row) else "", "cell")
            if not numeric[i]
            else _cell_text(row[i] if i < len(row) else None)
            for i in range(len(table.columns))
        ]
        for row in table.rows
    ]
    if not body:
        body = [[_paragraph("（无数据）", "cell")] + [""] * (len(table.columns) - 1)]
    grid = Table([header, *body], colWidths=_column_widths(table), repeatRows=1)
    style: list[Any] = [
        ("FONTNAME", (0, 0), (-1, -1), register_font()),
        ("FONTSIZE", (0, 0), (-1, -1), TABLE_SIZE),
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    style += [("ALIGN", (i, 1), (i, -1), "RIGHT") for i, is_number in enumerate(numeric) if is_number]
    if not table.rows:
        style.append(("SPAN", (0, 1), (-1, 1)))
    grid.setStyle(TableStyle(style))
    flowables.append(grid)
    if table.note:
        flowables.append(_paragraph(table.note, "note"))
    return flowables


# ——— charts ———


def _chart(chart: ReportChart) -> Drawing:
    font = register_font()
    width, height = TEXT_WIDTH, CHART_HEIGHT
    drawing = Drawing(width, height)
    legend_room = 16 if len(chart.series) > 1 else 0
    plot: Any = VerticalBarChart() if chart.kind == "bar" else HorizontalLineChart()
    plot.x, plot.y = 40, 28
    plot.width, plot.height = width - 52, height - 40 - legend_room
    data = [tuple(value for value in values) for _name, values in chart.series] or [()]
    plot.data = data
    plot.categoryAxis.categoryNames = list(chart.categories)
    labels = plot.categoryAxis.labels
    labels.fontName, labels.fontSize = font, 7
    if len(chart.categories) > 8:
        labels.angle, labels.boxAnchor, labels.dx, labels.dy = 30, "ne", 0, -2
        plot.y, plot.height = 44, plot.height - 16
    step = max(1, len(chart.categories) // 16)
    if step > 1:  # long series (days of a month): label every few categories
        plot.categoryAxis.categoryNames = [
            name if index % step == 0 else "" for index, name in enumerate(chart.categories)
        ]
    values = [value for _name, series in chart.series for value in series if value is not None]
    axis = plot.valueAxis
    axis.labels.fontName, axis.labels.fontSize = font, 7
    axis.valueMin = 0
    if chart.percent:
        axis.valueMax, axis.valueStep = 100, 20
        axis.labelTextFormat = "%d%%"
    elif not values or max(values) <= 0:
        axis.valueMax, axis.valueStep = 5, 1
    axis.visibleGrid, axis.gridStrokeColor, axis.gridStrokeWidth = True, colors.HexColor("#dde3ea"), 0.3
    for index in range(len(chart.series)):
        color = CHART_COLORS[index % len(CHART_COLORS)]
        if chart.kind == "bar":
            plot.bars[index].fillColor = color
            plot.bars[index].strokeColor = None
        else:
            plot.lines[index].strokeColor = color
            plot.lines[index].strokeWidth = 1.4
    if chart.kind == "bar":
        plot.barSpacing, plot.groupSpacing = 1, 6
    else:
        plot.joinedLines = True
    drawing.add(plot)
    if len(chart.series) > 1:
        legend = Legend()
        legend.fontName, legend.fontSize = font, 8
        legend.x, legend.y = 40, height - 4
        legend.alignment, legend.columnMaximum = "right", 1
        legend.dx, legend.dy, legend.deltax = 8, 8, 60
        legend.colorNamePairs = [
            (CHART_COLORS[index % len(CHART_COLORS)], name)
            for index, (name, _values) in enumerate(chart.series)
        ]
        drawing.add(legend)
    if not values:
        drawing.add(
            String(width / 2, height / 2, "（无数据）", fontName=font, fontSize=10, textAnchor="middle")
        )
    return drawing


def _chart_block(chart: ReportChart) -> KeepTogether:
    unit = "（%）" if chart.percent else ""
    return KeepTogether([_paragraph(f"{chart.title}{unit}", "caption"), _chart(chart)])


# ——— the document ———


def _story(doc: ReportDocument) -> list[Any]:
    generated = doc.generated_at.strftime("%Y年%m月%d日 %H:%M")
    story: list[Any] = [
        _paragraph(doc.title, "title"),
        _paragraph(doc.period_label, "period"),
        _paragraph(f"生成时间：{generated}", "generated"),
    ]
    grid = _summary_grid(doc.summary)
    if grid is not None:
        story += [grid, Spacer(1, 6)]
    for number, section in enumerate(doc.sections, start=1):
        story.append(_paragraph(f"{_chinese_ordinal(number)}、{section.title}", "section"))
        story += [_paragraph(text, "body") for text in section.paragraphs]
        story += [_chart_block(chart) for chart in section.charts]
        for table in section.tables:
            story += _table(table)
    return story


def _chinese_ordinal(number: int) -> str:
    digits = "零一二三四五六七八九"
    if number < 10:
        return digits[number]
    if number < 20:
        return "十" + (digits[number % 10] if number % 10 else "")
    if number < 100:
        return digits[number // 10] + "十" + (digits[number % 10] if number % 10 else "")
    return str(number)


def report_pdf(doc: ReportDocument) -> bytes:
    """The report as A4 PDF bytes."""
    register_font()
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=LEFT_MARGIN,
        rightMargin=RIGHT_MARGIN,
        topMargin=TOP_MARGIN,
        bottomMargin=BOTTOM_MARGIN,
        title=f"{doc.title}（{doc.period_label}）",
        subject=doc.period_label,
        creator="yichuang 一窗",
        lang="zh-CN",
    )
    header = f"{doc.title}　{doc.period_label}"
    template.build(_story(doc), canvasmaker=functools.partial(_NumberedCanvas, running_header=header))
    return buffer.getvalue()
