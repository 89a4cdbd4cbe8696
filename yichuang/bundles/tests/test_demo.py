"""The demo's 一件事: the nine bundles published with their real member items, questionnaires, dependencies and
merged lists, a history in every state the desks and the figures need, the 新生儿出生 bundle open online to
the demo applicant, and a second load that adds nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from yichuang.accounts.models import Applicant, User
from yichuang.bundles import services
from yichuang.bundles.demo import load_demo_bundles
from yichuang.bundles.models import (
    ApplicationStatus,
    Bundle,
    BundleApplication,
    BundleCase,
    BundleNotice,
    BundleStatus,
    MemberState,
    Outcome,
)
from yichuang.bundles.selection import members_of, selection_all, selection_for
from yichuang.cases.models import CaseStatus
from yichuang.demo.loader import load_everything
from yichuang.licences.models import Licence

pytestmark = pytest.mark.django_db

# Each bundle's lead department and its member items with their departments (short names).
EXPECTED: dict[str, tuple[str, dict[str, str]]] = {
    "企业开办一件事": (
        "市场监管局",
        {
            "公司设立登记": "市场监管局",
            "新办纳税人信息确认（“多证合一”登记信息确认）": "税务局",
            "公章刻制备案": "公安局",
            "发票领用（首次）": "税务局",
            "单位参保登记": "人社局",
            "单位医疗保险参保登记": "医保局",
            "住房公积金单位缴存登记": "公积金管理部",
        },
    ),
    "新生儿出生一件事": (
        "卫健委",
        {
            "出生医学证明首次签发": "卫健委",
            "预防接种证发放": "卫健委",
            "出生登记（新生儿落户）": "公安局",
            "城乡居民基本医疗保险参保登记": "医保局",
            "社会保障卡申领": "人社局",
            "生育医疗费用报销": "医保局",
        },
    ),
    "我要开小餐馆": (
        "市场监管局",
        {
            "个体工商户设立登记": "市场监管局",
            "公司设立登记": "市场监管局",
            "食品经营许可（新办）": "市场监管局",
            "店铺招牌设置备案": "住建局",
            "新办纳税人信息确认（“多证合一”登记信息确认）": "税务局",
            "单位参保登记": "人社局",
        },
    ),
    "我要开超市": (
        "市场监管局",
        {
            "个体工商户设立登记": "市场监管局",
            "公司设立登记": "市场监管局",
            "食品经营许可（新办）": "市场监管局",
            "公共场所卫生许可（新办）": "卫健委",
            "店铺招牌设置备案": "住建局",
            "新办纳税人信息确认（“多证合一”登记信息确认）": "税务局",
            "单位参保登记": "人社局",
        },
    ),
    "二手房交易（不动产转移登记及水电气联动过户）": (
        "不动产中心",
        {
            "存量房买卖合同网签备案": "住建局",
            "存量房交易税费申报": "税务局",
            "国有建设用地使用权及房屋所有权转移登记（二手房买卖）": "不动产中心",
            "用电过户": "供电公司",
            "用水过户": "供水公司",
            "燃气过户": "燃气公司",
            "供热过户": "供热公司",
        },
    ),
    "水电气暖讯视联合报装": (
        "旗政数局",
        {
            "低压居民用户新装": "供电公司",
            "低压非居民用户新装": "供电公司",
            "用水报装（新装）": "供水公司",
            "燃气报装（新装）": "燃气公司",
            "供热入网": "供热公司",
            "宽带（通信）报装受理": "政务服务中心",
            "有线电视（广电网络）报装受理": "政务服务中心",
        },
    ),
    "企业注销一件事": (
        "市场监管局",
        {
            "清税申报（注销税务登记）": "税务局",
            "公司注销登记（一般注销）": "市场监管局",
            "公司简易注销登记": "市场监管局",
            "单位社会保险注销登记": "人社局",
            "印章缴销备案（公章作废）": "公安局",
        },
    ),
    "退休一件事": (
        "人社局",
        {
            "社会保障卡申领": "人社局",
            "职工基本养老保险待遇申领（退休）": "人社局",
            "城乡居民基本养老保险待遇申领": "人社局",
            "基本医疗保险跨省异地就医备案": "医保局",
        },
    ),
    "残疾人服务一件事": (
        "残联",
        {
            "残疾人证核发（新办）": "残联",
            "困难残疾人生活补贴和重度残疾人护理补贴申请": "民政局",
            "最低生活保障申请": "民政局",
        },
    ),
}

# Which member needs whose result first (item → items it requires).
EXPECTED_REQUIRES: dict[str, dict[str, set[str]]] = {
    "企业开办一件事": {
        "公章刻制备案": {"公司设立登记"},
        "单位参保登记": {"公司设立登记"},
        "住房公积金单位缴存登记": {"公司设立登记"},
    },
    "新生儿出生一件事": {
        "预防接种证发放": {"出生医学证明首次签发"},
        "出生登记（新生儿落户）": {"出生医学证明首次签发"},
        "城乡居民基本医疗保险参保登记": {"出生登记（新生儿落户）"},
        "社会保障卡申领": {"出生登记（新生儿落户）"},
    },
    "我要开小餐馆": {"食品经营许可（新办）": {"个体工商户设立登记", "公司设立登记"}},
    "我要开超市": {"食品经营许可（新办）": {"个体工商户设立登记", "公司设立登记"}},
    "二手房交易（不动产转移登记及水电气联动过户）": {
        "存量房交易税费申报": {"存量房买卖合同网签备案"},
        "国有建设用地使用权及房屋所有权转移登记（二手房买卖）": {"存量房交易税费申报"},
        "用水过户": {"国有建设用地使用权及房屋所有权转移登记（二手房买卖）"},
    },
    "企业注销一件事": {"公司注销登记（一般注销）": {"清税申报（注销税务登记）"}},
    "退休一件事": {"职工基本养老保险待遇申领（退休）": {"社会保障卡申领"}},
    "残疾人服务一件事": {"困难残疾人生活补贴和重度残疾人护理补贴申请": {"残疾人证核发（新办）"}},
}


def _bundle(name: str) -> Bundle:
    return Bundle.objects.get(name=name)


def _selected(name: str, answers: dict[str, Any]) -> set[str]:
    return {member.item.name for member in selection_for(_bundle(name), answers).members}


def _critical_path(bundle: Bundle) -> int:
    """The longest chain of members' promised days along the dependencies."""
    members = {member.pk: member for member in members_of(bundle)}
    memo: dict[int, int] = {}

    def longest(pk: int) -> int:
        if pk not in memo:
            member = members[pk]
            before = [longest(r.pk) for r in member.requires.all()]
            memo[pk] = member.item.current_version.promised_days + max(before, default=0)
        return memo[pk]

    return max(longest(pk) for pk in members)


