"""The 好差评 API: an applicant rates his own services only (idempotent), staff list and work the
rectifications of their department with the rater shown only to who must call back, appeal, and the admin
decides; every refusal in the one error shape."""

from __future__ import annotations

import json
from typing import Any

import pytest
import time_machine
from django.test import Client

from yichuang.accounts.roles import Role
from yichuang.accounts.services import api_token_issue
from yichuang.accounts.tests.factories import ApplicantFactory, UserFactory
from yichuang.hall import calling, tickets, windows
from yichuang.hall.models import Ticket, TicketSource
from yichuang.hall.tests.helpers import MONDAY, at, make_hall
from yichuang.ratings import services
from yichuang.ratings.models import (
    AppealStatus,
    Channel,
    Evaluation,
    EvaluationStatus,
    Rectification,
    RectificationStatus,
)
from yichuang.ratings.subjects import served_case
from yichuang.ratings.tests.helpers import APPLICANT_PHONE, closed_case

pytestmark = pytest.mark.django_db
URL = "/api/v1/ratings"
MASKED_PHONE = "138****8000"


def _post(client: Client, path: str, body: dict[str, Any] | None = None, **headers: Any) -> Any:
    return client.post(
        f"{URL}{path}", data=json.dumps(body or {}), content_type="application/json", **headers
    )


def _get(client: Client, path: str, **params: Any) -> Any:
    return client.get(f"{URL}{path}", params)


def _bad(org: Any, level: int = 1) -> Evaluation:
    case = closed_case(org)
    return services.evaluation_submit(served=served_case(case), channel=Channel.ONLINE, level=level)


def _portal_ticket(org: Any, user: Any) -> Ticket:
    """A number the applicant took on the portal, finished at window 01 on Monday at 09:20."""
    setup = make_hall(org, tidal=False)
    clerk = org.user("clerk")
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        ticket = tickets.ticket_issue(
            hall=setup.hall, category=setup.general, source=TicketSource.PORTAL, actor=user
        )
        if setup.w1.status != "open":
            windows.window_sign_in(window=setup.w1, actor=clerk)
        calling.ticket_call_next(window=setup.w1, actor=clerk)
    with time_machine.travel(at(MONDAY, 9, 20), tick=False):
        calling.ticket_finish(window=setup.w1, actor=clerk)
    return Ticket.objects.get(pk=ticket.pk)


# ——— the applicant's rating ———


def test_an_applicant_rates_his_own_closed_case_once(org: Any, client_for: Any) -> None:
    case = closed_case(org)
    applicant = client_for("applicant")
    body = {
        "subject_kind": "case",
        "subject_id": case.pk,
        "level": 2,
        "scores": {"efficiency": 2, "attitude": 3},
        "comment": "等了很久",
        "channel": "mobile",
    }
    first = _post(applicant, "/evaluations", body, HTTP_IDEMPOTENCY_KEY="rate-1")
    assert first.status_code == 201, first.content
    out = first.json()
    assert out["level_label"] == "不满意" and out["is_bad"] and out["channel"] == "mobile"
    evaluation = Evaluation.objects.get()
    assert evaluation.rater_user == org.user("applicant") and evaluation.rectification.department == org.scjg
    # The same key again: the first rating back, nothing new.
    repeat = _post(applicant, "/evaluations", body, HTTP_IDEMPOTENCY_KEY="rate-1")
    assert repeat.status_code == 200 and repeat.json()["id"] == out["id"]
    # Without it: one rating per service.
    again = _post(applicant, "/evaluations", {**body, "level": 5})
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_rated"
    # The key belongs to that rating; another service with it is refused.
    other = closed_case(org)
    reused = _post(applicant, "/evaluations", {**body, "subject_id": other.pk}, HTTP_IDEMPOTENCY_KEY="rate-1")
    assert reused.status_code == 409 and reused.json()["error"]["code"] == "idempotency_key_reused"
    assert Evaluation.objects.count() == 1


def test_only_his_own_services_and_only_online(org: Any, client_for: Any) -> None:
    case = closed_case(org)
    stranger = UserFactory(username="applicant2", role=Role.APPLICANT, department=None)
    ApplicantFactory(user=stranger, phone="13900000099", name="赵六")
    other = Client()
    other.force_login(stranger)
    body = {"subject_kind": "case", "subject_id": case.pk, "level": 1, "channel": "online"}
    refused = _post(other, "/evaluations", body)
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "not_found"
    assert (
        _post(other, "/evaluations", {**body, "subject_id": case.pk + 1000}).json()["error"]["message"]
        == (refused.json()["error"]["message"])
    )  # a stranger's service and no service look the same
    assert _post(client_for("reviewer"), "/evaluations", body).status_code == 404
    assert _post(other, "/evaluations", {**body, "subject_kind": "hotline_ticket"}).status_code == 404
    window = _post(client_for("applicant"), "/evaluations", {**body, "channel": "window"})
    assert window.status_code == 400 and window.json()["error"]["fields"] == {"channel": ["无效"]}
    bad_level = _post(client_for("applicant"), "/evaluations", {**body, "level": 0})
    assert bad_level.status_code == 400 and bad_level.json()["error"]["fields"]["level"] == ["请选择评价等级"]
    assert _post(Client(), "/evaluations", body).status_code == 401
    assert not Evaluation.objects.exists()


