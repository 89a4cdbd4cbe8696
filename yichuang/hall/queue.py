"""The queue's order and what it predicts: who is called next, how many are ahead, how long the wait.

Order (叫号顺序): the priority lane first (绿色通道), then appointments whose slot has begun, then the order
of taking the number (``queue_at``: kept on a transfer, moved to the back on a re-queue).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db.models import (
    Case,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce
from django.utils import timezone

from yichuang.hall import memo
from yichuang.hall.hours import local_day
from yichuang.hall.models import ServiceCategory, Ticket, TicketStatus, Window, WindowStatus

RECENT_SERVICES = 20


def queue_order(now: dt.datetime) -> list[str | Combinable]:
    return [
        Case(When(~Q(priority=""), then=Value(0)), default=Value(1), output_field=IntegerField()),
        Case(When(slot_at__lte=now, then=Value(0)), default=Value(1), output_field=IntegerField()),
        "queue_at",
        "id",
    ]


def window_queue(window: Window, now: dt.datetime | None = None) -> QuerySet[Ticket]:
    """The tickets this window would call, in calling order: its categories' waiting tickets (not those
    transferred to another window) and the tickets transferred to it."""
    now = now or timezone.now()
    serves = Q(category__in=window.categories.all(), target_window__isnull=True) | Q(target_window=window)
    return (
        Ticket.objects.filter(hall_id=window.hall_id, day=local_day(now), status=TicketStatus.WAITING)
        .filter(serves)
        .order_by(*queue_order(now))
    )


def category_queue(category: ServiceCategory, now: dt.datetime | None = None) -> QuerySet[Ticket]:
    now = now or timezone.now()
    return _category_waiting(category.pk, now).order_by(*queue_order(now))


def _category_waiting(category_id: int, now: dt.datetime) -> QuerySet[Ticket]:
    return Ticket.objects.filter(
        category_id=category_id, day=local_day(now), status=TicketStatus.WAITING, target_window__isnull=True
    )


def people_ahead(ticket: Ticket, now: dt.datetime | None = None) -> int:
    """How many waiting tickets of the ticket's queue come before it in calling order: one count, however
    long the queue. ``ticket`` may be unsaved (its place is then behind everyone with the same
    ``queue_at``)."""
    now = now or timezone.now()
    if ticket.status != TicketStatus.WAITING:
        return 0
    if ticket.target_window_id:
        queue = window_queue(ticket.target_window, now).order_by()  # type: ignore[arg-type]
    else:
        queue = _category_waiting(ticket.category_id, now)
    return queue.filter(_before(ticket, now)).count()


def _before(ticket: Ticket, now: dt.datetime) -> Q:
    """The tickets ahead of ``ticket`` in :func:`queue_order`: a lower lane, or the same lane and a lower
    appointment class, or the same of both and an earlier ``queue_at`` (then a lower id)."""
    priority_lane, no_priority_lane = ~Q(priority=""), Q(priority="")
    slot_due, slot_not_due = Q(slot_at__lte=now), Q(slot_at__isnull=True) | Q(slot_at__gt=now)
    if ticket.pk is None and not ticket.priority and not ticket.slot_at:
        # A new number in the ordinary lane: A | (¬A & (B | (¬B & C))) is A | B | C.
        return priority_lane | slot_due | Q(queue_at__lte=ticket.queue_at)
    earlier = Q(queue_at__lt=ticket.queue_at) | (
        Q(queue_at=ticket.queue_at, pk__lt=ticket.pk) if ticket.pk else Q(queue_at=ticket.queue_at)
    )
    same_slot_class = earlier & (slot_due if ticket.slot_at and ticket.slot_at <= now else slot_not_due)
    if not (ticket.slot_at and ticket.slot_at <= now):
        same_slot_class |= slot_due
    if ticket.priority:
        return priority_lane & same_slot_class
    return priority_lane | (no_priority_lane & same_slot_class)


def service_minutes(category: ServiceCategory, now: dt.datetime | None = None) -> float:
    """Average minutes per visitor over the category's last services today, else the admin's estimate."""
    now = now or timezone.now()
    duration = ExpressionWrapper(
        F("finished_at") - Coalesce("serving_at", "called_at"), output_field=DurationField()
    )
    recent = list(
        Ticket.objects.filter(category=category, day=local_day(now), status=TicketStatus.DONE)
        .order_by("-finished_at")
        .annotate(duration=duration)
        .values_list("duration", flat=True)[:RECENT_SERVICES]
    )
    if not recent:
        return float(category.service_minutes)
    seconds = sum(value.total_seconds() for value in recent if value is not None) / len(recent)
    return max(seconds / 60, 1.0)


def open_windows(category: ServiceCategory) -> int:
    return Window.objects.filter(categories=category, status=WindowStatus.OPEN, is_active=True).count()


@dataclass(frozen=True)
class Pace:
    """How fast a category's queue moves: minutes per visitor and the open windows serving it."""

    service_minutes: float
    windows: int

    def wait_minutes(self, ahead: int) -> int:
        """Minutes until someone with ``ahead`` people before him is called: each open window takes one of
        them per average service time."""
        return math.ceil(ahead * self.service_minutes / max(self.windows, 1))


def category_pace(category: ServiceCategory, now: dt.datetime | None = None) -> Pace:
    """The category's pace today, remembered in the hall memo until a window or a service changes it."""
    now = now or timezone.now()
    return memo.remembered(
        category.hall_id,
        ("pace", category.pk, local_day(now)),
        lambda: Pace(service_minutes(category, now), open_windows(category)),
    )


def predicted_wait_minutes(category: ServiceCategory, ahead: int, *, now: dt.datetime | None = None) -> int:
    """Minutes until someone with ``ahead`` people before him is called."""
    return category_pace(category, now).wait_minutes(ahead)


def waiting_by_category(hall_id: int, now: dt.datetime | None = None) -> dict[int, int]:
    from django.db.models import Count

    rows = (
        Ticket.objects.filter(hall_id=hall_id, day=local_day(now), status=TicketStatus.WAITING)
        .values("category_id")
        .annotate(n=Count("id"))
    )
    return {row["category_id"]: row["n"] for row in rows}
