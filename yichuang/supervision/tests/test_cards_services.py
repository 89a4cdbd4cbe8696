"""The department's answer and the inspector's review: the transition table, the history that keeps every
answer, the permissions per role and department, no second answer on a double submit, and the counts per
department for the ranking."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from yichuang.core.audit import audit_verify_chain
from yichuang.core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from yichuang.core.models import AuditEvent, Notification
from yichuang.supervision import selectors_cards
from yichuang.supervision.cards import card_answer, card_review, cards_sweep_by
from yichuang.supervision.models_cards import Card, CardColor, CardEvent, CardStatus
from yichuang.supervision.tests.test_cards_sweep import accepted_case, at, dispatched_ticket, sweep_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def red_card(org: Any) -> Card:
    """A red card of 市场监管局, issued on 10-09 (answer due 10-13)."""
    accepted_case(org)
    sweep_at(at(10, 9))
    return Card.objects.get(color=CardColor.RED)


def _answer(
    org: Any, card: Card, key: str = "chief_rep", when: dt.datetime | None = None, **texts: str
) -> Card:
    values = {"reason": "国庆假期前材料核验未完成", "fix": "安排专人10月12日前办结"} | texts
    with time_machine.travel(when or at(10, 9, 15), tick=False):
        return card_answer(actor=org.user(key), card=card, **values)


def test_answer_return_answer_accept_keeps_every_answer_in_the_history(org: Any, red_card: Card) -> None:
    answered = _answer(org, red_card)
    assert answered.status == CardStatus.ANSWERED and answered.answer_count == 1
    assert answered.first_answered_at == at(10, 9, 15) and not answered.answered_late
    with time_machine.travel(at(10, 10, 9), tick=False):
        returned = card_review(
            actor=org.user("inspector"), card=red_card, accept=False, note="整改措施不具体"
        )
    assert returned.status == CardStatus.RETURNED
    assert returned.answer_due == dt.date(2026, 10, 14)  # a fresh 3 working days from 10-10
    told = Notification.objects.get(template="supervision.card_returned")
    assert told.object_id == str(red_card.pk) and "整改措施不具体" in told.body and "10-14" in told.body
    _answer(org, red_card, when=at(10, 12, 9), reason="核验人员休假", fix="已调整人员，10月13日办结")
    with time_machine.travel(at(10, 12, 10), tick=False):
        accepted = card_review(actor=org.user("inspector"), card=red_card, accept=True, note="")
    assert accepted.status == CardStatus.ACCEPTED and accepted.answer_count == 2
    history = list(CardEvent.objects.filter(card=red_card).order_by("at", "pk"))
    assert [event.action for event in history] == ["issued", "answered", "returned", "answered", "accepted"]
    assert [event.actor for event in history] == [
        None,
        org.user("chief_rep"),
        org.user("inspector"),
        org.user("chief_rep"),
        org.user("inspector"),
    ]
    assert history[1].data["reason"] == "国庆假期前材料核验未完成"
    assert history[3].data["fix"] == "已调整人员，10月13日办结"
    assert history[2].note == "整改措施不具体"
    answers = selectors_cards.card_answers(red_card)
    assert [event.data["reason"] for event in answers] == ["国庆假期前材料核验未完成", "核验人员休假"]
    actions = list(
        AuditEvent.objects.filter(object_type="supervision.card", object_id=str(red_card.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "supervision.card_issued",
        "supervision.card_answered",
        "supervision.card_returned",
        "supervision.card_answered",
        "supervision.card_accepted",
    ]
    assert audit_verify_chain().ok
    with pytest.raises(ConflictError):  # accepted is final
        _answer(org, red_card, when=at(10, 13))


def test_a_double_submit_does_not_create_a_second_answer(org: Any, red_card: Card) -> None:
    _answer(org, red_card)
    with pytest.raises(ConflictError) as error:
        _answer(org, red_card)
    assert error.value.code == "card_state"
    assert CardEvent.objects.filter(card=red_card, action="answered").count() == 1
    assert Card.objects.get(pk=red_card.pk).answer_count == 1


def test_both_texts_are_required_and_nothing_is_written(org: Any, red_card: Card) -> None:
    with pytest.raises(ApplicationError) as error:
        _answer(org, red_card, reason="  ", fix="")
    assert set(error.value.fields) == {"reason", "fix"}
    with pytest.raises(ApplicationError) as error:
        _answer(org, red_card, fix="x" * 2001)
    assert set(error.value.fields) == {"fix"}
    assert Card.objects.get(pk=red_card.pk).status == CardStatus.ISSUED
    assert not CardEvent.objects.filter(action="answered").exists()


def test_a_return_needs_its_reason_and_only_an_answered_card_is_reviewed(org: Any, red_card: Card) -> None:
    with pytest.raises(ConflictError):
        card_review(actor=org.user("inspector"), card=red_card, accept=True)
    _answer(org, red_card)
    with pytest.raises(ApplicationError) as error:
        card_review(actor=org.user("inspector"), card=red_card, accept=False, note=" ")
    assert error.value.fields == {"note": ["请填写退回理由"]}
    assert Card.objects.get(pk=red_card.pk).status == CardStatus.ANSWERED


def test_a_late_first_answer_is_marked(org: Any, red_card: Card) -> None:
    answered = _answer(org, red_card, when=at(10, 14, 9))  # due 10-13
    assert answered.answered_late


def test_who_may_answer_and_review(org: Any, red_card: Card) -> None:
    # Another department's staff: the card reads as absent.
    with pytest.raises(NotFoundError):
        _answer(org, red_card, key="handler")
    # Roles without the capability.
    for key in ("inspector", "reviewer", "clerk", "applicant"):
        with pytest.raises(PermissionDeniedError):
            _answer(org, red_card, key=key)
    for key in ("chief_rep", "handler", "reviewer", "applicant"):
        with pytest.raises(PermissionDeniedError):
            card_review(actor=org.user(key), card=red_card, accept=True)
    with pytest.raises(PermissionDeniedError):
        cards_sweep_by(actor=org.user("chief_rep"))
    assert Card.objects.get(pk=red_card.pk).status == CardStatus.ISSUED
    _answer(org, red_card, key="admin")  # the admin answers for any department
    card_review(actor=org.user("admin"), card=red_card, accept=True)


def test_the_ticket_card_goes_to_the_lead_department(org: Any) -> None:
    dispatched_ticket(org)
    sweep_at(at(10, 9))
    card = Card.objects.get(color=CardColor.RED)
    with pytest.raises(NotFoundError):
        _answer(org, card, key="chief_rep")  # 市场监管局 is not the lead
    assert _answer(org, card, key="handler").status == CardStatus.ANSWERED


def test_who_sees_which_cards(org: Any) -> None:
    accepted_case(org)  # 市场监管局
    dispatched_ticket(org)  # 住建局
    sweep_at(at(10, 9))
    everyone = set(Card.objects.values_list("pk", flat=True))
    assert len(everyone) == 2
    for key in ("inspector", "admin"):
        assert set(selectors_cards.card_list(org.user(key)).values_list("pk", flat=True)) == everyone
    scjg = selectors_cards.card_list(org.user("chief_rep"))
    assert {card.department for card in scjg} == {org.scjg}
    zjj = selectors_cards.card_list(org.user("handler"))
    assert {card.department for card in zjj} == {org.zjj}
    for key in ("applicant", "clerk", "operator"):
        with pytest.raises(PermissionDeniedError):
            selectors_cards.card_list(org.user(key))
    zjj_card = Card.objects.get(department=org.zjj)
    with pytest.raises(NotFoundError):
        selectors_cards.card_get(org.user("chief_rep"), zjj_card.pk)


def test_card_list_filters(org: Any) -> None:
    accepted_case(org)
    dispatched_ticket(org)
    sweep_at(at(9, 30))  # both yellow
    sweep_at(at(10, 9))  # both red
    inspector = org.user("inspector")
    assert selectors_cards.card_list(inspector, {"color": "red"}).count() == 2
    assert selectors_cards.card_list(inspector, {"subject_kind": "hotline"}).count() == 2
    assert selectors_cards.card_list(inspector, {"department": org.gov}).count() == 4  # with the ones below
    assert selectors_cards.card_list(inspector, {"department": org.zjj.pk}).count() == 2
    on_930 = {"start": dt.date(2026, 9, 30), "end": dt.date(2026, 9, 30)}
    assert set(selectors_cards.card_list(inspector, on_930).values_list("color", flat=True)) == {"yellow"}
    overdue = {"overdue": True, "today": dt.date(2026, 10, 13)}  # the yellows were due 10-09 (scjg) / 10-09
    assert selectors_cards.card_list(inspector, overdue).count() == 2
    ticket_number = Card.objects.filter(subject_kind="hotline").first().subject_label  # type: ignore[union-attr]
    assert selectors_cards.card_list(inspector, {"q": ticket_number[-6:]}).count() == 2


def test_card_counts_per_department_in_one_query(org: Any, django_assert_num_queries: Any) -> None:
    case_a = accepted_case(org)
    accepted_case(org)
    dispatched_ticket(org)
    sweep_at(at(9, 29))  # two yellow cards for 市场监管局 (the ticket's comes on 09-30)
    sweep_at(at(9, 30))  # the ticket's yellow
    yellow_a = Card.objects.get(subject_kind="case", subject_id=case_a.pk, color=CardColor.YELLOW)
    _answer(org, yellow_a, when=at(10, 12, 9))  # due 10-09: late
    sweep_at(at(10, 9))  # two red for 市场监管局, one for 住建局
    with django_assert_num_queries(1):
        counts = selectors_cards.card_counts(
            start=dt.date(2026, 9, 1), end=dt.date(2026, 9, 30), today=dt.date(2026, 10, 12)
        )
    assert counts[org.scjg.pk].yellow == 2 and counts[org.scjg.pk].red == 0
    assert counts[org.scjg.pk].late_answers == 1
    assert counts[org.scjg.pk].unanswered == 1  # the other yellow, due 10-09, still unanswered
    assert counts[org.zjj.pk].yellow == 1 and counts[org.zjj.pk].unanswered == 1
    october = selectors_cards.card_counts(
        start=dt.date(2026, 10, 1),
        end=dt.date(2026, 10, 31),
        departments=[org.scjg.pk],
        today=dt.date(2026, 10, 12),
    )
    assert set(october) == {org.scjg.pk}
    assert (october[org.scjg.pk].red, october[org.scjg.pk].yellow, october[org.scjg.pk].unanswered) == (
        2,
        0,
        0,
    )


def test_a_lifted_yellow_is_counted_apart(org: Any) -> None:
    ticket = dispatched_ticket(org)
    sweep_at(at(9, 30))
    from yichuang.hotline import tickets

    with time_machine.travel(at(9, 30, 15), tick=False):
        tickets.ticket_sign(ticket=ticket, actor=org.user("handler"))
        tickets.ticket_reply(ticket=ticket, actor=org.user("handler"), reply="已答复", solved=True)
    sweep_at(at(9, 30, 16))
    counts = selectors_cards.card_counts(start=dt.date(2026, 9, 30), end=dt.date(2026, 9, 30))
    assert (counts[org.zjj.pk].yellow, counts[org.zjj.pk].yellow_lifted) == (0, 1)
    card = Card.objects.get()
    with pytest.raises(ConflictError):  # a lifted card needs no answer
        _answer(org, card, key="handler")