def test_an_applicant_rates_his_own_finished_number(org: Any, client_for: Any) -> None:
    ticket = _portal_ticket(org, org.user("applicant"))
    body = {"subject_kind": "hall_ticket", "subject_id": ticket.pk, "level": 5, "channel": "online"}
    with time_machine.travel(at(MONDAY, 10, 0), tick=False):
        stranger = UserFactory(username="applicant2", role=Role.APPLICANT, department=None)
        other = Client()
        other.force_login(stranger)
        assert _post(other, "/evaluations", body).status_code == 404
        response = _post(client_for("applicant"), "/evaluations", body)
    assert response.status_code == 201, response.content
    evaluation = Evaluation.objects.get()
    assert (evaluation.department, evaluation.window_number, evaluation.channel) == (
        org.centre,
        "01",
        "online",
    )


# ——— rectifications ———


def test_rectifications_are_scoped_and_never_name_the_rater_in_the_list(org: Any, client_for: Any) -> None:
    rectification = _bad(org).rectification
    for user in ("reviewer", "chief_rep", "admin", "inspector"):
        response = _get(client_for(user), "/rectifications")
        assert response.status_code == 200, user
        body = response.json()
        assert body["total"] == 1 and body["rectifications"][0]["id"] == rectification.pk, user
        assert APPLICANT_PHONE not in response.content.decode() and "王建国" not in response.content.decode()
    row = _get(client_for("reviewer"), "/rectifications").json()["rectifications"][0]
    assert row["status"] == "call_back" and row["is_real_name"] and row["department"] == "市场监管局"
    assert _get(client_for("reviewer_wjw"), "/rectifications").json()["total"] == 0
    for user in ("clerk", "applicant", "handler"):
        refused = _get(client_for(user), "/rectifications")
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied", user
    assert _get(Client(), "/rectifications").status_code == 401
    admin = client_for("admin")
    assert _get(admin, "/rectifications", department=org.wjw.pk).json()["total"] == 0
    assert _get(admin, "/rectifications", department=org.scjg.pk).json()["total"] == 1
    assert _get(admin, "/rectifications", status="rectifying").json()["total"] == 0
    assert _get(admin, "/rectifications", status="nonsense").status_code == 400
    assert _get(client_for("chief_rep"), "/rectifications", department=org.scjg.pk).status_code == 403


def test_the_raters_identity_in_the_detail(org: Any, client_for: Any) -> None:
    rectification = _bad(org).rectification
    path = f"/rectifications/{rectification.pk}"
    for user in ("reviewer", "chief_rep"):
        body = _get(client_for(user), path).json()
        assert body["rater"]["phone"] == APPLICANT_PHONE and body["rater"]["name"] == "王建国", user
        assert body["rater"]["full"] and body["may_rectify"], user
    for user in ("inspector", "admin"):
        response = _get(client_for(user), path)
        body = response.json()
        assert body["rater"]["phone"] == MASKED_PHONE and not body["rater"]["full"], user
        assert APPLICANT_PHONE not in response.content.decode() and not body["may_rectify"], user
    assert _get(client_for("reviewer_wjw"), path).status_code == 404
    assert _get(client_for("clerk"), path).status_code == 403


def test_the_rectification_through_the_api(org: Any, client_for: Any) -> None:
    rectification = _bad(org).rectification
    base = f"/rectifications/{rectification.pk}"
    _token, raw = api_token_issue(actor=org.user("admin"), user=org.user("reviewer"), name="整改系统")
    reviewer = Client()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert _post(client_for("inspector"), f"{base}/call-back", {"reached": True}).status_code == 403
    assert _post(client_for("reviewer_wjw"), f"{base}/call-back", {"reached": True}).status_code == 404
    early = _post(reviewer, f"{base}/answer", {"measure": "整改", "answer": "已整改"}, **bearer)
    assert early.status_code == 409 and early.json()["error"]["code"] == "rectification_state"
    missing = _post(reviewer, f"{base}/call-back", {"reached": False}, **bearer)
    assert missing.status_code == 400 and "note" in missing.json()["error"]["fields"]
    attempt = _post(reviewer, f"{base}/call-back", {"reached": False, "note": "无人接听"}, **bearer)
    assert attempt.status_code == 200 and attempt.json()["status"] == "call_back"
    reached = {"reached": True, "facts_confirmed": True, "note": "情况属实"}
    done = _post(reviewer, f"{base}/call-back", reached, **bearer)
    assert done.status_code == 200 and done.json()["status"] == "rectifying"
    assert _post(reviewer, f"{base}/call-back", reached, **bearer).status_code == 409
    answer = {"measure": "开展业务培训", "answer": "已整改，感谢监督"}
    answered = _post(reviewer, f"{base}/answer", answer, **bearer)
    assert answered.status_code == 200
    body = answered.json()
    assert body["status"] == "answered" and body["measure"] == "开展业务培训"
    assert [e["kind"] for e in body["events"]] == ["opened", "call_attempt", "called_back", "answered"]
    assert _post(reviewer, f"{base}/answer", answer, **bearer).status_code == 409
    rectification.refresh_from_db()
    assert rectification.status == RectificationStatus.ANSWERED
    assert rectification.events.filter(kind="called_back").count() == 1
    services.rectification_rate(rectification=rectification, level=5, comment="满意")
    body = _get(client_for("chief_rep"), base).json()
    assert body["rater_level"] == 5 and body["status"] == "closed"


