"""告知承诺: decided on the commitment, verified afterwards; a false commitment revokes the decision and
bars the applicant from commitments until an admin clears the 失信 mark. Also revocation by the office."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from yichuang.accounts.tests.factories import ApplicantFactory
from yichuang.cases import commitments, services
from yichuang.cases.models import (
    CaseMaterialState,
    CaseStatus,
    CommitmentVerification,
    CreditMark,
    VerificationStatus,
)
from yichuang.cases.workflow import provincial_code
from yichuang.catalog.tests.helpers import elements, publish_item
from yichuang.core.errors import ApplicationError, ConflictError, PermissionDeniedError

pytestmark = pytest.mark.django_db

CST = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def applicant(org):
    return ApplicantFactory(user=org.user("applicant"))


@pytest.fixture
def commitment_item(org):
    materials = elements()["materials"]
    materials[0] = materials[0] | {"commitment_replaceable": False}
    materials.append(
        {
            "key": "m-health",
            "name": "从业人员健康证明",
            "source": "20",
            "necessity": "1",
            "originals": 0,
            "copies": 1,
            "commitment_replaceable": True,
            "review_points": ["在有效期内"],
        }
    )
    return publish_item(
        actor=org.user("admin"),
        department=org.scjg,
        basic_code="11A000100001",
        commitment_allowed=True,
        materials=materials,
    )


def _decide_on_commitment(org, item, applicant):
    case = services.case_submit(
        actor=org.user("applicant"), item=item, applicant=applicant, channel="online", by_commitment=True
    )
    states = dict(case.materials.values_list("material__key", "state"))
    assert states["m-health"] == CaseMaterialState.COMMITTED  # the commitment replaces the proof
    findings = {row.pk: ("received", "") for row in case.materials.exclude(state=CaseMaterialState.COMMITTED)}
    services.case_check_materials(actor=org.user("clerk"), case=case, findings=findings)
    services.case_accept(actor=org.user("clerk"), case=case)
    services.case_start_review(actor=org.user("reviewer"), case=case)
    return services.case_decide(actor=org.user("reviewer"), case=case, decision="approve")


def test_false_commitment_revokes_and_bars_until_an_admin_clears_the_mark(
    org, commitment_item, applicant
) -> None:
    with time_machine.travel(dt.datetime(2026, 11, 2, 10, tzinfo=CST), tick=False):
        approved = _decide_on_commitment(org, commitment_item, applicant)
    verification = CommitmentVerification.objects.get(case=approved)
    assert verification.status == VerificationStatus.PENDING
    assert verification.due_date == dt.date(2026, 11, 30)  # 20 working days after 11-02
    with pytest.raises(ApplicationError):  # findings are required
        commitments.commitment_verify(
            actor=org.user("reviewer"), verification=verification, truthful=False, findings=""
        )
    commitments.commitment_verify(
        actor=org.user("reviewer"),
        verification=verification,
        truthful=False,
        findings="经向卫健委核实，两名从业人员未取得健康证明",
    )
    approved.refresh_from_db()
    assert (approved.status, provincial_code(approved)) == (CaseStatus.REVOKED, "15")
    assert "虚假承诺" in approved.revoke_reason
    mark = CreditMark.objects.get(applicant=applicant)
    assert commitments.applicant_commitment_barred(applicant)
    with pytest.raises(ConflictError):
        commitments.commitment_verify(
            actor=org.user("reviewer"), verification=verification, truthful=True, findings="x"
        )
    with pytest.raises(ApplicationError) as barred:
        services.case_submit(
            actor=org.user("applicant"),
            item=commitment_item,
            applicant=applicant,
            channel="online",
            by_commitment=True,
        )
    assert barred.value.code == "commitment_barred"
    # Without the commitment the applicant may still apply, with every proof.
    services.case_submit(
        actor=org.user("applicant"), item=commitment_item, applicant=applicant, channel="online"
    )
    with pytest.raises(PermissionDeniedError):
        commitments.credit_mark_clear(actor=org.user("chief_rep"), mark=mark, reason="已整改")
    with pytest.raises(ApplicationError):
        commitments.credit_mark_clear(actor=org.user("admin"), mark=mark, reason="")
    commitments.credit_mark_clear(actor=org.user("admin"), mark=mark, reason="已整改到位并完成信用修复")
    assert not commitments.applicant_commitment_barred(applicant)
    again = services.case_submit(
        actor=org.user("applicant"),
        item=commitment_item,
        applicant=applicant,
        channel="online",
        by_commitment=True,
    )
    assert again.by_commitment


def test_truthful_commitment_keeps_the_decision(org, commitment_item, applicant) -> None:
    approved = _decide_on_commitment(org, commitment_item, applicant)
    verification = approved.verification
    with pytest.raises(PermissionDeniedError):
        commitments.commitment_verify(
            actor=org.user("clerk"), verification=verification, truthful=True, findings="属实"
        )
    commitments.commitment_verify(
        actor=org.user("reviewer"), verification=verification, truthful=True, findings="现场核查属实"
    )
    approved.refresh_from_db()
    assert approved.status == CaseStatus.APPROVED
    assert not CreditMark.objects.exists()
    decision = approved.notices.get(kind="decision_approve")
    assert ("告知承诺", "本决定依申请人书面承诺作出，作出后将依法核查") in [
        tuple(x) for x in decision.document["lines"]
    ]


def test_commitment_only_where_the_item_allows_it(org, applicant) -> None:
    item = publish_item(actor=org.user("admin"), department=org.scjg, basic_code="11A000100002")
    with pytest.raises(ApplicationError) as caught:
        services.case_submit(
            actor=org.user("applicant"), item=item, applicant=applicant, channel="online", by_commitment=True
        )
    assert caught.value.code == "commitment_not_allowed"
    case = services.case_submit(actor=org.user("clerk"), item=item, applicant=applicant, channel="window")
    row = case.materials.first()
    with pytest.raises(ApplicationError):  # the window cannot mark a commitment the applicant did not make
        services.case_check_materials(
            actor=org.user("clerk"), case=case, findings={row.pk: ("committed", "")}
        )


def test_revoke_needs_a_reason_and_the_department(org, applicant) -> None:
    item = publish_item(actor=org.user("admin"), department=org.scjg, basic_code="11A000100003")
    case = services.case_submit(actor=org.user("clerk"), item=item, applicant=applicant, channel="window")
    services.case_check_materials(
        actor=org.user("clerk"),
        case=case,
        findings={row.pk: ("received", "") for row in case.materials.all()},
    )
    services.case_accept(actor=org.user("clerk"), case=case)
    with pytest.raises(ConflictError):  # nothing decided yet: nothing to revoke
        services.case_revoke(actor=org.user("reviewer"), case=case, reason="以欺骗手段取得")
    services.case_start_review(actor=org.user("reviewer"), case=case)
    services.case_decide(actor=org.user("reviewer"), case=case, decision="approve")
    with pytest.raises(ApplicationError):
        services.case_revoke(actor=org.user("reviewer"), case=case, reason=" ")
    with pytest.raises(PermissionDeniedError):
        services.case_revoke(actor=org.user("clerk"), case=case, reason="以欺骗手段取得")
    revoked = services.case_revoke(actor=org.user("reviewer"), case=case, reason="申请人以欺骗手段取得许可")
    assert (revoked.status, revoked.revoke_reason) == (CaseStatus.REVOKED, "申请人以欺骗手段取得许可")
    assert revoked.revoked_at is not None
