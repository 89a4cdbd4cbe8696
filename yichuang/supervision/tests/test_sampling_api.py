"""The 事项抽查 API: shapes, status codes, structured errors, permissions per role, the chief
representative's scope. The router is mounted here on an API with the platform's authentication and error
handlers (this module is the tests' URLconf), so the tests do not depend on where ``config.api`` mounts it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.urls import path
from ninja import NinjaAPI

from config.api import api as platform_api
from yichuang.supervision.api_sampling import router
from yichuang.supervision.models_sampling import Inspection, SampleDraw
from yichuang.supervision.tests.sampling_setup import stationed_items

api = NinjaAPI(
    auth=platform_api.auth,
    renderer=platform_api.renderer,
    urls_namespace="supervision-sampling-test",
    docs_url=None,
    openapi_url=None,
)
for exception_class, handler in platform_api._exception_handlers.items():
    api.add_exception_handler(exception_class, handler)
api.add_router("/supervision", router)
urlpatterns = [path("api/v1/", api.urls)]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

BASE = "/api/v1/supervision/sampling"
TZ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _march_2026() -> Any:
    with time_machine.travel(dt.datetime(2026, 3, 10, 10, 0, tzinfo=TZ), tick=False):
        yield


@pytest.fixture
def items(org: Any) -> list[Any]:
    return stationed_items(org, 20)  # 10 of 市场监管局, 10 of 住建局


def test_draw_then_read_the_draw_the_list_and_the_coverage(
    org: Any, client_for: Any, items: list[Any]
) -> None:
    inspector = client_for("inspector")
    made = inspector.post(f"{BASE}/draws", {"year": 2026, "month": 3}, content_type="application/json")
    assert made.status_code == 201, made.content
    body = made.json()
    assert {
        "id",
        "year",
        "month",
        "drawn_at",
        "drawn_by",
        "seed",
        "population_size",
        "sample_size",
        "items",
    } <= set(body)
    assert (body["year"], body["month"], body["population_size"], body["sample_size"]) == (2026, 3, 20, 2)
    assert len(body["items"]) == 2
    row = body["items"][0]
    assert row["status"] == "pending" and row["inspection"] is None and row["first_this_year"] is True
    assert {"item_id", "item_name", "basic_code", "department", "status_label"} <= set(row)

    again = inspector.post(f"{BASE}/draws", {"year": 2026, "month": 3}, content_type="application/json")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert SampleDraw.objects.count() == 1

    listed = inspector.get(f"{BASE}/draws", {"year": 2026})
    assert listed.status_code == 200
    assert [(d["month"], d["sample_size"], d["inspected"]) for d in listed.json()] == [(3, 2, 0)]
    assert inspector.get(f"{BASE}/draws", {"year": 2025}).json() == []

    detail = inspector.get(f"{BASE}/draws/{body['id']}")
    assert detail.status_code == 200 and len(detail.json()["items"]) == 2

    coverage = inspector.get(f"{BASE}/coverage", {"year": 2026}).json()
    assert (coverage["population"], coverage["drawn"], coverage["inspected"], coverage["remaining"]) == (
        20,
        2,
        0,
        18,
    )
    assert len(coverage["months"]) == 12
    assert coverage["months"][2] == {
        "month": 3,
        "draw_id": body["id"],
        "sample_size": 2,
        "first": 2,
        "inspected": 0,
    }


def test_errors_are_structured(org: Any, client_for: Any, items: list[Any]) -> None:
    inspector = client_for("inspector")
    future = inspector.post(f"{BASE}/draws", {"year": 2026, "month": 4}, content_type="application/json")
    assert future.status_code == 400
    assert future.json()["error"]["code"] == "future_month" and "month" in future.json()["error"]["fields"]
    bad = inspector.post(f"{BASE}/draws", {"year": 2026, "month": 13}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid"
    missing = inspector.get(f"{BASE}/draws/999999")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert (
        inspector.post(
            f"{BASE}/items/999999/inspection", {"conclusion": "pass"}, content_type="application/json"
        ).status_code
        == 404
    )


def test_inspection_is_recorded_once_and_validated(org: Any, client_for: Any, items: list[Any]) -> None:
    inspector = client_for("inspector")
    body = inspector.post(f"{BASE}/draws", {"year": 2026, "month": 3}, content_type="application/json").json()
    sampled_id = body["items"][0]["id"]
    url = f"{BASE}/items/{sampled_id}/inspection"
    refused = inspector.post(
        url, {"conclusion": "fail", "guide_result": "issue"}, content_type="application/json"
    )
    assert refused.status_code == 400
    assert set(refused.json()["error"]["fields"]) == {"findings", "rectification", "rectification_due"}
    payload = {
        "conclusion": "basic",
        "guide_result": "issue",
        "materials_result": "ok",
        "findings": "指南中的咨询电话已停用",
        "rectification": "更新办事指南的咨询电话",
        "rectification_due": "2026-03-20",
    }
    recorded = inspector.post(url, payload, content_type="application/json")
    assert recorded.status_code == 201, recorded.content
    inspection = recorded.json()["inspection"]
    assert recorded.json()["status"] == "inspected"
    assert inspection["conclusion"] == "basic" and inspection["conclusion_label"] == "基本合格"
    assert inspection["rectification_due"] == "2026-03-20" and inspection["case_numbers"] == []
    twice = inspector.post(url, payload, content_type="application/json")
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "already_inspected"
    assert Inspection.objects.count() == 1
    listed = inspector.get(f"{BASE}/draws", {"year": 2026}).json()
    assert listed[0]["inspected"] == 1


@pytest.mark.parametrize("key", ["clerk", "reviewer", "handler", "operator", "applicant"])
def test_other_roles_are_refused(org: Any, client_for: Any, items: list[Any], key: str) -> None:
    client = client_for(key)
    for response in (
        client.get(f"{BASE}/draws"),
        client.get(f"{BASE}/coverage"),
        client.post(f"{BASE}/draws", {"year": 2026, "month": 3}, content_type="application/json"),
    ):
        assert response.status_code == 403, (key, response.content)
        assert response.json()["error"]["code"] == "permission_denied"
    assert not SampleDraw.objects.exists()


def test_the_chief_representative_reads_his_department_only(
    org: Any, client_for: Any, items: list[Any]
) -> None:
    with time_machine.travel(dt.datetime(2026, 12, 10, 10, 0, tzinfo=TZ), tick=False):
        inspector = client_for("inspector")  # logged in in December: the session outlives the jump
        # December: every item not drawn before is drawn, so both departments are in it.
        body = inspector.post(
            f"{BASE}/draws", {"year": 2026, "month": 12}, content_type="application/json"
        ).json()
    rows = body["items"]
    assert len(rows) == 20
    ours = [r for r in rows if r["department_id"] == org.scjg.pk]
    theirs = [r for r in rows if r["department_id"] == org.zjj.pk]
    assert len(ours) == len(theirs) == 10
    chief = client_for("chief_rep")
    refused = chief.post(f"{BASE}/draws", {"year": 2026, "month": 1}, content_type="application/json")
    assert refused.status_code == 403
    seen = chief.get(f"{BASE}/draws/{body['id']}").json()["items"]
    assert {r["id"] for r in seen} == {r["id"] for r in ours}
    coverage = chief.get(f"{BASE}/coverage").json()
    assert (coverage["population"], coverage["drawn"]) == (10, 10)
    inspect = {"conclusion": "pass", "guide_result": "ok"}
    assert (
        chief.post(
            f"{BASE}/items/{ours[0]['id']}/inspection", inspect, content_type="application/json"
        ).status_code
        == 403
    )
    foreign = chief.post(
        f"{BASE}/items/{theirs[0]['id']}/inspection", inspect, content_type="application/json"
    )
    assert foreign.status_code == 403
    assert not Inspection.objects.exists()
    recorded = inspector.post(
        f"{BASE}/items/{theirs[0]['id']}/inspection", inspect, content_type="application/json"
    )
    assert recorded.status_code == 201