def _check_definitions() -> None:
    published = Bundle.objects.filter(status=BundleStatus.PUBLISHED)
    assert set(published.values_list("name", flat=True)) == set(EXPECTED)
    for name, (lead, items) in EXPECTED.items():
        bundle = _bundle(name)
        assert bundle.lead_department.short_name == lead, name
        members = members_of(bundle)
        assert {m.item.name: m.item.department.short_name for m in members} == items, name
        assert all(m.item.department.division_code.startswith("150824") for m in members)
        requires = {m.item.name: {r.item.name for r in m.requires.all()} for m in members}
        for item, needed in EXPECTED_REQUIRES.get(name, {}).items():
            assert needed <= requires[item], (name, item)
        assert requires and (any(requires.values()) or bundle.questions.exists()), name
        # A guide a citizen can read, a promise the members can keep, and no more than one visit.
        assert bundle.summary and bundle.conditions and bundle.service_object and bundle.process_steps
        assert "国发〔2024〕3号" in bundle.legal_basis
        assert bundle.handling_place and bundle.handling_hours and bundle.contact_phone
        assert bundle.visits <= 1
        assert _critical_path(bundle) <= bundle.promised_days, name
        # One merged list: the ID card once, for every member asking one; every item's own form → the one form.
        merged = selection_all(bundle)
        id_cards = [m for m in merged.materials if m.material_type == "id_card"]
        asking = {
            member.pk
            for member in members
            if member.item.current_version.materials.filter(material_type="id_card").exists()
        }
        assert len(id_cards) == (1 if asking else 0), name
        assert all({member.pk for member, _ in merged.rows} == asking for merged in id_cards)
        assert len(merged.materials) < merged.separate_material_count, name
        assert len({m.key for m in merged.materials}) == len(merged.materials)
        assert sum(1 for m in merged.materials if m.by_form) <= 1
        assert merged.fields, name


