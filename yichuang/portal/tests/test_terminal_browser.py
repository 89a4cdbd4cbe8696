"""The self-service terminal in a real browser at kiosk size (1080×1920 portrait, and once 1920×1080
landscape), in Chinese and in Mongolian: take a number by keyboard, check a case's progress by number + ID
number and open a notice for printing, book an appointment, and leave it idle until it returns to the start
with nothing personal left in the page, its history or its forms (time fast-forwarded with Playwright's
``page.clock``). Every screen passes the axe-core WCAG 2.1 A/AA check with no serious or critical
violation, and every touch target is at least 64 px. Screenshots go to test-artifacts/terminal/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import expect

from yichuang.accounts.tests.factories import valid_id_number
from yichuang.core.models import AuditEvent
from yichuang.core.tests.a11y import (
    BLOCKING_IMPACTS,
    WCAG_TAGS,
    assert_no_serious_violations,
    axe_inject,
    describe_violations,
)
from yichuang.hall.models import Appointment, Ticket
from yichuang.portal.tests.helpers import PERSON_NAME, make_cases, terminal_hall

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "terminal"
PORTRAIT = {"width": 1080, "height": 1920}
LANDSCAPE = {"width": 1920, "height": 1080}
LANGUAGES = ["zh-hans", "mn-mong"]
HTML_LANG = {"zh-hans": "zh-Hans", "mn-mong": "mn-Mong"}
CODE = "150824-ZWFWZX"
START = f"/terminal/{CODE}/"
# Where every visit ends: the start screen of a new visit, in the terminal's own language.
NEXT_VISIT = f"{START}?lang=zh-hans&visit=new"
NOT_FOUND = "未找到与办件编号和证件号码相符的办件，请核对后重试"
VALID_ID = valid_id_number(birth="19850101")
WRONG_ID = VALID_ID[:-1] + ("1" if VALID_ID[-1] == "0" else "0")
PRINT_STUB = "window.__prints = 0; window.print = function () { window.__prints += 1; };"


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def small_targets(page: Any) -> list[str]:
    """Visible controls smaller than 64×64 px (a radio button counts by its label)."""
    return page.evaluate(
        """() => [...document.querySelectorAll(
              'a[href], button, input:not([type=hidden]), select, textarea, summary, label.t-radio')]
            .filter(e => !e.classList.contains('skip-link') && !e.closest('[hidden]') && e.getClientRects().length)
            .filter(e => !(e.type === 'radio' && e.closest('label.t-radio')))
            .map(e => [e, e.getBoundingClientRect()])
            .filter(([e, r]) => r.height < 64 || r.width < 64)
            .map(([e, r]) => `${e.outerHTML.slice(0, 90)} ${Math.round(r.width)}×${Math.round(r.height)}`)"""
    )


def serious_violations_on_paused_clock(page: Any) -> list[dict]:
    """axe-core waits on timers, which a paused fake clock never fires: start it, then move the clock on in
    small steps until it answers (a few ms of page time, so the idle countdown barely moves)."""
    axe_inject(page)
    page.evaluate(
        """tags => { window.__axeResult = null;
            axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
               .then(result => { window.__axeResult = result; }); }""",
        list(WCAG_TAGS),
    )
    for _ in range(400):
        page.clock.run_for(5)
        result = page.evaluate("window.__axeResult")
        if result:
            return [v for v in result["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    raise AssertionError("axe-core did not finish")


def check_screen(page: Any, name: str, language: str, *, paused_clock: bool = False) -> None:
    """The language, the axe check, the touch targets, and a screenshot."""
    assert page.evaluate("document.documentElement.lang") == HTML_LANG[language]
    if paused_clock:
        violations = serious_violations_on_paused_clock(page)
        assert not violations, describe_violations(violations, where=f"{name} ({language})")
    else:
        assert_no_serious_violations(page, where=f"{name} ({language})")
    assert not small_targets(page), small_targets(page)
    shot(page, f"{name}-{language}")


def tab_to(page: Any, selector: str, limit: int = 40) -> None:
    """Press Tab until ``selector`` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} is not reachable with Tab")


def number_field(page: Any) -> Any:
    return page.locator("#id_number")  # the field "number" (办件编号): Django's id is id_ + its name


def id_field(page: Any) -> Any:
    return page.locator("#id_id_number")  # the field "id_number" (身份证号码或统一社会信用代码)


@pytest.fixture
def hall(org: Any) -> Any:
    return terminal_hall(org)


@pytest.fixture
def cases(org: Any, hall: Any) -> Any:
    return make_cases(org)


