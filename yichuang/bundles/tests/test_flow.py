"""Applying once: selection, merged form and materials, parallel and dependent routing, one 补正, aggregate
status and due date, partial refusal, results together."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from yichuang.bundles import services
from yichuang.bundles.models import ApplicationStatus, BundleCase, BundleNotice, MemberState
from yichuang.bundles.selectors import merged_material_states
from yichuang.bundles.tests.helpers import MONDAY, apply, citizen, restaurant
from yichuang.cases import services as case_services
from yichuang.cases.models import CaseNotice, CaseStatus
from yichuang.core.errors import ConflictError
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
