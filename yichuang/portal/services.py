"""What a self-service terminal (自助终端) does: verify a case by its number and the applicant's ID number,
record every read and print of personal data, book an appointment for the person in front of it.

The terminal acts as itself: a :class:`TerminalActor` — not a user account, nobody signs in at a public
screen — named by its hall and address in the audit log. Taking a number goes through the hall's kiosk path
(``tickets.ticket_issue`` with source ``kiosk`` and no actor). Booking goes through
``appointments.appointment_book`` the way a desk clerk books for a caller: the terminal answers only the
capability that path asks for (``hall.issue``, "book for someone else"), so every rule of the hall's booking
(horizon, capacity, one booking per person and day, the no-show ban, idempotency) applies unchanged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from yichuang.cases import selectors as case_selectors
from yichuang.cases.models import Case
from yichuang.core.audit import audit_record
from yichuang.core.errors import ApplicationError, NotFoundError
from yichuang.core.masking import mask_text
from yichuang.hall import appointments
from yichuang.hall.models import Appointment, Hall, ServiceCategory
from yichuang.portal import limits
from yichuang.portal.selectors import TerminalDocument

# One answer for an unknown number and for a number with someone else's ID: nothing to enumerate.
NOT_FOUND_MESSAGE = "未找到与办件编号和证件号码相符的办件，请核对后重试"
LOCKED_MESSAGE = "本终端查询失败次数过多，请稍后再试（约%(minutes)d分钟后可再次查询）"
TERMINAL_CAPABILITIES = frozenset({"hall.issue"})


@dataclass(frozen=True)
class TerminalActor:
    """The terminal as the actor of what it does for a walk-in person: audit events name it (no user row),
    and the hall's services see a caller that may book for someone else and nothing more."""

    hall_code: str
    address: str
    pk: None = None
    is_authenticated: bool = True
    is_active: bool = True

    @property
    def username(self) -> str:
        return f"自助终端 {self.hall_code} {self.address}"[:150]

    def has_capability(self, capability: str) -> bool:
        return capability in TERMINAL_CAPABILITIES

    def __str__(self) -> str:
        return self.username


class LookupLockedError(ApplicationError):
    status = 429

    def __init__(self, wait_seconds: int) -> None:
        minutes = max(1, -(-wait_seconds // 60))
        super().__init__(
            LOCKED_MESSAGE % {"minutes": minutes},
            code="terminal_lookup_locked",
            extra={"retry_after": wait_seconds},
        )
        self.wait_seconds = wait_seconds


def _where(terminal: TerminalActor) -> dict[str, str]:
    return {"hall": terminal.hall_code, "terminal": terminal.address}


def terminal_case_verify(*, terminal: TerminalActor, number: str, identifier: str) -> Case:
    """The case whose number is ``number`` and whose applicant's ID number or credit code is ``identifier``.

    Refused while the terminal has failed too often (``LookupLockedError``); a miss counts as a failure,
    says the same for every cause and is audited; a hit is audited as a read of the applicant's data."""
    wait = limits.lookup_wait_seconds(terminal.address)
    if wait:
        raise LookupLockedError(wait)
    try:
        case = case_selectors.case_public_lookup(number=number, id_number=identifier)
    except NotFoundError:
        failures = limits.lookup_failed(terminal.address)
        audit_record(
            actor=terminal,
            action="terminal.case_lookup_failed",
            object_type="cases.case",
            data={"number": mask_text((number or "")[:43]), "failures": failures, **_where(terminal)},
        )
        raise NotFoundError(NOT_FOUND_MESSAGE, code="terminal_case_not_found") from None
    audit_record(
        actor=terminal,
        action="terminal.case_viewed",
        obj=case,
        data={"number": case.number, **_where(terminal)},
    )
    return case


def terminal_print_record(*, terminal: TerminalActor, case: Case, document: TerminalDocument) -> None:
    """Every document opened for printing at a terminal leaves an event on the document itself."""
    audit_record(
        actor=terminal,
        action="terminal.print",
        object_type=document.object_type,
        object_id=document.pk,
        data={
            "case": case.number,
            "document": document.kind,
            "title": document.title,
            "reference": document.reference,
            **_where(terminal),
        },
    )


def terminal_session_ended(*, terminal: TerminalActor, reason: str, held: list[str]) -> None:
    """The end of a visit that had opened personal data (a case, a document, a booking): when and why."""
    audit_record(
        actor=terminal,
        action="terminal.session_ended",
        object_type="portal.terminal",
        object_id=terminal.address,
        data={"reason": reason, "held": sorted(held), **_where(terminal)},
    )


def terminal_appointment_book(
    *,
    terminal: TerminalActor,
    hall: Hall,
    category: ServiceCategory,
    day: dt.date,
    starts_at: dt.time | str,
    holder_name: str,
    id_number: str,
    phone: str,
    idempotency_key: str | None,
    now: dt.datetime | None = None,
) -> Appointment:
    """Book a slot of this hall for the person at the terminal; a repeat of the same form (same idempotency
    key) returns the first booking."""
    if category.hall_id != hall.pk:
        raise ApplicationError(
            "该业务不在本大厅预约", code="invalid", fields={"category": ["请选择本大厅的业务"]}
        )
    return appointments.appointment_book(
        category=category,
        day=day,
        starts_at=starts_at,
        actor=terminal,
        holder_name=holder_name,
        id_number=id_number,
        phone=phone,
        idempotency_key=idempotency_key,
        now=now,
    )


def terminal_appointment_get(*, terminal: TerminalActor, hall: Hall, code: str) -> Appointment:
    appointment: Any = appointments.appointment_get_for(actor=terminal, code=code)
    if appointment.hall_id != hall.pk:
        raise NotFoundError("未找到该预约")
    return appointment
