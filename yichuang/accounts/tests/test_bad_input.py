"""Bad codes and ID numbers: a clear Chinese message on screen, a structured error in the API,
and nothing written."""

from __future__ import annotations

import pytest

from yichuang.accounts.models import Applicant, Department
from yichuang.accounts.tests.factories import department_payload
from yichuang.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_api_refuses_a_bad_id_number_with_a_structured_error(client_for) -> None:
    body = {"kind": "natural", "name": "苏和", "id_number": "150824199003071234", "phone": "13904780001"}
    clerk = client_for("clerk")
    before = AuditEvent.objects.count()
    response = clerk.post("/api/v1/applicants", body, content_type="application/json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"]["id_number"] == ["身份证号码校验位不正确，请核对后重新输入"]
    assert error["message"] == "身份证号码校验位不正确，请核对后重新输入"
    assert not Applicant.objects.exists() and AuditEvent.objects.count() == before


def test_api_refuses_a_bad_credit_code(org, client_for) -> None:
    body = department_payload(org.gov, name="林草局", credit_code="11150824012345671X")
    count = Department.objects.count()
    response = client_for("admin").post("/api/v1/departments", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["credit_code"] == [
        "统一社会信用代码校验位不正确，请核对后重新输入"
    ]
    assert Department.objects.count() == count
    bad_division = client_for("admin").post(
        "/api/v1/departments", {**body, "credit_code": "11150824012345671Y", "division_code": "1508"},
        content_type="application/json",
    )  # fmt: skip
    assert bad_division.status_code == 400
    assert "行政区划代码" in bad_division.json()["error"]["fields"]["division_code"][0]


def test_api_reports_malformed_json_fields(client_for) -> None:
    response = client_for("clerk").post(
        "/api/v1/applicants", {"kind": "natural"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"]["name"] == ["必填"]


def test_double_submit_creates_one_applicant(client_for) -> None:
    body = {"kind": "legal", "name": "草原牧歌餐饮", "credit_code": "91150824ma0n12345p"}
    first = client_for("clerk").post("/api/v1/applicants", body, content_type="application/json")
    second = client_for("clerk").post("/api/v1/applicants", body, content_type="application/json")
    assert first.status_code == 201
    assert second.status_code == 409 and second.json()["error"]["code"] == "duplicate"
    assert Applicant.objects.get().credit_code == "91150824MA0N12345P"


def test_screen_shows_the_reason_and_keeps_the_input(client_for) -> None:
    form = {"kind": "natural", "name": "苏和", "id_number": "15082419900307123", "phone": "13904780001"}
    response = client_for("clerk").post("/applicants/new/", form)
    html = response.content.decode()
    assert response.status_code == 400
    assert "身份证号码应为18位" in html
    assert 'value="苏和"' in html  # nothing the clerk typed is lost
    assert not Applicant.objects.exists()
    legal = client_for("clerk").post(
        "/applicants/new/", {"kind": "legal", "name": "某公司", "credit_code": ""}
    )
    assert "法人须填写统一社会信用代码" in legal.content.decode()


def test_screen_creates_an_applicant(client_for) -> None:
    form = {"kind": "natural", "name": "苏和", "id_number": "150824199003071233", "phone": "13904780001"}
    response = client_for("clerk").post("/applicants/new/", form, follow=True)
    assert response.status_code == 200
    assert "已登记申请人：苏和" in response.content.decode()
    assert Applicant.objects.get().id_number == "150824199003071233"
    again = client_for("clerk").post("/applicants/new/", form)
    assert again.status_code == 400 and "该申请人已登记" in again.content.decode()


def test_department_screen_refuses_bad_codes(org, client_for) -> None:
    form = department_payload(org.gov, parent_key="parent", name="林草局", credit_code="123")
    response = client_for("admin").post("/departments/new/", form)
    assert response.status_code == 400
    assert "统一社会信用代码应为18位" in response.content.decode()
