"""The hall sweep: after closing time waiting numbers are abandoned, called ones lapse, idle windows are
signed out; during the day it changes nothing but the tidal windows."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from yichuang.hall import calling, tickets, windows
from yichuang.hall.models import Ticket, TicketSource, TicketStatus, Window, WindowStatus
from yichuang.hall.sweep import hall_sweep
from yichuang.hall.tests.helpers import MONDAY, at, make_hall

pytestmark = pytest.mark.django_db


def test_end_of_day(org: Any) -> None:
    setup = make_hall(org, tidal=False)
    clerk = setup.clerks["clerk"]
    with time_machine.travel(at(MONDAY, 18, 0), tick=False):
        waiting = tickets.ticket_issue(hall=setup.hall, category=setup.general, source=TicketSource.KIOSK)
        called = tickets.ticket_issue(hall=setup.hall, category=setup.general, source=TicketSource.KIOSK)
        windows.window_sign_in(window=setup.w1, actor=clerk)
        windows.window_sign_in(window=setup.w2, actor=setup.clerks["clerk2"])
        assert calling.ticket_call_next(window=setup.w2, actor=setup.clerks["clerk2"]).pk == waiting.pk
        calling.ticket_finish(window=setup.w2, actor=setup.clerks["clerk2"])
        waiting = tickets.ticket_issue(hall=setup.hall, category=setup.general, source=TicketSource.KIOSK)
        assert calling.ticket_call_next(window=setup.w1, actor=clerk).pk == called.pk
        assert hall_sweep()["abandoned"] == 0  # still open (延时服务 until 18:30)
    with time_machine.travel(at(MONDAY, 18, 45), tick=False):
        report = hall_sweep()
        assert hall_sweep()["abandoned"] == 0  # idempotent
    assert report["abandoned"] == 2
    assert Ticket.objects.get(pk=waiting.pk).status == TicketStatus.ABANDONED
    assert Ticket.objects.get(pk=called.pk).status == TicketStatus.NO_SHOW
    # Both windows are signed out: 02 was idle, and 01's called number lapsed first in the same run.
    assert report["windows_closed"] == 2
    assert set(Window.objects.filter(status=WindowStatus.CLOSED).values_list("number", flat=True)) >= {
        "01",
        "02",
    }
