"""The card screens: the list with its counts and filters per role, the card page with the answer form for
the department and the review for the inspector, htmx swaps, a double submit, and the sweep button."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.urls import reverse

from yichuang.supervision.models_cards import Card, CardColor, CardEvent, CardStatus
from yichuang.supervision.tests.test_cards_sweep import accepted_case, at, dispatched_ticket, sweep_at

pytestmark = pytest.mark.django_db
LIST = "/supervision/cards/"


@pytest.fixture
def two_cards(org: Any) -> dict[str, Card]:
    """Red cards of 市场监管局 (a case) and 住建局 (a ticket), issued on 10-09."""
    accepted_case(org)
    dispatched_ticket(org)
    sweep_at(at(10, 9))
    return {
        "scjg": Card.objects.get(department=org.scjg),
        "zjj": Card.objects.get(department=org.zjj),
    }


def _ids(response: Any) -> set[int]:
    import re

    return {int(pk) for pk in re.findall(r'data-card="(\d+)"', response.content.decode())}


def test_the_url_names(two_cards: dict[str, Card]) -> None:
    assert reverse("supervision:card_list") == LIST
    assert reverse("supervision:card_detail", args=[7]) == "/supervision/cards/7/"


def test_the_inspector_sees_every_card_with_the_counts(client_for: Any, two_cards: dict[str, Card]) -> None:
    with time_machine.travel(at(10, 9, 12), tick=False):
        response = client_for("inspector").get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert _ids(response) == {card.pk for card in two_cards.values()}
    assert "黄牌红牌" in html and "市场监管局" in html and "住建局" in html
    assert 'data-count="red"' in html and "立即检查发牌" in html
    assert "13800000001" not in html  # the ticket's title is masked


def test_a_department_sees_only_its_cards(client_for: Any, two_cards: dict[str, Card]) -> None:
    response = client_for("chief_rep").get(LIST)
    assert response.status_code == 200 and _ids(response) == {two_cards["scjg"].pk}
    assert "立即检查发牌" not in response.content.decode()
    response = client_for("handler").get(LIST)
    assert _ids(response) == {two_cards["zjj"].pk}
    assert client_for("chief_rep").get(f"{LIST}{two_cards['zjj'].pk}/").status_code == 404
    assert client_for("handler").get(f"{LIST}{two_cards['scjg'].pk}/").status_code == 404


def test_who_may_not_see_cards(client_for: Any, two_cards: dict[str, Card], client: Any) -> None:
    for key in ("applicant", "clerk", "operator"):
        assert client_for(key).get(LIST).status_code == 403
        assert client_for(key).get(f"{LIST}{two_cards['scjg'].pk}/").status_code == 403
    response = client.get(LIST)
    assert response.status_code == 302 and "login" in response["Location"]


def test_filters_and_the_htmx_results(client_for: Any, org: Any, two_cards: dict[str, Card]) -> None:
    inspector = client_for("inspector")
    assert _ids(inspector.get(LIST, {"subject_kind": "hotline"})) == {two_cards["zjj"].pk}
    assert _ids(inspector.get(LIST, {"department": org.scjg.pk})) == {two_cards["scjg"].pk}
    assert _ids(inspector.get(LIST, {"color": "yellow"})) == set()
    response = inspector.get(LIST, {"color": "red"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="card-results")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and 'id="card-results"' in html
    bad = inspector.get(LIST, {"start": "2026-10-10", "end": "2026-10-01", "color": "purple"})
    assert bad.status_code == 200  # a bad filter is shown on the form, not a 500
    assert "结束日期不能早于开始日期" in bad.content.decode()


def test_the_card_page_links_its_subject_and_offers_the_answer_form(
    client_for: Any, two_cards: dict[str, Card]
) -> None:
    card = two_cards["scjg"]
    response = client_for("chief_rep").get(f"{LIST}{card.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="/cases/{card.subject_id}/"' in html
    assert 'data-action="answer"' in html and 'data-action="review"' not in html
    assert card.reason in html
    ticket_page = client_for("handler").get(f"{LIST}{two_cards['zjj'].pk}/").content.decode()
    assert f'href="/hotline/tickets/{two_cards["zjj"].subject_id}/"' in ticket_page
    inspector_page = client_for("inspector").get(f"{LIST}{card.pk}/").content.decode()
    assert 'data-action="answer"' not in inspector_page and 'data-action="review"' not in inspector_page


def test_answer_then_return_then_accept_through_the_screens(
    client_for: Any, two_cards: dict[str, Card]
) -> None:
    card = two_cards["scjg"]
    chief = client_for("chief_rep")
    url = f"{LIST}{card.pk}/"
    empty = chief.post(f"{url}answer/", {"answer-reason": "", "answer-fix": ""})
    assert empty.status_code == 400 and "请填写原因说明" in empty.content.decode()
    assert Card.objects.get(pk=card.pk).status == CardStatus.ISSUED
    body = {"answer-reason": "假期前人手不足", "answer-fix": "增派审查人员"}
    response = chief.post(f"{url}answer/", body)
    assert response.status_code == 302 and response["Location"] == url
    again = chief.post(f"{url}answer/", body)  # the double submit
    assert again.status_code == 409 and "等待监察员审核" in again.content.decode()
    assert CardEvent.objects.filter(card=card, action="answered").count() == 1
    inspector = client_for("inspector")
    page = inspector.get(url).content.decode()
    assert 'data-action="review"' in page and "假期前人手不足" in page and "增派审查人员" in page
    no_reason = inspector.post(f"{url}review/", {"review-decision": "return", "review-note": ""})
    assert no_reason.status_code == 400 and "请填写退回理由" in no_reason.content.decode()
    assert (
        inspector.post(
            f"{url}review/", {"review-decision": "return", "review-note": "措施不具体"}
        ).status_code
        == 302
    )
    assert Card.objects.get(pk=card.pk).status == CardStatus.RETURNED
    assert (
        chief.post(f"{url}answer/", {"answer-reason": "同上", "answer-fix": "10月13日前办结"}).status_code
        == 302
    )
    assert inspector.post(f"{url}review/", {"review-decision": "accept"}).status_code == 302
    final = inspector.get(url).content.decode()
    assert Card.objects.get(pk=card.pk).status == CardStatus.ACCEPTED
    assert final.count('data-testid="card-answer"') == 2
    assert [a for a in CardEvent.objects.filter(card=card).values_list("action", flat=True)] == [
        "issued",
        "answered",
        "returned",
        "answered",
        "accepted",
    ]


def test_the_department_may_not_review_nor_answer_another_departments_card(
    client_for: Any, two_cards: dict[str, Card]
) -> None:
    card = two_cards["scjg"]
    assert (
        client_for("chief_rep").post(f"{LIST}{card.pk}/review/", {"review-decision": "accept"}).status_code
        == 403
    )
    body = {"answer-reason": "x", "answer-fix": "y"}
    assert client_for("handler").post(f"{LIST}{card.pk}/answer/", body).status_code == 404
    assert client_for("inspector").post(f"{LIST}{card.pk}/answer/", body).status_code == 403
    assert client_for("applicant").post(f"{LIST}{card.pk}/answer/", body).status_code == 403
    assert Card.objects.get(pk=card.pk).status == CardStatus.ISSUED


def test_the_htmx_answer_swaps_the_card(client_for: Any, two_cards: dict[str, Card]) -> None:
    card = two_cards["scjg"]
    url = f"{LIST}{card.pk}/answer/"
    response = client_for("chief_rep").post(
        url, {"answer-reason": "", "answer-fix": "y"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "请填写原因说明" in response.content.decode()  # swapped in place
    response = client_for("chief_rep").post(
        url, {"answer-reason": "x", "answer-fix": "y"}, HTTP_HX_REQUEST="true", follow=True
    )
    assert response.status_code == 200 and 'id="card-main"' in response.content.decode()
    assert Card.objects.get(pk=card.pk).status == CardStatus.ANSWERED


def test_the_sweep_button(client_for: Any, org: Any) -> None:
    accepted_case(org)
    with time_machine.travel(at(10, 9, 9), tick=False):
        assert client_for("chief_rep").post(f"{LIST}sweep/").status_code == 403
        response = client_for("inspector").post(f"{LIST}sweep/", follow=True)
    assert response.status_code == 200 and "新发黄牌 0 张、红牌 1 张" in response.content.decode()
    assert Card.objects.get().color == CardColor.RED
    assert client_for("inspector").get(f"{LIST}sweep/").status_code == 405


def test_the_list_does_not_query_per_card(client_for: Any, org: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    accepted_case(org)
    sweep_at(at(10, 9))
    client = client_for("inspector")
    client.get(LIST)  # warm the session and the caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST).status_code == 200
    for _ in range(3):
        accepted_case(org)
        dispatched_ticket(org)
    sweep_at(at(10, 9, 12))
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST)
    assert len(_ids(response)) == 7
    assert len(many) == len(few)


def test_the_admin_edits_the_rules_and_shows_the_cards(client_for: Any, two_cards: dict[str, Card]) -> None:
    from yichuang.core.models import AuditEvent
    from yichuang.supervision.models_cards import CardPolicy

    admin = client_for("admin")
    assert admin.get("/admin/supervision/card/").status_code == 200
    assert admin.get(f"/admin/supervision/card/{two_cards['scjg'].pk}/change/").status_code == 200
    response = admin.post(
        "/admin/supervision/cardpolicy/add/",
        {"subject_kind": "case", "yellow_days": "3", "answer_days": "5", "active": "on"},
    )
    assert response.status_code == 302
    assert CardPolicy.objects.get().yellow_days == 3
    assert AuditEvent.objects.filter(action="supervision.cardpolicy_created").exists()
    assert admin.get("/admin/supervision/cardpolicy/").status_code == 200
