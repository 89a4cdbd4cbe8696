"""The codes of the national catalog practice (DESIGN §4), built and checked in one place.

- 基本编码: 12 characters, digits and capital letters, given to an item by the catalog.
- 实施编码: the implementing department's 18-character 统一社会信用代码 + a 1-digit level
  (1 国家 · 2 省/自治区 · 3 市/盟 · 4 县/旗 · 5 乡/苏木 · 6 村/嘎查) + the 12-character 基本编码.
- 材料编码: 实施编码 + a 3-digit position.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from stdnum.cn import uscc

BASIC_CODE_LENGTH = 12
IMPLEMENTATION_CODE_LENGTH = 18 + 1 + BASIC_CODE_LENGTH
_BASIC_CODE = re.compile(r"^[0-9A-Z]{12}$")
_LEVEL = re.compile(r"^[1-6]$")


def normalize_basic_code(value: str) -> str:
    return (value or "").strip().upper()


def validate_basic_code(value: str) -> None:
    if not _BASIC_CODE.match(value or ""):
        raise ValidationError("基本编码应为12位数字或大写字母", code="basic_code_format")


def implementation_code(*, credit_code: str | None, level: str, basic_code: str) -> str:
    """The 实施编码, or "" while the department has no credit code or the item no basic code."""
    if not credit_code or not basic_code:
        return ""
    return f"{credit_code}{level}{basic_code}"


def validate_implementation_code(value: str) -> None:
    if len(value or "") != IMPLEMENTATION_CODE_LENGTH:
        raise ValidationError("实施编码应为31位：18位统一社会信用代码＋1位层级＋12位基本编码", code="length")
    credit, level, basic = value[:18], value[18], value[19:]
    if not uscc.is_valid(credit):
        raise ValidationError("实施编码的前18位不是有效的统一社会信用代码", code="credit_code")
    if not _LEVEL.match(level):
        raise ValidationError("实施编码第19位（行使层级）应为1至6", code="level")
    validate_basic_code(basic)


def material_code(implementation: str, position: int) -> str:
    return f"{implementation}{position:03d}" if implementation else ""
