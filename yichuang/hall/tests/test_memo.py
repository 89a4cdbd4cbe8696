"""The hall memo: a kiosk burst reads a category's pace and tidal rule once, and every change they depend on
(a window's status, a finished service, an admin edit of windows or rules) is seen by the next number."""

from __future__ import annotations

import json
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from yichuang.hall import calling, queue, tickets, windows
from yichuang.hall.models import TicketSource, TidalRule, Window, WindowStatus
from yichuang.hall.tests.helpers import MONDAY, at, make_hall

pytestmark = pytest.mark.django_db


def _issue(setup: Any, category: Any = None) -> Any:
    return tickets.ticket_issue(
        hall=setup.hall, category=category or setup.general, source=TicketSource.KIOSK
    )


@pytest.mark.parametrize("tidal", [True, False], ids=["with a rule", "without a rule"])
def test_a_burst_reads_the_pace_once(org: Any, django_capture_on_commit_callbacks: Any, tidal: bool) -> None:
    setup = make_hall(org, tidal=tidal)
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        windows.window_sign_in(window=setup.w1, actor=setup.clerks["clerk"])
        with django_capture_on_commit_callbacks(execute=True):
            _issue(setup)
        with CaptureQueriesContext(connection) as later, django_capture_on_commit_callbacks(execute=True):
            ticket = _issue(setup)
    tables = " ".join(query["sql"] for query in later.captured_queries)
    assert "hall_window" not in tables and "hall_tidalrule" not in tables  # remembered
    assert tickets.issued_info(ticket).wait_minutes == 10  # 1 ahead × 10 minutes, one window


def test_window_changes_and_services_change_the_pace(org: Any) -> None:
    setup = make_hall(org, tidal=False)
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        windows.window_sign_in(window=setup.w1, actor=setup.clerks["clerk"])
        for _ in range(3):
            _issue(setup)
        assert queue.category_pace(setup.general) == queue.Pace(10.0, 1)
        windows.window_sign_in(window=setup.w2, actor=setup.clerks["clerk2"])
        assert queue.category_pace(setup.general) == queue.Pace(10.0, 2)
        calling.ticket_call_next(window=setup.w1, actor=setup.clerks["clerk"])
    with time_machine.travel(at(MONDAY, 9, 4), tick=False):
        calling.ticket_finish(window=setup.w1, actor=setup.clerks["clerk"])
        assert queue.category_pace(setup.general) == queue.Pace(4.0, 2)  # one service of 4 minutes
        # Admin edits: window 02 stops serving 综合受理, serves it again, is taken out of service.
        setup.w2.categories.remove(setup.general)
        assert queue.category_pace(setup.general) == queue.Pace(4.0, 1)
        setup.general.windows.add(setup.w2)  # from the category's side
        assert queue.category_pace(setup.general) == queue.Pace(4.0, 2)
        w2 = Window.objects.get(pk=setup.w2.pk)
        w2.is_active = False
        w2.save()
        assert queue.category_pace(setup.general) == queue.Pace(4.0, 1)


def test_an_edited_rule_is_seen_by_the_next_number(org: Any, django_capture_on_commit_callbacks: Any) -> None:
    setup = make_hall(org)  # opens at 6 waiting
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        windows.window_sign_in(window=setup.w1, actor=setup.clerks["clerk"])
        windows.window_sign_in(window=setup.w2, actor=setup.clerks["clerk2"])
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(3):
                _issue(setup)
        assert Window.objects.get(pk=setup.reserve.pk).status == WindowStatus.CLOSED
        rule = TidalRule.objects.get(category=setup.general)
        rule.open_waiting = 4
        rule.save()
        with django_capture_on_commit_callbacks(execute=True):
            _issue(setup)
        assert Window.objects.get(pk=setup.reserve.pk).status == WindowStatus.OPEN


def test_the_kiosk_sees_a_category_or_hall_taken_out_of_service(org: Any) -> None:
    setup = make_hall(org)

    def take(category: str = "general") -> Any:
        body = json.dumps({"hall": setup.hall.code, "category": category})
        return Client().post("/api/v1/hall/tickets", data=body, content_type="application/json")

    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        assert take().status_code == 201  # the category is remembered by its codes now
        setup.general.is_active = False
        setup.general.save()
        refused = take()
        assert refused.status_code == 400 and "category" in refused.json()["error"]["fields"]
        assert take("estate").status_code == 201
        setup.hall.is_active = False
        setup.hall.save()
        assert take("estate").status_code == 404
