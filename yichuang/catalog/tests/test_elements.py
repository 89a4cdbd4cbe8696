"""Element validation and codes: what a department may publish about an item."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from yichuang.accounts.tests.factories import valid_credit_code
from yichuang.catalog.codes import (
    implementation_code,
    material_code,
    validate_basic_code,
    validate_implementation_code,
)
from yichuang.catalog.elements import elements_clean
from yichuang.catalog.tests.helpers import elements
from yichuang.core.errors import ApplicationError

# Cleaning checks licence type codes against the licence catalogue, which is in the database.
pytestmark = pytest.mark.django_db


def _errors(**overrides) -> dict[str, list[str]]:
    with pytest.raises(ApplicationError) as caught:
        elements_clean(elements(**overrides))
    assert caught.value.code == "invalid_elements"
    return caught.value.fields


def test_valid_elements_are_returned_normalised() -> None:
    cleaned = elements_clean(elements(name="  食品经营许可（新办）  "))
    assert cleaned["name"] == "食品经营许可（新办）"
    assert [m["name"] for m in cleaned["materials"]] == ["食品经营许可申请书", "营业执照"]
    assert cleaned["materials"][0]["review_points"] == ["申请人签字或盖章", "经营项目与经营场所一致"]
    assert cleaned["delivery_methods"] == ["window", "post"]


def test_every_problem_is_reported_at_once_with_its_field() -> None:
    fields = _errors(name="", item_type="no-such-type", legal_days=-1, visits_required=9)
    assert {"name", "item_type", "legal_days", "visits_required"} <= set(fields)
    assert all(isinstance(message, str) and message for messages in fields.values() for message in messages)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"legal_days": 5, "promised_days": 10}, "promised_days", "承诺时限不能超过法定时限"),
        ({"case_kind": "1", "promised_days": 3}, "promised_days", "即办件应当场办结"),
        ({"case_kind": "2", "promised_days": 0}, "promised_days", "至少为1个工作日"),
        ({"stationed": False, "negative_reason": ""}, "negative_reason", "须说明理由"),
        ({"visits_required": 0, "online_depth": 3}, "visits_required", "全程网办"),
        ({"result_type": "10", "result_name": ""}, "result_name", "证照名称"),
    ],
)
def test_rules_across_elements(overrides, field, message) -> None:
    fields = _errors(**overrides)
    assert message in " ".join(fields[field])


def test_json_lists_are_checked_entry_by_entry() -> None:
    fields = _errors(
        special_procedures=[
            {"kind": "hearing", "name": "听证", "days": 0},
            {"kind": "nonsense", "name": "x", "days": 3},
        ],
        fees=[{"name": "登记费", "standard": ""}],
        process_steps=[{"description": "无名称"}],
        delivery_methods=["pigeon"],
    )
    assert "special_procedures.0.days" in fields
    assert "special_procedures.1.kind" in fields
    assert "fees.0.standard" in fields
    assert "process_steps.0.name" in fields
    assert "delivery_methods" in fields


def test_materials_are_checked_and_keys_kept() -> None:
    data = elements()
    data["materials"].append({"name": "营业执照", "source": "77", "necessity": "1"})
    data["materials"].append({"name": "", "originals": 0, "copies": 0, "media": "paper"})
    with pytest.raises(ApplicationError) as caught:
        elements_clean(data)
    fields = caught.value.fields
    assert "materials.2.name" in fields  # duplicate name
    assert "materials.2.source" in fields
    assert "materials.3.name" in fields
    assert "materials.3.originals" in fields
    cleaned = elements_clean(elements())
    assert [m["key"] for m in cleaned["materials"]] == ["m-apply", "m-licence"]


def test_unknown_element_is_refused() -> None:
    assert "colour" in _errors(colour="red")


def test_implementation_code_is_credit_code_level_and_basic_code() -> None:
    credit = valid_credit_code()
    code = implementation_code(credit_code=credit, level="4", basic_code="11A000100001")
    assert code == f"{credit}411A000100001"
    assert len(code) == 31
    validate_implementation_code(code)
    assert material_code(code, 7) == code + "007"
    assert implementation_code(credit_code=None, level="4", basic_code="11A000100001") == ""


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "X" * 31,
        valid_credit_code() + "7" + "11A000100001",  # level 7 does not exist
        valid_credit_code() + "4" + "11a00010000!",
    ],
)
def test_bad_implementation_codes_are_refused(bad) -> None:
    with pytest.raises(ValidationError):
        validate_implementation_code(bad)


@pytest.mark.parametrize("bad", ["", "11A00010000", "11A0001000011", "11a000100001", "11A00010000-"])
def test_basic_code_is_twelve_digits_or_capitals(bad) -> None:
    with pytest.raises(ValidationError):
        validate_basic_code(bad)
