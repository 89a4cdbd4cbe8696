"""Reads of the yellow and red cards: the list a user may see, one card with its history, and the counts per
department that the ranking uses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from yichuang.accounts.models import Department
from yichuang.accounts.policies import department_in_scope, department_scope
from yichuang.core.errors import NotFoundError, PermissionDeniedError
from yichuang.core.permissions import has_capability
from yichuang.supervision.models_cards import Card, CardColor, CardEvent, CardStatus, SubjectKind

VIEW_CAPABILITIES = ("supervision.view", "supervision.card", "supervision.answer")


@dataclass(frozen=True)
class CardCounts:
    """A department's cards issued in a period. ``yellow`` leaves out the warnings lifted because the
    subject finished in time (``yellow_lifted``); ``unanswered``: still awaiting an answer past its
    ``answer_due``; ``late_answers``: first answered after ``answer_due``."""

    yellow: int = 0
    red: int = 0
    unanswered: int = 0
    late_answers: int = 0
    yellow_lifted: int = 0

    @property
    def total(self) -> int:
        return self.yellow + self.red


def require_view(user: Any) -> None:
    if not any(has_capability(user, capability) for capability in VIEW_CAPABILITIES):
        raise PermissionDeniedError(
            "您没有查看黄牌红牌的权限", extra={"needs": " | ".join(VIEW_CAPABILITIES)}
        )


def centre_wide(user: Any) -> bool:
    """Sees every department's cards (the inspector and the admin)."""
    return has_capability(user, "supervision.card")


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def issued_between(start: dt.date | None, end: dt.date | None) -> Q:
    """Cards issued on local dates ``start``…``end`` (both included; either may be open)."""
    condition = Q()
    if start is not None:
        condition &= Q(issued_at__gte=_day_start(start))
    if end is not None:
        condition &= Q(issued_at__lt=_day_start(end + dt.timedelta(days=1)))
    return condition


def card_counts(
    *,
    start: dt.date,
    end: dt.date,
    departments: Any = None,
    today: dt.date | None = None,
) -> dict[int, CardCounts]:
    """Per department id: the cards issued in [start, end] (local dates), in one query. ``departments``
    (ids or a queryset) limits the departments counted; a department without cards is absent."""
    today = today or timezone.localdate()
    rows = Card.objects.filter(issued_between(start, end))
    if departments is not None:
        rows = rows.filter(department__in=departments)
    awaiting = Q(status__in=(CardStatus.ISSUED, CardStatus.RETURNED), answer_due__lt=today)
    figures = (
        rows.order_by()
        .values("department_id")
        .annotate(
            yellow=Count("pk", filter=Q(color=CardColor.YELLOW) & ~Q(status=CardStatus.LIFTED)),
            yellow_lifted=Count("pk", filter=Q(color=CardColor.YELLOW, status=CardStatus.LIFTED)),
            red=Count("pk", filter=Q(color=CardColor.RED)),
            unanswered=Count("pk", filter=awaiting),
            late_answers=Count("pk", filter=Q(answered_late=True)),
        )
    )
    return {
        row["department_id"]: CardCounts(
            yellow=row["yellow"],
            red=row["red"],
            unanswered=row["unanswered"],
            late_answers=row["late_answers"],
            yellow_lifted=row["yellow_lifted"],
        )
        for row in figures
    }


def card_scope(user: Any) -> QuerySet[Card]:
    """The cards ``user`` may see: every card for the inspector and the admin, else his departments'."""
    require_view(user)
    cards = Card.objects.select_related("department")
    if centre_wide(user):
        return cards
    return cards.filter(department__in=department_scope(user))


def card_list(user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Card]:
    """The cards ``user`` may see, newest first, narrowed by ``filters``: color, status, subject_kind,
    department (with the departments below it), start/end (issue dates), overdue (awaiting an answer past
    its due date), q (case or ticket number)."""
    filters = filters or {}
    cards = card_scope(user)
    if filters.get("color"):
        cards = cards.filter(color=filters["color"])
    if filters.get("status"):
        cards = cards.filter(status=filters["status"])
    if filters.get("subject_kind"):
        cards = cards.filter(subject_kind=filters["subject_kind"])
    department = filters.get("department")
    if department is not None:
        if not isinstance(department, Department):
            department = Department.objects.filter(pk=department).first()
        if department is None:
            return cards.none()
        cards = cards.filter(department__path__startswith=department.path)
    cards = cards.filter(issued_between(filters.get("start"), filters.get("end")))
    if filters.get("overdue"):
        today = filters.get("today") or timezone.localdate()
        cards = cards.filter(status__in=(CardStatus.ISSUED, CardStatus.RETURNED), answer_due__lt=today)
    if filters.get("q"):
        cards = cards.filter(subject_label__icontains=str(filters["q"]).strip())
    return cards.order_by("-issued_at", "-pk")


def card_summary(cards: QuerySet[Card], *, today: dt.date | None = None) -> dict[str, int]:
    """The counts above the list, in one query."""
    today = today or timezone.localdate()
    return cards.order_by().aggregate(
        total=Count("pk"),
        yellow=Count("pk", filter=Q(color=CardColor.YELLOW)),
        red=Count("pk", filter=Q(color=CardColor.RED)),
        awaiting=Count("pk", filter=Q(status__in=(CardStatus.ISSUED, CardStatus.RETURNED))),
        overdue=Count(
            "pk", filter=Q(status__in=(CardStatus.ISSUED, CardStatus.RETURNED), answer_due__lt=today)
        ),
        review=Count("pk", filter=Q(status=CardStatus.ANSWERED)),
    )


def card_get(user: Any, card_id: int) -> Card:
    """One card ``user`` may see; another department's card reads as absent (404)."""
    card = card_scope(user).filter(pk=card_id).first()
    if card is None:
        raise NotFoundError("未找到该黄牌红牌")
    return card


def card_history(card: Card) -> list[CardEvent]:
    return list(card.events.select_related("actor").order_by("at", "pk"))


def card_answers(card: Card) -> list[CardEvent]:
    """Every answer the department gave (原因说明 and 整改措施 of each), oldest first."""
    return [event for event in card_history(card) if event.action == CardEvent.Action.ANSWERED]


def card_subject_url(card: Card) -> str:
    """The staff screen of the card's case or ticket ("" when that screen is not mounted)."""
    name = "cases:staff_case" if card.subject_kind == SubjectKind.CASE else "hotline:ticket_detail"
    try:
        return reverse(name, args=[card.subject_id])
    except NoReverseMatch:
        return ""


def may_answer(user: Any, card: Card) -> bool:
    return (
        has_capability(user, "supervision.answer")
        and card.awaiting_answer
        and department_in_scope(user, card.department)
    )


def may_review(user: Any, card: Card) -> bool:
    return has_capability(user, "supervision.card") and card.status == CardStatus.ANSWERED
