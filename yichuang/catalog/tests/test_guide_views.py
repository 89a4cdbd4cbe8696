"""Public guides: the full guide and the 白话版 of the current version, history, diff, print, files."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from yichuang.catalog import services
from yichuang.catalog.models import ServiceItem
from yichuang.catalog.tests.helpers import elements, publish_item

pytestmark = pytest.mark.django_db


def _publish(org, **overrides) -> ServiceItem:
    return publish_item(actor=org.user("admin"), department=org.scjg, basic_code="000123456001", **overrides)


def _edit(org, item: ServiceItem, *, reason: str = "依据新文件压缩时限", **changes) -> None:
    change_request = services.change_request_propose_edit(
        actor=org.user("reviewer"), item=item, elements=changes, reason=reason
    )
    services.change_request_approve(actor=org.user("admin"), change_request=change_request)


def test_public_guide_shows_the_elements_without_login(org) -> None:
    item = _publish(org)
    response = Client().get(reverse("catalog:guide_detail", args=[item.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "食品经营许可（新办）",
        "市场监管局",
        item.implementation_code,
        "行政许可",
        "承诺件",
        "食品经营许可申请书",
        "申请人签字或盖章",  # a review point under its material
        "经营项目与经营场所一致",
        "可免提交（电子证照）",  # 营业执照 has a licence type
        "20个工作日",
        "5个工作日",
        "经营场所现场核查",
        "特别程序时间不计入办理时限",
        "不收费",
        "1次（最多跑一次）",
        "综合出证窗口领取、邮寄送达",
        "乌拉特中旗政务服务中心一楼综合窗口",
        "0478-5211234",
        "食品经营许可证",
        "第1版 · 发布于",
    ):
        assert text in html, text
    assert f'href="/guides/{item.pk}/plain/"' in html
    assert f'href="/guides/{item.pk}/versions/"' in html


def test_guide_shows_fees_deferrable_materials_no_visit_and_immediate(org) -> None:
    data = elements()
    data["materials"][0]["necessity"] = "3"
    item = _publish(
        org,
        case_kind="1",
        promised_days=0,
        visits_required=0,
        online_depth=4,
        fees=[{"name": "工本费", "standard": "每证10元", "basis": "物价文件"}],
        materials=data["materials"],
    )
    html = Client().get(reverse("catalog:guide_detail", args=[item.pk])).content.decode()
    assert "容缺后补" in html
    assert "即办件，当场办结" in html
    assert "不见面审批" in html
    assert "每证10元" in html and "不收费" not in html


def test_plain_version_answers_five_questions_from_the_same_version(org) -> None:
    item = _publish(org)
    response = Client().get(reverse("catalog:guide_plain", args=[item.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for question in ("要准备什么", "去哪儿办", "多久办好", "要不要钱", "能不能网上办"):
        assert question in html
    assert "开饭店、小吃店、超市卖食品，先办这个证。" in html  # plain_summary
    assert "营业执照（有电子证照的不用带）" in html
    assert "5个工作日内办好" in html
    assert "不要钱" in html
    assert "全程都可以在网上办" in html


def test_print_mode_opens_the_print_dialog(org) -> None:
    item = _publish(org)
    plain = Client().get(reverse("catalog:guide_detail", args=[item.pk])).content.decode()
    printing = Client().get(reverse("catalog:guide_detail", args=[item.pk]) + "?print=1").content.decode()
    # static/core/page.js prints a page carrying data-auto-print (no inline script: docs/security.md)
    assert "data-auto-print" not in plain
    assert "data-auto-print" in printing
    assert 'class="guide-body"' in printing


def test_versions_history_version_page_and_diff(org) -> None:
    item = _publish(org)
    data = elements()
    data["materials"][0]["review_points"] = [
        "申请人签字或盖章",
        "经营项目与经营场所一致",
        "场所面积与平面图一致",
    ]
    _edit(org, item, promised_days=3, materials=data["materials"])
    client = Client()

    current = client.get(reverse("catalog:guide_detail", args=[item.pk])).content.decode()
    assert "第2版 · 发布于" in current and "3个工作日" in current and "场所面积与平面图一致" in current

    history = client.get(reverse("catalog:guide_versions", args=[item.pk])).content.decode()
    assert "第1版" in history and "第2版" in history and "依据新文件压缩时限" in history
    assert f"/guides/{item.pk}/diff/?from=1&amp;to=2" in history

    old = client.get(reverse("catalog:guide_version", args=[item.pk, 1])).content.decode()
    assert "这是历史版本，现行版本为第2版" in old
    assert "场所面积与平面图一致" not in old
    assert 'data-testid="promised-days">5个工作日' in old

    diff = client.get(reverse("catalog:guide_diff", args=[item.pk]) + "?from=1&to=2")
    assert diff.status_code == 200
    html = diff.content.decode()
    assert "承诺办结时限（工作日）" in html
    assert "<del>5</del>" in html and "<ins>3</ins>" in html
    assert "修改材料" in html and "场所面积与平面图一致</ins>" in html


def test_long_text_diff_is_inline(org) -> None:
    item = _publish(org)
    _edit(org, item, acceptance_conditions="申请人具有与经营的食品品种、数量相适应的经营场所和卫生设施。")
    html = Client().get(reverse("catalog:guide_diff", args=[item.pk]) + "?from=1&to=2").content.decode()
    assert "<ins>和卫生设施</ins>" in html


def test_retired_item_shows_a_banner(org) -> None:
    item = _publish(org)
    change_request = services.change_request_propose_retire(
        actor=org.user("reviewer"), item=item, reason="上级取消"
    )
    services.change_request_approve(actor=org.user("admin"), change_request=change_request)
    html = Client().get(reverse("catalog:guide_detail", args=[item.pk])).content.decode()
    assert "该事项已于" in html and "取消" in html


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("", 400, "请指定要比较的原版本号"),
        ("?from=1", 400, "请指定要比较的新版本号"),
        ("?from=a&to=2", 400, "原版本号“a”无效"),
        ("?from=-1&to=1", 400, "无效"),
        ("?from=1&to=1", 400, "请选择两个不同的版本"),
        ("?from=1&to=9", 404, "未找到该版本"),
        ("?from=99999999999999999999&to=1", 400, "无效"),
    ],
)
def test_bad_diff_parameters_are_explained_never_500(org, query, status, message) -> None:
    item = _publish(org)
    response = Client().get(reverse("catalog:guide_diff", args=[item.pk]) + query)
    assert response.status_code == status
    assert message in response.content.decode()


def test_unknown_item_or_version_is_404(org) -> None:
    item = _publish(org)
    client = Client()
    assert client.get(reverse("catalog:guide_detail", args=[item.pk + 999])).status_code == 404
    assert client.get(reverse("catalog:guide_plain", args=[item.pk + 999])).status_code == 404
    assert client.get(reverse("catalog:guide_versions", args=[item.pk + 999])).status_code == 404
    response = client.get(reverse("catalog:guide_version", args=[item.pk, 7]))
    assert response.status_code == 404 and "未找到该版本" in response.content.decode()


def test_guide_index_lists_departments_with_counts_and_their_items(org) -> None:
    item = _publish(org)
    client = Client()
    html = client.get(reverse("catalog:guide_index")).content.decode()
    assert "市场监管局" in html and "1项" in html
    assert "卫健委" not in html  # no published items
    assert 'action="/search/"' in html
    html = client.get(reverse("catalog:guide_index") + f"?department={org.scjg.pk}").content.decode()
    assert f'href="/guides/{item.pk}/"' in html


def test_main_item_guide_lists_its_children(org) -> None:
    admin = org.user("admin")
    main = publish_item(
        actor=admin, department=org.scjg, basic_code="000123456000", kind="main", name="食品经营许可"
    )
    child = publish_item(actor=admin, department=org.scjg, basic_code="000123456001", parent=main)
    html = Client().get(reverse("catalog:guide_detail", args=[main.pk])).content.decode()
    assert "下设事项" in html and f'href="/guides/{child.pk}/"' in html
    child_html = Client().get(reverse("catalog:guide_detail", args=[child.pk])).content.decode()
    assert f'<a href="/guides/{main.pk}/">食品经营许可</a>' in child_html


def test_blank_form_download_with_chinese_name(org) -> None:
    stored = services.catalog_file_upload(
        actor=org.user("admin"), name="食品经营许可申请书.pdf", content=b"%PDF-1.4 blank form"
    )
    data = elements()
    data["materials"][0]["blank_form"] = stored.sha256
    item = _publish(org, materials=data["materials"])
    client = Client()
    html = client.get(reverse("catalog:guide_detail", args=[item.pk])).content.decode()
    url = reverse("catalog:file_download", args=[stored.sha256])
    assert f'href="{url}"' in html
    response = client.get(url)
    assert response.status_code == 200
    assert response.content == b"%PDF-1.4 blank form"
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "filename*=utf-8''%E9%A3%9F%E5%93%81" in response["Content-Disposition"]
    assert client.get(reverse("catalog:file_download", args=["0" * 64])).status_code == 404
    assert client.get(reverse("catalog:file_download", args=["not-a-hash"])).status_code == 404


def test_unpublished_upload_is_not_public(org, client_for) -> None:
    stored = services.catalog_file_upload(actor=org.user("reviewer"), name="草稿.pdf", content=b"%PDF-draft")
    url = reverse("catalog:file_download", args=[stored.sha256])
    assert Client().get(url).status_code == 404
    assert client_for("reviewer").get(url).status_code == 200


def test_guide_page_query_count_does_not_grow_with_materials(org, django_assert_max_num_queries) -> None:
    many = [
        {"key": f"m{i}", "name": f"材料{i}", "originals": 1, "review_points": [f"要点{i}a", f"要点{i}b"]}
        for i in range(12)
    ]
    item = _publish(org, materials=many)
    client = Client()
    with django_assert_max_num_queries(6):
        response = client.get(reverse("catalog:guide_detail", args=[item.pk]))
    assert response.content.decode().count('data-material="') == 12
    with django_assert_max_num_queries(6):
        client.get(reverse("catalog:guide_plain", args=[item.pk]))
