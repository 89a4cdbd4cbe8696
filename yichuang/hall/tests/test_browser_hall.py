"""In a real browser: the display board is open on one screen; a visitor takes a number at the kiosk (a
wrong phone number is explained first, nothing typed is lost), another visitor takes the next one; the
clerk logs in, signs in at window 01 on the calling desk and calls the next number — and the board,
never reloaded, shows A001 at window 01 (large, with its Chinese announcement) while the waiting count
drops. He starts and finishes the service, and the counter screen above window 01 turns to the rating
panel. The hall is open all day, every day, so the test runs whenever CI does (time is not frozen: the
browser's polling runs on the real clock). Screenshots are kept under pytest's tmp dir."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from yichuang.hall.models import Ticket
from yichuang.hall.tests.helpers import make_hall, open_all_day

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-word-2026"
LIVE = 10_000  # the board polls every 2 s: a change shows within a few polls


def test_kiosk_ticket_called_at_a_window_changes_the_board(
    org: Any, page: Any, live_server: Any, tmp_path: Path
) -> None:
    shots = tmp_path / "screens"
    shots.mkdir()
    setup = make_hall(org, tidal=False)
    open_all_day(setup.hall)
    browser = page.context.browser

    # ——— the display board, open before anything happens ———
    board = page
    board.goto("/hall/board/")
    expect(board.get_by_role("heading", level=1)).to_have_text("乌拉特中旗政务服务中心")
    expect(board.get_by_test_id("board-waiting-A")).to_have_text("0")
    expect(board.get_by_test_id("voice-toggle")).to_have_text("开启语音播报")
    assert board.locator("[data-call-event]").count() == 0

    # ——— the kiosk: a wrong phone number is explained, then two numbers are taken ———
    kiosk_context = browser.new_context(locale="zh-CN", base_url=live_server.url)
    kiosk = kiosk_context.new_page()
    kiosk.set_default_timeout(15_000)
    kiosk.goto("/hall/kiosk/")
    expect(kiosk.get_by_test_id("kiosk-waiting-A")).to_have_text("等候 0 人")
    kiosk.get_by_label("手机号（选填）").fill("12345")
    kiosk.get_by_label("65周岁以上老年人").check()
    kiosk.get_by_test_id("kiosk-category-A").click()
    expect(kiosk.locator('[data-field="phone"]')).to_have_text("请输入11位手机号码")
    expect(kiosk.get_by_label("65周岁以上老年人")).to_be_checked()  # nothing chosen is lost
    kiosk.screenshot(path=shots / "1-kiosk-error.png", full_page=True)
    kiosk.get_by_label("手机号（选填）").fill("13812345678")
    kiosk.get_by_label("无（普通）").check()
    kiosk.get_by_test_id("kiosk-category-A").click()
    kiosk.wait_for_url("**/print/**")
    expect(kiosk.get_by_test_id("ticket-number")).to_have_text("A001")
    expect(kiosk.get_by_test_id("ticket-ahead")).to_have_text("0 人")
    assert "13812345678" not in kiosk.content() and "5678" not in kiosk.get_by_test_id("ticket").inner_text()
    assert kiosk.locator("[data-testid=ticket-qr] svg").count() == 1
    kiosk.screenshot(path=shots / "2-ticket.png", full_page=True)
    kiosk.get_by_role("link", name="返回取号").click()
    kiosk.get_by_test_id("kiosk-category-A").click()
    kiosk.wait_for_url("**/print/**")
    expect(kiosk.get_by_test_id("ticket-number")).to_have_text("A002")
    expect(kiosk.get_by_test_id("ticket-ahead")).to_have_text("1 人")
    status_link = kiosk.get_by_test_id("ticket-status-link").get_attribute("href")

    # The board, never reloaded, counts them.
    expect(board.get_by_test_id("board-waiting-A")).to_have_text("2", timeout=LIVE)

    # ——— the clerk: log in, sign in at window 01, call the next number ———
    desk_context = browser.new_context(locale="zh-CN", base_url=live_server.url)
    desk = desk_context.new_page()
    desk.set_default_timeout(15_000)
    desk.goto("/hall/desk/")
    assert "/accounts/login/" in desk.url
    desk.get_by_label("用户名").fill("clerk")
    desk.get_by_label("密码").fill(PASSWORD)
    desk.get_by_role("button", name="登录").click()
    desk.wait_for_url("**/hall/desk/")
    assert desk.get_by_test_id("sign-in-04").count() == 0  # the 不动产中心's window is not his
    desk.get_by_test_id("sign-in-01").click()
    expect(desk.get_by_test_id("desk-window-status")).to_have_text("服务中")

    counter = board.context.new_page()
    counter.goto(f"/hall/counter/{setup.w1.pk}/")
    expect(counter.get_by_test_id("counter-status")).to_have_text("服务中")

    desk.get_by_test_id("desk-call").click()
    expect(desk.get_by_test_id("desk-current-number")).to_have_text("A001")
    desk.screenshot(path=shots / "3-desk-called.png", full_page=True)

    # The board changes without a reload: A001 at window 01, the newest call, and one fewer waiting.
    expect(board.locator(".board-calls li.newest")).to_contain_text("A001", timeout=LIVE)
    expect(board.locator(".board-calls li.newest")).to_contain_text("01 号窗口")
    expect(board.get_by_test_id("board-window-01")).to_have_text("A001")
    expect(board.get_by_test_id("board-waiting-A")).to_have_text("1")
    expect(board.get_by_test_id("board-flash")).to_have_text("请 A001 号 到 01 号窗口办理")
    spoken = board.evaluate("window.hallBoard.log.map(entry => entry.spoken)")
    assert spoken == ["请 A 零 零 一 号 到 一 号窗口办理"]
    board.screenshot(path=shots / "4-board-called.png", full_page=True)
    expect(counter.get_by_test_id("counter-current")).to_contain_text("A001", timeout=LIVE)

    # A recall is a new call event: announced once more.
    desk.get_by_test_id("desk-recall").click()
    expect(desk.get_by_text("已重呼 A001")).to_be_visible()
    board.wait_for_function("() => window.hallBoard.log.length === 2", timeout=LIVE)

    # ——— finish: the counter screen turns to the rating panel ———
    desk.get_by_test_id("desk-start").click()
    expect(desk.get_by_text("A001 开始办理")).to_be_visible()
    desk.get_by_test_id("desk-finish").click()
    expect(desk.get_by_test_id("desk-rating")).to_be_visible()
    expect(counter.get_by_test_id("counter-rating")).to_contain_text("请对本次服务进行评价", timeout=LIVE)
    expect(counter.get_by_test_id("counter-rating")).to_contain_text("A001")
    counter.screenshot(path=shots / "5-counter-rating.png", full_page=True)
    assert Ticket.objects.get(number="A001").status == "done"

    # The second visitor follows his place on the phone (the QR code's page).
    visitor = kiosk_context.new_page()
    visitor.goto(status_link)
    expect(visitor.get_by_test_id("status-text")).to_contain_text("您是下一位")
    desk.get_by_test_id("desk-call").click()
    expect(visitor.get_by_test_id("status-text")).to_contain_text("请到 01 号窗口办理", timeout=LIVE)
    expect(board.get_by_test_id("board-waiting-A")).to_have_text("0", timeout=LIVE)
    board.screenshot(path=shots / "6-board-second-call.png", full_page=True)
    kiosk_context.close()
    desk_context.close()
