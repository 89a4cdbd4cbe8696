"""The hall's periodic sweep (``manage.py hall_sweep``, every few minutes by cron or the task queue).

- Numbers still waiting when their hall has closed for the day become 未等候离开 (abandonment, counted in
  the figures); numbers called but never served lapse (过号作废).
- Windows left open after closing time are signed out (a window with someone at the counter is left).
- Booked appointments whose slot has passed become 爽约 (``appointments.appointments_mark_no_show``).
- Tidal rules are evaluated for every open hall (they are also evaluated after every queue change).

Idempotent: a second run finds nothing more to do.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from yichuang.core.audit import audit_batch
from yichuang.hall import hours
from yichuang.hall.appointments import appointments_mark_no_show
from yichuang.hall.models import Hall, Ticket, TicketEvent, TicketStatus, Window, WindowEvent, WindowStatus
from yichuang.hall.tidal import tidal_evaluate
from yichuang.hall.workflow import ticket_transition, window_transition

logger = logging.getLogger("yichuang.hall.sweep")
BATCH = 500


def _closed_for_the_day(hall: Hall, now: dt.datetime) -> dt.date:
    """The last day whose service is over at ``now``: today once closing time has passed, else yesterday."""
    local = timezone.localtime(now)
    today_hours = hours.hours_on(hall, local.date())
    if today_hours is None or local.time() >= today_hours[1]:
        return local.date()
    return local.date() - dt.timedelta(days=1)


def _lapse_tickets(hall: Hall, through: dt.date, now: dt.datetime) -> int:
    moves = {
        TicketStatus.WAITING: (TicketStatus.ABANDONED, TicketEvent.Kind.ABANDONED),
        TicketStatus.CALLED: (TicketStatus.NO_SHOW, TicketEvent.Kind.NO_SHOW),
    }
    done = 0
    while True:
        with transaction.atomic(), audit_batch():
            rows = list(
                Ticket.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(hall=hall, day__lte=through, status__in=list(moves))
                .select_related("window")[:BATCH]
            )
            for ticket in rows:
                to, event = moves[TicketStatus(ticket.status)]
                ticket_transition(
                    ticket=ticket,
                    to=to,
                    event=event,
                    actor=None,
                    at=now,
                    changes={"finished_at": now},
                    note="大厅已下班",
                )
        done += len(rows)
        if len(rows) < BATCH:
            return done


def _close_windows(hall: Hall, now: dt.datetime) -> int:
    closed = 0
    with transaction.atomic(), audit_batch():
        busy = set(
            Ticket.objects.filter(
                hall=hall, status__in=[TicketStatus.CALLED, TicketStatus.SERVING]
            ).values_list("window_id", flat=True)
        )
        for window in (
            Window.objects.select_for_update().filter(hall=hall).exclude(status=WindowStatus.CLOSED)
        ):
            if window.pk in busy:
                continue
            window_transition(
                window=window,
                to=WindowStatus.CLOSED,
                event=WindowEvent.Kind.CLOSED,
                actor=None,
                at=now,
                changes={"clerk": None, "pause_reason": "", "opened_by_tidal": False, "rating_ticket": None},
                note="下班自动签退",
            )
            closed += 1
    return closed


def hall_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    report = {"abandoned": 0, "windows_closed": 0, "tidal_changes": 0, "appointments_no_show": 0}
    for hall in Hall.objects.filter(is_active=True):
        through = _closed_for_the_day(hall, now)
        report["abandoned"] += _lapse_tickets(hall, through, now)
        if not hours.is_open(hall, now):
            report["windows_closed"] += _close_windows(hall, now)
        else:
            report["tidal_changes"] += len(tidal_evaluate(hall_id=hall.pk, now=now))
    report["appointments_no_show"] = appointments_mark_no_show(now=now)
    return report
