"""一件事管理 through the test client: the editor builds a valid definition (and gives a stored one back
unchanged), refuses a dependency cycle, an unknown question and a one-choice question with the service's
Chinese messages on the row and field they name (nothing typed lost, nothing written), adds rows without
losing anything, publishes and retires; nobody but the admin may."""

from __future__ import annotations

import re
from typing import Any

import pytest

from yichuang.bundles import definitions
from yichuang.bundles.models import Bundle, BundleStatus
from yichuang.bundles.tests.helpers import restaurant, restaurant_items, restaurant_spec
from yichuang.core.models import AuditEvent

pytestmark = pytest.mark.django_db

BASICS = ("code", "name", "event_kind", "event", "lead_department", "promised_days", "visits", "position",
          "summary", "service_object", "conditions", "legal_basis", "handling_place", "handling_hours",
          "contact_phone")  # fmt: skip


def post_data(spec: dict[str, Any]) -> dict[str, Any]:
    """What the editor posts for ``spec`` (the shape ``definitions.bundle_spec`` returns)."""
    data: dict[str, Any] = {name: spec.get(name, "") for name in BASICS if spec.get(name) is not None}
    data["process_steps"] = "\n".join(spec.get("process_steps") or [])
    questions, members = spec.get("questions") or [], spec.get("members") or []
    data.update({"q-TOTAL_FORMS": len(questions), "q-INITIAL_FORMS": 0})
    for n, question in enumerate(questions):
        data[f"q-{n}-key"] = question["key"]
        data[f"q-{n}-text"] = question["text"]
        data[f"q-{n}-help_text"] = question.get("help_text", "")
        if question.get("multiple"):
            data[f"q-{n}-multiple"] = "on"
        data[f"q-{n}-choices"] = "\n".join(
            f"{c['value']}|{c.get('label') or c['value']}" for c in question["choices"]
        )
    data.update({"m-TOTAL_FORMS": len(members), "m-INITIAL_FORMS": 0})
    for n, member in enumerate(members):
        data[f"m-{n}-item"] = str(member["item"])
        data[f"m-{n}-label"] = member.get("label", "")
        data[f"m-{n}-form_fields"] = list(member.get("fields") or [])
        data[f"m-{n}-condition"] = [
            f"{k}={v}" for k, values in (member.get("condition") or {}).items() for v in values
        ]
        data[f"m-{n}-requires"] = [str(x) for x in member.get("requires") or []]
    return data


