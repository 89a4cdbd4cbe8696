"""The demo catalogue: loaded through the real services, every item valid and fully described, every
one of the ten lists populated, the seed bundles' components present, idempotent, with history."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import Q

from yichuang.accounts.demo import load_demo
from yichuang.catalog.codes import validate_implementation_code
from yichuang.catalog.demo import load_demo_catalog
from yichuang.catalog.elements import elements_clean, version_elements
from yichuang.catalog.models import (
    ChangeKind,
    ChangeRequest,
    ChangeRequestStatus,
    ItemKind,
    ItemStatus,
    ItemVersion,
    Material,
    ServiceItem,
)
from yichuang.core.audit import audit_verify_chain

pytestmark = pytest.mark.django_db

# Components of the seeds' 一件事 (000/001/004), by handling item name.
BUNDLE_COMPONENTS = {
    "企业开办": [
        "公司设立登记",
        "公章刻制备案",
        "新办纳税人信息确认（“多证合一”登记信息确认）",
        "发票领用（首次）",
        "单位参保登记",
        "单位医疗保险参保登记",
        "住房公积金单位缴存登记",
    ],
    "新生儿出生一件事": [
        "出生医学证明首次签发",
        "预防接种证发放",
        "出生登记（新生儿落户）",
        "城乡居民基本医疗保险参保登记",
        "社会保障卡申领",
        "生育医疗费用报销",
    ],
    "二手房交易": [
        "国有建设用地使用权及房屋所有权转移登记（二手房买卖）",
        "存量房交易税费申报",
        "存量房买卖合同网签备案",
        "用电过户",
        "用水过户",
        "燃气过户",
        "供热过户",
    ],
    "我要开超市·开小餐馆": [
        "食品经营许可（新办）",
        "食品经营许可（变更）",
        "食品经营许可（延续）",
        "个体工商户设立登记",
        "公共场所卫生许可（新办）",
        "店铺招牌设置备案",
        "建设工程消防验收",
    ],
    "水电气暖讯视联合报装": [
        "低压居民用户新装",
        "低压非居民用户新装",
        "用水报装（新装）",
        "燃气报装（新装）",
        "供热入网",
        "宽带（通信）报装受理",
        "有线电视（广电网络）报装受理",
    ],
    "企业注销": [
        "公司简易注销登记",
        "公司注销登记（一般注销）",
        "清税申报（注销税务登记）",
        "单位社会保险注销登记",
        "印章缴销备案（公章作废）",
    ],
}

# The ten lists' criteria, as queries on the current versions of handling items.
LIST_CRITERIA: dict[str, Callable[[Any], Any]] = {
    "licensing": lambda v: v.filter(item_type="licensing"),
    "immediate": lambda v: v.filter(case_kind="1"),
    "deficiency": lambda v: v.filter(materials__necessity="3"),
    "commitment": lambda v: v.filter(Q(commitment_allowed=True) | Q(materials__commitment_replaceable=True)),
    "no_visit": lambda v: v.filter(visits_required=0),
    "nearby": lambda v: v.exclude(nearby_level=""),
    "tongban": lambda v: v.exclude(tongban_scope="none"),
    "certificate_free": lambda v: v.filter(materials__licence_type_code__gt=""),
    "negative": lambda v: v.filter(stationed=False),
    "intermediary": lambda v: v.exclude(intermediary_services=[]),
}


def test_demo_catalogue_loads_fully_described_items_and_runs_twice() -> None:
    admin = load_demo()
    started = time.perf_counter()
    first = load_demo_catalog(admin=admin)
    seconds = time.perf_counter() - started
    print(f"\ndemo catalogue: {first} in {seconds:.1f}s")
    assert seconds < 60

    handling = ServiceItem.objects.filter(kind=ItemKind.HANDLING, status=ItemStatus.ACTIVE)
    assert handling.count() >= 64
    assert first["handling_created"] == handling.count()
    assert not handling.filter(current_version__isnull=True).exists()
    assert ServiceItem.objects.filter(kind=ItemKind.MAIN).count() >= 40
    assert ServiceItem.objects.filter(kind=ItemKind.SUB).exists()

    # Every handling item is valid, coded and fully described.
    current = ItemVersion.objects.filter(pk__in=handling.values("current_version"))
    codes = set()
    for version in current.select_related("item").prefetch_related("materials__review_points"):
        elements = version_elements(version)
        elements_clean(elements)
        item = version.item
        validate_implementation_code(item.implementation_code)
        codes.add(item.basic_code)
        assert version.legal_basis and version.acceptance_conditions and version.process_steps, item.name
        assert version.keywords and version.plain_summary and version.handling_place, item.name
        assert version.contact_phone.startswith("0478") and version.complaint_phone == "12345", item.name
        assert 2 <= len(elements["materials"]) <= 8, item.name
        for material in elements["materials"]:
            assert 1 <= len(material["review_points"]) <= 4, (item.name, material["name"])
            assert material["material_type"], (item.name, material["name"])
    assert len(codes) == handling.count()
    assert not Material.objects.filter(version__in=current, review_points__isnull=True).exists()

    for list_kind, criterion in LIST_CRITERIA.items():
        members = criterion(current).values("item").distinct().count()
        assert members >= (4 if list_kind in ("negative", "intermediary") else 2), list_kind

    names = set(handling.values_list("name", flat=True))
    for bundle, components in BUNDLE_COMPONENTS.items():
        missing = [name for name in components if name not in names]
        assert not missing, (bundle, missing)

    # A realistic change history: second versions, open proposals (one a new item), one rejection.
    edited = ServiceItem.objects.filter(versions__number=2).distinct()
    assert edited.count() >= 5
    food = ServiceItem.objects.get(name="食品经营许可（新办）")
    assert food.current_version is not None and food.current_version.promised_days == 5
    assert food.versions.get(number=1).promised_days == 10
    open_requests = ChangeRequest.objects.filter(status=ChangeRequestStatus.SUBMITTED)
    assert open_requests.count() >= 3
    assert open_requests.filter(kind=ChangeKind.CREATE, payload__name="诊所备案").exists()
    rejected = ChangeRequest.objects.get(status=ChangeRequestStatus.REJECTED)
    assert (
        rejected.item is not None
        and rejected.item.name == "抵押权注销登记"
        and "尚未" in rejected.decision_reason
    )
    # Departments with catalogue staff proposed their own items.
    assert ChangeRequest.objects.filter(
        department__short_name="市场监管局", proposed_by__username="chief_rep"
    ).exists()
    assert ChangeRequest.objects.filter(
        department__short_name="卫健委", proposed_by__username="reviewer_wjw"
    ).exists()

    # Running it again creates nothing.
    items_before, requests_before = ServiceItem.objects.count(), ChangeRequest.objects.count()
    second = load_demo_catalog(admin=admin)
    assert second["items_created"] == 0 and second["departments_created"] == 0
    assert second["versions_edited"] == second["open_requests"] == second["rejected_requests"] == 0
    assert ServiceItem.objects.count() == items_before
    assert ChangeRequest.objects.count() == requests_before
    assert audit_verify_chain().ok
