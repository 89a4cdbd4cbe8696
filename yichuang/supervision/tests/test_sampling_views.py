"""The 事项抽查 screens: the year page (coverage, months, the draw button), a draw by department, the item page
with its inspection form (validation messages, htmx, no duplicate on a second submit); permissions per role and
the chief representative's read-only view of his own department."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from yichuang.core.models import AuditEvent
from yichuang.supervision import sampling
from yichuang.supervision.models_sampling import Inspection, SampledItem, SampleDraw
from yichuang.supervision.tests.sampling_setup import stationed_items

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _march_2026() -> Any:
    with time_machine.travel(dt.datetime(2026, 3, 10, 10, 0, tzinfo=TZ), tick=False):
        yield


@pytest.fixture
def items(org: Any) -> list[Any]:
    return stationed_items(org, 20)  # 10 of 市场监管局, 10 of 住建局


def url(name: str, *args: Any) -> str:
    return reverse(f"supervision:{name}", args=args)


def test_the_year_page_draws_the_current_month(org: Any, client_for: Any, items: list[Any]) -> None:
    inspector = client_for("inspector")
    page = inspector.get(url("sampling"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "抽取本月（3月）抽查事项" in html
    assert 'data-testid="population">20<' in html
    assert html.count('data-testid="draw-month"') == 3  # January to March may be drawn, not April on

    drawn = inspector.post(url("sampling_draw_new"), {"year": 2026, "month": 3})
    made = SampleDraw.objects.get()
    assert drawn.status_code == 302 and drawn["Location"] == url("sampling_draw", made.pk)
    again = inspector.post(url("sampling_draw_new"), {"year": 2026, "month": 3}, follow=True)
    assert SampleDraw.objects.count() == 1
    assert "已经抽取过" in again.content.decode()

    html = inspector.get(url("sampling")).content.decode()
    assert "本月（3月）已抽取" in html and "抽取本月（3月）抽查事项" not in html
    assert 'data-testid="drawn">2 / 20' in html

    future = inspector.post(url("sampling_draw_new"), {"year": 2026, "month": 5}, follow=True)
    assert "尚未到来" in future.content.decode()
    assert SampleDraw.objects.count() == 1


def test_the_draw_page_lists_items_by_department(org: Any, client_for: Any, items: list[Any]) -> None:
    with time_machine.travel(dt.datetime(2026, 12, 10, 10, 0, tzinfo=TZ), tick=False):
        made, _ = sampling.sample_draw(actor=org.user("inspector"), year=2026, month=12)
        inspector = client_for("inspector")
        chief = client_for("chief_rep")
    html = inspector.get(url("sampling_draw", made.pk)).content.decode()
    assert f'data-department="{org.scjg.pk}"' in html and f'data-department="{org.zjj.pk}"' in html
    assert html.count("登记检查结果") == 20
    # The chief representative of 市场监管局: his ten items, read only.
    html = chief.get(url("sampling_draw", made.pk)).content.decode()
    assert f'data-department="{org.scjg.pk}"' in html and f'data-department="{org.zjj.pk}"' not in html
    assert html.count('data-testid="open-item"') == 10 and "登记检查结果" not in html
    assert 'data-testid="scoped"' in html


def _sampled(org: Any, department: Any) -> SampledItem:
    with time_machine.travel(dt.datetime(2026, 12, 10, 10, 0, tzinfo=TZ), tick=False):
        made, _ = sampling.sample_draw(actor=org.user("inspector"), year=2026, month=12)
    return made.items.filter(department=department).order_by("pk").first()


def test_recording_an_inspection_on_the_item_page(org: Any, client_for: Any, items: list[Any]) -> None:
    sampled = _sampled(org, org.zjj)
    inspector = client_for("inspector")
    page = inspector.get(url("sampling_item", sampled.pk)).content.decode()
    assert sampled.item.name in page and 'data-action="inspection-form"' in page
    assert reverse("catalog:guide_detail", args=[sampled.item_id]) in page

    refused = inspector.post(
        url("sampling_item", sampled.pk), {"conclusion": "fail", "guide_result": "issue"}
    )
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "结论不是合格时，须写明发现的问题" in html and 'data-field="rectification_due"' in html
    assert not Inspection.objects.exists()

    form = {
        "conclusion": "fail",
        "guide_result": "issue",
        "materials_result": "issue",
        "time_limits_result": "",
        "case_numbers": "",
        "findings": "窗口要求提供清单外的房产证明",
        "rectification": "取消清单外材料，组织窗口人员培训",
        "rectification_due": "2026-03-31",
    }
    done = inspector.post(url("sampling_item", sampled.pk), form)
    assert done.status_code == 302 and done["Location"] == url("sampling_item", sampled.pk)
    twice = inspector.post(url("sampling_item", sampled.pk), form, follow=True)
    assert "已登记过检查结果" in twice.content.decode()
    assert Inspection.objects.count() == 1
    assert AuditEvent.objects.filter(action="supervision.sample_inspected").count() == 1
    page = inspector.get(url("sampling_item", sampled.pk)).content.decode()
    assert 'data-testid="inspection"' in page and "窗口要求提供清单外的房产证明" in page
    assert 'data-action="inspection-form"' not in page
    draw_page = inspector.get(url("sampling_draw", sampled.draw_id)).content.decode()
    assert "窗口要求提供清单外的房产证明" in draw_page  # the month's findings


def test_the_form_swaps_itself_with_htmx(org: Any, client_for: Any, items: list[Any]) -> None:
    sampled = _sampled(org, org.scjg)
    inspector = client_for("inspector")
    htmx = {"HX-Request": "true"}
    wrong = inspector.post(
        url("sampling_item", sampled.pk), {"conclusion": "pass", "case_numbers": "NOPE-1"}, headers=htmx
    )
    assert wrong.status_code == 200
    html = wrong.content.decode()
    assert html.lstrip().startswith("<form") and "以下编号不是本事项的办件：NOPE-1" in html
    done = inspector.post(
        url("sampling_item", sampled.pk), {"conclusion": "pass", "guide_result": "ok"}, headers=htmx
    )
    assert done.status_code == 200 and done["HX-Redirect"] == url("sampling_item", sampled.pk)
    assert Inspection.objects.get().conclusion == "pass"


def test_the_chief_representative_reads_his_own_items_and_findings(
    org: Any, client_for: Any, items: list[Any]
) -> None:
    ours = _sampled(org, org.scjg)
    theirs = SampledItem.objects.filter(department=org.zjj).first()
    sampling.inspection_record(
        actor=org.user("inspector"),
        sampled_item=ours,
        conclusion="basic",
        guide_result="issue",
        findings="指南的办理地点与实际不符",
        rectification="更正办理地点",
        rectification_due=dt.date(2026, 3, 20),
    )
    chief = client_for("chief_rep")
    page = chief.get(url("sampling_item", ours.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert "指南的办理地点与实际不符" in html and 'data-action="inspection-form"' not in html
    assert chief.get(url("sampling_item", theirs.pk)).status_code == 404
    assert (
        chief.post(url("sampling_item", theirs.pk), {"conclusion": "pass", "guide_result": "ok"}).status_code
        == 404
    )
    pending = SampledItem.objects.filter(department=org.scjg).exclude(pk=ours.pk).first()
    assert (
        chief.post(url("sampling_item", pending.pk), {"conclusion": "pass", "guide_result": "ok"}).status_code
        == 403
    )
    assert chief.post(url("sampling_draw_new"), {"year": 2026, "month": 3}).status_code == 403
    index = chief.get(
        url(
            "sampling",
        ),
        {"year": 2026},
    ).content.decode()
    assert 'data-testid="population">10<' in index and 'data-testid="draw-month"' not in index
    assert Inspection.objects.count() == 1


@pytest.mark.parametrize("key", ["clerk", "reviewer", "handler", "operator", "issuer"])
def test_other_staff_are_refused(org: Any, client_for: Any, items: list[Any], key: str) -> None:
    sampled = _sampled(org, org.scjg)
    client = client_for(key)
    assert client.get(url("sampling")).status_code == 403
    assert client.get(url("sampling_draw", sampled.draw_id)).status_code == 403
    assert client.get(url("sampling_item", sampled.pk)).status_code == 403
    assert client.post(url("sampling_draw_new"), {"year": 2026, "month": 3}).status_code == 403


def test_anonymous_visitors_are_sent_to_login(client: Any, org: Any) -> None:
    response = client.get(url("sampling"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_admin_registers_draws_and_inspections_read_only(org: Any, rf: Any) -> None:
    """``admin_sampling`` (imported by the app's admin module) registers both, written only by the services."""
    from django.contrib import admin

    import yichuang.supervision.admin_sampling  # noqa: F401

    request = rf.get("/")
    request.user = org.user("admin")
    draw_admin = admin.site._registry[SampleDraw]
    inspection_admin = admin.site._registry[Inspection]
    assert not draw_admin.has_add_permission(request) and not draw_admin.has_delete_permission(request)
    assert "seed" in draw_admin.get_readonly_fields(request) and "note" not in draw_admin.get_readonly_fields(
        request
    )
    assert not inspection_admin.has_add_permission(request)
    assert {"conclusion", "findings", "case_numbers"} <= set(inspection_admin.get_readonly_fields(request))


def test_the_pages_take_a_fixed_number_of_queries(
    org: Any, client_for: Any, items: list[Any], django_assert_max_num_queries: Any
) -> None:
    sampled = _sampled(org, org.scjg)  # December: all 20 items
    for row in SampledItem.objects.filter(department=org.zjj)[:5]:
        sampling.inspection_record(
            actor=org.user("inspector"), sampled_item=row, conclusion="pass", guide_result="ok"
        )
    inspector = client_for("inspector")
    with django_assert_max_num_queries(10):
        assert inspector.get(url("sampling_draw", sampled.draw_id)).status_code == 200
    with django_assert_max_num_queries(8):
        assert inspector.get(url("sampling"), {"year": 2026}).status_code == 200
