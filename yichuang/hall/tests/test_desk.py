"""The clerk's calling desk through the test client: who may use it, signing in at a window of one's own
department only, every button a POST that calls the services, their refusals shown on the page (never a
500, a double click included), the holder's data masked, and 取号 for a walk-in."""

from __future__ import annotations

import re
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from yichuang.accounts.tests.factories import valid_id_number
from yichuang.hall import calling, tickets, windows
from yichuang.hall.models import (
    PriorityReason,
    Ticket,
    TicketSource,
    TicketStatus,
    Window,
    WindowEvent,
    WindowStatus,
)
from yichuang.hall.tests.helpers import MONDAY, at, make_hall

pytestmark = pytest.mark.django_db

DESK = "/hall/desk/"


def _action(name: str) -> str:
    return reverse("hall:desk_action", args=[name])


def _kiosk(setup: Any, category: Any, **extra: Any) -> Ticket:
    return tickets.ticket_issue(hall=setup.hall, category=category, source=TicketSource.KIOSK, **extra)


def _logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_urls_are_the_agreed_ones() -> None:
    assert reverse("hall:desk") == DESK
    assert reverse("hall:kiosk") == "/hall/kiosk/"
    assert reverse("hall:board") == "/hall/board/"
    assert reverse("hall:counter", args=[3]) == "/hall/counter/3/"
    assert reverse("hall:counter_rating", args=[3]) == "/hall/counter/3/rating/"
    assert reverse("hall:ticket_print", args=[5]) == "/hall/tickets/5/print/"
    assert reverse("hall:ticket_status", args=[5, "abc"]) == "/hall/tickets/5/abc/"
    assert reverse("hall:portal_ticket") == "/hall/my/ticket/"
    assert reverse("hall:portal_tickets") == "/hall/my/tickets/"


def test_anonymous_and_applicant_cannot_use_the_desk(org: Any, client_for: Any) -> None:
    setup = make_hall(org, tidal=False)
    anonymous = Client().get(DESK)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert Client().post(_action("call")).status_code == 302
    applicant = client_for("applicant")
    assert applicant.get(DESK).status_code == 403
    refused = applicant.post(_action("call"))
    assert refused.status_code == 403
    assert "只有窗口工作人员可以使用叫号工作台" in refused.content.decode()
    assert applicant.post(reverse("hall:desk_sign_in"), {"window": setup.w1.pk}).status_code == 403
    assert applicant.get(reverse("hall:desk_issue")).status_code == 403
    assert client_for("reviewer").get(DESK).status_code == 403  # a reviewer does not serve at windows


def test_clerk_signs_in_only_at_windows_of_his_department(org: Any) -> None:
    setup = make_hall(org, tidal=False)
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        clerk = _logged_in(setup.clerks["clerk"])
        page = clerk.get(DESK).content.decode()
        assert 'data-testid="sign-in-01"' in page
        assert 'data-testid="sign-in-04"' not in page  # 04 is the 不动产中心's window
        refused = clerk.post(reverse("hall:desk_sign_in"), {"window": setup.w4.pk})
        assert refused.status_code == 403
        assert "不能在04号 不动产登记服务" in refused.content.decode()
        assert 'data-testid="desk-error"' in refused.content.decode()
        setup.w4.refresh_from_db()
        assert setup.w4.status == WindowStatus.CLOSED and setup.w4.clerk is None
        estate = _logged_in(setup.clerks["estate"])
        assert estate.post(reverse("hall:desk_sign_in"), {"window": setup.w4.pk}).status_code == 302
        setup.w4.refresh_from_db()
        assert setup.w4.clerk == setup.clerks["estate"]
        bad = clerk.post(reverse("hall:desk_sign_in"), {"window": "x"})
    assert bad.status_code == 400 and "请选择要签到的窗口" in bad.content.decode()