def open_terminal(page: Any, language: str, size: dict[str, int] = PORTRAIT) -> None:
    page.set_default_timeout(30_000)  # the fonts are large and the test machines slow
    page.set_viewport_size(size)
    page.goto(f"{START}?lang={language}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_take_a_number_by_keyboard(page: Any, hall: Any, language: str) -> None:
    page.add_init_script(PRINT_STUB)
    open_terminal(page, language)
    expect(page.get_by_test_id("terminal-menu-ticket")).to_be_visible()
    expect(page.get_by_test_id(f"terminal-lang-{language}")).to_have_attribute("aria-current", "true")
    check_screen(page, "1-start", language)

    # Keyboard only: Tab to 取号, Enter; Tab to the 综合受理 button, Enter.
    tab_to(page, '[data-testid="terminal-menu-ticket"]')
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{START}ticket/")
    expect(page.get_by_test_id("terminal-category-A")).to_be_visible()
    page.locator("details.t-options summary").click()  # the optional 绿色通道 and phone
    check_screen(page, "2-ticket", language)
    tab_to(page, '[data-testid="terminal-category-A"]')
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{START}ticket/*/")
    expect(page.get_by_test_id("terminal-ticket-number")).to_have_text("A001")
    expect(page.get_by_test_id("terminal-ticket-ahead")).to_contain_text("0")
    assert page.locator("[data-testid=terminal-ticket-qr] svg").count() == 1
    check_screen(page, "3-ticket-slip", language)
    page.get_by_test_id("terminal-ticket-print").click()
    assert page.evaluate("window.__prints") == 1
    assert Ticket.objects.get().number == "A001"

    # 完成: back to the start, which the next person finds as it was.
    page.get_by_test_id("terminal-ticket-finish").click()
    page.wait_for_url(lambda url: url.endswith(NEXT_VISIT))
    expect(page.get_by_test_id("terminal-menu-ticket")).to_be_visible()


@pytest.mark.parametrize("language", LANGUAGES)
def test_check_progress_and_print_a_notice(page: Any, cases: Any, language: str) -> None:
    page.add_init_script(PRINT_STUB)
    page.clock.install()
    open_terminal(page, language)
    page.get_by_test_id("terminal-menu-print").click()
    page.wait_for_url(f"**{START}progress/?purpose=print")
    check_screen(page, "4-lookup", language)

    # A wrong ID number: the neutral answer; the ID typed is gone from the form.
    id_field(page).fill(cases.company.credit_code)
    id_field(page).click()
    expect(page.locator("#t-osk")).to_be_visible()  # the on-screen keyboard for the letters and digits
    id_field(page).fill("")
    page.locator("#t-osk button", has_text="1").first.click()
    expect(id_field(page)).to_have_value("1")
    id_field(page).fill(cases.company.credit_code)
    number_field(page).fill(cases.accepted.number)
    page.get_by_test_id("terminal-lookup-submit").click()
    expect(page.get_by_test_id("terminal-not-found")).to_have_text(NOT_FOUND)
    expect(id_field(page)).to_have_value("")
    check_screen(page, "5-lookup-not-found", language)

    id_field(page).fill(cases.person.id_number)
    page.get_by_test_id("terminal-lookup-submit").click()
    page.wait_for_url(f"**{START}progress/case/?purpose=print*")
    expect(page.get_by_test_id("terminal-case-number")).to_have_text(cases.accepted.number)
    expect(page.get_by_test_id("terminal-applicant")).to_have_text("乌****")
    assert PERSON_NAME not in page.content() and cases.person.id_number not in page.content()
    expect(page.get_by_test_id("terminal-timeline").locator("li")).to_have_count(2)
    check_screen(page, "6-case", language)

    notice = cases.accepted.notices.get()
    page.get_by_test_id(f"terminal-print-notice-{notice.pk}").click()
    page.wait_for_url(f"**{START}print/")
    frame = page.get_by_test_id("terminal-print-frame")
    pdf_url, _view = frame.get_attribute("src").split("#")
    assert pdf_url == f"{START}print/document.pdf" and "toolbar=0" in _view
    fetched = page.request.get(pdf_url)
    assert fetched.status == 200 and fetched.headers["content-type"] == "application/pdf"
    assert fetched.body().startswith(b"%PDF")
    check_screen(page, "7-print", language)
    assert AuditEvent.objects.filter(action="terminal.print", object_id=str(notice.pk)).count() == 1

    page.get_by_test_id("terminal-print-button").click()
    assert page.evaluate("document.body.dataset.printed") == "1"
    page.clock.run_for(5_500)
    expect(page.get_by_test_id("terminal-print-done")).to_be_visible()
    expect(page.get_by_test_id("terminal-print-frame")).to_have_count(0)
    check_screen(page, "8-printed", language)
    # The visit ended with the print: the document is no longer served.
    for _ in range(50):
        if AuditEvent.objects.filter(action="terminal.session_ended").exists():
            break
        page.wait_for_timeout(100)
    assert page.request.get(pdf_url).status == 404
    assert AuditEvent.objects.get(action="terminal.session_ended").data["reason"] == "printed"


@pytest.mark.parametrize("language", LANGUAGES)
def test_book_an_appointment(page: Any, hall: Any, language: str) -> None:
    open_terminal(page, language)
    page.get_by_test_id("terminal-menu-appointment").click()
    page.get_by_test_id("terminal-booking-category-A").click()
    check_screen(page, "9-booking-day", language)
    page.get_by_test_id("terminal-booking-day-1").click()
    page.get_by_test_id("terminal-booking-slot-1").click()
    expect(page.get_by_test_id("terminal-booking-form")).to_be_visible()
    page.locator("#id_holder_name").fill("张三丰")
    page.locator("#id_id_number").fill(WRONG_ID)  # a wrong check digit first
    page.locator("#id_phone").fill("13812345678")
    page.get_by_test_id("terminal-booking-submit").click()
    expect(page.locator('[data-field="id_number"]')).to_be_visible()
    expect(page.locator("#id_holder_name")).to_have_value("张三丰")  # nothing else typed is lost
    check_screen(page, "10-booking-error", language)
    page.locator("#id_id_number").fill(VALID_ID)
    page.get_by_test_id("terminal-booking-submit").click()
    page.wait_for_url(f"**{START}appointment/done/")
    appointment = Appointment.objects.get()
    expect(page.get_by_test_id("terminal-booking-code")).to_have_text(appointment.code)
    size = page.get_by_test_id("terminal-booking-code").evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)"
    )
    assert size >= 60  # shown big
    qr = page.locator("[data-testid=terminal-booking-qr] svg").bounding_box()
    assert qr is not None and qr["width"] >= 200
    expect(page.get_by_test_id("terminal-booking-name")).to_have_text("张**")
    assert VALID_ID not in page.content()
    check_screen(page, "11-booking-done", language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_idle_timeout_returns_to_start_with_nothing_personal_left(
    page: Any, cases: Any, language: str
) -> None:
    page.clock.install()
    open_terminal(page, language)
    entries = page.evaluate("history.length")
    page.get_by_test_id("terminal-menu-progress").click()  # replaces the start's entry
    number_field(page).fill(cases.accepted.number)
    id_field(page).fill(cases.person.id_number)
    page.get_by_test_id("terminal-lookup-submit").click()
    page.wait_for_url(f"**{START}progress/case/")
    expect(page.get_by_test_id("terminal-case-number")).to_have_text(cases.accepted.number)
    # From now on the page's time moves only when told (a number is seconds since the epoch here).
    page.clock.pause_at(page.evaluate("Date.now()") / 1000 + 1)

    # 50 s idle: the countdown shows, with 继续; 继续 keeps the screen.
    page.clock.fast_forward(51_000)
    dialog = page.get_by_test_id("terminal-idle")
    expect(dialog).to_be_visible()
    assert 0 < int(page.get_by_test_id("terminal-countdown").inner_text()) <= 10
    expect(page.get_by_test_id("terminal-continue")).to_be_focused()
    check_screen(page, "12-idle-countdown", language, paused_clock=True)
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("terminal-case-number")).to_be_visible()

    # Then a full minute without a touch: back to the start.
    page.clock.fast_forward(55_000)
    expect(dialog).to_be_visible()
    page.clock.fast_forward(6_000)
    page.wait_for_url(lambda url: url.endswith(NEXT_VISIT))
    expect(page.get_by_test_id("terminal-menu-progress")).to_be_visible()
    # The next visitor starts in the terminal's language, whatever the last one chose.
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    content = page.content()
    for personal in (cases.accepted.number, "乌****", PERSON_NAME, cases.person.id_number):
        assert personal not in content
    check_screen(page, f"13-after-timeout-from-{language}", "zh-hans", paused_clock=True)

    # Nothing behind it either: history holds no result page, forms come back empty, the session is clear.
    # One entry more than at the start: the lookup's POST; the result page's entry became the start screen.
    assert page.evaluate("history.length") == entries + 1
    page.go_back()
    assert cases.accepted.number not in page.content() and cases.person.id_number not in page.content()
    if number_field(page).count():
        expect(number_field(page)).to_have_value("")
        expect(id_field(page)).to_have_value("")
    page.goto(f"{START}progress/case/")
    page.wait_for_url(f"**{START}progress/?expired=1")
    expect(page.get_by_test_id("terminal-expired")).to_be_visible()
    ended = AuditEvent.objects.filter(action="terminal.session_ended").order_by("seq")
    assert [event.data["reason"] for event in ended][:1] == ["timeout"]


def test_landscape_screens(page: Any, cases: Any) -> None:
    open_terminal(page, "zh-hans", LANDSCAPE)
    tiles = page.locator(".t-tile")
    boxes = [tiles.nth(i).bounding_box() for i in range(4)]
    assert len({round(box["y"]) for box in boxes}) == 1  # the four services side by side
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.evaluate("document.documentElement.scrollHeight <= window.innerHeight")  # no scrolling
    check_screen(page, "14-landscape-start", "zh-hans")
    page.get_by_test_id("terminal-menu-progress").click()
    number_field(page).fill(cases.approved.number)
    id_field(page).fill(cases.company.credit_code)
    page.get_by_test_id("terminal-lookup-submit").click()
    licence = cases.approved.licences.get()
    expect(page.get_by_test_id(f"terminal-print-licence-{licence.pk}")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    check_screen(page, "15-landscape-case", "zh-hans")
