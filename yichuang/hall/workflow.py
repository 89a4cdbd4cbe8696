"""The tickets' and windows' state machines as tables, and the one function that moves each.

A ticket: 等候中 → 已叫号 → 办理中 → 已办结; a called ticket that does not come is re-queued once (back to
等候中) and then 过号作废; a transfer puts it back to 等候中 for one window, keeping its place; a ticket
still waiting when the hall closes is 未等候离开 (abandonment), and its holder may cancel it before.
A window: 未开放 ⇄ 服务中 ⇄ 暂停服务, closed from either.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from yichuang.core.audit import audit_record, step_record, step_update
from yichuang.core.errors import ConflictError
from yichuang.hall import memo
from yichuang.hall.models import Ticket, TicketEvent, TicketStatus, Window, WindowEvent, WindowStatus

T = TicketStatus
TICKET_TRANSITIONS: dict[str, frozenset[str]] = {
    T.WAITING: frozenset({T.CALLED, T.CANCELLED, T.ABANDONED}),
    T.CALLED: frozenset({T.SERVING, T.DONE, T.WAITING, T.NO_SHOW}),
    T.SERVING: frozenset({T.DONE, T.WAITING}),
    T.DONE: frozenset(),
    T.NO_SHOW: frozenset(),
    T.ABANDONED: frozenset(),
    T.CANCELLED: frozenset(),
}

W = WindowStatus
WINDOW_TRANSITIONS: dict[str, frozenset[str]] = {
    W.CLOSED: frozenset({W.OPEN}),
    W.OPEN: frozenset({W.PAUSED, W.CLOSED}),
    W.PAUSED: frozenset({W.OPEN, W.CLOSED}),
}


def ticket_transition(
    *,
    ticket: Ticket,
    to: str,
    event: str,
    actor: Any,
    at: dt.datetime,
    changes: dict[str, Any] | None = None,
    note: str = "",
) -> TicketEvent:
    """Move a locked ``ticket`` to ``to`` (or keep its status when ``to`` equals it: a recall), apply
    ``changes``, write its event and the audit entry. Refuses any move the table does not allow."""
    if to != ticket.status and to not in TICKET_TRANSITIONS[ticket.status]:
        raise ConflictError(
            f"号码 {ticket.number} 当前为“{ticket.get_status_display()}”，不能执行此操作",
            code="ticket_state",
            extra={"status": ticket.status},
        )
    before = ticket.status
    fields = {"status", *(changes or {})}
    ticket.status = to
    for name, value in (changes or {}).items():
        setattr(ticket, name, value)
    step_update(ticket, fields)
    row = step_record(
        TicketEvent(ticket=ticket, kind=event, at=at, window=ticket.window, clerk=ticket.clerk, note=note)
    )
    audit_record(
        actor=actor,
        action=f"hall.ticket_{event}",
        obj=ticket,
        data={
            "number": ticket.number,
            "from": before,
            "to": to,
            "window": _window_number(ticket),
            "note": note,
        },
    )
    return row


def _window_number(ticket: Ticket) -> str:
    return ticket.window.number if ticket.window_id and ticket.window else ""


def window_transition(
    *,
    window: Window,
    to: str,
    event: str,
    actor: Any,
    at: dt.datetime,
    changes: dict[str, Any] | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
    category: Any = None,
) -> WindowEvent:
    """Move a locked ``window`` to ``to`` (the same status for a hand-over), log and audit it."""
    if to != window.status and to not in WINDOW_TRANSITIONS[window.status]:
        raise ConflictError(
            f"{window}当前为“{window.get_status_display()}”，不能执行此操作",
            code="window_state",
            extra={"status": window.status},
        )
    before = window.status
    memo.forget(window.hall_id)  # open windows and reserve windows are remembered per hall
    window.status = to
    window.status_changed_at = at
    for name, value in (changes or {}).items():
        setattr(window, name, value)
    step_update(window, {"status", "status_changed_at", *(changes or {})})
    row = step_record(
        WindowEvent(
            window=window,
            kind=event,
            at=at,
            clerk_id=window.clerk_id,
            actor_id=getattr(actor, "pk", None),
            category=category,
            note=note,
            data=data or {},
        )
    )
    audit_record(
        actor=actor,
        action=f"hall.window_{event}",
        obj=window,
        data={
            "number": window.number,
            "from": before,
            "to": to,
            "clerk_id": window.clerk_id,
            "note": note,
            **(data or {}),
        },
    )
    return row
