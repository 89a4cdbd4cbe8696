"""The cards API (``api_cards.router`` at ``/api/v1/supervision``): lists per role, the answer, the review and
the sweep, every refusal in the one error shape.

This module is its own URLconf: the router on an API with the platform's authentication and error handlers,
in front of the project's URLs, so the tests do not depend on where ``config.api`` mounts it."""

from __future__ import annotations

import json
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import path
from ninja import NinjaAPI

from config.api import api as platform_api
from config.urls import urlpatterns as platform_urlpatterns
from yichuang.accounts.services import api_token_issue
from yichuang.supervision.api_cards import router
from yichuang.supervision.models_cards import Card, CardEvent, CardStatus
from yichuang.supervision.tests.test_cards_sweep import accepted_case, at, dispatched_ticket, sweep_at

_api = NinjaAPI(
    auth=platform_api.auth,
    renderer=platform_api.renderer,
    urls_namespace="supervision-cards-test",
    docs_url=None,
    openapi_url=None,
)
for _exception, _handler in platform_api._exception_handlers.items():
    _api.add_exception_handler(_exception, _handler)
_api.add_router("/supervision", router)
urlpatterns = [path("api/test-cards/", _api.urls), *platform_urlpatterns]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]
URL = "/api/test-cards/supervision"


def _post(client: Client, path_: str, body: dict[str, Any] | None = None, **headers: Any) -> Any:
    return client.post(
        f"{URL}{path_}", data=json.dumps(body or {}), content_type="application/json", **headers
    )


@pytest.fixture
def two_cards(org: Any) -> dict[str, Card]:
    accepted_case(org)
    dispatched_ticket(org)
    sweep_at(at(10, 9))
    return {"scjg": Card.objects.get(department=org.scjg), "zjj": Card.objects.get(department=org.zjj)}


def test_list_per_role_with_the_summary(client_for: Any, two_cards: dict[str, Card]) -> None:
    with time_machine.travel(at(10, 14), tick=False):
        body = client_for("inspector").get(f"{URL}/cards").json()
    assert body["total"] == 2 and {card["id"] for card in body["cards"]} == {c.pk for c in two_cards.values()}
    assert body["summary"]["red"] == 2 and body["summary"]["overdue"] == 2  # answers were due 10-13
    first = next(card for card in body["cards"] if card["subject_kind"] == "case")
    assert first["color_label"] == "红牌" and first["status_label"] == "待答复" and first["answer_overdue"]
    assert first["department"] == "市场监管局" and first["issued_by"] == ""
    mine = client_for("chief_rep").get(f"{URL}/cards").json()
    assert [card["id"] for card in mine["cards"]] == [two_cards["scjg"].pk]
    assert client_for("handler").get(f"{URL}/cards", {"subject_kind": "hotline"}).json()["total"] == 1
    assert client_for("handler").get(f"{URL}/cards", {"subject_kind": "case"}).json()["total"] == 0


def test_error_shapes(client_for: Any, two_cards: dict[str, Card], client: Any) -> None:
    denied = client_for("applicant").get(f"{URL}/cards")
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "permission_denied"
    missing = client_for("chief_rep").get(f"{URL}/cards/{two_cards['zjj'].pk}")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert client_for("inspector").get(f"{URL}/cards/999999").status_code == 404
    bad = client_for("inspector").get(f"{URL}/cards", {"color": "purple"})
    assert bad.status_code == 400 and bad.json()["error"]["fields"] == {"color": ["无效"]}
    bad_date = client_for("inspector").get(f"{URL}/cards", {"start": "tomorrow"})
    assert bad_date.status_code == 422 and bad_date.json()["error"]["code"] == "invalid"
    unauthenticated = client.get(f"{URL}/cards")
    assert (
        unauthenticated.status_code == 401 and unauthenticated.json()["error"]["code"] == "not_authenticated"
    )
    missing_field = _post(client_for("chief_rep"), f"/cards/{two_cards['scjg'].pk}/answer", {"reason": "x"})
    assert missing_field.status_code == 422 and missing_field.json()["error"]["fields"] == {"fix": ["必填"]}
    blank = _post(
        client_for("chief_rep"), f"/cards/{two_cards['scjg'].pk}/answer", {"reason": " ", "fix": ""}
    )
    assert blank.status_code == 400 and set(blank.json()["error"]["fields"]) == {"reason", "fix"}


def test_answer_review_and_the_double_submit(client_for: Any, two_cards: dict[str, Card]) -> None:
    card = two_cards["scjg"]
    chief = client_for("chief_rep")
    body = {"reason": "假期前人手不足", "fix": "增派审查人员"}
    answered = _post(chief, f"/cards/{card.pk}/answer", body)
    assert answered.status_code == 200
    detail = answered.json()
    assert detail["status"] == "answered" and not detail["may_answer"]
    assert [step["action"] for step in detail["history"]] == ["issued", "answered"]
    assert (
        detail["history"][1]["reason"] == "假期前人手不足" and detail["history"][1]["fix"] == "增派审查人员"
    )
    again = _post(chief, f"/cards/{card.pk}/answer", body)
    assert again.status_code == 409 and again.json()["error"]["code"] == "card_state"
    assert CardEvent.objects.filter(card=card, action="answered").count() == 1
    assert _post(chief, f"/cards/{card.pk}/review", {"accept": True}).status_code == 403
    inspector = client_for("inspector")
    no_note = _post(inspector, f"/cards/{card.pk}/review", {"accept": False})
    assert no_note.status_code == 400 and no_note.json()["error"]["fields"] == {"note": ["请填写退回理由"]}
    returned = _post(inspector, f"/cards/{card.pk}/review", {"accept": False, "note": "措施不具体"})
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    assert _post(chief, f"/cards/{card.pk}/answer", body | {"fix": "10月13日前办结"}).status_code == 200
    accepted = _post(inspector, f"/cards/{card.pk}/review", {"accept": True})
    assert accepted.json()["status"] == "accepted" and accepted.json()["answer_count"] == 2
    again_review = _post(inspector, f"/cards/{card.pk}/review", {"accept": True})
    assert again_review.status_code == 409
    other = _post(client_for("handler"), f"/cards/{card.pk}/answer", body)
    assert other.status_code == 404


def test_the_sweep_and_a_bearer_token(client_for: Any, org: Any) -> None:
    accepted_case(org)
    assert _post(client_for("chief_rep"), "/cards/sweep").status_code == 403
    with time_machine.travel(at(10, 9), tick=False):
        response = _post(client_for("inspector"), "/cards/sweep")
        assert response.status_code == 200 and response.json() == {"yellow": 0, "red": 1, "lifted": 0}
        _token, secret = api_token_issue(actor=org.user("admin"), user=org.user("inspector"), name="监察接口")
        again = _post(Client(), "/cards/sweep", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert again.status_code == 200 and again.json() == {"yellow": 0, "red": 0, "lifted": 0}
    assert Card.objects.get().status == CardStatus.ISSUED
