"""免证办 and issuing on the screens: the portal's consent, the window's fetch button, the reviewer reading a
licence under the holder's authorisation (until it lapses), and the decision form's licence fields."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from yichuang.cases import services as case_services
from yichuang.cases.models import Case, CaseMaterialState, CaseStatus
from yichuang.cases.tests.test_views_portal import PDF, material_field
from yichuang.licences.models import LicenceUse
from yichuang.licences.tests.conftest import FOOD_DATA, in_review, rows
from yichuang.licences.tests.helpers import MONDAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("monday")]
HTMX = {"HTTP_HX_REQUEST": "true"}


def _page(response) -> str:
    return response.content.decode()


def test_the_portal_applies_with_consent_and_no_licence_upload(
    org, client_for, company, business_licence, item
) -> None:
    portal = client_for("applicant")
    form = _page(portal.get(f"/my/cases/apply/{item.pk}/"))
    assert 'data-testid="use-licences"' in form and "免证办" in form
    apply_file = material_field(item, "m-apply")
    response = portal.post(
        f"/my/cases/apply/{item.pk}/",
        {
            "idempotency_key": "k1",
            "version": item.current_version_id,
            "use_licences": "on",
            apply_file: SimpleUploadedFile("申请书.pdf", PDF, "application/pdf"),
        },
    )
    assert response.status_code == 302, _page(response)
    case = Case.objects.get()
    row = rows(case)["m-licence"]
    assert row.state == CaseMaterialState.EXEMPT and row.licence_identifier == business_licence.identifier


def test_the_window_fetches_and_the_reviewer_reads_under_the_authorisation(
    org, client_for, company, business_licence, item
) -> None:
    case = case_services.case_submit(actor=org.user("clerk"), item=item, applicant=company, channel="window")
    clerk = client_for("clerk")
    page = _page(clerk.get(f"/cases/{case.pk}/"))
    assert "调取电子证照（免证办）" in page and "可用电子证照替代" in page
    response = clerk.post(f"/cases/{case.pk}/licences/fetch/", follow=True)
    assert "已调取 1 项电子证照，相应材料免提交" in _page(response)
    row = rows(case)["m-licence"]
    assert row.state == CaseMaterialState.EXEMPT
    page = _page(clerk.get(f"/cases/{case.pk}/"))
    assert business_licence.identifier in page and row.licence_authorisation in page
    assert "调取电子证照（免证办）" not in page  # nothing left to fetch
    url = f"/cases/{case.pk}/licences/{row.licence_authorisation}/"
    shown = clerk.get(url)
    assert shown.status_code == 200 and "草原牧歌餐饮有限公司" in _page(shown) and "有效" in _page(shown)
    assert LicenceUse.objects.filter(authorisation__reference=row.licence_authorisation).count() == 2
    assert client_for("reviewer_wjw").get(url).status_code == 404  # not their department's case
    with time_machine.travel(MONDAY + dt.timedelta(days=31), tick=False):
        lapsed = client_for("clerk").get(url)  # a fresh sign-in: the old session has timed out
    assert lapsed.status_code == 409 and "用证授权已过期" in _page(lapsed)
    assert "草原牧歌餐饮有限公司" not in _page(lapsed)
    assert LicenceUse.objects.count() == 2


def test_nothing_to_fetch_says_so(org, client_for, company, item) -> None:
    case = case_services.case_submit(actor=org.user("clerk"), item=item, applicant=company, channel="window")
    response = client_for("clerk").post(f"/cases/{case.pk}/licences/fetch/", follow=True)
    assert "未查到申请人持有的有效电子证照" in _page(response)
    assert client_for("applicant").post(f"/cases/{case.pk}/licences/fetch/").status_code in (403, 404)


def test_the_decision_form_asks_for_the_licence_and_issues_it(org, client_for, company, item) -> None:
    from yichuang.licences import services

    services.seal_create(actor=org.user("admin"), department=org.scjg)
    case = in_review(org, item, company)
    reviewer = client_for("reviewer")
    page = _page(reviewer.get(f"/cases/{case.pk}/"))
    assert "经营者名称" in page and 'name="decide-result_f1"' in page
    assert 'value="草原牧歌餐饮有限公司"' in page and 'value="乌云"' in page  # prefilled from the applicant
    missing = reviewer.post(
        f"/cases/{case.pk}/review/decide/",
        {"decide-decision": "approve", "decide-result_f1": "草原牧歌餐饮有限公司"},
    )
    assert missing.status_code == 400 and "请填写经营场所" in _page(missing)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.IN_REVIEW
    posted = {
        "decide-decision": "approve",
        **{f"decide-result_{key}": value for key, value in FOOD_DATA.items()},
    }
    response = reviewer.post(f"/cases/{case.pk}/review/decide/", posted)
    assert response.status_code == 302
    licence = Case.objects.get(pk=case.pk).licences.get()
    assert licence.data == FOOD_DATA and licence.holder == company
