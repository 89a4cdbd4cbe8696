"""In a real browser: the operator files a complaint on the intake screen — while the content is typed, the
knowledge base offers its answer and the classifier (trained here from a slice of the labelled messages)
suggests the category with the department of the dispatch directory; he accepts the suggestion and files
the ticket. On the ticket's page the dispatch form has the directory's department (住建局) preselected; he
dispatches. The handler of 住建局 finds it in the inbox, signs and replies; the operator calls back 满意 and
the ticket shows 已办结. Deterministic: a directory entry decides the department whatever the classifier
says, and the classifier is trained from a fixed slice with a fixed seed. Screenshots are kept under
pytest's tmp dir."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from yichuang.hotline.models import DirectoryEntry, HotlineCategory, HotlineStatus, HotlineTicket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-word-2026"
LIVE = 10_000  # the live search waits 400 ms after the last key, then asks the server
CALLER_PHONE = "13912345678"
CONTENT = "幸福里小区物业不作为，3号楼电梯坏了半个月没人修，老人上下楼很困难"


def _log_in(page: Any, username: str, then: str) -> None:
    page.goto(then)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"**{then}")


def _has(module: str) -> bool:
    return importlib.util.find_spec(f"yichuang.hotline.{module}") is not None


def test_a_complaint_is_filed_dispatched_handled_and_called_back(
    org: Any, page: Any, live_server: Any, tmp_path: Path
) -> None:
    shots = tmp_path / "screens"
    shots.mkdir()
    top = HotlineCategory.objects.create(level=1, name="城乡建设", path="城乡建设")
    housing = HotlineCategory.objects.create(level=2, name="住房保障", path="城乡建设/住房保障", parent=top)
    HotlineCategory.objects.create(
        level=3, name="物业管理", path="城乡建设/住房保障/物业管理", parent=housing
    )
    DirectoryEntry.objects.create(category=top, lead=org.zjj, basis="住建局职责清单：物业管理")
    classifier = _has("classifier")
    knowledge = _has("knowledge")
    if classifier:
        from yichuang.hotline.tests.screens_setup import train_small_classifier

        train_small_classifier()
    if knowledge:
        from yichuang.hotline import knowledge as kb

        article = kb.knowledge_create(
            actor=org.user("operator"),
            question="小区电梯坏了物业不修怎么办？",
            answer="电梯维修由物业服务企业负责；物业不履行维修义务的，可向住建局投诉。",
            category=top,
            department=org.zjj,
        )
        kb.knowledge_publish(actor=org.user("operator"), article=article)
    browser = page.context.browser

    # ——— the operator takes the call ———
    operator = page
    _log_in(operator, "operator", "/hotline/intake/")
    form = operator.get_by_test_id("intake-form")
    form.get_by_label("联系电话").fill(CALLER_PHONE)
    form.get_by_label("来电人姓名").fill("李秀英")
    form.get_by_label("投诉", exact=True).check()
    form.get_by_label("事发地点").fill("海流图镇幸福里小区3号楼")
    form.get_by_label("行政区划代码").fill("150824")
    content = form.get_by_label("诉求内容")
    content.fill(CONTENT)
    content.press("End")  # a key released: the live search and the suggestion follow
    if knowledge:
        expect(operator.get_by_test_id("knowledge-live")).to_contain_text("电梯坏了物业不修", timeout=LIVE)
    if classifier:
        best = operator.get_by_test_id("suggestion-best")
        expect(best).to_contain_text("城乡建设", timeout=LIVE)
        expect(best).to_contain_text("住建局")
        expect(best.get_by_test_id("suggested-confidence")).to_contain_text("%")
        best.get_by_test_id("accept-suggestion").click()
        expect(best.get_by_test_id("suggestion-accepted")).to_be_visible(timeout=LIVE)
        expect(form.get_by_label("诉求分类")).to_have_value(str(top.pk))
    else:
        form.get_by_label("诉求分类").select_option(str(top.pk))
    expect(operator.get_by_test_id("directory-department")).to_contain_text("住建局", timeout=LIVE)
    operator.screenshot(path=shots / "1-intake.png", full_page=True)
    form.get_by_test_id("intake-accept").click()
    expect(operator.get_by_test_id("ticket-status")).to_have_text("已受理待派单")
    ticket = HotlineTicket.objects.get()
    assert (ticket.nature, ticket.category, ticket.caller_phone) == ("complaint", top, CALLER_PHONE)

    # ——— the office dispatches to the suggested department ———
    dispatch = operator.locator('form[data-action="dispatch"]')
    expect(dispatch.get_by_test_id("dispatch-suggestion")).to_contain_text("住建局")
    expect(dispatch.get_by_label("主办单位")).to_have_value(str(org.zjj.pk))
    dispatch.get_by_role("button", name="派单").click()
    expect(operator.get_by_test_id("ticket-status")).to_have_text("已派单待签收")
    expect(operator.get_by_test_id("ticket-lead")).to_have_text("住建局")
    operator.screenshot(path=shots / "2-dispatched.png", full_page=True)

    # ——— the handler of 住建局 signs and replies ———
    handler_context = browser.new_context(locale="zh-CN", base_url=live_server.url)
    handler = handler_context.new_page()
    handler.set_default_timeout(15_000)
    _log_in(handler, "handler", "/hotline/inbox/")
    inbox = handler.get_by_test_id("inbox")
    expect(inbox).to_contain_text(ticket.number)
    expect(inbox).not_to_contain_text(CALLER_PHONE)
    inbox.get_by_role("link", name=ticket.number).click()
    expect(handler.get_by_test_id("caller-name")).to_have_text("李**")
    expect(handler.get_by_test_id("caller-phone")).to_have_text(CALLER_PHONE)  # to call the caller
    handler.locator('form[data-action="sign"]').get_by_role("button", name="签收").click()
    expect(handler.get_by_test_id("ticket-status")).to_have_text("办理中")
    reply = handler.locator('form[data-action="reply"]')
    reply.get_by_label("答复内容").fill("已责令物业公司三日内修复电梯，电梯已恢复运行并通过检验")
    reply.get_by_role("button", name="提交答复").click()
    expect(reply.locator('[data-field="solved"]')).to_have_text("请选择诉求是否已解决")
    expect(reply.get_by_label("答复内容")).to_have_value(
        "已责令物业公司三日内修复电梯，电梯已恢复运行并通过检验"
    )
    reply.get_by_label("是", exact=True).check()
    reply.get_by_role("button", name="提交答复").click()
    expect(handler.get_by_test_id("ticket-status")).to_have_text("已答复待回访")
    handler.screenshot(path=shots / "3-replied.png", full_page=True)

    # ——— the operator calls back: satisfied, closed ———
    operator.goto("/hotline/office/")
    expect(operator.get_by_test_id("count-call_backs")).to_have_text("1")
    operator.get_by_test_id("queue-call_backs").get_by_role("link", name=ticket.number).click()
    call_back = operator.locator('form[data-action="call_back"]')
    call_back.get_by_label("满意", exact=True).check()
    call_back.get_by_label("回访记录").fill("李女士表示电梯已修好，满意")
    call_back.get_by_role("button", name="保存回访结果").click()
    expect(operator.get_by_test_id("ticket-status")).to_have_text("已办结")
    expect(operator.get_by_test_id("callback-result")).to_contain_text("满意")
    operator.screenshot(path=shots / "4-closed.png", full_page=True)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.callback_result, ticket.lead) == (
        HotlineStatus.CLOSED,
        "satisfied",
        org.zjj,
    )
    handler_context.close()


def test_a_question_is_answered_on_the_spot_from_the_knowledge_base(
    org: Any, page: Any, live_server: Any, tmp_path: Path
) -> None:
    if not _has("knowledge"):
        pytest.skip("没有知识库模块")
    from yichuang.hotline import knowledge as kb
    from yichuang.hotline.models_knowledge import KnowledgeArticle

    answer = "社会保障卡丢失后，携带身份证到社保经办窗口或通过手机APP挂失补办，当场制卡。"
    article = kb.knowledge_create(actor=org.user("operator"), question="社保卡丢了怎么补办？", answer=answer)
    kb.knowledge_publish(actor=org.user("operator"), article=article)
    _log_in(page, "operator", "/hotline/intake/")
    form = page.get_by_test_id("intake-form")
    form.get_by_label("联系电话").fill(CALLER_PHONE)
    form.get_by_label("咨询", exact=True).check()
    content = form.get_by_label("诉求内容")
    content.fill("我的社保卡丢了，请问怎么补办")
    content.press("End")
    live = page.get_by_test_id("knowledge-live")
    expect(live).to_contain_text("社保卡丢了怎么补办", timeout=LIVE)
    live.get_by_test_id("knowledge-use").click()
    expect(form.get_by_label("直接答复内容")).to_have_value(answer)  # 采用此答复 fills the answer
    page.screenshot(path=tmp_path / "answer.png", full_page=True)
    form.get_by_test_id("intake-answer").click()
    expect(page.get_by_test_id("ticket-status")).to_have_text("已办结")
    expect(page.get_by_test_id("ticket-reply")).to_contain_text("当场制卡")
    ticket = HotlineTicket.objects.get()
    assert (ticket.status, ticket.answered_directly, ticket.nature) == (HotlineStatus.CLOSED, True, "consult")
    assert KnowledgeArticle.objects.get(pk=article.pk).use_count == 1
