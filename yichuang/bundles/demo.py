"""Demo 一件事: the nine bundles of the demo centre, defined through the admin's own services with their
real member items from the demo catalogue, and a history of applications in every state a desk meets.

The bundles: 企业开办, 新生儿出生, 我要开小餐馆, 我要开超市, 二手房交易, 水电气暖讯视联合报装, 企业注销, 退休
and 残疾人服务 — each with its guide, its situation questionnaire (情形引导), the fields every member asks on
the one form and which member needs another's result first.

The history is made through the services (apply once, check the materials once, one 补正, accept, the
departments' reviews and decisions, 统一出件), all at load time; afterwards its timestamps are moved to
the days each step was meant to happen, over the past weeks, and the due dates recomputed from them (as
the cases demo moves its cases; an audit event records each move). Time is not travelled while the
steps run: a licence is signed with the seal its department has today, which did not exist weeks ago.
So the e-licences a past approval issued are dated the load day, and the frozen notices, case numbers
and audit log keep the load day too. The departments the accounts demo leaves without a reviewer (公安局,
税务局, 人社局, 医保局, the utility companies …) get one, ``reviewer_<department>``, when the history
first needs a decision of theirs.

Loaded by ``manage.py demo_load`` after the catalogue, cases and licences demos. Safe to run again: a
bundle that exists is left as it is, and the history is made only while there is no application.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import heapq
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from yichuang.accounts import services as account_services
from yichuang.accounts.demo import COUNTY, DEMO_PASSWORD, DEPARTMENTS
from yichuang.accounts.models import Applicant, Department, User
from yichuang.accounts.roles import Role
from yichuang.bundles import definitions, services
from yichuang.bundles.models import (
    ApplicationStatus,
    Bundle,
    BundleApplication,
    BundleCase,
    BundleEvent,
    BundleNotice,
    MemberState,
)
from yichuang.bundles.selection import material_key_map
from yichuang.cases import services as case_services
from yichuang.cases import timing
from yichuang.cases.models import Case, CaseEvent, CaseKind, CaseMaterialState, CaseNotice, CaseStatus
from yichuang.cases.services import CORRECTION_NOTICE_WORKING_DAYS, SATISFIED
from yichuang.catalog.demo_items import EXTRA_DEPARTMENTS, HOURS, PLACES
from yichuang.catalog.models import ItemKind, ItemStatus, MaterialNecessity, ServiceItem
from yichuang.core.audit import audit_record
from yichuang.core.calendar import add_working_days

DEPARTMENT_NAMES: dict[str, str] = {spec.key: spec.name for spec in DEPARTMENTS} | {
    key: spec[0] for key, spec in EXTRA_DEPARTMENTS.items()
}

GUOFA = "《国务院关于进一步优化政务服务提升行政效能推动“高效办成一件事”的指导意见》（国发〔2024〕3号）"
NEIZHENGFA = (
    "《内蒙古自治区人民政府关于优化政务服务提升行政效能推动“高效办成一件事”的实施意见》（内政发〔2024〕15号）"
)
YES_NO = (("yes", "是"), ("no", "否"))
_M = TypeVar("_M", bound=models.Model)


# ——— the definitions, as data ———


@dataclass(frozen=True)
class Member:
    department: str  # a key of DEPARTMENT_NAMES
    item: str  # the handling item's name in the demo catalogue
    fields: tuple[str, ...]
    condition: dict[str, tuple[str, ...]] = field(default_factory=dict)
    requires: tuple[str, ...] = ()  # item names of the members whose result this one needs first
    label: str = ""


@dataclass(frozen=True)
class DemoBundle:
    code: str
    name: str
    event_kind: str
    event: str
    lead: str  # a key of DEPARTMENT_NAMES
    summary: str
    service_object: str
    conditions: str
    laws: tuple[str, ...]
    steps: tuple[tuple[str, str], ...]
    promised_days: int
    visits: int
    place: str  # a key of PLACES, or the place itself
    questions: tuple[dict[str, Any], ...]
    members: tuple[Member, ...]
    phone: str = ""

    @property
    def legal_basis(self) -> str:
        return "；".join((GUOFA, NEIZHENGFA, *self.laws)) + "。"


def question(
    key: str, text: str, *choices: tuple[str, str], multiple: bool = False, help_text: str = ""
) -> dict[str, Any]:
    return {
        "key": key,
        "text": text,
        "help_text": help_text,
        "multiple": multiple,
        "choices": [{"value": value, "label": label} for value, label in choices],
    }


_APPLICANT = ("applicant_name", "applicant_id_number", "applicant_phone")
_NEW_ENTITY = ("individual", "company")
_ENTITY = question(
    "entity",
    "以什么身份经营？",
    ("individual", "个体工商户（新办营业执照）"),
    ("company", "公司（新办营业执照）"),
    ("licensed", "已有营业执照，只办许可和备案"),
    help_text="已取得营业执照的，同意免证办后由窗口调取电子营业执照，无需再办设立登记",
)
_SIGN = question(
    "sign",
    "是否在门店外设置店铺招牌？",
    *YES_NO,
    help_text="设置店铺招牌的，按本旗市容管理规定办理招牌设置备案",
)
_EMPLOYEES = question(
    "employees",
    "是否招用员工？",
    *YES_NO,
    help_text="招用员工的，同时办理单位社会保险参保登记",
)
_REGISTRATIONS = ("个体工商户设立登记", "公司设立登记")
_INDIVIDUAL_FIELDS = (
    "company_name",
    "company_type",
    "legal_representative",
    "legal_representative_id_number",
    "business_address",
    "business_scope",
    "applicant_phone",
)
_COMPANY_FIELDS = (*_INDIVIDUAL_FIELDS[:4], "registered_capital", *_INDIVIDUAL_FIELDS[4:])


def _shop_registrations() -> tuple[Member, ...]:
    """The 营业执照 a new shop starts with: a 个体工商户's or a company's, by the 经营主体 answer."""
    return (
        Member("scjg", "个体工商户设立登记", _INDIVIDUAL_FIELDS, {"entity": ("individual",)}),
        Member("scjg", "公司设立登记", _COMPANY_FIELDS, {"entity": ("company",)}),
    )


def _shop_tail() -> tuple[Member, ...]:
    """店铺招牌备案, tax information and social insurance of a new shop, once its 营业执照 is issued."""
    return (
        Member(
            "zjj",
            "店铺招牌设置备案",
            ("company_name", "business_address", "shop_sign_text", "applicant_phone"),
            {"sign": ("yes",)},
            _REGISTRATIONS,
        ),
        Member(
            "swj",
            "新办纳税人信息确认（“多证合一”登记信息确认）",
            ("company_name", "legal_representative", "legal_representative_id_number", "applicant_phone"),
            {"entity": _NEW_ENTITY},
            _REGISTRATIONS,
        ),
        Member(
            "rsj",
            "单位参保登记",
            ("company_name", "legal_representative", "business_address", "employee_count"),
            {"employees": ("yes",)},
            _REGISTRATIONS,
        ),
    )


STANDARD_STEPS = (
    ("情形引导", "回答几个问题，系统自动确定需要办理的事项、填写的内容和提交的材料"),
    ("一表申请", "在内蒙古政务服务网、“蒙速办”APP或综合窗口填写一张综合申请表，一套材料只交一次"),
    ("综合受理", "综合窗口统一核验材料；材料不全的一次性告知全部需要补正的内容"),
    ("并联审批", "各部门同步审批；需要前一事项结果的，前一事项办结后自动推送，不用申请人再跑"),
    ("统一出件", "全部事项办结后在综合出证窗口一次领取，或免费邮寄，电子证照同步推送"),
)

BUNDLES: tuple[DemoBundle, ...] = (
    DemoBundle(
        code="business-startup",
        name="企业开办一件事",
        event_kind="business",
        event="开办",
        lead="scjg",
        summary="开公司要办的营业执照、公章刻制、税务信息确认、发票领用、社保医保参保和住房公积金缴存登记，"
        "填一张表、交一套材料、一次提交，各部门同步办理，1个工作日内全部办好，电子营业执照同步发放。",
        service_object="在本旗新设立有限责任公司的投资人及其委托的代理人",
        conditions="企业名称已通过自主申报；有公司住所（可实行住所申报承诺制）；股东认缴出资和出资期限符合"
        "公司章程规定；法定代表人、董事、监事和高级管理人员不存在法律规定不得担任的情形。",
        laws=(
            "《中华人民共和国公司法》",
            "《中华人民共和国市场主体登记管理条例》",
            "《国务院关于国家行政机关和企业事业单位社会团体印章管理的规定》（国发〔1999〕25号）",
            "《中华人民共和国税收征收管理法》",
            "《中华人民共和国发票管理办法》",
            "《中华人民共和国社会保险法》",
            "《住房公积金管理条例》",
        ),
        steps=(
            ("情形引导", "选择是否刻章、领用发票、招用员工和缴存住房公积金，确定要同步办理的事项"),
            ("一表申请", "网上填写企业开办综合申请表，股东、法定代表人在线实名认证和电子签名"),
            ("综合受理", "企业开办综合窗口统一核验材料，材料齐全的当场受理"),
            ("并联办理", "营业执照核发后，刻章、税务、社保、医保、公积金登记同步推送各部门办理"),
            ("统一出件", "电子营业执照、电子印章同步发放，纸质执照和印章免费邮寄"),
        ),
        promised_days=1,
        visits=0,
        place="scjg",
        questions=(
            question("seal", "是否需要刻制公章等印章？", *YES_NO, help_text="刻章费用由政府购买服务承担"),
            question(
                "invoice",
                "是否需要申领发票？",
                *YES_NO,
                help_text="新办纳税人领用数电发票，税务部门按规定核定开票额度",
            ),
            question(
                "employees", "是否招用员工？", *YES_NO, help_text="招用员工的，同时办理社保、医保参保登记"
            ),
            question("housing_fund", "是否为职工缴存住房公积金？", *YES_NO),
        ),
        members=(
            Member("scjg", "公司设立登记", _COMPANY_FIELDS),
            Member(
                "swj",
                "新办纳税人信息确认（“多证合一”登记信息确认）",
                (
                    "company_name",
                    "legal_representative",
                    "legal_representative_id_number",
                    "business_address",
                    "applicant_phone",
                ),
                requires=("公司设立登记",),
            ),
            Member(
                "gaj",
                "公章刻制备案",
                ("company_name", "legal_representative", "legal_representative_id_number", "seal_kinds"),
                {"seal": ("yes",)},
                ("公司设立登记",),
            ),
            Member(
                "swj",
                "发票领用（首次）",
                ("company_name", "legal_representative", "applicant_phone"),
                {"invoice": ("yes",)},
                ("公司设立登记", "新办纳税人信息确认（“多证合一”登记信息确认）"),
            ),
            Member(
                "rsj",
                "单位参保登记",
                ("company_name", "legal_representative", "business_address", "employee_count"),
                {"employees": ("yes",)},
                ("公司设立登记",),
            ),
            Member(
                "ybj",
                "单位医疗保险参保登记",
                ("company_name", "legal_representative", "business_address", "employee_count"),
                {"employees": ("yes",)},
                ("公司设立登记",),
            ),
            Member(
                "gjj",
                "住房公积金单位缴存登记",
                ("company_name", "legal_representative", "employee_count", "applicant_phone"),
                {"housing_fund": ("yes",)},
                ("公司设立登记",),
            ),
        ),
    ),
    DemoBundle(
        code="newborn",
        name="新生儿出生一件事",
        event_kind="life",
        event="出生",
        lead="wjw",
        summary="宝宝出生后要办的出生医学证明、预防接种证、户口登记、医保参保、社会保障卡和生育医疗费用报销，"
        "在医院或网上一次申请、一套材料，各部门接力办理，结果统一寄送，不用再跑多个部门。",
        service_object="在本旗助产机构出生、或拟在本旗登记户口的新生儿的父母（监护人）",
        conditions="新生儿在依法取得执业许可的助产机构出生；父母至少一方户籍在本旗，新生儿随父或随母落户；"
        "申请生育医疗费用报销的，母亲须参加基本医疗保险并按规定缴费。",
        laws=(
            "《中华人民共和国母婴保健法》",
            "《中华人民共和国户口登记条例》",
            "《中华人民共和国疫苗管理法》",
            "《中华人民共和国社会保险法》",
        ),
        steps=(
            ("情形引导", "选择是否为宝宝参保、申领社保卡，是否申请生育医疗费用报销"),
            ("一表申请", "在助产机构服务点或“蒙速办”APP填写新生儿出生综合申请表，身份证、户口簿等由系统调取"),
            ("综合受理", "统一核验材料，材料不全的一次性告知"),
            (
                "接力办理",
                "出生医学证明签发后，自动推送预防接种证、户口登记和生育医疗费用报销；户口登记后推送医保参保和社保卡申领",
            ),
            ("统一寄送", "户口簿、预防接种证、社会保障卡等统一免费邮寄，出生医学证明电子证照同步推送"),
        ),
        promised_days=10,
        visits=0,
        place="乌拉特中旗人民医院产科“出生一件事”服务点；乌拉特中旗政务服务中心 二楼 D区 社会事务综合窗口",
        phone=PLACES["wjw"][1],
        questions=(
            question("newborn_insurance", "是否为宝宝办理城乡居民基本医疗保险参保登记？", *YES_NO),
            question(
                "social_security_card",
                "是否为宝宝申领社会保障卡？",
                *YES_NO,
                help_text="社会保障卡可用于就医结算，须在户口登记后制卡",
            ),
            question("maternity", "是否申请生育医疗费用报销？", *YES_NO),
            question(
                "mother_insured",
                "母亲是否已参加基本医疗保险（职工医保或城乡居民医保）？",
                *YES_NO,
                help_text="生育医疗费用报销须母亲参保并按规定缴费；未参保的请到医保窗口咨询",
            ),
        ),
        members=(
            Member(
                "wjw",
                "出生医学证明首次签发",
                (
                    *_APPLICANT,
                    "newborn_name",
                    "newborn_gender",
                    "newborn_birth_date",
                    "newborn_birth_place",
                    "birth_institution",
                    "mother_name",
                    "mother_id_number",
                    "father_name",
                    "father_id_number",
                ),
            ),
            Member(
                "wjw",
                "预防接种证发放",
                (
                    "applicant_name",
                    "applicant_phone",
                    "applicant_address",
                    "newborn_name",
                    "newborn_gender",
                    "newborn_birth_date",
                ),
                requires=("出生医学证明首次签发",),
            ),
            Member(
                "gaj",
                "出生登记（新生儿落户）",
                (
                    "applicant_name",
                    "applicant_id_number",
                    "newborn_name",
                    "newborn_gender",
                    "newborn_birth_date",
                    "newborn_birth_place",
                    "mother_name",
                    "mother_id_number",
                    "father_name",
                    "father_id_number",
                    "household_address",
                ),
                requires=("出生医学证明首次签发",),
            ),
            Member(
                "ybj",
                "城乡居民基本医疗保险参保登记",
                (*_APPLICANT, "newborn_name", "newborn_gender", "newborn_birth_date", "household_address"),
                {"newborn_insurance": ("yes",)},
                ("出生登记（新生儿落户）",),
            ),
            Member(
                "rsj",
                "社会保障卡申领",
                (
                    "applicant_name",
                    "applicant_phone",
                    "applicant_address",
                    "newborn_name",
                    "newborn_gender",
                    "newborn_birth_date",
                ),
                {"social_security_card": ("yes",)},
                ("出生登记（新生儿落户）",),
            ),
            Member(
                "ybj",
                "生育医疗费用报销",
                (
                    "applicant_phone",
                    "mother_name",
                    "mother_id_number",
                    "birth_institution",
                    "newborn_birth_date",
                    "bank_account",
                ),
                {"maternity": ("yes",), "mother_insured": ("yes",)},
                ("出生医学证明首次签发",),
            ),
        ),
    ),
    DemoBundle(
        code="open-restaurant",
        name="我要开小餐馆",
        event_kind="business",
        event="准营",
        lead="scjg",
        summary="开饭馆、小吃店要办的营业执照、食品经营许可证、店铺招牌备案和税务、社保登记，一张表、一套材料、"
        "一次提交；营业执照当场发，食品经营许可5个工作日内办结。饭馆不再办理公共场所卫生许可证。",
        service_object="在本旗开办饭馆、小吃店等餐饮服务场所的个体工商户和企业",
        conditions="有与经营的食品品种、数量相适应的经营场所和设备设施，并与有毒、有害场所以及其他污染源保持"
        "规定的距离；有食品安全管理人员和保证食品安全的规章制度；设置招牌的，符合本旗市容管理规定。",
        laws=(
            "《中华人民共和国食品安全法》第三十五条",
            "《食品经营许可和备案管理办法》（国家市场监督管理总局令第78号）",
            "《中华人民共和国市场主体登记管理条例》",
            "《促进个体工商户发展条例》",
            "《国务院关于整合调整餐饮服务场所的公共场所卫生许可证和食品经营许可证的决定》（国发〔2016〕12号）",
            "《城市市容和环境卫生管理条例》",
        ),
        steps=STANDARD_STEPS,
        promised_days=5,
        visits=1,
        place="scjg",
        questions=(_ENTITY, _SIGN, _EMPLOYEES),
        members=(
            *_shop_registrations(),
            Member(
                "scjg",
                "食品经营许可（新办）",
                (
                    "company_name",
                    "legal_representative",
                    "legal_representative_id_number",
                    "business_address",
                    "business_area",
                    "food_business_form",
                    "food_business_items",
                ),
                requires=_REGISTRATIONS,
            ),
            *_shop_tail(),
        ),
    ),
    DemoBundle(
        code="open-supermarket",
        name="我要开超市",
        event_kind="business",
        event="准营",
        lead="scjg",
        summary="开超市、便利店要办的营业执照、食品经营许可证、公共场所卫生许可证、店铺招牌备案和税务、社保登记，"
        "一张表、一套材料、一次提交，各部门同步审批，5个工作日内全部办结。",
        service_object="在本旗开办超市、便利店等零售商店的个体工商户和企业",
        conditions="有固定的经营场所；经营散装食品或现场制售食品的，有与之相适应的设备设施、食品安全管理人员"
        "和管理制度；营业面积300平方米以上的，经营场所的通风、采光、照明等符合公共场所卫生要求。",
        laws=(
            "《中华人民共和国食品安全法》第三十五条",
            "《食品经营许可和备案管理办法》（国家市场监督管理总局令第78号）",
            "《公共场所卫生管理条例》",
            "《中华人民共和国市场主体登记管理条例》",
            "《促进个体工商户发展条例》",
            "《城市市容和环境卫生管理条例》",
        ),
        steps=STANDARD_STEPS,
        promised_days=5,
        visits=1,
        place="scjg",
        questions=(
            _ENTITY,
            question(
                "food",
                "是否经营食品？",
                ("bulk", "销售散装食品或现场制售食品"),
                ("packaged", "仅销售预包装食品"),
                ("none", "不经营食品"),
                help_text="仅销售预包装食品的，取得营业执照后向市场监管部门备案即可，无需办理食品经营许可",
            ),
            question(
                "large",
                "营业面积是否在300平方米以上？",
                *YES_NO,
                help_text="本旗对营业面积300平方米以上的商场（超市）实行公共场所卫生许可",
            ),
            _SIGN,
            _EMPLOYEES,
        ),
        members=(
            *_shop_registrations(),
            Member(
                "scjg",
                "食品经营许可（新办）",
                (
                    "company_name",
                    "legal_representative",
                    "legal_representative_id_number",
                    "business_address",
                    "business_area",
                    "food_business_form",
                    "food_business_items",
                ),
                {"food": ("bulk",)},
                _REGISTRATIONS,
            ),
            Member(
                "wjw",
                "公共场所卫生许可（新办）",
                ("company_name", "legal_representative", "business_address", "business_area"),
                {"large": ("yes",)},
                _REGISTRATIONS,
            ),
            *_shop_tail(),
        ),
    ),
    DemoBundle(
        code="resale-home",
        name="二手房交易（不动产转移登记及水电气联动过户）",
        event_kind="life",
        event="转移登记",
        lead="bdc",
        summary="买卖二手房，网签备案、缴税、转移登记和水电气暖过户在不动产登记综合窗口一次办：买卖双方一次到场，"
        "一张表、一套材料，3个工作日内领取新的不动产权证书，水电气暖户名同步变更。",
        service_object="在本旗买卖已取得不动产权证书的存量住房的买卖双方",
        conditions="房屋已取得不动产权证书，无查封、异议登记等限制；已抵押的，须抵押权人同意或先办理抵押权注销"
        "登记；买卖双方已签订存量房买卖合同；办理水电气暖过户的，原户主已结清相关费用。",
        laws=(
            "《中华人民共和国民法典》物权编",
            "《中华人民共和国城市房地产管理法》",
            "《不动产登记暂行条例》",
            "《中华人民共和国契税法》",
            "《中华人民共和国税收征收管理法》",
            "《电力供应与使用条例》",
            "《城市供水条例》",
            "《城镇燃气管理条例》",
        ),
        steps=(
            ("情形引导", "选择需要同步过户的水、电、气、暖"),
            ("一表申请", "买卖双方在不动产登记综合窗口填写一张申请表，不动产权证书、身份证等由系统调取"),
            ("综合受理", "一窗核验材料，当场受理"),
            ("接力办理", "网签备案、税费申报、转移登记依次自动推送，登记办结后同步推送水电气暖过户"),
            ("统一出件", "不动产权证书（电子证照同步推送）和各项过户结果一次领取或邮寄"),
        ),
        promised_days=3,
        visits=1,
        place="bdc",
        questions=(
            question(
                "transfer",
                "需要同步办理哪些过户？（可多选）",
                ("power", "用电过户"),
                ("water", "用水过户"),
                ("gas", "燃气过户"),
                ("heat", "供热过户"),
                ("none", "暂不办理过户"),
                multiple=True,
            ),
        ),
        members=(
            Member(
                "zjj",
                "存量房买卖合同网签备案",
                (
                    "applicant_phone",
                    "seller_name",
                    "seller_id_number",
                    "buyer_name",
                    "buyer_id_number",
                    "property_address",
                    "property_certificate_number",
                    "property_area",
                    "deal_price",
                ),
            ),
            Member(
                "swj",
                "存量房交易税费申报",
                (
                    "seller_name",
                    "seller_id_number",
                    "buyer_name",
                    "buyer_id_number",
                    "property_address",
                    "property_area",
                    "deal_price",
                ),
                requires=("存量房买卖合同网签备案",),
            ),
            Member(
                "bdc",
                "国有建设用地使用权及房屋所有权转移登记（二手房买卖）",
                (
                    "seller_name",
                    "seller_id_number",
                    "buyer_name",
                    "buyer_id_number",
                    "property_address",
                    "property_certificate_number",
                    "property_unit_number",
                    "property_area",
                ),
                requires=("存量房交易税费申报",),
                label="不动产转移登记",
            ),
            *(
                Member(
                    key,
                    name,
                    ("applicant_phone", "buyer_name", "buyer_id_number", "property_address", account),
                    {"transfer": (value,)},
                    ("国有建设用地使用权及房屋所有权转移登记（二手房买卖）",),
                )
                for key, name, account, value in (
                    ("power", "用电过户", "power_account", "power"),
                    ("water", "用水过户", "water_account", "water"),
                    ("gas", "燃气过户", "gas_account", "gas"),
                    ("heat", "供热过户", "heat_account", "heat"),
                )
            ),
        ),
    ),
    DemoBundle(
        code="utility-connection",
        name="水电气暖讯视联合报装",
        event_kind="business",
        event="报装",
        lead="zsj",
        summary="新建房屋、新开门店要接水、电、气、暖和宽带、有线电视，在联合报装窗口填一张表、交一套材料，"
        "各家公司同步受理、联合踏勘、一次办结，不用分别跑六家单位。",
        service_object="在本旗需要新装用水、用电、用气、供热和宽带、有线电视的居民和企业",
        conditions="报装地址的房屋已取得不动产权证书或有合法的使用证明；用气、用热的，用气（热）场所符合安全条件；"
        "非居民用户已取得营业执照。",
        laws=(
            "《电力供应与使用条例》",
            "《城市供水条例》",
            "《城镇燃气管理条例》",
            "《中华人民共和国电信条例》",
            "《国务院办公厅转发国家发展改革委等部门关于清理规范城镇供水供电供气供暖行业收费促进行业高质量发展意见的通知》"
            "（国办函〔2020〕129号）",
        ),
        steps=(
            ("情形引导", "选择用户类型和需要报装的项目"),
            ("一表申请", "在联合报装窗口或“蒙速办”APP填写联合报装申请表"),
            ("综合受理", "联合报装窗口统一核验材料，当场受理"),
            ("联合踏勘", "各公司同步受理、一次联合现场踏勘，分别出具供应方案"),
            ("统一办结", "签订供用合同，装表接通，结果统一告知"),
        ),
        promised_days=10,
        visits=1,
        place="centre",
        questions=(
            question(
                "user_type",
                "报装用户类型",
                ("resident", "居民用户"),
                ("business", "企业、个体工商户等非居民用户"),
            ),
            question(
                "services",
                "需要报装哪些项目？（可多选）",
                ("power", "用电"),
                ("water", "用水"),
                ("gas", "燃气"),
                ("heat", "供热"),
                ("broadband", "宽带"),
                ("cable_tv", "有线电视"),
                multiple=True,
            ),
        ),
        members=(
            Member(
                "power",
                "低压居民用户新装",
                (*_APPLICANT, "install_address", "power_capacity"),
                {"user_type": ("resident",), "services": ("power",)},
            ),
            Member(
                "power",
                "低压非居民用户新装",
                (
                    "company_name",
                    "credit_code",
                    "legal_representative",
                    "applicant_phone",
                    "install_address",
                    "power_capacity",
                ),
                {"user_type": ("business",), "services": ("power",)},
            ),
            Member(
                "water",
                "用水报装（新装）",
                ("applicant_name", "applicant_phone", "install_address"),
                {"services": ("water",)},
            ),
            Member(
                "gas",
                "燃气报装（新装）",
                ("applicant_name", "applicant_phone", "install_address"),
                {"services": ("gas",)},
            ),
            Member(
                "heat",
                "供热入网",
                ("applicant_name", "applicant_phone", "install_address"),
                {"services": ("heat",)},
            ),
            Member(
                "centre",
                "宽带（通信）报装受理",
                (*_APPLICANT, "install_address", "broadband_package"),
                {"services": ("broadband",)},
            ),
            Member(
                "centre",
                "有线电视（广电网络）报装受理",
                (*_APPLICANT, "install_address", "broadband_package"),
                {"services": ("cable_tv",)},
            ),
        ),
    ),
    DemoBundle(
        code="business-closure",
        name="企业注销一件事",
        event_kind="business",
        event="注销",
        lead="scjg",
        summary="公司不干了，清税、注销登记、社保注销和印章缴销一次申请，各部门信息共享、同步办理，"
        "不用再分别跑税务、市场监管、社保和公安。",
        service_object="在本旗登记、拟终止经营的有限责任公司",
        conditions="一般注销的，已依法成立清算组完成清算，清算组信息和债权人公告已公示满45日；简易注销的，"
        "未发生债权债务或已将债权债务清偿完结，全体投资人书面承诺，简易注销公告期满无异议。",
        laws=(
            "《中华人民共和国公司法》",
            "《中华人民共和国市场主体登记管理条例》",
            "《中华人民共和国税收征收管理法》",
            "《中华人民共和国社会保险法》",
        ),
        steps=STANDARD_STEPS,
        promised_days=2,
        visits=1,
        place="scjg",
        questions=(
            question(
                "mode",
                "选择注销方式",
                ("simple", "简易注销（未发生或已清偿债权债务，全体投资人承诺）"),
                ("general", "一般注销（已清算并公告满45日）"),
                help_text="简易注销的，未办理过涉税事宜或无欠税、无未缴销发票的，免于办理清税手续",
            ),
            question("social_insurance", "是否办理过单位社会保险登记？", *YES_NO),
            question("seal", "是否备案过公章等印章？", *YES_NO, help_text="备案过的印章须同时缴销"),
        ),
        members=(
            Member(
                "swj",
                "清税申报（注销税务登记）",
                (
                    "company_name",
                    "credit_code",
                    "legal_representative",
                    "deregistration_reason",
                    "applicant_phone",
                ),
                {"mode": ("general",)},
            ),
            Member(
                "scjg",
                "公司注销登记（一般注销）",
                (
                    "company_name",
                    "credit_code",
                    "legal_representative",
                    "legal_representative_id_number",
                    "deregistration_reason",
                ),
                {"mode": ("general",)},
                ("清税申报（注销税务登记）",),
            ),
            Member(
                "scjg",
                "公司简易注销登记",
                (
                    "company_name",
                    "credit_code",
                    "legal_representative",
                    "legal_representative_id_number",
                    "deregistration_reason",
                ),
                {"mode": ("simple",)},
            ),
            Member(
                "rsj",
                "单位社会保险注销登记",
                ("company_name", "credit_code", "legal_representative", "deregistration_reason"),
                {"social_insurance": ("yes",)},
            ),
            Member(
                "gaj",
                "印章缴销备案（公章作废）",
                ("company_name", "credit_code", "legal_representative", "seal_kinds"),
                {"seal": ("yes",)},
            ),
        ),
    ),
    DemoBundle(
        code="retirement",
        name="退休一件事",
        event_kind="life",
        event="退休",
        lead="rsj",
        summary="到了退休年龄，养老金待遇申领、社会保障卡申领（补换）和异地就医备案一次申请，"
        "人社、医保部门同步办理，养老金按月发到社会保障卡或银行账户。",
        service_object="达到法定退休年龄、按规定缴纳基本养老保险费的本旗参保人员",
        conditions="达到法定退休年龄（按渐进式延迟法定退休年龄规定确定）；企业职工基本养老保险累计缴费满最低年限；"
        "城乡居民基本养老保险按规定缴费，未领取国家规定的其他基本养老保障待遇。",
        laws=(
            "《中华人民共和国社会保险法》",
            "《全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定》",
            "《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）",
        ),
        steps=STANDARD_STEPS,
        promised_days=10,
        visits=1,
        place="rsj",
        questions=(
            question(
                "pension",
                "参加的是哪种养老保险？",
                ("employee", "企业职工基本养老保险"),
                ("resident", "城乡居民基本养老保险"),
            ),
            question(
                "card",
                "是否需要申领或补换社会保障卡？",
                *YES_NO,
                help_text="养老金发放到社会保障卡金融账户；没有卡或卡已损坏、丢失的请选择“是”",
            ),
            question("remote", "退休后是否长期在外省居住，需要办理跨省异地就医备案？", *YES_NO),
        ),
        members=(
            Member("rsj", "社会保障卡申领", (*_APPLICANT, "applicant_address"), {"card": ("yes",)}),
            Member(
                "rsj",
                "职工基本养老保险待遇申领（退休）",
                (*_APPLICANT, "work_unit", "work_start_date", "retirement_date", "bank_account"),
                {"pension": ("employee",)},
                ("社会保障卡申领",),
            ),
            Member(
                "rsj",
                "城乡居民基本养老保险待遇申领",
                (*_APPLICANT, "applicant_address", "bank_account"),
                {"pension": ("resident",)},
                ("社会保障卡申领",),
            ),
            Member(
                "ybj",
                "基本医疗保险跨省异地就医备案",
                (*_APPLICANT, "applicant_address"),
                {"remote": ("yes",)},
            ),
        ),
    ),
    DemoBundle(
        code="disability-services",
        name="残疾人服务一件事",
        event_kind="life",
        event="助残",
        lead="cl",
        summary="办残疾人证、申请残疾人两项补贴和最低生活保障一次申请，残联、民政同步办理；"
        "残疾人证办好后自动推送两项补贴审核，不用再交残疾人证。",
        service_object="本旗户籍的残疾人及其监护人（代理人）",
        conditions="经指定医疗机构评定符合残疾标准；申请困难残疾人生活补贴的，为低保家庭等困难残疾人；"
        "申请重度残疾人护理补贴的，残疾等级为一级、二级且需要长期照护；申请低保的，家庭人均收入和财产符合本旗标准。",
        laws=(
            "《中华人民共和国残疾人保障法》",
            "《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》（国发〔2015〕52号）",
            "《社会救助暂行办法》",
        ),
        steps=STANDARD_STEPS,
        promised_days=25,
        visits=1,
        place="cl",
        questions=(
            question(
                "certificate",
                "是否已持有第二代残疾人证？",
                ("new", "尚未办理，需新办"),
                ("held", "已持证"),
            ),
            question("subsidy", "是否申请困难残疾人生活补贴或重度残疾人护理补贴？", *YES_NO),
            question("dibao", "家庭是否同时申请最低生活保障？", *YES_NO),
        ),
        members=(
            Member(
                "cl",
                "残疾人证核发（新办）",
                (*_APPLICANT, "applicant_address", "disability_category", "guardian_name", "guardian_phone"),
                {"certificate": ("new",)},
            ),
            Member(
                "mzj",
                "困难残疾人生活补贴和重度残疾人护理补贴申请",
                (*_APPLICANT, "disability_category", "bank_account", "guardian_name", "guardian_phone"),
                {"subsidy": ("yes",)},
                ("残疾人证核发（新办）",),
            ),
            Member(
                "mzj",
                "最低生活保障申请",
                (*_APPLICANT, "applicant_address", "bank_account"),
                {"dibao": ("yes",)},
            ),
        ),
    ),
)


# ——— defining them ———


def demo_department(key: str) -> Department:
    department = Department.objects.filter(
        name=DEPARTMENT_NAMES[key], division_code__startswith=COUNTY
    ).first()
    if department is None:
        raise LookupError(f"演示部门“{DEPARTMENT_NAMES[key]}”不存在：请先载入账户和事项库演示数据")
    return department


def demo_item(department: str, name: str) -> ServiceItem:
    item = ServiceItem.objects.filter(
        department=demo_department(department),
        kind=ItemKind.HANDLING,
        status=ItemStatus.ACTIVE,
        current_version__isnull=False,
        name=name,
    ).first()
    if item is None:
        raise LookupError(f"演示事项“{name}”（{DEPARTMENT_NAMES[department]}）不存在：请先载入事项库演示数据")
    return item


def demo_spec(demo: DemoBundle, position: int = 0) -> dict[str, Any]:
    """The definition as ``bundle_define`` takes it, with the catalogue's items and departments."""
    items = {member.item: demo_item(member.department, member.item) for member in demo.members}
    if demo.place in PLACES:
        place, phone = PLACES[demo.place]
    else:
        place, phone = demo.place, demo.phone
    return {
        "code": demo.code,
        "name": demo.name,
        "event_kind": demo.event_kind,
        "event": demo.event,
        "lead_department": demo_department(demo.lead).pk,
        "promised_days": demo.promised_days,
        "visits": demo.visits,
        "position": position,
        "summary": demo.summary,
        "service_object": demo.service_object,
        "conditions": demo.conditions,
        "legal_basis": demo.legal_basis,
        "process_steps": [{"name": name, "description": text} for name, text in demo.steps],
        "handling_place": place,
        "handling_hours": HOURS,
        "contact_phone": demo.phone or phone,
        "questions": list(demo.questions),
        "members": [
            {
                "item": items[member.item].pk,
                "label": member.label,
                "condition": {key: list(values) for key, values in member.condition.items()},
                "fields": list(member.fields),
                "requires": [items[name].pk for name in member.requires],
            }
            for member in demo.members
        ],
    }


