"""The hall's public screens through the test client: the kiosk (take a number, errors in Chinese, closed
hours), the printed ticket (number, people ahead, wait, no personal data), its status page behind a
token, the display board's live partial (calls, waiting counts, bounded queries), the counter screen
(current number, then the rating panel) and the applicant's 网上取号."""

from __future__ import annotations

import re
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from yichuang.accounts.tests.factories import valid_id_number
from yichuang.hall import calling, selectors, tickets, windows
from yichuang.hall.models import Hall, Ticket, TicketSource, TicketStatus
from yichuang.hall.tests.helpers import MONDAY, at, make_hall

pytestmark = pytest.mark.django_db

PHONE = "13812345678"


def _kiosk(setup: Any, category: Any, **extra: Any) -> Ticket:
    return tickets.ticket_issue(hall=setup.hall, category=category, source=TicketSource.KIOSK, **extra)


def _take(client: Client, category: Any, **data: Any) -> Any:
    return client.post(reverse("hall:kiosk"), {"category": category.pk, "idempotency_key": "", **data})


def test_kiosk_lists_categories_with_waiting_and_issues_a_printable_ticket(org: Any) -> None:
    setup = make_hall(org, tidal=False)
    client = Client()
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        windows.window_sign_in(window=setup.w1, actor=setup.clerks["clerk"])
        for _ in range(2):
            _kiosk(setup, setup.general)
        page = client.get(reverse("hall:kiosk"))
        assert page.status_code == 200
        html = page.content.decode()
        assert 'data-testid="kiosk-category-A"' in html and "综合受理" in html
        assert re.search(r'data-testid="kiosk-waiting-A">等候 2 人', html)
        response = _take(client, setup.general, id_number=valid_id_number(birth="19900101"), phone=PHONE)
        ticket = Ticket.objects.get(number="A003")
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("hall:ticket_print", args=[ticket.pk]))
        assert ticket.source == TicketSource.KIOSK and ticket.phone == PHONE
        printed = client.get(response["Location"])
    html = printed.content.decode()
    assert printed.status_code == 200
    assert 'data-testid="ticket-number">A003<' in html
    assert "乌拉特中旗政务服务中心" in html and "综合受理" in html
    assert re.search(r'data-testid="ticket-ahead">2 人<', html)
    assert re.search(r'data-testid="ticket-wait">约 20 分钟<', html)  # 2 × 10 minutes over one window
    assert "2026-11-23 09:00" in html
    assert "<svg" in html  # the QR code of the status page
    status_url = reverse("hall:ticket_status", args=[ticket.pk, selectors.ticket_token(ticket.pk)])
    assert status_url in html
    # No personal data on the ticket, not even masked.
    assert PHONE not in html and PHONE[-4:] not in html
    assert ticket.id_number not in html and ticket.id_number[-4:] not in html


def test_printed_ticket_is_only_for_the_kiosk_that_took_it(org: Any, client_for: Any) -> None:
    setup = make_hall(org, tidal=False)
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        ticket = _kiosk(setup, setup.general)
        url = reverse("hall:ticket_print", args=[ticket.pk])  # logged in at the hour (sessions expire)
        assert Client().get(url).status_code == 404
        assert client_for("applicant").get(url).status_code == 404
        assert client_for("issuer").get(url).status_code == 200


def test_kiosk_errors_are_shown_in_chinese_with_nothing_lost(org: Any) -> None:
    setup = make_hall(org, tidal=False)
    client = Client()
    id_number = valid_id_number(birth="19800101")
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        bad = _take(client, setup.general, phone="12345", id_number=id_number)
        assert bad.status_code == 400
        html = bad.content.decode()
        assert "请输入11位手机号码" in html and 'data-field="phone"' in html
        assert f'value="{id_number}"' in html  # what was typed is still there
        assert not Ticket.objects.exists()
        assert _take(client, setup.general, id_number=id_number).status_code == 302
        again = _take(client, setup.general, id_number=id_number)
    assert again.status_code == 400
    assert "请勿重复取号" in again.content.decode()
    assert Ticket.objects.count() == 1


def test_kiosk_double_tap_gives_one_ticket(org: Any) -> None:
    setup = make_hall(org, tidal=False)
    client = Client()
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        first = _take(client, setup.general, idempotency_key="k-1")
        second = _take(client, setup.general, idempotency_key="k-1")
    assert first["Location"] == second["Location"]
    assert Ticket.objects.count() == 1


