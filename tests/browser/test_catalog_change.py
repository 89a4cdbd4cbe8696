"""In a real browser: a department reviewer proposes an edit of an item, the admin approves it, and
the public guide shows the new version and what changed."""

from __future__ import annotations

import re

import pytest

from yichuang.catalog.tests.helpers import publish_item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-word-2026"


def _log_in(page, username: str) -> None:
    page.goto("/home/")
    assert "/accounts/login/" in page.url
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/home/")


def _log_out(page) -> None:
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/accounts/login/")


def test_reviewer_proposes_admin_approves_public_guide_shows_new_version(org, page) -> None:
    item = publish_item(actor=org.user("admin"), department=org.scjg, basic_code="000123456001")

    # The 市场监管局 reviewer finds the item on the workbench and proposes an edit.
    _log_in(page, "reviewer")
    page.goto("/catalog/")
    page.get_by_role("link", name="食品经营许可（新办）").click()
    page.wait_for_url(f"**/catalog/items/{item.pk}/")
    page.get_by_role("link", name="提出变更").click()
    page.wait_for_url(f"**/catalog/items/{item.pk}/edit/")
    promised = page.get_by_label("承诺办结时限（工作日）")
    assert promised.input_value() == "5"
    promised.fill("3")
    first_material = page.get_by_role("group", name="材料 1", exact=True)
    points = first_material.get_by_label("审核要点")
    assert points.input_value() == "申请人签字或盖章\n经营项目与经营场所一致"
    points.fill("申请人签字或盖章\n经营项目与经营场所一致\n场所面积与平面图一致")
    page.get_by_label("申请理由").fill("按新文件压缩承诺时限，补充审核要点")
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_url(re.compile(r".*/catalog/changes/\d+/$"))
    assert "变更申请已提交" in page.get_by_role("status").first.inner_text()
    assert page.get_by_test_id("change-status").inner_text() == "待审核"
    _log_out(page)

    # The admin opens 变更申请, sees the diff and approves.
    _log_in(page, "admin")
    page.goto("/catalog/")
    page.get_by_role("link", name=re.compile("变更申请")).click()
    page.wait_for_url("**/catalog/changes/")
    pending = page.get_by_role("row").filter(has_text="待审核")
    assert "变更" in pending.inner_text()  # the edit, not the approved request that created the item
    pending.get_by_role("link", name="食品经营许可（新办）").click()
    page.wait_for_url(re.compile(r".*/catalog/changes/\d+/$"))
    promised_row = page.locator('tr[data-field="promised_days"]')
    assert promised_row.locator("del").inner_text() == "5"
    assert promised_row.locator("ins").inner_text() == "3"
    assert "场所面积与平面图一致" in page.locator('tr[data-field="review_points"] ins').inner_text()
    page.get_by_label("审核意见").fill("同意")
    page.get_by_role("button", name="批准").click()
    page.get_by_text("已批准并发布第2版").wait_for()
    assert page.get_by_test_id("change-status").inner_text() == "已批准发布"
    _log_out(page)

    # Anyone: the public guide shows 第2版 with the new promised days, and the diff.
    page.goto(f"/guides/{item.pk}/")
    assert page.get_by_test_id("version-line").inner_text().startswith("第2版 · 发布于")
    assert page.get_by_test_id("promised-days").inner_text() == "3个工作日"
    assert page.get_by_text("场所面积与平面图一致").count() == 1
    page.get_by_role("link", name="版本记录").click()
    page.wait_for_url(f"**/guides/{item.pk}/versions/")
    page.get_by_role("link", name="对比第1版与第2版").click()
    page.wait_for_url(re.compile(r".*/diff/\?from=1&to=2$"))
    row = page.locator('tr[data-field="promised_days"]')
    assert row.get_by_role("rowheader").inner_text() == "承诺办结时限（工作日）"
    assert row.locator("del").inner_text() == "5"
    assert row.locator("ins").inner_text() == "3"
