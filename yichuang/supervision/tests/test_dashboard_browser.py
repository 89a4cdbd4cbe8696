"""In a real browser: the inspector opens the dashboard on the fixed set (figures_data), waits for the charts,
reads the tiles, switches to the window tab, drills down from 市场监管局's 超期办结 to the late case and opens it.
Screenshots are kept under pytest's tmp dir."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from yichuang.supervision.tests import figures_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-word-2026"
PERIOD = "start=2026-11-02&end=2026-11-12"


def test_dashboard_and_drill_down(org: Any, page: Any, live_server: Any, tmp_path: Path) -> None:
    fixed = figures_data.build(org)
    start = f"/supervision/?{PERIOD}"
    page.goto(live_server.url + start)
    page.get_by_label("用户名").fill(org.user("inspector").username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"**{start}")

    for chart in ("trend-chart", "volume-chart", "rate-chart"):
        expect(page.locator(f"#{chart}")).to_have_attribute("data-chart-ready", "1")
        expect(page.locator(f"#{chart} canvas")).to_have_count(1)
    tiles = page.get_by_test_id("tiles")
    expect(tiles.locator('[data-figure="accepted"]')).to_have_text("4")
    expect(tiles.locator('[data-figure="on_time_rate"]')).to_have_text("66.7%")
    expect(tiles.locator('[data-figure="overdue_open"]')).to_have_text("1")
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)

    page.get_by_test_id("dimensions").get_by_role("link", name="按窗口").click()
    window_row = page.locator('[data-testid="figures-table"] tr[data-label="01号 综合受理"]')
    expect(window_row.locator('a[data-metric="accepted"]')).to_have_text("3")
    page.get_by_test_id("dimensions").get_by_role("link", name="按部门").click()

    row = page.locator(f'[data-testid="figures-table"] tr[data-label="{org.scjg.name}"]')
    row.locator('a[data-metric="decided_late"]').click()
    expect(page.get_by_test_id("drill-count")).to_contain_text("共 1 件")
    late = fixed.cases["c2"].number
    expect(page.locator(f'tr[data-case="{late}"]')).to_be_visible()
    page.screenshot(path=str(tmp_path / "drill_down.png"), full_page=True)
    page.get_by_role("link", name=late).click()
    expect(page.locator("body")).to_contain_text(late)
    page.go_back()
    page.get_by_test_id("back").click()
    expect(page.get_by_test_id("tiles").locator('[data-figure="decided"]')).to_have_text("3")
