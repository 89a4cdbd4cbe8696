"""The monthly report on the fixed set: its content, the PDF and the Excel files, who may download it."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
import time_machine
from pypdf import PdfReader

from yichuang.core.models import AuditEvent
from yichuang.supervision.reports import monthly_report
from yichuang.supervision.tests import figures_data
from yichuang.supervision.tests.figures_data import TODAY, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def fixed(org: Any) -> figures_data.FixedSet:
    return figures_data.build(org)


def test_the_report_carries_the_months_figures(org: Any, fixed: Any) -> None:
    with time_machine.travel(at(12), tick=False):
        doc = monthly_report(user=org.user("inspector"), month=dt.date(2026, 11, 1), today=TODAY)
    summary = dict(doc.summary)
    assert (summary["受理"], summary["办结"], summary["按时办结率"], summary["超期办结"]) == (
        "4件",
        "3件",
        "66.7%",
        "1件",
    )
    assert doc.period_label == "2026年11月"
    table = doc.sections[0].tables[0]
    rows = {row[0]: row for row in table.rows}
    assert rows[org.scjg.name][table.columns.index("受理")] == 3
    assert rows[org.scjg.name][table.columns.index("平均用时（工作日）")] == "4.0"
    assert rows["合计"][table.columns.index("超期在办")] == 1


def test_pdf_and_excel_downloads(org: Any, fixed: Any, client_for: Any) -> None:
    client = client_for("inspector")
    with time_machine.travel(at(12), tick=False):
        pdf = client.get("/supervision/reports/2026-11.pdf")
        xlsx = client.get("/supervision/reports/2026-11.xlsx")
        listing = client.get("/supervision/reports/")
        future = client.get("/supervision/reports/2027-1.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "2026年11月" in text and org.scjg.name in text and "综合排名" in text
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    cells = [
        str(cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value
    ]
    assert org.scjg.name in cells and "各部门办件情况" in "".join(book.sheetnames + cells)
    assert listing.status_code == 200 and "2026-11.pdf" in listing.content.decode()
    assert future.status_code == 404
    assert AuditEvent.objects.filter(action="supervision.report_downloaded").count() == 2


def test_a_chief_representatives_report_is_his_departments(org: Any, fixed: Any) -> None:
    with time_machine.travel(at(12), tick=False):
        doc = monthly_report(user=org.user("chief_rep"), month=dt.date(2026, 11, 1), today=TODAY)
    labels = [row[0] for row in doc.sections[0].tables[0].rows]
    assert org.scjg.name in labels and org.wjw.name not in labels
    assert dict(doc.summary)["受理"] == "3件"


@pytest.mark.parametrize("role", ["clerk", "applicant", "handler"])
def test_others_may_not_download(org: Any, client_for: Any, role: str) -> None:
    assert client_for(role).get("/supervision/reports/2026-11.pdf").status_code == 403
