"""In a real browser: the inspector opens 事项抽查, draws the current month, opens a sampled item, is told what
is missing when he concludes 不合格 without findings (the form swaps itself through htmx), then records the
inspection; the chief representative of the item's department reads the finding. Time is not frozen.
Screenshots are kept under pytest's tmp dir."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from yichuang.supervision.models_sampling import Inspection, SampleDraw
from yichuang.supervision.tests.sampling_setup import stationed_items

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-word-2026"


def _log_in(page: Any, username: str, then: str) -> None:
    page.goto(then)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"**{then}")


def test_the_inspector_draws_and_records_and_the_chief_reads(
    org: Any, page: Any, live_server: Any, tmp_path: Path
) -> None:
    stationed_items(org, 12, department=org.scjg)
    _log_in(page, "inspector", "/supervision/sampling/")
    expect(page.get_by_test_id("population")).to_have_text("12")
    page.get_by_test_id("draw-current").click()
    page.wait_for_url("**/supervision/sampling/*/")
    draw = SampleDraw.objects.get()
    page.screenshot(path=str(tmp_path / "draw.png"), full_page=True)
    page.get_by_test_id("open-item").first.click()
    page.wait_for_url("**/supervision/sampling/items/*/")

    page.get_by_label("有问题").first.check()  # 办事指南准确性
    page.get_by_label("不合格").check()
    page.get_by_test_id("record").click()
    expect(page.locator('[data-field="findings"]')).to_contain_text("须写明发现的问题")
    assert not Inspection.objects.exists()

    page.get_by_label("发现的问题").fill("指南的办理时间与窗口实际不一致")
    page.get_by_label("整改要求").fill("按实际办理时间更新办事指南")
    page.get_by_label("整改期限").fill("2099-01-31")
    page.get_by_test_id("record").click()
    expect(page.get_by_test_id("inspection")).to_contain_text("指南的办理时间与窗口实际不一致")
    expect(page.get_by_test_id("conclusion")).to_have_text("不合格")
    page.screenshot(path=str(tmp_path / "inspected.png"), full_page=True)
    inspection = Inspection.objects.get()
    assert inspection.sampled_item.draw_id == draw.pk and inspection.guide_result == "issue"

    chief = page.context.browser.new_context(locale="zh-CN", base_url=page.url.split("/supervision")[0])
    chief_page = chief.new_page()
    _log_in(chief_page, "chief_rep", f"/supervision/sampling/{draw.pk}/")
    expect(chief_page.get_by_test_id("findings")).to_contain_text("指南的办理时间与窗口实际不一致")
    expect(chief_page.get_by_test_id("draw-current")).to_have_count(0)
    chief.close()