def test_kiosk_says_when_the_hall_is_closed(org: Any) -> None:
    setup = make_hall(org, tidal=False)
    client = Client()
    with time_machine.travel(at(MONDAY, 7, 30), tick=False):
        html = client.get(reverse("hall:kiosk")).content.decode()
        assert 'data-testid="kiosk-closed"' in html
        assert "09:00—18:30" in html
        assert 'data-testid="kiosk-category-A"' not in html
        refused = _take(client, setup.general)
    assert refused.status_code == 400
    assert "当前不在服务时间" in refused.content.decode()


def test_kiosk_partial_and_per_hall_address(org: Any) -> None:
    setup = make_hall(org, tidal=False)
    client = Client()
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        _kiosk(setup, setup.estate)
        partial = client.get(reverse("hall:kiosk_partial"), {"hall": setup.hall.code})
        per_hall = client.get(reverse("hall:kiosk_for", args=[setup.hall.code]))
    assert re.search(r'data-testid="kiosk-waiting-B">等候 1 人', partial.content.decode())
    assert per_hall.status_code == 200
    assert client.get(reverse("hall:kiosk_for", args=["nowhere"])).status_code == 404


def test_several_halls_are_listed_to_choose_from(org: Any) -> None:
    setup = make_hall(org, tidal=False)
    other = Hall.objects.get(pk=setup.hall.pk)
    other.pk = None
    other.code = "150824-HLG"
    other.name = "海流图镇便民服务中心"
    other.save()
    html = Client().get(reverse("hall:board")).content.decode()
    assert reverse("hall:board_for", args=["150824-HLG"]) in html
    assert reverse("hall:board_for", args=[setup.hall.code]) in html


def test_status_page_needs_its_token_and_shows_the_live_position(org: Any) -> None:
    setup = make_hall(org, tidal=False)
    client = Client()
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        _kiosk(setup, setup.general)
        ticket = _kiosk(setup, setup.general)
        token = selectors.ticket_token(ticket.pk)
        assert (
            client.get(reverse("hall:ticket_status", args=[ticket.pk, "x" * len(token)])).status_code == 404
        )
        other = selectors.ticket_token(ticket.pk + 1)
        assert client.get(reverse("hall:ticket_status", args=[ticket.pk, other])).status_code == 404
        url = reverse("hall:ticket_status", args=[ticket.pk, token])
        page = client.get(url)
        assert "前面还有 1 人" in page.content.decode()
        assert 'hx-trigger="every 5s"' in page.content.decode()
        windows.window_sign_in(window=setup.w1, actor=setup.clerks["clerk"])
        calling.ticket_call_next(window=setup.w1, actor=setup.clerks["clerk"])
        calling.ticket_finish(window=setup.w1, actor=setup.clerks["clerk"])
        calling.ticket_call_next(window=setup.w1, actor=setup.clerks["clerk"])
        partial = client.get(url, HTTP_HX_REQUEST="true")
    html = partial.content.decode()
    assert "请到 01 号窗口办理" in html
    assert "<html" not in html


def test_board_partial_shows_a_new_call_and_the_waiting_counts(org: Any) -> None:
    setup = make_hall(org, tidal=False)
    clerk = setup.clerks["clerk"]
    client = Client()
    url = reverse("hall:board_partial")
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        issued = [_kiosk(setup, setup.general) for _ in range(3)]
        _kiosk(setup, setup.issuance)
        windows.window_sign_in(window=setup.w1, actor=clerk)
        board = client.get(reverse("hall:board"))
        assert board.status_code == 200
        assert 'hx-trigger="every 2s"' in board.content.decode()
        assert "board.js" in board.content.decode()
        before = client.get(url).content.decode()
        assert re.search(r'data-testid="board-waiting-A">3<', before)
        assert re.search(r'data-testid="board-waiting-C">1<', before)
        assert "data-call-event" not in before
    with time_machine.travel(at(MONDAY, 9, 5), tick=False):
        called = calling.ticket_call_next(window=setup.w1, actor=clerk)
        after = client.get(url).content.decode()
    assert called is not None and called.pk == issued[0].pk
    event = called.events.get(kind="called")
    assert f'data-call-event="{event.pk}" data-number="A001" data-window="01"' in after
    assert re.search(r'class="call newest"[^>]*data-number="A001"', after)
    assert re.search(r'data-testid="board-waiting-A">2<', after)
    assert re.search(r'data-testid="board-window-01">A001<', after)
    # 2 waiting × 10 minutes over the one open window serving A.
    assert "约 20 分钟" in after
    with time_machine.travel(at(MONDAY, 9, 6), tick=False):
        calling.ticket_recall(window=setup.w1, actor=clerk)
        recalled = client.get(url).content.decode()
    recall = called.events.get(kind="recalled")
    assert f'data-call-event="{recall.pk}"' in recalled and "重呼" in recalled
    assert recalled.index(f'data-call-event="{recall.pk}"') < recalled.index(f'data-call-event="{event.pk}"')


