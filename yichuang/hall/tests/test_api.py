"""The hall's API: a kiosk takes numbers without login (rate-limited), parallel requests never share a
number, a window's steps run through the API with structured errors and per-department permission."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client

from yichuang.accounts.roles import Role
from yichuang.accounts.services import api_token_issue
from yichuang.accounts.tests.factories import UserFactory, valid_id_number
from yichuang.core.models import AuditEvent
from yichuang.hall.models import Ticket, TicketStatus
from yichuang.hall.tests.helpers import MONDAY, at, make_hall

pytestmark = pytest.mark.django_db
URL = "/api/v1/hall"


def _post(client: Client, path: str, body: dict[str, Any] | None = None, **headers: Any) -> Any:
    return client.post(
        f"{URL}{path}", data=json.dumps(body or {}), content_type="application/json", **headers
    )


def test_kiosk_takes_a_number_without_login(org: Any) -> None:
    setup = make_hall(org)
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        first = _post(Client(), "/tickets", {"hall": setup.hall.code, "category": "general"})
        second = _post(
            Client(),
            "/tickets",
            {"hall": setup.hall.code, "category": "general", "id_number": valid_id_number(birth="19500101")},
        )
    assert first.status_code == 201, first.content
    assert first.json()["number"] == "A001" and first.json()["ahead"] == 0
    body = second.json()
    # Born 1950: 65+ takes the priority lane and goes ahead of A001.
    assert body["number"] == "A002" and body["priority"] == "elderly" and body["ahead"] == 0
    assert "id_number" not in body and "phone" not in body


def test_kiosk_errors_are_structured(org: Any, settings: Any) -> None:
    setup = make_hall(org)
    settings.YICHUANG_KIOSK_TICKETS_PER_MINUTE = 2
    client = Client()
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        bad = _post(client, "/tickets", {"hall": setup.hall.code, "category": "general", "phone": "12345"})
        assert bad.status_code == 400
        assert bad.json()["error"]["fields"] == {"phone": ["请输入11位手机号码"]}
        unknown = _post(client, "/tickets", {"hall": setup.hall.code, "category": "nope"})
        assert unknown.status_code == 400 and "category" in unknown.json()["error"]["fields"]
        limited = _post(client, "/tickets", {"hall": setup.hall.code, "category": "general"})
        assert limited.status_code == 429 and limited.json()["error"]["code"] == "rate_limited"
    with time_machine.travel(at(MONDAY, 20, 0), tick=False):
        settings.YICHUANG_KIOSK_TICKETS_PER_MINUTE = 100
        closed = _post(Client(), "/tickets", {"hall": setup.hall.code, "category": "general"})
    assert closed.status_code == 400 and closed.json()["error"]["code"] == "hall_closed"
    assert Ticket.objects.count() == 0  # nothing half-written


def test_portal_needs_login_and_is_idempotent(org: Any, client_for: Any) -> None:
    setup = make_hall(org)
    body = {"hall": setup.hall.code, "category": "estate", "source": "portal", "idempotency_key": "same-1"}
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        assert _post(Client(), "/tickets", body).json()["error"]["code"] == "not_authenticated"
        applicant = client_for("applicant")
        applicant.get("/hall/")  # any page: sets the CSRF cookie
        token = applicant.cookies["csrftoken"].value if "csrftoken" in applicant.cookies else ""
        applicant = Client(enforce_csrf_checks=True)
        applicant.force_login(org.user("applicant"))
        refused = _post(applicant, "/tickets", body)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf_failed"
        applicant.get("/api/v1/hall/halls")
        applicant.cookies["csrftoken"] = token or "x" * 32
        token = applicant.cookies["csrftoken"].value
        first = _post(applicant, "/tickets", body, HTTP_X_CSRFTOKEN=token)
        again = _post(applicant, "/tickets", body, HTTP_X_CSRFTOKEN=token)
        assert first.status_code == 201, first.content
        assert again.json()["id"] == first.json()["id"]
        mine = applicant.get(f"{URL}/tickets/mine").json()
    assert [t["number"] for t in mine] == ["B001"]


def test_window_steps_through_the_api(org: Any, client_for: Any) -> None:
    setup = make_hall(org)
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        clerk = client_for("clerk")
        _post(Client(), "/tickets", {"hall": setup.hall.code, "category": "general"})
        _post(Client(), "/tickets", {"hall": setup.hall.code, "category": "general"})
        assert _post(clerk, f"/windows/{setup.w1.pk}/sign-in").json()["window"]["status"] == "open"
        queue = clerk.get(f"{URL}/windows/{setup.w1.pk}/queue").json()
        assert [row["number"] for row in queue] == ["A001", "A002"]
        called = _post(clerk, f"/windows/{setup.w1.pk}/call-next").json()
        assert called["ticket"]["number"] == "A001" and called["window"]["current"] == "A001"
        busy = _post(clerk, f"/windows/{setup.w1.pk}/call-next")
        assert busy.status_code == 409 and busy.json()["error"]["code"] == "window_busy"
        moved = _post(clerk, f"/windows/{setup.w1.pk}/transfer", {"to_window": setup.w3.pk})
        assert moved.status_code == 409  # 03 is closed
        assert _post(clerk, f"/windows/{setup.w1.pk}/finish").json()["ticket"]["status"] == "done"
        board = Client().get(f"{URL}/halls/{setup.hall.code}/queue").json()
    assert board["calls"][0]["number"] == "A001" and board["calls"][0]["window"] == "01"
    general = next(c for c in board["hall"]["categories"] if c["code"] == "general")
    assert general["waiting"] == 1
    assert AuditEvent.objects.filter(action="hall.ticket_done").count() == 1


def test_other_departments_and_applicants_cannot_work_a_window(org: Any, client_for: Any) -> None:
    setup = make_hall(org)
    reviewer = client_for("reviewer")  # 市场监管局: no hall.serve
    assert _post(reviewer, f"/windows/{setup.w1.pk}/sign-in").status_code == 404
    chief = Client()
    chief.force_login(setup.clerks["estate"])  # 不动产中心: its own window only
    assert _post(chief, f"/windows/{setup.w1.pk}/sign-in").status_code == 404
    assert _post(chief, f"/windows/{setup.w4.pk}/sign-in").status_code == 200
    assert _post(client_for("applicant"), f"/windows/{setup.w4.pk}/call-next").status_code == 404
    assert Client().get(f"{URL}/windows").status_code == 401


def test_device_token_is_not_rate_limited(org: Any, settings: Any) -> None:
    setup = make_hall(org)
    settings.YICHUANG_KIOSK_TICKETS_PER_MINUTE = 1
    device = UserFactory(username="kiosk-01", role=Role.CLERK, department=org.centre)
    _token, raw = api_token_issue(actor=org.user("admin"), user=device, name="1号取号机")
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        codes = [
            _post(
                Client(),
                "/tickets",
                {"hall": setup.hall.code, "category": "general"},
                HTTP_AUTHORIZATION=f"Bearer {raw}",
            ).status_code
            for _ in range(3)
        ]
    assert codes == [201, 201, 201]


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="parallel writers are exercised on PostgreSQL (the in-memory SQLite test database locks whole tables)",
)
@pytest.mark.django_db(transaction=True)
def test_parallel_requests_never_share_a_number(org: Any, settings: Any) -> None:
    setup = make_hall(org)
    settings.YICHUANG_KIOSK_TICKETS_PER_MINUTE = 10_000
    threads_n, per_thread = 10, 5
    numbers: list[str] = []
    errors: list[Any] = []
    start = threading.Barrier(threads_n)

    def kiosk() -> None:
        client = Client()
        try:
            start.wait()
            for _ in range(per_thread):
                response = _post(client, "/tickets", {"hall": setup.hall.code, "category": "general"})
                if response.status_code != 201:
                    errors.append(response.content)
                else:
                    numbers.append(response.json()["number"])
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    with time_machine.travel(at(MONDAY, 10, 0), tick=True):
        threads = [threading.Thread(target=kiosk) for _ in range(threads_n)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not errors
    total = threads_n * per_thread
    assert sorted(numbers) == [f"A{i:03d}" for i in range(1, total + 1)]
    assert Ticket.objects.filter(status=TicketStatus.WAITING).count() == total


def test_a_closed_window_cannot_be_resumed(org: Any, client_for: Any) -> None:
    """Regression: the admin resuming a closed window (no clerk) was a server error (CHECK constraint)."""
    setup = make_hall(org)
    closed = _post(client_for("admin"), f"/windows/{setup.w1.pk}/resume")
    assert closed.status_code == 409 and closed.json()["error"]["code"] == "window_state"
    setup.w1.refresh_from_db()
    assert setup.w1.status == "closed" and setup.w1.clerk_id is None