# ——— ratings and appeals ———


def test_ratings_are_scoped_and_masked(org: Any, client_for: Any) -> None:
    bad = _bad(org)
    good = _bad(org, 5)
    response = _get(client_for("chief_rep"), "/evaluations")
    body = response.json()
    assert response.status_code == 200 and body["total"] == 2
    rows = {row["id"]: row for row in body["evaluations"]}
    assert rows[bad.pk]["rater"] == "王**" and rows[bad.pk]["may_appeal"]
    assert rows[bad.pk]["rectification_status"] == "call_back" and rows[good.pk]["rectification_id"] is None
    assert APPLICANT_PHONE not in response.content.decode() and "王建国" not in response.content.decode()
    assert not _get(client_for("reviewer"), "/evaluations").json()["evaluations"][0]["may_appeal"]
    assert _get(client_for("chief_rep"), "/evaluations", bad_only=True).json()["total"] == 1
    assert _get(client_for("chief_rep"), "/evaluations", level=5).json()["total"] == 1
    assert _get(client_for("chief_rep"), "/evaluations", channel="window").json()["total"] == 0
    assert _get(client_for("reviewer_wjw"), "/evaluations").json()["total"] == 0
    assert _get(client_for("admin"), "/evaluations", department=org.scjg.pk).json()["total"] == 2
    assert _get(client_for("chief_rep"), "/evaluations", department=org.scjg.pk).status_code == 403
    for user in ("clerk", "applicant"):
        assert _get(client_for(user), "/evaluations").status_code == 403, user


def test_appeal_and_decision_through_the_api(org: Any, client_for: Any) -> None:
    evaluation = _bad(org)
    path = f"/evaluations/{evaluation.pk}/appeal"
    body = {"ground": "malicious", "reason": "评价人与本部门素无往来"}
    assert _post(client_for("reviewer"), path, body).status_code == 403
    invalid = _post(client_for("chief_rep"), path, {"ground": "nonsense", "reason": "x"})
    assert invalid.status_code == 400 and "ground" in invalid.json()["error"]["fields"]
    filed = _post(client_for("chief_rep"), path, body)
    assert filed.status_code == 201, filed.content
    appeal = filed.json()
    assert (
        appeal["status"] == "pending" and not appeal["has_evidence"] and appeal["department"] == "市场监管局"
    )
    again = _post(client_for("chief_rep"), path, body)
    assert again.status_code == 409 and again.json()["error"]["code"] == "appeal_pending"

    assert _get(client_for("admin"), "/appeals", status="pending").json()["total"] == 1
    assert _get(client_for("chief_rep"), "/appeals").json()["total"] == 1
    other_chief = UserFactory(username="chief_wjw", role=Role.CHIEF_REP, department=org.wjw)
    other = Client()
    other.force_login(other_chief)
    assert _get(other, "/appeals").json()["total"] == 0
    assert _post(other, path, body).status_code == 404
    assert _get(client_for("reviewer"), "/appeals").status_code == 403

    decide = f"/appeals/{appeal['id']}/decide"
    assert _post(client_for("chief_rep"), decide, {"uphold": True, "note": "自己批准"}).status_code == 403
    assert _post(client_for("admin"), decide, {"uphold": True, "note": ""}).status_code == 400
    decided = _post(client_for("admin"), decide, {"uphold": True, "note": "经核实为恶意差评"})
    assert decided.status_code == 200 and decided.json()["status"] == AppealStatus.UPHELD
    assert _post(client_for("admin"), decide, {"uphold": False, "note": "再议"}).status_code == 409
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.REMOVED
    assert Rectification.objects.get(evaluation=evaluation).status == RectificationStatus.WITHDRAWN
    # The removed rating leaves the lists; the admin alone may ask for the removed ones.
    assert _get(client_for("chief_rep"), "/evaluations").json()["total"] == 0
    assert _get(client_for("chief_rep"), "/evaluations", removed=True).json()["total"] == 0
    removed = _get(client_for("admin"), "/evaluations", removed=True).json()
    assert [row["id"] for row in removed["evaluations"]] == [evaluation.pk]
    assert (
        _get(client_for("chief_rep"), "/appeals").json()["appeals"][0]["decision_note"] == "经核实为恶意差评"
    )
