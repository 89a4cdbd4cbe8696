"""预约 screens (booking flow, confirmation with QR code, cancelling, the desk, the kiosk's check-in) and the
API (slots, book, mine, cancel, check-in, the error shape).

The API is tested on the router mounted in a test API with the platform's auth and error handlers (the
platform mounts the same router at ``/api/v1/hall``)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import include, path, reverse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

from config import api as platform_api
from yichuang.accounts.tests.factories import valid_id_number
from yichuang.core.errors import ApplicationError
from yichuang.core.masking import mask_id_number
from yichuang.hall import appointments
from yichuang.hall.api_appointments import router
from yichuang.hall.models import (
    Appointment,
    AppointmentSlot,
    AppointmentStatus,
    SlotPlan,
    Ticket,
    TicketSource,
)
from yichuang.hall.tests.helpers import MONDAY, at, make_hall

FRIDAY_BEFORE = MONDAY - dt.timedelta(days=3)

test_api = NinjaAPI(
    renderer=platform_api.Utf8JSONRenderer(),
    auth=[platform_api.BearerTokenAuth(), platform_api.SessionAuth()],
    urls_namespace="hall-appointments-test-api",
)
test_api.add_exception_handler(ApplicationError, platform_api.on_application_error)  # type: ignore[arg-type]
test_api.add_exception_handler(NinjaValidationError, platform_api.on_validation_error)  # type: ignore[arg-type]
test_api.add_exception_handler(AuthenticationError, platform_api.on_authentication_error)  # type: ignore[arg-type]
test_api.add_router("/hall", router)

urlpatterns = [path("api/test/", test_api.urls), path("", include("config.urls"))]
API = "/api/test/hall"

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@pytest.fixture
def setup(org: Any) -> Any:
    setup = make_hall(org, tidal=False)
    SlotPlan.objects.create(category=setup.general, starts_at=dt.time(9), ends_at=dt.time(10), capacity=1)
    SlotPlan.objects.create(category=setup.general, starts_at=dt.time(10), ends_at=dt.time(11), capacity=2)
    return setup


def form_data(setup: Any, **extra: Any) -> dict[str, str]:
    data = {
        "category": str(setup.general.pk),
        "day": MONDAY.isoformat(),
        "starts_at": "10:00",
        "holder_name": "张三",
        "id_number": valid_id_number(),
        "phone": "13912345678",
        "idempotency_key": "key-1",
    }
    data.update(extra)
    return data


# ---------------------------------------------------------------- screens


def test_booking_flow_confirmation_and_list(setup: Any, client_for: Any) -> None:
    person = valid_id_number()
    with time_machine.travel(at(FRIDAY_BEFORE, 10), tick=False):
        client = client_for("applicant")
        page = client.get(reverse("hall:appointments"))
        assert page.status_code == 200
        assert "我的预约" in page.content.decode()
        picker = client.get(reverse("hall:appointments_slots"), {"category": setup.general.pk})
        html = picker.content.decode()
        assert picker.status_code == 200
        assert 'value="2026-11-23"' in html  # the first bookable day, chosen by default
        assert "09:00—10:00" in html and "余 1 个" in html
        response = client.post(reverse("hall:appointments"), form_data(setup, id_number=person))
        appointment = Appointment.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("hall:appointment_detail", args=[appointment.code])
        # A double submit (same key) books nothing more and lands on the same confirmation.
        again = client.post(reverse("hall:appointments"), form_data(setup, id_number=person))
        assert again["Location"] == response["Location"]
        assert Appointment.objects.count() == 1
        detail = client.get(response["Location"]).content.decode()
        assert appointment.code in detail and "<svg" in detail
        assert person not in detail and mask_id_number(person) in detail
        listing = client.get(reverse("hall:appointments")).content.decode()
        assert appointment.code in listing and mask_id_number(person) in listing and person not in listing
        assert f'data-testid="cancel-{appointment.code}"' in listing


def test_form_errors_next_to_fields(setup: Any, client_for: Any) -> None:
    with time_machine.travel(at(FRIDAY_BEFORE, 10), tick=False):
        client = client_for("applicant")
        page = client.post(
            reverse("hall:appointments"), form_data(setup, phone="12345", id_number="150824199001011230")
        )
        html = page.content.decode()
        assert page.status_code == 200
        assert 'data-field="phone"' in html and "请输入11位手机号码" in html
        assert 'data-field="id_number"' in html
        page = client.post(reverse("hall:appointments"), form_data(setup, starts_at=""))
        assert 'data-field="starts_at"' in page.content.decode() and "请选择预约时段" in page.content.decode()
        client.post(reverse("hall:appointments"), form_data(setup, starts_at="09:00", idempotency_key="a"))
        full = client.post(
            reverse("hall:appointments"), form_data(setup, starts_at="09:00", idempotency_key="b")
        )
        html = full.content.decode()
        # The full slot is no longer offered: the form refuses the choice next to the slots.
        assert 'data-field="starts_at"' in html
        assert Appointment.objects.count() == 1
        # Only choosing (no script): the page comes back without errors.
        pick = client.post(reverse("hall:appointments"), {"category": setup.general.pk, "step": "pick"})
        assert pick.status_code == 200 and 'role="alert"' not in pick.content.decode()


def test_slot_full_in_the_service_is_shown_next_to_the_slot(setup: Any, client_for: Any) -> None:
    with time_machine.travel(at(FRIDAY_BEFORE, 10), tick=False):
        client = client_for("applicant")
        page = client.get(reverse("hall:appointments"), {"category": setup.general.pk})
        assert "09:00—10:00" in page.content.decode()
        # Someone else takes the last place between showing the form and submitting it.
        AppointmentSlot.objects.create(
            category=setup.general,
            day=MONDAY,
            starts_at=dt.time(9),
            ends_at=dt.time(10),
            capacity=1,
            booked=1,
        )
        SlotPlan.objects.filter(starts_at=dt.time(9)).update(capacity=1)
        response = client.post(reverse("hall:appointments"), form_data(setup, starts_at="09:00"))
    assert response.status_code == 200
    assert 'data-field="starts_at"' in response.content.decode()


def test_cancel_from_the_list(setup: Any, client_for: Any, org: Any) -> None:
    with time_machine.travel(at(FRIDAY_BEFORE, 10), tick=False):
        client = client_for("applicant")
        client.post(reverse("hall:appointments"), form_data(setup))
        appointment = Appointment.objects.get()
        response = client.post(reverse("hall:appointment_cancel", args=[appointment.code]))
        assert response.status_code == 302
        appointment.refresh_from_db()
        assert appointment.status == AppointmentStatus.CANCELLED
        # Someone else's booking is not found.
        other = client_for("reviewer").post(reverse("hall:appointment_cancel", args=[appointment.code]))
        assert other.status_code == 404


def test_who_sees_the_booking_screens(setup: Any, client_for: Any) -> None:
    assert client_for("reviewer").get(reverse("hall:appointments")).status_code == 403
    assert client_for("clerk").get(reverse("hall:appointments"))["Location"] == reverse(
        "hall:appointments_desk"
    )
    assert client_for("applicant").get(reverse("hall:appointments_desk")).status_code == 403
    anonymous = Client().get(reverse("hall:appointments"))
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]


def test_desk_books_for_a_caller_and_looks_up_by_code(setup: Any, client_for: Any) -> None:
    with time_machine.travel(at(FRIDAY_BEFORE, 10), tick=False):
        client = client_for("issuer")
        assert client.get(reverse("hall:appointments_desk")).status_code == 200
        response = client.post(reverse("hall:appointments_desk"), form_data(setup))
        appointment = Appointment.objects.get()
        assert response["Location"] == reverse("hall:appointment_detail", args=[appointment.code])
        assert appointment.user is None
        found = client.get(reverse("hall:appointments_desk"), {"code": appointment.code.lower()})
        assert found["Location"] == response["Location"]
        detail = client.get(response["Location"]).content.decode()
        assert "窗口签到" in detail


def test_kiosk_check_in(setup: Any, client_for: Any) -> None:
    person = valid_id_number()
    with time_machine.travel(at(FRIDAY_BEFORE, 10), tick=False):
        client_for("applicant").post(reverse("hall:appointments"), form_data(setup, id_number=person))
    appointment = Appointment.objects.get()
    kiosk = Client()
    with time_machine.travel(at(MONDAY, 9, 50), tick=False):
        page = kiosk.get(reverse("hall:appointment_check_in"))
        assert page.status_code == 200 and "预约码" in page.content.decode()
        wrong = kiosk.post(
            reverse("hall:appointment_check_in"), {"code": appointment.code, "id_number": valid_id_number()}
        )
        assert wrong.status_code == 200 and "预约码或身份证号不正确" in wrong.content.decode()
        done = kiosk.post(
            reverse("hall:appointment_check_in"), {"code": appointment.code, "id_number": person}
        )
    ticket = Ticket.objects.get(appointment=appointment)
    assert ticket.source == TicketSource.APPOINTMENT
    if done.status_code == 302:
        assert done["Location"] == reverse("hall:ticket_print", args=[ticket.pk])
    else:
        assert ticket.number in done.content.decode()
    with time_machine.travel(at(MONDAY, 10, 20), tick=False):
        late = Client().post(reverse("hall:appointment_check_in"), {"code": "ZZZZ2222", "id_number": person})
    assert "预约码或身份证号不正确" in late.content.decode()


# ---------------------------------------------------------------- API


def _json(response: Any) -> Any:
    return json.loads(response.content)


def test_api_slots_are_public(setup: Any) -> None:
    with time_machine.travel(at(FRIDAY_BEFORE, 10), tick=False):
        response = Client().get(
            f"{API}/appointments/slots", {"category_id": setup.general.pk, "day": "2026-11-23"}
        )
        assert response.status_code == 200
        assert [(s["starts_at"], s["remaining"]) for s in _json(response)] == [("09:00", 1), ("10:00", 2)]
        every = _json(Client().get(f"{API}/appointments/slots", {"category_id": setup.general.pk}))
        # Today's slots have begun; no weekend plan; the horizon is seven days.
        assert sorted({s["day"] for s in every}) == [f"2026-11-{d}" for d in range(23, 28)]
        missing = Client().get(f"{API}/appointments/slots", {"category_id": 99999})
        assert missing.status_code == 404 and _json(missing)["error"]["code"] == "not_found"
        bad = Client().get(f"{API}/appointments/slots", {"category_id": setup.general.pk, "day": "23/11"})
        assert bad.status_code == 422 and _json(bad)["error"]["code"] == "invalid"


def test_api_book_list_cancel_and_check_in(setup: Any, client_for: Any) -> None:
    person = valid_id_number()
    body = {
        "category_id": setup.general.pk,
        "day": "2026-11-23",
        "starts_at": "09:00",
        "holder_name": "李四",
        "id_number": person,
        "phone": "13912345678",
    }
    with time_machine.travel(at(FRIDAY_BEFORE, 10), tick=False):
        client = client_for("applicant")
        created = client.post(
            f"{API}/appointments", body, content_type="application/json", headers={"Idempotency-Key": "api-1"}
        )
        assert created.status_code == 201, created.content
        code = _json(created)["code"]
        assert _json(created)["id_number"] == mask_id_number(person)
        repeat = client.post(
            f"{API}/appointments", body, content_type="application/json", headers={"Idempotency-Key": "api-1"}
        )
        assert repeat.status_code == 200 and _json(repeat)["code"] == code
        full = client.post(
            f"{API}/appointments", {**body, "id_number": valid_id_number()}, content_type="application/json"
        )
        assert full.status_code == 409
        assert _json(full)["error"]["code"] == "slot_full"
        assert _json(full)["error"]["fields"] == {"starts_at": ["该时段已约满"]}
        held = client.post(
            f"{API}/appointments", {**body, "starts_at": "10:00"}, content_type="application/json"
        )
        assert held.status_code == 409 and _json(held)["error"]["code"] == "appointment_held"
        invalid = client.post(
            f"{API}/appointments",
            {**body, "phone": "123", "starts_at": "10:00"},
            content_type="application/json",
        )
        assert invalid.status_code == 400 and "phone" in _json(invalid)["error"]["fields"]
        mine = _json(client.get(f"{API}/appointments"))
        assert [a["code"] for a in mine] == [code]
        anonymous = Client().post(f"{API}/appointments", body, content_type="application/json")
        assert anonymous.status_code == 401
        reviewer = client_for("reviewer").post(f"{API}/appointments", body, content_type="application/json")
        assert reviewer.status_code == 403 and _json(reviewer)["error"]["code"] == "permission_denied"
        others = client_for("reviewer").post(f"{API}/appointments/{code}/cancel")
        assert others.status_code == 404
    with time_machine.travel(at(MONDAY, 8, 20), tick=False):
        early = Client().post(
            f"{API}/appointments/{code}/check-in", {"id_number": person}, content_type="application/json"
        )
        assert early.status_code == 400 and _json(early)["error"]["code"] == "checkin_too_early"
    with time_machine.travel(at(MONDAY, 9, 5), tick=False):
        kiosk = Client()
        checked = kiosk.post(
            f"{API}/appointments/{code}/check-in", {"id_number": person}, content_type="application/json"
        )
        assert checked.status_code == 200, checked.content
        assert _json(checked)["number"] == "A001" and _json(checked)["source"] == "appointment"
        again = kiosk.post(
            f"{API}/appointments/{code}/check-in", {"id_number": person}, content_type="application/json"
        )
        assert _json(again)["id"] == _json(checked)["id"]
        cancel = client_for("applicant").post(f"{API}/appointments/{code}/cancel")
        assert cancel.status_code == 409 and _json(cancel)["error"]["code"] == "appointment_state"


def test_api_cancel_and_late_check_in(setup: Any, client_for: Any) -> None:
    person = valid_id_number()
    with time_machine.travel(at(FRIDAY_BEFORE, 10), tick=False):
        appointment = appointments.appointment_book(
            category=setup.general,
            day=MONDAY,
            starts_at="10:00",
            actor=setup.clerks["issuer"],
            holder_name="王五",
            id_number=person,
            phone="13912345678",
        )
        first = appointments.appointment_book(
            category=setup.general,
            day=MONDAY,
            starts_at="10:00",
            actor=setup.clerks["issuer"],
            holder_name="赵六",
            id_number=valid_id_number(),
            phone="13912345678",
        )
        cancelled = client_for("issuer").post(f"{API}/appointments/{first.code}/cancel")
        assert cancelled.status_code == 200 and _json(cancelled)["status"] == "cancelled"
    with time_machine.travel(at(MONDAY, 10, 16), tick=False):
        late = Client().post(
            f"{API}/appointments/{appointment.code}/check-in",
            {"id_number": person},
            content_type="application/json",
        )
    assert late.status_code == 409
    assert _json(late)["error"]["code"] == "checkin_too_late"
    assert "普通号" in _json(late)["error"]["message"]


# ---------------------------------------------------------------- in a browser


HTMX_READY = """selector => {
    const element = document.querySelector(selector);
    return Boolean(element && element["htmx-internal-data"] && element["htmx-internal-data"].initHash);
}"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_book_in_the_browser_with_the_slot_list_refreshed(org: Any, page: Any, live_server: Any) -> None:
    setup = make_hall(org, tidal=False)
    SlotPlan.objects.create(category=setup.estate, starts_at=dt.time(9), ends_at=dt.time(10), capacity=3)
    SlotPlan.objects.create(category=setup.estate, starts_at=dt.time(14), ends_at=dt.time(15), capacity=1)
    person = valid_id_number()
    with time_machine.travel(at(FRIDAY_BEFORE, 10)):  # ticking: the browser needs a moving clock
        page.goto("/accounts/login/?next=/hall/appointments/")
        page.get_by_label("用户名").fill("applicant")
        page.get_by_label("密码").fill("pass-word-2026")
        page.get_by_role("button", name="登录").click()
        page.wait_for_url("**/hall/appointments/")
        page.get_by_test_id("category-select").select_option(label="不动产登记")
        page.locator("[data-slot='14:00']").wait_for()
        # Today first: its 09:00 slot has begun, the afternoon one is still offered.
        assert page.locator("[data-slot='09:00']").count() == 0
        # The swapped-in day list listens for changes once htmx has processed it (on a busy machine that
        # can come after it is visible): choose the day only then.
        page.wait_for_function(HTMX_READY, arg="[data-testid=day-select]")
        page.get_by_test_id("day-select").select_option("2026-11-24")
        page.locator("[data-slot='09:00']").wait_for()
        assert "余 3 个" in page.get_by_test_id("slot-list").inner_text()
        page.locator("[data-slot='14:00'] input").check()
        page.get_by_label("身份证号").fill(person)
        page.get_by_label("手机号码").fill("13912345678")
        page.get_by_test_id("book-submit").click()
        page.get_by_test_id("appointment-code").wait_for()
        code = page.get_by_test_id("appointment-code").inner_text()
        assert page.get_by_test_id("appointment-qr").locator("svg").count() == 1
    appointment = Appointment.objects.get(code=code)
    assert (appointment.day, appointment.slot.starts_at) == (dt.date(2026, 11, 24), dt.time(14))
