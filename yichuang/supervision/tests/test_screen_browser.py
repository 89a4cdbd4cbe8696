"""In a real browser: the inspector opens the big screen (refreshing every second for the test); its four
charts are drawn (data-chart-ready) from the app's own ECharts and the figures read today's case, the hall's
waiting numbers and the 12345 tickets. Then a second case is decided, a number is taken and a call comes
in: without a reload the next refresh shows them, in the figures and in the departments' chart. The hall
display opens the same screen with its key, without logging in. Time is not frozen (the hall is opened
all day). Screenshots are kept under pytest's tmp dir."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.template.loader import render_to_string
from playwright.sync_api import expect

from yichuang.hall import tickets
from yichuang.hall.models import TicketSource
from yichuang.hall.tests.helpers import make_hall, open_all_day
from yichuang.hotline import tickets as hotline
from yichuang.ratings.tests.helpers import closed_case
from yichuang.supervision import charts
from yichuang.supervision.charts import chart_context
from yichuang.supervision.screen import CHART_IDS
from yichuang.supervision.views_screen import screen_key

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-word-2026"
REFRESH = 10_000  # ms: a refresh every second, on a busy machine


def _log_in(page: Any, username: str, then: str) -> None:
    page.goto(then)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"**{then}")


def _charts_ready(page: Any) -> None:
    for chart_id in CHART_IDS:
        expect(page.locator(f"#{chart_id}")).to_have_attribute("data-chart-ready", "1")
        # Drawn by ECharts: a canvas inside the element.
        expect(page.locator(f"#{chart_id} canvas").first).to_be_attached()


def _department_series(page: Any) -> Any:
    return page.evaluate(
        """() => {
          const option = echarts.getInstanceByDom(document.getElementById('screen-departments')).getOption();
          return {categories: option.yAxis[0].data, accepted: option.series[0].data};
        }"""
    )


def _take_number(setup: Any) -> None:
    tickets.ticket_issue(hall=setup.hall, category=setup.general, source=TicketSource.KIOSK)


def _call_in(org: Any) -> None:
    hotline.ticket_intake(
        actor=org.user("operator"),
        channel="phone",
        nature="consult",
        content="社保卡补办需要什么材料",
        caller_phone="13800000009",
        division_code="150824",
    )


def test_the_big_screen_refreshes_in_place(org: Any, page: Any, live_server: Any, tmp_path: Path) -> None:
    shots = tmp_path / "screens"
    shots.mkdir()
    setup = make_hall(org, tidal=False)
    open_all_day(setup.hall)
    closed_case(org)
    _take_number(setup)
    _take_number(setup)
    _call_in(org)
    page.set_viewport_size({"width": 1600, "height": 900})

    _log_in(page, "inspector", "/supervision/screen/?refresh=1")
    _charts_ready(page)
    expect(page.get_by_test_id("figure-cases_accepted_today")).to_have_text("1")
    expect(page.get_by_test_id("figure-cases_decided_today")).to_have_text("1")
    expect(page.get_by_test_id("figure-cases_on_time_today")).to_have_text("100%")
    expect(page.get_by_test_id("figure-hall_waiting")).to_have_text("2")
    expect(page.get_by_test_id("figure-hotline_received_today")).to_have_text("1")
    assert _department_series(page) == {"categories": ["市场监管局"], "accepted": [1]}
    # The stage is scaled to the window, not cut off.
    box = page.get_by_test_id("screen").bounding_box()
    assert box["width"] <= 1600 + 1 and box["height"] <= 900 + 1
    page.screenshot(path=shots / "1-big-screen.png")

    page.evaluate("window.__sameDocument = true")  # gone if the page were reloaded
    refreshes = int(page.get_by_test_id("screen").get_attribute("data-refresh-count"))
    closed_case(org)
    _take_number(setup)
    _call_in(org)
    expect(page.get_by_test_id("figure-cases_accepted_today")).to_have_text("2", timeout=REFRESH)
    expect(page.get_by_test_id("figure-hall_waiting")).to_have_text("3", timeout=REFRESH)
    expect(page.get_by_test_id("figure-hotline_received_today")).to_have_text("2", timeout=REFRESH)
    assert page.evaluate("window.__sameDocument") is True
    assert int(page.get_by_test_id("screen").get_attribute("data-refresh-count")) > refreshes
    assert _department_series(page) == {"categories": ["市场监管局"], "accepted": [2]}
    expect(page.locator("#screen-departments")).to_have_attribute("data-chart-ready", "1")
    summary = page.locator('[data-chart-summary="screen-departments"]')
    expect(summary).to_contain_text("市场监管局 2")  # the chart in words follows the data
    page.screenshot(path=shots / "2-after-refresh.png")

    # The hall's display: the address with the key, no login.
    display_url = page.get_by_test_id("screen-display-url").get_attribute("href")
    assert display_url.endswith(f"?key={screen_key()}")
    display_context = page.context.browser.new_context(
        locale="zh-CN", viewport={"width": 1920, "height": 1080}
    )
    display = display_context.new_page()
    display.set_default_timeout(15_000)
    display.goto(display_url.replace("?", "?refresh=1&"))
    _charts_ready(display)
    expect(display.get_by_test_id("figure-hall_waiting")).to_have_text("3")
    _take_number(setup)
    expect(display.get_by_test_id("figure-hall_waiting")).to_have_text("4", timeout=REFRESH)
    expect(display.get_by_test_id("screen-share")).to_have_count(0)
    display.screenshot(path=shots / "3-hall-display.png")
    display_context.close()


def _chart_markup(chart_id: str, option: dict[str, Any]) -> str:
    return render_to_string(
        "supervision/partials/chart.html", {"chart": chart_context(chart_id, option, height=200)}
    )


def test_charts_js_follows_htmx_swaps_and_formats_in_chinese(page: Any, live_server: Any) -> None:
    """charts.js on its own: draws, installs the Chinese formatters, disposes the chart of an element an htmx
    swap replaced and draws the new one, follows the window's size."""
    first = charts.bar(
        ["市场监管局", "住建局"], [("按时办结率", [93.46, None])], percent=True, title="按时办结率"
    )
    second = charts.line(["1日", "2日"], [("受理", [12345, 200000])], title="受理")
    html = (
        "<!doctype html><html><head>"
        '<script src="/static/vendor/echarts/echarts.min.js" defer></script>'
        '<script src="/static/supervision/charts.js" defer></script>'
        f'</head><body><div id="box">{_chart_markup("c1", first)}</div></body></html>'
    )
    page.route(
        "**/charts-test/", lambda route: route.fulfill(body=html, content_type="text/html; charset=utf-8")
    )
    page.set_viewport_size({"width": 800, "height": 600})
    page.goto("/charts-test/")
    expect(page.locator("#c1")).to_have_attribute("data-chart-ready", "1")
    expect(page.locator("#c1")).to_have_css("height", "200px")
    formatted = page.evaluate(
        """() => {
          const option = echarts.getInstanceByDom(document.getElementById('c1')).getOption();
          const format = option.tooltip[0].valueFormatter;
          return {meta: 'yichuang' in option, rate: format(93.46), none: format(null),
                  count: yichuangCharts.formatCount(12345), wan: yichuangCharts.formatCount(200000)};
        }"""
    )
    assert formatted == {"meta": False, "rate": "93.5%", "none": "—", "count": "12,345", "wan": "20万"}
    width = page.evaluate("() => echarts.getInstanceByDom(document.getElementById('c1')).getWidth()")

    page.set_viewport_size({"width": 500, "height": 600})
    page.wait_for_function(
        "(before) => echarts.getInstanceByDom(document.getElementById('c1')).getWidth() < before", arg=width
    )

    # An htmx swap replaces the chart's element: the old chart is disposed, the new one drawn.
    page.evaluate(
        """(markup) => {
          window.oldChart = echarts.getInstanceByDom(document.getElementById('c1'));
          const box = document.getElementById('box');
          box.innerHTML = markup;
          box.dispatchEvent(new CustomEvent('htmx:afterSettle', {bubbles: true}));
        }""",
        _chart_markup("c2", second),
    )
    expect(page.locator("#c2")).to_have_attribute("data-chart-ready", "1")
    assert page.evaluate("() => window.oldChart.isDisposed()") is True
    assert page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('c2')).getOption().series[0].data"
    ) == [
        12345,
        200000,
    ]
