"""叫号: what a clerk does at the window — call next, recall, start, skip (re-queued once), transfer to
another window keeping the place, finish (which opens the rating page at that window).

Two windows calling at the same instant never get the same ticket: the call is a conditional update
(``status = waiting``) on the first candidate, and the loser tries the next.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from yichuang.core.audit import audited_atomic, step_update
from yichuang.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from yichuang.hall import memo, queue
from yichuang.hall.models import Ticket, TicketEvent, TicketStatus, Window, WindowStatus
from yichuang.hall.tickets import after_queue_change, notify_near
from yichuang.hall.windows import current_ticket
from yichuang.hall.workflow import ticket_transition

REQUEUE_LIMIT = 1
CANDIDATES = 5


def _serving_window(window: Window, actor: Any) -> Window:
    locked = Window.objects.select_related("hall").select_for_update(of=("self",)).get(pk=window.pk)
    if locked.clerk_id != getattr(actor, "pk", None):
        raise PermissionDeniedError(f"您未在{locked}签到，不能在此叫号")
    return locked


def _at_counter(window: Window) -> Ticket:
    ticket = current_ticket(window)
    if ticket is None:
        raise ConflictError(f"{window}当前没有正在叫号或办理的号码", code="no_current_ticket")
    locked = (
        Ticket.objects.select_related("category", "window").select_for_update(of=("self",)).get(pk=ticket.pk)
    )
    return locked


@audited_atomic
def ticket_call_next(*, window: Window, actor: Any, now: dt.datetime | None = None) -> Ticket | None:
    """Call the next ticket for this window; None when nobody is waiting for it."""
    now = now or timezone.now()
    locked = _serving_window(window, actor)
    if locked.status != WindowStatus.OPEN:
        raise ConflictError(
            f"{locked}处于“{locked.get_status_display()}”状态，请先恢复服务", code="window_state"
        )
    held = current_ticket(locked)
    if held is not None:
        raise ConflictError(f"请先办结、过号或转窗当前号码 {held.number}", code="window_busy")
    while True:
        candidates = list(queue.window_queue(locked, now).values_list("pk", flat=True)[:CANDIDATES])
        if not candidates:
            if locked.rating_ticket_id:
                locked.rating_ticket = None
                step_update(locked, {"rating_ticket"})
            return None
        for pk in candidates:
            # Claim it only if it is still waiting: another window may have taken it a moment ago.
            if Ticket.objects.filter(pk=pk, status=TicketStatus.WAITING).update(status=TicketStatus.CALLED):
                ticket = Ticket.objects.select_related("category", "category__hall").get(pk=pk)
                ticket.status = TicketStatus.WAITING  # the claim; the transition records the move
                ticket_transition(
                    ticket=ticket,
                    to=TicketStatus.CALLED,
                    event=TicketEvent.Kind.CALLED,
                    actor=actor,
                    at=now,
                    changes={
                        "window": locked,
                        "clerk": actor,
                        "called_at": ticket.called_at or now,
                        "target_window": None,
                    },
                )
                locked.rating_ticket = None
                step_update(locked, {"rating_ticket"})
                notify_near(ticket.category, now)
                transaction.on_commit(lambda: after_queue_change(locked.hall_id, now))
                return ticket


@audited_atomic
def ticket_recall(*, window: Window, actor: Any, now: dt.datetime | None = None) -> Ticket:
    """重呼: announce the called number again."""
    locked = _serving_window(window, actor)
    ticket = _at_counter(locked)
    if ticket.status != TicketStatus.CALLED:
        raise ConflictError(f"号码 {ticket.number} 已在办理中，无需重呼", code="ticket_state")
    ticket_transition(
        ticket=ticket,
        to=TicketStatus.CALLED,
        event=TicketEvent.Kind.RECALLED,
        actor=actor,
        at=now or timezone.now(),
        changes={"recalls": ticket.recalls + 1},
    )
    return ticket


@audited_atomic
def ticket_start(*, window: Window, actor: Any, now: dt.datetime | None = None) -> Ticket:
    """The called person has come to the counter: service starts."""
    locked = _serving_window(window, actor)
    ticket = _at_counter(locked)
    at = now or timezone.now()
    ticket_transition(
        ticket=ticket,
        to=TicketStatus.SERVING,
        event=TicketEvent.Kind.SERVING,
        actor=actor,
        at=at,
        changes={"serving_at": at},
    )
    return ticket


@audited_atomic
def ticket_skip(*, window: Window, actor: Any, now: dt.datetime | None = None) -> Ticket:
    """过号: the called person did not come. Re-queued at the back once; the second time the ticket lapses."""
    now = now or timezone.now()
    locked = _serving_window(window, actor)
    ticket = _at_counter(locked)
    if ticket.status != TicketStatus.CALLED:
        raise ConflictError(f"号码 {ticket.number} 已在办理中，不能过号", code="ticket_state")
    if ticket.requeues < REQUEUE_LIMIT:
        ticket_transition(
            ticket=ticket,
            to=TicketStatus.WAITING,
            event=TicketEvent.Kind.REQUEUED,
            actor=actor,
            at=now,
            changes={"requeues": ticket.requeues + 1, "queue_at": now, "window": None, "clerk": None},
            note=f"{locked.number}号窗口叫号未到，重新排队",
        )
    else:
        ticket_transition(
            ticket=ticket,
            to=TicketStatus.NO_SHOW,
            event=TicketEvent.Kind.NO_SHOW,
            actor=actor,
            at=now,
            changes={"finished_at": now},
            note="再次过号，号码作废",
        )
    transaction.on_commit(lambda: after_queue_change(locked.hall_id, now))
    return ticket


@audited_atomic
def ticket_transfer(
    *, window: Window, actor: Any, to_window: Window, note: str = "", now: dt.datetime | None = None
) -> Ticket:
    """转窗: the person is sent to another window and waits there in the place his number had."""
    now = now or timezone.now()
    locked = _serving_window(window, actor)
    ticket = _at_counter(locked)
    target = Window.objects.get(pk=to_window.pk)
    if target.pk == locked.pk or target.hall_id != locked.hall_id or not target.is_active:
        raise ApplicationError(
            "请选择本大厅的其他窗口", code="invalid", fields={"to_window": ["请选择本大厅的其他窗口"]}
        )
    if target.status == WindowStatus.CLOSED:
        raise ConflictError(
            f"{target}未开放，不能转入", code="window_state", fields={"to_window": ["该窗口未开放"]}
        )
    reason = (note or "").strip()[:150]
    ticket_transition(
        ticket=ticket,
        to=TicketStatus.WAITING,
        event=TicketEvent.Kind.TRANSFERRED,
        actor=actor,
        at=now,
        changes={"target_window": target, "window": None, "clerk": None, "transfers": ticket.transfers + 1},
        note=f"由{locked.number}号窗口转至{target.number}号窗口" + (f"：{reason}" if reason else ""),
    )
    return ticket


@audited_atomic
def ticket_finish(*, window: Window, actor: Any, now: dt.datetime | None = None) -> Ticket:
    """办结: the service at the counter is over; the window's counter screen turns to its rating page."""
    now = now or timezone.now()
    locked = _serving_window(window, actor)
    ticket = _at_counter(locked)
    ticket_transition(
        ticket=ticket,
        to=TicketStatus.DONE,
        event=TicketEvent.Kind.DONE,
        actor=actor,
        at=now,
        changes={"finished_at": now, "serving_at": ticket.serving_at or ticket.called_at or now},
    )
    locked.rating_ticket = ticket
    step_update(locked, {"rating_ticket"})
    memo.forget(locked.hall_id)  # the category's pace counts the services finished today
    transaction.on_commit(lambda: after_queue_change(locked.hall_id, now))
    return ticket
