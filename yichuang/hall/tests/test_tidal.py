"""潮汐窗口: the reserve window opens when waiting or predicted wait passes the rule's threshold, closes
when both fall back, never while someone is at its counter; every change is logged with its figures."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from yichuang.core.models import AuditEvent, Notification
from yichuang.hall import calling, tickets, windows
from yichuang.hall.models import TicketSource, Window, WindowEvent, WindowStatus
from yichuang.hall.tests.helpers import MONDAY, at, make_hall
from yichuang.hall.tidal import tidal_evaluate

pytestmark = pytest.mark.django_db


def _issue(setup: Any, n: int) -> None:
    for _ in range(n):
        tickets.ticket_issue(hall=setup.hall, category=setup.general, source=TicketSource.KIOSK)


def _reserve(setup: Any) -> Window:
    return Window.objects.get(pk=setup.reserve.pk)


def test_opens_at_the_waiting_threshold_and_closes_when_it_falls(
    org: Any, django_capture_on_commit_callbacks: Any
) -> None:
    setup = make_hall(org)  # open at 6 waiting or 30 minutes; close at ≤ 1 waiting and ≤ 10 minutes
    clerk = setup.clerks["clerk"]
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        windows.window_sign_in(window=setup.w1, actor=clerk)
        windows.window_sign_in(window=setup.w2, actor=setup.clerks["clerk2"])
        with django_capture_on_commit_callbacks(execute=True):
            _issue(setup, 5)
        # 5 waiting, 5 × 10 min / 2 windows = 25 minutes: below both thresholds.
        assert _reserve(setup).status == WindowStatus.CLOSED
        with django_capture_on_commit_callbacks(execute=True):
            _issue(setup, 1)
    reserve = _reserve(setup)
    assert reserve.status == WindowStatus.OPEN and reserve.opened_by_tidal
    assert reserve.clerk_id == setup.clerks["standby"].pk
    opened = WindowEvent.objects.get(window=reserve, kind=WindowEvent.Kind.TIDAL_OPENED)
    assert opened.data == {"waiting": 6, "wait_minutes": 30} and opened.category_id == setup.general.pk
    assert "达到开放阈值" in opened.note
    assert Notification.objects.filter(to="13900000008", template="hall.tidal_opened").count() == 1
    assert AuditEvent.objects.filter(action="hall.window_tidal_opened").count() == 1

    # The queue drains: with 2 waiting the window stays (no flapping between the thresholds) …
    with time_machine.travel(at(MONDAY, 9, 30), tick=False):
        for _ in range(4):
            with django_capture_on_commit_callbacks(execute=True):
                calling.ticket_call_next(window=setup.w1, actor=clerk)
                calling.ticket_finish(window=setup.w1, actor=clerk)
        assert _reserve(setup).status == WindowStatus.OPEN
        # … and with 1 waiting it closes.
        with django_capture_on_commit_callbacks(execute=True):
            calling.ticket_call_next(window=setup.w1, actor=clerk)
    reserve = _reserve(setup)
    assert reserve.status == WindowStatus.CLOSED and reserve.clerk_id is None
    closed = WindowEvent.objects.get(window=reserve, kind=WindowEvent.Kind.TIDAL_CLOSED)
    assert closed.data["waiting"] == 1


def test_a_priority_number_counts_the_whole_queue_when_it_opens(
    org: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """After an issue the rule is looked at with the queue's length: for a priority number (nobody ahead
    of it) that is counted, not taken from its place."""
    setup = make_hall(org)
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        for number in ("clerk", "clerk2"):
            windows.window_sign_in(
                window=(setup.w1 if number == "clerk" else setup.w2), actor=setup.clerks[number]
            )
        with django_capture_on_commit_callbacks(execute=True):
            _issue(setup, 5)
            tickets.ticket_issue(
                hall=setup.hall, category=setup.general, source=TicketSource.KIOSK, priority="serviceman"
            )
    assert _reserve(setup).status == WindowStatus.OPEN
    opened = WindowEvent.objects.get(window=setup.reserve, kind=WindowEvent.Kind.TIDAL_OPENED)
    assert opened.data == {"waiting": 6, "wait_minutes": 30}


def test_a_new_number_never_closes_a_window(org: Any, django_capture_on_commit_callbacks: Any) -> None:
    """Taking a number only lengthens a queue: closing follows the calls (and the sweep)."""
    setup = make_hall(org)
    clerk = setup.clerks["clerk"]
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        windows.window_sign_in(window=setup.w1, actor=clerk)
        _issue(setup, 6)
        assert [c.opened for c in tidal_evaluate(hall_id=setup.hall.pk)] == [True]
    with time_machine.travel(at(MONDAY, 10, 0), tick=False):
        for _ in range(6):
            calling.ticket_call_next(window=setup.w1, actor=clerk)
            calling.ticket_finish(window=setup.w1, actor=clerk)
        with django_capture_on_commit_callbacks(execute=True):
            _issue(setup, 1)
        assert _reserve(setup).status == WindowStatus.OPEN
        with django_capture_on_commit_callbacks(execute=True):
            calling.ticket_call_next(window=setup.w1, actor=clerk)
    assert _reserve(setup).status == WindowStatus.CLOSED


def test_opens_on_predicted_wait(org: Any) -> None:
    setup = make_hall(org)
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        windows.window_sign_in(window=setup.w1, actor=setup.clerks["clerk"])  # one window serves A
        _issue(setup, 2)
        assert tidal_evaluate(hall_id=setup.hall.pk) == []  # 2 × 10 min / 1 window = 20 < 30
        _issue(setup, 1)
        changes = tidal_evaluate(hall_id=setup.hall.pk)
    # Only 3 waiting (< 6), but 3 × 10 minutes over one window reaches the 30-minute threshold.
    assert [(c.window, c.opened, c.waiting, c.wait_minutes) for c in changes] == [("08", True, 3, 30)]


def test_never_closes_with_someone_at_the_counter(org: Any) -> None:
    setup = make_hall(org)
    standby = setup.clerks["standby"]
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        windows.window_sign_in(window=setup.w1, actor=setup.clerks["clerk"])
        _issue(setup, 8)
        changes = tidal_evaluate(hall_id=setup.hall.pk)
        assert [(c.window, c.opened) for c in changes] == [("08", True)]
        calling.ticket_call_next(window=setup.reserve, actor=standby)
        # Everyone else leaves the queue: the threshold says close, but 08 is serving.
        for _ in range(7):
            calling.ticket_call_next(window=setup.w1, actor=setup.clerks["clerk"])
            calling.ticket_finish(window=setup.w1, actor=setup.clerks["clerk"])
        assert tidal_evaluate(hall_id=setup.hall.pk) == []
        assert _reserve(setup).status == WindowStatus.OPEN
        calling.ticket_finish(window=setup.reserve, actor=standby)
    with time_machine.travel(at(MONDAY, 9, 31), tick=False):  # past its minimum open time
        changes = tidal_evaluate(hall_id=setup.hall.pk)
    assert [(c.window, c.opened) for c in changes] == [("08", False)]


def test_thresholds_are_data_and_inactive_rules_do_nothing(org: Any) -> None:
    setup = make_hall(org)
    rule = setup.general.tidal_rule
    rule.is_active = False
    rule.save()
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        _issue(setup, 12)
        assert tidal_evaluate(hall_id=setup.hall.pk) == []
        rule.is_active = True
        rule.open_waiting = 20
        rule.open_wait_minutes = 500
        rule.save()
        assert tidal_evaluate(hall_id=setup.hall.pk) == []  # 12 waiting, 120 minutes: below the new bar
        rule.open_waiting = 12
        rule.save()
        assert [c.opened for c in tidal_evaluate(hall_id=setup.hall.pk)] == [True]


def test_standby_clerk_busy_elsewhere_is_not_pulled(org: Any) -> None:
    setup = make_hall(org)
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        windows.window_sign_in(window=setup.w2, actor=setup.clerks["standby"])
        _issue(setup, 10)
        assert tidal_evaluate(hall_id=setup.hall.pk) == []
    assert _reserve(setup).status == WindowStatus.CLOSED


def test_stays_open_for_its_minimum_time(org: Any) -> None:
    setup = make_hall(org)  # min_open_minutes defaults to 30
    clerk = setup.clerks["clerk"]
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        windows.window_sign_in(window=setup.w1, actor=clerk)
        _issue(setup, 6)
        assert [c.opened for c in tidal_evaluate(hall_id=setup.hall.pk)] == [True]
    with time_machine.travel(at(MONDAY, 9, 20), tick=False):
        for _ in range(6):
            calling.ticket_call_next(window=setup.w1, actor=clerk)
            calling.ticket_finish(window=setup.w1, actor=clerk)
        assert tidal_evaluate(hall_id=setup.hall.pk) == []  # the queue is empty, but only 20 minutes open
    with time_machine.travel(at(MONDAY, 9, 31), tick=False):
        assert [c.opened for c in tidal_evaluate(hall_id=setup.hall.pk)] == [False]
