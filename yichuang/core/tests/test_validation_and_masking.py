from __future__ import annotations

import logging

import pytest
from django.core.exceptions import ValidationError

from yichuang.core.masking import PersonalDataLogFilter, mask_id_number, mask_phone, mask_text
from yichuang.core.validators import validate_credit_code, validate_division_code, validate_id_number


@pytest.mark.parametrize(
    "number", ["150824199003071233", "110101199003071233", "11010519491231002X", "11010519491231002x"]
)
def test_valid_id_numbers(number: str) -> None:
    validate_id_number(number)


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("150824199003071234", "校验位不正确"),
        ("15082419900307123", "应为18位"),
        ("15082419900307123A", "格式不正确"),
        ("150824199013071237", "出生日期无效"),
        ("990101199003071237", "地区码不存在"),
    ],
)
def test_invalid_id_numbers_get_a_chinese_reason(number: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_id_number(number)
    assert message in caught.value.messages[0]


def test_credit_codes() -> None:
    validate_credit_code("91150824MA0N12345P")
    validate_credit_code("11150824012345671Y")
    with pytest.raises(ValidationError, match="校验位不正确"):
        validate_credit_code("91150824MA0N12345Q")
    with pytest.raises(ValidationError, match="应为18位"):
        validate_credit_code("91150824MA0N1234")
    with pytest.raises(ValidationError, match="格式不正确"):
        validate_credit_code("91150824MA0N1234IP")


def test_division_codes() -> None:
    for code in ("150824", "150824100", "150824100001"):
        validate_division_code(code)
    for code in ("15082", "1508241", "990824", "abcdef"):
        with pytest.raises(ValidationError):
            validate_division_code(code)


def test_masking() -> None:
    assert mask_id_number("150824199003071233") == "1508**********1233"
    assert mask_phone("13904780001") == "139****0001"
    assert mask_phone("0478-6200001") == "********0001"
    assert mask_text("申请人 150824199003071233 电话13904780001 来电") == (
        "申请人 1508**********1233 电话139****0001 来电"
    )


def test_log_filter_masks_personal_data(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("yichuang.test")
    logger.addFilter(PersonalDataLogFilter())
    with caplog.at_level(logging.INFO, logger="yichuang.test"):
        logger.info("registered %s with phone %s", "150824199003071233", "13904780001")
    assert "150824199003071233" not in caplog.text
    assert "1508**********1233" in caplog.text and "139****0001" in caplog.text
