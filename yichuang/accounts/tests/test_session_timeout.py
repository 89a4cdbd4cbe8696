"""Session timeout: idle sign-out, the absolute session limit, cheap activity stamps, API and htmx answers."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from yichuang.accounts import services
from yichuang.accounts.middleware import LAST_ACTIVE_AT, SIGNED_IN_AT
from yichuang.core.models import AuditEvent

START = timezone.datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_current_timezone())
IDLE_MESSAGE = "由于长时间未操作，您已自动退出登录，请重新登录。"
MINUTE = 60


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def signed_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def test_a_staff_session_ends_after_thirty_idle_minutes(client_for: Any, clock: Any) -> None:
    clerk = client_for("clerk")
    assert clerk.get("/home/").status_code == 200
    clock.shift(29 * MINUTE)
    assert clerk.get("/home/").status_code == 200  # activity: the idle clock starts again
    clock.shift(29 * MINUTE)
    assert clerk.get("/home/").status_code == 200
    clock.shift(30 * MINUTE + 1)
    response = clerk.get("/home/?tab=1")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fhome%2F%3Ftab%3D1"
    assert not signed_in(clerk)
    assert IDLE_MESSAGE in clerk.get(response["Location"]).content.decode()
    assert clerk.get("/home/").status_code == 302  # still signed out
    (event,) = AuditEvent.objects.filter(action="auth.session_expired")
    assert event.data == {"reason": "idle"} and event.actor_label == "clerk"
    assert AuditEvent.objects.filter(action="auth.logout").count() == 1


def test_applicants_have_the_same_idle_rule(client_for: Any, clock: Any) -> None:
    applicant = client_for("applicant")
    assert applicant.get("/home/").status_code == 200
    clock.shift(30 * MINUTE + 1)
    assert applicant.get("/home/").status_code == 302
    assert not signed_in(applicant)


def test_the_idle_limit_comes_from_the_settings(client_for: Any, clock: Any, settings: Any) -> None:
    settings.YICHUANG_SESSION_IDLE_SECONDS = 5 * MINUTE
    clerk = client_for("clerk")
    clerk.get("/home/")
    clock.shift(5 * MINUTE + 1)
    assert clerk.get("/home/").status_code == 302


def test_activity_is_written_at_most_once_a_minute(client_for: Any, clock: Any) -> None:
    clerk = client_for("clerk")
    clerk.get("/home/")
    started = int(START.timestamp())
    assert clerk.session[SIGNED_IN_AT] == clerk.session[LAST_ACTIVE_AT] == started
    row = Session.objects.get(session_key=clerk.session.session_key)
    clock.shift(30)
    clerk.get("/home/")
    assert clerk.session[LAST_ACTIVE_AT] == started
    # The session row was not written again (a write would move its expiry on by 30 seconds).
    assert Session.objects.get(pk=row.pk).expire_date == row.expire_date
    clock.shift(31)
    clerk.get("/home/")
    assert clerk.session[LAST_ACTIVE_AT] == started + 61
    assert clerk.session[SIGNED_IN_AT] == started


def test_a_busy_session_still_ends_eight_hours_after_the_sign_in(org: Any, clock: Any) -> None:
    clerk = Client(REMOTE_ADDR="10.2.2.2")
    response = clerk.post("/accounts/login/", {"username": "clerk", "password": "pass-word-2026"})
    assert response.status_code == 302 and clerk.session[SIGNED_IN_AT] == int(START.timestamp())
    for _ in range(8 * 3):  # every twenty minutes for eight hours
        clock.shift(20 * MINUTE)
        assert clerk.get("/home/").status_code == 200
    clock.shift(1)
    response = clerk.get("/home/")
    assert response.status_code == 302 and not signed_in(clerk)
    assert "登录已超过最长有效时间" in clerk.get(response["Location"]).content.decode()
    assert AuditEvent.objects.get(action="auth.session_expired").data == {"reason": "absolute"}


def test_the_api_answers_401_in_the_error_shape(client_for: Any, clock: Any) -> None:
    clerk = client_for("clerk")
    assert clerk.get("/api/v1/me").status_code == 200
    clock.shift(31 * MINUTE)
    response = clerk.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json() == {"error": {"code": "session_expired", "message": IDLE_MESSAGE}}
    assert clerk.get("/api/v1/me").json()["error"]["code"] == "not_authenticated"


def test_an_htmx_request_is_sent_to_the_login_page(client_for: Any, clock: Any) -> None:
    clerk = client_for("clerk")
    clerk.get("/home/")
    clock.shift(31 * MINUTE)
    response = clerk.post("/home/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Redirect"] == "/accounts/login/"


def test_static_files_neither_count_as_activity_nor_sign_out(client_for: Any, clock: Any) -> None:
    clerk = client_for("clerk")
    clerk.get("/home/")
    clock.shift(31 * MINUTE)
    clerk.get("/static/css/app.css")
    clerk.get("/metrics")
    assert signed_in(clerk)
    assert clerk.get("/home/").status_code == 302


def test_a_bearer_token_call_gets_no_session(org: Any, clock: Any) -> None:
    _token, raw = services.api_token_issue(actor=org.user("admin"), user=org.user("clerk"), name="省平台")
    client = Client()
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200 and response.json()["username"] == "clerk"
    assert "sessionid" not in response.cookies
    assert not Session.objects.exists()
