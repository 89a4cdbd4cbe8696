"""A closed case (市场监管局, decided by ``reviewer``) and a number served at window 01 (the centre's
``clerk``), ready to be rated."""

from __future__ import annotations

import itertools
from typing import Any

import time_machine

from yichuang.accounts.models import Applicant
from yichuang.accounts.tests.factories import ApplicantFactory, valid_id_number
from yichuang.cases import services as cases
from yichuang.cases.models import Case, CaseMaterialState
from yichuang.catalog.tests.helpers import publish_item
from yichuang.hall import calling, tickets, windows
from yichuang.hall.models import Ticket, TicketSource
from yichuang.hall.tests.helpers import MONDAY, HallSetup, at, make_hall

APPLICANT_PHONE = "13800138000"
_codes = itertools.count(1)


def closed_case(org: Any, *, channel: str = "window", phone: str = APPLICANT_PHONE) -> Case:
    applicant = Applicant.objects.filter(user=org.user("applicant")).first() or ApplicantFactory(
        user=org.user("applicant"), phone=phone, name="王建国"
    )
    item = publish_item(actor=org.user("admin"), department=org.scjg, basic_code=f"11A0001{next(_codes):05d}")
    case = cases.case_submit(actor=org.user("clerk"), item=item, applicant=applicant, channel=channel)
    cases.case_check_materials(
        actor=org.user("clerk"),
        case=case,
        findings={row.pk: (CaseMaterialState.ORIGINAL_CHECKED, "") for row in case.materials.all()},
    )
    cases.case_accept(actor=org.user("clerk"), case=case)
    cases.case_start_review(actor=org.user("reviewer"), case=case)
    cases.case_decide(actor=org.user("reviewer"), case=case, decision="approve")
    cases.case_result_ready(actor=org.user("reviewer"), case=case)
    return cases.case_deliver(actor=org.user("issuer"), case=case, method="pickup", recipient="王建国")


def served_ticket(org: Any, setup: HallSetup | None = None, **holder: Any) -> Ticket:
    """A number taken at 09:00 on Monday and finished at window 01 at 09:20."""
    setup = setup or make_hall(org, tidal=False)
    clerk = org.user("clerk")
    holder = holder or {
        "holder_name": "李秀英",
        "id_number": valid_id_number(birth="19800101"),
        "phone": "13900000001",
    }
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        ticket = tickets.ticket_issue(
            hall=setup.hall, category=setup.general, source=TicketSource.KIOSK, **holder
        )
        if setup.w1.status != "open":
            windows.window_sign_in(window=setup.w1, actor=clerk)
        calling.ticket_call_next(window=setup.w1, actor=clerk)
    with time_machine.travel(at(MONDAY, 9, 20), tick=False):
        calling.ticket_finish(window=setup.w1, actor=clerk)
    return Ticket.objects.select_related("window__department", "hall", "category", "clerk").get(pk=ticket.pk)
