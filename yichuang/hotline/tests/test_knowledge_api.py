"""The knowledge base's API: search and read for any staff member, create / revise (a new version) / publish
/ retire for the editors, use for operators, stale and 采用率; every refusal in the one error shape."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.test import Client

from yichuang.accounts.services import api_token_issue
from yichuang.hotline import knowledge
from yichuang.hotline.models_knowledge import KnowledgeArticle, KnowledgeStatus
from yichuang.hotline.tests.knowledge_setup import API, URLCONF, article, category

pytestmark = [pytest.mark.django_db, pytest.mark.urls(URLCONF)]


def _post(client: Client, path: str, body: dict[str, Any] | None = None, **headers: Any) -> Any:
    return client.post(
        f"{API}{path}", data=json.dumps(body or {}), content_type="application/json", **headers
    )


def _get(client: Client, path: str = "", **params: Any) -> Any:
    return client.get(f"{API}{path}", params)


def test_search_as_any_staff_member(org: Any, client_for: Any) -> None:
    editor = org.user("operator")
    parking = article(editor, question="小区停车收费", answer="按物价标准。", department=org.zjj)
    article(editor, question="供暖", answer="小区停车场不供暖。")
    article(editor, question="停车草稿", publish=False)
    response = _get(client_for("handler"), q="停车")
    assert response.status_code == 200
    body = response.json()
    assert [row["title"] for row in body["articles"]] == ["小区停车收费", "供暖"]
    first = body["articles"][0]
    assert first["id"] == parking.pk and first["department"] == "住建局" and first["status"] == "published"
    assert first["score"] > body["articles"][1]["score"] and "停车" in body["terms"]
    assert first["adoption_rate"] is None and first["stale"] == []
    # No query: the latest changed, published only for other staff.
    listed = _get(client_for("handler")).json()
    assert listed["total"] == 2


def test_search_refusals(org: Any, client_for: Any) -> None:
    article(org.user("operator"))
    assert _get(client_for("applicant"), q="物业").status_code == 403
    assert Client().get(API, {"q": "物业"}).status_code == 401
    refused = _get(client_for("handler"), q="物业", status="draft")
    assert refused.status_code == 400 and refused.json()["error"]["fields"] == {"status": ["无效"]}
    assert _get(client_for("handler"), q="物业", limit=0).status_code == 422


def test_offers_are_counted_for_operators_with_an_offer_key(org: Any, client_for: Any) -> None:
    fees = article(org.user("operator"))
    operator = client_for("operator")
    _get(operator, q="物业费")  # no offer key: a plain look-up
    _get(operator, q="物业费", offer="call-1")
    _get(operator, q="物业费标准", offer="call-1")
    _get(client_for("handler"), q="物业费", offer="call-2")
    fees.refresh_from_db()
    assert fees.shown_count == 1


def test_create_revise_publish_retire_by_an_editor(org: Any, client_for: Any) -> None:
    fees = category("城乡建设/物业管理/物业收费")
    client = client_for("operator")
    created = _post(
        client,
        "",
        {
            "question": "物业费标准",
            "answer": "第一版",
            "category_id": fees.pk,
            "department_id": org.zjj.pk,
            "source_kind": "policy",
            "source_reference": "旗发改委〔2024〕3号",
            "valid_until": "2099-12-31",
        },
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["status"], body["version"], body["category"]) == ("draft", 1, "城乡建设/物业管理/物业收费")
    assert body["source"] == "政策文件 旗发改委〔2024〕3号" and len(body["versions"]) == 1
    pk = body["id"]

    revised = _post(
        client,
        f"/{pk}/versions",
        {"question": "物业费标准", "answer": "第二版", "base_version": 1, "note": "改"},
    )
    assert revised.status_code == 201
    assert revised.json()["version"] == 2 and [v["number"] for v in revised.json()["versions"]] == [2, 1]
    conflict = _post(
        client, f"/{pk}/versions", {"question": "物业费标准", "answer": "第三版", "base_version": 1}
    )
    assert conflict.status_code == 409 and conflict.json()["error"]["code"] == "version_conflict"

    diff = _get(client, f"/{pk}/versions/2").json()
    assert diff["previous_number"] == 1
    assert {change["field"] for change in diff["fields"]} == {
        "answer",
        "category",
        "department",
        "source",
        "valid_until",
    }
    answer = next(change for change in diff["fields"] if change["field"] == "answer")
    assert [line["op"] for line in answer["lines"]] == ["-", "+"]
    assert "- 第一版" in diff["unified"] and "+ 第二版" in diff["unified"]

    assert _post(client, f"/{pk}/publish").json()["status"] == "published"
    again = _post(client, f"/{pk}/publish")
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_transition"
    assert _post(client, f"/{pk}/retire", {"reason": ""}).status_code == 400
    retired = _post(client, f"/{pk}/retire", {"reason": "废止"})
    assert retired.status_code == 200 and retired.json()["status"] == "retired"
    assert KnowledgeArticle.objects.get(pk=pk).status == KnowledgeStatus.RETIRED


def test_writes_need_the_editors_capability(org: Any, client_for: Any) -> None:
    published = article(org.user("operator"))
    handler = client_for("handler")
    refused = _post(handler, "", {"question": "问", "answer": "答"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied"
    assert _post(handler, f"/{published.pk}/versions", {"question": "问", "answer": "改"}).status_code == 403
    assert _post(handler, f"/{published.pk}/retire", {"reason": "x"}).status_code == 403
    assert not KnowledgeArticle.objects.filter(question="问").exists()


def test_unknown_references_and_hidden_articles(org: Any, client_for: Any) -> None:
    client = client_for("operator")
    bad = _post(client, "", {"question": "问", "answer": "答", "category_id": 99999, "department_id": 99999})
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"category_id", "department_id"}
    draft = article(org.user("operator"), publish=False)
    assert _get(client_for("handler"), f"/{draft.pk}").status_code == 404
    assert _get(client, f"/{draft.pk}").json()["status"] == "draft"


def test_use_by_an_operator_with_a_token(org: Any) -> None:
    fees = article(org.user("operator"))
    _token, raw = api_token_issue(actor=org.user("admin"), user=org.user("operator"), name="坐席系统")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    response = _post(Client(), f"/{fees.pk}/use", {"ticket_ref": "GD-9"}, **headers)
    assert response.status_code == 201
    assert response.json() | {"used_at": None} == {
        "article_id": fees.pk,
        "version": 1,
        "used_at": None,
        "ticket_ref": "GD-9",
        "use_count": 1,
        "shown_count": 1,
    }
    adoption = Client().get(f"{API}/adoption", **headers).json()
    assert adoption == {"articles": 1, "shown": 1, "used": 1, "rate": 1.0}


def test_use_refused_for_non_operators(org: Any, client_for: Any) -> None:
    fees = article(org.user("operator"))
    assert _post(client_for("handler"), f"/{fees.pk}/use").status_code == 403


def test_stale_for_editors(org: Any, client_for: Any) -> None:
    editor = org.user("operator")
    with time_machine.travel(dt.datetime(2025, 1, 6, 9, tzinfo=dt.UTC), tick=False):
        old = article(editor, question="旧的")
    article(editor, question="新的")
    rows = _get(client_for("operator"), "/stale").json()
    assert [(row["id"], row["stale"]) for row in rows] == [(old.pk, ["unrevised"])]
    assert _get(client_for("handler"), "/stale").status_code == 403
    knowledge.knowledge_revise(actor=editor, article=old, question="旧的", answer="复核后的答复")
    assert _get(client_for("operator"), "/stale").json() == []
