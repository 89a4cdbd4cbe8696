"""In a real browser: a clerk finishes a number at window 01; on the window's rating screen the visitor
rates 非常不满意 (no level is preselected); the centre's chief representative finds the rectification in
his list, sees whom to call, records the call-back and the measure with the answer; the visitor opens the
texted link, reads the answer and rates the rectification, which the chief then sees. Time is not frozen
(the hall is opened all day, as in the hall's browser test). Screenshots are kept under pytest's tmp dir."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from yichuang.accounts.roles import Role
from yichuang.accounts.tests.factories import UserFactory, valid_id_number
from yichuang.core.models import Notification
from yichuang.hall import calling, tickets, windows
from yichuang.hall.models import TicketSource
from yichuang.hall.tests.helpers import make_hall, open_all_day
from yichuang.ratings.models import Evaluation, Rectification, RectificationStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-word-2026"
LIVE = 10_000
VISITOR_PHONE = "13912340000"


def _log_in(page: Any, username: str, then: str) -> None:
    page.goto(then)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"**{then}")


def test_a_bad_rating_at_the_window_is_rectified_and_answered(
    org: Any, page: Any, live_server: Any, tmp_path: Path
) -> None:
    shots = tmp_path / "screens"
    shots.mkdir()
    setup = make_hall(org, tidal=False)
    open_all_day(setup.hall)
    UserFactory(username="centre_chief", role=Role.CHIEF_REP, department=org.centre, full_name="赵主任")
    clerk = org.user("clerk")
    ticket = tickets.ticket_issue(
        hall=setup.hall,
        category=setup.general,
        source=TicketSource.KIOSK,
        holder_name="李秀英",
        id_number=valid_id_number(birth="19800101"),
        phone=VISITOR_PHONE,
    )
    windows.window_sign_in(window=setup.w1, actor=clerk)
    calling.ticket_call_next(window=setup.w1, actor=clerk)
    browser = page.context.browser

    # ——— the counter screen above window 01, and the clerk finishing at his desk ———
    counter = page
    counter.goto(f"/hall/counter/{setup.w1.pk}/")
    expect(counter.get_by_test_id("counter-current")).to_contain_text(ticket.number)
    desk_context = browser.new_context(locale="zh-CN", base_url=live_server.url)
    desk = desk_context.new_page()
    desk.set_default_timeout(15_000)
    _log_in(desk, "clerk", "/hall/desk/")
    desk.get_by_test_id("desk-finish").click()
    expect(desk.get_by_test_id("desk-rating")).to_be_visible()

    # ——— the visitor rates on the window's rating screen ———
    expect(counter.get_by_test_id("counter-rating")).to_contain_text(ticket.number, timeout=LIVE)
    counter.get_by_role("link", name="进入评价").click()
    form = counter.get_by_test_id("counter-rating-form")
    expect(form).to_be_visible()
    assert form.locator("input[type=radio]:checked").count() == 0  # the screen suggests no level
    form.get_by_test_id("rating-submit").click()
    expect(form.locator('[data-field="level"]')).to_have_text("请选择评价等级")
    levels = form.get_by_test_id("rating-levels")
    levels.get_by_label("非常不满意").check()
    form.locator('[data-indicator="score_attitude"]').get_by_label("非常不满意").check()
    form.get_by_label("意见和建议（选填）").fill("窗口人员态度生硬，材料要求说不清楚")
    counter.screenshot(path=shots / "1-rating-screen.png", full_page=True)
    form.get_by_test_id("rating-submit").click()
    expect(counter.get_by_test_id("rating-thanks")).to_be_visible()
    evaluation = Evaluation.objects.get()
    assert (evaluation.level, evaluation.channel, evaluation.is_bad) == (1, "window", True)

    # ——— the centre's chief representative rectifies ———
    chief_context = browser.new_context(locale="zh-CN", base_url=live_server.url)
    chief = chief_context.new_page()
    chief.set_default_timeout(15_000)
    _log_in(chief, "centre_chief", "/ratings/rectifications/")
    rows = chief.get_by_test_id("rectifications")
    expect(rows).to_contain_text(ticket.number)
    expect(rows).not_to_contain_text(VISITOR_PHONE)  # never in a list
    rows.get_by_role("link", name=f"{ticket.number} 综合受理").click()
    expect(chief.get_by_test_id("rectification-status")).to_have_text("待回访核实")
    expect(chief.get_by_test_id("rater-phone")).to_have_text(VISITOR_PHONE)  # he must call back
    call_back = chief.locator('form[data-action="call_back"]')
    call_back.locator("fieldset", has_text="是否联系上评价人").get_by_label("是").check()
    call_back.locator("fieldset", has_text="情况是否属实").get_by_label("是").check()
    call_back.get_by_label("回访记录").fill("已电话联系李女士，情况属实")
    call_back.get_by_role("button", name="保存回访记录").click()
    expect(chief.get_by_test_id("rectification-status")).to_have_text("整改中")
    answer = chief.locator('form[data-action="answer"]')
    answer.get_by_label("整改措施").fill("对窗口人员批评教育，组织一次性告知培训")
    answer.get_by_label("反馈评价人的内容").fill("您反映的问题属实，已对窗口人员批评教育并组织培训，感谢监督")
    answer.get_by_role("button", name="提交并反馈评价人").click()
    expect(chief.get_by_test_id("rectification-status")).to_have_text("已反馈")
    chief.screenshot(path=shots / "2-rectification.png", full_page=True)

    # ——— the visitor reads the answer through the texted link and rates the rectification ———
    sms = Notification.objects.get(template="ratings.rectification_answer", to=VISITOR_PHONE)
    link = next(word for word in sms.body.split() if "/ratings/r/" in word)
    path = urlsplit(link[link.index("http") :]).path
    rater_context = browser.new_context(locale="zh-CN", base_url=live_server.url)
    rater = rater_context.new_page()
    rater.goto(path)
    expect(rater.get_by_test_id("rectification-answer-text")).to_contain_text(
        "已对窗口人员批评教育并组织培训"
    )
    rater.get_by_test_id("rating-levels").get_by_label("满意", exact=True).check()
    rater.get_by_role("button", name="提交评价").click()
    expect(rater.get_by_test_id("rating-thanks")).to_be_visible()
    rater.screenshot(path=shots / "3-rater-answer.png", full_page=True)

    chief.reload()
    expect(chief.get_by_test_id("rectification-status")).to_have_text("已办结")
    expect(chief.get_by_test_id("rater-rating")).to_contain_text("满意")
    assert Rectification.objects.get().status == RectificationStatus.CLOSED
    for context in (desk_context, chief_context, rater_context):
        context.close()
