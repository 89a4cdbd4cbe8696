"""Reads of 12345 tickets: the lists of each desk, one ticket with its parts and steps, the open tickets a
new one may repeat (并单 candidates), and the closed tickets the classifier may learn from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from yichuang.accounts.policies import department_scope
from yichuang.catalog.search import word_terms
from yichuang.core.errors import NotFoundError
from yichuang.core.permissions import has_capability
from yichuang.hotline.models_tickets import (
    OPEN_STATUSES,
    Assignment,
    AssignmentStatus,
    HotlineStatus,
    HotlineTicket,
)

DUPLICATE_DAYS = 30
DUPLICATE_MIN_SCORE = 0.3
DUPLICATE_LIMIT = 5


def _base() -> QuerySet[HotlineTicket]:
    return HotlineTicket.objects.select_related("category", "lead", "received_by")


def tickets_visible(user: Any) -> QuerySet[HotlineTicket]:
    """The hotline office (intake, dispatch) and the centre-wide roles see every ticket; a department sees
    the tickets it was given (as lead or co-handler)."""
    if has_capability(user, "hotline.dispatch") or has_capability(user, "hotline.intake"):
        return _base()
    if has_capability(user, "hotline.view") and user.role in ("admin", "inspector"):
        return _base()
    if has_capability(user, "hotline.handle") or has_capability(user, "hotline.view"):
        departments = department_scope(user)
        return _base().filter(assignments__department__in=departments).distinct()
    return HotlineTicket.objects.none()


def ticket_get(user: Any, pk: int) -> HotlineTicket:
    ticket = tickets_visible(user).filter(pk=pk).first()
    if ticket is None:
        raise NotFoundError("未找到该工单，或不在您的办理范围内")
    return ticket


def department_inbox(user: Any) -> QuerySet[Assignment]:
    """承办单位的待办: the live parts of the user's departments in open tickets, most urgent first."""
    return (
        Assignment.objects.filter(
            department__in=department_scope(user),
            ticket__status__in=OPEN_STATUSES,
        )
        .exclude(status__in=[AssignmentStatus.RETURNED, AssignmentStatus.WITHDRAWN])
        .select_related("ticket", "ticket__category", "department")
        .order_by("ticket__due_at", "ticket__pk")
    )


def office_queues() -> dict[str, QuerySet[HotlineTicket]]:
    """热线办公室的待办: to dispatch, returns to review, replies to call back, overdue ones."""
    now = timezone.now()
    return {
        "to_dispatch": _base().filter(status=HotlineStatus.RECEIVED).order_by("received_at"),
        "returns": _base().filter(status=HotlineStatus.RETURN_REVIEW).order_by("received_at"),
        "call_backs": _base().filter(status=HotlineStatus.REPLIED).order_by("replied_at"),
        "overdue": _base()
        .filter(status__in=[HotlineStatus.DISPATCHED, HotlineStatus.HANDLING], due_at__lt=now)
        .order_by("due_at"),
    }


@dataclass(frozen=True)
class Candidate:
    ticket: HotlineTicket
    score: float
    shared: tuple[str, ...]


def _similarity(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def duplicate_candidates(
    *,
    text: str,
    division_code: str = "",
    address: str = "",
    category_top: str = "",
    exclude: int | None = None,
    now: dt.datetime | None = None,
) -> list[Candidate]:
    """并单候选: open tickets of the last ``DUPLICATE_DAYS`` days at the same place (same division, or an
    address sharing words) whose words overlap enough (Jaccard ≥ ``DUPLICATE_MIN_SCORE``), best first.
    The category, when known, must agree at level 1."""
    now = now or timezone.now()
    words = set(word_terms(text))
    if not words:
        return []
    place = set(word_terms(address))
    candidates = _base().filter(
        status__in=OPEN_STATUSES, received_at__gte=now - dt.timedelta(days=DUPLICATE_DAYS)
    )
    if division_code:
        candidates = candidates.filter(Q(division_code=division_code) | Q(division_code=""))
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude)
    found = []
    for ticket in candidates.order_by("-received_at")[:500]:
        if category_top and ticket.category is not None and ticket.category.top != category_top:
            continue
        if not division_code and place and not place & set(word_terms(ticket.address)):
            continue
        other = set(word_terms(f"{ticket.title} {ticket.content} {ticket.address}"))
        score = _similarity(words | place, other)
        if score >= DUPLICATE_MIN_SCORE:
            found.append(Candidate(ticket, round(score, 2), tuple(sorted(words & other))[:8]))
    found.sort(key=lambda candidate: (-candidate.score, -candidate.ticket.pk))
    return found[:DUPLICATE_LIMIT]


def training_pairs() -> Iterator[tuple[str, str]]:
    """(text, category path) of the closed tickets with a category: what the classifier learns from the
    platform's own work (merged and unclassified tickets are left out)."""
    closed = (
        HotlineTicket.objects.filter(status=HotlineStatus.CLOSED, category__isnull=False)
        .select_related("category")
        .order_by("pk")
    )
    for ticket in closed.iterator(chunk_size=1000):
        assert ticket.category is not None
        yield f"{ticket.title}\n{ticket.content}", ticket.category.path
