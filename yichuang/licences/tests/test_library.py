"""我的证照 (亮证): the holder sees only his own licences as verified now, one licence with its data, the QR
code and the PDF, and grants and withdraws 用证授权 for his own open cases (PRG, errors next to the field).

The helpers here (``make_company``, ``issue_business_licence`` …) are shared with the staff screens' and
the API's tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from yichuang.accounts.models import Applicant
from yichuang.cases.models import Case
from yichuang.catalog.models import ServiceItem
from yichuang.core.models import AuditEvent
from yichuang.licences import authorisations, services
from yichuang.licences.models import LicenceAuthorisation
from yichuang.licences.tests.helpers import (
    MONDAY,
    another_applicant_user,
    issue_business_licence,
    make_item,
    open_case,
)
from yichuang.licences.views_library import qr_svg

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("monday")]


@pytest.fixture
def holder(client_for: Any) -> Client:
    return client_for("applicant")


# ——— the list ———


def test_the_library_lists_only_the_holders_licences_newest_first(org, company, licence, holder) -> None:
    _, stranger = another_applicant_user()
    theirs = issue_business_licence(org, stranger)
    newer = issue_business_licence(org, company)
    services.licence_revoke(actor=org.user("chief_rep"), licence=newer, reason="企业申请注销")
    response = holder.get("/my/licences/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-licence="{licence.pk}"' in page and f'data-licence="{theirs.pk}"' not in page
    assert page.index(f'data-licence="{newer.pk}"') < page.index(f'data-licence="{licence.pk}"')
    assert 'data-status="valid">有效<' in page and 'data-status="revoked">已注销<' in page
    assert "长期" in page and licence.number in page and "市场监管局" in page
    assert 'href="/my/licences/" aria-current="page">我的证照<' in page  # the applicant's menu


def test_staff_have_no_library_and_visitors_sign_in(org, client_for) -> None:
    assert client_for("reviewer").get("/my/licences/").status_code == 403
    assert Client().get("/my/licences/").status_code == 302


def test_a_superseded_licence_reads_as_changed(org, company, licence, holder) -> None:
    services.licence_change(
        actor=org.user("reviewer"), licence=licence, data={**licence.data, "f7": "餐饮、零售"}
    )
    page = holder.get("/my/licences/").content.decode()
    assert 'data-status="superseded">已变更<' in page


# ——— one licence ———


def test_the_detail_shows_every_data_item_the_qr_code_and_the_pdf_link(company, licence, holder) -> None:
    response = holder.get(f"/my/licences/{licence.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert qr_svg(licence) in page and "<svg" in page and 'class="qr-code"' in page
    for label, value in (("名称", company.name), ("法定代表人", "乌云"), ("经营范围", "餐饮服务")):
        assert f"<dt>{label}</dt>" in page and value in page
    assert "<dt>注册资本</dt>" in page  # an optional item left empty still has its line
    assert company.credit_code in page and licence.identifier in page
    assert f'href="/my/licences/{licence.pk}/pdf/"' in page


def test_the_pdf_downloads_as_an_attachment(licence, holder) -> None:
    response = holder.get(f"/my/licences/{licence.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment") and "%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7" in disposition
    assert licence.number in disposition  # 营业执照<number>.pdf


def test_another_applicants_licence_is_not_found(org, company, licence, item_and_case) -> None:
    user, _ = another_applicant_user()
    stranger = Client()
    stranger.force_login(user)
    _, case = item_and_case
    granted = authorisations.authorisation_grant(
        actor=org.user("applicant"), licence=licence, case=case, channel="online"
    )
    assert stranger.get(f"/my/licences/{licence.pk}/").status_code == 404
    assert stranger.get(f"/my/licences/{licence.pk}/pdf/").status_code == 404
    refused = stranger.post(
        f"/my/licences/{licence.pk}/authorise/", {"authorise-case": case.pk, "authorise-days": 30}
    )
    assert refused.status_code == 404
    withdraw = stranger.post(f"/my/licences/{licence.pk}/authorisations/{granted.reference}/withdraw/")
    assert withdraw.status_code == 404
    granted.refresh_from_db()
    assert granted.withdrawn_at is None


# ——— 用证授权 ———


@pytest.fixture
def item_and_case(org: Any, company: Applicant) -> tuple[ServiceItem, Case]:
    item = make_item(org)
    return item, open_case(org, item, company)


def test_the_holder_authorises_an_open_case_and_withdraws(org, licence, item_and_case, holder) -> None:
    _, case = item_and_case
    detail = holder.get(f"/my/licences/{licence.pk}/").content.decode()
    assert f'<option value="{case.pk}">{case.number} · ' in detail and 'value="30"' in detail
    form = {"authorise-case": case.pk, "authorise-days": 10}
    response = holder.post(f"/my/licences/{licence.pk}/authorise/", form)
    assert response.status_code == 302 and response["Location"] == f"/my/licences/{licence.pk}/"
    holder.post(f"/my/licences/{licence.pk}/authorise/", form)  # a second click
    authorisation = LicenceAuthorisation.objects.get()
    assert (authorisation.case, authorisation.channel, authorisation.granted_by) == (
        case,
        "online",
        org.user("applicant"),
    )
    assert authorisation.valid_until == MONDAY + dt.timedelta(days=10)
    assert AuditEvent.objects.filter(action="licence.authorise").count() == 1
    authorisations.licence_use(
        actor=org.user("reviewer"), reference=authorisation.reference, purpose="审查营业执照"
    )
    page = holder.get(f"/my/licences/{licence.pk}/", follow=True).content.decode()
    assert f'data-reference="{authorisation.reference}" data-state="active"' in page
    assert "审查营业执照" in page and "市场监管局" in page and org.user("reviewer").full_name not in page
    assert "已授权办件" in page  # the message after the redirect

    withdrawn = holder.post(f"/my/licences/{licence.pk}/authorisations/{authorisation.reference}/withdraw/")
    assert withdrawn.status_code == 302
    authorisation.refresh_from_db()
    assert authorisation.withdrawn_at is not None
    assert AuditEvent.objects.filter(action="licence.authorisation_withdraw").exists()
    page = holder.get(f"/my/licences/{licence.pk}/").content.decode()
    assert f'data-reference="{authorisation.reference}" data-state="withdrawn"' in page
    assert f'data-testid="withdraw-{authorisation.reference}"' not in page


def test_an_expired_authorisation_reads_as_expired(org, client_for, licence, item_and_case) -> None:
    _, case = item_and_case
    granted = authorisations.authorisation_grant(
        actor=org.user("applicant"), licence=licence, case=case, channel="online", days=1
    )
    with time_machine.travel(MONDAY + dt.timedelta(days=2), tick=False):
        page = client_for("applicant").get(f"/my/licences/{licence.pk}/").content.decode()
    assert f'data-reference="{granted.reference}" data-state="expired"' in page


def test_authorise_errors_are_shown_next_to_the_field(org, licence, item_and_case, holder) -> None:
    item, _ = item_and_case
    _, stranger = another_applicant_user()
    their_case = open_case(org, item, stranger)
    url = f"/my/licences/{licence.pk}/authorise/"
    too_long = holder.post(url, {"authorise-case": item_and_case[1].pk, "authorise-days": 400})
    assert too_long.status_code == 400
    assert (
        '<p class="error" role="alert" data-field="days">授权期限应为 1 至 366 天</p>'
        in too_long.content.decode()
    )
    not_theirs = holder.post(url, {"authorise-case": their_case.pk, "authorise-days": 30})
    assert (
        not_theirs.status_code == 400
        and "请选择您本人（本单位）正在办理的办件" in not_theirs.content.decode()
    )
    # htmx gets the form back, with the message, as a 2xx it swaps in.
    fragment = holder.post(url, {"authorise-days": 30}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "请选择要使用该证照的办件" in fragment.content.decode()
    assert "<html" not in fragment.content.decode()
    assert not LicenceAuthorisation.objects.exists()


def test_a_licence_no_longer_valid_cannot_be_authorised(org, licence, item_and_case, holder) -> None:
    _, case = item_and_case
    services.licence_revoke(actor=org.user("chief_rep"), licence=licence, reason="企业申请注销")
    page = holder.get(f"/my/licences/{licence.pk}/").content.decode()
    assert 'data-testid="cannot-authorise"' in page and 'data-testid="authorise-form"' not in page
    refused = holder.post(
        f"/my/licences/{licence.pk}/authorise/", {"authorise-case": case.pk, "authorise-days": 5}
    )
    assert refused.status_code == 409 and "该证照已注销，不能授权使用" in refused.content.decode()
    assert not LicenceAuthorisation.objects.exists()


def test_the_library_lists_without_n_plus_one(org, company, holder, django_assert_max_num_queries) -> None:
    for _ in range(6):
        issue_business_licence(org, company)
    with django_assert_max_num_queries(8):
        assert holder.get("/my/licences/").status_code == 200
