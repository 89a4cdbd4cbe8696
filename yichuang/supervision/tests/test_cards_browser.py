"""In a real browser: a case of 市场监管局 long past its limit gets a red card from the sweep; the chief
representative finds it in his list (the filters refresh the results in place), answers with the reason and
the fix; the inspector returns the answer with a reason, the chief answers again and the inspector accepts.
Every step swaps the card's page in place (htmx) and the history keeps both answers."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from yichuang.supervision.cards import cards_sweep
from yichuang.supervision.models_cards import Card, CardStatus
from yichuang.supervision.tests.test_cards_sweep import accepted_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-word-2026"


def _log_in(page: Any, username: str, then: str) -> None:
    page.goto(then)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"**{then}")


def test_a_red_card_is_answered_returned_answered_again_and_accepted(org: Any, page: Any) -> None:
    case = accepted_case(org)  # accepted in September 2026, due 10-08: long overdue now
    report = cards_sweep()
    assert report["red"] == 1
    card = Card.objects.get()

    _log_in(page, "chief_rep", "/supervision/cards/")
    rows = page.get_by_test_id("cards")
    expect(rows.locator(f'tr[data-card="{card.pk}"]')).to_be_visible()
    page.get_by_label("牌色").select_option("yellow")  # htmx: the results change in place
    expect(rows.locator("tbody")).to_contain_text("暂无黄牌红牌")
    page.get_by_label("牌色").select_option("red")
    page.get_by_role("link", name=case.number).click()
    expect(page.get_by_test_id("card-status")).to_have_text("待答复")

    answer = page.locator('form[data-action="answer"]')
    answer.get_by_role("button", name="提交答复").click()  # empty: the service's words on the form
    expect(answer.locator('[data-field="reason"]')).to_have_text("请填写原因说明")
    answer = page.locator('form[data-action="answer"]')
    answer.get_by_label("原因说明").fill("审查人员国庆期间轮休")
    answer.get_by_label("整改措施").fill("增派人员，三个工作日内办结")
    answer.get_by_role("button", name="提交答复").click()
    expect(page.get_by_test_id("card-status")).to_have_text("已答复待审核")
    expect(page.locator('form[data-action="answer"]')).to_have_count(0)

    inspector = page.context.browser.new_context(locale="zh-CN", base_url=page.url.split("/supervision")[0])
    tab = inspector.new_page()
    _log_in(tab, "inspector", f"/supervision/cards/{card.pk}/")
    review = tab.locator('form[data-action="review"]')
    review.get_by_label("退回重新答复").check()
    review.get_by_label("审核说明").fill("整改措施没有写明办结日期")
    review.get_by_role("button", name="提交审核意见").click()
    expect(tab.get_by_test_id("card-status")).to_have_text("已退回")

    page.reload()
    answer = page.locator('form[data-action="answer"]')
    answer.get_by_label("原因说明").fill("审查人员国庆期间轮休")
    answer.get_by_label("整改措施").fill("已增派两名审查人员，10月15日前办结")
    answer.get_by_role("button", name="提交答复").click()
    expect(page.get_by_test_id("card-status")).to_have_text("已答复待审核")

    tab.reload()
    tab.locator('form[data-action="review"]').get_by_label("通过").check()
    tab.locator('form[data-action="review"]').get_by_role("button", name="提交审核意见").click()
    expect(tab.get_by_test_id("card-status")).to_have_text("已通过")
    expect(tab.get_by_test_id("card-answer")).to_have_count(2)
    expect(tab.get_by_test_id("card-history").locator("li")).to_have_count(5)
    inspector.close()
    assert Card.objects.get().status == CardStatus.ACCEPTED
