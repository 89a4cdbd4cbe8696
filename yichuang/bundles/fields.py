"""The one form's fields (一表制), by meaning.

Every member item of a bundle names the fields it needs by key; the form of an application asks each key
once, however many items need it, with the label and check the key stands for here. ``licence_labels``
are the data items of e-licences the field fills (a reviewer's decision form starts with them), and
``prefill`` the applicant's attribute a field starts with.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from yichuang.core.validators import (
    normalize_credit_code,
    normalize_id_number,
    validate_credit_code,
    validate_id_number,
)

_PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")


@dataclass(frozen=True)
class FormField:
    key: str
    label: str
    group: str
    kind: str = "text"  # text · textarea · date · choice · id_number · credit_code · phone · number
    required: bool = True
    choices: tuple[str, ...] = ()
    prefill: str = ""  # an Applicant attribute
    licence_labels: tuple[str, ...] = ()
    help_text: str = ""


def _f(key: str, label: str, group: str, kind: str = "text", **extra: Any) -> FormField:
    return FormField(key, label, group, kind, **extra)


APPLICANT, COMPANY, NEWBORN, PROPERTY, UTILITY, PERSON = (
    "申请人",
    "企业（经营者）",
    "新生儿",
    "房屋与交易",
    "报装与过户",
    "个人情况",
)

FIELDS: tuple[FormField, ...] = (
    _f("applicant_name", "申请人姓名", APPLICANT, prefill="name"),
    _f("applicant_id_number", "申请人公民身份号码", APPLICANT, "id_number", prefill="id_number"),
    _f("applicant_phone", "联系电话", APPLICANT, "phone", prefill="phone"),
    _f("applicant_address", "联系地址", APPLICANT, prefill="address"),
    # 企业开办、准营、注销
    _f(
        "company_name",
        "企业（个体工商户）名称",
        COMPANY,
        licence_labels=("名称", "经营者名称", "单位名称", "企业名称", "使用单位"),
        help_text="已自主申报通过的名称",
    ),
    _f(
        "company_type",
        "市场主体类型",
        COMPANY,
        "choice",
        choices=("有限责任公司", "个人独资企业", "合伙企业", "个体工商户", "农民专业合作社"),
        licence_labels=("类型",),
    ),
    _f("credit_code", "统一社会信用代码", COMPANY, "credit_code", prefill="credit_code"),
    _f(
        "legal_representative",
        "法定代表人（负责人、经营者）",
        COMPANY,
        prefill="legal_representative",
        licence_labels=("法定代表人", "法定代表人（负责人）"),
    ),
    _f(
        "registered_capital",
        "注册资本（万元）",
        COMPANY,
        "number",
        required=False,
        licence_labels=("注册资本",),
    ),
    _f(
        "business_address",
        "住所（经营场所）",
        COMPANY,
        licence_labels=("住所", "经营场所", "地址", "使用地点"),
    ),
    _f("business_scope", "经营范围", COMPANY, "textarea", licence_labels=("经营范围",)),
    _f("employee_count", "从业人数", COMPANY, "number"),
    _f(
        "food_business_form",
        "食品经营主体业态",
        COMPANY,
        "choice",
        choices=("餐饮服务经营者", "食品销售经营者", "单位食堂"),
        licence_labels=("主体业态",),
    ),
    _f("food_business_items", "食品经营项目", COMPANY, "textarea", licence_labels=("经营项目",)),
    _f("shop_sign_text", "店铺招牌内容", COMPANY),
    _f("seal_kinds", "刻制印章种类", COMPANY, help_text="如：公章、财务专用章、发票专用章"),
    _f("deregistration_reason", "注销原因", COMPANY, "textarea"),
    # 新生儿出生
    _f("newborn_name", "新生儿姓名", NEWBORN, licence_labels=("新生儿姓名",)),
    _f("newborn_gender", "新生儿性别", NEWBORN, "choice", choices=("男", "女"), licence_labels=("性别",)),
    _f("newborn_birth_date", "出生日期", NEWBORN, "date", licence_labels=("出生时间",)),
    _f("newborn_birth_place", "出生地点", NEWBORN, licence_labels=("出生地点",)),
    _f("birth_institution", "接生机构", NEWBORN, licence_labels=("接生机构",)),
    _f("mother_name", "母亲姓名", NEWBORN, licence_labels=("母亲姓名",)),
    _f("mother_id_number", "母亲公民身份号码", NEWBORN, "id_number"),
    _f("father_name", "父亲姓名", NEWBORN, required=False, licence_labels=("父亲姓名",)),
    _f("father_id_number", "父亲公民身份号码", NEWBORN, "id_number", required=False),
    _f("household_address", "落户地址（户籍所在地）", NEWBORN),
    # 二手房交易、联合报装
    _f("property_address", "房屋坐落", PROPERTY, licence_labels=("坐落",)),
    _f("property_certificate_number", "不动产权证书号", PROPERTY),
    _f("property_unit_number", "不动产单元号", PROPERTY, licence_labels=("不动产单元号",)),
    _f("property_area", "建筑面积（平方米）", PROPERTY, "number", licence_labels=("面积",)),
    _f("seller_name", "出卖人姓名", PROPERTY),
    _f("seller_id_number", "出卖人公民身份号码", PROPERTY, "id_number"),
    _f("buyer_name", "买受人姓名", PROPERTY, licence_labels=("权利人",)),
    _f("buyer_id_number", "买受人公民身份号码", PROPERTY, "id_number"),
    _f("deal_price", "成交价格（万元）", PROPERTY, "number"),
    _f("install_address", "报装地址", UTILITY),
    _f("power_account", "用电户号", UTILITY),
    _f("water_account", "用水户号", UTILITY),
    _f("gas_account", "燃气户号", UTILITY),
    _f("heat_account", "供热户号", UTILITY),
    _f("broadband_package", "宽带、有线电视需求", UTILITY, required=False),
    # 退休、残疾人服务
    _f("work_unit", "工作单位", PERSON),
    _f("retirement_date", "退休日期", PERSON, "date"),
    _f("bank_account", "待遇发放银行账号", PERSON),
    _f(
        "disability_category",
        "残疾类别",
        PERSON,
        "choice",
        choices=("视力残疾", "听力残疾", "言语残疾", "肢体残疾", "智力残疾", "精神残疾", "多重残疾"),
    ),
    _f("guardian_name", "监护人（代理人）姓名", PERSON, required=False),
    _f("guardian_phone", "监护人（代理人）联系电话", PERSON, "phone", required=False),
    _f(
        "legal_representative_id_number",
        "法定代表人（负责人、经营者）公民身份号码",
        COMPANY,
        "id_number",
    ),
    _f("business_area", "经营场所面积（平方米）", COMPANY, "number"),
    _f("power_capacity", "申请用电容量（千瓦）", UTILITY, "number"),
    _f("work_start_date", "参加工作时间", PERSON, "date"),
)
BY_KEY: dict[str, FormField] = {field.key: field for field in FIELDS}
GROUP_ORDER: tuple[str, ...] = (APPLICANT, COMPANY, NEWBORN, PROPERTY, UTILITY, PERSON)


def unknown_keys(keys: list[str]) -> list[str]:
    return [key for key in keys if key not in BY_KEY]


def clean_value(field: FormField, raw: Any) -> str:
    """The value as stored (a string), or ValidationError with the message the form shows."""
    value = str(raw if raw is not None else "").strip()
    if not value:
        if field.required:
            raise ValidationError("必填")
        return ""
    if field.kind == "id_number":
        value = normalize_id_number(value)
        validate_id_number(value)
    elif field.kind == "credit_code":
        value = normalize_credit_code(value)
        validate_credit_code(value)
    elif field.kind == "phone":
        if not _PHONE.match(value):
            raise ValidationError("请输入11位手机号码或带区号的固定电话")
    elif field.kind == "date":
        try:
            value = dt.date.fromisoformat(value).isoformat()
        except ValueError:
            raise ValidationError("请输入日期，如 2026-11-21") from None
    elif field.kind == "number":
        try:
            number = float(value)
        except ValueError:
            raise ValidationError("请输入数字") from None
        if number < 0:
            raise ValidationError("不能为负数")
    elif field.kind == "choice" and value not in field.choices:
        raise ValidationError(f"请从以下选项中选择：{'、'.join(field.choices)}")
    if len(value) > 500:
        raise ValidationError("内容过长（最多500字）")
    return value
