"""预约: slots from the plans and the hall's hours (延时, 不打烊, holidays), booking within capacity, one per
person and day, the ban after repeated no-shows, cancelling, check-in for a ticket served at its slot."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
import time_machine
from django.db import connection

from yichuang.accounts.tests.factories import valid_id_number
from yichuang.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from yichuang.core.models import AuditEvent, Notification
from yichuang.hall import appointments, calling, tickets, windows
from yichuang.hall.models import (
    Appointment,
    AppointmentSlot,
    AppointmentStatus,
    SlotPlan,
    TicketSource,
    TicketStatus,
)
from yichuang.hall.tests.helpers import MONDAY, SATURDAY, at, make_hall

pytestmark = pytest.mark.django_db

FRIDAY_BEFORE = MONDAY - dt.timedelta(days=3)  # 2026-11-20


def with_plans(org: Any, **hall_changes: Any) -> Any:
    setup = make_hall(org, tidal=False)
    for name, value in hall_changes.items():
        setattr(setup.hall, name, value)
    setup.hall.save()
    general = setup.general
    SlotPlan.objects.create(category=general, starts_at=dt.time(9), ends_at=dt.time(10), capacity=2)
    SlotPlan.objects.create(category=general, starts_at=dt.time(10), ends_at=dt.time(11), capacity=2)
    SlotPlan.objects.create(category=general, starts_at=dt.time(16, 30), ends_at=dt.time(17, 30), capacity=2)
    SlotPlan.objects.create(category=general, starts_at=dt.time(17, 30), ends_at=dt.time(18, 30), capacity=1)
    SlotPlan.objects.create(
        category=general, days=SlotPlan.Days.WEEKEND, starts_at=dt.time(9), ends_at=dt.time(10), capacity=1
    )
    return setup


def book(setup: Any, org: Any, *, day: dt.date = MONDAY, time: str = "10:00", **extra: Any) -> Appointment:
    values: dict[str, Any] = {
        "category": setup.general,
        "day": day,
        "starts_at": time,
        "actor": org.user("applicant"),
        "holder_name": "张三",
        "id_number": valid_id_number(),
        "phone": "13912345678",
    }
    values.update(extra)
    return appointments.appointment_book(**values)


def labels(slots: list[appointments.Slot]) -> list[str]:
    return [slot.label for slot in slots]


# ---------------------------------------------------------------- slots


def test_working_day_slots_include_extended_hours(org: Any) -> None:
    setup = with_plans(org)
    slots = appointments.slots_for(category=setup.general, day=MONDAY, now=at(FRIDAY_BEFORE, 10))
    assert labels(slots) == ["09:00—10:00", "10:00—11:00", "16:30—17:30", "17:30—18:30"]
    assert [s.remaining for s in slots] == [2, 2, 2, 1]


def test_no_extended_slots_without_extended_hours(org: Any) -> None:
    setup = with_plans(org, extended_closes_at=None)
    slots = appointments.slots_for(category=setup.general, day=MONDAY, now=at(FRIDAY_BEFORE, 10))
    # 16:30—17:30 is clipped to the closing time; 17:30—18:30 lies wholly after it.
    assert labels(slots) == ["09:00—10:00", "10:00—11:00", "16:30—17:00"]


def test_weekend_slots_only_when_the_hall_opens_at_weekends(org: Any) -> None:
    setup = with_plans(org)
    now = at(MONDAY, 10)
    assert labels(appointments.slots_for(category=setup.general, day=SATURDAY, now=now)) == ["09:00—10:00"]
    setup.hall.weekend_opens_at = setup.hall.weekend_closes_at = None
    setup.hall.save()
    setup.general.refresh_from_db()
    assert appointments.slots_for(category=setup.general, day=SATURDAY, now=now) == []


def test_no_slots_on_a_statutory_holiday(org: Any) -> None:
    setup = with_plans(org)
    now = at(dt.date(2026, 9, 28), 10)
    assert appointments.slots_for(category=setup.general, day=dt.date(2026, 10, 1), now=now) == []
    assert dt.date(2026, 10, 1) not in appointments.bookable_days(category=setup.general, now=now)
    assert appointments.slots_for(category=setup.general, day=dt.date(2026, 9, 29), now=now)


def test_days_offered_today_not_begun_up_to_the_horizon(org: Any) -> None:
    setup = with_plans(org, booking_days_ahead=3)
    now = at(MONDAY, 9, 30)
    today = appointments.slots_for(category=setup.general, day=MONDAY, now=now)
    assert labels(today)[0] == "10:00—11:00"  # 09:00 has begun
    days = appointments.bookable_days(category=setup.general, now=now)
    assert days == [MONDAY + dt.timedelta(days=n) for n in range(4)]
    assert appointments.slots_for(category=setup.general, day=MONDAY + dt.timedelta(days=4), now=now) == []
    assert appointments.slots_for(category=setup.general, day=MONDAY - dt.timedelta(days=1), now=now) == []


def test_not_bookable_category_has_no_slots(org: Any) -> None:
    setup = with_plans(org)
    setup.general.bookable = False
    setup.general.save()
    assert appointments.slots_for(category=setup.general, day=MONDAY, now=at(FRIDAY_BEFORE, 10)) == []


# ---------------------------------------------------------------- booking


def test_book_takes_a_place_sends_sms_and_audits(org: Any) -> None:
    setup = with_plans(org)
    with time_machine.travel(at(FRIDAY_BEFORE, 10), tick=False):
        appointment = book(setup, org)
    assert appointment.status == AppointmentStatus.BOOKED
    assert len(appointment.code) == appointments.CODE_LENGTH
    assert set(appointment.code) <= set(appointments.CODE_ALPHABET)
    assert appointment.user == org.user("applicant")
    assert appointment.slot.booked == 1
    slots = appointments.slots_for(category=setup.general, day=MONDAY, now=at(FRIDAY_BEFORE, 10))
    assert [s.remaining for s in slots if s.key == "10:00"] == [1]
    sms = Notification.objects.get(template=appointments.BOOKED_TEMPLATE)
    assert appointment.code in sms.body
    assert AuditEvent.objects.filter(action="hall.appointment_booked", object_id=str(appointment.pk)).exists()


def test_capacity_is_never_exceeded(org: Any) -> None:
    setup = with_plans(org)
    with time_machine.travel(at(FRIDAY_BEFORE, 10), tick=False):
        book(setup, org)
        book(setup, org)
        with pytest.raises(ConflictError) as error:
            book(setup, org)
    assert error.value.code == "slot_full"
    slot = AppointmentSlot.objects.get(category=setup.general, day=MONDAY, starts_at=dt.time(10))
    assert (slot.booked, slot.capacity) == (2, 2)
    assert Appointment.objects.count() == 2


def test_full_row_refuses_even_when_the_listing_was_stale(org: Any) -> None:
    # Another process filled the slot after this one listed it: only the conditional update decides.
    setup = with_plans(org)
    AppointmentSlot.objects.create(
        category=setup.general,
        day=MONDAY,
        starts_at=dt.time(17, 30),
        ends_at=dt.time(18, 30),
        capacity=1,
        booked=1,
    )
    with time_machine.travel(at(FRIDAY_BEFORE, 10), tick=False), pytest.raises(ConflictError) as error:
        book(setup, org, time="17:30")
    assert error.value.code == "slot_full"
    assert AppointmentSlot.objects.get(starts_at=dt.time(17, 30)).booked == 1


def test_raised_plan_capacity_applies_to_an_existing_row(org: Any) -> None:
    setup = with_plans(org)
    with time_machine.travel(at(FRIDAY_BEFORE, 10), tick=False):
        book(setup, org, time="17:30")
        SlotPlan.objects.filter(starts_at=dt.time(17, 30)).update(capacity=2)
        book(setup, org, time="17:30")
        SlotPlan.objects.filter(starts_at=dt.time(17, 30)).update(capacity=1)
        with pytest.raises(ConflictError):
            book(setup, org, time="17:30")
    slot = AppointmentSlot.objects.get(starts_at=dt.time(17, 30))
    assert (slot.booked, slot.capacity) == (2, 2)  # lowered plan never goes below the places taken


def test_one_live_booking_per_person_category_and_day(org: Any) -> None:
    setup = with_plans(org)
    person = valid_id_number()
    with time_machine.travel(at(FRIDAY_BEFORE, 10), tick=False):
        first = book(setup, org, id_number=person)
        with pytest.raises(ConflictError) as error:
            book(setup, org, id_number=person, time="09:00")
        assert error.value.code == "appointment_held"
        SlotPlan.objects.create(category=setup.estate, starts_at=dt.time(10), ends_at=dt.time(11), capacity=1)
        book(setup, org, id_number=person, category=setup.estate)  # another category the same day
        book(setup, org, id_number=person, day=MONDAY + dt.timedelta(days=1))
        appointments.appointment_cancel(appointment=first, actor=org.user("applicant"))
        again = book(setup, org, id_number=person, time="09:00")
    assert again.status == AppointmentStatus.BOOKED


def test_constraint_race_becomes_a_conflict(org: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # Two parallel requests both passed the friendly check: the partial unique index refuses the second.
    setup = with_plans(org)
    person = valid_id_number()
    with time_machine.travel(at(FRIDAY_BEFORE, 10), tick=False):
        book(setup, org, id_number=person)
        real_filter = Appointment.objects.filter

        class Blind:
            def first(self) -> None:
                return None

        def blind_filter(*args: Any, **kwargs: Any) -> Any:
            if "status__in" in kwargs:
                return Blind()
            return real_filter(*args, **kwargs)

        monkeypatch.setattr(Appointment.objects, "filter", blind_filter)
        with pytest.raises(ConflictError) as error:
            book(setup, org, id_number=person, time="09:00")
    assert error.value.code == "appointment_held"
    # The place taken for the refused booking was given back with it.
    assert not AppointmentSlot.objects.filter(starts_at=dt.time(9), booked__gt=0).exists()


def test_idempotent_on_the_key(org: Any) -> None:
    setup = with_plans(org)
    with time_machine.travel(at(FRIDAY_BEFORE, 10), tick=False):
        first = book(setup, org, idempotency_key="k-1")
        again = book(setup, org, idempotency_key="k-1")
    assert again.pk == first.pk
    assert Appointment.objects.count() == 1
    assert AppointmentSlot.objects.get(starts_at=dt.time(10)).booked == 1


def test_booking_validates_inputs_and_slot(org: Any) -> None:
    setup = with_plans(org)
    with time_machine.travel(at(FRIDAY_BEFORE, 10), tick=False):
        with pytest.raises(ApplicationError) as error:
            book(setup, org, id_number="150824199001011230", phone="1234")
        assert "id_number" in error.value.fields and "phone" in error.value.fields
        with pytest.raises(ApplicationError) as error:
            book(setup, org, holder_name="")
        assert error.value.fields == {"holder_name": ["请填写姓名"]}
        with pytest.raises(ApplicationError) as error:
            book(setup, org, time="12:00")
        assert error.value.code == "no_such_slot"
        with pytest.raises(ApplicationError) as error:
            book(setup, org, day=MONDAY + dt.timedelta(days=10))
        assert error.value.code == "day_out_of_range"
    with time_machine.travel(at(MONDAY, 10, 5), tick=False), pytest.raises(ApplicationError) as error:
        book(setup, org, time="10:00")  # has begun
    assert error.value.code == "no_such_slot"


def test_who_may_book(org: Any) -> None:
    setup = with_plans(org)
    with time_machine.travel(at(FRIDAY_BEFORE, 10), tick=False):
        with pytest.raises(PermissionDeniedError):
            book(setup, org, actor=org.user("reviewer"))
        with pytest.raises(PermissionDeniedError):
            book(setup, org, actor=None)
        desk = book(setup, org, actor=setup.clerks["issuer"])
    assert desk.user is None


# ---------------------------------------------------------------- no-shows and the ban


def test_ban_after_repeated_no_shows_and_its_lifting(org: Any) -> None:
    setup = with_plans(org, no_show_limit=3, no_show_period_days=90, booking_ban_days=30)
    person = valid_id_number()
    days = [MONDAY, MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=2)]
    with time_machine.travel(at(FRIDAY_BEFORE, 10), tick=False):
        for day in days:
            book(setup, org, id_number=person, day=day)
    assert appointments.appointments_mark_no_show(now=at(MONDAY, 11, 14)) == 0  # within the grace
    assert appointments.appointments_mark_no_show(now=at(MONDAY, 11, 16)) == 1
    assert appointments.appointments_mark_no_show(now=at(MONDAY, 11, 16)) == 0  # idempotent
    # Two no-shows: still allowed.
    appointments.appointments_mark_no_show(now=at(days[1], 12))
    with time_machine.travel(at(days[1], 12), tick=False):
        assert appointments.booking_ban_until(hall=setup.hall, id_number=person) is None
    assert appointments.appointments_mark_no_show(now=at(days[2], 12)) == 1
    assert Appointment.objects.filter(status=AppointmentStatus.NO_SHOW).count() == 3
    lifted = days[2] + dt.timedelta(days=30)
    with time_machine.travel(at(days[2], 15), tick=False), pytest.raises(ApplicationError) as error:
        book(setup, org, id_number=person, day=days[2] + dt.timedelta(days=2))
    assert error.value.code == "booking_banned"
    assert f"{lifted:%Y年%m月%d日}" in error.value.message
    with (
        time_machine.travel(at(lifted - dt.timedelta(days=1), 15), tick=False),
        pytest.raises(ApplicationError),
    ):
        book(setup, org, id_number=person, day=lifted + dt.timedelta(days=3))
    with time_machine.travel(at(lifted, 8), tick=False):
        later = book(setup, org, id_number=person, day=lifted + dt.timedelta(days=3))
    assert later.status == AppointmentStatus.BOOKED
    # Someone else is not affected.
    with time_machine.travel(at(days[2], 15), tick=False):
        assert book(setup, org, day=days[2] + dt.timedelta(days=2)).status == AppointmentStatus.BOOKED
    assert AuditEvent.objects.filter(action="hall.appointment_no_show").count() == 3


def test_no_show_marks_only_lapsed_booked_appointments(org: Any) -> None:
    setup = with_plans(org)
    with time_machine.travel(at(FRIDAY_BEFORE, 10), tick=False):
        lapsed = book(setup, org, time="09:00")
        cancelled = book(setup, org, time="09:00")
        later = book(setup, org, time="16:30")
        appointments.appointment_cancel(appointment=cancelled, actor=org.user("applicant"))
    assert appointments.appointments_mark_no_show(now=at(MONDAY, 12)) == 1
    statuses = dict(Appointment.objects.values_list("pk", "status"))
    assert statuses == {
        lapsed.pk: AppointmentStatus.NO_SHOW,
        cancelled.pk: AppointmentStatus.CANCELLED,
        later.pk: AppointmentStatus.BOOKED,
    }


# ---------------------------------------------------------------- cancelling


def test_cancel_frees_a_place(org: Any) -> None:
    setup = with_plans(org)
    with time_machine.travel(at(FRIDAY_BEFORE, 10), tick=False):
        first = book(setup, org, time="17:30")
        with pytest.raises(ConflictError):
            book(setup, org, time="17:30")
        cancelled = appointments.appointment_cancel(appointment=first, actor=org.user("applicant"))
        assert cancelled.status == AppointmentStatus.CANCELLED
        assert AppointmentSlot.objects.get(starts_at=dt.time(17, 30)).booked == 0
        book(setup, org, time="17:30")
        with pytest.raises(ConflictError):
            appointments.appointment_cancel(appointment=first, actor=org.user("applicant"))
    assert AuditEvent.objects.filter(action="hall.appointment_cancelled").count() == 1


def test_cancel_only_by_booker_or_desk_and_before_the_slot(org: Any) -> None:
    setup = with_plans(org)
    with time_machine.travel(at(FRIDAY_BEFORE, 10), tick=False):
        mine = book(setup, org)
        with pytest.raises(PermissionDeniedError):
            appointments.appointment_cancel(appointment=mine, actor=org.user("reviewer"))
        other = book(setup, org, time="09:00")
        appointments.appointment_cancel(appointment=other, actor=setup.clerks["issuer"])
    with time_machine.travel(at(MONDAY, 10, 0), tick=False), pytest.raises(ConflictError) as error:
        appointments.appointment_cancel(appointment=mine, actor=org.user("applicant"))
    assert error.value.code == "slot_begun"


# ---------------------------------------------------------------- check-in


def test_check_in_window_early_and_late(org: Any) -> None:
    setup = with_plans(org)  # early 30, late 15
    person = valid_id_number()
    with time_machine.travel(at(FRIDAY_BEFORE, 10), tick=False):
        appointment = book(setup, org, id_number=person)
    with pytest.raises(ApplicationError) as error:
        appointments.appointment_check_in(code=appointment.code, id_number=person, now=at(MONDAY, 9, 29))
    assert error.value.code == "checkin_too_early"
    assert "09:30" in error.value.message
    with pytest.raises(ApplicationError) as error:
        appointments.appointment_check_in(
            code=appointment.code, id_number=valid_id_number(), now=at(MONDAY, 9, 40)
        )
    assert error.value.code == "checkin_mismatch"
    with pytest.raises(ApplicationError) as error:
        appointments.appointment_check_in(code="NOSUCH22", id_number=person, now=at(MONDAY, 9, 40))
    assert error.value.code == "checkin_mismatch"
    with pytest.raises(ConflictError) as error:
        appointments.appointment_check_in(code=appointment.code, id_number=person, now=at(MONDAY, 10, 16))
    assert error.value.code == "checkin_too_late"
    assert "普通号" in error.value.message
    ticket = appointments.appointment_check_in(
        code=appointment.code.lower(), id_number=person, now=at(MONDAY, 10, 15)
    )
    assert ticket.source == TicketSource.APPOINTMENT
    assert ticket.slot_at == at(MONDAY, 10)
    assert ticket.appointment_id == appointment.pk
    assert ticket.user == org.user("applicant")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN
    again = appointments.appointment_check_in(code=appointment.code, id_number=person, now=at(MONDAY, 10, 20))
    assert again.pk == ticket.pk
    assert AuditEvent.objects.filter(action="hall.appointment_checked_in").count() == 1
    # A checked-in appointment is never a no-show.
    assert appointments.appointments_mark_no_show(now=at(MONDAY, 18)) == 0


def test_early_check_in_waits_for_the_hall_to_open(org: Any) -> None:
    setup = with_plans(org)
    person = valid_id_number()
    with time_machine.travel(at(FRIDAY_BEFORE, 10), tick=False):
        appointment = book(setup, org, id_number=person, time="09:00")
    with pytest.raises(ApplicationError) as error:
        appointments.appointment_check_in(code=appointment.code, id_number=person, now=at(MONDAY, 8, 45))
    assert error.value.code == "hall_closed"


def test_cancelled_appointment_cannot_check_in(org: Any) -> None:
    setup = with_plans(org)
    person = valid_id_number()
    with time_machine.travel(at(FRIDAY_BEFORE, 10), tick=False):
        appointment = book(setup, org, id_number=person)
        appointments.appointment_cancel(appointment=appointment, actor=org.user("applicant"))
    with pytest.raises(ConflictError):
        appointments.appointment_check_in(code=appointment.code, id_number=person, now=at(MONDAY, 9, 50))


def test_checked_in_ticket_is_called_at_its_slot_ahead_of_waiting_numbers(org: Any) -> None:
    setup = with_plans(org)
    clerk = setup.clerks["clerk"]
    person = valid_id_number()
    with time_machine.travel(at(FRIDAY_BEFORE, 10), tick=False):
        appointment = book(setup, org, id_number=person)
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        first = tickets.ticket_issue(hall=setup.hall, category=setup.general, source=TicketSource.KIOSK)
        second = tickets.ticket_issue(hall=setup.hall, category=setup.general, source=TicketSource.KIOSK)
        windows.window_sign_in(window=setup.w1, actor=clerk)
    with time_machine.travel(at(MONDAY, 9, 40), tick=False):
        booked = appointments.appointment_check_in(code=appointment.code, id_number=person)
    with time_machine.travel(at(MONDAY, 9, 45), tick=False):
        # Before its slot the appointment waits behind the ordinary numbers already taken.
        called = calling.ticket_call_next(window=setup.w1, actor=clerk)
        assert called is not None and called.pk == first.pk
        calling.ticket_finish(window=setup.w1, actor=clerk)
    with time_machine.travel(at(MONDAY, 10, 0), tick=False):
        called = calling.ticket_call_next(window=setup.w1, actor=clerk)
        assert called is not None and called.pk == booked.pk
        calling.ticket_finish(window=setup.w1, actor=clerk)
        called = calling.ticket_call_next(window=setup.w1, actor=clerk)
        assert called is not None and called.pk == second.pk
    booked.refresh_from_db()
    assert booked.status == TicketStatus.DONE


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="parallel writers are exercised on PostgreSQL (the in-memory SQLite test database locks whole tables)",
)
@pytest.mark.django_db(transaction=True)
def test_parallel_bookings_never_overbook(org: Any) -> None:
    setup = with_plans(org)
    SlotPlan.objects.filter(starts_at=dt.time(10)).update(capacity=3)
    threads_n = 10
    outcomes: list[str] = []
    start = threading.Barrier(threads_n)

    def one() -> None:
        try:
            start.wait()
            book(setup, org)
            outcomes.append("booked")
        except ConflictError as error:
            outcomes.append(error.code)
        except BaseException as error:  # reported below
            outcomes.append(repr(error))
        finally:
            connection.close()

    with time_machine.travel(at(FRIDAY_BEFORE, 10), tick=True):
        threads = [threading.Thread(target=one) for _ in range(threads_n)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(outcomes) == ["booked"] * 3 + ["slot_full"] * 7
    slot = AppointmentSlot.objects.get(category=setup.general, day=MONDAY, starts_at=dt.time(10))
    assert slot.booked == 3 == Appointment.objects.count()
