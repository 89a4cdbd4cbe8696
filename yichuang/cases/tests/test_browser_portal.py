"""In a real browser: an applicant opens a guide, applies online with an upload, finds the case under
我的办件, and then — logged out — the public progress lookup finds it by number and ID number."""

from __future__ import annotations

import re

import pytest

from yichuang.accounts.tests.factories import ApplicantFactory
from yichuang.cases.models import Case, CaseFile
from yichuang.catalog.tests.helpers import publish_item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-word-2026"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_applicant_applies_online_and_the_public_lookup_finds_the_case(org, page) -> None:
    item = publish_item(actor=org.user("admin"), department=org.scjg, basic_code="11A000100001")
    applicant = ApplicantFactory(user=org.user("applicant"), name="乌云其其格")

    # The guide offers online application; logging in leads straight back to the form.
    page.goto(f"/guides/{item.pk}/")
    page.get_by_role("link", name="在线申请").click()
    page.wait_for_url("**/accounts/login/**")
    page.get_by_label("用户名").fill("applicant")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"**/my/cases/apply/{item.pk}/")
    assert "乌云其其格" in page.get_by_test_id("applicant").inner_text()

    # A text file named .pdf is refused next to its material; nothing is made.
    upload = page.locator('tr[data-material="m-apply"] input[type=file]:not(.camera-input)')
    upload.set_input_files(
        files=[{"name": "申请书.pdf", "mimeType": "application/pdf", "buffer": b"not a pdf"}]
    )
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_load_state()
    error = page.locator('tr[data-material="m-apply"] [role=alert]')
    assert "只能上传" in error.inner_text()
    assert Case.objects.count() == 0

    # The real scan goes through: one case, with its file.
    upload = page.locator('tr[data-material="m-apply"] input[type=file]:not(.camera-input)')
    upload.set_input_files(files=[{"name": "申请书.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(re.compile(r".*/my/cases/\d+/$"))
    number = page.get_by_test_id("case-number").inner_text()
    assert "申请已提交" in page.get_by_role("status").first.inner_text()
    assert page.locator("[data-testid=timeline] li").first.inner_text().endswith("申请人")
    assert "申请书.pdf" in page.get_by_test_id("materials").inner_text()
    case = Case.objects.get()
    assert case.number == number and CaseFile.objects.filter(case=case).count() == 1

    # 我的办件 lists it.
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="我的办件").click()
    page.wait_for_url("**/my/cases/")
    row = page.locator(f'tr[data-case="{number}"]')
    assert "已接件" in row.inner_text() and "食品经营许可（新办）" in row.inner_text()

    # Logged out, anyone with the number and the ID number can follow the progress.
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/accounts/login/")
    page.get_by_role("link", name="办理进度查询").click()
    page.wait_for_url("**/track/")
    page.get_by_label("办件编号").fill(number)
    page.get_by_label("身份证号码或统一社会信用代码").fill("0" * 18)
    page.get_by_role("button", name="查询").click()
    assert page.get_by_test_id("track-not-found").inner_text() == "未找到与办件编号和证件号码相符的办件"
    page.get_by_label("身份证号码或统一社会信用代码").fill(applicant.id_number)
    page.get_by_role("button", name="查询").click()
    result = page.get_by_test_id("track-result")
    result.wait_for()
    assert page.get_by_test_id("track-status").inner_text() == "已接件"
    assert page.get_by_test_id("masked-name").inner_text() == "乌****"
    assert "乌云其其格" not in page.content() and applicant.id_number not in page.content()
    assert "提交申请" in page.get_by_test_id("track-timeline").inner_text()
