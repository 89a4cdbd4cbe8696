"""In a real browser: the window fetches the applicant's business licence instead of a paper copy (免证办)
and accepts; the reviewer approves with the food licence's data and the licence is issued; the page its QR
code opens says valid; the chief representative revokes it; the same page says revoked. Screenshots are
kept under pytest's tmp dir."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from yichuang.accounts.tests.factories import ApplicantFactory, valid_credit_code
from yichuang.cases import services as case_services
from yichuang.cases.models import Case, CaseMaterialState
from yichuang.catalog.tests.helpers import publish_item
from yichuang.licences import services
from yichuang.licences.models import LicenceType
from yichuang.licences.rendering import verify_url

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


def test_issue_from_a_case_verify_by_qr_revoke(org, page, live_server, tmp_path: Path) -> None:
    shots = tmp_path / "screens"
    shots.mkdir()
    services.seal_create(actor=org.user("admin"), department=org.scjg)
    company = ApplicantFactory(
        kind="legal",
        name="草原牧歌餐饮有限公司",
        id_number="",
        credit_code=valid_credit_code("91"),
        legal_representative="乌云",
        address="海流图镇团结路8号",
    )
    services.licence_issue(
        actor=org.user("reviewer"),
        licence_type=LicenceType.objects.get(code="11100000000013338W001"),
        holder=company,
        issuer=org.scjg,
        data={
            "f1": company.name,
            "f2": "有限责任公司",
            "f3": "乌云",
            "f5": "2026-03-01",
            "f6": "海流图镇",
            "f7": "餐饮",
        },
    )
    item = publish_item(
        actor=org.user("admin"),
        department=org.scjg,
        basic_code="11A000100001",
        result_licence_type_code="11100000000013338W019",
    )
    case = case_services.case_submit(actor=org.user("clerk"), item=item, applicant=company, channel="window")

    # ——— the window: 免证办 for the business licence, the paper form checked, accepted ———
    _log_in(page, "clerk")
    page.goto(f"/cases/{case.pk}/")
    page.get_by_role("button", name="调取电子证照（免证办）").click()
    page.get_by_text("已调取 1 项电子证照，相应材料免提交").wait_for()
    assert page.get_by_test_id("licence-ref").count() == 1
    apply_row = page.locator(f'[data-material="{case.materials.get(material__key="m-apply").pk}"]')
    apply_row.get_by_label("已核验原件").check()
    page.get_by_role("button", name="受理", exact=True).click()
    page.wait_for_url(re.compile(r".*/cases/\d+/\?issued=[\d,]+$"))  # the 受理通知书 issued
    case.refresh_from_db()
    assert case.status == "accepted"
    assert case.materials.get(material__key="m-licence").state == CaseMaterialState.EXEMPT
    page.screenshot(path=shots / "1-window-exempt.png", full_page=True)
    _log_out(page)

    # ——— the reviewer approves with the licence's data ———
    _log_in(page, "reviewer")
    page.goto(f"/cases/{case.pk}/")
    page.get_by_role("button", name="开始审查").click()
    page.wait_for_url(re.compile(r".*/cases/\d+/.*"))
    decide = page.locator('form[data-action="decide"]')
    decide.get_by_label("准予").check()
    assert decide.get_by_label("经营者名称").input_value() == "草原牧歌餐饮有限公司"  # prefilled
    decide.get_by_label("主体业态").fill("餐饮服务经营者（小型餐饮）")
    decide.get_by_label("经营项目").fill("热食类食品制售")
    decide.get_by_role("button", name="提交决定").click()
    page.get_by_test_id("case-licence-link").wait_for()
    licence = Case.objects.get(pk=case.pk).licences.get()
    page.screenshot(path=shots / "2-approved.png", full_page=True)
    page.get_by_test_id("case-licence-link").get_by_role("link").click()
    page.get_by_test_id("verdict").wait_for()
    with page.expect_download() as download:
        page.get_by_test_id("licence-pdf").click()
    text = "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(Path(download.value.path()).read_bytes())).pages
    )
    assert "食品经营许可证" in text and licence.identifier in text.replace("\n", "")
    _log_out(page)

    # ——— anyone scans the QR code: the verification page says valid ———
    qr_path = verify_url(licence).split("://", 1)[1].split("/", 1)[1]
    page.goto(f"{live_server.url}/{qr_path}")
    verdict = page.get_by_test_id("verify-result")
    verdict.wait_for()
    assert "有效" in verdict.inner_text() and "草原牧歌餐饮有限公司" not in verdict.inner_text()  # masked
    page.screenshot(path=shots / "3-verify-valid.png", full_page=True)

    # ——— the chief representative revokes it ———
    _log_in(page, "chief_rep")
    page.goto(f"/licences/{licence.pk}/")
    revoke = page.get_by_test_id("revoke-form")
    revoke.get_by_label("注销原因").fill("经营者申请注销")
    revoke.get_by_role("button", name="确认注销").click()
    page.get_by_test_id("revoke-reason").wait_for()
    _log_out(page)

    # ——— the same QR page now says revoked ———
    page.goto(f"{live_server.url}/{qr_path}")
    verdict = page.get_by_test_id("verify-result")
    verdict.wait_for()
    assert "已注销" in verdict.inner_text()
    page.screenshot(path=shots / "4-verify-revoked.png", full_page=True)
