"""API of the yellow and red cards (mounted at ``/api/v1/supervision``): list and read the cards a user may
see, the department's answer, the inspector's review, and the sweep on demand.

Session or bearer token (the API's default auth). Another department's card is a 404, a missing capability a
403, a move the card's status does not allow (a second answer, a review of an unanswered card) a 409, bad
input a 400 or 422 — all in the platform's one error shape.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from yichuang.core.errors import ApplicationError
from yichuang.supervision import cards, selectors_cards
from yichuang.supervision.models_cards import Card, CardColor, CardEvent, CardStatus, SubjectKind

router = Router(tags=["电子监察 · 黄牌红牌"])


class CardOut(Schema):
    id: int
    subject_kind: str
    subject_kind_label: str
    subject_id: int
    subject_label: str
    title: str
    department_id: int
    department: str
    color: str
    color_label: str
    limit_date: dt.date
    reason: str
    status: str
    status_label: str
    issued_at: dt.datetime
    issued_by: str = Field(description="发牌人；系统自动发牌为空")
    answer_due: dt.date
    answer_overdue: bool = Field(description="待答复且已过答复期限")
    answered_at: dt.datetime | None
    answered_late: bool
    answer_count: int
    reviewed_at: dt.datetime | None
    lifted_at: dt.datetime | None


class CardEventOut(Schema):
    action: str
    action_label: str
    from_status: str
    to_status: str
    actor: str
    at: dt.datetime
    note: str
    reason: str = Field("", description="答复的原因说明")
    fix: str = Field("", description="答复的整改措施")


class CardDetailOut(CardOut):
    subject_url: str
    history: list[CardEventOut]
    may_answer: bool
    may_review: bool


class CardPageOut(Schema):
    total: int
    limit: int
    offset: int
    summary: dict[str, int]
    cards: list[CardOut]


class CardFilter(Schema):
    color: str = Field("", description="yellow 黄牌 · red 红牌")
    status: str = Field("", description="issued 待答复 · answered 已答复待审核 · accepted 已通过 · "
                        "returned 已退回 · lifted 已解除")  # fmt: skip
    subject_kind: str = Field("", description="case 办件 · hotline 12345工单")
    department: int | None = Field(None, description="部门 id（含下级）")
    start: dt.date | None = Field(None, description="发牌日期自")
    end: dt.date | None = Field(None, description="发牌日期至")
    overdue: bool = Field(False, description="只列逾期未答复的")
    q: str = Field("", description="办件或工单编号")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)


class CardAnswerIn(Schema):
    reason: str = Field(..., description="原因说明")
    fix: str = Field(..., description="整改措施")


class CardReviewIn(Schema):
    accept: bool = Field(..., description="true 通过 · false 退回重新答复")
    note: str = Field("", description="审核说明；退回时必填")


class SweepOut(Schema):
    yellow: int
    red: int
    lifted: int


def _person(user: Any) -> str:
    if user is None:
        return ""
    return str(getattr(user, "full_name", "") or user.username)


def card_out(card: Card, today: dt.date) -> dict[str, Any]:
    return {
        "id": card.pk,
        "subject_kind": card.subject_kind,
        "subject_kind_label": card.get_subject_kind_display(),
        "subject_id": card.subject_id,
        "subject_label": card.subject_label,
        "title": card.title,
        "department_id": card.department_id,
        "department": card.department.name,
        "color": card.color,
        "color_label": card.get_color_display(),
        "limit_date": card.limit_date,
        "reason": card.reason,
        "status": card.status,
        "status_label": card.get_status_display(),
        "issued_at": card.issued_at,
        "issued_by": _person(card.issued_by) if card.issued_by_id else "",
        "answer_due": card.answer_due,
        "answer_overdue": card.awaiting_answer and card.answer_due < today,
        "answered_at": card.answered_at,
        "answered_late": card.answered_late,
        "answer_count": card.answer_count,
        "reviewed_at": card.reviewed_at,
        "lifted_at": card.lifted_at,
    }


def _event_out(event: CardEvent) -> dict[str, Any]:
    data = event.data or {}
    return {
        "action": event.action,
        "action_label": event.get_action_display(),
        "from_status": event.from_status,
        "to_status": event.to_status,
        "actor": _person(event.actor) if event.actor_id else "",
        "at": event.at,
        "note": event.note,
        "reason": str(data.get("reason", "")),
        "fix": str(data.get("fix", "")),
    }


def card_detail_out(user: Any, card: Card) -> dict[str, Any]:
    return {
        **card_out(card, timezone.localdate()),
        "subject_url": selectors_cards.card_subject_url(card),
        "history": [_event_out(event) for event in selectors_cards.card_history(card)],
        "may_answer": selectors_cards.may_answer(user, card),
        "may_review": selectors_cards.may_review(user, card),
    }


def _choice(value: str, allowed: list[str], field: str) -> str:
    if value and value not in allowed:
        raise ApplicationError(f"{field} 的取值无效", code="invalid", fields={field: ["无效"]})
    return value


@router.get("/cards", response=CardPageOut, summary="黄牌红牌列表（监察员看全部，部门看本部门）")
def card_list(request: HttpRequest, filters: Query[CardFilter]) -> dict[str, Any]:
    user = request.user
    if filters.start and filters.end and filters.start > filters.end:
        raise ApplicationError("结束日期不能早于开始日期", code="invalid", fields={"end": ["早于开始日期"]})
    data = {
        "color": _choice(filters.color, CardColor.values, "color"),
        "status": _choice(filters.status, CardStatus.values, "status"),
        "subject_kind": _choice(filters.subject_kind, SubjectKind.values, "subject_kind"),
        "department": filters.department,
        "start": filters.start,
        "end": filters.end,
        "overdue": filters.overdue,
        "q": filters.q,
    }
    rows = selectors_cards.card_list(user, data)
    today = timezone.localdate()
    page = rows.select_related("issued_by")[filters.offset : filters.offset + filters.limit]
    summary = selectors_cards.card_summary(rows, today=today)
    return {
        "total": summary["total"],
        "limit": filters.limit,
        "offset": filters.offset,
        "summary": summary,
        "cards": [card_out(card, today) for card in page],
    }


@router.get("/cards/{int:card_id}", response=CardDetailOut, summary="一张黄牌或红牌：对象、答复和处理过程")
def card_detail(request: HttpRequest, card_id: int) -> dict[str, Any]:
    card = selectors_cards.card_get(request.user, card_id)
    return card_detail_out(request.user, card)


@router.post("/cards/{int:card_id}/answer", response=CardDetailOut, summary="部门答复：原因说明和整改措施")
def card_answer(request: HttpRequest, card_id: int, payload: CardAnswerIn) -> dict[str, Any]:
    """已答复待审核的牌不能再次答复（409）；被退回后可以再次答复。"""
    card = selectors_cards.card_get(request.user, card_id)
    card = cards.card_answer(actor=request.user, card=card, reason=payload.reason, fix=payload.fix)
    return card_detail_out(request.user, selectors_cards.card_get(request.user, card.pk))


@router.post("/cards/{int:card_id}/review", response=CardDetailOut, summary="监察员审核部门答复：通过或退回")
def card_review(request: HttpRequest, card_id: int, payload: CardReviewIn) -> dict[str, Any]:
    card = selectors_cards.card_get(request.user, card_id)
    card = cards.card_review(actor=request.user, card=card, accept=payload.accept, note=payload.note)
    return card_detail_out(request.user, selectors_cards.card_get(request.user, card.pk))


@router.post("/cards/sweep", response=SweepOut, summary="立即检查并发牌（也按计划自动运行）")
def card_sweep(request: HttpRequest) -> dict[str, int]:
    return cards.cards_sweep_by(actor=request.user)
