"""免证办 and issuing from a case: a material an e-licence replaces needs no upload (recorded with the
licence and the holder's authorisation), authorisations lapse, other providers plug in, and approving a
case whose result is a licence signs it — or refuses the whole decision when its data is missing."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import override_settings

from yichuang.accounts.tests.factories import ApplicantFactory, valid_credit_code
from yichuang.cases import services as case_services
from yichuang.cases.models import CaseMaterialState, CaseStatus
from yichuang.catalog.tests.helpers import publish_item
from yichuang.core.audit import audit_verify_chain
from yichuang.core.errors import ApplicationError, ConflictError, NotFoundError
from yichuang.core.models import AuditEvent
from yichuang.licences import authorisations, services
from yichuang.licences.exemption import case_fetch_licences
from yichuang.licences.models import LicenceAuthorisation, LicenceStatus, LicenceType, LicenceUse
from yichuang.licences.selectors import exemption_list
from yichuang.licences.sharing import SharedLicence
from yichuang.licences.tests.conftest import FOOD_DATA, FOOD_LICENCE, in_review, rows
from yichuang.licences.tests.helpers import BUSINESS_LICENCE, MONDAY
from yichuang.licences.verification import licence_verify

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("monday")]


def test_online_with_consent_the_licence_material_needs_no_upload(
    org, company, business_licence, item
) -> None:
    case = case_services.case_submit(
        actor=org.user("applicant"), item=item, applicant=company, channel="online", use_licences=True
    )
    row = rows(case)["m-licence"]
    assert row.state == CaseMaterialState.EXEMPT
    assert (row.licence_identifier, row.licence_provider) == (business_licence.identifier, "library")
    authorisation = LicenceAuthorisation.objects.get(reference=row.licence_authorisation)
    assert (authorisation.case, authorisation.licence, authorisation.channel) == (
        case,
        business_licence,
        "online",
    )
    assert authorisation.valid_until == MONDAY + dt.timedelta(days=30)
    assert LicenceUse.objects.get(authorisation=authorisation).purpose.endswith("免证办：营业执照")
    assert rows(case)["m-apply"].state == CaseMaterialState.MISSING
    # The window takes only the application form; the licence material is already satisfied.
    case_services.case_check_materials(
        actor=org.user("clerk"), case=case, findings={rows(case)["m-apply"].pk: ("original_checked", "")}
    )
    assert case_services.case_accept(actor=org.user("clerk"), case=case).status == CaseStatus.ACCEPTED
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"licence.authorise", "licence.use", "case.materials_from_licences"} <= actions
    assert audit_verify_chain().ok


def test_without_consent_or_a_valid_licence_the_material_stays_missing(
    org, company, business_licence, item
) -> None:
    plain = case_services.case_submit(
        actor=org.user("applicant"), item=item, applicant=company, channel="online"
    )
    assert rows(plain)["m-licence"].state == CaseMaterialState.MISSING
    services.licence_revoke(actor=org.user("chief_rep"), licence=business_licence, reason="企业申请注销")
    revoked = case_services.case_submit(
        actor=org.user("applicant"), item=item, applicant=company, channel="online", use_licences=True
    )
    assert rows(revoked)["m-licence"].state == CaseMaterialState.MISSING
    assert not LicenceAuthorisation.objects.exists()


def test_an_expired_licence_satisfies_nothing(org, company, item) -> None:
    services.seal_create(actor=org.user("admin"), department=org.scjg)
    food = LicenceType.objects.get(code=FOOD_LICENCE)
    services.licence_issue(
        actor=org.user("reviewer"),
        licence_type=food,
        holder=company,
        issuer=org.scjg,
        data=FOOD_DATA,
        valid_until=MONDAY.date() + dt.timedelta(days=10),
    )
    other = publish_item(
        actor=org.user("admin"),
        department=org.scjg,
        basic_code="11A000100003",
        materials=[{"key": "m-food", "name": "食品经营许可证", "licence_type_code": FOOD_LICENCE}],
    )
    with time_machine.travel(MONDAY + dt.timedelta(days=11), tick=False):
        case = case_services.case_submit(
            actor=org.user("applicant"), item=other, applicant=company, channel="online", use_licences=True
        )
    assert rows(case)["m-food"].state == CaseMaterialState.MISSING


def test_the_window_fetches_licences_with_the_applicant_present(org, company, business_licence, item) -> None:
    case = case_services.case_submit(actor=org.user("clerk"), item=item, applicant=company, channel="window")
    row = rows(case)["m-licence"]
    with pytest.raises(ApplicationError, match="须先调取"):
        case_services.case_check_materials(
            actor=org.user("clerk"), case=case, findings={row.pk: ("exempt", "")}
        )
    with pytest.raises(NotFoundError):
        case_fetch_licences(actor=org.user("reviewer_wjw"), case=case)
    result = case_fetch_licences(actor=org.user("clerk"), case=case)
    assert [r.material.key for r in result.satisfied] == ["m-licence"] and not result.not_held
    row = rows(case)["m-licence"]
    assert row.state == CaseMaterialState.EXEMPT and row.licence_identifier == business_licence.identifier
    authorisation = LicenceAuthorisation.objects.get(reference=row.licence_authorisation)
    assert (authorisation.channel, authorisation.granted_by) == ("window", org.user("clerk"))
    # Fetching again changes nothing and makes no second authorisation.
    assert case_fetch_licences(actor=org.user("clerk"), case=case).satisfied == []
    assert LicenceAuthorisation.objects.count() == 1
    # The window may still take the paper instead: the licence reference goes with the exemption.
    case_services.case_check_materials(
        actor=org.user("clerk"), case=case, findings={row.pk: ("received", "")}
    )
    row.refresh_from_db()
    assert (row.state, row.licence_identifier, row.licence_authorisation) == ("received", "", "")


def test_authorisations_are_the_holders_and_lapse(org, company, business_licence, item) -> None:
    case = case_services.case_submit(actor=org.user("clerk"), item=item, applicant=company, channel="window")
    stranger = ApplicantFactory(
        name="另一家公司", kind="legal", id_number="", credit_code=valid_credit_code("91")
    )
    their_case = case_services.case_submit(
        actor=org.user("clerk"), item=item, applicant=stranger, channel="window"
    )
    with pytest.raises(NotFoundError):
        authorisations.authorisation_grant(
            actor=org.user("applicant"), licence=business_licence, case=their_case, channel="online"
        )
    granted = authorisations.authorisation_grant(
        actor=org.user("applicant"), licence=business_licence, case=case, channel="online", days=1
    )
    again = authorisations.authorisation_grant(
        actor=org.user("applicant"), licence=business_licence, case=case, channel="online", days=1
    )
    assert again.pk == granted.pk  # a double submit makes one authorisation
    used = authorisations.licence_use(actor=org.user("reviewer"), reference=granted.reference, purpose="审查")
    assert used == business_licence
    with pytest.raises(NotFoundError):  # the reviewer of another department cannot see the case
        authorisations.licence_use(
            actor=org.user("reviewer_wjw"), reference=granted.reference, purpose="审查"
        )
    with time_machine.travel(MONDAY + dt.timedelta(days=1, minutes=1), tick=False):
        with pytest.raises(ConflictError) as caught:
            authorisations.licence_use(
                actor=org.user("reviewer"), reference=granted.reference, purpose="审查"
            )
        assert caught.value.code == "authorisation_expired"
        renewed = authorisations.authorisation_grant(
            actor=org.user("applicant"), licence=business_licence, case=case, channel="online"
        )
    assert renewed.pk != granted.pk
    authorisations.authorisation_withdraw(actor=org.user("applicant"), authorisation=renewed)
    with pytest.raises(ConflictError) as caught:
        authorisations.licence_use(actor=org.user("reviewer"), reference=renewed.reference, purpose="审查")
    assert caught.value.code == "authorisation_withdrawn"
    assert LicenceUse.objects.count() == 1


def test_approving_a_licence_result_issues_the_signed_licence(org, company, item) -> None:
    services.seal_create(actor=org.user("admin"), department=org.scjg)
    case = in_review(org, item, company)
    with pytest.raises(ApplicationError) as caught:
        case_services.case_decide(actor=org.user("reviewer"), case=case, decision="approve")
    assert caught.value.code == "licence_data_missing"
    with pytest.raises(ApplicationError) as caught:
        case_services.case_decide(
            actor=org.user("reviewer"), case=case, decision="approve", result={"licence": {"f1": "只有名称"}}
        )
    assert caught.value.code == "licence_data_incomplete"
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW and not case.licences.exists()  # nothing half-written
    decided = case_services.case_decide(
        actor=org.user("reviewer"), case=case, decision="approve", result={"licence": FOOD_DATA}
    )
    licence = decided.licences.get()
    assert decided.status == CaseStatus.APPROVED
    assert (licence.holder, licence.issuer, licence.licence_type.code) == (company, org.scjg, FOOD_LICENCE)
    assert licence.holder_identifier == company.credit_code and licence.data == FOOD_DATA
    assert licence.valid_until == dt.date(2031, 11, 1)
    assert licence_verify(licence).status == "valid"


def test_a_change_decision_supersedes_the_old_licence(org, company, item) -> None:
    services.seal_create(actor=org.user("admin"), department=org.scjg)
    first = case_services.case_decide(
        actor=org.user("reviewer"),
        case=in_review(org, item, company),
        decision="approve",
        result={"licence": FOOD_DATA},
    ).licences.get()
    with pytest.raises(ApplicationError):
        case_services.case_decide(
            actor=org.user("reviewer"),
            case=in_review(org, item, company),
            decision="approve",
            result={"licence": FOOD_DATA, "replaces": "1.2.156.3005.2.x"},
        )
    changed = case_services.case_decide(
        actor=org.user("reviewer"),
        case=in_review(org, item, company),
        decision="approve",
        result={
            "licence": {**FOOD_DATA, "f6": "热食类食品制售、冷食类食品制售"},
            "replaces": first.identifier,
        },
    ).licences.get()
    first.refresh_from_db()
    assert (changed.number, changed.version, changed.previous) == (first.number, 2, first)
    assert first.status == LicenceStatus.SUPERSEDED and licence_verify(first).status == "superseded"


class ProvincialHub:
    """A second provider, as a deployment would configure one (here: holds one marriage certificate)."""

    name = "province"
    label = "自治区电子证照共享平台"
    uses: list[str] = []

    def held(self, *, type_code: str, holder_identifier: str) -> list[SharedLicence]:
        if type_code != BUSINESS_LICENCE:
            return []
        return [
            SharedLicence(
                provider=self.name,
                identifier="1.2.156.3005.2.11100000000013338W001.PROVINCE.001.X",
                type_code=type_code,
                type_name="营业执照",
                holder_identifier=holder_identifier,
                issuer_name="巴彦淖尔市市场监督管理局",
                valid_until=None,
            )
        ]

    def authorise(self, *, actor, licence, case, channel) -> str:
        return f"NM-{case.number}"

    def use(self, *, actor, reference, purpose) -> SharedLicence:
        self.uses.append(reference)
        return self.held(type_code=BUSINESS_LICENCE, holder_identifier="")[0]


def test_other_providers_are_configured_and_asked_in_order(org, company, item) -> None:
    path = f"{__name__}.ProvincialHub"
    with override_settings(YICHUANG_LICENCE_PROVIDERS=["yichuang.licences.sharing.LibraryProvider", path]):
        case = case_services.case_submit(
            actor=org.user("applicant"), item=item, applicant=company, channel="online", use_licences=True
        )
    row = rows(case)["m-licence"]
    assert (row.state, row.licence_provider) == (CaseMaterialState.EXEMPT, "province")
    assert (
        row.licence_authorisation == f"NM-{case.number}"
        and ProvincialHub.uses[-1] == row.licence_authorisation
    )


def test_the_exemption_list_counts_real_use(org, company, business_licence, item) -> None:
    case_services.case_submit(
        actor=org.user("applicant"), item=item, applicant=company, channel="online", use_licences=True
    )
    case_services.case_submit(actor=org.user("clerk"), item=item, applicant=company, channel="window")
    (line,) = [line for line in exemption_list() if line.item_id == item.pk]
    assert line.replaceable == [("营业执照", "营业执照")]
    assert (line.cases, line.materials, line.by_licence) == (2, 4, 1)
    assert line.share == 0.25
