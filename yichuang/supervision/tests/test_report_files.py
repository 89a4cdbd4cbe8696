"""The monthly report's files, read back: the PDF (pypdf: the texts extractable, the header row repeated over
pages, "第 x 页 共 y 页", the Chinese font embedded, vector charts) and the Excel workbook (openpyxl: sheets,
header and frozen rows, number formats, native charts with their data)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pypdf
import pytest
from openpyxl import load_workbook
from openpyxl.chart import BarChart, LineChart

from yichuang.supervision.report_document import ReportChart, ReportDocument, ReportSection, ReportTable
from yichuang.supervision.report_pdf import report_pdf
from yichuang.supervision.report_xlsx import report_xlsx

TITLE = "乌拉特中旗政务服务效能监察月报"
PERIOD = "2026年10月"
COLUMNS = ["部门", "受理量", "办结量", "按时办结率", "平均用时（工作日）"]


def _rows(count: int) -> list[list[str | int | float | None]]:
    return [
        [
            f"测试部门{i:03d}",
            100 + i,
            90 + i,
            f"{90 + i % 10}.5%" if i % 7 else "—",
            None if i % 5 == 0 else 2.5,
        ]
        for i in range(1, count + 1)
    ]


def _document(rows: int = 12) -> ReportDocument:
    days = [f"{day}日" for day in range(1, 32)]
    return ReportDocument(
        title=TITLE,
        period_label=PERIOD,
        generated_at=dt.datetime(2026, 11, 2, 9, 30),
        summary=[("受理量", "1,234"), ("办结量", "1,180"), ("按时办结率", "96.4%"), ("黄牌", "3"), ("红牌", "1")],
        sections=[
            ReportSection(
                title="办件总体情况",
                paragraphs=["本月全旗受理办件1,234件，办结1,180件，按时办结率96.4%。", "住建局<超期>办结 & 整改中。"],
                tables=[ReportTable(title="各部门办件情况", columns=COLUMNS, rows=_rows(rows), note="按时办结率 = 按时办结 ÷ 办结")],
                charts=[
                    ReportChart(
                        title="每日受理与办结",
                        kind="line",
                        categories=days,
                        series=[("受理", [float(d) if d != 4 else None for d in range(31)]), ("办结", [d / 2 for d in range(31)])],
                    ),
                    ReportChart(
                        title="各部门按时办结率",
                        kind="bar",
                        categories=["市场监管局", "住建局", "卫健委"],
                        series=[("按时办结率", [98.5, None, 87.0])],
                        percent=True,
                    ),
                ],
            ),
            ReportSection(title="黄牌红牌", paragraphs=["本月发出黄牌3张、红牌1张。"], tables=[ReportTable(title="黄牌红牌明细", columns=["部门", "牌色"], rows=[])]),
        ],
    )  # fmt: skip


def _pdf_pages(content: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return [page.extract_text() for page in reader.pages]


# ——— PDF ———


def test_the_pdf_holds_the_title_period_figures_paragraphs_and_tables() -> None:
    content = report_pdf(_document())
    assert content.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(content))
    assert reader.metadata is not None and reader.metadata.title == f"{TITLE}（{PERIOD}）"
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.5)  # A4
    text = "\n".join(_pdf_pages(content))
    for expected in (TITLE, PERIOD, "生成时间：2026年11月02日 09:30", "96.4%", "按时办结率", "黄牌"):
        assert expected in text
    assert "一、办件总体情况" in text and "二、黄牌红牌" in text
    assert "住建局<超期>办结 & 整改中。" in text  # written as given, not read as markup
    for column in COLUMNS:
        assert column in text
    assert "测试部门012" in text and "102" in text and "93.5%" in text
    assert "（无数据）" in text  # the empty table says so
    assert "按时办结率 = 按时办结 ÷ 办结" in text


def test_the_charts_are_vector_drawings_with_chinese_labels() -> None:
    text = "\n".join(_pdf_pages(report_pdf(_document())))
    assert "每日受理与办结" in text and "各部门按时办结率（%）" in text
    assert "市场监管局" in text and "15日" in text  # category labels
    assert "100%" in text and "80%" in text  # the percent axis
    assert "受理" in text and "办结" in text  # the legend


def test_the_chinese_font_is_embedded() -> None:
    reader = pypdf.PdfReader(io.BytesIO(report_pdf(_document())))
    fonts = set()
    for page in reader.pages:
        resources: Any = page["/Resources"]
        fonts |= {str(font.get_object()["/BaseFont"]) for font in resources["/Font"].values()}
    assert any(name.endswith("+NotoSerifCJKsc-Regular") for name in fonts)  # a subset, embedded


def test_a_long_table_runs_over_pages_with_its_header_and_page_numbers() -> None:
    pages = _pdf_pages(report_pdf(_document(rows=400)))
    assert 8 <= len(pages) <= 20  # 400 rows of about 22 lines a page … plus the first page
    total = len(pages)
    for number, text in enumerate(pages, start=1):
        assert f"第 {number} 页 共 {total} 页" in text
    table_pages = [text for text in pages if "测试部门" in text]
    assert len(table_pages) >= 7
    for text in table_pages:
        assert all(column in text for column in COLUMNS)  # the header row repeated
    assert f"{TITLE}　{PERIOD}" in pages[1]  # the running header after the first page
    assert "测试部门400" in pages[-1] or "测试部门400" in pages[-2]


def test_an_empty_report_is_one_page() -> None:
    document = ReportDocument(
        title=TITLE, period_label=PERIOD, generated_at=dt.datetime(2026, 11, 1), summary=[]
    )
    pages = _pdf_pages(report_pdf(document))
    assert len(pages) == 1 and TITLE in pages[0] and "第 1 页 共 1 页" in pages[0]


def test_the_file_name_comes_from_the_period() -> None:
    assert _document().file_stem == "supervision-report-2026-10"
    assert ReportDocument(
        title="", period_label="第三季度", generated_at=dt.datetime(2026, 1, 1), summary=[]
    ).file_stem == ("supervision-report")


# ——— Excel ———


def test_the_workbook_has_a_summary_a_sheet_per_table_and_the_charts() -> None:
    workbook = load_workbook(io.BytesIO(report_xlsx(_document())))
    assert workbook.sheetnames == ["概要", "各部门办件情况", "黄牌红牌明细", "图表"]
    assert workbook.properties.title == f"{TITLE}（{PERIOD}）"
    summary = workbook["概要"]
    assert summary["A1"].value == TITLE and summary["A1"].font.bold
    assert summary["A2"].value == PERIOD
    pairs = {summary.cell(row=r, column=1).value: summary.cell(row=r, column=2) for r in range(6, 11)}
    assert pairs["受理量"].value == "1,234"
    assert pairs["按时办结率"].value == pytest.approx(0.964) and pairs["按时办结率"].number_format == "0.0%"
    texts = [cell.value for row in summary.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert "本月全旗受理办件1,234件，办结1,180件，按时办结率96.4%。" in texts


def test_a_table_sheet_has_a_bold_frozen_header_and_number_formats() -> None:
    sheet = load_workbook(io.BytesIO(report_xlsx(_document(rows=30))))["各部门办件情况"]
    assert sheet["A1"].value == "各部门办件情况"
    assert [cell.value for cell in sheet[2]] == COLUMNS
    assert all(cell.font.bold for cell in sheet[2])
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == "A2:E32"
    first = [cell for cell in sheet[3]]
    assert first[0].value == "测试部门001"
    assert first[1].value == 101 and first[1].number_format == "#,##0"
    assert first[3].value == pytest.approx(0.915) and first[3].number_format == "0.0%"
    assert first[4].value == 2.5 and first[4].number_format == "#,##0.0"
    assert sheet["D9"].value == "—"  # row 7: no rate
    assert sheet["E7"].value == "—"  # row 5: no average
    assert sheet.column_dimensions["A"].width >= 12  # fits 测试部门001
    assert sheet["A34"].value == "按时办结率 = 按时办结 ÷ 办结"


def test_the_chart_sheet_holds_the_data_and_native_charts() -> None:
    sheet = load_workbook(io.BytesIO(report_xlsx(_document())))["图表"]
    assert sheet["A1"].value == "每日受理与办结"
    assert [sheet["A2"].value, sheet["B2"].value, sheet["C2"].value] == ["分类", "受理", "办结"]
    assert sheet["A3"].value == "1日" and sheet["B3"].value == 0 and sheet["B7"].value is None  # the gap
    charts = sheet._charts
    assert [type(chart) for chart in charts] == [LineChart, BarChart]
    bar = charts[1]
    assert bar.y_axis.scaling.max == 100
    assert [str(series.tx.strRef.f) for series in bar.series] == [
        "'图表'!B36"
    ]  # the series name: the data header


def test_sheet_names_are_made_valid_and_unique() -> None:
    tables = [
        ReportTable(title=title, columns=["a"], rows=[[1]])
        for title in ("部门/窗口[明细]", "部门/窗口[明细]", "概要", "长" * 40)
    ]
    document = ReportDocument(
        title=TITLE, period_label=PERIOD, generated_at=dt.datetime(2026, 11, 1), summary=[],
        sections=[ReportSection(title="附表", tables=tables)],
    )  # fmt: skip
    names = load_workbook(io.BytesIO(report_xlsx(document))).sheetnames
    assert names == ["概要", "部门_窗口_明细_", "部门_窗口_明细_(2)", "概要(2)", "长" * 31]