def test_the_whole_round_at_the_desk(org: Any) -> None:
    setup = make_hall(org, tidal=False)
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        first = _kiosk(
            setup,
            setup.general,
            holder_name="张晓梅",
            id_number=valid_id_number(birth="19550101"),
            phone="13812345678",
        )
        second = _kiosk(setup, setup.general)
        _kiosk(setup, setup.estate)
        clerk = _logged_in(setup.clerks["clerk"])
        assert clerk.post(reverse("hall:desk_sign_in"), {"window": setup.w1.pk}).status_code == 302
        page = clerk.get(DESK).content.decode()
        assert "01号 综合受理" in page and 'data-testid="desk-call"' in page
        queue = re.search(r'data-testid="desk-queue-rows">(.*?)</table>', page, re.S)
        assert queue is not None
        assert queue.group(1).index("A001") < queue.group(1).index("A002")
        assert "B001" not in queue.group(1)  # window 01 serves A only
        assert "65周岁以上老年人" in queue.group(1)
        called = clerk.post(_action("call"), follow=True)
        html = called.content.decode()
        assert "已叫号：请 A001 号到 01 号窗口" in html
        assert 'data-testid="desk-current-number">A001<' in html
        # The holder's data are masked, the priority lane shown.
        assert "张**" in html and "138****5678" in html and "1508**********" in html
        assert first.id_number not in html and "13812345678" not in html
        assert "绿色通道：65周岁以上老年人" in html
        assert 'data-testid="desk-call"' not in html  # nothing to call while A001 is at the counter
        # A double click on 叫号 (a stale page) is refused in the service's words, not a 500.
        twice = clerk.post(_action("call"))
        assert twice.status_code == 409
        assert "请先办结、过号或转窗当前号码 A001" in twice.content.decode()
        assert "已重呼 A001" in clerk.post(_action("recall"), follow=True).content.decode()
        assert "A001 开始办理" in clerk.post(_action("start"), follow=True).content.decode()
        again = clerk.post(_action("recall"))
        assert again.status_code == 409 and "已在办理中，无需重呼" in again.content.decode()
        finished = clerk.post(_action("finish"), follow=True).content.decode()
        assert "A001 已办结，窗口屏已显示评价页" in finished
        assert 'data-testid="desk-rating"' in finished
        setup.w1.refresh_from_db()
        assert setup.w1.rating_ticket_id == first.pk
        late = clerk.post(_action("finish"))
        assert late.status_code == 409 and "当前没有正在叫号或办理的号码" in late.content.decode()
        clerk.post(_action("call"))
        skipped = clerk.post(_action("skip"), follow=True).content.decode()
        assert "A002 过号，已重新排队" in skipped
        second.refresh_from_db()
        assert second.status == TicketStatus.WAITING and second.requeues == 1
        paused = clerk.post(_action("pause"), {"reason": "临时离岗"}, follow=True).content.decode()
        assert "窗口已暂停服务" in paused and "暂停服务：临时离岗" in paused
        refused = clerk.post(_action("call"))
        assert refused.status_code == 409 and "请先恢复服务" in refused.content.decode()
        assert "窗口已恢复服务" in clerk.post(_action("resume"), follow=True).content.decode()
        signed_out = clerk.post(_action("sign_out"), follow=True).content.decode()
        assert "已签退" in signed_out and 'data-testid="sign-in-01"' in signed_out
        setup.w1.refresh_from_db()
        assert setup.w1.status == WindowStatus.CLOSED
        # Signed out already: a repeated 签退 is explained.
        gone = clerk.post(_action("sign_out"))
    assert gone.status_code == 409 and "您当前未在任何窗口签到" in gone.content.decode()
    assert clerk.post(_action("nonsense")).status_code == 404


