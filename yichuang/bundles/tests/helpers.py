"""A small 我要开小餐馆 for the bundle tests: 营业执照 (市场监管局, 即办) before 食品经营许可 (市场监管局,
needs the 营业执照), 公共场所卫生许可 (卫健委, only with a dining area over the threshold) and 店铺招牌备案
(住建局), all asking the applicant's ID card."""

from __future__ import annotations

import datetime as dt
from typing import Any

from yichuang.accounts.models import Applicant
from yichuang.accounts.tests.factories import ApplicantFactory, valid_credit_code
from yichuang.bundles import definitions, services
from yichuang.bundles.models import Bundle, BundleApplication
from yichuang.catalog.models import ServiceItem
from yichuang.catalog.tests.helpers import publish_item

CST = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.datetime(2026, 11, 2, 10, tzinfo=CST)
BUSINESS_LICENCE = "11100000000013338W001"


def material(key: str, name: str, material_type: str, **extra: Any) -> dict[str, Any]:
    return {
        "key": key,
        "name": name,
        "source": extra.pop("source", "10"),
        "necessity": extra.pop("necessity", "1"),
        "originals": 1,
        "copies": 0,
        "material_type": material_type,
        "review_points": ["清晰完整"],
        **extra,
    }


def _item(
    org: Any, department: Any, code: str, name: str, materials: list[dict[str, Any]], **extra: Any
) -> ServiceItem:
    return publish_item(
        actor=org.user("admin"),
        department=department,
        basic_code=code,
        name=name,
        materials=materials,
        special_procedures=[],
        **extra,
    )


def restaurant_items(org: Any) -> dict[str, ServiceItem]:
    form = material("m-form", "申请书", "application_form")
    id_card = material("m-id", "经营者身份证", "id_card")
    return {
        "licence": _item(
            org,
            org.scjg,
            "11A000100001",
            "个体工商户设立登记",
            [form, id_card, material("m-lease", "经营场所使用证明", "lease_contract")],
            case_kind="1",
            promised_days=0,
            result_name="营业执照",
            result_licence_type_code=BUSINESS_LICENCE,
        ),
        "food": _item(
            org,
            org.scjg,
            "11A000100002",
            "食品经营许可（新办）",
            [
                form,
                material(
                    "m-bl", "营业执照", "business_licence", source="20", licence_type_code=BUSINESS_LICENCE
                ),
                id_card,
                material("m-layout", "经营场所平面布局图", "premises_layout"),
            ],
            promised_days=10,
        ),
        "health": _item(
            org,
            org.wjw,
            "11A000100003",
            "公共场所卫生许可（新办）",
            [form, id_card, material("m-layout", "经营场所平面布局图", "premises_layout")],
            promised_days=10,
            result_name="公共场所卫生许可证",
        ),
        "sign": _item(
            org,
            org.zjj,
            "11A000100004",
            "店铺招牌设置备案",
            [material("m-design", "招牌设计图", "design_plan"), id_card],
            case_kind="1",
            promised_days=0,
            result_name="店铺招牌设置备案回执",
        ),
    }


def restaurant_spec(org: Any, items: dict[str, ServiceItem]) -> dict[str, Any]:
    return {
        "code": "restaurant",
        "name": "我要开小餐馆",
        "event_kind": "business",
        "event": "准营",
        "lead_department": org.zsj.pk,
        "promised_days": 10,
        "summary": "开小餐馆要办的证照，一张表、一套材料、一次办好。",
        "questions": [
            {
                "key": "dining_area",
                "text": "是否设有供顾客就餐的场所？",
                "choices": [{"value": "yes", "label": "有"}, {"value": "no", "label": "没有，只外卖"}],
            },
            {
                "key": "sign",
                "text": "是否设置店铺招牌？",
                "choices": [{"value": "yes", "label": "设置"}, {"value": "no", "label": "不设置"}],
            },
        ],
        "members": [
            {
                "item": items["licence"].pk,
                "fields": [
                    "applicant_name",
                    "applicant_id_number",
                    "applicant_phone",
                    "company_name",
                    "business_address",
                    "business_scope",
                ],
            },
            {
                "item": items["food"].pk,
                "fields": [
                    "applicant_name",
                    "applicant_id_number",
                    "company_name",
                    "business_address",
                    "food_business_form",
                    "food_business_items",
                ],
                "requires": [items["licence"].pk],
            },
            {
                "item": items["health"].pk,
                "condition": {"dining_area": ["yes"]},
                "fields": ["applicant_name", "company_name", "business_address"],
            },
            {
                "item": items["sign"].pk,
                "condition": {"sign": ["yes"]},
                "fields": ["applicant_name", "company_name", "shop_sign_text"],
            },
        ],
    }


def restaurant(org: Any) -> tuple[Bundle, dict[str, ServiceItem]]:
    items = restaurant_items(org)
    bundle = definitions.bundle_define(actor=org.user("admin"), spec=restaurant_spec(org, items))
    return definitions.bundle_publish(actor=org.user("admin"), bundle=bundle), items


FORM = {
    "applicant_name": "巴特尔",
    "applicant_id_number": "150824199001011237",
    "applicant_phone": "13800000000",
    "company_name": "乌拉特中旗巴特尔小吃店",
    "business_address": "海流图镇团结路8号",
    "business_scope": "餐饮服务",
    "food_business_form": "餐饮服务经营者",
    "food_business_items": "热食类食品制售",
    "shop_sign_text": "巴特尔小吃",
}
ALL_YES = {"dining_area": "yes", "sign": "yes"}


def citizen(org: Any) -> Applicant:
    """The restaurant's operator as a market entity (the 营业执照's holder is a legal entity)."""
    return ApplicantFactory(
        kind="legal",
        name="乌拉特中旗巴特尔小吃店",
        id_number="",
        credit_code=valid_credit_code("92"),
        legal_representative="巴特尔",
        user=org.user("applicant"),
        phone="13800000000",
    )


def apply(
    org: Any, bundle: Bundle, applicant: Applicant, answers: dict[str, Any] | None = None, **extra: Any
) -> BundleApplication:
    return services.bundle_apply(
        actor=extra.pop("actor", org.user("clerk")),
        bundle=bundle,
        applicant=applicant,
        channel=extra.pop("channel", "window"),
        answers=answers if answers is not None else ALL_YES,
        form=extra.pop("form", FORM),
        **extra,
    ).application