def test_board_partial_queries_do_not_grow_with_the_day(org: Any, django_assert_max_num_queries: Any) -> None:
    setup = make_hall(org, tidal=False)
    client = Client()
    url = reverse("hall:board_partial")
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        client.get(url)  # warm the calendar's cache
        for number, key in ((setup.w1, "clerk"), (setup.w2, "clerk2"), (setup.w3, "issuer")):
            windows.window_sign_in(window=number, actor=setup.clerks[key])
        for _ in range(12):
            _kiosk(setup, setup.general)
            _kiosk(setup, setup.estate)
            _kiosk(setup, setup.issuance)
        for _ in range(4):
            for window, key in ((setup.w1, "clerk"), (setup.w2, "clerk2"), (setup.w3, "issuer")):
                calling.ticket_call_next(window=window, actor=setup.clerks[key])
                calling.ticket_recall(window=window, actor=setup.clerks[key])
                calling.ticket_finish(window=window, actor=setup.clerks[key])
            calling.ticket_call_next(window=setup.w1, actor=setup.clerks["clerk"])
            calling.ticket_skip(window=setup.w1, actor=setup.clerks["clerk"])
        calling.ticket_call_next(window=setup.w2, actor=setup.clerks["clerk2"])
        with django_assert_max_num_queries(10):
            response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("data-call-event") == selectors.BOARD_CALLS


def test_counter_screen_shows_the_number_then_the_rating_panel(org: Any) -> None:
    setup = make_hall(org, tidal=False)
    clerk = setup.clerks["clerk"]
    clerk.full_name = "王晓燕"
    clerk.save()
    client = Client()
    screen = reverse("hall:counter", args=[setup.w1.pk])
    partial = reverse("hall:counter_partial", args=[setup.w1.pk])
    rating = reverse("hall:counter_rating", args=[setup.w1.pk])
    html = client.get(screen).content.decode()
    assert "未开放" in html and 'hx-trigger="every 2s"' in html
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        ticket = _kiosk(setup, setup.general)
        windows.window_sign_in(window=setup.w1, actor=clerk)
        calling.ticket_call_next(window=setup.w1, actor=clerk)
        html = client.get(partial).content.decode()
        assert "服务中" in html and "王晓燕" in html and "工号 clerk" in html
        assert re.search(r'data-testid="counter-current">.*A001', html, re.S)
        assert "请对本次服务进行评价" not in html
        assert 'data-testid="rating-none"' in client.get(rating).content.decode()
        calling.ticket_finish(window=setup.w1, actor=clerk)
        html = client.get(partial).content.decode()
        assert 'data-testid="counter-rating"' in html and "请对本次服务进行评价" in html
        assert "号码 A001 的业务已办结" in html and rating in html
        page = client.get(rating).content.decode()
        assert f'data-rating-ticket="{ticket.pk}"' in page
        assert "号码 A001 在 01 号窗口的服务评价已开放" in page
        windows.window_pause(window=setup.w1, actor=clerk, reason="系统维护")
        html = client.get(partial).content.decode()
    assert "暂停服务：系统维护" in html
    assert Client().get(reverse("hall:counter", args=[999999])).status_code == 404


def test_applicant_takes_a_number_online_sees_it_and_cancels(org: Any, client_for: Any) -> None:
    setup = make_hall(org, tidal=False)
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        applicant = client_for("applicant")  # logged in at the hour (sessions expire)
        _kiosk(setup, setup.general)
        form = applicant.get(reverse("hall:portal_ticket"))
        assert form.status_code == 200 and 'data-testid="portal-category-A"' in form.content.decode()
        response = applicant.post(
            reverse("hall:portal_ticket"), {"category": setup.general.pk, "idempotency_key": "p-1"}
        )
        assert response.status_code == 302 and response["Location"] == reverse("hall:portal_tickets")
        ticket = Ticket.objects.get(source=TicketSource.PORTAL)
        assert ticket.user == org.user("applicant") and ticket.number == "A002"
        listing = applicant.get(reverse("hall:portal_tickets")).content.decode()
        assert "A002" in listing and "1 人" in listing
        again = applicant.post(reverse("hall:portal_ticket"), {"category": setup.general.pk})
        assert again.status_code == 400 and "请勿重复取号" in again.content.decode()
        cancelled = applicant.post(reverse("hall:portal_ticket_cancel", args=[ticket.pk]))
        # Only the applicant takes numbers online; staff use the desk's form.
        assert client_for("clerk").get(reverse("hall:portal_ticket")).status_code == 403
    assert cancelled.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CANCELLED
    assert Client().get(reverse("hall:portal_tickets")).status_code == 302
