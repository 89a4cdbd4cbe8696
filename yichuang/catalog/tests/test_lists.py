"""The ten lists: membership by rule and by hand, numbered immutable editions, public pages, Excel
export, the admin screen and API, permissions and query bounds. States are reached through services."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from yichuang.catalog import services
from yichuang.catalog.lists import (
    LIST_RULES,
    item_list_adjust,
    item_list_adjustment_remove,
    item_list_preview,
    item_list_publish,
    item_list_update,
    rule_members,
)
from yichuang.catalog.models import ImmutableVersionError, ItemList, ItemListEntry, ItemListVersion, ListKind
from yichuang.catalog.tests.helpers import publish_item
from yichuang.core.errors import ApplicationError, PermissionDeniedError
from yichuang.core.models import AuditEvent

pytestmark = pytest.mark.django_db

EFFECTIVE = datetime.date(2026, 3, 1)


def _material(key: str, name: str, **fields: Any) -> dict[str, Any]:
    data = {
        "key": key,
        "name": name,
        "source": "10",
        "necessity": "1",
        "originals": 1,
        "copies": 0,
        "review_points": ["内容完整"],
    }
    data.update(fields)
    return data


# Elements that put an item on none of the ten lists.
PLAIN: dict[str, Any] = {
    "name": "普通事项",
    "item_type": "confirmation",
    "tongban_scope": "none",
    "nearby_level": "",
    "case_kind": "2",
    "promised_days": 5,
    "visits_required": 1,
    "stationed": True,
    "negative_reason": "",
    "commitment_allowed": False,
    "intermediary_services": [],
    "materials": [_material("m-apply", "申请书")],
}

# For each list: the overrides that qualify an item, and a fragment of the note that says why.
QUALIFY: dict[str, tuple[dict[str, Any], str]] = {
    ListKind.LICENSING: ({"item_type": "licensing"}, "食品安全法"),
    ListKind.IMMEDIATE: ({"case_kind": "1", "promised_days": 0}, "当场办结"),
    ListKind.DEFICIENCY: (
        {"materials": [_material("m-apply", "申请书"), _material("m-plan", "平面布局图", necessity="3")]},
        "平面布局图",
    ),
    ListKind.COMMITMENT: (
        {"materials": [_material("m-proof", "场所证明", commitment_replaceable=True)]},
        "场所证明",
    ),
    ListKind.NO_VISIT: ({"visits_required": 0, "online_depth": 4}, "到现场0次"),
    ListKind.NEARBY: ({"nearby_level": "township"}, "苏木乡镇"),
    ListKind.TONGBAN: ({"tongban_scope": "region"}, "全区通办"),
    ListKind.CERTIFICATE_FREE: (
        {"materials": [_material("m-licence", "营业执照", licence_type_code="11100000000013338W001")]},
        "营业执照",
    ),
    ListKind.NEGATIVE: (
        {"stationed": False, "negative_reason": "涉及国家秘密，在部门专门场所办理"},
        "国家秘密",
    ),
    ListKind.INTERMEDIARY: (
        {"intermediary_services": [{"name": "环境影响评价报告编制", "basis": "环评法", "provider": ""}]},
        "环境影响评价报告编制",
    ),
}


def _item(org: Any, code: str, **overrides: Any) -> Any:
    return publish_item(
        actor=org.user("admin"), department=org.scjg, basic_code=code, **{**PLAIN, **overrides}
    )


def _list(kind: str) -> ItemList:
    return ItemList.objects.get(kind=kind)


def _publish(org: Any, kind: str, **kwargs: Any) -> ItemListVersion:
    kwargs.setdefault("effective_date", EFFECTIVE)
    return item_list_publish(actor=org.user("admin"), item_list=_list(kind), **kwargs)


def _names(version: ItemListVersion) -> list[str]:
    return [e.item_version.name for e in version.entries.select_related("item_version").order_by("position")]


def test_ten_lists_have_a_rule_each() -> None:
    assert set(LIST_RULES) == set(ListKind.values)
    assert ItemList.objects.count() == 10


@pytest.mark.parametrize("kind", ListKind.values)
def test_list_membership_by_rule(org, kind: str) -> None:
    overrides, note_fragment = QUALIFY[kind]
    yes = _item(org, "11A000100001", **{**overrides, "name": "符合条件的事项"})
    no = _item(org, "11A000100002", name="不符合条件的事项")
    members = list(rule_members(kind=kind))
    assert yes in members
    assert no not in members
    version = _publish(org, kind)
    entries = list(version.entries.all())
    assert [e.item_id for e in entries] == [yes.pk]
    assert note_fragment in entries[0].note
    assert entries[0].by_hand is False
    assert entries[0].item_version_id == yes.current_version_id
    assert version.item_count == 1


def test_commitment_rule_also_takes_whole_item_commitment(org) -> None:
    whole = _item(org, "11A000100001", commitment_allowed=True)
    assert list(rule_members(kind=ListKind.COMMITMENT)) == [whole]
    entry = _publish(org, ListKind.COMMITMENT).entries.get()
    assert "整项可告知承诺" in entry.note


def test_intermediary_rule_ignores_empty_json_list_on_this_database(org) -> None:
    empty = _item(org, "11A000100001", intermediary_services=[])
    two = _item(
        org,
        "11A000100002",
        intermediary_services=[{"name": "地质灾害评估"}, {"name": "水土保持方案编制"}],
    )
    assert list(rule_members(kind=ListKind.INTERMEDIARY)) == [two]
    assert empty not in rule_members(kind=ListKind.INTERMEDIARY)
    entry = _publish(org, ListKind.INTERMEDIARY).entries.get()
    assert entry.note == "地质灾害评估、水土保持方案编制"


def test_entries_ordered_by_department_then_basic_code(org) -> None:
    admin = org.user("admin")
    b = _item(org, "11A000100009", name="乙", item_type="licensing")
    a = _item(org, "11A000100001", name="甲", item_type="licensing")
    other = publish_item(
        actor=admin,
        department=org.wjw,
        basic_code="11A000100000",
        **{**PLAIN, "name": "丙", "item_type": "licensing"},
    )
    version = _publish(org, ListKind.LICENSING)
    expected = sorted([a, b, other], key=lambda i: (i.department.path, i.basic_code))
    assert [e.item_id for e in version.entries.order_by("position")] == [i.pk for i in expected]
    assert [e.position for e in version.entries.order_by("position")] == [1, 2, 3]


def test_by_hand_include_and_exclude(org) -> None:
    admin = org.user("admin")
    member = _item(org, "11A000100001", item_type="licensing", name="规则成员")
    outsider = _item(org, "11A000100002", name="手工纳入的事项")
    licensing = _list(ListKind.LICENSING)
    item_list_adjust(
        actor=admin, item_list=licensing, item=outsider, action="include", reason="依据盟级文件纳入"
    )
    item_list_adjust(actor=admin, item_list=licensing, item=member, action="exclude", reason="已下放至苏木")
    version = _publish(org, ListKind.LICENSING)
    entry = version.entries.get()
    assert entry.item_id == outsider.pk
    assert entry.by_hand is True
    assert entry.note == "依据盟级文件纳入"
    # Re-adjusting replaces: the excluded member comes back as a by-hand include of a rule member.
    item_list_adjust(actor=admin, item_list=licensing, item=member, action="include", reason="恢复")
    assert licensing.adjustments.count() == 2
    item_list_adjustment_remove(actor=admin, item_list=licensing, item=outsider)
    second = _publish(org, ListKind.LICENSING)
    assert [e.item_id for e in second.entries.all()] == [member.pk]
    assert second.entries.get().by_hand is False
    actions = list(
        AuditEvent.objects.filter(action__startswith="catalog.list.").values_list("action", flat=True)
    )
    assert actions.count("catalog.list.adjust") == 3
    assert "catalog.list.adjustment_remove" in actions
    assert actions.count("catalog.list.publish") == 2


def test_adjustment_needs_reason_and_a_handling_item(org) -> None:
    admin = org.user("admin")
    item = _item(org, "11A000100001")
    licensing = _list(ListKind.LICENSING)
    with pytest.raises(ApplicationError) as error:
        item_list_adjust(actor=admin, item_list=licensing, item=item, action="include", reason="  ")
    assert error.value.fields == {"reason": ["必填"]}
    with pytest.raises(ApplicationError):
        item_list_adjust(actor=admin, item_list=licensing, item=item, action="delete", reason="x")
    main = publish_item(
        actor=admin, department=org.scjg, basic_code="", kind="main", **{**PLAIN, "name": "主项"}
    )
    with pytest.raises(ApplicationError) as error:
        item_list_adjust(actor=admin, item_list=licensing, item=main, action="include", reason="x")
    assert error.value.code == "not_handling_item"
    assert licensing.adjustments.count() == 0


def test_manual_list_holds_only_includes(org) -> None:
    admin = org.user("admin")
    rule_member = _item(org, "11A000100001", stationed=False, negative_reason="涉密")
    chosen = _item(org, "11A000100002", name="手工选定")
    negative = item_list_update(
        actor=admin, item_list=_list(ListKind.NEGATIVE), membership="manual", description="手工维护"
    )
    item_list_adjust(actor=admin, item_list=negative, item=chosen, action="include", reason="场地不足")
    with pytest.raises(ApplicationError):
        item_list_adjust(actor=admin, item_list=negative, item=rule_member, action="exclude", reason="x")
    version = _publish(org, ListKind.NEGATIVE)
    assert [e.item_id for e in version.entries.all()] == [chosen.pk]
    assert _list(ListKind.NEGATIVE).description == "手工维护"


def test_publishing_creates_numbered_immutable_editions(org) -> None:
    admin = org.user("admin")
    first_item = _item(org, "11A000100001", item_type="licensing", name="第一项")
    first = _publish(org, ListKind.LICENSING, note="首次发布")
    second_item = _item(org, "11A000100002", item_type="licensing", name="第二项")
    preview = item_list_preview(item_list=_list(ListKind.LICENSING))
    assert [e.item for e in preview.added] == [second_item]
    assert not preview.unchanged
    second = _publish(org, ListKind.LICENSING, effective_date=datetime.date(2030, 1, 1))
    assert (first.number, second.number) == (1, 2)
    assert [e.item_id for e in first.entries.all()] == [first_item.pk]
    assert first.item_count == 1 and second.item_count == 2
    # Unchanged: allowed, as a re-dated edition, and the preview says so.
    assert item_list_preview(item_list=_list(ListKind.LICENSING)).unchanged
    third = _publish(org, ListKind.LICENSING)
    assert third.number == 3 and third.item_count == 2
    with pytest.raises(ApplicationError) as error:
        item_list_publish(actor=admin, item_list=_list(ListKind.LICENSING), effective_date=None)
    assert "effective_date" in error.value.fields
    assert ItemListVersion.objects.filter(item_list__kind=ListKind.LICENSING).count() == 3
    # A published edition and its entries are written once.
    first.note = "改写"
    with pytest.raises(ImmutableVersionError):
        first.save()
    with pytest.raises(ImmutableVersionError):
        first.entries.first().delete()
    first.refresh_from_db()
    assert first.note == "首次发布"


def test_old_edition_keeps_the_old_version_of_an_edited_item(org) -> None:
    admin = org.user("admin")
    item = _item(org, "11A000100001", item_type="licensing", name="旧名称")
    first = _publish(org, ListKind.LICENSING)
    request = services.change_request_propose_edit(
        actor=admin, item=item, elements={"name": "新名称"}, reason="更名"
    )
    services.change_request_approve(actor=admin, change_request=request)
    preview = item_list_preview(item_list=_list(ListKind.LICENSING))
    assert [e.item.pk for e in preview.updated] == [item.pk]
    second = _publish(org, ListKind.LICENSING)
    assert _names(first) == ["旧名称"]
    assert _names(second) == ["新名称"]
    client_page = reverse("catalog:list_version", args=[ListKind.LICENSING, 1])
    from django.test import Client

    body = Client().get(client_page).content.decode()
    assert "旧名称" in body and "新名称" not in body


def test_retired_item_leaves_the_next_edition(org) -> None:
    admin = org.user("admin")
    stays = _item(org, "11A000100001", item_type="licensing", name="继续实施")
    goes = _item(org, "11A000100002", item_type="licensing", name="将被取消")
    licensing = _list(ListKind.LICENSING)
    item_list_adjust(actor=admin, item_list=licensing, item=goes, action="include", reason="双保险")
    first = _publish(org, ListKind.LICENSING)
    assert first.item_count == 2
    request = services.change_request_propose_retire(actor=admin, item=goes, reason="法规废止")
    services.change_request_approve(actor=admin, change_request=request)
    preview = item_list_preview(item_list=licensing)
    assert [e.item_id for e in preview.removed] == [goes.pk]
    second = _publish(org, ListKind.LICENSING)
    assert [e.item_id for e in second.entries.all()] == [stays.pk]
    assert first.entries.count() == 2


def test_only_the_admin_manages_lists(org) -> None:
    item = _item(org, "11A000100001")
    licensing = _list(ListKind.LICENSING)
    for key in ("reviewer", "chief_rep", "clerk", "applicant"):
        with pytest.raises(PermissionDeniedError):
            item_list_publish(actor=org.user(key), item_list=licensing, effective_date=EFFECTIVE)
        with pytest.raises(PermissionDeniedError):
            item_list_adjust(
                actor=org.user(key), item_list=licensing, item=item, action="include", reason="x"
            )
        with pytest.raises(PermissionDeniedError):
            item_list_update(actor=org.user(key), item_list=licensing, membership="manual", description="")
    assert not ItemListVersion.objects.exists()


# ——— public pages and export ———


def test_public_pages_without_sign_in(org, client) -> None:
    _item(org, "11A000100001", item_type="licensing", name="食品经营许可", case_kind="2", promised_days=5)
    index = client.get(reverse("catalog:list_index"))
    assert index.status_code == 200
    assert "尚未发布" in index.content.decode()
    unpublished = client.get(reverse("catalog:list_detail", args=["licensing"]))
    assert unpublished.status_code == 200 and "尚未发布" in unpublished.content.decode()
    version = _publish(org, ListKind.LICENSING, note="年度调整")
    body = client.get(reverse("catalog:list_detail", args=["licensing"])).content.decode()
    entry = version.entries.get()
    assert "食品经营许可" in body and "5个工作日" in body and "第1版" in body
    assert entry.item_version.implementation_code in body
    assert f"/guides/{entry.item_id}/" in body
    assert reverse("catalog:list_export", args=["licensing", 1]) in body
    index = client.get(reverse("catalog:list_index")).content.decode()
    assert "2026年3月1日" in index
    assert client.get(reverse("catalog:list_version", args=["licensing", 2])).status_code == 404
    assert client.get(reverse("catalog:list_detail", args=["nosuch"])).status_code == 404


def test_public_list_page_has_no_n_plus_one(org, client, django_assert_max_num_queries) -> None:
    for n in range(1, 4):
        _item(org, f"11A00010000{n}", item_type="licensing", name=f"许可{n}")
    _publish(org, ListKind.LICENSING)
    url = reverse("catalog:list_detail", args=["licensing"])
    with django_assert_max_num_queries(6) as small:
        assert client.get(url).status_code == 200
    for n in range(4, 10):
        _item(org, f"11A00010000{n}", item_type="licensing", name=f"许可{n}")
    _publish(org, ListKind.LICENSING)
    with django_assert_max_num_queries(6) as large:
        assert client.get(url).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
    with django_assert_max_num_queries(4):
        assert client.get(reverse("catalog:list_index")).status_code == 200


def test_admin_overview_queries_do_not_grow_with_items(
    org, client_for, django_assert_max_num_queries
) -> None:
    admin = client_for("admin")
    # The same lists non-empty in both states: an empty rule list skips its materials prefetch.
    _item(org, "11A000100001", item_type="licensing", nearby_level="village", name="许可1")
    _publish(org, ListKind.LICENSING)
    with django_assert_max_num_queries(60) as few:
        assert admin.get(reverse("catalog:list_manage")).status_code == 200
    for n in range(2, 8):
        _item(org, f"11A00010000{n}", item_type="licensing", nearby_level="village", name=f"许可{n}")
    _publish(org, ListKind.LICENSING)
    with django_assert_max_num_queries(60) as many:
        assert admin.get(reverse("catalog:list_manage")).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_excel_export(org, client) -> None:
    _item(org, "11A000100001", item_type="licensing", name="许可甲")
    _item(org, "11A000100002", item_type="licensing", name="许可乙", case_kind="1", promised_days=0)
    version = _publish(org, ListKind.LICENSING)
    response = client.get(reverse("catalog:list_export", args=["licensing", version.number]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    assert sheet.title == "行政许可事项清单"
    rows = list(sheet.iter_rows(values_only=True))
    assert "行政许可事项清单" in rows[0][0] and "第1版" in rows[0][0] and "2026年03月01日" in rows[0][0]
    assert rows[1] == ("序号", "事项名称", "实施主体", "实施编码", "事项类型", "承诺时限", "备注")
    assert [r[1] for r in rows[2:]] == ["许可甲", "许可乙"]
    assert rows[3][5] == "即办" and rows[2][5] == "5个工作日"
    assert rows[2][2] == "市场监管局" and rows[2][4] == "行政许可"
    assert sheet.freeze_panes == "A3"
    assert sheet.column_dimensions["B"].width == 40
    assert client.get(reverse("catalog:list_export", args=["licensing", 9])).status_code == 404


# ——— admin screen ———


def test_admin_screen_preview_adjust_publish(org, client_for) -> None:
    member = _item(org, "11A000100001", item_type="licensing", name="规则成员")
    outsider = _item(org, "11A000100002", name="查找到的事项")
    admin = client_for("admin")
    overview = admin.get(reverse("catalog:list_manage"))
    assert overview.status_code == 200 and "行政许可事项清单" in overview.content.decode()
    detail_url = reverse("catalog:list_manage_detail", args=["licensing"])
    page = admin.get(detail_url).content.decode()
    assert "规则成员" in page and "尚未发布过" in page
    found = admin.get(detail_url, {"q": "查找到"}, HTTP_HX_REQUEST="true")
    assert "查找到的事项" in found.content.decode() and "<html" not in found.content.decode()
    found = admin.get(detail_url, {"q": outsider.implementation_code[:25]}).content.decode()
    assert "查找到的事项" in found
    refused = admin.post(
        reverse("catalog:list_manage_adjust", args=["licensing"]),
        {"item_id": outsider.pk, "action": "include", "reason": " "},
    )
    assert refused.status_code == 400
    done = admin.post(
        reverse("catalog:list_manage_adjust", args=["licensing"]),
        {"item_id": outsider.pk, "action": "include", "reason": "上级要求纳入"},
        follow=True,
    )
    assert "已手工纳入" in done.content.decode()
    missing_date = admin.post(reverse("catalog:list_manage_publish", args=["licensing"]), {"note": "x"})
    assert missing_date.status_code == 400
    published = admin.post(
        reverse("catalog:list_manage_publish", args=["licensing"]),
        {"effective_date": "2026-04-01", "note": "第一版"},
        follow=True,
    )
    assert "已发布行政许可事项清单第1版，共2项" in published.content.decode()
    assert "与上一版相同" in published.content.decode()
    version = ItemListVersion.objects.get(item_list__kind="licensing")
    assert {e.item_id for e in version.entries.all()} == {member.pk, outsider.pk}
    removed = admin.post(
        reverse("catalog:list_manage_adjustment_remove", args=["licensing", outsider.pk]), follow=True
    )
    assert removed.status_code == 200 and not _list("licensing").adjustments.exists()
    settings = admin.post(
        reverse("catalog:list_manage_update", args=["licensing"]),
        {"membership": "manual", "description": "新说明"},
        follow=True,
    )
    assert settings.status_code == 200 and _list("licensing").membership == "manual"


def test_admin_screen_refuses_others(org, client_for, client) -> None:
    reviewer = client_for("reviewer")
    assert reviewer.get(reverse("catalog:list_manage")).status_code == 403
    assert reviewer.get(reverse("catalog:list_manage_detail", args=["licensing"])).status_code == 403
    response = reviewer.post(
        reverse("catalog:list_manage_publish", args=["licensing"]), {"effective_date": "2026-04-01"}
    )
    assert response.status_code == 403
    assert not ItemListVersion.objects.exists()
    anonymous = client.get(reverse("catalog:list_manage"))
    assert anonymous.status_code == 302


# ——— API ———


def test_api_public_reads(org, client) -> None:
    item = _item(org, "11A000100001", nearby_level="village", name="就近事项")
    lists = client.get("/api/v1/catalog/lists")
    assert lists.status_code == 200
    assert [entry["kind"] for entry in lists.json()] == list(ItemList.objects.values_list("kind", flat=True))
    assert all(entry["latest"] is None for entry in lists.json())
    assert client.get("/api/v1/catalog/lists/nearby").json()["version"] is None
    _publish(org, ListKind.NEARBY)
    body = client.get("/api/v1/catalog/lists/nearby").json()
    assert body["version"]["number"] == 1 and body["version"]["effective_date"] == "2026-03-01"
    assert body["entries"][0]["item_id"] == item.pk
    assert body["entries"][0]["name"] == "就近事项"
    assert "嘎查村" in body["entries"][0]["note"]
    assert client.get("/api/v1/catalog/lists/nearby/versions/1").json()["version"]["number"] == 1
    missing = client.get("/api/v1/catalog/lists/nearby/versions/5")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/catalog/lists/nearby/preview").status_code == 401


def test_api_admin_adjust_preview_publish(org, client_for) -> None:
    item = _item(org, "11A000100001", name="手工纳入的事项")
    admin = client_for("admin")
    created = admin.post(
        "/api/v1/catalog/lists/tongban/adjustments",
        {"item_id": item.pk, "action": "include", "reason": "试点"},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["action"] == "include"
    preview = admin.get("/api/v1/catalog/lists/tongban/preview").json()
    assert preview["item_count"] == 1 and preview["added"] == [item.pk] and preview["latest_number"] is None
    bad = admin.post("/api/v1/catalog/lists/tongban/publish", {"note": "x"}, content_type="application/json")
    assert bad.status_code == 400 and "effective_date" in bad.json()["error"]["fields"]
    published = admin.post(
        "/api/v1/catalog/lists/tongban/publish",
        {"effective_date": "2026-05-01", "note": "试点"},
        content_type="application/json",
    )
    assert published.status_code == 201
    assert published.json()["version"]["number"] == 1
    assert published.json()["entries"][0]["by_hand"] is True
    assert admin.get("/api/v1/catalog/lists/tongban/preview").json()["unchanged"] is True
    assert admin.delete(f"/api/v1/catalog/lists/tongban/adjustments/{item.pk}").status_code == 204
    again = admin.delete(f"/api/v1/catalog/lists/tongban/adjustments/{item.pk}")
    assert again.status_code == 404
    no_reason = admin.post(
        "/api/v1/catalog/lists/tongban/adjustments",
        {"item_id": item.pk, "action": "include", "reason": ""},
        content_type="application/json",
    )
    assert no_reason.status_code == 400 and no_reason.json()["error"]["fields"] == {"reason": ["必填"]}


def test_api_reviewer_cannot_publish(org, client_for) -> None:
    reviewer = client_for("reviewer")
    response = reviewer.post(
        "/api/v1/catalog/lists/licensing/publish",
        {"effective_date": "2026-05-01"},
        content_type="application/json",
    )
    assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"
    assert reviewer.get("/api/v1/catalog/lists/licensing/preview").status_code == 403
    assert not ItemListVersion.objects.exists()
    assert not ItemListEntry.objects.exists()
