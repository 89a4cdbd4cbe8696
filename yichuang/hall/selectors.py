"""What the hall's screens read: the display board, a window's counter screen and the clerk's desk.

Plain read functions, each a handful of queries whatever the number of tickets, calls or windows: the
board is polled every two seconds by every screen in the hall. The expected waits are the ones the
queue predicts (``queue.predicted_wait_minutes``), computed for every category at once.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models import Window as SqlWindow
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from yichuang.accounts.models import User
from yichuang.accounts.roles import ROLE_CAPABILITIES
from yichuang.core.errors import ApplicationError, NotFoundError
from yichuang.hall import hours, memo, queue, tickets
from yichuang.hall.models import (
    Hall,
    ServiceCategory,
    Ticket,
    TicketEvent,
    TicketStatus,
    Window,
    WindowStatus,
)
from yichuang.hall.windows import current_ticket, may_serve_at

BOARD_CALLS = 8
DESK_QUEUE = 20
CALL_KINDS = (TicketEvent.Kind.CALLED, TicketEvent.Kind.RECALLED)
AT_COUNTER = (TicketStatus.CALLED, TicketStatus.SERVING)
_STATUS_SALT = "yichuang.hall.ticket-status"
_TOKEN_LENGTH = 12


# ——— halls ———


def halls_active() -> QuerySet[Hall]:
    return Hall.objects.filter(is_active=True).order_by("code")


def category_by_codes(hall_code: str, category_code: str) -> ServiceCategory | None:
    """An active hall's category (with its hall) by their codes, as a kiosk names them; remembered in the
    hall memo's directory (the service checks the category is active)."""
    return memo.remembered(
        memo.DIRECTORY,
        ("category", hall_code, category_code),
        lambda: (
            ServiceCategory.objects.filter(hall__code=hall_code, hall__is_active=True, code=category_code)
            .select_related("hall")
            .first()
        ),
        keep_none=False,  # a category added later is found at once
    )


def hall_for_screen(code: str | None) -> Hall | None:
    """The hall a screen shows: the one named by ``code``, or the only active hall; None when there are
    several and none was named (the screen then lists them)."""
    if code:
        hall = Hall.objects.filter(code=code, is_active=True).first()
        if hall is None:
            raise NotFoundError("未找到该服务大厅")
        return hall
    halls = list(halls_active()[:2])
    if not halls:
        raise NotFoundError("尚未设置服务大厅")
    return halls[0] if len(halls) == 1 else None


def hall_hours(hall: Hall, now: dt.datetime | None = None) -> tuple[bool, str]:
    """(open now, today's hours as text); a day the calendar does not know reads as closed."""
    now = now or timezone.now()
    try:
        return hours.is_open(hall, now), hours.hours_label(hall, hours.local_day(now))
    except ApplicationError:
        return False, "今日不开放"


# ——— the status page's token ———


def ticket_token(ticket_id: int) -> str:
    """A short HMAC of the ticket's id: the status page's address cannot be guessed from the number."""
    return signing.Signer(salt=_STATUS_SALT).signature(str(ticket_id))[:_TOKEN_LENGTH]


