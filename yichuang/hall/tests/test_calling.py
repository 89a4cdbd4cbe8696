"""Calling order (priority lane, appointments at their slot, then the order of taking numbers), recall,
skip (re-queued once), transfer keeping the place, finish opening the rating page."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from yichuang.accounts.tests.factories import valid_id_number
from yichuang.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from yichuang.hall import calling, queue, tickets, windows
from yichuang.hall.models import PriorityReason, Ticket, TicketEvent, TicketSource, TicketStatus
from yichuang.hall.tests.helpers import MONDAY, at, make_hall

pytestmark = pytest.mark.django_db


def _kiosk(setup: Any, category: Any, **extra: Any) -> Ticket:
    return tickets.ticket_issue(hall=setup.hall, category=category, source=TicketSource.KIOSK, **extra)


def test_numbers_are_prefixed_daily_sequences(org: Any) -> None:
    setup = make_hall(org)
    with time_machine.travel(at(MONDAY, 9, 5), tick=False):
        numbers = [_kiosk(setup, setup.general).number for _ in range(3)] + [
            _kiosk(setup, setup.estate).number
        ]
    assert numbers == ["A001", "A002", "A003", "B001"]
    with time_machine.travel(at(MONDAY.replace(day=24), 9, 5), tick=False):
        assert _kiosk(setup, setup.general).number == "A001"  # a new day starts again


def test_call_order_priority_then_appointment_then_order(org: Any) -> None:
    setup = make_hall(org, tidal=False)
    clerk = setup.clerks["clerk"]
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        first = _kiosk(setup, setup.general)
        second = _kiosk(setup, setup.general)
        elderly = _kiosk(setup, setup.general, id_number=valid_id_number(birth="19550101"))
        pregnant = _kiosk(setup, setup.general, priority=PriorityReason.PREGNANT)
        windows.window_sign_in(window=setup.w1, actor=clerk)
    assert elderly.priority == PriorityReason.ELDERLY
    called = []
    with time_machine.travel(at(MONDAY, 9, 10), tick=False):
        for _ in range(4):
            ticket = calling.ticket_call_next(window=setup.w1, actor=clerk)
            assert ticket is not None
            called.append(ticket.number)
            calling.ticket_finish(window=setup.w1, actor=clerk)
        assert calling.ticket_call_next(window=setup.w1, actor=clerk) is None
    assert called == [elderly.number, pregnant.number, first.number, second.number]


def test_people_ahead_and_predicted_wait(org: Any) -> None:
    setup = make_hall(org, tidal=False)
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        issued = [_kiosk(setup, setup.general) for _ in range(4)]
        windows.window_sign_in(window=setup.w1, actor=setup.clerks["clerk"])
        windows.window_sign_in(window=setup.w2, actor=setup.clerks["clerk2"])
        info = tickets.ticket_info(issued[3])
    assert info.ahead == 3
    # 3 ahead × 10 minutes (no service yet today) over the two open windows serving A.
    assert info.wait_minutes == 15


def test_people_ahead_is_the_place_in_calling_order(org: Any) -> None:
    """The count (one query) agrees with the calling order for every waiting ticket: lanes, appointments
    due or not yet due, tickets taken at the same instant, and the count taken while issuing."""
    setup = make_hall(org, tidal=False)
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        plain = [_kiosk(setup, setup.general) for _ in range(3)]
        lane = _kiosk(setup, setup.general, priority=PriorityReason.SERVICEMAN)
    with time_machine.travel(at(MONDAY, 9, 5), tick=False):
        due, not_due, late_lane = (_kiosk(setup, setup.general) for _ in range(3))
        Ticket.objects.filter(pk=due.pk).update(slot_at=at(MONDAY, 9, 0))
        Ticket.objects.filter(pk=not_due.pk).update(slot_at=at(MONDAY, 11, 0))
        Ticket.objects.filter(pk=late_lane.pk).update(priority=PriorityReason.DISABLED)
        issued = _kiosk(setup, setup.general)
        order = list(queue.category_queue(setup.general).values_list("pk", flat=True))
        places = {t.pk: queue.people_ahead(t) for t in Ticket.objects.filter(category=setup.general)}
        assert tickets.ticket_info(issued).ahead == issued.ahead_at_issue == len(order) - 1
    assert order == [lane.pk, late_lane.pk, due.pk, *(t.pk for t in plain), not_due.pk, issued.pk]
    assert places == {pk: index for index, pk in enumerate(order)}


def test_window_serves_only_its_categories(org: Any) -> None:
    setup = make_hall(org, tidal=False)
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        estate = _kiosk(setup, setup.estate)
        windows.window_sign_in(window=setup.w1, actor=setup.clerks["clerk"])
        assert calling.ticket_call_next(window=setup.w1, actor=setup.clerks["clerk"]) is None
        windows.window_sign_in(window=setup.w4, actor=setup.clerks["estate"])
        assert calling.ticket_call_next(window=setup.w4, actor=setup.clerks["estate"]).pk == estate.pk


def test_skip_requeues_once_then_lapses(org: Any) -> None:
    setup = make_hall(org, tidal=False)
    clerk = setup.clerks["clerk"]
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        absent = _kiosk(setup, setup.general)
        other = _kiosk(setup, setup.general)
        windows.window_sign_in(window=setup.w1, actor=clerk)
    with time_machine.travel(at(MONDAY, 9, 5), tick=False):
        assert calling.ticket_call_next(window=setup.w1, actor=clerk).pk == absent.pk
        calling.ticket_skip(window=setup.w1, actor=clerk)
        absent.refresh_from_db()
        assert absent.status == TicketStatus.WAITING and absent.requeues == 1
        # Back of the queue: the other number comes first now.
        assert calling.ticket_call_next(window=setup.w1, actor=clerk).pk == other.pk
        calling.ticket_finish(window=setup.w1, actor=clerk)
        assert calling.ticket_call_next(window=setup.w1, actor=clerk).pk == absent.pk
        calling.ticket_skip(window=setup.w1, actor=clerk)
    absent.refresh_from_db()
    assert absent.status == TicketStatus.NO_SHOW
    kinds = list(absent.events.values_list("kind", flat=True))
    assert kinds == ["issued", "called", "requeued", "called", "no_show"]


def test_transfer_keeps_the_place(org: Any) -> None:
    setup = make_hall(org, tidal=False)
    clerk, estate_clerk = setup.clerks["clerk"], setup.clerks["estate"]
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        moved = _kiosk(setup, setup.general)
        windows.window_sign_in(window=setup.w1, actor=clerk)
        windows.window_sign_in(window=setup.w4, actor=estate_clerk)
    with time_machine.travel(at(MONDAY, 9, 5), tick=False):
        later = _kiosk(setup, setup.estate)
        calling.ticket_call_next(window=setup.w1, actor=clerk)
        calling.ticket_start(window=setup.w1, actor=clerk)
        calling.ticket_transfer(window=setup.w1, actor=clerk, to_window=setup.w4, note="涉及不动产登记")
    moved.refresh_from_db()
    assert moved.status == TicketStatus.WAITING and moved.target_window_id == setup.w4.pk
    with time_machine.travel(at(MONDAY, 9, 6), tick=False):
        # Window 01 does not call it back; window 04 calls it before the B ticket taken later.
        assert calling.ticket_call_next(window=setup.w1, actor=clerk) is None
        assert calling.ticket_call_next(window=setup.w4, actor=estate_clerk).pk == moved.pk
    assert later.pk != moved.pk
    note = TicketEvent.objects.get(ticket=moved, kind="transferred").note
    assert "01号窗口转至04号窗口" in note


def test_finish_opens_rating_and_recall_counts(org: Any) -> None:
    setup = make_hall(org, tidal=False)
    clerk = setup.clerks["clerk"]
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        ticket = _kiosk(setup, setup.general)
        windows.window_sign_in(window=setup.w1, actor=clerk)
        calling.ticket_call_next(window=setup.w1, actor=clerk)
        calling.ticket_recall(window=setup.w1, actor=clerk)
        calling.ticket_finish(window=setup.w1, actor=clerk)
    setup.w1.refresh_from_db()
    ticket.refresh_from_db()
    assert ticket.recalls == 1 and ticket.status == TicketStatus.DONE
    assert setup.w1.rating_ticket_id == ticket.pk


def test_only_the_signed_in_clerk_calls(org: Any) -> None:
    setup = make_hall(org, tidal=False)
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        _kiosk(setup, setup.general)
        windows.window_sign_in(window=setup.w1, actor=setup.clerks["clerk"])
        with pytest.raises(PermissionDeniedError):
            calling.ticket_call_next(window=setup.w1, actor=setup.clerks["clerk2"])
        # A 不动产中心 chief representative cannot sign in at the centre's comprehensive window.
        with pytest.raises(PermissionDeniedError):
            windows.window_sign_in(window=setup.w2, actor=setup.clerks["estate"])
        with pytest.raises(ConflictError):
            windows.window_sign_in(window=setup.w2, actor=setup.clerks["clerk"])  # already at 01


def test_closed_hall_refuses_numbers(org: Any) -> None:
    setup = make_hall(org)
    with time_machine.travel(at(MONDAY, 19, 0), tick=False), pytest.raises(ApplicationError) as error:
        _kiosk(setup, setup.general)
    assert error.value.code == "hall_closed"
    with time_machine.travel(at(MONDAY, 18, 0), tick=False):  # 延时服务
        assert _kiosk(setup, setup.general).number == "A001"


def test_one_open_ticket_per_person_and_category(org: Any) -> None:
    setup = make_hall(org)
    person = valid_id_number(birth="19900101")
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        first = _kiosk(setup, setup.general, id_number=person)
        with pytest.raises(ConflictError) as error:
            _kiosk(setup, setup.general, id_number=person)
        assert first.number in error.value.message
        again = _kiosk(setup, setup.general, idempotency_key="k-1")
        assert _kiosk(setup, setup.general, idempotency_key="k-1").pk == again.pk
        assert queue.category_queue(setup.general).count() == 2