def _check_questionnaires() -> None:
    newborn = "新生儿出生一件事"
    none = {
        "newborn_insurance": "no",
        "social_security_card": "no",
        "maternity": "no",
        "mother_insured": "no",
    }
    assert _selected(newborn, none) == {"出生医学证明首次签发", "预防接种证发放", "出生登记（新生儿落户）"}
    every = dict.fromkeys(none, "yes")
    assert _selected(newborn, every) == set(EXPECTED[newborn][1])
    assert "生育医疗费用报销" not in _selected(newborn, every | {"mother_insured": "no"})

    startup = "企业开办一件事"
    answers = {"seal": "no", "invoice": "yes", "employees": "no", "housing_fund": "no"}
    assert _selected(startup, answers) == {
        "公司设立登记",
        "新办纳税人信息确认（“多证合一”登记信息确认）",
        "发票领用（首次）",
    }

    # 饭馆 need no 公共场所卫生许可 (国发〔2016〕12号); a large supermarket does.
    restaurant = {"entity": "individual", "sign": "yes", "employees": "no"}
    assert "公共场所卫生许可（新办）" not in EXPECTED["我要开小餐馆"][1]
    assert _selected("我要开小餐馆", restaurant) == {
        "个体工商户设立登记",
        "食品经营许可（新办）",
        "店铺招牌设置备案",
        "新办纳税人信息确认（“多证合一”登记信息确认）",
    }
    shop = {"entity": "company", "food": "packaged", "sign": "no", "employees": "no"}
    assert "公共场所卫生许可（新办）" in _selected("我要开超市", shop | {"large": "yes"})
    small = _selected("我要开超市", shop | {"large": "no"})
    assert "公共场所卫生许可（新办）" not in small and "食品经营许可（新办）" not in small
    assert "公司设立登记" in small and "个体工商户设立登记" not in small

    resale = "二手房交易（不动产转移登记及水电气联动过户）"
    assert len(_selected(resale, {"transfer": ["none"]})) == 3
    assert {"用电过户", "燃气过户"} <= _selected(resale, {"transfer": ["power", "gas"]})
    assert "用水过户" not in _selected(resale, {"transfer": ["power", "gas"]})

    utilities = "水电气暖讯视联合报装"
    home = _selected(utilities, {"user_type": "resident", "services": ["power", "broadband"]})
    assert home == {"低压居民用户新装", "宽带（通信）报装受理"}
    shop_power = _selected(utilities, {"user_type": "business", "services": ["power", "water", "gas"]})
    assert shop_power == {"低压非居民用户新装", "用水报装（新装）", "燃气报装（新装）"}

    closure = "企业注销一件事"
    simple = _selected(closure, {"mode": "simple", "social_insurance": "no", "seal": "no"})
    assert simple == {"公司简易注销登记"}
    general = _selected(closure, {"mode": "general", "social_insurance": "yes", "seal": "yes"})
    assert {"清税申报（注销税务登记）", "公司注销登记（一般注销）"} <= general
    assert "公司简易注销登记" not in general

    assert _selected("退休一件事", {"pension": "resident", "card": "yes", "remote": "no"}) == {
        "社会保障卡申领",
        "城乡居民基本养老保险待遇申领",
    }
    assert _selected("残疾人服务一件事", {"certificate": "held", "subsidy": "yes", "dibao": "no"}) == {
        "困难残疾人生活补贴和重度残疾人护理补贴申请"
    }


def _rows(application: BundleApplication) -> list[BundleCase]:
    return list(
        BundleCase.objects.filter(application=application)
        .select_related("case", "member__item")
        .prefetch_related("member__requires")
    )


