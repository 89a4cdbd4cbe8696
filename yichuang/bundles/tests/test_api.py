"""The bundles API: guide and selection (public), apply once with an idempotency key, the window's steps,
scope, and the admin's definitions."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from yichuang.bundles.models import BundleApplication, BundleCase
from yichuang.bundles.tests.helpers import ALL_YES, FORM, MONDAY, citizen, restaurant, restaurant_spec
from yichuang.cases.models import Case

pytestmark = pytest.mark.django_db
API = "/api/v1/bundles"


@pytest.fixture
def bundle(org: Any) -> Any:
    with time_machine.travel(MONDAY, tick=False):
        return restaurant(org)[0]


def test_guide_and_selection_are_public(client: Any, bundle: Any) -> None:
    listed = client.get(f"{API}/").json()
    assert [b["code"] for b in listed] == ["restaurant"]
    assert listed[0]["separate_days"] == 20 and listed[0]["promised_days"] == 10
    guide = client.get(f"{API}/restaurant").json()
    assert [q["key"] for q in guide["questions"]] == ["dining_area", "sign"]
    assert len(guide["all"]["members"]) == 4
    chosen = client.post(
        f"{API}/restaurant/selection",
        {"answers": {"dining_area": "no", "sign": "no"}},
        content_type="application/json",
    ).json()
    assert [m["name"] for m in chosen["members"]] == ["个体工商户设立登记", "食品经营许可（新办）"]
    id_card = next(m for m in chosen["materials"] if m["key"] == "id_card")
    assert id_card["used_by"] == ["个体工商户设立登记", "食品经营许可（新办）"]
    bad = client.post(
        f"{API}/restaurant/selection", {"answers": {"dining_area": "maybe"}}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"] == {"answers.dining_area": ["选项无效"], "answers.sign": ["请选择"]}


def test_apply_once_with_a_key_and_walk_the_window_steps(org: Any, client_for: Any, bundle: Any) -> None:
    applicant = citizen(org)
    clerk = client_for("clerk")
    body = {
        "bundle": "restaurant",
        "applicant_id": applicant.pk,
        "channel": "window",
        "answers": ALL_YES,
        "form": FORM,
        "idempotency_key": "bundle-1",
    }
    with time_machine.travel(MONDAY, tick=False):
        first = clerk.post(f"{API}/applications/", body, content_type="application/json")
        again = clerk.post(f"{API}/applications/", body, content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["number"] == again.json()["number"]
    assert BundleApplication.objects.count() == 1 and Case.objects.count() == 3
    detail = first.json()
    pk = detail["id"]
    assert {m["state"] for m in detail["members"]} == {"routed", "waiting"}
    assert next(m for m in detail["materials"] if m["key"] == "application_form")["state"] == "received"
    findings = [
        {"key": k, "state": "received"}
        for k in ("id_card", "lease_contract", "premises_layout", "design_plan")
    ]
    with time_machine.travel(MONDAY, tick=False):
        checked = clerk.post(
            f"{API}/applications/{pk}/check-materials",
            {"findings": findings},
            content_type="application/json",
        )
        assert checked.status_code == 200
        accepted = clerk.post(f"{API}/applications/{pk}/accept", {}, content_type="application/json")
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["status"] == "in_progress"
    assert accepted.json()["promised_due_date"] == "2026-11-16"  # 10 working days after Monday 2 Nov
    # Nothing left at the window: a second accept is a conflict, not a second set of cases.
    with time_machine.travel(MONDAY, tick=False):
        assert (
            clerk.post(f"{API}/applications/{pk}/accept", {}, content_type="application/json").status_code
            == 409
        )


def test_bad_form_is_a_structured_error_and_writes_nothing(org: Any, client_for: Any, bundle: Any) -> None:
    applicant = citizen(org)
    form = {**FORM, "applicant_id_number": "150824199001011234", "food_business_form": "烧烤"}
    response = client_for("clerk").post(
        f"{API}/applications/",
        {
            "bundle": "restaurant",
            "applicant_id": applicant.pk,
            "channel": "window",
            "answers": ALL_YES,
            "form": form,
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"form.applicant_id_number", "form.food_business_form"}
    assert (
        not BundleApplication.objects.exists()
        and not Case.objects.exists()
        and not BundleCase.objects.exists()
    )


def test_scope_applicant_sees_only_his_own_and_departments_their_members(
    org: Any, client_for: Any, bundle: Any
) -> None:
    applicant = citizen(org)
    body = {
        "bundle": "restaurant",
        "applicant_id": applicant.pk,
        "channel": "window",
        "answers": ALL_YES,
        "form": FORM,
    }
    with time_machine.travel(MONDAY, tick=False):
        pk = (
            client_for("clerk")
            .post(f"{API}/applications/", body, content_type="application/json")
            .json()["id"]
        )
    mine = client_for("applicant").get(f"{API}/applications/{pk}")
    assert mine.status_code == 200
    assert {row["label"] for row in mine.json()["form"]} >= {"食品经营主体业态", "店铺招牌内容"}
    # 卫健委 handles only the 公共场所卫生许可: it sees the application, but only the fields that item uses.
    wjw = client_for("reviewer_wjw").get(f"{API}/applications/{pk}").json()
    assert {row["label"] for row in wjw["form"]} == {
        "申请人姓名",
        "企业（个体工商户）名称",
        "住所（经营场所）",
    }
    # 自然资源局 has no member: the application does not exist for it.
    assert client_for("reviewer_zrzy").get(f"{API}/applications/{pk}").status_code == 404
    assert (
        client_for("reviewer_wjw")
        .post(f"{API}/applications/{pk}/accept", {}, content_type="application/json")
        .status_code
        == 403
    )


def test_definitions_admin_only_and_checked(org: Any, client_for: Any) -> None:
    from yichuang.bundles.tests.helpers import restaurant_items

    items = restaurant_items(org)
    spec = restaurant_spec(org, items)
    assert (
        client_for("clerk").post(f"{API}/definitions/", spec, content_type="application/json").status_code
        == 403
    )
    cyclic = {**spec, "members": [dict(m) for m in spec["members"]]}
    cyclic["members"][0]["requires"] = [items["food"].pk]
    refused = client_for("admin").post(f"{API}/definitions/", cyclic, content_type="application/json")
    assert refused.status_code == 400
    assert "前置事项形成循环" in refused.json()["error"]["fields"]["members"][0]
    reserved = client_for("admin").post(
        f"{API}/definitions/", {**spec, "code": "desk"}, content_type="application/json"
    )
    assert reserved.json()["error"]["fields"]["code"] == ["该编码与系统页面地址冲突，请换一个"]
    made = client_for("admin").post(f"{API}/definitions/", spec, content_type="application/json")
    assert made.status_code == 201 and made.json()["status"] == "draft"
    assert client_for("admin").get(f"{API}/restaurant").status_code == 404  # not published yet
    assert client_for("admin").post(f"{API}/definitions/restaurant/publish").json()["status"] == "published"
    assert client_for("admin").get(f"{API}/restaurant").status_code == 200
