"""办理进度查询: case number + ID number, one answer for every mismatch, rate limited, nothing personal."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from yichuang.accounts.models import ApplicantKind
from yichuang.accounts.tests.factories import ApplicantFactory, valid_credit_code
from yichuang.cases import services
from yichuang.cases.models import CaseMaterialState
from yichuang.cases.notices import case_track_url
from yichuang.catalog.tests.helpers import publish_item

pytestmark = pytest.mark.django_db

TRACK = "/track/"
NOT_FOUND = "未找到与办件编号和证件号码相符的办件"


@pytest.fixture
def item(org):
    return publish_item(actor=org.user("admin"), department=org.scjg, basic_code="11A000100001")


@pytest.fixture
def applicant(org):
    return ApplicantFactory(name="乌云其其格", phone="13912345678")


@pytest.fixture
def case(org, item, applicant):
    case = services.case_submit(actor=org.user("clerk"), item=item, applicant=applicant, channel="window")
    findings = {row.pk: (CaseMaterialState.ORIGINAL_CHECKED, "") for row in case.materials.all()}
    services.case_check_materials(actor=org.user("clerk"), case=case, findings=findings)
    return services.case_accept(actor=org.user("clerk"), case=case)


def lookup(client, number, identifier, **extra):
    return client.post(TRACK, {"number": number, "id_number": identifier}, **extra)


def test_the_qr_code_on_notices_opens_the_lookup_with_the_number_filled_in(client, case) -> None:
    url = case_track_url(case)
    assert url.endswith(f"{TRACK}?number={case.number}")
    response = client.get(url[url.index(TRACK) :])
    assert response.status_code == 200
    assert response.context["form"]["number"].value() == case.number
    assert f'value="{case.number}"' in response.content.decode()


def test_a_matching_number_and_id_number_show_the_progress(client, org, case, applicant) -> None:
    response = lookup(client, case.number, applicant.id_number.lower())
    assert response.status_code == 200
    page = response.content.decode()
    result = response.context["result"]
    assert result["case"] == case
    assert [step["label"] for step in result["steps"]] == ["提交申请", "受理"]
    assert "已受理" in page and "食品经营许可（新办）" in page and "市场监管局" in page
    assert "乌**" in page and "乌云其其格" not in page
    assert applicant.id_number not in page and applicant.phone not in page
    assert org.user("clerk").full_name not in page
    assert case.due_date.strftime("%Y-%m-%d") in page


def test_a_legal_person_looks_up_by_credit_code(client, org, item) -> None:
    company = ApplicantFactory(
        kind=ApplicantKind.LEGAL,
        name="乌拉特中旗草原餐饮有限公司",
        id_number="",
        credit_code=valid_credit_code("91"),
    )
    case = services.case_submit(actor=org.user("clerk"), item=item, applicant=company, channel="window")
    response = lookup(client, f" {case.number} ", company.credit_code)
    assert response.context["result"]["case"] == case
    assert response.context["result"]["masked_name"] == "乌" + "*" * (len(company.name) - 1)


def test_a_wrong_number_and_a_wrong_id_number_get_the_same_answer(client, case, applicant) -> None:
    other = ApplicantFactory()
    wrong_id = lookup(client, case.number, other.id_number)
    wrong_number = lookup(client, case.number[:-1] + "9", applicant.id_number)
    nonsense = lookup(client, "abc", "123")
    for response in (wrong_id, wrong_number, nonsense):
        assert response.status_code == 200
        assert response.context["not_found"] == NOT_FOUND
        assert "result" not in response.context
        assert "已受理" not in response.content.decode()


def test_both_fields_are_asked_for_in_chinese(client) -> None:
    response = client.post(TRACK, {"number": "", "id_number": ""})
    assert response.context["form"].errors == {
        "number": ["请填写办件编号"],
        "id_number": ["请填写申请人的身份证号码或统一社会信用代码"],
    }


def test_lookups_are_rate_limited_per_address(settings, case, applicant) -> None:
    settings.YICHUANG_TRACK_LOOKUPS_PER_MINUTE = 3
    guesser = Client(REMOTE_ADDR="10.0.0.7")
    for attempt in range(3):
        assert lookup(guesser, case.number[:-1] + str(attempt), applicant.id_number).status_code == 200
    refused = lookup(guesser, case.number, applicant.id_number)
    assert refused.status_code == 429
    assert "查询过于频繁，请稍后再试" in refused.content.decode()
    assert "result" not in refused.context
    # Another address is not affected.
    neighbour = Client(REMOTE_ADDR="10.0.0.8")
    assert lookup(neighbour, case.number, applicant.id_number).context["result"]["case"] == case


def test_the_default_limit_is_twenty_a_minute(client, case, applicant) -> None:
    for _ in range(20):
        assert lookup(client, case.number, "x").status_code == 200
    assert lookup(client, case.number, applicant.id_number).status_code == 429


def test_the_public_navigation_links_to_the_lookup(client) -> None:
    page = client.get(reverse("catalog:guide_index")).content.decode()
    assert f'href="{reverse("cases:track")}"' in page and "办理进度查询" in page
