"""12345 tickets through the services: intake and its bad input, direct answers, dispatch and its limits in
working hours and days, signing, returns and their review (争议), joint handling, replies, extensions,
挂账, reminders and supervision, call-back and 重办, merging."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from yichuang.accounts.roles import Role
from yichuang.accounts.tests.factories import UserFactory
from yichuang.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from yichuang.core.models import AuditEvent, Notification
from yichuang.hotline import hooks, tickets
from yichuang.hotline.models import HotlineCategory, HotlineLimit, HotlineStatus, HotlineTicket

pytestmark = pytest.mark.django_db
S = HotlineStatus


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, minute))


MONDAY = dt.date(2026, 11, 23)
FRIDAY = dt.date(2026, 11, 27)


@pytest.fixture
def category(db: Any) -> HotlineCategory:
    top = HotlineCategory.objects.create(level=1, name="城乡建设", path="城乡建设")
    return HotlineCategory.objects.create(level=2, name="住房保障", path="城乡建设/住房保障", parent=top)


@pytest.fixture
def co_handler(org: Any) -> Any:
    return UserFactory(username="handler_scjg", role=Role.HANDLER, department=org.scjg, phone="13600000002")


def _intake(org: Any, category: Any = None, *, now: dt.datetime | None = None, **extra: Any) -> HotlineTicket:
    values: dict[str, Any] = {
        "channel": "phone",
        "nature": "complaint",
        "urgency": "C",
        "title": "小区电梯长期故障",
        "content": "幸福里小区3号楼电梯停运两周，物业不修。",
        "caller_name": "王女士",
        "caller_phone": "13800000001",
        "division_code": "150824",
        "category": category,
        **extra,
    }
    return tickets.ticket_intake(actor=org.user("operator"), now=now or _at(MONDAY, 10), **values)


def _dispatched(org: Any, category: Any, *, now: dt.datetime | None = None, **extra: Any) -> HotlineTicket:
    ticket = _intake(org, category, now=now)
    return tickets.ticket_dispatch(
        ticket=ticket, actor=org.user("operator"), lead=org.zjj, now=now or _at(MONDAY, 10), **extra
    )


def test_intake_numbers_and_records_the_call(org: Any, category: Any) -> None:
    first = _intake(org, category)
    second = _intake(org, category)
    assert first.number == "RX202611230001" and second.number == "RX202611230002"
    assert first.status == S.RECEIVED and first.received_by == org.user("operator")
    assert list(first.steps.values_list("action", flat=True)) == ["intake"]
    assert AuditEvent.objects.filter(action="hotline.ticket_intake").count() == 2
    again = _intake(org, category, idempotency_key="k1")
    assert _intake(org, category, idempotency_key="k1").pk == again.pk


def test_bad_intake_names_every_field_and_writes_nothing(org: Any) -> None:
    with pytest.raises(ApplicationError) as error:
        tickets.ticket_intake(
            actor=org.user("operator"),
            channel="fax",
            nature="rumour",
            urgency="Z",
            content="",
            caller_phone="",
        )
    assert set(error.value.fields) == {"channel", "nature", "urgency", "content", "caller_phone"}  # type: ignore[arg-type]
    assert not HotlineTicket.objects.exists()
    anonymous = tickets.ticket_intake(
        actor=org.user("operator"), channel="web", nature="report", content="夜间非法排污", anonymous=True,
        caller_name="不应保存",
    )  # fmt: skip
    assert anonymous.caller_name == "" and anonymous.title == "夜间非法排污"
    with pytest.raises(PermissionDeniedError):
        tickets.ticket_intake(
            actor=org.user("handler"), channel="phone", nature="consult", content="x", anonymous=True
        )


def test_a_direct_answer_closes_at_intake(org: Any) -> None:
    ticket = _intake(org, nature="consult", content="社保卡补办需要什么材料？")
    closed = tickets.ticket_answer_directly(
        ticket=ticket, actor=org.user("operator"), reply="携带身份证到社保窗口办理"
    )
    assert (closed.status, closed.answered_directly, closed.solved) == (S.CLOSED, True, True)


def test_dispatch_sets_the_limits_in_working_time(org: Any, category: Any) -> None:
    handler = org.user("handler")
    handler.phone = "13600000001"
    handler.save()
    # A 投诉, urgency C: sign within 24 working hours, handle within 15 working days.
    ticket = _dispatched(org, category)
    sms = Notification.objects.get(template="hotline.dispatched")
    assert sms.to == "13600000001" and ticket.number in sms.body and "11-24 10:00" in sms.body
    assert timezone.localtime(ticket.sign_due_at) == _at(MONDAY + dt.timedelta(days=1), 10)
    assert timezone.localtime(ticket.due_at).date() == dt.date(2026, 12, 14)
    # Dispatched on Friday afternoon: the weekend does not count.
    friday = _dispatched(org, category, now=_at(FRIDAY, 16))
    assert timezone.localtime(friday.sign_due_at) == _at(dt.date(2026, 11, 30), 16)
    # Limits are data: an urgent 求助 with the centre's own row.
    HotlineLimit.objects.update_or_create(
        nature="help", urgency="A", defaults={"sign_hours": 1, "return_hours": 1, "handle_days": 1}
    )
    urgent = tickets.ticket_dispatch(
        ticket=_intake(org, nature="help", urgency="A"),
        actor=org.user("operator"),
        lead=org.zjj,
        now=_at(MONDAY, 10),
    )
    assert timezone.localtime(urgent.sign_due_at) == _at(MONDAY, 11)
    assert timezone.localtime(urgent.due_at).date() == dt.date(2026, 11, 24)


def test_joint_handling_to_the_call_back(org: Any, category: Any, co_handler: Any) -> None:
    ticket = _dispatched(org, category, co_handlers=[org.scjg])
    handler = org.user("handler")
    with pytest.raises(PermissionDeniedError):
        tickets.ticket_sign(ticket=ticket, actor=org.user("reviewer_wjw"), now=_at(MONDAY, 11))
    tickets.ticket_sign(ticket=ticket, actor=handler, now=_at(MONDAY, 11))
    with pytest.raises(ConflictError):
        tickets.ticket_sign(ticket=ticket, actor=handler, now=_at(MONDAY, 11))
    with pytest.raises(ConflictError) as pending:
        tickets.ticket_reply(ticket=ticket, actor=handler, reply="已修复", solved=True, now=_at(MONDAY, 15))
    assert pending.value.code == "co_handlers_pending" and "市场监管局" in pending.value.message
    tickets.ticket_co_reply(ticket=ticket, actor=co_handler, reply="已约谈电梯维保单位", now=_at(MONDAY, 14))
    tickets.ticket_reply(
        ticket=ticket, actor=handler, reply="电梯已修复并通过检验", solved=True, now=_at(MONDAY, 16)
    )
    ticket.refresh_from_db()
    assert ticket.status == S.REPLIED and ticket.solved is True
    seen: list[str] = []
    hooks.on_called_back(lambda **kw: seen.append(kw["result"]))
    tickets.ticket_call_back(
        ticket=ticket, actor=org.user("operator"), result="satisfied", now=_at(MONDAY, 17)
    )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.callback_result) == (S.CLOSED, "satisfied") and "satisfied" in seen
    actions = list(ticket.steps.values_list("action", flat=True))
    assert actions == ["intake", "dispatch", "sign", "co_reply", "reply", "close"]


def test_a_return_is_reviewed_by_the_office(org: Any, category: Any) -> None:
    ticket = _dispatched(org, category)
    handler = org.user("handler")
    with pytest.raises(ApplicationError):
        tickets.ticket_return(ticket=ticket, actor=handler, reason="", now=_at(MONDAY, 11))
    tickets.ticket_return(ticket=ticket, actor=handler, reason="物业管理不属本局职责", now=_at(MONDAY, 11))
    ticket.refresh_from_db()
    assert ticket.status == S.RETURN_REVIEW
    with pytest.raises(PermissionDeniedError):
        tickets.ticket_return_review(ticket=ticket, actor=handler, accept=True, lead=org.scjg, note="x")
    # Refused: back to the department that returned it, with new limits.
    tickets.ticket_return_review(
        ticket=ticket,
        actor=org.user("operator"),
        accept=False,
        note="依据三定方案属住建局职责",
        now=_at(MONDAY, 14),
    )
    ticket.refresh_from_db()
    assert ticket.status == S.DISPATCHED and ticket.lead == org.zjj
    tickets.ticket_return(ticket=ticket, actor=handler, reason="仍有异议", now=_at(MONDAY, 15))
    tickets.ticket_return_review(
        ticket=ticket,
        actor=org.user("operator"),
        accept=True,
        lead=org.scjg,
        note="改派市场监管局",
        now=_at(MONDAY, 16),
    )
    ticket.refresh_from_db()
    assert ticket.status == S.DISPATCHED and ticket.lead == org.scjg
    actions = list(ticket.steps.values_list("action", flat=True))
    assert actions == ["intake", "dispatch", "return", "return_refused", "return", "return_accepted"]


def test_returns_only_before_signing_and_within_the_limit(org: Any, category: Any) -> None:
    late = _dispatched(org, category)
    with pytest.raises(ApplicationError) as error:
        tickets.ticket_return(
            ticket=late,
            actor=org.user("handler"),
            reason="非本单位",
            now=_at(MONDAY + dt.timedelta(days=2), 10),
        )
    assert error.value.code == "return_too_late"
    signed = _dispatched(org, category)
    tickets.ticket_sign(ticket=signed, actor=org.user("handler"), now=_at(MONDAY, 11))
    with pytest.raises(ConflictError):
        tickets.ticket_return(
            ticket=signed, actor=org.user("handler"), reason="非本单位", now=_at(MONDAY, 12)
        )


def _replied(org: Any, category: Any) -> HotlineTicket:
    ticket = _dispatched(org, category)
    tickets.ticket_sign(ticket=ticket, actor=org.user("handler"), now=_at(MONDAY, 11))
    tickets.ticket_reply(
        ticket=ticket, actor=org.user("handler"), reply="已处理", solved=True, now=_at(MONDAY, 12)
    )
    return ticket


def test_unsatisfied_reopens_up_to_the_limit(org: Any, category: Any) -> None:
    ticket = _replied(org, category)
    office, handler = org.user("operator"), org.user("handler")
    tickets.ticket_call_back(
        ticket=ticket, actor=office, result="unreached", note="无人接听", now=_at(MONDAY, 13)
    )
    ticket.refresh_from_db()
    assert ticket.status == S.REPLIED
    for round_ in (1, 2):
        tickets.ticket_call_back(ticket=ticket, actor=office, result="unsatisfied", now=_at(MONDAY, 14))
        ticket.refresh_from_db()
        assert (ticket.status, ticket.reopen_count) == (S.HANDLING, round_)
        tickets.ticket_reply(
            ticket=ticket, actor=handler, reply=f"第{round_}次重办", solved=False, now=_at(MONDAY, 15)
        )
    tickets.ticket_call_back(ticket=ticket, actor=office, result="unsatisfied", now=_at(MONDAY, 16))
    ticket.refresh_from_db()
    assert (ticket.status, ticket.callback_result, ticket.reopen_count) == (S.CLOSED, "unsatisfied", 2)


def test_extension_and_long_term(org: Any, category: Any) -> None:
    ticket = _dispatched(org, category)
    handler, office = org.user("handler"), org.user("operator")
    tickets.ticket_sign(ticket=ticket, actor=handler, now=_at(MONDAY, 11))
    before = ticket.due_at
    tickets.ticket_extension(ticket=ticket, actor=handler, days=5, reason="需现场检测", now=_at(MONDAY, 12))
    ticket.refresh_from_db()
    assert ticket.due_at == before  # asked, not yet approved
    with pytest.raises(PermissionDeniedError):
        tickets.ticket_extension(ticket=ticket, actor=handler, days=5, reason="自己批准", approve=True)
    tickets.ticket_extension(
        ticket=ticket, actor=office, days=5, reason="同意", approve=True, now=_at(MONDAY, 13)
    )
    ticket.refresh_from_db()
    assert timezone.localtime(ticket.due_at).date() == dt.date(2026, 12, 21) and ticket.extension_days == 5
    tickets.ticket_long_term(
        ticket=ticket,
        actor=handler,
        plan="纳入明年老旧小区改造",
        plan_due=dt.date(2027, 6, 30),
        now=_at(MONDAY, 14),
    )
    ticket.refresh_from_db()
    assert ticket.status == S.LONG_TERM and ticket.long_term_due == dt.date(2027, 6, 30)


def test_the_sweep_reminds_and_supervises_once(org: Any, category: Any) -> None:
    ticket = _dispatched(org, category)
    assert tickets.hotline_sweep(_at(MONDAY, 23)) == {"reminded": 0, "supervised": 0}
    assert tickets.hotline_sweep(_at(MONDAY + dt.timedelta(days=1), 11)) == {"reminded": 1, "supervised": 0}
    assert tickets.hotline_sweep(_at(MONDAY + dt.timedelta(days=1), 12)) == {"reminded": 0, "supervised": 0}
    with time_machine.travel(_at(dt.date(2026, 12, 15), 9), tick=False):
        assert tickets.hotline_sweep() == {"reminded": 0, "supervised": 1}
    ticket.refresh_from_db()
    assert ticket.supervised and ticket.reminders == 2
    assert list(ticket.steps.values_list("action", flat=True))[-2:] == ["remind", "supervise"]


def test_a_repeat_is_merged_into_the_open_ticket(org: Any, category: Any) -> None:
    first = _dispatched(org, category)
    repeat = _intake(org, category)
    merged = tickets.ticket_merge(ticket=repeat, into=first, actor=org.user("operator"))
    assert merged.status == S.MERGED and merged.merged_into == first
    with pytest.raises(ApplicationError):
        tickets.ticket_merge(ticket=first, into=first, actor=org.user("operator"))


def test_the_sweep_command(org: Any, category: Any) -> None:
    import io

    from django.core.management import call_command

    _dispatched(org, category)
    out = io.StringIO()
    with time_machine.travel(_at(dt.date(2026, 12, 15), 9), tick=False):
        call_command("hotline_sweep", stdout=out)
    assert "reminded=1 supervised=1" in out.getvalue()
