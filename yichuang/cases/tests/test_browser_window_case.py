"""In a real browser, a full window case: the clerk registers the applicant on the spot, finds the item,
receives the application, checks the materials against the review points and accepts (the 受理通知书 PDF
says so); the department's reviewer takes the case and approves; the issuance window hands the result
over; the case shows 已办结. Screenshots of each desk are kept under pytest's tmp dir."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from yichuang.accounts.tests.factories import valid_id_number
from yichuang.cases.models import Case, CaseStatus
from yichuang.catalog.tests.helpers import publish_item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-word-2026"


def _log_in(page, username: str) -> None:
    page.goto("/home/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/home/")


def _log_out(page) -> None:
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/accounts/login/")


def _menu(page, label: str) -> None:
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name=label).click()


def _pdf_text(content: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


def test_full_window_case_intake_accept_review_approve_deliver(org, page, tmp_path: Path) -> None:
    publish_item(actor=org.user("admin"), department=org.scjg, basic_code="11A000100001")
    shots = tmp_path / "screens"
    shots.mkdir()
    id_number = valid_id_number()

    # ——— 窗口受理: the clerk registers the applicant on the spot ———
    _log_in(page, "clerk")
    _menu(page, "窗口受理")
    page.wait_for_url("**/cases/window/")
    page.get_by_label("按姓名、名称、身份证号码或统一社会信用代码查找申请人").fill("巴特尔")
    page.get_by_text("没有找到“巴特尔”").wait_for()  # live search over htmx: nobody yet
    page.get_by_text("登记新申请人", exact=True).click()
    page.get_by_label("姓名或单位名称").fill("巴特尔")
    page.get_by_label("公民身份号码").fill("150824199003071234")  # wrong check digit
    page.get_by_role("button", name="登记并选用").click()
    assert "身份证号码校验位不正确" in page.locator('[data-field="id_number"]').inner_text()
    page.get_by_label("公民身份号码").fill(id_number)
    page.get_by_label("联系电话").fill("13800001234")
    page.get_by_role("button", name="登记并选用").click()
    page.wait_for_url(re.compile(r".*/cases/window/\?applicant=\d+$"))
    selected = page.get_by_test_id("selected-applicant").inner_text()
    assert "巴特尔" in selected and id_number not in selected and "138****1234" in selected

    # … finds the item by the words people use, live …
    page.get_by_label("事项名称、实施编码或群众说法").fill("开饭店")
    page.get_by_role("link", name="选择 食品经营许可（新办）").click()
    page.wait_for_url(re.compile(r".*/cases/window/\?item=\d+&applicant=\d+$"))
    assert "食品经营许可（新办）" in page.get_by_test_id("selected-item").inner_text()
    page.screenshot(path=shots / "1-window-intake.png", full_page=True)

    # … receives the application (a double click still makes one case) …
    page.get_by_role("button", name="接件并核验材料").dblclick()
    page.wait_for_url(re.compile(r".*/cases/\d+/$"))
    assert Case.objects.count() == 1
    number = page.get_by_test_id("case-number").inner_text()
    assert page.get_by_test_id("case-status").inner_text() == "已接件"

    # … checks each material against its review points …
    materials = page.get_by_test_id("materials")
    assert "申请人签字或盖章" in materials.inner_text() and "在有效期内" in materials.inner_text()
    page.get_by_role("group", name="食品经营许可申请书").get_by_role("radio", name="不符合要求").check()
    page.get_by_role("group", name="营业执照").get_by_role("radio", name="已核验原件").check()
    page.get_by_role("button", name="受理", exact=True).click()
    alert = page.get_by_role("form", name="材料核验").get_by_role("alert")
    assert alert.inner_text() == "请说明“食品经营许可申请书”哪里不符合要求"
    page.get_by_role("group", name="食品经营许可申请书").get_by_role("radio", name="已核验原件").check()
    page.get_by_role("button", name="受理", exact=True).click()
    page.wait_for_url(re.compile(r".*/cases/\d+/\?issued=\d+$"))
    assert page.get_by_test_id("case-status").inner_text() == "已受理"
    page.screenshot(path=shots / "2-accepted.png", full_page=True)

    # … and downloads the 受理通知书.
    issued = page.get_by_test_id("issued-notices")
    assert "受理通知书" in issued.inner_text()
    link = issued.get_by_role("link", name="打印/下载 PDF")
    response = page.request.get(link.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = _pdf_text(response.body())
    assert "受理通知书" in text and number in text and "巴特尔" in text and "食品经营许可（新办）" in text
    (shots / "acceptance.pdf").write_bytes(response.body())
    _log_out(page)

    # ——— 审批办件: the 市场监管局 reviewer takes the case and approves ———
    _log_in(page, "reviewer")
    _menu(page, "审批办件")
    page.wait_for_url("**/cases/review/")
    row = page.get_by_test_id("review-inbox").get_by_role("row").filter(has_text=number)
    assert "剩余" in row.inner_text() and id_number not in row.inner_text()
    page.screenshot(path=shots / "3-inbox.png", full_page=True)
    row.get_by_role("link", name=number).click()
    page.wait_for_url(re.compile(r".*/cases/\d+/$"))
    page.get_by_role("button", name="开始审查").click()
    expect(page.get_by_test_id("case-status")).to_have_text("审查中")
    decide = page.get_by_role("form", name="作出决定")
    decide.get_by_role("radio", name="准予").check()
    decide.get_by_role("button", name="提交决定").click()
    page.wait_for_url(re.compile(r".*/cases/\d+/\?issued=\d+$"))
    assert page.get_by_test_id("case-status").inner_text() == "准予（待制证）"
    assert "准予行政许可决定书" in page.get_by_test_id("issued-notices").inner_text()
    page.get_by_role("button", name="结果已制作，待送达").click()
    expect(page.get_by_test_id("case-status")).to_have_text("待送达")
    _log_out(page)

    # ——— 出证窗口: the issuer hands the licence over and prints the 送达回证 ———
    _log_in(page, "issuer")
    _menu(page, "出证窗口")
    page.wait_for_url("**/cases/issue/")
    queue = page.get_by_test_id("issuance-queue").get_by_role("row").filter(has_text=number)
    assert "138****1234" in queue.inner_text()
    queue.get_by_role("link", name=number).click()
    page.wait_for_url(re.compile(r".*/cases/\d+/$"))
    deliver = page.get_by_role("form", name="送达办理结果")
    deliver.get_by_role("radio", name="窗口领取").check()
    deliver.get_by_role("button", name="确认送达").click()
    assert deliver.get_by_role("alert").inner_text() == "请填写领取人姓名"
    deliver.get_by_label("领取人姓名").fill("巴特尔")
    deliver.get_by_role("button", name="确认送达").click()
    page.wait_for_url(re.compile(r".*/cases/\d+/\?issued=\d+$"))
    assert page.get_by_test_id("case-status").inner_text() == "已办结"
    receipt = page.get_by_test_id("issued-notices")
    assert "送达回证" in receipt.inner_text()
    receipt_pdf = page.request.get(receipt.get_by_role("link", name="打印/下载 PDF").get_attribute("href"))
    assert "送达回证" in _pdf_text(receipt_pdf.body())
    timeline = page.get_by_test_id("timeline").inner_text()
    for step in ("接件", "受理", "开始审查", "作出准予决定", "结果已制作", "送达"):
        assert step in timeline
    page.screenshot(path=shots / "4-closed.png", full_page=True)

    case = Case.objects.get()
    assert case.status == CaseStatus.CLOSED and case.number == number
    assert case.accepted_by == org.user("clerk") and case.decided_by == org.user("reviewer")
