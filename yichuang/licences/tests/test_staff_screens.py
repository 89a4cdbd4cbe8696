"""电子证照 for the issuing departments: the list in the department's scope with the holder masked, one
licence with its verdict, versions and case, 注销 (chief representative only) and 变更 (a new version);
and the public 免证办清单 with the share e-licences satisfied."""

from __future__ import annotations

import pytest
from django.test import Client

from yichuang.accounts.models import Applicant
from yichuang.accounts.tests.factories import ApplicantFactory
from yichuang.cases import services as case_services
from yichuang.catalog.tests.helpers import publish_item
from yichuang.core.masking import mask_id_number
from yichuang.core.models import AuditEvent
from yichuang.licences import services
from yichuang.licences.models import Licence, LicenceStatus
from yichuang.licences.tests.helpers import (
    BUSINESS_LICENCE,
    issue_business_licence,
    issue_marriage_certificate,
    make_item,
    open_case,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("monday")]


@pytest.fixture
def person() -> Applicant:
    return ApplicantFactory(name="巴特尔")


# ——— the list ———


def test_the_list_is_the_departments_with_a_persons_id_number_masked(
    org, client_for, licence, person
) -> None:
    certificate = issue_marriage_certificate(org, person)
    response = client_for("reviewer").get("/licences/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-licence="{licence.pk}"' in page and f'data-licence="{certificate.pk}"' in page
    assert person.id_number not in page and mask_id_number(person.id_number) in page
    assert "巴**" in page and "巴特尔" not in page
    assert licence.holder_identifier in page  # a company's credit code is public
    assert 'href="/licences/" aria-current="page">电子证照<' in page  # the reviewer's menu
    other = client_for("reviewer_wjw").get("/licences/").content.decode()
    assert 'data-testid="no-licences"' in other and "data-licence=" not in other
    assert "data-licence=" in client_for("admin").get("/licences/").content.decode()


def test_the_list_filters_by_state_and_number(org, client_for, company, licence) -> None:
    revoked = issue_business_licence(org, company)
    services.licence_revoke(actor=org.user("chief_rep"), licence=revoked, reason="企业申请注销")
    reviewer = client_for("reviewer")
    only_revoked = reviewer.get("/licences/", {"status": "revoked"}).content.decode()
    assert (
        f'data-licence="{revoked.pk}"' in only_revoked and f'data-licence="{licence.pk}"' not in only_revoked
    )
    by_number = reviewer.get("/licences/", {"q": licence.number}).content.decode()
    assert f'data-licence="{licence.pk}"' in by_number and f'data-licence="{revoked.pk}"' not in by_number
    by_identifier = reviewer.get("/licences/", {"q": revoked.identifier.lower()}).content.decode()
    assert (
        f'data-licence="{revoked.pk}"' in by_identifier
        and f'data-licence="{licence.pk}"' not in by_identifier
    )


def test_applicants_and_desks_without_licences_are_refused(client_for) -> None:
    assert client_for("applicant").get("/licences/").status_code == 403
    assert client_for("clerk").get("/licences/").status_code == 403
    assert Client().get("/licences/").status_code == 302
    assert ">电子证照<" not in client_for("clerk").get("/cases/window/").content.decode()


def test_the_list_queries_do_not_grow_with_rows(
    org, client_for, company, django_assert_max_num_queries
) -> None:
    for _ in range(6):
        issue_business_licence(org, company)
    reviewer = client_for("reviewer")
    with django_assert_max_num_queries(10):
        assert reviewer.get("/licences/").status_code == 200


# ——— one licence ———


def test_the_detail_shows_data_verdict_case_and_pdf(org, client_for, company) -> None:
    case = open_case(org, make_item(org), company)
    licence = issue_business_licence(org, company, case=case)
    reviewer = client_for("reviewer")
    page = reviewer.get(f"/licences/{licence.pk}/").content.decode()
    assert 'data-testid="verdict" data-status="valid"' in page and "核验结果：有效" in page
    assert "<dt>法定代表人</dt>" in page and "乌云" in page and licence.identifier in page
    assert f'href="/cases/{case.pk}/"' in page and case.number in page
    assert 'data-testid="change-form"' in page and 'value="乌云"' in page  # prefilled
    assert 'data-testid="revoke-form"' not in page  # a reviewer may not revoke
    pdf = reviewer.get(f"/licences/{licence.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("attachment")
    assert client_for("reviewer_wjw").get(f"/licences/{licence.pk}/").status_code == 404
    assert client_for("reviewer_wjw").get(f"/licences/{licence.pk}/pdf/").status_code == 404


def test_the_chief_representative_revokes_and_a_reviewer_may_not(org, client_for, licence) -> None:
    refused = client_for("reviewer").post(f"/licences/{licence.pk}/revoke/", {"revoke-reason": "错误签发"})
    assert refused.status_code == 403 and "只有发证部门负责人可以注销电子证照" in refused.content.decode()
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.VALID

    chief = client_for("chief_rep")
    assert 'data-testid="revoke-form"' in chief.get(f"/licences/{licence.pk}/").content.decode()
    empty = chief.post(f"/licences/{licence.pk}/revoke/", {"revoke-reason": "  "})
    assert empty.status_code == 400
    assert '<p class="error" role="alert" data-field="reason">必填</p>' in empty.content.decode()
    done = chief.post(f"/licences/{licence.pk}/revoke/", {"revoke-reason": "企业申请注销"})
    assert done.status_code == 302 and done["Location"] == f"/licences/{licence.pk}/"
    again = chief.post(f"/licences/{licence.pk}/revoke/", {"revoke-reason": "企业申请注销"}, follow=True)
    assert "该证照已注销。" in again.content.decode()  # a second click changes nothing
    licence.refresh_from_db()
    assert (licence.status, licence.revoke_reason) == (LicenceStatus.REVOKED, "企业申请注销")
    assert AuditEvent.objects.filter(action="licence.revoke").count() == 1
    page = chief.get(f"/licences/{licence.pk}/").content.decode()
    assert 'data-status="revoked"' in page and 'data-testid="revoke-form"' not in page
    assert 'data-testid="change-form"' not in page


def test_a_change_issues_the_next_version_and_supersedes(org, client_for, licence) -> None:
    form = {f"change-{key}": value for key, value in licence.data.items()}
    form["change-f7"] = "餐饮服务、食品销售"
    reviewer = client_for("reviewer")
    response = reviewer.post(f"/licences/{licence.pk}/change/", form)
    changed = Licence.objects.get(previous=licence)
    assert response.status_code == 302 and response["Location"] == f"/licences/{changed.pk}/"
    assert (changed.number, changed.version, changed.data["f7"]) == (licence.number, 2, "餐饮服务、食品销售")
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.SUPERSEDED
    again = reviewer.post(f"/licences/{licence.pk}/change/", form)  # a second click
    assert again["Location"] == f"/licences/{changed.pk}/" and Licence.objects.count() == 2
    page = reviewer.get(f"/licences/{changed.pk}/").content.decode()
    assert f'href="/licences/{licence.pk}/"' in page and 'data-version="2"' in page
    old = reviewer.get(f"/licences/{licence.pk}/").content.decode()
    assert 'data-status="superseded"' in old and f'href="/licences/{changed.pk}/"' in old
    assert 'data-testid="change-form"' not in old


def test_change_errors_are_shown_next_to_the_field(org, client_for, licence) -> None:
    reviewer = client_for("reviewer")
    form = {f"change-{key}": value for key, value in licence.data.items()}
    unchanged = reviewer.post(f"/licences/{licence.pk}/change/", form)
    assert unchanged.status_code == 400 and "照面信息没有改动，无需变更" in unchanged.content.decode()
    missing = reviewer.post(f"/licences/{licence.pk}/change/", {**form, "change-f3": ""})
    assert missing.status_code == 400
    assert '<p class="error" role="alert" data-field="f3">请填写法定代表人</p>' in missing.content.decode()
    fragment = reviewer.post(
        f"/licences/{licence.pk}/change/", {**form, "change-f3": ""}, headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200 and "请填写法定代表人" in fragment.content.decode()
    assert "<html" not in fragment.content.decode()
    assert Licence.objects.count() == 1


# ——— 免证办清单 ———


def test_the_exemption_list_is_public_and_shows_the_share(org, company, licence) -> None:
    item = publish_item(
        actor=org.user("admin"),
        department=org.scjg,
        basic_code="11A000100002",
        materials=[
            {"key": "m-apply", "name": "申请书"},
            {"key": "m-licence", "name": "营业执照", "licence_type_code": BUSINESS_LICENCE},
        ],
    )
    case_services.case_submit(
        actor=org.user("applicant"), item=item, applicant=company, channel="online", use_licences=True
    )
    case_services.case_submit(actor=org.user("clerk"), item=item, applicant=company, channel="window")
    response = Client().get("/licences/exemptions/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-item="{item.pk}"' in page and "营业执照" in page
    assert '<td data-testid="share">25%</td>' in page
