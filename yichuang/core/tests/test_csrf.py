"""CSRF: screens and session-authenticated API calls that change state need the token; bearer-token calls
do not (they carry no cookie a forged page could borrow)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from yichuang.accounts import services
from yichuang.accounts.models import Department
from yichuang.accounts.tests.factories import department_payload

pytestmark = pytest.mark.django_db


def strict_client(org: Any, role: str) -> Client:
    """A browser-like client: the test client skips CSRF checks unless asked not to."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.user(role))
    return client


def csrf_token(client: Client) -> str:
    client.get("/departments/new/")  # any page with a form sets the cookie
    return client.cookies["csrftoken"].value


def test_a_screen_post_without_the_token_is_refused(org: Any) -> None:
    admin = strict_client(org, "admin")
    body = department_payload(org.gov, parent_key="parent")
    refused = admin.post("/departments/new/", body)
    assert refused.status_code == 403 and "页面已过期" in refused.content.decode()
    assert not Department.objects.filter(name=body["name"]).exists()

    accepted = admin.post("/departments/new/", {**body, "csrfmiddlewaretoken": csrf_token(admin)})
    assert accepted.status_code == 302
    assert Department.objects.filter(name=body["name"]).exists()


def test_the_login_form_needs_the_token(org: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    credentials = {"username": "clerk", "password": "pass-word-2026"}
    assert client.post("/accounts/login/", credentials).status_code == 403
    client.get("/accounts/login/")
    token = client.cookies["csrftoken"].value
    assert client.post("/accounts/login/", {**credentials, "csrfmiddlewaretoken": token}).status_code == 302


def test_a_session_api_post_without_the_token_is_refused_in_the_error_shape(org: Any) -> None:
    admin = strict_client(org, "admin")
    body = department_payload(org.gov)
    refused = admin.post("/api/v1/departments", body, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "csrf_failed"
    assert "CSRF" in refused.json()["error"]["message"]
    wrong = admin.post(
        "/api/v1/departments", body, content_type="application/json", HTTP_X_CSRFTOKEN="x" * 64
    )
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "csrf_failed"
    assert not Department.objects.filter(name=body["name"]).exists()

    token = csrf_token(admin)
    accepted = admin.post(
        "/api/v1/departments", body, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert accepted.status_code == 201


def test_a_bearer_token_call_needs_no_csrf_token(org: Any) -> None:
    _token, raw = services.api_token_issue(actor=org.user("admin"), user=org.user("admin"), name="省平台")
    client = Client(enforce_csrf_checks=True)
    body = department_payload(org.gov)
    created = client.post(
        "/api/v1/departments", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert created.status_code == 201


def test_reads_need_no_token(org: Any) -> None:
    assert strict_client(org, "admin").get("/api/v1/me").status_code == 200


def test_an_api_post_without_a_session_is_unauthenticated_not_a_csrf_failure(org: Any) -> None:
    """No session cookie, no token: 401 (who are you?), not 403 for a CSRF token there is no session for."""
    body = department_payload(org.gov)
    refused = Client(enforce_csrf_checks=True).post(
        "/api/v1/departments", body, content_type="application/json"
    )
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "not_authenticated"
    forged = Client(enforce_csrf_checks=True)
    forged.cookies["sessionid"] = "not-a-session"
    refused = forged.post("/api/v1/departments", body, content_type="application/json")
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "not_authenticated"
    assert not Department.objects.filter(name=body["name"]).exists()