def ticket_by_token(ticket_id: int, token: str) -> Ticket:
    if not constant_time_compare(ticket_token(ticket_id), token or ""):
        raise NotFoundError("未找到该号码")
    ticket = (
        Ticket.objects.select_related("hall", "category", "window", "target_window")
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None:
        raise NotFoundError("未找到该号码")
    return ticket


# ——— categories: waiting and expected wait, all at once ———


@dataclass(frozen=True)
class CategoryLine:
    category: ServiceCategory
    waiting: int  # everyone waiting for it (including those transferred to one window)
    in_line: int  # the category's own line: a new ticket has this many people ahead
    open_windows: int
    wait_minutes: int


def _service_minutes(categories: list[ServiceCategory], day: dt.date) -> dict[int, float]:
    """``queue.service_minutes`` for every category in one query (the last services of each today)."""
    duration = ExpressionWrapper(
        F("finished_at") - Coalesce("serving_at", "called_at"), output_field=DurationField()
    )
    rows = (
        Ticket.objects.filter(category__in=categories, day=day, status=TicketStatus.DONE)
        .annotate(
            duration=duration,
            recent=SqlWindow(RowNumber(), partition_by=[F("category_id")], order_by=F("finished_at").desc()),
        )
        .filter(recent__lte=queue.RECENT_SERVICES)
        .values_list("category_id", "duration")
    )
    durations: dict[int, list[dt.timedelta | None]] = defaultdict(list)
    for category_id, value in rows:
        durations[category_id].append(value)
    minutes = {}
    for category in categories:
        recent = durations.get(category.pk)
        if not recent:
            minutes[category.pk] = float(category.service_minutes)
            continue
        seconds = sum(value.total_seconds() for value in recent if value is not None) / len(recent)
        minutes[category.pk] = max(seconds / 60, 1.0)
    return minutes


def category_lines(hall: Hall, now: dt.datetime | None = None) -> list[CategoryLine]:
    now = now or timezone.now()
    day = hours.local_day(now)
    categories = list(ServiceCategory.objects.filter(hall=hall, is_active=True))
    counts = {
        row["category_id"]: row
        for row in Ticket.objects.filter(hall=hall, day=day, status=TicketStatus.WAITING)
        .values("category_id")
        .annotate(waiting=Count("id"), in_line=Count("id", filter=Q(target_window__isnull=True)))
    }
    serving = {
        row["servicecategory_id"]: row["n"]
        for row in Window.categories.through.objects.filter(
            window__hall=hall, window__is_active=True, window__status=WindowStatus.OPEN
        )
        .values("servicecategory_id")
        .annotate(n=Count("window_id"))
    }
    per_visitor = _service_minutes(categories, day) if categories else {}
    lines = []
    for category in categories:
        row = counts.get(category.pk, {})
        in_line = row.get("in_line", 0)
        windows = serving.get(category.pk, 0)
        lines.append(
            CategoryLine(
                category=category,
                waiting=row.get("waiting", 0),
                in_line=in_line,
                open_windows=windows,
                wait_minutes=math.ceil(in_line * per_visitor[category.pk] / max(windows, 1)),
            )
        )
    return lines


# ——— the display board ———


@dataclass(frozen=True)
class CallLine:
    event_id: int
    number: str
    window_number: str
    window_name: str
    recall: bool
    at: dt.datetime

    @property
    def window_spoken(self) -> str:
        """The window's number as said aloud: 01 → 1."""
        return self.window_number.lstrip("0") or "0"


@dataclass(frozen=True)
class WindowLine:
    window: Window
    current: Ticket | None


@dataclass
class BoardState:
    hall: Hall
    now: dt.datetime
    is_open: bool
    hours_label: str
    calls: list[CallLine] = field(default_factory=list)
    categories: list[CategoryLine] = field(default_factory=list)
    windows: list[WindowLine] = field(default_factory=list)

    @property
    def latest(self) -> CallLine | None:
        return self.calls[0] if self.calls else None

    @property
    def waiting_total(self) -> int:
        return sum(line.waiting for line in self.categories)


def _window_lines(windows: list[Window], day: dt.date) -> list[WindowLine]:
    at_counter = {
        ticket.window_id: ticket
        for ticket in Ticket.objects.filter(
            window__in=windows, day=day, status__in=AT_COUNTER
        ).select_related("category")
    }
    return [WindowLine(window=window, current=at_counter.get(window.pk)) for window in windows]


def board_state(hall: Hall, now: dt.datetime | None = None) -> BoardState:
    """The latest calls (recalls too, newest first), the waiting and expected wait per category and the
    windows in service with their current number."""
    now = now or timezone.now()
    day = hours.local_day(now)
    is_open, label = hall_hours(hall, now)
    events = (
        TicketEvent.objects.filter(
            ticket__hall=hall, ticket__day=day, kind__in=CALL_KINDS, window__isnull=False
        )
        .select_related("ticket", "window")
        .order_by("-at", "-id")[:BOARD_CALLS]
    )
    calls = [
        CallLine(
            event_id=event.pk,
            number=event.ticket.number,
            window_number=event.window.number,  # type: ignore[union-attr]
            window_name=event.window.name,  # type: ignore[union-attr]
            recall=event.kind == TicketEvent.Kind.RECALLED,
            at=event.at,
        )
        for event in events
    ]
    windows = list(
        Window.objects.filter(hall=hall, is_active=True)
        .exclude(status=WindowStatus.CLOSED)
        .select_related("clerk")
        .order_by("position", "number")
    )
    return BoardState(
        hall=hall,
        now=now,
        is_open=is_open,
        hours_label=label,
        calls=calls,
        categories=category_lines(hall, now),
        windows=_window_lines(windows, day),
    )


# ——— a window's counter screen ———


@dataclass
class CounterState:
    window: Window
    current: Ticket | None
    rating_ticket: Ticket | None
    now: dt.datetime

    @property
    def rating_open(self) -> bool:
        return self.rating_ticket is not None and self.current is None


def window_for_screen(window_id: int) -> Window:
    window = (
        Window.objects.select_related("hall", "clerk", "rating_ticket", "rating_ticket__category")
        .filter(pk=window_id, is_active=True, hall__is_active=True)
        .first()
    )
    if window is None:
        raise NotFoundError("未找到该窗口")
    return window


def counter_state(window: Window, now: dt.datetime | None = None) -> CounterState:
    now = now or timezone.now()
    current = None
    if window.status != WindowStatus.CLOSED:
        current = current_ticket(window)
    return CounterState(window=window, current=current, rating_ticket=window.rating_ticket, now=now)


# ——— the clerk's desk ———


@dataclass(frozen=True)
class QueueLine:
    ticket: Ticket
    waited_minutes: int


@dataclass
class DeskState:
    user: Any
    now: dt.datetime
    window: Window | None
    may_serve: list[Window] = field(default_factory=list)
    current: Ticket | None = None
    queue: list[QueueLine] = field(default_factory=list)
    queue_total: int = 0
    transfer_to: list[Window] = field(default_factory=list)
    colleagues: list[User] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    is_open: bool = False
    hours_label: str = ""


def windows_to_serve(user: Any) -> list[Window]:
    """The active windows of the active halls where ``user`` may sign in."""
    windows = Window.objects.filter(is_active=True, hall__is_active=True).select_related(
        "hall", "department", "clerk"
    )
    return [
        window
        for window in windows.order_by("hall__code", "position", "number")
        if may_serve_at(user, window)
    ]


def _colleagues(window: Window, user: Any) -> list[User]:
    """Staff who may take the window over: they may serve at it and are not at another window."""
    roles = [role for role, capabilities in ROLE_CAPABILITIES.items() if "hall.serve" in capabilities]
    busy = Window.objects.filter(clerk__isnull=False).values("clerk_id")
    candidates = (
        User.objects.filter(is_active=True, role__in=roles)
        .exclude(pk=user.pk)
        .exclude(pk__in=busy)
        .select_related("department")
        .order_by("username")
    )
    return [candidate for candidate in candidates if may_serve_at(candidate, window)]


def _day_counts(window: Window, user: Any, day: dt.date) -> dict[str, int]:
    row = Ticket.objects.filter(hall_id=window.hall_id, day=day).aggregate(
        window_done=Count("id", filter=Q(window=window, status=TicketStatus.DONE)),
        mine_done=Count("id", filter=Q(clerk=user, status=TicketStatus.DONE)),
        window_no_show=Count("id", filter=Q(window=window, status=TicketStatus.NO_SHOW)),
        hall_waiting=Count("id", filter=Q(status=TicketStatus.WAITING)),
        hall_done=Count("id", filter=Q(status=TicketStatus.DONE)),
    )
    return {key: value or 0 for key, value in row.items()}


def desk_state(user: Any, now: dt.datetime | None = None) -> DeskState:
    """The clerk's window (the one he is signed in at), or the windows where he may sign in."""
    now = now or timezone.now()
    window = (
        Window.objects.select_related("hall", "department", "clerk", "rating_ticket")
        .filter(clerk=user)
        .first()
        if getattr(user, "is_authenticated", False)
        else None
    )
    if window is None:
        return DeskState(user=user, now=now, window=None, may_serve=windows_to_serve(user))
    day = hours.local_day(now)
    is_open, label = hall_hours(window.hall, now)
    waiting = queue.window_queue(window, now).select_related("category", "target_window")
    lines = [
        QueueLine(ticket=ticket, waited_minutes=max(int((now - ticket.issued_at).total_seconds() // 60), 0))
        for ticket in waiting[:DESK_QUEUE]
    ]
    transfer_to = list(
        Window.objects.filter(hall_id=window.hall_id, is_active=True)
        .exclude(pk=window.pk)
        .exclude(status=WindowStatus.CLOSED)
        .order_by("position", "number")
    )
    return DeskState(
        user=user,
        now=now,
        window=window,
        current=current_ticket(window),
        queue=lines,
        queue_total=waiting.count() if len(lines) >= DESK_QUEUE else len(lines),
        transfer_to=transfer_to,
        colleagues=_colleagues(window, user),
        counts=_day_counts(window, user, day),
        is_open=is_open,
        hours_label=label,
    )


# ——— the applicant's tickets (网上取号) ———


@dataclass(frozen=True)
class MyTicket:
    ticket: Ticket
    ahead: int | None
    wait_minutes: int | None
    token: str


def tickets_of_today(user: Any, now: dt.datetime | None = None) -> list[MyTicket]:
    now = now or timezone.now()
    rows = list(
        Ticket.objects.filter(user=user, day=hours.local_day(now))
        .select_related("hall", "category", "window", "target_window")
        .order_by("-issued_at", "-id")
    )
    result = []
    for ticket in rows:
        ahead = wait = None
        if ticket.status == TicketStatus.WAITING:
            info = tickets.ticket_info(ticket, now)
            ahead, wait = info.ahead, info.wait_minutes
        result.append(MyTicket(ticket=ticket, ahead=ahead, wait_minutes=wait, token=ticket_token(ticket.pk)))
    return result
