"""Review (受审分离), decisions, result, delivery, withdrawal and termination."""

from __future__ import annotations

import pytest

from yichuang.accounts.tests.factories import ApplicantFactory
from yichuang.cases import services
from yichuang.cases.models import CaseMaterialState, CaseStatus
from yichuang.cases.tests.helpers import accepted_with_deferral, deferrable_item
from yichuang.cases.workflow import provincial_code
from yichuang.catalog.tests.helpers import publish_item
from yichuang.core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant(org):
    return ApplicantFactory(user=org.user("applicant"))


def _accepted(org, applicant, *, acceptor="clerk", **item_overrides):
    item = publish_item(
        actor=org.user("admin"), department=org.scjg, basic_code="11A000100001", **item_overrides
    )
    case = services.case_submit(actor=org.user(acceptor), item=item, applicant=applicant, channel="window")
    services.case_check_materials(
        actor=org.user(acceptor),
        case=case,
        findings={row.pk: (CaseMaterialState.ORIGINAL_CHECKED, "") for row in case.materials.all()},
    )
    return services.case_accept(actor=org.user(acceptor), case=case)


def test_full_window_case_from_acceptance_to_delivery(org, applicant) -> None:
    case = _accepted(org, applicant)
    reviewing = services.case_start_review(actor=org.user("reviewer"), case=case)
    assert (reviewing.status, reviewing.reviewer, provincial_code(reviewing)) == (
        CaseStatus.IN_REVIEW,
        org.user("reviewer"),
        "8",
    )
    approved = services.case_decide(actor=org.user("reviewer"), case=case, decision="approve")
    assert approved.status == CaseStatus.APPROVED and provincial_code(approved) == "11"
    ready = services.case_result_ready(actor=org.user("reviewer"), case=case)
    assert ready.status == CaseStatus.RESULT_READY
    with pytest.raises(ApplicationError):
        services.case_deliver(actor=org.user("issuer"), case=case, method="pickup", recipient="")
    closed = services.case_deliver(actor=org.user("issuer"), case=case, method="pickup", recipient="王建国")
    assert closed.status == CaseStatus.CLOSED and closed.closed_at is not None
    assert list(closed.events.values_list("action", flat=True)) == [
        "submit",
        "accept",
        "start_review",
        "decide_approve",
        "result_ready",
        "deliver",
    ]


def test_separation_of_acceptance_and_review(org, applicant) -> None:
    case = _accepted(org, applicant, acceptor="chief_rep")
    with pytest.raises(ApplicationError) as caught:
        services.case_start_review(actor=org.user("chief_rep"), case=case)
    assert caught.value.code == "separation_of_duties"
    services.case_start_review(actor=org.user("chief_rep"), case=case, reviewer=org.user("reviewer"))
    with pytest.raises(PermissionDeniedError):  # only the assigned reviewer decides
        services.case_decide(actor=org.user("chief_rep"), case=case, decision="approve")


def test_other_departments_and_roles_cannot_review(org, applicant) -> None:
    case = _accepted(org, applicant)
    with pytest.raises(NotFoundError):
        services.case_start_review(actor=org.user("reviewer_wjw"), case=case)
    for role in ("clerk", "issuer", "applicant"):
        with pytest.raises(PermissionDeniedError):
            services.case_start_review(actor=org.user(role), case=case)
    with pytest.raises(PermissionDeniedError):
        services.case_deliver(actor=org.user("reviewer"), case=case, method="mail", tracking_number="SF1")


def test_denial_needs_reasons(org, applicant) -> None:
    case = _accepted(org, applicant)
    services.case_start_review(actor=org.user("reviewer"), case=case)
    with pytest.raises(ApplicationError):
        services.case_decide(actor=org.user("reviewer"), case=case, decision="deny", reason="")
    denied = services.case_decide(
        actor=org.user("reviewer"), case=case, decision="deny", reason="经营场所与食品安全要求不符"
    )
    assert (denied.status, denied.decision_reason, provincial_code(denied)) == (
        CaseStatus.DENIED,
        "经营场所与食品安全要求不符",
        "13",
    )


def test_no_approval_while_deferred_materials_are_outstanding(org, applicant) -> None:
    item = deferrable_item(org, "11A000100002")
    case = accepted_with_deferral(org, item, applicant)
    services.case_start_review(actor=org.user("reviewer"), case=case)
    with pytest.raises(ConflictError) as caught:
        services.case_decide(actor=org.user("reviewer"), case=case, decision="approve")
    assert caught.value.code == "deferred_materials_outstanding"
    terminated = services.case_terminate(actor=org.user("reviewer"), case=case, reason="容缺材料逾期未补交")
    assert terminated.status == CaseStatus.TERMINATED


def test_immediate_case_is_accepted_and_decided_on_the_spot_by_the_chief_representative(
    org, applicant
) -> None:
    case = _accepted(org, applicant, acceptor="chief_rep", case_kind="1", promised_days=0, name="即办事项")
    assert case.kind == "immediate" and case.due_date is not None
    decided = services.case_decide(actor=org.user("chief_rep"), case=case, decision="approve")
    assert decided.status == CaseStatus.APPROVED


def test_applicant_withdraws_before_the_decision(org, applicant) -> None:
    case = _accepted(org, applicant)
    withdrawn = services.case_withdraw(actor=org.user("applicant"), case=case, reason="不再需要")
    assert withdrawn.status == CaseStatus.WITHDRAWN
    assert provincial_code(withdrawn) == "14"  # withdrawn after acceptance
    with pytest.raises(ConflictError):
        services.case_start_review(actor=org.user("reviewer"), case=case)