def load_demo_bundle_definitions(*, admin: User) -> int:
    """Define and publish the bundles not defined yet; returns how many were new."""
    made = 0
    for position, demo in enumerate(BUNDLES, start=1):
        if Bundle.objects.filter(code=demo.code).exists():
            continue
        bundle = definitions.bundle_define(actor=admin, spec=demo_spec(demo, position))
        definitions.bundle_publish(actor=admin, bundle=bundle)
        made += 1
    return made


# ——— history ———

# Departments without a reviewer in the accounts demo get one when the history first needs them.
DEPARTMENT_REVIEWERS: dict[str, tuple[str, str, str]] = {
    # department key: (username, full name, phone)
    "gaj": ("reviewer_gaj", "韩永刚", "13904780081"),
    "swj": ("reviewer_swj", "包文军", "13904780082"),
    "rsj": ("reviewer_rsj", "马秀兰", "13904780083"),
    "ybj": ("reviewer_ybj", "吉雅", "13904780084"),
    "gjj": ("reviewer_gjj", "田丽", "13904780085"),
    "zjj": ("reviewer_zjj", "乌日娜", "13904780086"),
    "power": ("reviewer_power", "郝建平", "13904780087"),
    "water": ("reviewer_water", "索德", "13904780088"),
    "gas": ("reviewer_gas", "白雪梅", "13904780089"),
    "heat": ("reviewer_heat", "吴海龙", "13904780090"),
    "centre": ("reviewer_centre", "敖敦", "13904780091"),
    "mzj": ("reviewer_mzj", "萨其拉", "13904780092"),
    "cl": ("reviewer_cl", "何淑英", "13904780093"),
}


