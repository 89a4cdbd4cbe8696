"""Applying once: selection, merged form and materials, parallel and dependent routing, one 补正, aggregate
status and due date, partial refusal, results together."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from yichuang.bundles import services
from yichuang.bundles.models import ApplicationStatus, BundleCase, BundleNotice, MemberState, Outcome
from yichuang.bundles.selectors import merged_material_states
from yichuang.bundles.tests.helpers import MONDAY, apply, citizen, restaurant
from yichuang.cases import services as case_services
from yichuang.cases.models import CaseNotice, CaseStatus
from yichuang.core.errors import ApplicationError, ConflictError
from yichuang.licences import services as licence_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(org: Any) -> Any:
    with time_machine.travel(MONDAY, tick=False):
        bundle, items = restaurant(org)
        licence_services.seal_create(actor=org.user("admin"), department=org.scjg)
    return bundle, items


def _members(application: Any) -> dict[str, BundleCase]:
    return {
        row.member.item.name: row
        for row in BundleCase.objects.filter(application=application).select_related("member__item", "case")
    }


def test_apply_routes_independent_members_and_holds_dependants(org: Any, setup: Any) -> None:
    bundle, _items = setup
    with time_machine.travel(MONDAY, tick=False):
        application = apply(org, bundle, citizen(org))
    rows = _members(application)
    assert set(rows) == {
        "个体工商户设立登记",
        "食品经营许可（新办）",
        "公共场所卫生许可（新办）",
        "店铺招牌设置备案",
    }
    assert (
        rows["食品经营许可（新办）"].state == MemberState.WAITING
        and rows["食品经营许可（新办）"].case is None
    )
    routed = [row for row in rows.values() if row.state == MemberState.ROUTED]
    assert {row.case.department_id for row in routed} == {org.scjg.pk, org.wjw.pk, org.zjj.pk}
    assert application.status == ApplicationStatus.SUBMITTED


def test_full_flow(org: Any, setup: Any) -> None:
    bundle, _items = setup
    clerk = org.user("clerk")
    with time_machine.travel(MONDAY, tick=False):
        application = apply(org, bundle, citizen(org), use_licences=True)
        states = {s.merged.key: s for s in merged_material_states(application)}
        assert states["application_form"].satisfied
        assert states["id_card"].merged.used_by.count("、") == 3  # one ID card for four items
        services.bundle_check_materials(
            actor=clerk, application=application, findings={"id_card": ("original_checked", "")}
        )
        application = services.bundle_request_correction(actor=clerk, application=application, note="")
        assert application.status == ApplicationStatus.CORRECTION
        assert BundleNotice.objects.filter(application=application, kind="bundle_correction").count() == 1
        assert not CaseNotice.objects.filter(kind="correction").exists()
        with pytest.raises(ConflictError):
            case_services.case_supply_correction(
                actor=clerk, case=_members(application)["店铺招牌设置备案"].case
            )
        services.bundle_supply_correction(actor=clerk, application=application)
        services.bundle_check_materials(
            actor=clerk,
            application=application,
            findings={k: ("received", "") for k in ("lease_contract", "premises_layout", "design_plan")},
        )
        application = services.bundle_accept(actor=clerk, application=application)
        assert application.status == ApplicationStatus.IN_PROGRESS
        assert application.promised_due_date is not None
        rows = _members(application)
        licence_case = rows["个体工商户设立登记"].case
        case_services.case_decide(
            actor=org.user("chief_rep"),
            case=licence_case,
            decision="approve",
            result={
                "licence": {
                    "f1": "乌拉特中旗巴特尔小吃店",
                    "f2": "个体工商户",
                    "f3": "巴特尔",
                    "f5": "2026-11-02",
                    "f6": "海流图镇团结路8号",
                    "f7": "餐饮服务",
                }
            },
        )
        rows = _members(application)
        food = rows["食品经营许可（新办）"]
        assert food.state == MemberState.ROUTED and food.case.status == CaseStatus.SUBMITTED
        exempt = {m.material.name: m.state for m in food.case.materials.select_related("material")}
        assert exempt["营业执照"] == "exempt"
        assert exempt["经营者身份证"] == "original_checked"


def _accepted(org: Any, bundle: Any, **extra: Any) -> Any:
    clerk = org.user("clerk")
    application = apply(org, bundle, citizen(org), **extra)
    services.bundle_check_materials(
        actor=clerk,
        application=application,
        findings={
            k: ("received", "") for k in ("id_card", "lease_contract", "premises_layout", "design_plan")
        },
    )
    return services.bundle_accept(actor=clerk, application=application)


def test_questionnaire_selects_members_and_merges_form_and_materials(org: Any, setup: Any) -> None:
    from yichuang.bundles.selection import selection_for

    bundle, _ = setup
    takeaway = selection_for(bundle, {"dining_area": "no", "sign": "no"})
    assert [str(m) for m in takeaway.members] == ["个体工商户设立登记", "食品经营许可（新办）"]
    full = selection_for(bundle, {"dining_area": "yes", "sign": "yes"})
    assert len(full.members) == 4
    # Each field once, in the vocabulary's order, with every item it serves.
    keys = [f.field.key for f in full.fields]
    assert len(keys) == len(set(keys))
    company = next(f for f in full.fields if f.field.key == "company_name")
    assert len(company.members) == 4
    # One ID card for the four items, one layout plan for two, one form instead of three application forms.
    by_key = {m.key: m for m in full.materials}
    assert len(by_key["id_card"].rows) == 4 and len(by_key["premises_layout"].rows) == 2
    assert by_key["application_form"].by_form and len(by_key["application_form"].rows) == 3
    assert full.separate_material_count == 12 and len(full.materials) == 6  # 3+4+3+2 → 6
    with pytest.raises(ApplicationError) as refused:
        selection_for(bundle, {"dining_area": ["yes", "no"], "sign": "no"})
    assert refused.value.fields == {"answers.dining_area": ["只能选择一项"]}


def test_aggregate_status_and_due_date(org: Any, setup: Any) -> None:
    bundle, _ = setup
    with time_machine.travel(MONDAY, tick=False):
        application = _accepted(org, bundle, answers={"dining_area": "yes", "sign": "no"})
    rows = _members(application)
    health = rows["公共场所卫生许可（新办）"].case
    assert application.status == ApplicationStatus.IN_PROGRESS
    assert str(application.promised_due_date) == "2026-11-16"  # the bundle's 10 working days
    assert application.due_date == health.due_date  # the latest of its cases
    with time_machine.travel(MONDAY, tick=False), pytest.raises(ConflictError):
        services.bundle_check_materials(actor=org.user("clerk"), application=application, findings={})
    with pytest.raises(ConflictError):
        services.bundle_deliver(
            actor=org.user("issuer"), application=application, method="pickup", recipient="巴特尔"
        )


def test_partial_refusal_drops_dependants_and_explains(org: Any, setup: Any) -> None:
    from yichuang.accounts.tests.factories import UserFactory

    bundle, _ = setup
    zjj_reviewer = UserFactory(username="reviewer_zjj", role="reviewer", department=org.zjj)
    with time_machine.travel(MONDAY, tick=False):
        application = _accepted(org, bundle)
        rows = _members(application)
        case_services.case_decide(
            actor=org.user("chief_rep"),
            case=rows["个体工商户设立登记"].case,
            decision="deny",
            reason="经营场所位于禁止设立餐饮服务的居民住宅楼内",
        )
        rows = _members(application)
        food = rows["食品经营许可（新办）"]
        assert food.state == MemberState.CANCELLED and food.case is None
        assert "个体工商户设立登记" in food.note and "居民住宅楼" in food.note
        health = rows["公共场所卫生许可（新办）"].case
        case_services.case_start_review(actor=org.user("reviewer_wjw"), case=health)
        case_services.case_decide(actor=org.user("reviewer_wjw"), case=health, decision="approve")
        application.refresh_from_db()
        assert application.status == ApplicationStatus.IN_PROGRESS  # the sign is still open
        case_services.case_result_ready(actor=org.user("reviewer_wjw"), case=health)
        sign = rows["店铺招牌设置备案"].case
        case_services.case_decide(actor=zjj_reviewer, case=sign, decision="approve")
        case_services.case_result_ready(actor=zjj_reviewer, case=sign)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.RESULT_READY and application.outcome == Outcome.PARTIAL
    result = BundleNotice.objects.get(application=application, kind="bundle_result")
    listed = "\n".join(result.document["listed"])
    assert "公共场所卫生许可（新办）（卫健委）：准予" in listed
    assert (
        "个体工商户设立登记（市场监管局）：不予许可（经营场所位于禁止设立餐饮服务的居民住宅楼内）" in listed
    )
    assert "食品经营许可（新办）（市场监管局）：所需的前置事项" in listed
    assert result.document["remedies"]  # a decision against the applicant names the remedies
    with time_machine.travel(MONDAY, tick=False):
        services.bundle_deliver(
            actor=org.user("issuer"), application=application, method="pickup", recipient="巴特尔"
        )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CLOSED and application.closed_at is not None
    assert {row.case.status for row in _members(application).values() if row.case} == {
        CaseStatus.CLOSED,
        CaseStatus.DENIED,
    }


def test_one_message_for_the_whole_bundle(
    org: Any, setup: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from yichuang.core.models import Notification

    bundle, _ = setup
    with time_machine.travel(MONDAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        application = apply(org, bundle, citizen(org))
    sent = list(Notification.objects.values_list("body", flat=True))
    assert len(sent) == 1, sent  # three cases went to three departments: one message, not three
    assert (
        "我要开小餐馆" in sent[0] and application.number in sent[0] and "/bundles/track/?number=" in sent[0]
    )


def test_withdrawing_the_whole_application_is_not_a_result(org: Any, setup: Any) -> None:
    bundle, _ = setup
    with time_machine.travel(MONDAY, tick=False):
        application = _accepted(org, bundle)
        application = services.bundle_withdraw(
            actor=org.user("applicant"), application=application, reason="不开了"
        )
    assert application.status == ApplicationStatus.WITHDRAWN and application.results_ready_at is None
    assert not BundleNotice.objects.filter(application=application, kind="bundle_result").exists()
    rows = _members(application)
    assert rows["食品经营许可（新办）"].state == MemberState.CANCELLED
    assert {row.case.status for row in rows.values() if row.case} == {CaseStatus.WITHDRAWN}


def test_a_chief_representative_cannot_accept_for_other_departments(org: Any, setup: Any) -> None:
    from yichuang.core.errors import PermissionDeniedError

    bundle, _ = setup
    with time_machine.travel(MONDAY, tick=False):
        application = apply(org, bundle, citizen(org))
        with pytest.raises(PermissionDeniedError):
            services.bundle_accept(actor=org.user("chief_rep"), application=application)
