"""好差评 through the services: one rating per service within the period; a bad one opens a rectification
due in working days, called back, rectified, answered and rated by the rater; overdue ones escalate once;
appeals remove a rating from the figures but not from the audit log; the rater's identity is hidden."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from yichuang.core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from yichuang.core.models import AuditEvent, Notification
from yichuang.hall import tickets
from yichuang.ratings import policies, services
from yichuang.ratings.models import (
    Appeal,
    AppealStatus,
    Channel,
    Evaluation,
    EvaluationStatus,
    Invitation,
    RatingPolicy,
    Rectification,
    RectificationStatus,
)
from yichuang.ratings.subjects import served_case, served_hall_ticket
from yichuang.ratings.tests.helpers import APPLICANT_PHONE, closed_case, served_ticket

pytestmark = pytest.mark.django_db


def _local(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour))


def _rate_case(org: Any, level: int, *, now: dt.datetime | None = None, **extra: Any) -> Evaluation:
    case = closed_case(org)
    return services.evaluation_submit(
        served=served_case(case), channel=Channel.ONLINE, level=level, now=now or case.closed_at, **extra
    )


def test_a_good_rating_of_a_window_service(org: Any) -> None:
    ticket = served_ticket(org)
    evaluation = services.evaluation_submit(
        served=served_hall_ticket(ticket),
        channel=Channel.WINDOW,
        level=5,
        scores={"efficiency": 5, "attitude": 4},
        comment="很快",
        now=ticket.finished_at,
    )
    assert (evaluation.department, evaluation.staff, evaluation.window_number) == (
        org.centre,
        org.user("clerk"),
        "01",
    )
    assert evaluation.service_mode == "offline" and evaluation.is_real_name and not evaluation.is_bad
    assert not Rectification.objects.exists()
    assert AuditEvent.objects.filter(action="ratings.evaluation_submitted").count() == 1


def test_one_rating_per_service_whatever_the_channel(org: Any) -> None:
    ticket = served_ticket(org)
    served = served_hall_ticket(ticket)
    services.evaluation_submit(served=served, channel=Channel.WINDOW, level=4, now=ticket.finished_at)
    with pytest.raises(ConflictError) as refused:
        services.evaluation_submit(served=served, channel=Channel.KIOSK, level=1, now=ticket.finished_at)
    assert refused.value.code == "already_rated"
    # A repeated submit (same idempotency key) returns the first rating instead.
    case = closed_case(org)
    first = services.evaluation_submit(
        served=served_case(case), channel=Channel.ONLINE, level=3, idempotency_key="k1", now=case.closed_at
    )
    again = services.evaluation_submit(
        served=served_case(case), channel=Channel.ONLINE, level=3, idempotency_key="k1", now=case.closed_at
    )
    assert again.pk == first.pk and Evaluation.objects.count() == 2


def test_bad_input_is_named_field_by_field(org: Any) -> None:
    case = closed_case(org)
    with pytest.raises(ApplicationError) as error:
        services.evaluation_submit(
            served=served_case(case),
            channel=Channel.ONLINE,
            level="",
            scores={"attitude": 9, "nonsense": 1},
            comment="长" * 501,
            now=case.closed_at,
        )
    assert set(error.value.fields) == {"level", "scores", "comment"}  # type: ignore[arg-type]
    assert not Evaluation.objects.exists()


def test_only_within_the_rating_period(org: Any) -> None:
    RatingPolicy.objects.create(rating_period_days=7)
    case = closed_case(org)
    late = case.closed_at + dt.timedelta(days=7, minutes=1)
    with pytest.raises(ApplicationError) as error:
        services.evaluation_submit(served=served_case(case), channel=Channel.ONLINE, level=5, now=late)
    assert error.value.code == "rating_period_over"
    services.evaluation_submit(
        served=served_case(case), channel=Channel.ONLINE, level=5, now=late - dt.timedelta(minutes=2)
    )


def test_unfinished_services_cannot_be_rated(org: Any) -> None:
    from yichuang.hall.tests.helpers import MONDAY, at, make_hall

    setup = make_hall(org, tidal=False)
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        waiting = tickets.ticket_issue(hall=setup.hall, category=setup.general, source="kiosk")
    with pytest.raises(ApplicationError) as error:
        served_hall_ticket(waiting)
    assert error.value.code == "not_served"


def test_a_bad_rating_opens_a_rectification_due_in_working_days(org: Any) -> None:
    RatingPolicy.objects.create(rectification_working_days=5)
    # Rated on Wednesday 30 September 2026: the National Day holiday (1–7 October) does not count, and
    # Saturday 10 October is a make-up working day (调休): 8, 9, 10, 12, 13 October.
    evaluation = _rate_case(org, 1, now=_local(dt.date(2026, 9, 30)), comment="材料被要求重复提交")
    rectification = evaluation.rectification
    assert evaluation.is_bad and rectification.status == RectificationStatus.CALL_BACK
    assert rectification.department == org.scjg and rectification.assignee == org.user("reviewer")
    assert rectification.due_date == dt.date(2026, 10, 13)
    assert list(rectification.events.values_list("kind", flat=True)) == ["opened"]


def test_rectification_lifecycle_to_the_raters_rating(org: Any) -> None:
    evaluation = _rate_case(org, 2)
    rectification = evaluation.rectification
    reviewer = org.user("reviewer")
    with pytest.raises(ApplicationError):
        services.rectification_answer(rectification=rectification, actor=reviewer, measure="x", answer="y")
    services.rectification_call_back(
        rectification=rectification, actor=reviewer, reached=False, note="无人接听"
    )
    rectification.refresh_from_db()
    assert rectification.status == RectificationStatus.CALL_BACK and rectification.reached is False
    services.rectification_call_back(
        rectification=rectification, actor=reviewer, reached=True, facts_confirmed=True, note="情况属实"
    )
    with pytest.raises(ApplicationError) as missing:
        services.rectification_answer(rectification=rectification, actor=reviewer, measure="", answer="")
    assert set(missing.value.fields) == {"measure"}  # type: ignore[arg-type]
    services.rectification_answer(
        rectification=rectification,
        actor=reviewer,
        measure="对窗口人员开展一次性告知培训",
        answer="已整改，今后材料一次告知到位",
    )
    rectification.refresh_from_db()
    assert rectification.status == RectificationStatus.ANSWERED and rectification.facts_confirmed is True
    # The rater is texted a one-time link to rate the rectification.
    sms = Notification.objects.get(template="ratings.rectification_answer")
    assert sms.to == APPLICANT_PHONE and "已整改" in sms.body
    token = sms.body.split("/ratings/r/")[1].split("/")[0]
    invitation = services.invitation_find(token)
    assert invitation.purpose == Invitation.Purpose.RECTIFICATION
    services.rectification_rate(rectification=rectification, level=4, comment="满意")
    rectification.refresh_from_db()
    assert rectification.status == RectificationStatus.CLOSED and rectification.rater_level == 4
    kinds = list(rectification.events.values_list("kind", flat=True))
    assert kinds == ["opened", "call_attempt", "called_back", "answered", "rated"]
    assert AuditEvent.objects.filter(action__startswith="ratings.rectification_").count() == 5


def test_only_the_department_that_served_rectifies(org: Any) -> None:
    rectification = _rate_case(org, 1).rectification
    for user in ("reviewer_wjw", "clerk", "inspector", "admin"):
        with pytest.raises(PermissionDeniedError):
            services.rectification_call_back(
                rectification=rectification, actor=org.user(user), reached=True, facts_confirmed=True
            )
    services.rectification_call_back(
        rectification=rectification, actor=org.user("chief_rep"), reached=True, facts_confirmed=False
    )


def test_overdue_rectifications_escalate_to_the_admin_once(org: Any) -> None:
    org.user("admin").phone = "13700000000"
    org.user("admin").save()
    evaluation = _rate_case(org, 1, now=_local(dt.date(2026, 11, 23)))
    rectification = evaluation.rectification
    assert rectification.due_date == dt.date(2026, 12, 7)  # ten working days
    assert services.ratings_sweep(_local(dt.date(2026, 12, 7), 23))["escalated"] == 0
    assert services.ratings_sweep(_local(dt.date(2026, 12, 8), 8))["escalated"] == 1
    assert services.ratings_sweep(_local(dt.date(2026, 12, 9), 8))["escalated"] == 0
    rectification.refresh_from_db()
    assert rectification.escalated_at is not None
    assert Notification.objects.filter(template="ratings.escalated", to="13700000000").count() == 1
    # Escalated: the admin may now act on it.
    services.rectification_call_back(
        rectification=rectification, actor=org.user("admin"), reached=True, facts_confirmed=True
    )


def test_answered_rectifications_close_when_the_rater_does_not_rate(org: Any) -> None:
    rectification = _rate_case(org, 1).rectification
    reviewer = org.user("reviewer")
    services.rectification_call_back(
        rectification=rectification, actor=reviewer, reached=True, facts_confirmed=True
    )
    services.rectification_answer(
        rectification=rectification, actor=reviewer, measure="整改", answer="已整改"
    )
    later = timezone.now() + dt.timedelta(days=16)
    assert services.ratings_sweep(later)["closed"] == 1
    rectification.refresh_from_db()
    assert rectification.status == RectificationStatus.CLOSED and rectification.rater_level is None


def test_an_upheld_appeal_removes_the_rating_but_not_its_audit(org: Any) -> None:
    evaluation = _rate_case(org, 1)
    chief = org.user("chief_rep")
    with pytest.raises(PermissionDeniedError):
        services.appeal_file(
            evaluation=evaluation, actor=org.user("reviewer_wjw"), ground="malicious", reason="x"
        )
    with pytest.raises(ApplicationError) as bad:
        services.appeal_file(evaluation=evaluation, actor=chief, ground="malicious", reason="")
    assert "reason" in bad.value.fields  # type: ignore[operator]
    appeal = services.appeal_file(
        evaluation=evaluation, actor=chief, ground="malicious", reason="评价人与本部门素无往来，系恶意差评"
    )
    with pytest.raises(ConflictError):
        services.appeal_file(evaluation=evaluation, actor=chief, ground="mistaken", reason="再次申诉")
    with pytest.raises(PermissionDeniedError):
        services.appeal_decide(appeal=appeal, actor=chief, uphold=True, note="自己批准")
    services.appeal_decide(appeal=appeal, actor=org.user("admin"), uphold=True, note="经核实为恶意差评")
    appeal.refresh_from_db()
    evaluation.refresh_from_db()
    assert appeal.status == AppealStatus.UPHELD and evaluation.status == EvaluationStatus.REMOVED
    assert evaluation.rectification.status == RectificationStatus.WITHDRAWN
    assert AuditEvent.objects.filter(
        action="ratings.evaluation_submitted", object_id=str(evaluation.pk)
    ).exists()
    assert AuditEvent.objects.filter(
        action="ratings.evaluation_removed", object_id=str(evaluation.pk)
    ).exists()
    with pytest.raises(ConflictError):
        services.appeal_decide(appeal=appeal, actor=org.user("admin"), uphold=False, note="再议")


def test_a_rejected_appeal_keeps_the_rating(org: Any) -> None:
    evaluation = _rate_case(org, 2)
    appeal = services.appeal_file(
        evaluation=evaluation, actor=org.user("chief_rep"), ground="mistaken", reason="误评"
    )
    services.appeal_decide(appeal=appeal, actor=org.user("admin"), uphold=False, note="证据不足")
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.VALID
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.REJECTED


def test_the_raters_identity_is_visible_only_to_who_must_call_back(org: Any) -> None:
    evaluation = _rate_case(org, 1)
    evaluation = Evaluation.objects.select_related("rectification").get(pk=evaluation.pk)
    for user in ("reviewer", "chief_rep"):
        view = policies.rater_view(org.user(user), evaluation)
        assert view["phone"] == APPLICANT_PHONE and view["name"] == "王建国", user
    for user in ("admin", "inspector", "reviewer_wjw", "clerk"):
        view = policies.rater_view(org.user(user), evaluation)
        assert view["phone"] != APPLICANT_PHONE and "*" in view["phone"] and view["name"] != "王建国", user
    good = _rate_case(org, 5)
    assert policies.rater_view(org.user("reviewer"), good)["phone"] != APPLICANT_PHONE


def test_a_closed_case_texts_its_applicant_a_one_time_link(org: Any) -> None:
    case = closed_case(org)
    sms = Notification.objects.get(template="ratings.invitation")
    assert sms.to == APPLICANT_PHONE and case.number in sms.body
    token = sms.body.split("/ratings/r/")[1].split("/")[0]
    invitation = services.invitation_find(token)
    assert (invitation.subject_kind, invitation.subject_id) == ("case", case.pk)
    services.invitation_use(invitation, timezone.now())
    with pytest.raises(NotFoundError):
        services.invitation_find(token)
    with pytest.raises(NotFoundError):
        services.invitation_find("not-a-token")


def test_the_link_expires_with_the_rating_period(org: Any) -> None:
    closed_case(org)
    token = Notification.objects.get(template="ratings.invitation").body.split("/ratings/r/")[1].split("/")[0]
    with time_machine.travel(timezone.now() + dt.timedelta(days=16)), pytest.raises(NotFoundError):
        services.invitation_find(token)


def test_the_sweep_command_escalates(org: Any) -> None:
    import io

    from django.core.management import call_command

    _rate_case(org, 1, now=_local(dt.date(2026, 11, 2)))
    out = io.StringIO()
    with time_machine.travel(_local(dt.date(2026, 11, 30)), tick=False):
        call_command("ratings_sweep", stdout=out)
    assert "escalated=1" in out.getvalue()
    assert Rectification.objects.get().escalated_at is not None


def test_a_step_is_not_taken_twice(org: Any) -> None:
    rectification = _rate_case(org, 1).rectification
    reviewer = org.user("reviewer")
    services.rectification_call_back(
        rectification=rectification, actor=reviewer, reached=True, facts_confirmed=True
    )
    with pytest.raises(ConflictError):
        services.rectification_call_back(
            rectification=rectification, actor=reviewer, reached=True, facts_confirmed=False
        )
    with pytest.raises(ConflictError):
        services.rectification_call_back(
            rectification=rectification, actor=reviewer, reached=False, note="再打"
        )
    services.rectification_answer(
        rectification=rectification, actor=reviewer, measure="整改", answer="已整改"
    )
    with pytest.raises(ConflictError):
        services.rectification_answer(
            rectification=rectification, actor=reviewer, measure="又一次", answer="又一次"
        )
    assert list(rectification.events.values_list("kind", flat=True)) == ["opened", "called_back", "answered"]


def test_an_idempotency_key_belongs_to_one_service(org: Any) -> None:
    first, second = closed_case(org), closed_case(org)
    services.evaluation_submit(
        served=served_case(first), channel=Channel.ONLINE, level=5, idempotency_key="k", now=first.closed_at
    )
    with pytest.raises(ConflictError) as error:
        services.evaluation_submit(
            served=served_case(second),
            channel=Channel.ONLINE,
            level=5,
            idempotency_key="k",
            now=second.closed_at,
        )
    assert error.value.code == "idempotency_key_reused"
