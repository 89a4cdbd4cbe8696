"""Receipt, the material checklist, acceptance, refusal, the one-time correction and deemed acceptance."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection

from yichuang.accounts.tests.factories import ApplicantFactory
from yichuang.cases import services
from yichuang.cases.models import Case, CaseEvent, CaseMaterialState, CaseStatus
from yichuang.cases.workflow import TRANSITIONS, provincial_code
from yichuang.catalog.tests.helpers import publish_item
from yichuang.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from yichuang.core.models import AuditEvent

pytestmark = pytest.mark.django_db

# Monday 2026-09-28. National Day: 10-01 … 10-07 off; Saturday 10-10 is a make-up working day.
CST = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.datetime(2026, 9, 28, 10, 0, tzinfo=CST)


@pytest.fixture
def item(org):
    return publish_item(actor=org.user("admin"), department=org.scjg, basic_code="11A000100001")


@pytest.fixture
def applicant(org):
    return ApplicantFactory(user=org.user("applicant"))


def _receive(org, item, applicant, **kwargs):
    return services.case_submit(
        actor=org.user("clerk"), item=item, applicant=applicant, channel="window", **kwargs
    )


def _check_all(org, case, state=CaseMaterialState.ORIGINAL_CHECKED):
    findings = {row.pk: (state, "") for row in case.materials.all()}
    return services.case_check_materials(actor=org.user("clerk"), case=case, findings=findings)


def test_receipt_numbers_the_case_and_lists_the_version_materials(org, item, applicant) -> None:
    with time_machine.travel(MONDAY, tick=False):
        first = _receive(org, item, applicant)
        second = _receive(org, item, applicant)
    code = item.implementation_code
    assert first.number == f"{code}202609280001"
    assert second.number == f"{code}202609280002"
    assert len(first.number) == 43
    assert first.status == CaseStatus.SUBMITTED and provincial_code(first) == "1"
    assert first.item_version == item.current_version
    assert [row.material.name for row in first.materials.select_related("material")] == [
        "食品经营许可申请书",
        "营业执照",
    ]
    # 5 working days after Monday 28 September: 29 and 30 Sep, 8 and 9 Oct, Saturday 10 Oct (调休).
    assert first.correction_notice_due == dt.date(2026, 10, 10)
    assert list(first.events.values_list("action", flat=True)) == ["submit"]
    assert AuditEvent.objects.filter(action="case.submit").count() == 2


def test_same_idempotency_key_returns_the_same_case(org, item, applicant) -> None:
    first = _receive(org, item, applicant, idempotency_key="click-1")
    again = _receive(org, item, applicant, idempotency_key="click-1")
    assert again.pk == first.pk
    assert Case.objects.count() == 1
    other = ApplicantFactory()
    with pytest.raises(ConflictError):
        _receive(org, item, other, idempotency_key="click-1")
    assert Case.objects.count() == 1


def test_accept_needs_every_required_material(org, item, applicant) -> None:
    with time_machine.travel(MONDAY, tick=False):
        case = _receive(org, item, applicant)
        with pytest.raises(ApplicationError) as caught:
            services.case_accept(actor=org.user("clerk"), case=case)
        assert caught.value.code == "materials_incomplete"
        assert "食品经营许可申请书" in caught.value.message
        _check_all(org, case)
        accepted = services.case_accept(actor=org.user("clerk"), case=case)
    assert accepted.status == CaseStatus.ACCEPTED and provincial_code(accepted) == "3"
    assert accepted.accepted_by == org.user("clerk")
    assert accepted.limit_days == 5
    assert accepted.due_date == dt.date(2026, 10, 10)
    assert [e.action for e in CaseEvent.objects.filter(case=case)] == ["submit", "accept"]


def test_deficiency_acceptance_needs_the_commitment_and_dates_the_deferred_material(org, applicant) -> None:
    item = publish_item(
        actor=org.user("admin"),
        department=org.scjg,
        basic_code="11A000100002",
        materials=[
            {"key": "a", "name": "申请书", "necessity": "1", "review_points": ["签字"]},
            {"key": "b", "name": "场所平面图", "necessity": "3", "review_points": ["标明功能区"]},
        ],
    )
    case = _receive(org, item, applicant)
    main = case.materials.get(material__key="a")
    services.case_check_materials(
        actor=org.user("clerk"), case=case, findings={main.pk: (CaseMaterialState.RECEIVED, "")}
    )
    with pytest.raises(ApplicationError) as caught:
        services.case_accept(actor=org.user("clerk"), case=case)
    assert caught.value.code == "deficiency_commitment_required"
    accepted = services.case_accept(actor=org.user("clerk"), case=case, deficiency_commitment=True)
    deferred = accepted.materials.get(material__key="b")
    assert deferred.state == CaseMaterialState.DEFERRED
    assert deferred.due_date == accepted.due_date


def test_refusal_needs_a_reason_and_closes_the_case(org, item, applicant) -> None:
    case = _receive(org, item, applicant)
    with pytest.raises(ApplicationError):
        services.case_refuse(actor=org.user("clerk"), case=case, reason=" ")
    refused = services.case_refuse(
        actor=org.user("clerk"),
        case=case,
        reason="不属于本机关职权范围",
        competent_office="巴彦淖尔市市场监督管理局",
    )
    assert (refused.status, refused.competent_office) == (CaseStatus.REFUSED, "巴彦淖尔市市场监督管理局")
    assert provincial_code(refused) == "5"
    with pytest.raises(ConflictError) as caught:
        services.case_refuse(actor=org.user("clerk"), case=refused, reason="再次")
    assert caught.value.code == "illegal_transition"


def test_correction_lists_everything_at_once_then_the_applicant_supplies(org, item, applicant) -> None:
    case = _receive(org, item, applicant)
    rows = list(case.materials.select_related("material"))
    services.case_check_materials(
        actor=org.user("clerk"),
        case=case,
        findings={
            rows[0].pk: (CaseMaterialState.DEFICIENT, "缺少法定代表人签字"),
            rows[1].pk: (CaseMaterialState.MISSING, ""),
        },
    )
    corrected = services.case_request_correction(actor=org.user("clerk"), case=case)
    assert corrected.status == CaseStatus.CORRECTION and provincial_code(corrected) == "6"
    event = corrected.events.get(action="request_correction")
    assert [d["material"] for d in event.data["defects"]] == ["食品经营许可申请书", "营业执照"]
    assert event.data["defects"][0]["note"] == "缺少法定代表人签字"
    back = services.case_supply_correction(actor=org.user("applicant"), case=case, note="已上传补正材料")
    assert back.status == CaseStatus.SUBMITTED


def test_correction_after_five_working_days_is_refused_and_the_sweep_deems_acceptance(
    org, item, applicant
) -> None:
    with time_machine.travel(MONDAY, tick=False):
        case = _receive(org, item, applicant)
    with time_machine.travel(dt.datetime(2026, 10, 13, 9, 0, tzinfo=CST), tick=False):
        with pytest.raises(ConflictError) as caught:
            services.case_request_correction(actor=org.user("clerk"), case=case)
        assert caught.value.code == "correction_notice_late"
        assert services.cases_deem_accepted() == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and case.deemed_accepted
    assert case.accepted_at == case.submitted_at
    # The clock runs from receipt on 28 September.
    assert case.due_date == dt.date(2026, 10, 10)


def test_who_may_receive_and_accept(org, item, applicant) -> None:
    with pytest.raises(PermissionDeniedError):
        services.case_submit(actor=org.user("reviewer"), item=item, applicant=applicant, channel="window")
    with pytest.raises(PermissionDeniedError):  # an applicant files online, for himself only
        services.case_submit(
            actor=org.user("applicant"), item=item, applicant=ApplicantFactory(), channel="online"
        )
    online = services.case_submit(
        actor=org.user("applicant"), item=item, applicant=applicant, channel="online"
    )
    assert online.channel == "online"
    with pytest.raises(PermissionDeniedError):
        services.case_accept(actor=org.user("reviewer"), case=online)
    with pytest.raises(PermissionDeniedError):
        services.case_accept(actor=org.user("applicant"), case=online)


def test_illegal_moves_are_refused_by_the_table(org, item, applicant) -> None:
    assert CaseStatus.ACCEPTED not in TRANSITIONS[CaseStatus.REFUSED]
    assert all(to in CaseStatus.values for targets in TRANSITIONS.values() for to in targets)
    case = _receive(org, item, applicant)
    services.case_refuse(actor=org.user("clerk"), case=case, reason="材料虚假")
    with pytest.raises(ConflictError) as caught:
        services.case_supply_correction(actor=org.user("clerk"), case=case)
    assert caught.value.code == "illegal_transition"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent numbering is exercised on PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_receipts_get_distinct_numbers(org, item, applicant) -> None:
    numbers: list[str] = []
    errors: list[BaseException] = []

    def receive() -> None:
        try:
            numbers.append(_receive(org, item, applicant).number)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=receive) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(numbers)) == 8
    assert sorted(n[-4:] for n in numbers) == [f"{i:04d}" for i in range(1, 9)]