def _check_history() -> None:
    applications = list(BundleApplication.objects.select_related("bundle", "applicant"))
    statuses = {application.status for application in applications}
    assert {"submitted", "correction", "in_progress", "result_ready", "closed"} <= statuses
    # On time or late as the figures count it: all results ready by the bundle's promised date, or not.
    closed = [a for a in applications if a.status == ApplicationStatus.CLOSED]
    on_time = [a for a in closed if timezone.localdate(a.results_ready_at) <= a.promised_due_date]
    late = [a for a in closed if timezone.localdate(a.results_ready_at) > a.promised_due_date]
    assert len([a for a in on_time if a.outcome == Outcome.ALL]) >= 2
    assert late and all(a.outcome == Outcome.ALL for a in late)
    assert all(timezone.localdate(a.closed_at) > a.promised_due_date for a in late)

    # Spread over the past weeks, each step after the one before it.
    now = timezone.now()
    assert all(a.submitted_at < now for a in applications)
    assert (now - min(a.submitted_at for a in applications)).days >= 21
    assert len({timezone.localdate(a.submitted_at) for a in applications}) >= 7
    for application in applications:
        for row in _rows(application):
            case = row.case
            if case is None:
                continue
            assert case.submitted_at >= application.submitted_at
            stamps = [case.submitted_at, case.accepted_at, case.decided_at, case.closed_at]
            present = [stamp for stamp in stamps if stamp is not None]
            assert present == sorted(present), case.number
            if case.accepted_at:
                assert case.due_date >= timezone.localdate(case.accepted_at)
        if application.closed_at:
            assert application.accepted_at <= application.results_ready_at <= application.closed_at

    # A partial refusal: a member denied, the members needing its result not started, the others done.
    partial = next(a for a in applications if a.outcome == Outcome.PARTIAL)
    rows = _rows(partial)
    denied = [row for row in rows if row.case and row.case.status == CaseStatus.DENIED]
    cancelled = [row for row in rows if row.state == MemberState.CANCELLED]
    assert denied and cancelled and all(row.case is None for row in cancelled)
    assert all(denied[0].member in row.member.requires.all() for row in cancelled)
    assert any(row.case and row.case.status == CaseStatus.CLOSED for row in rows)

    # In progress: a member waits for the result of one still under review.
    waiting = [
        row
        for a in applications
        if a.status == ApplicationStatus.IN_PROGRESS
        for row in _rows(a)
        if row.state == MemberState.WAITING
    ]
    assert waiting
    prerequisite = BundleCase.objects.get(
        application=waiting[0].application, member__in=waiting[0].member.requires.all()
    )
    assert prerequisite.case.status in (CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW)

    # One 补正 notice for the application waiting for its correction, naming what the window found.
    correction = next(a for a in applications if a.status == ApplicationStatus.CORRECTION)
    notice = BundleNotice.objects.get(application=correction, kind="bundle_correction")
    assert any("不符合要求" in line for line in notice.document["listed"])

    # Every licence an approval issued went to a holder of its type's kind (营业执照 to a market entity).
    issued = Licence.objects.filter(case__bundle_link__isnull=False).select_related("licence_type", "holder")
    assert issued.count() >= 5
    assert all(licence.holder.kind == licence.licence_type.holder_kind for licence in issued)
    assert issued.filter(licence_type__name="营业执照").exists()

    # The 新生儿出生 history was applied for online by the demo applicant; its 出生医学证明 carries the one form.
    newborn = next(a for a in applications if a.bundle.code == "newborn")
    assert newborn.channel == "online" and newborn.applicant.user.username == "applicant"
    certificate = Licence.objects.get(case__bundle_link__application=newborn)
    labels = {item["key"]: item["label"] for item in certificate.licence_type.schema}
    by_label = {labels[key]: value for key, value in certificate.data.items()}
    assert by_label["新生儿姓名"] == newborn.form["newborn_name"]


def _check_newborn_online() -> None:
    user = User.objects.get(username="applicant")
    applicant = Applicant.objects.get(user=user)
    bundle = Bundle.objects.get(code="newborn")
    assert all(m.item.current_version.online_depth >= 3 for m in members_of(bundle))
    submission = services.bundle_apply(
        actor=user,
        bundle=bundle,
        applicant=applicant,
        channel="online",
        answers={
            "newborn_insurance": "yes",
            "social_security_card": "yes",
            "maternity": "yes",
            "mother_insured": "yes",
        },
        form={
            "applicant_address": "乌拉特中旗海流图镇团结社区8号",
            "newborn_name": "王小雨",
            "newborn_gender": "女",
            "newborn_birth_date": str(timezone.localdate()),
            "newborn_birth_place": "内蒙古自治区巴彦淖尔市乌拉特中旗",
            "birth_institution": "乌拉特中旗人民医院",
            "mother_name": "其木格",
            "mother_id_number": Applicant.objects.get(name="其木格").id_number,
            "father_name": applicant.name,
            "father_id_number": applicant.id_number,
            "household_address": "乌拉特中旗海流图镇团结社区8号",
            "bank_account": "6228480478001234567",
        },
    )
    rows = _rows(submission.application)
    assert len(rows) == 6
    routed = [row for row in rows if row.state == MemberState.ROUTED]
    assert [row.member.item.name for row in routed] == ["出生医学证明首次签发"]
    assert routed[0].case.channel == "online"


def test_demo_bundles_definitions_history_and_online_newborn() -> None:
    report = load_everything(real_catalogue=False)
    assert report["bundles"]["new_bundles"] == 9 and report["bundles"]["applications"] >= 9
    _check_definitions()
    _check_questionnaires()
    _check_history()
    counts = (Bundle.objects.count(), BundleApplication.objects.count(), BundleCase.objects.count())
    again = load_demo_bundles(admin=User.objects.get(username="admin"))
    assert (again["new_bundles"], again["applications"]) == (0, 0)
    assert (Bundle.objects.count(), BundleApplication.objects.count(), BundleCase.objects.count()) == counts
    _check_newborn_online()
