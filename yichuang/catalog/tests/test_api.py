"""The catalog API: public reads, change requests proposed and decided over HTTP, one error shape."""

from __future__ import annotations

import pytest
from django.test import Client

from yichuang.catalog.models import ChangeRequest, ServiceItem
from yichuang.catalog.tests.helpers import elements, publish_item

pytestmark = pytest.mark.django_db

API = "/api/v1/catalog"


@pytest.fixture
def item(org) -> ServiceItem:
    return publish_item(actor=org.user("admin"), department=org.scjg, basic_code="11A000100001")


def test_published_items_and_guides_are_public(org, item) -> None:
    anonymous = Client()
    listing = anonymous.get(f"{API}/items", {"department_id": org.scjg.pk})
    assert listing.status_code == 200
    assert listing.json()["total"] == 1
    assert listing.json()["items"][0]["implementation_code"] == item.implementation_code
    detail = anonymous.get(f"{API}/items/{item.pk}").json()
    assert detail["number"] == 1
    assert detail["elements"]["promised_days"] == 5
    assert detail["elements"]["materials"][0]["review_points"] == [
        "申请人签字或盖章",
        "经营项目与经营场所一致",
    ]
    assert detail["material_codes"]["m-apply"] == item.implementation_code + "001"
    guide = anonymous.get(f"{API}/guides/{item.pk}").json()
    assert guide["elements"] == detail["elements"]


def test_unknown_item_is_a_structured_404(db) -> None:
    response = Client().get(f"{API}/items/999999")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_edit_through_the_api_then_versions_and_diff(org, item, client_for) -> None:
    reviewer, admin = client_for("reviewer"), client_for("admin")
    created = reviewer.post(
        f"{API}/change-requests",
        {"kind": "edit", "item_id": item.pk, "reason": "压缩时限", "elements": {"promised_days": 3}},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["base_version"], body["name"]) == ("submitted", 1, "食品经营许可（新办）")

    detail = reviewer.get(f"{API}/change-requests/{body['id']}").json()
    assert detail["diff"]["fields"] == [
        {"field": "promised_days", "label": "承诺办结时限（工作日）", "old": "5", "new": "3"}
    ]

    forbidden = reviewer.post(
        f"{API}/change-requests/{body['id']}/approve", {}, content_type="application/json"
    )
    assert forbidden.status_code == 403
    assert forbidden.json()["error"]["code"] == "permission_denied"

    approved = admin.post(
        f"{API}/change-requests/{body['id']}/approve", {"reason": "同意"}, content_type="application/json"
    )
    assert approved.status_code == 200
    assert approved.json()["number"] == 2

    anonymous = Client()
    versions = anonymous.get(f"{API}/items/{item.pk}/versions").json()
    assert [(v["number"], v["change_kind"], v["reason"]) for v in versions] == [
        (2, "edit", "压缩时限"),
        (1, "create", "测试新增事项"),
    ]
    assert anonymous.get(f"{API}/items/{item.pk}/versions/1").json()["elements"]["promised_days"] == 5
    diff = anonymous.get(f"{API}/items/{item.pk}/diff", {"from": 1, "to": 2}).json()
    assert [(f["field"], f["old"], f["new"]) for f in diff["fields"]] == [("promised_days", "5", "3")]
    assert anonymous.get(f"{API}/items/{item.pk}/diff", {"from": 1, "to": 9}).status_code == 404


def test_create_request_through_the_api_with_field_errors(org, client_for) -> None:
    reviewer = client_for("reviewer")
    bad = reviewer.post(
        f"{API}/change-requests",
        {
            "kind": "create",
            "department_id": org.scjg.pk,
            "basic_code": "11A000100002",
            "reason": "新设",
            "elements": {**elements(), "legal_days": 3, "promised_days": 9},
        },
        content_type="application/json",
    )
    assert bad.status_code == 400
    error = bad.json()["error"]
    assert error["code"] == "invalid_elements"
    assert "承诺时限不能超过法定时限" in error["fields"]["promised_days"]
    assert not ChangeRequest.objects.exists()

    wrong_type = reviewer.post(
        f"{API}/change-requests",
        {"kind": "create", "department_id": org.scjg.pk, "reason": "x", "elements": {"legal_days": "二十"}},
        content_type="application/json",
    )
    assert wrong_type.status_code == 422
    assert wrong_type.json()["error"]["fields"]["elements.legal_days"] == ["应为数字"]

    good = reviewer.post(
        f"{API}/change-requests",
        {
            "kind": "create",
            "department_id": org.scjg.pk,
            "basic_code": "11A000100002",
            "reason": "新设",
            "elements": elements(),
        },
        content_type="application/json",
    )
    assert good.status_code == 201
    again = reviewer.post(
        f"{API}/change-requests",
        {
            "kind": "create",
            "department_id": org.scjg.pk,
            "basic_code": "11A000100002",
            "reason": "新设",
            "elements": elements(),
        },
        content_type="application/json",
    )
    assert again.status_code == 409
    assert ChangeRequest.objects.count() == 1


def test_change_requests_need_a_login_and_stay_in_their_department(org, item, client_for) -> None:
    assert Client().get(f"{API}/change-requests").status_code == 401
    assert (
        Client()
        .post(
            f"{API}/change-requests",
            {"kind": "retire", "item_id": item.pk, "reason": "x"},
            content_type="application/json",
        )
        .status_code
        == 401
    )
    created = client_for("reviewer").post(
        f"{API}/change-requests",
        {"kind": "retire", "item_id": item.pk, "reason": "上级取消"},
        content_type="application/json",
    )
    assert created.status_code == 201
    request_id = created.json()["id"]
    other = client_for("reviewer_wjw")
    assert other.get(f"{API}/change-requests/{request_id}").status_code == 404
    assert other.get(f"{API}/change-requests").json() == []
    assert other.post(f"{API}/change-requests/{request_id}/withdraw").status_code == 404
    withdrawn = client_for("chief_rep").post(f"{API}/change-requests/{request_id}/withdraw")
    assert withdrawn.json()["status"] == "withdrawn"


def test_change_request_list_query_count_is_bounded(
    org, item, client_for, django_assert_max_num_queries
) -> None:
    admin = client_for("admin")
    for number in range(2, 8):
        publish_item(
            actor=org.user("admin"),
            department=org.scjg,
            basic_code=f"11A00010000{number}",
            name=f"事项{number}",
        )
    with django_assert_max_num_queries(8):
        response = admin.get(f"{API}/change-requests")
    assert len(response.json()) == 7
