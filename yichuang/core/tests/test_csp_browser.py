"""The content security policy in a real browser (docs/security.md): the main public and staff pages — guides,
search, case tracking, the self-service terminal, the kiosk, the display board, the reviewer's inbox, the 12345
intake screen, the department tree and the supervision dashboard with its charts (and a chart's tooltip) —
cause no violation at all, and their scripts still work under it (the menu toggle, the print button, the
board's clock, the charts). The collector itself is shown to catch a violation."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from yichuang.catalog.lists import item_list_publish
from yichuang.catalog.models import ItemList, ListKind
from yichuang.catalog.tests.helpers import publish_item
from yichuang.portal.tests.helpers import terminal_hall
from yichuang.supervision.tests import figures_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-word-2026"
# Every violation reaches Python: the page's securitypolicyviolation event (installed before any page script)
# and Chromium's console error ("Refused to …") for the rare kinds that fire no event.
COLLECT = """document.addEventListener('securitypolicyviolation', function (event) {
  window.__cspReport([event.violatedDirective, event.blockedURI, event.sourceFile + ':' + event.lineNumber,
                      document.location.pathname].join(' | '));
});"""


@pytest.fixture
def watched(page: Any) -> tuple[Any, list[str]]:
    violations: list[str] = []
    page.set_default_timeout(60_000)  # a shared CI machine can be slow; nothing here waits for a timeout
    page.context.expose_function("__cspReport", lambda text: violations.append(text))
    page.context.add_init_script(COLLECT)
    page.on(
        "console",
        lambda message: (
            violations.append(f"console: {message.text}")
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    return page, violations


def _login(page: Any, username: str, then: str) -> None:
    page.context.clear_cookies()
    page.goto(f"/accounts/login/?next={quote(then)}")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"**{then}")


def _settle(page: Any) -> None:
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)  # deferred scripts, htmx's load triggers and their swaps


def test_the_collector_catches_a_violation(watched: Any) -> None:
    page, violations = watched
    response = page.goto("/guides/")
    assert "script-src 'self'" in (response.headers.get("content-security-policy") or "")
    page.evaluate(
        """() => { document.body.insertAdjacentHTML('beforeend', '<p style="color: red">x</p>');
                   const s = document.createElement('script'); s.textContent = 'window.__ran = 1';
                   document.body.appendChild(s); }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.__ran") is None  # the inline script did not run
    directives = " ".join(violations)
    assert "style-src-attr" in directives and "script-src-elem" in directives, violations


def test_public_pages_run_without_violations(watched: Any, org: Any, live_server: Any) -> None:
    page, violations = watched
    item = publish_item(actor=org.user("admin"), department=org.scjg, basic_code="11A000100001")
    item_list_publish(
        actor=org.user("admin"),
        item_list=ItemList.objects.get(kind=ListKind.LICENSING),
        effective_date=datetime.date(2026, 3, 1),
    )
    terminal_hall(org)
    page.add_init_script("window.__prints = 0; window.print = function () { window.__prints += 1; };")

    for path in ("/", "/guides/", "/search/?q=开饭店", "/lists/", "/lists/licensing/", "/admin/login/"):
        page.goto(path)
        _settle(page)

    # The guide's 打印 button (data-print, no onclick) and its ?print=1 (data-auto-print, no inline script).
    page.goto(f"/guides/{item.pk}/")
    page.get_by_role("button", name="打印").first.click()
    assert page.evaluate("() => window.__prints") == 1
    page.goto(f"/guides/{item.pk}/?print=1")
    page.wait_for_function("() => window.__prints === 1")

    # Tracking a case: the form posts and answers.
    page.goto("/track/")
    page.locator("input[name=number]").fill("NOSUCHCASE0001")
    page.locator("input[name=id_number]").fill("150824199001011234")
    page.locator("[data-testid=track-form] button[type=submit]").click()
    page.get_by_test_id("track-not-found").wait_for()

    # On a phone: the topbar's menu folds behind 菜单 (portal_mobile/mobile.js) and opens.
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto("/guides/")
    toggle = page.locator(".menu-toggle")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Hall screens: the kiosk, the display board (its clock is drawn by hall/clock.js), the terminal.
    page.goto("/hall/kiosk/")
    expect(page.get_by_test_id("kiosk-category-A")).to_be_visible()
    page.goto("/hall/board/")
    expect(page.get_by_test_id("board-waiting-A")).to_have_text("0")
    page.wait_for_timeout(2500)  # one poll of the board (htmx every 2 s)
    page.goto("/terminal/150824-ZWFWZX/")
    _settle(page)
    expect(page.locator("[data-clock]")).not_to_have_text("")

    assert not violations, "\n".join(violations)


def test_staff_pages_and_charts_run_without_violations(watched: Any, org: Any, live_server: Any) -> None:
    page, violations = watched
    figures_data.build(org)

    _login(page, org.user("reviewer").username, "/cases/review/")
    _settle(page)

    _login(page, org.user("admin").username, "/departments/")
    _settle(page)

    _login(page, org.user("operator").username, "/hotline/intake/")
    page.get_by_label("诉求内容").fill("营业执照怎么办理")
    page.wait_for_timeout(1000)  # the knowledge panel's and the assistant's live searches (htmx, 400 ms)

    period = "/supervision/?start=2026-11-02&end=2026-11-12"
    _login(page, org.user("inspector").username, period)
    for chart in ("trend-chart", "volume-chart", "rate-chart"):
        expect(page.locator(f"#{chart}")).to_have_attribute("data-chart-ready", "1")
    box = page.locator("#volume-chart").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # its tooltip
    page.mouse.move(box["x"] + box["width"] / 3, box["y"] + box["height"] / 2)
    page.wait_for_timeout(500)

    assert not violations, "\n".join(violations)
