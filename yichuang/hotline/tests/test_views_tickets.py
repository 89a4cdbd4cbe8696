"""The screens of 12345 tickets: who may open each one; a ticket's whole life through the screens (intake,
dispatch with a co-handler, signature, the co-handler's opinion, reply, an unsatisfied call-back and 重办,
the satisfied one); returns and their review, extensions, 挂账, reminders, merging; bad input kept with
its errors; double submits doing nothing twice; the caller shown masked to departments."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from yichuang.accounts.roles import Role
from yichuang.accounts.tests.factories import UserFactory
from yichuang.hotline import tickets
from yichuang.hotline.models import (
    DirectoryEntry,
    HotlineCategory,
    HotlineStatus,
    HotlineTicket,
    TicketStep,
)

pytestmark = pytest.mark.django_db
S = HotlineStatus
PHONE = "13800000001"
KEY = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def category(db: Any) -> HotlineCategory:
    top = HotlineCategory.objects.create(level=1, name="城乡建设", path="城乡建设")
    second = HotlineCategory.objects.create(level=2, name="住房保障", path="城乡建设/住房保障", parent=top)
    return HotlineCategory.objects.create(
        level=3, name="物业管理", path="城乡建设/住房保障/物业管理", parent=second
    )


@pytest.fixture
def co_handler(org: Any) -> Any:
    return UserFactory(username="handler_scjg", role=Role.HANDLER, department=org.scjg)


def _text(response: Any) -> str:
    return response.content.decode()


def _intake_data(category: HotlineCategory | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "key": KEY,
        "caller_phone": PHONE,
        "caller_name": "王秀兰",
        "nature": "complaint",
        "urgency": "C",
        "channel": "phone",
        "category": str(category.pk) if category else "",
        "address": "海流图镇幸福里小区3号楼",
        "division_code": "150824",
        "content": "幸福里小区3号楼电梯停运两周，物业一直不修。",
        "decision": "accept",
        **extra,
    }


def _ticket(org: Any, category: Any = None, **extra: Any) -> HotlineTicket:
    values: dict[str, Any] = {
        "channel": "phone",
        "nature": "complaint",
        "content": "幸福里小区3号楼电梯停运两周，物业一直不修。",
        "caller_name": "王秀兰",
        "caller_phone": PHONE,
        "division_code": "150824",
        "category": category,
        **extra,
    }
    return tickets.ticket_intake(actor=org.user("operator"), **values)


def _dispatched(org: Any, category: Any = None, **extra: Any) -> HotlineTicket:
    ticket = _ticket(org, category, **extra)
    return tickets.ticket_dispatch(ticket=ticket, actor=org.user("operator"), lead=org.zjj)


def _page(ticket: HotlineTicket) -> str:
    return reverse("hotline:ticket_detail", args=[ticket.pk])


def _act(ticket: HotlineTicket, action: str) -> str:
    return reverse("hotline:ticket_action", args=[ticket.pk, action])


def _last(ticket: HotlineTicket) -> int:
    return TicketStep.objects.filter(ticket=ticket).order_by("-pk").values_list("pk", flat=True)[0]


def _post(client: Client, ticket: HotlineTicket, action: str, **fields: Any) -> Any:
    data = {f"{action}-{name}": value for name, value in fields.items()}
    data.setdefault(f"{action}-last_step", _last(ticket))
    return client.post(_act(ticket, action), data)


def _forms(page: str) -> set[str]:
    return set(re.findall(r'data-action="([a-z_]+)"', page))


# ——— who may open which screen ———


def test_each_screen_is_for_its_role(org: Any, client_for: Any, category: Any) -> None:
    screens = {
        reverse("hotline:intake"): {"operator"},
        reverse("hotline:office"): {"operator"},
        reverse("hotline:inbox"): {"handler"},
    }
    for url, allowed in screens.items():
        for user in ("operator", "handler", "clerk", "reviewer"):
            status = client_for(user).get(url).status_code
            assert status == (200 if user in allowed else 403), (url, user, status)
        anonymous = Client().get(url)
        assert anonymous.status_code == 302 and reverse("accounts:login") in anonymous["Location"]
    ticket = _dispatched(org, category)
    other = UserFactory(username="handler_wjw", role=Role.HANDLER, department=org.wjw)
    assert client_for("operator").get(_page(ticket)).status_code == 200
    assert client_for("handler").get(_page(ticket)).status_code == 200
    outsider = Client()
    outsider.force_login(other)
    assert outsider.get(_page(ticket)).status_code == 404  # not its ticket: as if absent
    assert client_for("clerk").get(_page(ticket)).status_code == 403
    assert Client().get(_page(ticket)).status_code == 302
    # Steps: another department cannot sign it, the operator (no hotline.handle) may not sign at all.
    assert _post(outsider, ticket, "sign").status_code == 404
    assert _post(client_for("operator"), ticket, "sign").status_code == 403
    assert _post(client_for("handler"), ticket, "dispatch", lead=org.scjg.pk).status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == S.DISPATCHED


def test_the_inbox_lists_only_the_departments_own_parts(org: Any, client_for: Any, category: Any) -> None:
    mine = _dispatched(org, category, content="幸福里小区电梯停运")
    other = _ticket(org, content="超市出售过期食品")
    tickets.ticket_dispatch(ticket=other, actor=org.user("operator"), lead=org.scjg)
    page = _text(client_for("handler").get(reverse("hotline:inbox")))
    assert mine.number in page and other.number not in page
    assert "待签收" in page and PHONE not in page
    # Overdue limits are red.
    HotlineTicket.objects.filter(pk=mine.pk).update(
        sign_due_at=mine.received_at.replace(year=2020), due_at=mine.received_at.replace(year=2020)
    )
    page = _text(client_for("handler").get(reverse("hotline:inbox")))
    assert re.search(rf'data-ticket="{mine.number}" class="deadline-overdue"', page)


def test_the_office_shows_its_four_queues_with_counts(org: Any, client_for: Any, category: Any) -> None:
    waiting = _ticket(org, category)
    _dispatched(org, category, content="路灯不亮")
    client = client_for("operator")
    page = _text(client.get(reverse("hotline:office")))
    assert re.search(r'data-testid="count-to_dispatch"[^>]*>1<', page)
    assert re.search(r'data-testid="count-returns"[^>]*>0<', page)
    assert waiting.number in page and PHONE not in page
    full = _text(client.get(reverse("hotline:office"), {"queue": "to_dispatch"}))
    assert waiting.number in full and "待派单" in full


# ——— intake ———


def test_intake_files_a_ticket_and_a_double_submit_files_one(
    org: Any, client_for: Any, category: Any
) -> None:
    client = client_for("operator")
    page = _text(client.get(reverse("hotline:intake")))
    assert re.search(r'name="key" value="[0-9a-f]{32}"', page)
    assert "城乡建设" in page and "住房保障 / 物业管理" in page  # grouped by level 1
    response = client.post(reverse("hotline:intake"), _intake_data(category))
    ticket = HotlineTicket.objects.get()
    assert response.status_code == 302 and response["Location"] == _page(ticket)
    assert (ticket.status, ticket.category, ticket.caller_name) == (S.RECEIVED, category, "王秀兰")
    again = client.post(reverse("hotline:intake"), _intake_data(category))
    assert again.status_code == 302 and again["Location"] == _page(ticket)
    assert HotlineTicket.objects.count() == 1
    shown = _text(client.get(_page(ticket)))
    assert "已受理，请勿重复提交" in shown and {"dispatch", "merge"} <= _forms(shown)


def test_bad_intake_keeps_what_was_typed_and_names_the_fields(org: Any, client_for: Any) -> None:
    client = client_for("operator")
    response = client.post(
        reverse("hotline:intake"),
        _intake_data(caller_phone="12ab", content="", address="幸福里小区东门"),
    )
    page = _text(response)
    assert response.status_code == 400
    assert 'data-field="content">请填写诉求内容' in page
    assert 'data-field="caller_phone">请输入正确的电话号码' in page
    assert 'value="王秀兰"' in page and 'value="幸福里小区东门"' in page and 'value="12ab"' in page
    assert f'name="key" value="{KEY}"' in page  # correcting it still files one ticket
    forged = client.post(reverse("hotline:intake"), _intake_data(key="../x"))
    assert forged.status_code == 400 and "页面已过期" in _text(forged)
    assert re.search(r'name="key" value="[0-9a-f]{32}"', _text(forged)) and "王秀兰" in _text(forged)
    missing = client.post(reverse("hotline:intake"), _intake_data(nature=""))
    assert missing.status_code == 400 and 'data-field="nature">请选择诉求性质' in _text(missing)
    assert not HotlineTicket.objects.exists()


def test_a_direct_answer_files_and_closes_in_one_go(org: Any, client_for: Any) -> None:
    client = client_for("operator")
    data = _intake_data(nature="consult", content="社保卡丢了怎么补办？", decision="answer")
    # Without the answer nothing is written, not even the ticket.
    response = client.post(reverse("hotline:intake"), data)
    assert response.status_code == 400 and 'data-field="reply">请填写答复内容' in _text(response)
    assert "社保卡丢了怎么补办？" in _text(response)
    assert not HotlineTicket.objects.exists() and not TicketStep.objects.exists()
    response = client.post(reverse("hotline:intake"), {**data, "reply": "携带身份证到社保窗口补办"})
    ticket = HotlineTicket.objects.get()
    assert response["Location"] == _page(ticket)
    assert (ticket.status, ticket.answered_directly, ticket.reply) == (
        S.CLOSED,
        True,
        "携带身份证到社保窗口补办",
    )
    assert client.post(reverse("hotline:intake"), {**data, "reply": "再答一次"}).status_code == 302
    ticket.refresh_from_db()
    assert HotlineTicket.objects.count() == 1 and ticket.reply == "携带身份证到社保窗口补办"


def test_while_typing_the_duplicates_and_the_directory_are_shown(
    org: Any, client_for: Any, category: Any
) -> None:
    first = _ticket(org, category, address="海流图镇幸福里小区")
    DirectoryEntry.objects.create(category=category, lead=org.zjj)
    client = client_for("operator")
    response = client.get(
        reverse("hotline:intake_assist"),
        {
            "content": "幸福里小区3号楼电梯又停运了，物业不修",
            "division_code": "150824",
            "address": "幸福里小区",
            "category": category.pk,
        },
        HTTP_HX_REQUEST="true",
    )
    page = _text(response)
    assert response.status_code == 200
    assert f'data-candidate="{first.number}"' in page and "并入此单" in page
    assert re.search(r'data-testid="directory-department">[^<]*<strong>住建局', page.replace("\n", ""))
    assert client_for("handler").get(reverse("hotline:intake_assist")).status_code == 403


def test_a_duplicate_is_filed_and_merged_from_the_intake(org: Any, client_for: Any, category: Any) -> None:
    first = _ticket(org, category, address="海流图镇幸福里小区")
    client = client_for("operator")
    response = client.post(reverse("hotline:intake"), _intake_data(category, merge_into=str(first.pk)))
    repeat = HotlineTicket.objects.exclude(pk=first.pk).get()
    assert response["Location"] == _page(repeat)
    assert (repeat.status, repeat.merged_into) == (S.MERGED, first)
    page = _text(client.get(_page(first)))
    assert repeat.number in page and "并入本单的工单" in page


# ——— a ticket's life ———


def test_the_whole_life_of_a_ticket_through_the_screens(
    org: Any, client_for: Any, category: Any, co_handler: Any
) -> None:
    DirectoryEntry.objects.create(category=category, lead=org.zjj)
    operator = client_for("operator")
    operator.post(reverse("hotline:intake"), _intake_data(category))
    ticket = HotlineTicket.objects.get()

    # The office dispatches: the directory's department is preselected; a co-handler joins.
    page = _text(operator.get(_page(ticket)))
    assert re.search(rf'<option value="{org.zjj.pk}" selected>住建局</option>', page)
    assert "推荐主办单位" in page and "派单目录" in page
    response = _post(operator, ticket, "dispatch", lead=org.zjj.pk, co_handlers=[org.scjg.pk])
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.lead) == (S.DISPATCHED, org.zjj)

    # The lead's handler sees the caller's name masked and the phone (to call back), and signs.
    handler = client_for("handler")
    page = _text(handler.get(_page(ticket)))
    assert "王**" in page and "王秀兰" not in page and PHONE in page
    assert _forms(page) == {"sign", "return"}
    assert _post(handler, ticket, "sign").status_code == 302
    page = _text(handler.get(_page(ticket)))
    assert {"reply", "extension_request", "long_term"} <= _forms(page) and "sign" not in _forms(page)

    # The lead cannot reply before the co-handler's opinion: told so, what it typed kept.
    response = _post(handler, ticket, "reply", reply="已督促物业维修电梯", solved="1")
    assert response.status_code == 409
    page = _text(response)
    assert "协办单位尚未提交意见：市场监管局" in page and "已督促物业维修电梯" in page
    co = Client()
    co.force_login(co_handler)
    assert _forms(_text(co.get(_page(ticket)))) == {"sign", "co_reply"}  # 协办 signs its part, or answers
    assert _post(co, ticket, "co_reply", reply="已约谈物业公司").status_code == 302
    assert _post(handler, ticket, "reply", reply="已督促物业维修电梯", solved="1").status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == S.REPLIED

    # Unsatisfied: back to the lead (重办); replied again; satisfied closes it.
    page = _text(operator.get(_page(ticket)))
    assert "call_back" in _forms(page) and "王秀兰" in page and PHONE in page
    assert _post(operator, ticket, "call_back", result="unsatisfied", note="电梯仍未修好").status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.reopen_count) == (S.HANDLING, 1)
    assert _post(handler, ticket, "reply", reply="电梯已修复并通过检验", solved="1").status_code == 302
    assert _post(operator, ticket, "call_back", result="satisfied").status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.callback_result) == (S.CLOSED, "satisfied")
    page = _text(operator.get(_page(ticket)))
    assert 'data-testid="ticket-status">已办结' in page and not _forms(page)
    timeline = re.findall(r'data-step="([a-z_]+)"><time', page)
    assert timeline == [
        "intake", "dispatch", "sign", "co_reply", "reply", "reopen", "reply", "close",
    ]  # fmt: skip


def test_a_step_submitted_twice_is_taken_once(org: Any, client_for: Any, category: Any) -> None:
    ticket = _dispatched(org, category)
    handler = client_for("handler")
    last = _last(ticket)
    assert _post(handler, ticket, "sign", last_step=last).status_code == 302
    again = _post(handler, ticket, "sign", last_step=last)
    assert again.status_code == 409 and "请勿重复提交" in _text(again)
    assert TicketStep.objects.filter(ticket=ticket, action="sign").count() == 1


def test_a_return_is_reviewed_by_the_office(org: Any, client_for: Any, category: Any) -> None:
    ticket = _dispatched(org, category)
    handler = client_for("handler")
    response = _post(handler, ticket, "return", reason="")
    assert response.status_code == 400 and 'data-field="reason">请写明退单理由' in _text(response)
    assert _post(handler, ticket, "return", reason="电梯维保属市场监管局职责").status_code == 302
    operator = client_for("operator")
    page = _text(operator.get(_page(ticket)))
    assert "return_review" in _forms(page) and "电梯维保属市场监管局职责" in page
    # Accepting needs another department.
    response = _post(operator, ticket, "return_review", decision="accept", note="同意", lead=org.zjj.pk)
    assert response.status_code == 400 and "同意退单须改派其他单位" in _text(response)
    response = _post(operator, ticket, "return_review", decision="accept", note="同意", lead=org.scjg.pk)
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.lead) == (S.DISPATCHED, org.scjg)
    # The department that returned it still reads the ticket, but has nothing left to do on it.
    page = _text(handler.get(_page(ticket)))
    assert "市场监管局" in page and "已退单" in page and not _forms(page)


def test_extension_long_term_and_reminders(org: Any, client_for: Any, category: Any) -> None:
    ticket = _dispatched(org, category)
    handler, operator = client_for("handler"), client_for("operator")
    _post(handler, ticket, "sign")
    response = _post(handler, ticket, "extension_request", days="30", reason="需协调维保单位")
    assert response.status_code == 400 and 'data-field="days"' in _text(response)
    assert _post(handler, ticket, "extension_request", days="5", reason="需协调维保单位").status_code == 302
    page = _text(operator.get(_page(ticket)))
    assert "extension_decide" in _forms(page) and "申请延期 5 个工作日" in page
    due = HotlineTicket.objects.get(pk=ticket.pk).due_at
    assert (
        _post(operator, ticket, "extension_decide", approve="1", days="5", reason="同意").status_code == 302
    )
    ticket.refresh_from_db()
    assert ticket.extension_days == 5 and ticket.due_at > due
    assert "extension_decide" not in _forms(_text(operator.get(_page(ticket))))
    assert _post(operator, ticket, "remind", kind="supervise", note="请加快办理").status_code == 302
    ticket.refresh_from_db()
    assert ticket.supervised and ticket.reminders == 1
    response = _post(handler, ticket, "long_term", plan="更换电梯主机", plan_due="2020-01-01")
    assert response.status_code == 400 and 'data-field="plan_due">请选择以后的日期' in _text(response)
    assert "更换电梯主机" in _text(response)
    assert _post(handler, ticket, "long_term", plan="更换电梯主机", plan_due="2099-01-01").status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == S.LONG_TERM and "reply" in _forms(_text(handler.get(_page(ticket))))


def test_merge_from_the_ticket_page(org: Any, client_for: Any, category: Any) -> None:
    first = _ticket(org, category, address="幸福里小区")
    repeat = _ticket(org, category, address="幸福里小区")
    operator = client_for("operator")
    page = _text(operator.get(_page(repeat)))
    assert f'data-candidate="{first.number}"' in page
    response = _post(operator, repeat, "merge", into="RX000")
    assert response.status_code == 400 and "未找到该工单编号" in _text(response)
    assert _post(operator, repeat, "merge", into=first.number.lower()).status_code == 302
    repeat.refresh_from_db()
    assert (repeat.status, repeat.merged_into) == (S.MERGED, first)


def test_a_confidential_caller_is_hidden_from_the_department(
    org: Any, client_for: Any, category: Any
) -> None:
    ticket = _dispatched(org, category, confidential=True)
    page = _text(client_for("handler").get(_page(ticket)))
    assert PHONE not in page and "138****0001" in page and "王秀兰" not in page
    page = _text(client_for("operator").get(_page(ticket)))
    assert PHONE in page and "王秀兰" in page


# ——— the classifier's suggestion ———


def test_the_classifier_suggests_a_category_and_its_department(org: Any, client_for: Any) -> None:
    pytest.importorskip("yichuang.hotline.classifier")
    from yichuang.hotline.classifier import classifier_forget
    from yichuang.hotline.tests.screens_setup import train_small_classifier

    top = HotlineCategory.objects.create(level=1, name="城乡建设", path="城乡建设")
    DirectoryEntry.objects.create(category=top, lead=org.zjj)
    client = client_for("operator")
    url = reverse("hotline:intake_assist")
    text = "小区物业不作为，电梯坏了半个月没人修，楼道垃圾堆积"
    classifier_forget()
    untrained = _text(client.get(url, {"content": text}))
    assert "派单分类模型尚未训练" in untrained and "accept-suggestion" not in untrained
    try:
        train_small_classifier()
        page = _text(client.get(url, {"content": text}))
    finally:
        classifier_forget()
    best = page[page.index('data-testid="suggestion-best"') :]
    assert best.index("城乡建设") < best.index("</li>") and "住建局" in best[: best.index("</li>")]
    assert f'data-accept-category="{top.pk}"' in page and "置信度" in page
    # Accepted (the category chosen): marked so, and the directory names the department.
    accepted = _text(client.get(url, {"content": text, "category": top.pk}))
    assert "已采用" in accepted and "住建局" in accepted


def test_the_lists_do_not_query_per_row(org: Any, client_for: Any, category: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(user: str, url: str) -> int:
        client = client_for(user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    _dispatched(org, category)
    _ticket(org, category, content="路灯不亮")
    few = queries("handler", reverse("hotline:inbox")), queries("operator", reverse("hotline:office"))
    for n in range(4):
        _dispatched(org, category, content=f"第{n}号楼电梯停运")
        _ticket(org, category, content=f"第{n}路公交不准点")
    many = queries("handler", reverse("hotline:inbox")), queries("operator", reverse("hotline:office"))
    assert many == few
