"""The hotline ticket's state machine as a table, and the one function that moves a ticket.

受理 → 派单 → 签收 → 办理 (挂账) → 答复 → 回访 → 办结; a direct answer closes at intake; a return goes to
the hotline office's review, which re-dispatches (to the same department when the return is refused);
an unsatisfied call-back reopens the ticket (重办); a duplicate is merged into the open ticket it repeats.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from yichuang.core.audit import audit_record, step_record, step_update
from yichuang.core.errors import ConflictError
from yichuang.hotline.models_tickets import HotlineStatus, HotlineTicket, TicketStep

S = HotlineStatus
TRANSITIONS: dict[str, frozenset[str]] = {
    S.RECEIVED: frozenset({S.DISPATCHED, S.CLOSED, S.MERGED}),
    S.DISPATCHED: frozenset({S.HANDLING, S.RETURN_REVIEW, S.MERGED}),
    S.RETURN_REVIEW: frozenset({S.DISPATCHED}),
    S.HANDLING: frozenset({S.REPLIED, S.LONG_TERM}),
    S.LONG_TERM: frozenset({S.REPLIED}),
    S.REPLIED: frozenset({S.CLOSED, S.HANDLING}),
    S.CLOSED: frozenset(),
    S.MERGED: frozenset(),
}
# Steps recorded without a move (a co-handler's opinion, an extension, a reminder, a call not reached …).
STEPS_THAT_STAY = frozenset(
    {"co_sign", "co_reply", "extension_requested", "extension_decided", "remind", "supervise", "call_attempt"}
)


def ticket_transition(
    *,
    ticket: HotlineTicket,
    to: str,
    action: str,
    actor: Any,
    at: dt.datetime,
    changes: dict[str, Any] | None = None,
    note: str = "",
    department: Any = None,
    data: dict[str, Any] | None = None,
) -> TicketStep:
    """Move a locked ``ticket`` to ``to`` (or record a step that keeps its status), apply ``changes``, write
    its timeline step and the audit entry. Refuses any move the table does not allow."""
    stays = to == ticket.status and action in STEPS_THAT_STAY
    if not stays and to not in TRANSITIONS[ticket.status]:
        raise ConflictError(
            f"工单 {ticket.number} 当前为“{ticket.get_status_display()}”，不能执行此操作",
            code="ticket_state",
            extra={"status": ticket.status},
        )
    before = ticket.status
    ticket.status = to
    for name, value in (changes or {}).items():
        setattr(ticket, name, value)
    step_update(ticket, {"status", *(changes or {})})
    row = step_record(
        TicketStep(
            ticket=ticket,
            action=action,
            from_status=before,
            to_status=to,
            actor_id=getattr(actor, "pk", None),
            department=department,
            at=at,
            note=note,
            data=data or {},
        )
    )
    audit_record(
        actor=actor,
        action=f"hotline.ticket_{action}",
        obj=ticket,
        data={"number": ticket.number, "from": before, "to": to, "note": note[:200], **(data or {})},
    )
    return row
