"""The signed-in licence API: the holder's own licences and 用证授权, the departments' issued licences
(masked, paginated), 注销 and 变更, the public 免证办清单 — and the public verification paths unchanged."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from yichuang.accounts.tests.factories import ApplicantFactory
from yichuang.core.masking import mask_id_number
from yichuang.core.models import AuditEvent
from yichuang.licences import authorisations
from yichuang.licences.models import LicenceAuthorisation, LicenceStatus
from yichuang.licences.tests.helpers import (
    MONDAY,
    another_applicant_user,
    issue_business_licence,
    issue_marriage_certificate,
    make_item,
    open_case,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("monday")]

API = "/api/v1/licences"


def post(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, body or {}, content_type="application/json")


# ——— the holder ———


def test_the_holder_lists_and_reads_his_own_licences(org, client_for, company, licence) -> None:
    _, stranger = another_applicant_user()
    issue_business_licence(org, stranger)
    holder = client_for("applicant")
    mine = holder.get(f"{API}/mine")
    assert mine.status_code == 200
    (row,) = mine.json()
    assert (row["id"], row["number"], row["status"], row["status_label"]) == (
        licence.pk,
        licence.number,
        "valid",
        "有效",
    )
    assert (row["holder"], row["holder_identifier"], row["valid_until"]) == (
        company.name,
        company.credit_code,
        None,
    )
    detail = holder.get(f"{API}/mine/{licence.pk}").json()
    assert {"key": "f3", "label": "法定代表人", "value": "乌云"} in detail["data"]
    assert detail["verify_url"].endswith(f"identifier={licence.identifier}")
    assert (detail["previous_id"], detail["next_id"], detail["authorisations"]) == (None, None, [])


def test_another_holders_licence_is_not_found_and_staff_have_no_library(org, client_for, licence) -> None:
    user, _ = another_applicant_user()
    stranger = Client()
    stranger.force_login(user)
    response = stranger.get(f"{API}/mine/{licence.pk}")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert stranger.get(f"{API}/mine").json() == []
    staff = client_for("reviewer").get(f"{API}/mine")
    assert staff.status_code == 403 and staff.json()["error"]["code"] == "permission_denied"
    anonymous = Client().get(f"{API}/mine")
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "not_authenticated"


def test_authorise_a_case_repeat_and_withdraw(org, client_for, company, licence) -> None:
    case = open_case(org, make_item(org), company)
    holder = client_for("applicant")
    url = f"{API}/mine/{licence.pk}/authorisations"
    created = post(holder, url, {"case_id": case.pk})
    assert created.status_code == 201
    body = created.json()
    assert (body["case_id"], body["case_number"], body["channel"], body["state"]) == (
        case.pk,
        case.number,
        "online",
        "active",
    )
    assert dt.datetime.fromisoformat(body["valid_until"]) == MONDAY + dt.timedelta(days=30)
    repeat = post(holder, url, {"case_id": case.pk, "days": 5})
    assert repeat.status_code == 200 and repeat.json()["reference"] == body["reference"]
    assert LicenceAuthorisation.objects.count() == 1
    assert AuditEvent.objects.filter(action="licence.authorise").count() == 1

    authorisations.licence_use(actor=org.user("reviewer"), reference=body["reference"], purpose="审查")
    (listed,) = holder.get(f"{API}/mine/{licence.pk}").json()["authorisations"]
    assert listed["uses"][0]["department"] == "市场监管局" and listed["uses"][0]["purpose"] == "审查"

    user, _ = another_applicant_user()
    stranger = Client()
    stranger.force_login(user)
    refused = post(stranger, f"{API}/authorisations/{body['reference']}/withdraw")
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "not_found"
    withdrawn = post(holder, f"{API}/authorisations/{body['reference']}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"
    assert post(holder, f"{API}/authorisations/NOPE/withdraw").status_code == 404


def test_authorise_errors_have_codes_and_fields(org, client_for, company, licence) -> None:
    item = make_item(org)
    case = open_case(org, item, company)
    _, stranger = another_applicant_user()
    their_case = open_case(org, item, stranger)
    holder = client_for("applicant")
    url = f"{API}/mine/{licence.pk}/authorisations"
    too_long = post(holder, url, {"case_id": case.pk, "days": 400}).json()["error"]
    assert too_long["code"] == "invalid" and too_long["fields"] == {"days": ["1 至 366 天"]}
    not_theirs = post(holder, url, {"case_id": their_case.pk})
    assert not_theirs.status_code == 404 and not_theirs.json()["error"]["message"] == "未找到该办件"
    missing = post(holder, url, {})
    assert missing.status_code == 422 and missing.json()["error"]["fields"] == {"case_id": ["必填"]}
    assert not LicenceAuthorisation.objects.exists()


# ——— the issuing departments ———


def test_issued_is_the_departments_masked_and_paginated(org, client_for, company, licence) -> None:
    person = ApplicantFactory(name="巴特尔")
    certificate = issue_marriage_certificate(org, person)
    reviewer = client_for("reviewer")
    page = reviewer.get(f"{API}/issued", {"limit": 1}).json()
    assert (page["total"], page["limit"], page["offset"], len(page["licences"])) == (2, 1, 0, 1)
    assert page["licences"][0]["id"] == certificate.pk  # newest first
    assert page["licences"][0]["holder"] == "巴**"
    assert page["licences"][0]["holder_identifier"] == mask_id_number(person.id_number)
    second = reviewer.get(f"{API}/issued", {"limit": 1, "offset": 1}).json()["licences"]
    assert second[0]["id"] == licence.pk and second[0]["holder_identifier"] == company.credit_code
    assert reviewer.get(f"{API}/issued", {"q": licence.number[-3:], "status": "valid"}).json()["total"] >= 1
    bad = reviewer.get(f"{API}/issued", {"status": "lost"})
    assert bad.status_code == 400 and bad.json()["error"]["fields"] == {"status": ["无效"]}
    assert client_for("reviewer_wjw").get(f"{API}/issued").json()["total"] == 0
    refused = client_for("applicant").get(f"{API}/issued")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied"
    assert client_for("reviewer_wjw").get(f"{API}/issued/{licence.pk}").status_code == 404


def test_revoke_is_the_chief_representatives(org, client_for, licence) -> None:
    url = f"{API}/{licence.pk}/revoke"
    refused = post(client_for("reviewer"), url, {"reason": "错误签发"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied"
    chief = client_for("chief_rep")
    empty = post(chief, url, {"reason": ""})
    assert empty.status_code == 400 and empty.json()["error"]["fields"] == {"reason": ["必填"]}
    done = post(chief, url, {"reason": "企业申请注销"})
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["revoke_reason"]) == ("revoked", "企业申请注销")
    again = post(chief, url, {"reason": "企业申请注销"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "licence_not_valid"
    assert post(client_for("reviewer_wjw"), url, {"reason": "x"}).status_code == 404


def test_change_issues_version_two(org, client_for, licence) -> None:
    reviewer = client_for("reviewer")
    url = f"{API}/{licence.pk}/change"
    response = post(reviewer, url, {"data": {**licence.data, "f7": "餐饮服务、食品销售"}})
    assert response.status_code == 201
    body = response.json()
    assert (body["number"], body["version"], body["previous_id"], body["status"]) == (
        licence.number,
        2,
        licence.pk,
        "valid",
    )
    assert {"key": "f7", "label": "经营范围", "value": "餐饮服务、食品销售"} in body["data"]
    old = reviewer.get(f"{API}/issued/{licence.pk}").json()
    assert (old["status"], old["next_id"]) == ("superseded", body["id"])
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.SUPERSEDED
    again = post(reviewer, url, {"data": licence.data})
    assert again.status_code == 409 and again.json()["error"]["code"] == "licence_not_valid"
    incomplete = post(reviewer, f"{API}/{body['id']}/change", {"data": {"f1": "只有名称"}})
    assert incomplete.status_code == 400 and incomplete.json()["error"]["code"] == "licence_data_incomplete"
    assert post(client_for("applicant"), url, {"data": {}}).status_code == 403


# ——— public, and the public paths unchanged ———


def test_exemptions_are_public_and_verify_and_seals_still_answer(org, licence) -> None:
    make_item(org)
    anonymous = Client()
    lines = anonymous.get(f"{API}/exemptions")
    assert lines.status_code == 200
    (line,) = lines.json()
    assert line["replaceable"] == [{"material": "营业执照", "licence_type": "营业执照"}]
    assert (line["cases"], line["share"]) == (0, 0.0)
    verified = anonymous.get(f"{API}/verify", {"identifier": licence.identifier})
    assert verified.status_code == 200 and verified.json()["status"] == "valid"
    assert anonymous.get(f"{API}/seals").status_code == 200
