"""Staff screens: workbench, item page, the edit / new / retire forms, change requests and decisions."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from yichuang.catalog import services
from yichuang.catalog.models import ChangeRequest, ChangeRequestStatus, ServiceItem
from yichuang.catalog.tests.helpers import publish_item

pytestmark = pytest.mark.django_db


def _publish(org, basic_code: str = "000123456001", department=None, **overrides) -> ServiceItem:
    return publish_item(
        actor=org.user("admin"), department=department or org.scjg, basic_code=basic_code, **overrides
    )


def _proposals():
    """Change requests made by the screens (publish_item leaves an approved "create" request)."""
    return ChangeRequest.objects.exclude(status=ChangeRequestStatus.APPROVED)


def _form_data(response) -> dict[str, Any]:
    """What the browser would send back for the rendered (prefilled) forms, untouched."""
    data: dict[str, Any] = {}
    forms = [response.context["form"], *response.context["formset"].forms]
    if response.context.get("item_form") is not None:
        forms.append(response.context["item_form"])
    for form in forms:
        for field in form:
            value = field.value()
            if field.widget_type == "checkbox":
                if value:
                    data[field.html_name] = "on"
            elif value is None:
                data[field.html_name] = ""
            else:
                data[field.html_name] = value
    management = response.context["formset"].management_form
    for field in management:
        data[field.html_name] = field.value()
    data["reason"] = "依据新文件调整"
    return data


def test_staff_pages_need_login_and_catalog_capability(org, client_for) -> None:
    item = _publish(org)
    anonymous = Client()
    for url in (
        reverse("catalog:workbench"),
        reverse("catalog:item_detail", args=[item.pk]),
        reverse("catalog:item_edit", args=[item.pk]),
        reverse("catalog:item_new"),
        reverse("catalog:change_list"),
    ):
        response = anonymous.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
        assert client_for("applicant").get(url).status_code == 403, url


def test_workbench_scopes_reviewer_to_own_department_and_admin_filters(org, client_for) -> None:
    own = _publish(org)
    other = _publish(org, basic_code="000123456002", department=org.wjw, name="医疗机构执业登记")
    html = client_for("reviewer").get(reverse("catalog:workbench")).content.decode()
    assert own.name in html and other.name not in html
    html = client_for("admin").get(reverse("catalog:workbench")).content.decode()
    assert own.name in html and other.name in html
    html = (
        client_for("admin").get(reverse("catalog:workbench") + f"?department={org.wjw.pk}").content.decode()
    )
    assert own.name not in html and other.name in html
    html = client_for("clerk").get(reverse("catalog:workbench")).content.decode()
    assert own.name in html and other.name in html and "新增事项" not in html


def test_item_page_shows_guide_codes_history_and_buttons(org, client_for) -> None:
    item = _publish(org)
    response = client_for("reviewer").get(reverse("catalog:item_detail", args=[item.pk]))
    html = response.content.decode()
    assert 'class="guide-body"' in html  # the same body as the public guide
    assert "000123456001" in html and item.implementation_code in html
    assert "版本记录" in html and "提出变更" in html and "申请取消" in html
    assert (
        "提出变更"
        not in client_for("clerk").get(reverse("catalog:item_detail", args=[item.pk])).content.decode()
    )
    assert client_for("reviewer_wjw").get(reverse("catalog:item_detail", args=[item.pk])).status_code == 404


def test_edit_form_is_prefilled_with_every_element(org, client_for) -> None:
    item = _publish(org)
    response = client_for("reviewer").get(reverse("catalog:item_edit", args=[item.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="5"' in html  # promised days
    assert "申请｜窗口或网上提交材料" in html  # process steps one per line
    assert "现场勘查｜经营场所现场核查｜5" in html
    assert 'value="m-apply"' in html  # the material key travels in a hidden field
    assert "申请人签字或盖章\n经营项目与经营场所一致" in html
    assert '<label for="id_promised_days">' in html
    assert 'for="id_materials-0-review_points"' in html


def test_reviewer_proposes_an_edit_through_the_form_and_admin_approves(org, client_for) -> None:
    item = _publish(org)
    reviewer = client_for("reviewer")
    data = _form_data(reviewer.get(reverse("catalog:item_edit", args=[item.pk])))
    data["promised_days"] = "3"
    data["materials-0-review_points"] = "申请人签字或盖章\n经营项目与经营场所一致\n场所面积与平面图一致"
    data["materials-1-DELETE"] = "on"  # 营业执照 no longer needed
    data["materials-2-name"] = "经营场所平面图"  # the blank extra row becomes a new material
    data["materials-2-originals"] = "1"
    data["materials-2-copies"] = "0"
    data["fees"] = "工本费｜每证10元｜物价文件"
    response = reviewer.post(reverse("catalog:item_edit", args=[item.pk]), data)
    change_request = _proposals().get(item=item)
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:change_detail", args=[change_request.pk])
    assert change_request.payload["promised_days"] == 3
    assert [m["name"] for m in change_request.payload["materials"]] == [
        "食品经营许可申请书",
        "经营场所平面图",
    ]
    assert change_request.payload["materials"][0]["key"] == "m-apply"
    assert change_request.payload["fees"] == [{"name": "工本费", "standard": "每证10元", "basis": "物价文件"}]
    assert change_request.payload["special_procedures"] == [
        {"kind": "inspection", "name": "经营场所现场核查", "days": 5}
    ]

    detail = reviewer.get(response["Location"]).content.decode()
    assert "变更申请已提交" in detail and "<del>5</del>" in detail and "<ins>3</ins>" in detail
    assert "删除材料" in detail and "新增材料" in detail and "撤回申请" in detail
    assert "批准并发布" not in detail  # the reviewer cannot decide

    admin = client_for("admin")
    assert "待审核" in admin.get(reverse("catalog:change_list")).content.decode()
    assert "批准并发布" in admin.get(response["Location"]).content.decode()
    approved = admin.post(
        reverse("catalog:change_approve", args=[change_request.pk]), {"approve-reason": "同意"}
    )
    assert approved.status_code == 302
    item.refresh_from_db()
    assert item.current_version.number == 2 and item.current_version.promised_days == 3
    page = admin.get(approved["Location"]).content.decode()
    assert "已批准并发布第2版" in page and f"/guides/{item.pk}/v/2/" in page
    public = Client().get(reverse("catalog:guide_detail", args=[item.pk])).content.decode()
    assert "第2版" in public and "场所面积与平面图一致" in public and "每证10元" in public


def test_validation_errors_are_shown_next_to_the_fields_and_nothing_is_created(org, client_for) -> None:
    item = _publish(org)
    reviewer = client_for("reviewer")
    data = _form_data(reviewer.get(reverse("catalog:item_edit", args=[item.pk])))
    data["promised_days"] = "30"  # beyond the legal 20
    data["materials-1-name"] = "食品经营许可申请书"  # duplicate name
    data["special_procedures"] = "现场勘查｜经营场所现场核查｜天"
    response = reviewer.post(reverse("catalog:item_edit", args=[item.pk]), data)
    assert response.status_code == 400
    assert not _proposals().exists()
    html = response.content.decode()
    assert 'data-field="special_procedures">第1行：天数应为整数' in html
    data["special_procedures"] = "现场勘查｜经营场所现场核查｜5"
    response = reviewer.post(reverse("catalog:item_edit", args=[item.pk]), data)
    html = response.content.decode()
    assert response.status_code == 400 and not _proposals().exists()
    assert 'data-field="materials-1-name">同一事项的材料名称不能重复' in html
    assert 'value="30"' in html  # the user's input is kept
    data["materials-1-name"] = "营业执照"
    response = reviewer.post(reverse("catalog:item_edit", args=[item.pk]), data)
    html = response.content.decode()
    assert 'data-field="promised_days">承诺时限不能超过法定时限' in html
    assert not _proposals().exists()


def test_form_errors_without_reason_and_unchanged_elements(org, client_for) -> None:
    item = _publish(org)
    reviewer = client_for("reviewer")
    data = _form_data(reviewer.get(reverse("catalog:item_edit", args=[item.pk])))
    response = reviewer.post(reverse("catalog:item_edit", args=[item.pk]), {**data, "reason": ""})
    assert response.status_code == 400 and 'data-field="reason"' in response.content.decode()
    response = reviewer.post(reverse("catalog:item_edit", args=[item.pk]), data)
    assert response.status_code == 400 and "完全相同" in response.content.decode()
    assert not _proposals().exists()


def test_double_submit_shows_the_conflict(org, client_for) -> None:
    item = _publish(org)
    reviewer = client_for("reviewer")
    data = _form_data(reviewer.get(reverse("catalog:item_edit", args=[item.pk])))
    data["promised_days"] = "4"
    assert reviewer.post(reverse("catalog:item_edit", args=[item.pk]), data).status_code == 302
    response = reviewer.post(reverse("catalog:item_edit", args=[item.pk]), data)
    assert response.status_code == 400
    assert "已有待审核的变更申请" in response.content.decode()
    assert _proposals().count() == 1


def test_blank_form_upload_through_the_form(org, client_for) -> None:
    item = _publish(org)
    reviewer = client_for("reviewer")
    data = _form_data(reviewer.get(reverse("catalog:item_edit", args=[item.pk])))
    data["materials-0-blank_form"] = SimpleUploadedFile("申请书.pdf", b"%PDF-1.4 form", "application/pdf")
    assert reviewer.post(reverse("catalog:item_edit", args=[item.pk]), data).status_code == 302
    payload = _proposals().get().payload
    assert payload["materials"][0]["blank_form"]
    bad = _form_data(reviewer.get(reverse("catalog:item_edit", args=[_publish(org, "000123456002").pk])))
    bad["materials-0-sample"] = SimpleUploadedFile("sample.pdf", b"MZ not a pdf", "application/pdf")
    response = reviewer.post(reverse("catalog:item_edit", args=[ServiceItem.objects.latest("pk").pk]), bad)
    assert response.status_code == 400
    assert 'data-field="materials-0-sample">只能上传' in response.content.decode()


def test_other_department_and_non_proposers_cannot_edit(org, client_for) -> None:
    item = _publish(org)
    url = reverse("catalog:item_edit", args=[item.pk])
    assert client_for("reviewer_wjw").get(url).status_code == 404
    assert client_for("reviewer_wjw").post(url, {"reason": "x"}).status_code == 404
    assert client_for("clerk").get(url).status_code == 403
    assert client_for("chief_rep").get(url).status_code == 200
    assert not _proposals().exists()


def test_new_item_through_the_form(org, client_for) -> None:
    reviewer = client_for("reviewer")
    response = reviewer.get(reverse("catalog:item_new"))
    options = response.context["item_form"].fields["department"].queryset
    assert list(options) == [org.scjg]
    data = _form_data(response)
    data.update(
        {
            "department": str(org.scjg.pk),
            "item_kind": "handling",
            "level": "4",
            "basic_code": "000123456009",
            "name": "食品小作坊登记",
            "item_type": "licensing",
            "case_kind": "2",
            "legal_days": "20",
            "promised_days": "5",
            "delivery_methods": ["window"],
            "materials-0-name": "登记申请表",
            "materials-0-originals": "1",
            "materials-0-copies": "0",
            "materials-0-review_points": "签字",
        }
    )
    response = reviewer.post(reverse("catalog:item_new"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    change_request = _proposals().get()
    assert change_request.kind == "create" and change_request.basic_code == "000123456009"
    assert change_request.payload["materials"][0]["review_points"] == ["签字"]
    # Someone else's department is not on offer, and a bad code is explained.
    response = reviewer.post(reverse("catalog:item_new"), {**data, "department": str(org.wjw.pk)})
    assert response.status_code == 400 and 'data-field="department"' in response.content.decode()
    response = reviewer.post(reverse("catalog:item_new"), {**data, "basic_code": "12"})
    assert response.status_code == 400 and 'data-field="basic_code"' in response.content.decode()
    assert _proposals().count() == 1


def test_retire_reject_and_withdraw_screens(org, client_for) -> None:
    item = _publish(org)
    reviewer, admin = client_for("reviewer"), client_for("admin")
    url = reverse("catalog:item_retire", args=[item.pk])
    assert reviewer.post(url, {"reason": ""}).status_code == 400
    response = reviewer.post(url, {"reason": "上级文件取消"})
    change_request = _proposals().get()
    assert response.status_code == 302 and change_request.kind == "retire"

    detail = reverse("catalog:change_detail", args=[change_request.pk])
    response = admin.post(reverse("catalog:change_reject", args=[change_request.pk]), {"reject-reason": ""})
    assert response.status_code == 400 and 'data-field="reject-reason"' in response.content.decode()
    change_request.refresh_from_db()
    assert change_request.status == ChangeRequestStatus.SUBMITTED
    # The reviewer cannot approve.
    assert reviewer.post(reverse("catalog:change_approve", args=[change_request.pk])).status_code == 403
    response = admin.post(
        reverse("catalog:change_reject", args=[change_request.pk]), {"reject-reason": "仍有办件在办"}
    )
    assert response.status_code == 302
    change_request.refresh_from_db()
    assert change_request.status == ChangeRequestStatus.REJECTED
    assert "仍有办件在办" in admin.get(detail).content.decode()
    # A decided request cannot be approved any more: a 409 page, not a 500.
    response = admin.post(reverse("catalog:change_approve", args=[change_request.pk]))
    assert response.status_code == 409 and "不能批准" in response.content.decode()

    second = services.change_request_propose_retire(actor=org.user("reviewer"), item=item, reason="再次申请")
    assert reviewer.post(reverse("catalog:change_withdraw", args=[second.pk])).status_code == 302
    second.refresh_from_db()
    assert second.status == ChangeRequestStatus.WITHDRAWN


def test_change_requests_are_scoped_to_the_department(org, client_for) -> None:
    item = _publish(org)
    change_request = services.change_request_propose_retire(
        actor=org.user("reviewer"), item=item, reason="取消"
    )
    url = reverse("catalog:change_detail", args=[change_request.pk])
    assert client_for("reviewer_wjw").get(url).status_code == 404
    assert item.name not in client_for("reviewer_wjw").get(reverse("catalog:change_list")).content.decode()
    assert (
        client_for("reviewer_wjw")
        .post(reverse("catalog:change_withdraw", args=[change_request.pk]))
        .status_code
        == 404
    )


def test_change_list_puts_pending_first_and_filters_by_status(org, client_for) -> None:
    first = _publish(org)
    second = _publish(org, basic_code="000123456002", name="食品经营许可（变更）")
    rejected = services.change_request_propose_retire(actor=org.user("reviewer"), item=first, reason="取消")
    services.change_request_reject(actor=org.user("admin"), change_request=rejected, reason="不同意")
    services.change_request_propose_retire(actor=org.user("reviewer"), item=second, reason="取消")
    response = client_for("admin").get(reverse("catalog:change_list"))
    rows = list(response.context["requests"])
    assert rows[0].status == ChangeRequestStatus.SUBMITTED
    response = client_for("admin").get(reverse("catalog:change_list") + "?status=rejected")
    assert [cr.pk for cr in response.context["requests"]] == [rejected.pk]


def test_workbench_query_count_is_bounded(org, client_for, django_assert_max_num_queries) -> None:
    for index in range(8):
        _publish(org, basic_code=f"00012345601{index}", name=f"事项{index}")
    client = client_for("admin")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("catalog:workbench"))
    assert response.content.decode().count("/catalog/items/") >= 8