def test_transfer_and_hand_over_from_the_desk(org: Any) -> None:
    setup = make_hall(org, tidal=False)
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        ticket = _kiosk(setup, setup.general)
        windows.window_sign_in(window=setup.w2, actor=setup.clerks["clerk2"])
        clerk = _logged_in(setup.clerks["clerk"])
        clerk.post(reverse("hall:desk_sign_in"), {"window": setup.w1.pk})
        clerk.post(_action("call"))
        page = clerk.get(DESK).content.decode()
        assert f'<option value="{setup.w2.pk}">02号 综合受理</option>' in page
        assert f'<option value="{setup.w3.pk}">' not in page  # closed windows are not offered
        missing = clerk.post(_action("transfer"), {"to_window": ""})
        assert missing.status_code == 400 and "请选择要转入的窗口" in missing.content.decode()
        closed = clerk.post(_action("transfer"), {"to_window": setup.w3.pk})
        assert closed.status_code == 409 and "未开放，不能转入" in closed.content.decode()
        moved = clerk.post(
            _action("transfer"), {"to_window": setup.w2.pk, "note": "需不动产登记"}, follow=True
        )
        assert "A001 已转至02号 综合受理" in moved.content.decode()
        ticket.refresh_from_db()
        assert ticket.target_window_id == setup.w2.pk and ticket.status == TicketStatus.WAITING
        # Hand over: only colleagues who may serve here and are free are offered.
        page = clerk.get(DESK).content.decode()
        standby = setup.clerks["standby"]
        assert f'<option value="{standby.pk}">' in page
        assert f'<option value="{setup.clerks["clerk2"].pk}">' not in page  # busy at 02
        assert f'<option value="{setup.clerks["estate"].pk}">' not in page  # 不动产中心
        wrong = clerk.post(_action("hand_over"), {"to_clerk": setup.clerks["estate"].pk})
        assert wrong.status_code == 400 and "不能在01号 综合受理服务" in wrong.content.decode()
        handed = clerk.post(_action("hand_over"), {"to_clerk": standby.pk}, follow=True)
    assert "窗口已移交给" in handed.content.decode()
    window = Window.objects.get(pk=setup.w1.pk)
    assert window.clerk == standby
    assert WindowEvent.objects.filter(window=window, kind=WindowEvent.Kind.HANDED_OVER).exists()


def test_htmx_posts_get_the_page_back_with_the_refusal(org: Any) -> None:
    setup = make_hall(org, tidal=False)
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        clerk = _logged_in(setup.clerks["clerk"])
        clerk.post(reverse("hall:desk_sign_in"), {"window": setup.w1.pk})
        empty = clerk.post(_action("call"), follow=True, HTTP_HX_REQUEST="true")
        assert "当前没有等候本窗口的号码" in empty.content.decode()
        refused = clerk.post(_action("recall"), HTTP_HX_REQUEST="true")
        assert refused.status_code == 200  # htmx swaps only 2xx: the refusal comes as a page part
        assert 'id="main"' in refused.content.decode()
        assert "当前没有正在叫号或办理的号码" in refused.content.decode()
        partial = clerk.get(reverse("hall:desk_partial"))
    assert partial.status_code == 200 and 'data-testid="desk-counts"' in partial.content.decode()


def test_desk_queue_and_state_queries_are_bounded(org: Any, django_assert_max_num_queries: Any) -> None:
    setup = make_hall(org, tidal=False)
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        for _ in range(30):
            _kiosk(setup, setup.general)
        clerk = _logged_in(setup.clerks["clerk"])
        clerk.post(reverse("hall:desk_sign_in"), {"window": setup.w1.pk})
        calling.ticket_call_next(window=setup.w1, actor=setup.clerks["clerk"])
        clerk.get(reverse("hall:desk_partial"))
        with django_assert_max_num_queries(14):
            partial = clerk.get(reverse("hall:desk_partial"))
    html = partial.content.decode()
    assert html.count("<tr>") == 20 + 1  # the first 20 of the queue, and the head row
    assert re.search(r'data-testid="desk-queue-total">29<', html)


def test_clerk_issues_a_number_for_a_walk_in(org: Any, client_for: Any) -> None:
    setup = make_hall(org, tidal=False)
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        issuer = client_for("issuer")
        form = issuer.get(reverse("hall:desk_issue"))
        assert form.status_code == 200 and "姓名（选填）" in form.content.decode()
        bad = issuer.post(reverse("hall:desk_issue"), {"category": setup.estate.pk, "id_number": "123"})
        assert bad.status_code == 400 and 'data-field="id_number"' in bad.content.decode()
        response = issuer.post(
            reverse("hall:desk_issue"),
            {
                "category": setup.estate.pk,
                "holder_name": "苏和",
                "phone": "13912345678",
                "priority": PriorityReason.DISABLED,
                "idempotency_key": "d-1",
            },
        )
        ticket = Ticket.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("hall:ticket_print", args=[ticket.pk])
        assert ticket.source == TicketSource.DESK and ticket.priority == PriorityReason.DISABLED
        assert ticket.holder_name == "苏和"
        printed = issuer.get(response["Location"]).content.decode()
    assert "B001" in printed and "苏和" not in printed and "绿色通道" in printed
