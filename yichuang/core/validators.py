"""Validation of national identifiers with python-stdnum, with messages in Chinese.

- 公民身份号码 (GB 11643): 18 characters, birth date, ISO 7064 MOD 11-2 check character.
- 统一社会信用代码 (GB 32100): 18 characters, registration authority and type, check character.
- 行政区划代码 (GB/T 2260): 6 digits (county level) or 9/12 digits (township/village).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from stdnum import exceptions as stdnum_errors
from stdnum import numdb
from stdnum.cn import ric, uscc

_DIVISION = re.compile(r"^\d{6}(\d{3}(\d{3})?)?$")
# GB/T 2260 province-level codes (the first two digits of every division code).
_PROVINCES = frozenset(
    {
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    }
)


def normalize_id_number(value: str) -> str:
    return ric.compact(value or "").upper()


def normalize_credit_code(value: str) -> str:
    return uscc.compact(value or "").upper()


def validate_id_number(value: str) -> None:
    number = normalize_id_number(value)
    if len(number) != 18:
        # stdnum also accepts the old 15-digit form; GB 11643-1999 numbers are 18 characters.
        raise ValidationError("身份证号码应为18位", code="id_number_length")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError("身份证号码格式不正确（前17位为数字，末位为数字或X）", code="id_number_format")
    if number[-1] != ric.calc_check_digit(number):
        raise ValidationError("身份证号码校验位不正确，请核对后重新输入", code="id_number_checksum")
    try:
        ric.get_birth_date(number)
    except stdnum_errors.ValidationError:
        raise ValidationError("身份证号码中的出生日期无效", code="id_number_birth_date") from None
    if not _division_ever_existed(number[:6]):
        raise ValidationError("身份证号码中的地区码不存在", code="id_number_division")


def _division_ever_existed(code: str) -> bool:
    """Whether the 6-digit code was ever a GB/T 2260 county-level division.

    stdnum additionally requires the code to have existed in the birth year; we do not, because a
    number keeps the code of the office that first issued it, which may postdate the birth (乌拉特中旗
    became 150824 in 2003, yet people born earlier registered there hold such numbers).
    """
    results = numdb.get("cn/loc").info(code)
    info = {key: val for _part, props in results for key, val in props.items()}
    return bool(info.get("county"))


def validate_credit_code(value: str) -> None:
    code = normalize_credit_code(value)
    try:
        uscc.validate(code)
    except stdnum_errors.InvalidLength:
        raise ValidationError("统一社会信用代码应为18位", code="credit_code_length") from None
    except stdnum_errors.InvalidChecksum:
        raise ValidationError(
            "统一社会信用代码校验位不正确，请核对后重新输入", code="credit_code_checksum"
        ) from None
    except stdnum_errors.ValidationError:
        raise ValidationError(
            "统一社会信用代码格式不正确（应为18位数字或大写字母，不含I、O、Z、S、V）",
            code="credit_code_format",
        ) from None


def validate_division_code(value: str) -> None:
    if not _DIVISION.match(value or ""):
        raise ValidationError(
            "行政区划代码应为6位（旗县级）、9位（苏木乡镇）或12位（嘎查村）数字",
            code="division_code_format",
        )
    if value[:2] not in _PROVINCES:
        raise ValidationError("行政区划代码的省级部分无效", code="division_code_province")