def _page(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def items(org: Any) -> Any:
    return restaurant_items(org)


@pytest.fixture
def spec(org: Any, items: Any) -> dict[str, Any]:
    spec = restaurant_spec(org, items)
    spec["members"][0]["label"] = "营业执照"
    spec["process_steps"] = ["一窗受理", "并联审批", "统一出件"]
    return spec


def test_the_editor_creates_a_valid_bundle_then_it_is_published_and_retired(
    org, client_for, spec, items
) -> None:
    admin = client_for("admin")
    blank = admin.get("/bundles/manage/new/")
    assert blank.status_code == 200 and 'list="handling-items"' in _page(blank)
    assert f'value="{items["food"].pk} · 食品经营许可（新办）' in _page(blank)  # the item chooser
    response = admin.post("/bundles/manage/new/", {**post_data(spec), "op": "save"})
    assert response.status_code == 302 and response["Location"] == "/bundles/manage/"
    bundle = Bundle.objects.get(code="restaurant")
    stored = definitions.bundle_spec(bundle)
    for key in (
        "name",
        "event_kind",
        "event",
        "lead_department",
        "promised_days",
        "summary",
        "process_steps",
    ):
        assert stored[key] == spec[key], key
    assert stored["questions"] == [{**q, "help_text": "", "multiple": False} for q in spec["questions"]]
    by_item = {m["item"]: m for m in stored["members"]}
    assert by_item[items["food"].pk]["requires"] == [items["licence"].pk]
    assert by_item[items["health"].pk]["condition"] == {"dining_area": ["yes"]}
    assert by_item[items["licence"].pk]["label"] == "营业执照"
    assert by_item[items["sign"].pk]["fields"] == ["applicant_name", "company_name", "shop_sign_text"]
    assert bundle.status == BundleStatus.DRAFT

    listed = _page(admin.get("/bundles/manage/"))
    assert "我要开小餐馆" in listed and "草稿" in listed and 'data-action="publish"' in listed
    published = admin.post(f"/bundles/manage/{bundle.pk}/publish/", follow=True)
    assert "已发布“我要开小餐馆”" in _page(published)
    bundle.refresh_from_db()
    assert bundle.status == BundleStatus.PUBLISHED and 'data-action="retire"' in _page(published)
    retired = admin.post(f"/bundles/manage/{bundle.pk}/retire/", follow=True)
    assert "已停用“我要开小餐馆”" in _page(retired)
    assert Bundle.objects.get().status == BundleStatus.RETIRED
    assert {"bundle.define", "bundle.publish", "bundle.retire"} <= set(
        AuditEvent.objects.values_list("action", flat=True)
    )


def test_the_editor_shows_a_stored_definition_and_saves_it_back_unchanged(org, client_for) -> None:
    bundle, items = restaurant(org)
    before = definitions.bundle_spec(bundle)
    admin = client_for("admin")
    page = _page(admin.get(f"/bundles/manage/{bundle.pk}/edit/"))
    assert 'value="dining_area=yes" checked' in page and 'value="sign=yes" checked' in page
    assert re.search(rf'name="m-1-requires" value="{items["licence"].pk}" checked', page)
    assert (
        'name="code"' in page
        and "disabled" in page[page.index('name="code"') - 200 : page.index('name="code"') + 200]
    )
    data = {**post_data(before), "code": "something-else", "op": "save"}  # the code cannot change
    assert admin.post(f"/bundles/manage/{bundle.pk}/edit/", data).status_code == 302
    assert definitions.bundle_spec(Bundle.objects.get()) == before


def test_a_dependency_cycle_is_refused_on_the_members(org, client_for, spec, items) -> None:
    spec["members"][0]["requires"] = [items["food"].pk]  # 营业执照 needs 食品经营许可 needs 营业执照
    response = client_for("admin").post("/bundles/manage/new/", {**post_data(spec), "op": "save"})
    page = _page(response)
    assert response.status_code == 400 and "一件事定义有误，请按提示修改" in page
    assert re.search(
        r'data-field="members">前置事项形成循环：个体工商户设立登记 → 食品经营许可（新办） → 个体工商户设立登记<',
        page,
    )
    assert re.search(rf'name="m-0-requires" value="{items["food"].pk}" checked', page)  # nothing lost
    assert not Bundle.objects.exists()


def test_an_unknown_question_is_refused_on_the_members_condition(org, client_for, spec) -> None:
    spec["members"][2]["condition"] = {"parking": ["yes"]}
    response = client_for("admin").post("/bundles/manage/new/", {**post_data(spec), "op": "save"})
    page = _page(response)
    assert response.status_code == 400
    assert re.search(r'data-field="m-2-condition">适用情形引用了不存在的问题或选项：parking<', page)
    assert re.search(r'name="m-2-condition" value="parking=yes" checked', page)  # shown, not dropped
    assert "（问题或选项已不存在）" in page
    assert not Bundle.objects.exists()


def test_question_and_basic_errors_go_to_their_rows(org, client_for, spec) -> None:
    spec["questions"][1]["choices"] = [{"value": "yes", "label": "设置"}]
    spec["name"] = ""
    spec["promised_days"] = 99
    response = client_for("admin").post("/bundles/manage/new/", {**post_data(spec), "op": "save"})
    page = _page(response)
    assert response.status_code == 400
    assert re.search(r'data-field="questions.1">至少两个选项，选项值不能为空或重复<', page)
    assert re.search(r'data-field="name">请填写名称<', page)
    assert re.search(r'data-field="promised_days">承诺时限应为1至60个工作日<', page)
    assert 'value="我要开小餐馆"' not in page and "是否设置店铺招牌？" in page
    assert not Bundle.objects.exists()


def _defined(org: Any, spec: dict[str, Any]) -> Bundle:
    bundle = definitions.bundle_define(actor=org.user("admin"), spec=spec)
    return definitions.bundle_publish(actor=org.user("admin"), bundle=bundle)


def test_a_code_in_use_is_refused_and_not_overwritten(org, client_for, spec) -> None:
    _defined(org, dict(spec))
    spec = {**spec, "name": "另一个一件事"}
    response = client_for("admin").post("/bundles/manage/new/", {**post_data(spec), "op": "save"})
    assert response.status_code == 400
    assert re.search(r'data-field="code">该编码已被其他一件事使用<', _page(response))
    assert Bundle.objects.get().name == "我要开小餐馆"


def test_adding_rows_keeps_everything_typed(org, client_for, spec, items) -> None:
    data = {**post_data(spec), "op": "add_member"}
    response = client_for("admin").post("/bundles/manage/new/", data)
    page = _page(response)
    assert response.status_code == 200 and 'name="m-4-item"' in page and 'name="m-5-item"' not in page
    assert 'value="restaurant"' in page and re.search(
        r'name="m-2-condition" value="dining_area=yes" checked', page
    )
    refreshed = client_for("admin").post(
        "/bundles/manage/new/", {**post_data(spec), "m-3-item": "", "op": "refresh"}
    )
    page = _page(refreshed)  # the prerequisites offered follow the items chosen; no row is added
    assert 'name="m-3-item"' in page and 'name="m-4-item"' not in page
    assert f'name="m-0-requires" value="{items["sign"].pk}"' not in page
    assert f'name="m-0-requires" value="{items["health"].pk}"' in page
    question = client_for("admin").post("/bundles/manage/new/", {**post_data(spec), "op": "add_question"})
    assert 'name="q-2-key"' in _page(question)
    assert not Bundle.objects.exists()
    # a blank row added and left blank is ignored on save
    saved = client_for("admin").post("/bundles/manage/new/", {**data, "m-TOTAL_FORMS": 5, "op": "save"})
    assert saved.status_code == 302 and Bundle.objects.get().members.count() == 4


def test_only_the_admin_manages_bundles(org, client_for, spec) -> None:
    bundle = _defined(org, spec)
    for role in ("clerk", "reviewer", "chief_rep", "inspector"):
        client = client_for(role)
        assert client.get("/bundles/manage/").status_code == 403
        assert client.get(f"/bundles/manage/{bundle.pk}/edit/").status_code == 403
        assert client.post(f"/bundles/manage/{bundle.pk}/retire/").status_code == 403
        assert (
            client.post(
                "/bundles/manage/new/", {**post_data({**spec, "code": "x"}), "op": "save"}
            ).status_code
            == 403
        )
    assert Bundle.objects.get().status == BundleStatus.PUBLISHED and Bundle.objects.count() == 1


def test_a_bundle_with_inactive_members_is_not_published(org, client_for, spec, items) -> None:
    bundle = definitions.bundle_define(actor=org.user("admin"), spec=spec)
    type(items["sign"]).objects.filter(pk=items["sign"].pk).update(status="retired")
    response = client_for("admin").post(f"/bundles/manage/{bundle.pk}/publish/", follow=True)
    assert "以下成员事项已不在用" in _page(response)
    assert Bundle.objects.get().status == BundleStatus.DRAFT


def test_the_django_admin_shows_bundles_and_applications_read_only(org, client_for) -> None:
    from yichuang.bundles.tests.helpers import apply, citizen

    bundle, _items = restaurant(org)
    application = apply(org, bundle, citizen(org))
    admin = client_for("admin")
    for url in (
        "/admin/bundles/bundle/",
        f"/admin/bundles/bundle/{bundle.pk}/change/",
        "/admin/bundles/bundleapplication/",
        f"/admin/bundles/bundleapplication/{application.pk}/change/",
        "/admin/bundles/bundlenotice/",
    ):
        assert admin.get(url).status_code == 200, url
    assert admin.get("/admin/bundles/bundle/add/").status_code == 403
    assert application.number in _page(admin.get("/admin/bundles/bundleapplication/"))
