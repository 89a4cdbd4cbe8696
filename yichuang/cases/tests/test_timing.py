"""Time limits: special procedures stop the clock, extensions within the legal cap, the deadline sweep,
容缺 materials missed, and the remaining working days — across the 2026 Mid-Autumn and National Day
holidays (09-25 and 10-01…10-07 off; Sunday 09-20 and Saturday 10-10 are make-up working days)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from yichuang.accounts.tests.factories import ApplicantFactory
from yichuang.cases import services, timing
from yichuang.cases.models import (
    CaseEvent,
    CaseMaterialState,
    CaseStatus,
    DeadlineState,
    ExtensionStatus,
    SpecialProcedureStatus,
)
from yichuang.cases.selectors import remaining_working_days
from yichuang.cases.tests.helpers import accepted_with_deferral, deferrable_item
from yichuang.cases.workflow import provincial_code
from yichuang.catalog.tests.helpers import publish_item
from yichuang.core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from yichuang.core.models import AuditEvent

pytestmark = pytest.mark.django_db

CST = dt.timezone(dt.timedelta(hours=8))


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=CST)


@pytest.fixture
def applicant(org):
    return ApplicantFactory(user=org.user("applicant"), phone="13912345678")


def _accepted(org, applicant, *, basic_code="11A000100001", **overrides):
    item = publish_item(
        actor=org.user("admin"),
        department=org.scjg,
        basic_code=basic_code,
        **({"promised_days": 10} | overrides),
    )
    case = services.case_submit(actor=org.user("clerk"), item=item, applicant=applicant, channel="window")
    findings = {
        row.pk: (CaseMaterialState.ORIGINAL_CHECKED, "")
        for row in case.materials.select_related("material")
        if row.material.necessity != "3"
    }
    services.case_check_materials(actor=org.user("clerk"), case=case, findings=findings)
    return services.case_accept(actor=org.user("clerk"), case=case, deficiency_commitment=True)


def test_pause_and_extension_move_the_due_date_across_the_holidays(org, applicant) -> None:
    with time_machine.travel(at(9, 21), tick=False):  # Monday
        case = _accepted(org, applicant)
    # Day 1 is 09-22; 09-25 (中秋) and 10-01…10-07 are off, 10-10 (Saturday) is worked → day 10 = 10-12.
    assert case.due_date == dt.date(2026, 10, 12)
    with time_machine.travel(at(9, 22), tick=False):
        services.case_start_review(actor=org.user("reviewer"), case=case)
        assert remaining_working_days(case.__class__.objects.get(pk=case.pk)) == 9
    with time_machine.travel(at(9, 24), tick=False):
        procedure = timing.case_special_procedure_start(
            actor=org.user("reviewer"), case=case, kind="inspection", reason="需现场核查经营场所"
        )
    assert (procedure.name, procedure.planned_days) == ("经营场所现场核查", 5)  # from the item's list
    case.refresh_from_db()
    assert (case.status, case.deadline_state, provincial_code(case)) == (
        CaseStatus.SPECIAL_PROCEDURE,
        DeadlineState.PAUSED,
        "9",
    )
    assert remaining_working_days(case) is None  # no clock runs while paused
    with time_machine.travel(at(10, 9), tick=False):
        resumed = timing.case_special_procedure_finish(
            actor=org.user("reviewer"), case=case, result="现场符合要求"
        )
    procedure.refresh_from_db()
    # Paused working days in (09-24, 10-09]: 09-28, 09-29, 09-30, 10-08, 10-09.
    assert (procedure.status, procedure.paused_days) == (SpecialProcedureStatus.FINISHED, 5)
    assert (resumed.status, resumed.paused_days, resumed.due_date) == (
        CaseStatus.IN_REVIEW,
        5,
        dt.date(2026, 10, 19),
    )
    with time_machine.travel(at(10, 12), tick=False):
        extension = timing.case_extension_request(
            actor=org.user("reviewer"), case=case, days=3, reason="需征求卫健部门意见"
        )
        with pytest.raises(ApplicationError):  # the requester cannot approve his own request
            timing.case_extension_decide(actor=org.user("reviewer"), extension=extension, approve=True)
        with pytest.raises(ConflictError):  # one request at a time
            timing.case_extension_request(actor=org.user("reviewer"), case=case, days=2, reason="再延")
        with pytest.raises(PermissionDeniedError):  # a reviewer is not the head
            timing.case_extension_decide(actor=org.user("clerk"), extension=extension, approve=True)
        timing.case_extension_decide(
            actor=org.user("chief_rep"), extension=extension, approve=True, note="同意"
        )
    case.refresh_from_db()
    assert (case.extension_days, case.due_date) == (3, dt.date(2026, 10, 22))
    assert list(case.events.values_list("action", flat=True))[-4:] == [
        "special_procedure_start",
        "special_procedure_finish",
        "extension_request",
        "extension_approve",
    ]
    assert case.notices.filter(kind="special_procedure").count() == 1


def test_extensions_stay_within_the_legal_cap(org, applicant) -> None:
    with time_machine.travel(at(11, 2), tick=False):
        case = _accepted(org, applicant)
        services.case_start_review(actor=org.user("reviewer"), case=case)
        with pytest.raises(ApplicationError) as too_long:
            timing.case_extension_request(actor=org.user("reviewer"), case=case, days=11, reason="材料复杂")
        assert too_long.value.code == "extension_cap"
        with pytest.raises(ApplicationError):
            timing.case_extension_request(actor=org.user("reviewer"), case=case, days=3, reason=" ")
        first = timing.case_extension_request(
            actor=org.user("reviewer"), case=case, days=7, reason="材料复杂"
        )
        timing.case_extension_decide(actor=org.user("chief_rep"), extension=first, approve=True)
        second = timing.case_extension_request(
            actor=org.user("reviewer"), case=case, days=3, reason="再征求意见"
        )
        refused = timing.case_extension_decide(
            actor=org.user("admin"), extension=second, approve=False, note="不同意"
        )
        assert refused.status == ExtensionStatus.REJECTED
        with pytest.raises(ApplicationError):  # 7 granted: only 3 of the 10 remain
            timing.case_extension_request(actor=org.user("reviewer"), case=case, days=4, reason="再延")
        with pytest.raises(NotFoundError):  # another department's reviewer does not even see it
            timing.case_extension_request(actor=org.user("reviewer_wjw"), case=case, days=1, reason="x")
    case.refresh_from_db()
    assert case.extension_days == 7


def test_special_procedure_needs_a_known_kind_and_a_running_case(org, applicant) -> None:
    with time_machine.travel(at(11, 2), tick=False):
        case = _accepted(org, applicant)
        with pytest.raises(ConflictError):  # not yet under review
            timing.case_special_procedure_start(actor=org.user("reviewer"), case=case, kind="inspection")
        services.case_start_review(actor=org.user("reviewer"), case=case)
        with pytest.raises(ApplicationError):
            timing.case_special_procedure_start(actor=org.user("reviewer"), case=case, kind="party")
        with pytest.raises(ApplicationError):  # a kind the item does not list needs its days
            timing.case_special_procedure_start(actor=org.user("reviewer"), case=case, kind="hearing")
        with pytest.raises(ConflictError):
            timing.case_special_procedure_finish(actor=org.user("reviewer"), case=case)
        hearing = timing.case_special_procedure_start(
            actor=org.user("reviewer"), case=case, kind="hearing", days=10, reason="涉及相邻权人重大利益"
        )
        assert hearing.name == "听证"
        with pytest.raises(ConflictError):  # a decision waits for the procedure to end
            services.case_decide(actor=org.user("reviewer"), case=case, decision="approve")


def test_sweep_sets_states_in_bulk_and_is_idempotent(org, applicant, settings) -> None:
    settings.YICHUANG_CASE_WARNING_DAYS = 3
    with time_machine.travel(at(11, 2), tick=False):  # Monday
        soon = _accepted(org, applicant, basic_code="11A000100001", promised_days=3)  # due 11-05
        later = _accepted(org, applicant, basic_code="11A000100002", promised_days=10)  # due 11-16
        paused = _accepted(org, applicant, basic_code="11A000100003", promised_days=3)
        services.case_start_review(actor=org.user("reviewer"), case=paused)
        timing.case_special_procedure_start(actor=org.user("reviewer"), case=paused, kind="inspection")
    assert (soon.due_date, later.due_date) == (dt.date(2026, 11, 5), dt.date(2026, 11, 16))
    report = timing.cases_sweep(today=dt.date(2026, 11, 3))
    assert (report["to_warning"], report["to_overdue"]) == (1, 0)
    states = {
        case.pk: case.__class__.objects.get(pk=case.pk).deadline_state for case in (soon, later, paused)
    }
    assert states == {soon.pk: "warning", later.pk: "normal", paused.pk: "paused"}
    assert timing.cases_sweep(today=dt.date(2026, 11, 3))["to_warning"] == 0  # nothing left to change
    report = timing.cases_sweep(today=dt.date(2026, 11, 6))
    assert report["to_overdue"] == 1
    soon.refresh_from_db()
    later.refresh_from_db()
    assert (soon.deadline_state, later.deadline_state) == (DeadlineState.OVERDUE, DeadlineState.NORMAL)
    assert remaining_working_days(soon, dt.date(2026, 11, 6)) == -1
    assert remaining_working_days(later, dt.date(2026, 11, 11)) == 3
    assert timing.cases_sweep(today=dt.date(2026, 11, 11))["to_warning"] == 1  # 11-16 is 3 working days away
    assert AuditEvent.objects.filter(action="case.sweep").count() == 4


def test_sweep_deems_late_applications_accepted_and_terminates_missed_deficiencies(org, applicant) -> None:
    item = deferrable_item(org, "11A000100009")
    with time_machine.travel(at(11, 2), tick=False):
        unanswered = services.case_submit(
            actor=org.user("clerk"), item=item, applicant=applicant, channel="window"
        )
        deficient = services.case_submit(
            actor=org.user("clerk"), item=item, applicant=applicant, channel="window"
        )
        main = deficient.materials.get(material__key="a")
        services.case_check_materials(
            actor=org.user("clerk"), case=deficient, findings={main.pk: ("received", "")}
        )
        services.case_accept(actor=org.user("clerk"), case=deficient, deficiency_commitment=True)
    deferred = deficient.materials.get(material__key="b")
    assert deferred.state == CaseMaterialState.DEFERRED and deferred.due_date == dt.date(2026, 11, 9)
    assert deficient.notices.filter(kind="deficiency").exists()
    report = timing.cases_sweep(today=dt.date(2026, 11, 9))  # 11-09 is the fifth working day: still in time
    assert (report["deemed_accepted"], report["deficiency_terminated"]) == (0, 0)
    with time_machine.travel(at(11, 10), tick=False):
        call_command("cases_sweep", "--date", "2026-11-10", stdout=open("/dev/null", "w"))  # noqa: SIM115
    unanswered.refresh_from_db()
    deficient.refresh_from_db()
    assert (unanswered.status, unanswered.deemed_accepted) == (CaseStatus.ACCEPTED, True)
    assert deficient.status == CaseStatus.TERMINATED
    assert "场所平面图" in CaseEvent.objects.filter(case=deficient, action="terminate").get().note


def test_deferred_material_received_lets_the_decision_through(org, applicant) -> None:
    item = deferrable_item(org, "11A000100008")
    case = accepted_with_deferral(org, item, applicant)
    services.case_start_review(actor=org.user("reviewer"), case=case)
    deferred = case.materials.get(material__key="b")
    main = case.materials.get(material__key="a")
    with pytest.raises(ApplicationError):
        services.case_receive_deferred(actor=org.user("reviewer"), case=case, case_material_ids=[main.pk])
    with pytest.raises(PermissionDeniedError):
        services.case_receive_deferred(actor=org.user("issuer"), case=case, case_material_ids=[deferred.pk])
    services.case_receive_deferred(actor=org.user("reviewer"), case=case, case_material_ids=[deferred.pk])
    approved = services.case_decide(actor=org.user("reviewer"), case=case, decision="approve")
    assert approved.status == CaseStatus.APPROVED
