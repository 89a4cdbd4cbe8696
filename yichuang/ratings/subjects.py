"""What was served, by whom, to whom: the facts a rating records, read from the service it rates.

One function per kind of service. The rater is the person served (the ticket's holder, the case's
applicant); a rating is 实名 when that person is known by ID number, credit code, phone or account.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from yichuang.cases.models import Case, CaseChannel, CaseStatus
from yichuang.core.errors import ApplicationError, NotFoundError
from yichuang.hall.models import Ticket, TicketStatus
from yichuang.hotline.models import AssignmentRole, HotlineTicket
from yichuang.ratings.models import ServiceMode, SubjectKind


@dataclass(frozen=True)
class Rater:
    user: Any = None
    name: str = ""
    id_number: str = ""
    credit_code: str = ""
    phone: str = ""
    kind: str = ""

    @property
    def is_real_name(self) -> bool:
        return bool(self.user is not None or self.id_number or self.credit_code or self.phone)


@dataclass(frozen=True)
class Served:
    kind: str
    id: int
    label: str
    department: Any
    served_at: dt.datetime
    mode: str
    rater: Rater
    staff: Any = None
    window_number: str = ""
    hall_code: str = ""
    item: Any = None
    case_number: str = ""
    case_kind: str = ""


def served_hall_ticket(ticket: Ticket) -> Served:
    """A number served at a window (一次一评): the window's department and clerk answer for it."""
    if ticket.status != TicketStatus.DONE or ticket.window is None or ticket.finished_at is None:
        raise ApplicationError("该号码的业务尚未办结，办结后才能评价", code="not_served")
    window = ticket.window
    return Served(
        kind=SubjectKind.HALL_TICKET,
        id=ticket.pk,
        label=f"{ticket.number} {ticket.category.name}",
        department=window.department,
        served_at=ticket.finished_at,
        mode=ServiceMode.OFFLINE,
        staff=ticket.clerk,
        window_number=window.number,
        hall_code=ticket.hall.code,
        rater=Rater(
            user=ticket.user,
            name=ticket.holder_name,
            id_number=ticket.id_number,
            phone=ticket.phone,
            kind="natural",
        ),
    )


def served_case(case: Case) -> Served:
    """A closed case (一事一评): its department and whoever decided it answer for it."""
    if case.status != CaseStatus.CLOSED or case.closed_at is None:
        raise ApplicationError("办件办结后才能评价", code="not_served")
    applicant = case.applicant
    online = case.channel in (CaseChannel.ONLINE, CaseChannel.MOBILE)
    return Served(
        kind=SubjectKind.CASE,
        id=case.pk,
        label=f"{case.number} {case.item.name}",
        department=case.department,
        served_at=case.closed_at,
        mode=ServiceMode.ONLINE if online else ServiceMode.OFFLINE,
        staff=case.decided_by or case.reviewer or case.accepted_by,
        item=case.item,
        case_number=case.number,
        case_kind=case.kind,
        rater=Rater(
            user=applicant.user,
            name=applicant.name,
            id_number=applicant.id_number or "",
            credit_code=applicant.credit_code or "",
            phone=applicant.phone,
            kind=applicant.kind,
        ),
    )


def served_hotline_ticket(ticket: HotlineTicket) -> Served:
    """A 12345 ticket answered by its lead department: that department and whoever replied answer for it."""
    if ticket.replied_at is None or ticket.lead is None:
        raise ApplicationError("该工单尚未答复，答复后才能评价", code="not_served")
    replied = (
        ticket.assignments.filter(role=AssignmentRole.LEAD, replied_at__isnull=False)
        .select_related("replied_by")
        .order_by("-replied_at")
        .first()
    )
    return Served(
        kind=SubjectKind.HOTLINE_TICKET,
        id=ticket.pk,
        label=f"{ticket.number} {ticket.title}"[:200],
        department=ticket.lead,
        served_at=ticket.replied_at,
        mode=ServiceMode.OFFLINE,
        staff=replied.replied_by if replied is not None else None,
        rater=Rater(
            user=ticket.caller_user,
            name="" if ticket.anonymous else ticket.caller_name,
            phone="" if ticket.anonymous else ticket.caller_phone,
            kind="natural",
        ),
    )


def served(kind: str, subject_id: int) -> Served:
    """The service ``kind``/``subject_id`` as a rating sees it."""
    if kind == SubjectKind.HALL_TICKET:
        ticket = (
            Ticket.objects.select_related("hall", "category", "window__department", "clerk", "user")
            .filter(pk=subject_id)
            .first()
        )
        if ticket is None:
            raise NotFoundError("未找到该号码")
        return served_hall_ticket(ticket)
    if kind == SubjectKind.CASE:
        case = (
            Case.objects.select_related(
                "item", "department", "applicant__user", "decided_by", "reviewer", "accepted_by"
            )
            .filter(pk=subject_id)
            .first()
        )
        if case is None:
            raise NotFoundError("未找到该办件")
        return served_case(case)
    if kind == SubjectKind.HOTLINE_TICKET:
        hotline_ticket = (
            HotlineTicket.objects.select_related("lead", "caller_user").filter(pk=subject_id).first()
        )
        if hotline_ticket is None:
            raise NotFoundError("未找到该工单")
        return served_hotline_ticket(hotline_ticket)
    raise NotFoundError("不支持评价该类服务")