@dataclass
class _Mark:
    start: dt.datetime
    end: dt.datetime
    planned: dt.datetime


@dataclass
class _Story:
    """The steps of one application as run now, each with the moment it was meant to happen."""

    marks: list[_Mark] = field(default_factory=list)

    @contextlib.contextmanager
    def at(self, planned: dt.datetime) -> Iterator[None]:
        start = timezone.now()
        yield
        self.marks.append(_Mark(start, timezone.now(), planned))

    def when(self, real: dt.datetime | None) -> dt.datetime | None:
        if real is None:
            return None
        for mark in self.marks:
            if mark.start <= real <= mark.end:
                return mark.planned + (real - mark.start)
        return real


def _moment(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


@dataclass(frozen=True)
class Plan:
    """One application of the history: who applies for what, when, and how far it gets."""

    bundle: str
    applicant: str  # the applicant's name in the accounts demo
    answers: dict[str, Any]
    form: dict[str, str]
    days_ago: int  # working days before the load day it was applied for
    online: bool = False
    deny: dict[str, str] = field(default_factory=dict)  # item name → the denial's reason
    late: tuple[str, ...] = ()  # items decided two working days after their promised limit
    hold: tuple[str, ...] = ()  # items left under review
    correction: dict[str, str] = field(default_factory=dict)  # merged material key → what is wrong
    until: str = "closed"  # submitted · correction · in_progress · result_ready · closed
    hour: int = 9


class _History:
    def __init__(self, *, admin: User, result_for: Callable[[Case], dict[str, Any]] | None) -> None:
        self.admin = admin
        self.result_for = result_for
        self.clerk = User.objects.get(username="clerk")
        self.issuer = User.objects.get(username="issuer")
        self.today = timezone.localdate()
        self.reviewers: dict[int, User] = {}

    # people

    def reviewer(self, case: Case) -> User:
        """Who decides ``case``: the department's chief representative for an immediate case where it has
        one, else its reviewer (made once for the departments the accounts demo leaves without)."""
        department = case.department
        staff = User.objects.filter(department=department, is_active=True)
        if case.kind == CaseKind.IMMEDIATE and (chief := staff.filter(role=Role.CHIEF_REP).first()):
            return chief
        if department.pk not in self.reviewers:
            found = staff.filter(role=Role.REVIEWER).order_by("pk").first()
            if found is None:
                key = next(k for k, name in DEPARTMENT_NAMES.items() if name == department.name)
                username, full_name, phone = DEPARTMENT_REVIEWERS[key]
                found = account_services.staff_create(
                    actor=self.admin,
                    username=username,
                    password=DEMO_PASSWORD,
                    full_name=full_name,
                    role=Role.REVIEWER,
                    department=department,
                    phone=phone,
                )
            self.reviewers[department.pk] = found
        return self.reviewers[department.pk]

    # the steps

    def _rows(self, application: BundleApplication) -> list[BundleCase]:
        return list(
            BundleCase.objects.filter(application=application, state=MemberState.ROUTED)
            .select_related("case__department", "member__item")
            .order_by("position", "pk")
        )

    def _receiving(self, application: BundleApplication) -> list[BundleCase]:
        return [
            row for row in self._rows(application) if row.case and row.case.status == CaseStatus.SUBMITTED
        ]

    def _findings(self, rows: list[BundleCase], plan: Plan) -> dict[str, tuple[str, str]]:
        """What the window finds on the materials the receiving cases still lack: all in order, but for the
        ones the plan has it ask for again."""
        findings: dict[str, tuple[str, str]] = {}
        for row in rows:
            assert row.case is not None
            materials = list(row.case.materials.select_related("material"))
            keys = material_key_map([m.material for m in materials])
            for material in materials:
                if material.state in SATISFIED or material.material.necessity == MaterialNecessity.OPTIONAL:
                    continue
                key = keys[material.material_id]
                if key in plan.correction:
                    findings[key] = (CaseMaterialState.DEFICIENT, plan.correction[key])
                else:
                    findings.setdefault(key, (CaseMaterialState.ORIGINAL_CHECKED, ""))
        return findings

    def play(self, plan: Plan) -> BundleApplication:
        story = _Story()
        bundle = Bundle.objects.get(code=plan.bundle)
        applicant = Applicant.objects.get(name=plan.applicant)
        day = add_working_days(self.today, -plan.days_ago)
        moment = _moment(day, plan.hour, 20)
        with story.at(moment):
            application = services.bundle_apply(
                actor=applicant.user if plan.online and applicant.user else self.clerk,
                bundle=bundle,
                applicant=applicant,
                channel="online" if plan.online else "window",
                answers=plan.answers,
                form=plan.form,
                use_licences=True,
            ).application
        if plan.until != "submitted":
            self._handle(application, plan, story, moment)
        self._retime(application, story)
        application.refresh_from_db()
        return application

    def _handle(self, application: BundleApplication, plan: Plan, story: _Story, moment: dt.datetime) -> None:
        counter = itertools.count()
        queue: list[tuple[dt.datetime, int, str, int]] = []  # (when, order, step, case id)
        last = moment

        def intake(at: dt.datetime) -> bool:
            """Check and accept what waits at the window; False when it asks for a 补正 instead."""
            receiving = self._receiving(application)
            if not receiving:
                return True
            findings = self._findings(receiving, plan)
            if findings:
                with story.at(at):
                    services.bundle_check_materials(
                        actor=self.clerk, application=application, findings=findings
                    )
            if plan.correction:
                with story.at(at + dt.timedelta(minutes=8)):
                    services.bundle_request_correction(
                        actor=self.clerk, application=application, note="请补齐后一并提交，窗口可预约上门收件"
                    )
                return False
            accepted_at = at + dt.timedelta(minutes=10)
            with story.at(accepted_at):
                services.bundle_accept(actor=self.clerk, application=application)
            for n, row in enumerate(receiving):
                assert row.case_id is not None
                case = Case.objects.get(pk=row.case_id)  # as accepted: its limit and due date
                if case.kind == CaseKind.IMMEDIATE:
                    decide_at = accepted_at + dt.timedelta(minutes=20 * (n + 1))
                else:
                    review_at = accepted_at + dt.timedelta(hours=1, minutes=10 * n)
                    heapq.heappush(queue, (review_at, next(counter), "review", case.pk))
                    name = row.member.item.name
                    days = case.limit_days + 2 if name in plan.late else max(1, case.limit_days - 1)
                    decide_at = _moment(add_working_days(accepted_at.date(), days), 10, 10 * n)
                if row.member.item.name not in plan.hold:
                    heapq.heappush(queue, (decide_at, next(counter), "decide", case.pk))
            return True

        if not intake(moment + dt.timedelta(minutes=25)):
            return
        while queue:
            at, _order, step, case_id = heapq.heappop(queue)
            case = Case.objects.select_related("department", "item_version").get(pk=case_id)
            reviewer = self.reviewer(case)
            if step == "review":
                with story.at(at):
                    case_services.case_start_review(actor=reviewer, case=case)
                continue
            name = case.item.name
            with story.at(at):
                if name in plan.deny:
                    case_services.case_decide(
                        actor=reviewer, case=case, decision="deny", reason=plan.deny[name]
                    )
                else:
                    case = case_services.case_decide(
                        actor=reviewer,
                        case=case,
                        decision="approve",
                        result=self.result_for(case) if self.result_for else None,
                    )
            last = max(last, at)
            if name not in plan.deny:
                with story.at(at + dt.timedelta(minutes=5)):
                    case_services.case_result_ready(actor=reviewer, case=case)
            if not intake(at + dt.timedelta(minutes=30)):
                return
        application.refresh_from_db()
        if plan.until == "closed" and application.status == ApplicationStatus.RESULT_READY:
            if last.hour < 15:
                handed = _moment(last.date(), 16, 30)
            else:
                handed = _moment(add_working_days(last.date(), 1), 9, 40)
            with story.at(handed):
                services.bundle_deliver(
                    actor=self.issuer,
                    application=application,
                    method="pickup",
                    recipient=application.applicant.legal_representative or application.applicant.name,
                )

    def _retime(self, application: BundleApplication, story: _Story) -> None:
        """Move every timestamp of the application and its cases to when its step was planned, and
        recompute the due dates from the new acceptance days."""
        when = story.when
        application = BundleApplication.objects.select_related("bundle").get(pk=application.pk)
        loaded_at = application.submitted_at
        for name in ("submitted_at", "accepted_at", "results_ready_at", "closed_at"):
            setattr(application, name, when(getattr(application, name)))
        if application.accepted_at is not None:
            application.promised_due_date = add_working_days(
                timezone.localdate(application.accepted_at), application.bundle.promised_days
            )
        cases = list(Case.objects.filter(bundle_link__application=application))
        for case in cases:
            for name in ("submitted_at", "accepted_at", "decided_at", "closed_at"):
                setattr(case, name, when(getattr(case, name)))
            case.correction_notice_due = add_working_days(
                timezone.localdate(case.submitted_at), CORRECTION_NOTICE_WORKING_DAYS
            )
            if case.accepted_at is not None:
                case.due_date = add_working_days(
                    timezone.localdate(case.accepted_at),
                    case.limit_days + case.extension_days + case.paused_days,
                )
        Case.objects.bulk_update(
            cases,
            ["submitted_at", "accepted_at", "decided_at", "closed_at", "correction_notice_due", "due_date"],
        )
        due_dates = [case.due_date for case in cases if case.due_date]
        application.due_date = max(due_dates) if due_dates else None
        application.save(
            update_fields=[
                "submitted_at",
                "accepted_at",
                "results_ready_at",
                "closed_at",
                "promised_due_date",
                "due_date",
            ]
        )
        _restamp(BundleEvent.objects.filter(application=application), "at", when)
        _restamp(BundleNotice.objects.filter(application=application), "issued_at", when)
        _restamp(CaseEvent.objects.filter(case__in=cases), "at", when)
        _restamp(CaseNotice.objects.filter(case__in=cases), "issued_at", when)
        audit_record(
            actor=None,
            action="bundle.demo_backdate",
            obj=application,
            data={
                "number": application.number,
                "loaded_at": loaded_at.isoformat(),
                "submitted_at": application.submitted_at.isoformat(),
            },
        )


def _restamp(
    rows: QuerySet[_M], stamp: str, when: Callable[[dt.datetime | None], dt.datetime | None]
) -> None:
    found = list(rows)
    for row in found:
        setattr(row, stamp, when(getattr(row, stamp)))
    rows.bulk_update(found, [stamp])


def _id_number(name: str) -> str:
    return Applicant.objects.filter(name=name).values_list("id_number", flat=True).first() or ""


def demo_plans() -> list[Plan]:
    """The history's applications, oldest first."""
    father, mother = Applicant.objects.get(name="王建国"), _id_number("其木格")
    return [
        Plan(
            "newborn",
            "王建国",
            {
                "newborn_insurance": "yes",
                "social_security_card": "no",
                "maternity": "yes",
                "mother_insured": "yes",
            },
            {
                "applicant_phone": father.phone or "13904781234",
                "applicant_address": father.address or "乌拉特中旗海流图镇团结社区8号",
                "newborn_name": "王乐乐",
                "newborn_gender": "男",
                "newborn_birth_date": str(add_working_days(timezone.localdate(), -22)),
                "newborn_birth_place": "内蒙古自治区巴彦淖尔市乌拉特中旗",
                "birth_institution": "乌拉特中旗人民医院",
                "mother_name": "其木格",
                "mother_id_number": mother,
                "father_name": "王建国",
                "father_id_number": father.id_number,
                "household_address": father.address or "乌拉特中旗海流图镇团结社区8号",
                "bank_account": "6228480478001234567",
            },
            days_ago=20,
            online=True,
        ),
        Plan(
            "resale-home",
            "苏和",
            {"transfer": ["power", "water", "gas", "heat"]},
            {
                "applicant_phone": "13904786612",
                "seller_name": "刘芳",
                "seller_id_number": _id_number("刘芳"),
                "buyer_name": "苏和",
                "buyer_id_number": _id_number("苏和"),
                "property_address": "乌拉特中旗海流图镇草原小区5号楼2单元301室",
                "property_certificate_number": "蒙（2019）乌拉特中旗不动产权第0003126号",
                "property_unit_number": "150824100002GB00031F00050031",
                "property_area": "96.5",
                "deal_price": "42",
                "power_account": "0478100235671",
                "water_account": "HLT-0231786",
                "gas_account": "RQ20190331",
                "heat_account": "GR-5-2-301",
            },
            days_ago=18,
        ),
        Plan(
            "business-startup",
            "巴彦淖尔市金草原羊绒制品有限公司",
            {"seal": "yes", "invoice": "yes", "employees": "yes", "housing_fund": "yes"},
            {
                "company_name": "巴彦淖尔市金草原羊绒制品有限公司",
                "company_type": "有限责任公司",
                "legal_representative_id_number": _id_number("朝鲁"),
                "registered_capital": "200",
                "business_address": "乌拉特中旗海流图镇工业园区纬三路6号",
                "business_scope": "羊绒制品加工、销售；针纺织品销售",
                "employee_count": "18",
                "seal_kinds": "公章、财务专用章、发票专用章",
            },
            days_ago=16,
        ),
        Plan(
            "utility-connection",
            "阿拉坦仓",
            {"user_type": "resident", "services": ["power", "water", "broadband"]},
            {
                "install_address": "乌拉特中旗海流图镇乌兰社区阳光小区12号楼1单元502室",
                "power_capacity": "8",
                "broadband_package": "宽带300M",
            },
            days_ago=13,
        ),
        Plan(
            "open-restaurant",
            "乌拉特中旗草原牧歌餐饮有限公司",
            {"entity": "licensed", "sign": "yes", "employees": "no"},
            {
                "company_name": "乌拉特中旗草原牧歌餐饮有限公司",
                "legal_representative_id_number": _id_number("巴特尔"),
                "business_address": "乌拉特中旗海流图镇乌兰路12号",
                "business_area": "120",
                "food_business_form": "餐饮服务经营者",
                "food_business_items": "热食类食品制售；冷食类食品制售（仅限简单制售）",
                "shop_sign_text": "草原牧歌手把肉（乌兰路店）",
            },
            days_ago=12,
            late=("食品经营许可（新办）",),
        ),
        Plan(
            "business-closure",
            "内蒙古乌拉特中旗宏达建筑工程有限公司",
            {"mode": "general", "social_insurance": "yes", "seal": "yes"},
            {
                "company_name": "内蒙古乌拉特中旗宏达建筑工程有限公司",
                "legal_representative_id_number": _id_number("陈志刚"),
                "deregistration_reason": "经股东会决议解散，已成立清算组完成清算，债权人公告已满45日",
                "seal_kinds": "公章、财务专用章",
            },
            days_ago=9,
            deny={
                "清税申报（注销税务登记）": "经核查，该企业尚有2026年第三季度增值税及附加税费未申报缴纳，"
                "且有已领用未缴销的发票，不符合清税条件。请结清税款、缴销发票后重新申请"
            },
        ),
        Plan(
            "open-supermarket",
            "乌拉特中旗海流图镇惠民超市",
            {"entity": "individual", "food": "bulk", "large": "yes", "sign": "yes", "employees": "yes"},
            {
                "company_name": "乌拉特中旗海流图镇惠民超市",
                "company_type": "个体工商户",
                "legal_representative_id_number": _id_number("刘芳"),
                "business_address": "乌拉特中旗海流图镇新华街36号",
                "business_scope": "日用百货、预包装食品、散装食品销售；熟食制售",
                "business_area": "420",
                "food_business_form": "食品销售经营者",
                "food_business_items": "预包装食品销售（含冷藏冷冻食品）；散装食品销售；热食类食品制售",
                "shop_sign_text": "惠民超市",
                "employee_count": "6",
            },
            days_ago=6,
            until="result_ready",
        ),
        Plan(
            "resale-home",
            "李秀英",
            {"transfer": ["power", "water"]},
            {
                "applicant_phone": "13904785526",
                "seller_name": "赵德胜",
                "seller_id_number": _id_number("赵德胜"),
                "buyer_name": "李秀英",
                "buyer_id_number": _id_number("李秀英"),
                "property_address": "乌拉特中旗海流图镇新华小区8号楼3单元602室",
                "property_certificate_number": "蒙（2021）乌拉特中旗不动产权第0005418号",
                "property_unit_number": "150824100002GB00048F00080062",
                "property_area": "108.2",
                "deal_price": "51",
                "power_account": "0478100452216",
                "water_account": "HLT-0452871",
            },
            days_ago=2,
            hold=("国有建设用地使用权及房屋所有权转移登记（二手房买卖）",),
            until="in_progress",
        ),
        Plan(
            "retirement",
            "孙桂兰",
            {"pension": "employee", "card": "no", "remote": "yes"},
            {
                "work_unit": "乌拉特中旗供销合作社",
                "work_start_date": "1986-07-01",
                "retirement_date": str(add_working_days(timezone.localdate(), 10)),
                "bank_account": "6217000478002345678",
                "applicant_address": "乌拉特中旗海流图镇新华社区21号",
            },
            days_ago=1,
            correction={
                "personnel_archive": "档案中缺少招工录用审批表和历年工资调整审批表，请原工作单位补充后提交"
            },
            until="correction",
        ),
        Plan(
            "disability-services",
            "朝鲁",
            {"certificate": "new", "subsidy": "yes", "dibao": "no"},
            {
                "disability_category": "肢体残疾",
                "bank_account": "6228480478009876543",
                "guardian_name": "萨仁高娃",
                "guardian_phone": "13904787731",
            },
            days_ago=1,
            until="submitted",
            hour=15,
        ),
    ]


@transaction.atomic
def load_demo_bundles(
    *, admin: User, out: Any = None, result_for: Callable[[Case], dict[str, Any]] | None = None
) -> dict[str, int]:
    """The nine bundles, and (once) the history. ``result_for(case)``: the result data an approval of
    ``case`` carries (the demo loader passes the licences app's, so approvals issue their e-licences)."""
    made = load_demo_bundle_definitions(admin=admin)
    history = 0
    if not BundleApplication.objects.exists():
        player = _History(admin=admin, result_for=result_for)
        for plan in demo_plans():
            player.play(plan)
            history += 1
        timing.cases_sweep()
    if out is not None:
        out.write(
            f"一件事：{Bundle.objects.count()} 个（新增 {made} 个），"
            f"一件事申请 {BundleApplication.objects.count()} 份（新增 {history} 份）\n"
        )
    return {"bundles": Bundle.objects.count(), "new_bundles": made, "applications": history}
