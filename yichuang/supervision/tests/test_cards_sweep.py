"""The card sweep on fixed dates around the 2026 National Day holiday: 10-01…10-07 off, Saturday 10-10 and
Sunday 09-20 worked, 09-25 (中秋) off. The first working day after the holiday is Thursday 10-08; the two
working days before it are 09-29 and 09-30, so with ``yellow_days=2`` the yellow card of a case due on 10-08
comes on 09-29 — before the holiday — and not on 09-28; the red card on 10-09 and not on 10-08.

The helpers here (``accepted_case``, ``dispatched_ticket``, ``at``) are shared by the other card tests."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, connections

from yichuang.accounts.tests.factories import ApplicantFactory
from yichuang.cases import services as case_services
from yichuang.cases import timing
from yichuang.cases.models import Case, CaseMaterialState
from yichuang.catalog.tests.helpers import publish_item
from yichuang.core.audit import audit_verify_chain
from yichuang.core.calendar import add_working_days
from yichuang.core.models import AuditEvent, Notification
from yichuang.hotline import tickets
from yichuang.hotline.models import HotlineTicket
from yichuang.supervision.cards import cards_sweep
from yichuang.supervision.models_cards import Card, CardColor, CardEvent, CardPolicy, CardStatus, SubjectKind

pytestmark = pytest.mark.django_db

CST = dt.timezone(dt.timedelta(hours=8))
DUE = dt.date(2026, 10, 8)  # first working day after the National Day holiday


def at(month: int, day: int, hour: int = 10, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, second, tzinfo=CST)


_codes = iter(range(1, 10_000))


def accepted_case(
    org: Any, *, accepted: dt.datetime | None = None, promised_days: int = 7, department: Any = None
) -> Case:
    """A case of 市场监管局 (or ``department``) accepted at ``accepted`` (Monday 09-21 10:00): with 7 promised
    working days it is due on 10-08 (09-22, 23, 24, 28, 29, 30, 10-08)."""
    code = next(_codes)
    with time_machine.travel(accepted or at(9, 21), tick=False):
        item = publish_item(
            actor=org.user("admin"),
            department=department or org.scjg,
            basic_code=f"11A0001{code:05d}",
            promised_days=promised_days,
        )
        applicant = ApplicantFactory(phone="13912345678")
        case = case_services.case_submit(
            actor=org.user("clerk"), item=item, applicant=applicant, channel="window"
        )
        findings = {
            row.pk: (CaseMaterialState.ORIGINAL_CHECKED, "")
            for row in case.materials.select_related("material")
            if row.material.necessity != "3"
        }
        case_services.case_check_materials(actor=org.user("clerk"), case=case, findings=findings)
        return case_services.case_accept(actor=org.user("clerk"), case=case, deficiency_commitment=True)


def dispatched_ticket(
    org: Any, *, when: dt.datetime | None = None, nature: str = "consult", lead: Any = None
) -> HotlineTicket:
    """A 咨询 ticket (2 working days) taken and dispatched to 住建局 at ``when`` (Tuesday 09-29 10:00): due at
    the end of 10-08."""
    when = when or at(9, 29)
    ticket = tickets.ticket_intake(
        actor=org.user("operator"),
        channel="phone",
        nature=nature,
        title="咨询保障性住房申请条件，联系电话13800000001",
        content="想了解保障性住房的申请条件。",
        caller_name="王女士",
        caller_phone="13800000001",
        now=when,
    )
    return tickets.ticket_dispatch(ticket=ticket, actor=org.user("operator"), lead=lead or org.zjj, now=when)


def sweep_at(moment: dt.datetime) -> dict[str, int]:
    with time_machine.travel(moment, tick=False):
        return cards_sweep()


def test_the_dates_of_the_holiday_are_what_the_tests_assume(org: Any) -> None:
    case = accepted_case(org)
    assert case.due_date == DUE
    assert add_working_days(dt.date(2026, 9, 29), 2) == DUE  # 09-30, 10-08
    assert add_working_days(dt.date(2026, 9, 28), 2) == dt.date(2026, 9, 30)
    ticket = dispatched_ticket(org)
    assert ticket.due_at == at(10, 8, 23, 59, 59)


def test_case_yellow_exactly_two_working_days_before_across_the_holiday_and_red_the_day_after(
    org: Any,
) -> None:
    case = accepted_case(org)
    assert sweep_at(at(9, 28, 9)) == {"yellow": 0, "red": 0, "lifted": 0}  # 3 working days before
    assert not Card.objects.exists()
    assert sweep_at(at(9, 29, 0, 5)) == {"yellow": 1, "red": 0, "lifted": 0}  # 2 working days before
    card = Card.objects.get()
    assert (card.subject_kind, card.subject_id, card.subject_label) == (
        SubjectKind.CASE,
        case.pk,
        case.number,
    )
    assert (card.color, card.status, card.department, card.limit_date) == (
        CardColor.YELLOW,
        CardStatus.ISSUED,
        org.scjg,
        DUE,
    )
    assert card.reason == "距办理期限还有2个工作日（办理期限2026-10-08）"
    assert card.issued_by is None and card.title == case.item_version.name
    assert card.answer_due == dt.date(2026, 10, 9)  # 3 working days from 09-29: 09-30, 10-08, 10-09
    for day in (30, 1, 2, 3, 4, 5, 6, 7):  # the last day before and the whole holiday: nothing new
        month = 9 if day == 30 else 10
        assert sweep_at(at(month, day, 12)) == {"yellow": 0, "red": 0, "lifted": 0}
    assert sweep_at(at(10, 8, 23, 59)) == {"yellow": 0, "red": 0, "lifted": 0}  # the due date itself
    assert sweep_at(at(10, 9, 0, 1)) == {"yellow": 0, "red": 1, "lifted": 0}
    red = Card.objects.get(color=CardColor.RED)
    assert red.reason == "已超过办理期限1个工作日（办理期限2026-10-08）"
    assert red.answer_due == dt.date(2026, 10, 13)  # 10-10 (Saturday, worked), 10-12, 10-13
    assert Card.objects.filter(status=CardStatus.ISSUED).count() == 2  # the yellow stays: the case is late
    assert list(CardEvent.objects.order_by("pk").values_list("action", flat=True)) == ["issued", "issued"]
    assert AuditEvent.objects.filter(action="supervision.card_issued").count() == 2
    assert audit_verify_chain().ok


def test_yellow_days_is_the_centres_rule(org: Any) -> None:
    accepted_case(org)
    CardPolicy.objects.create(subject_kind=SubjectKind.CASE, yellow_days=3, answer_days=5)
    assert sweep_at(at(9, 28))["yellow"] == 1  # now 3 working days before is enough
    assert Card.objects.get().answer_due == add_working_days(dt.date(2026, 9, 28), 5)


def test_an_inactive_rule_issues_nothing(org: Any) -> None:
    accepted_case(org)
    CardPolicy.objects.create(subject_kind=SubjectKind.CASE, yellow_days=2, answer_days=3, active=False)
    assert sweep_at(at(10, 9)) == {"yellow": 0, "red": 0, "lifted": 0}


def test_a_case_first_seen_overdue_gets_only_the_red_card(org: Any) -> None:
    case = accepted_case(org)
    assert sweep_at(at(10, 12)) == {"yellow": 0, "red": 1, "lifted": 0}
    card = Card.objects.get()
    assert card.color == CardColor.RED and card.subject_id == case.pk
    assert card.reason == "已超过办理期限3个工作日（办理期限2026-10-08）"  # 10-09, 10-10, 10-12


def test_sweep_twice_is_one_card(org: Any) -> None:
    accepted_case(org)
    dispatched_ticket(org)
    first = sweep_at(at(9, 30))
    assert first == {"yellow": 2, "red": 0, "lifted": 0}
    assert sweep_at(at(9, 30, 11)) == {"yellow": 0, "red": 0, "lifted": 0}
    assert Card.objects.count() == 2 and CardEvent.objects.count() == 2
    assert AuditEvent.objects.filter(action="supervision.card_issued").count() == 2


def test_a_paused_case_gets_no_card(org: Any) -> None:
    case = accepted_case(org)
    with time_machine.travel(at(9, 22), tick=False):
        case_services.case_start_review(actor=org.user("reviewer"), case=case)
        timing.case_special_procedure_start(
            actor=org.user("reviewer"), case=case, kind="inspection", days=5, reason="现场核查"
        )
    assert sweep_at(at(10, 12)) == {"yellow": 0, "red": 0, "lifted": 0}


def test_closed_and_unaccepted_cases_get_no_card(org: Any) -> None:
    case = accepted_case(org)
    with time_machine.travel(at(9, 22), tick=False):
        case_services.case_start_review(actor=org.user("reviewer"), case=case)
        case_services.case_decide(actor=org.user("reviewer"), case=case, decision="approve")
    assert sweep_at(at(10, 12)) == {"yellow": 0, "red": 0, "lifted": 0}


def test_ticket_yellow_one_working_day_before_across_the_holiday_and_red_after_the_limit(org: Any) -> None:
    ticket = dispatched_ticket(org)  # due 10-08 23:59:59; hotline yellow_days defaults to 1
    assert sweep_at(at(9, 29, 18)) == {"yellow": 0, "red": 0, "lifted": 0}  # 2 working days before
    assert sweep_at(at(9, 30, 8)) == {"yellow": 1, "red": 0, "lifted": 0}  # 1 working day before
    card = Card.objects.get()
    assert (card.subject_kind, card.subject_id, card.subject_label, card.department) == (
        SubjectKind.HOTLINE,
        ticket.pk,
        ticket.number,
        org.zjj,
    )
    assert card.reason == "距办理期限还有1个工作日（办理期限2026-10-08）"
    assert "13800000001" not in card.title and "138****0001" in card.title  # personal data masked
    assert sweep_at(at(10, 8, 23, 59, 58)) == {"yellow": 0, "red": 0, "lifted": 0}
    assert sweep_at(at(10, 9, 0, 0, 1)) == {"yellow": 0, "red": 1, "lifted": 0}
    assert Card.objects.get(color=CardColor.RED).reason == "已超过办理期限1个工作日（办理期限2026-10-08）"


def test_ticket_with_two_yellow_days_follows_the_rule_too(org: Any) -> None:
    CardPolicy.objects.create(subject_kind=SubjectKind.HOTLINE, yellow_days=2, answer_days=3)
    # 求助: 5 working days from 09-28 (09-29, 09-30, 10-08, 10-09 and Saturday 10-10): due 10-10.
    dispatched_ticket(org, when=at(9, 28, 10), nature="help")
    assert sweep_at(at(9, 30, 17))["yellow"] == 0  # 09-30 + 2 = 10-09
    assert sweep_at(at(10, 7, 10))["yellow"] == 0  # the holiday's last day: 10-07 + 2 = 10-09
    assert sweep_at(at(10, 8, 8))["yellow"] == 1  # 10-08 + 2 = 10-10
    assert Card.objects.get().limit_date == dt.date(2026, 10, 10)


def test_a_ticket_replied_in_time_lifts_its_yellow_card(org: Any) -> None:
    ticket = dispatched_ticket(org)
    sweep_at(at(9, 30))
    with time_machine.travel(at(9, 30, 15), tick=False):
        tickets.ticket_sign(ticket=ticket, actor=org.user("handler"))
        tickets.ticket_reply(
            ticket=ticket, actor=org.user("handler"), reply="已电话告知申请条件。", solved=True
        )
    assert sweep_at(at(9, 30, 16)) == {"yellow": 0, "red": 0, "lifted": 1}
    card = Card.objects.get()
    assert card.status == CardStatus.LIFTED and card.lifted_at == at(9, 30, 16)
    assert list(card.events.values_list("action", flat=True)) == ["issued", "lifted"]
    assert sweep_at(at(10, 9)) == {"yellow": 0, "red": 0, "lifted": 0}  # nothing more


def test_a_case_decided_in_time_lifts_its_yellow_card_and_a_late_one_does_not(org: Any) -> None:
    on_time = accepted_case(org)
    late = accepted_case(org)
    sweep_at(at(9, 29))
    assert Card.objects.filter(color=CardColor.YELLOW).count() == 2
    with time_machine.travel(at(9, 30), tick=False):
        case_services.case_start_review(actor=org.user("reviewer"), case=on_time)
        case_services.case_decide(actor=org.user("reviewer"), case=on_time, decision="approve")
    assert sweep_at(at(9, 30, 12)) == {"yellow": 0, "red": 0, "lifted": 1}
    assert Card.objects.get(subject_id=on_time.pk).status == CardStatus.LIFTED
    assert sweep_at(at(10, 9)) == {"yellow": 0, "red": 1, "lifted": 0}
    with time_machine.travel(at(10, 9, 11), tick=False):
        case_services.case_start_review(actor=org.user("reviewer"), case=late)
        case_services.case_decide(actor=org.user("reviewer"), case=late, decision="approve")
    assert sweep_at(at(10, 9, 12)) == {"yellow": 0, "red": 0, "lifted": 0}  # decided after its limit
    assert Card.objects.get(subject_id=late.pk, color=CardColor.YELLOW).status == CardStatus.ISSUED


def test_the_department_is_told_once_per_sweep(org: Any) -> None:
    chief = org.user("chief_rep")
    chief.phone = "13700000009"
    chief.save(update_fields=["phone"])
    accepted_case(org)
    accepted_case(org)
    sweep_at(at(9, 29))
    notes = Notification.objects.filter(template="supervision.cards_issued")
    assert notes.count() == 1
    assert "黄牌2张、红牌0张" in notes.get().body and "10-09" in notes.get().body


def test_the_command_prints_the_counts(org: Any, capsys: Any) -> None:
    accepted_case(org)
    with time_machine.travel(at(10, 9), tick=False):
        call_command("supervision_sweep")
    out = capsys.readouterr().out
    assert "yellow=0" in out and "red=1" in out and "lifted=0" in out


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_issue_each_card_once(org: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    for _ in range(3):
        accepted_case(org)
    barrier = threading.Barrier(2)
    results: list[dict[str, int]] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(cards_sweep(now=at(10, 9)))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sum(result["red"] for result in results) == 3
    assert Card.objects.count() == 3 and CardEvent.objects.count() == 3
    assert AuditEvent.objects.filter(action="supervision.card_issued").count() == 3


def _sweep_queries(moment: dt.datetime) -> tuple[dict[str, int], int]:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries, time_machine.travel(moment, tick=False):
        report = cards_sweep()
    return report, len(queries)


def test_the_sweep_does_not_query_per_case(org: Any) -> None:
    for _ in range(2):
        accepted_case(org)
    dispatched_ticket(org)
    small, small_queries = _sweep_queries(at(10, 9))
    assert small == {"yellow": 0, "red": 3, "lifted": 0}
    Card.objects.all().delete()
    for _ in range(4):
        accepted_case(org)
    for _ in range(2):
        dispatched_ticket(org)
    large, large_queries = _sweep_queries(at(10, 9))
    assert large == {"yellow": 0, "red": 9, "lifted": 0}
    assert large_queries == small_queries


def test_a_replayed_day_is_swept_as_at_its_start(org: Any) -> None:
    dispatched_ticket(org)  # due at the end of 10-08
    with time_machine.travel(at(11, 20), tick=False):
        assert cards_sweep(today=dt.date(2026, 9, 30)) == {"yellow": 1, "red": 0, "lifted": 0}
        assert cards_sweep(today=dt.date(2026, 10, 8)) == {"yellow": 0, "red": 0, "lifted": 0}
        assert cards_sweep(today=dt.date(2026, 10, 9)) == {"yellow": 0, "red": 1, "lifted": 0}
    assert Card.objects.get(color=CardColor.YELLOW).issued_at == at(9, 30, 0)
