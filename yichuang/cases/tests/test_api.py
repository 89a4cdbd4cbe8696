"""The case API: every lifecycle step over HTTP, its refusals (illegal moves 409, wrong role 403, outside the
caller's scope 404), idempotent submits, files, notices and the public progress lookup."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from yichuang.accounts.tests.factories import ApplicantFactory, UserFactory
from yichuang.cases.models import Case, CreditMark
from yichuang.catalog.tests.helpers import publish_item

pytestmark = pytest.mark.django_db

API = "/api/v1/cases"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest.fixture
def item(org):
    return publish_item(actor=org.user("admin"), department=org.scjg, basic_code="11A000100001")


@pytest.fixture
def applicant(org):
    return ApplicantFactory(user=org.user("applicant"), name="王建国", phone="13912345678")


@pytest.fixture
def other_applicant(db):
    return ApplicantFactory(user=UserFactory(username="applicant2", role="applicant", department=None))


def post(client: Client, url: str, data: dict[str, Any] | None = None, **headers: str) -> Any:
    return client.post(url, data or {}, content_type="application/json", headers=headers)


def submit(client: Client, item, applicant, *, channel: str = "window", **body: Any) -> Any:
    return post(
        client, f"{API}/", {"item_id": item.pk, "applicant_id": applicant.pk, "channel": channel, **body}
    )


def all_checked(client: Client, case: dict[str, Any]) -> Any:
    findings = [{"case_material_id": m["id"], "state": "original_checked"} for m in case["materials"]]
    return post(client, f"{API}/{case['id']}/materials", {"findings": findings})


def accepted(client_for, item, applicant) -> dict[str, Any]:
    clerk = client_for("clerk")
    case = submit(clerk, item, applicant).json()
    assert all_checked(clerk, case).status_code == 200
    response = post(clerk, f"{API}/{case['id']}/accept")
    assert response.status_code == 200, response.content
    return response.json()


def in_review(client_for, item, applicant) -> dict[str, Any]:
    case = accepted(client_for, item, applicant)
    response = post(client_for("reviewer"), f"{API}/{case['id']}/review")
    assert response.status_code == 200, response.content
    return response.json()


def error_code(response: Any) -> str:
    return response.json()["error"]["code"]


# ——— the whole lifecycle ———


def test_full_window_case_through_the_api(org, item, applicant, client_for) -> None:
    clerk, reviewer, issuer = client_for("clerk"), client_for("reviewer"), client_for("issuer")
    created = submit(clerk, item, applicant)
    assert created.status_code == 201, created.content
    case = created.json()
    assert (case["status"], case["provincial_code"], case["item_version"]) == ("submitted", "1", 1)
    assert [m["name"] for m in case["materials"]] == ["食品经营许可申请书", "营业执照"]
    assert case["materials"][0]["review_points"] == ["申请人签字或盖章", "经营项目与经营场所一致"]

    checked = all_checked(clerk, case)
    assert [m["state"] for m in checked.json()] == ["original_checked", "original_checked"]
    accept = post(clerk, f"{API}/{case['id']}/accept", {"note": "材料齐全"})
    assert accept.json()["status"] == "accepted"
    assert accept.json()["remaining_working_days"] == 5
    assert accept.json()["deadline_state"] == "normal"

    assert post(reviewer, f"{API}/{case['id']}/review").json()["reviewer_name"] is not None
    assert (
        post(reviewer, f"{API}/{case['id']}/decide", {"decision": "approve"}).json()["status"] == "approved"
    )
    assert post(reviewer, f"{API}/{case['id']}/result-ready").json()["status"] == "result_ready"
    delivered = post(issuer, f"{API}/{case['id']}/deliver", {"method": "pickup", "recipient": "王建国"})
    assert delivered.status_code == 200 and delivered.json()["status"] == "closed"

    detail = clerk.get(f"{API}/{case['id']}").json()
    assert detail["provincial_code"] == "11"
    assert [step["action"] for step in detail["timeline"]] == [
        "submit",
        "accept",
        "start_review",
        "decide_approve",
        "result_ready",
        "deliver",
    ]
    kinds = [notice["kind"] for notice in detail["notices"]]
    assert {"acceptance", "decision_approve", "delivery_receipt"} <= set(kinds)
    pdf = clerk.get(detail["notices"][0]["url"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert client_for("applicant").get(f"{API}/by-number/{case['number']}").json()["id"] == case["id"]


def test_refusal_correction_supply_withdraw_and_terminate(org, item, applicant, client_for) -> None:
    clerk, reviewer, me = client_for("clerk"), client_for("reviewer"), client_for("applicant")

    refused = submit(clerk, item, applicant).json()
    missing = post(clerk, f"{API}/{refused['id']}/refuse", {"reason": ""})
    assert missing.status_code == 400 and "理由" in missing.json()["error"]["message"]
    done = post(
        clerk, f"{API}/{refused['id']}/refuse", {"reason": "不属于本机关职权", "competent_office": "旗卫健委"}
    )
    assert (done.json()["status"], clerk.get(f"{API}/{refused['id']}").json()["provincial_code"]) == (
        "refused",
        "5",
    )

    corrected = submit(clerk, item, applicant).json()
    asked = post(clerk, f"{API}/{corrected['id']}/correction", {"note": "缺营业执照"})
    assert asked.json()["status"] == "correction"
    supplied = post(me, f"{API}/{corrected['id']}/supply", {"note": "已补交"})
    assert supplied.status_code == 200 and supplied.json()["status"] == "submitted"
    withdrawn = post(me, f"{API}/{corrected['id']}/withdraw", {"reason": "不再办理"})
    assert withdrawn.json()["status"] == "withdrawn"

    running = in_review(client_for, item, applicant)
    assert post(reviewer, f"{API}/{running['id']}/terminate", {"reason": ""}).status_code == 400
    assert post(reviewer, f"{API}/{running['id']}/terminate", {"reason": "申请人死亡"}).json()["status"] == (
        "terminated"
    )


def test_revoke_an_approved_case(org, item, applicant, client_for) -> None:
    reviewer = client_for("reviewer")
    case = in_review(client_for, item, applicant)
    post(reviewer, f"{API}/{case['id']}/decide", {"decision": "approve"})
    revoked = post(reviewer, f"{API}/{case['id']}/revoke", {"reason": "以欺骗手段取得许可"})
    assert revoked.status_code == 200, revoked.content
    assert revoked.json()["status"] == "revoked"
    assert reviewer.get(f"{API}/{case['id']}").json()["provincial_code"] == "15"


# ——— refusals ———


def test_illegal_transitions_are_409_with_the_service_message(org, item, applicant, client_for) -> None:
    case = accepted(client_for, item, applicant)
    response = post(client_for("reviewer"), f"{API}/{case['id']}/result-ready")
    assert response.status_code == 409
    assert error_code(response) == "illegal_transition"
    assert response.json()["error"]["message"] == "办件当前状态为“已受理”，不能待送达"
    again = post(client_for("clerk"), f"{API}/{case['id']}/accept")
    assert again.status_code == 409


def test_wrong_roles_are_refused_with_403(org, item, applicant, client_for) -> None:
    case = accepted(client_for, item, applicant)
    pending = submit(client_for("clerk"), item, applicant).json()
    assert post(client_for("applicant"), f"{API}/{pending['id']}/accept").status_code == 403
    assert post(client_for("issuer"), f"{API}/{case['id']}/review").status_code == 403
    assert post(client_for("clerk"), f"{API}/{case['id']}/decide", {"decision": "approve"}).status_code == 403
    refused = post(
        client_for("reviewer"), f"{API}/{case['id']}/deliver", {"method": "mail", "tracking_number": "SF1"}
    )
    assert refused.status_code == 403 and error_code(refused) == "permission_denied"
    # An applicant files online for himself only; a window channel is for staff.
    assert submit(client_for("applicant"), item, applicant).status_code == 403


def test_only_the_assigned_reviewer_of_the_department_decides(org, item, applicant, client_for) -> None:
    case = accepted(client_for, item, applicant)
    other_department = post(client_for("reviewer_wjw"), f"{API}/{case['id']}/review")
    assert other_department.status_code == 404
    assert client_for("reviewer_wjw").get(f"{API}/{case['id']}").status_code == 404
    assigned = post(
        client_for("chief_rep"), f"{API}/{case['id']}/review", {"reviewer_id": org.user("reviewer").pk}
    )
    assert assigned.status_code == 200
    assert (
        post(client_for("chief_rep"), f"{API}/{case['id']}/decide", {"decision": "approve"}).status_code
        == 403
    )
    unknown = post(client_for("chief_rep"), f"{API}/{case['id']}/review", {"reviewer_id": 999999})
    assert unknown.status_code == 404


def test_separation_of_acceptance_and_review(org, item, applicant, client_for) -> None:
    chief = client_for("chief_rep")
    case = submit(chief, item, applicant).json()
    all_checked(chief, case)
    post(chief, f"{API}/{case['id']}/accept")
    response = post(chief, f"{API}/{case['id']}/review")
    assert response.status_code == 400 and error_code(response) == "separation_of_duties"


def test_applicants_see_only_their_own_cases(org, item, applicant, other_applicant, client_for) -> None:
    me = client_for("applicant")
    online = submit(me, item, applicant, channel="online")
    assert online.status_code == 201 and online.json()["channel"] == "online"
    mine = online.json()
    theirs = submit(client_for("clerk"), item, other_applicant).json()
    assert submit(me, item, other_applicant, channel="online").status_code == 404  # not his to file for
    assert me.get(f"{API}/{theirs['id']}").status_code == 404
    assert me.get(f"{API}/by-number/{theirs['number']}").status_code == 404
    assert post(me, f"{API}/{theirs['id']}/withdraw").status_code == 404
    # Outside his scope a case is absent before any right is checked: no step tells him it exists.
    for step in ("accept", "review", "result-ready", "correction"):
        assert post(me, f"{API}/{theirs['id']}/{step}").status_code == 404, step
        assert post(me, f"{API}/999999/{step}").status_code == 404, step
    assert post(me, f"{API}/{mine['id']}/accept").status_code == 403  # his own: seen, but not his to do
    listing = me.get(f"{API}/").json()
    assert [case["id"] for case in listing["cases"]] == [mine["id"]]
    assert Client().get(f"{API}/").status_code == 401


def test_list_filters_paginates_and_masks_personal_data(org, item, applicant, client_for) -> None:
    clerk = client_for("clerk")
    first = accepted(client_for, item, applicant)
    for _ in range(2):
        submit(clerk, item, applicant)
    page = clerk.get(f"{API}/", {"limit": 2}).json()
    assert (page["total"], len(page["cases"])) == (3, 2)
    row = page["cases"][0]
    assert row["applicant_identifier"] == applicant.id_number[:4] + "*" * 10 + applicant.id_number[-4:]
    assert row["applicant_phone"] == "139****5678"
    raw = clerk.get(f"{API}/").content.decode()
    assert applicant.id_number not in raw and "13912345678" not in raw
    accepted_only = clerk.get(f"{API}/", {"status": "accepted,in_review"}).json()
    assert [case["id"] for case in accepted_only["cases"]] == [first["id"]]
    assert clerk.get(f"{API}/", {"deadline_state": "normal"}).json()["total"] == 1
    assert clerk.get(f"{API}/", {"q": first["number"]}).json()["total"] == 1
    assert clerk.get(f"{API}/", {"q": "食品经营"}).json()["total"] == 3
    bad = clerk.get(f"{API}/", {"status": "lost"})
    assert bad.status_code == 400 and bad.json()["error"]["fields"] == {"status": ["无效"]}
    assert clerk.get(f"{API}/", {"limit": 0}).status_code == 422


def test_list_query_count_does_not_grow_with_the_page(org, item, applicant, client_for) -> None:
    from django.test.utils import CaptureQueriesContext

    clerk = client_for("clerk")
    submit(clerk, item, applicant)
    with CaptureQueriesContext(connection) as one:
        clerk.get(f"{API}/")
    for _ in range(4):
        submit(clerk, item, applicant)
    with CaptureQueriesContext(connection) as five:
        clerk.get(f"{API}/")
    assert len(five) == len(one)


# ——— idempotent submit ———


def test_the_same_key_returns_the_same_case(org, item, applicant, other_applicant, client_for) -> None:
    clerk = client_for("clerk")
    first = post(
        clerk,
        f"{API}/",
        {"item_id": item.pk, "applicant_id": applicant.pk, "channel": "window"},
        **{"Idempotency-Key": "key-0001"},
    )
    assert first.status_code == 201
    again = submit(clerk, item, applicant, idempotency_key="key-0001")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Case.objects.count() == 1

    reused = submit(clerk, item, other_applicant, idempotency_key="key-0001")
    assert reused.status_code == 409 and error_code(reused) == "idempotency_key_reused"
    mismatch = post(
        clerk,
        f"{API}/",
        {"item_id": item.pk, "applicant_id": applicant.pk, "channel": "window", "idempotency_key": "a"},
        **{"Idempotency-Key": "b"},
    )
    assert mismatch.status_code == 400 and error_code(mismatch) == "idempotency_key_mismatch"
    too_long = submit(clerk, item, applicant, idempotency_key="x" * 65)
    assert too_long.status_code == 422
    # Another submitter's key space is his own.
    assert submit(client_for("helper"), item, applicant, idempotency_key="key-0001").status_code == 201
    assert Case.objects.count() == 2


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent submits are exercised on PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_with_one_key_make_one_case(org, item, applicant) -> None:
    clerk = org.user("clerk")
    barrier = threading.Barrier(4)
    responses: list[Any] = []
    errors: list[BaseException] = []

    def send() -> None:
        try:
            client = Client()
            client.force_login(clerk)
            barrier.wait(timeout=10)
            responses.append(submit(client, item, applicant, idempotency_key="double-click"))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert sorted(r.status_code for r in responses) == [200, 200, 200, 201]
    assert len({r.json()["id"] for r in responses}) == 1
    assert Case.objects.filter(idempotency_key="double-click").count() == 1


# ——— files and notices ———


def test_upload_download_and_refusals(org, item, applicant, other_applicant, client_for) -> None:
    clerk, me = client_for("clerk"), client_for("applicant")
    case = submit(clerk, item, applicant).json()
    material = case["materials"][0]["id"]
    uploaded = clerk.post(
        f"{API}/{case['id']}/files",
        {"file": SimpleUploadedFile("申请书.pdf", PDF, "application/pdf"), "case_material_id": material},
    )
    assert uploaded.status_code == 201, uploaded.content
    body = uploaded.json()
    assert (body["content_type"], body["size"], body["case_material_id"]) == (
        "application/pdf",
        len(PDF),
        material,
    )

    download = me.get(body["url"])
    assert download.status_code == 200 and download.content == PDF
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert [f["id"] for f in clerk.get(f"{API}/{case['id']}").json()["files"]] == [body["id"]]

    renamed = clerk.post(
        f"{API}/{case['id']}/files", {"file": SimpleUploadedFile("执照.pdf", EXE, "application/pdf")}
    )
    assert renamed.status_code == 400 and error_code(renamed) == "file_type_not_allowed"
    assert "PDF" in renamed.json()["error"]["message"]

    theirs = submit(clerk, item, other_applicant).json()
    no_file = post(clerk, f"{API}/{theirs['id']}/files")  # no file at all
    assert no_file.status_code in (400, 422)
    wrong_case = clerk.post(
        f"{API}/{theirs['id']}/files",
        {"file": SimpleUploadedFile("a.pdf", PDF, "application/pdf"), "case_material_id": material},
    )
    assert wrong_case.status_code == 400
    other = Client()
    other.force_login(other_applicant.user)
    assert other.get(body["url"]).status_code == 404
    assert (
        other.post(f"{API}/{case['id']}/files", {"file": SimpleUploadedFile("a.pdf", PDF)}).status_code == 404
    )
    assert me.get(f"{API}/{case['id']}/files/999999").status_code == 404


def test_notices_download_only_within_scope(org, item, applicant, other_applicant, client_for) -> None:
    case = accepted(client_for, item, applicant)
    notice = client_for("clerk").get(f"{API}/{case['id']}").json()["notices"][0]
    assert notice["kind"] == "acceptance" and notice["kind_label"] == "受理通知书"
    mine = client_for("applicant").get(notice["url"])
    assert mine.status_code == 200 and mine.content.startswith(b"%PDF")
    other = Client()
    other.force_login(other_applicant.user)
    assert other.get(notice["url"]).status_code == 404
    assert client_for("clerk").get(f"{API}/{case['id']}/notices/999999.pdf").status_code == 404


# ——— public progress lookup ———


def test_public_track_shows_progress_without_personal_data(org, item, applicant, client_for) -> None:
    case = accepted(client_for, item, applicant)
    public = Client()
    found = public.get(f"{API}/track", {"number": case["number"], "id_number": applicant.id_number.lower()})
    assert found.status_code == 200, found.content
    body = found.json()
    assert (body["status_label"], body["provincial_code"], body["department_name"]) == (
        "已受理",
        "3",
        "市场监管局",
    )
    assert [(s["action"], s["action_label"]) for s in body["timeline"]] == [
        ("submit", "提交申请"),
        ("accept", "受理"),
    ]
    raw = found.content.decode()
    for personal in (applicant.name, applicant.id_number, applicant.phone, org.user("clerk").username):
        assert personal not in raw
    assert "actor" not in body["timeline"][0]

    wrong_id = public.get(f"{API}/track", {"number": case["number"], "id_number": "150824199001011234"})
    wrong_number = public.get(
        f"{API}/track", {"number": case["number"][:-1] + "9", "id_number": applicant.id_number}
    )
    assert wrong_id.status_code == wrong_number.status_code == 404
    assert wrong_id.json() == wrong_number.json()
    assert public.get(f"{API}/track").status_code == 404


def test_public_track_is_rate_limited_per_address(org, item, applicant, client_for, settings) -> None:
    settings.YICHUANG_TRACK_LOOKUPS_PER_MINUTE = 3
    case = accepted(client_for, item, applicant)
    public = Client()
    answers = [
        public.get(
            f"{API}/track", {"number": case["number"], "id_number": f"15082419900101{n:04d}"}
        ).status_code
        for n in range(3)
    ]
    assert answers == [404, 404, 404]
    limited = public.get(f"{API}/track", {"number": case["number"], "id_number": applicant.id_number})
    assert limited.status_code == 429  # even the right ID: guessing is stopped, not just wrong guesses
    assert error_code(limited) == "rate_limited" and "每分钟最多查询3次" in limited.json()["error"]["message"]


# ——— time limits: special procedures and extensions ———


def test_special_procedure_pauses_and_resumes(org, item, applicant, client_for) -> None:
    reviewer = client_for("reviewer")
    case = in_review(client_for, item, applicant)
    started = post(
        reviewer, f"{API}/{case['id']}/special-procedures", {"kind": "inspection", "reason": "核查经营场所"}
    )
    assert started.status_code == 201, started.content
    assert started.json()["status"] == "running"
    detail = reviewer.get(f"{API}/{case['id']}").json()
    assert (detail["status"], detail["provincial_code"], detail["deadline_state"]) == (
        "special_procedure",
        "9",
        "paused",
    )
    assert "special_procedure" in [n["kind"] for n in detail["notices"]]
    assert post(reviewer, f"{API}/{case['id']}/decide", {"decision": "approve"}).status_code == 409
    assert post(client_for("clerk"), f"{API}/{case['id']}/special-procedures/finish").status_code == 403
    finished = post(reviewer, f"{API}/{case['id']}/special-procedures/finish", {"result": "场所符合要求"})
    assert finished.status_code == 200 and finished.json()["status"] == "in_review"


def test_extension_requested_by_the_reviewer_and_decided_by_the_head(
    org, item, applicant, client_for
) -> None:
    reviewer, chief = client_for("reviewer"), client_for("chief_rep")
    case = in_review(client_for, item, applicant)
    assert post(reviewer, f"{API}/{case['id']}/extensions", {"days": 3, "reason": ""}).status_code == 400
    requested = post(reviewer, f"{API}/{case['id']}/extensions", {"days": 3, "reason": "需补充专家意见"})
    assert requested.status_code == 201, requested.content
    extension = requested.json()
    assert extension["status"] == "requested"
    assert (
        post(
            client_for("reviewer_wjw"), f"{API}/extensions/{extension['id']}/decide", {"approve": True}
        ).status_code
        == 404
    )
    before = reviewer.get(f"{API}/{case['id']}").json()["due_date"]
    decided = post(chief, f"{API}/extensions/{extension['id']}/decide", {"approve": True, "note": "同意"})
    assert decided.status_code == 200, decided.content
    assert decided.json()["status"] == "approved"
    after = reviewer.get(f"{API}/{case['id']}").json()
    assert after["extension_days"] == 3 and after["due_date"] > before
    assert post(chief, f"{API}/extensions/{extension['id']}/decide", {"approve": False}).status_code == 409
    assert post(chief, f"{API}/extensions/999999/decide", {"approve": True}).status_code == 404


# ——— 告知承诺: verification and credit marks ———


@pytest.fixture
def commitment_item(org):
    return publish_item(
        actor=org.user("admin"),
        department=org.scjg,
        basic_code="11A000100002",
        commitment_allowed=True,
        materials=[
            {"key": "a", "name": "申请书", "review_points": ["签字"]},
            {
                "key": "b",
                "name": "场所使用证明",
                "commitment_replaceable": True,
                "review_points": ["权属清楚"],
            },
        ],
    )


def test_false_commitment_revokes_marks_and_the_admin_clears(
    org, commitment_item, applicant, client_for
) -> None:
    clerk, reviewer, admin = client_for("clerk"), client_for("reviewer"), client_for("admin")
    case = submit(clerk, commitment_item, applicant, by_commitment=True).json()
    assert case["by_commitment"] is True
    assert [m["state"] for m in case["materials"]] == ["missing", "committed"]
    findings = [{"case_material_id": case["materials"][0]["id"], "state": "received"}]
    assert post(clerk, f"{API}/{case['id']}/materials", {"findings": findings}).status_code == 200
    assert post(clerk, f"{API}/{case['id']}/accept").status_code == 200
    post(reviewer, f"{API}/{case['id']}/review")
    assert post(reviewer, f"{API}/{case['id']}/decide", {"decision": "approve"}).status_code == 200
    verification = reviewer.get(f"{API}/{case['id']}").json()["verification"]
    assert verification["status"] == "pending"

    url = f"{API}/verifications/{verification['id']}"
    assert post(client_for("reviewer_wjw"), url, {"truthful": False, "findings": "x"}).status_code == 404
    assert post(reviewer, url, {"truthful": False, "findings": ""}).status_code == 400
    recorded = post(reviewer, url, {"truthful": False, "findings": "场所系租用且租期已满"})
    assert recorded.status_code == 200 and recorded.json()["status"] == "false"
    assert reviewer.get(f"{API}/{case['id']}").json()["status"] == "revoked"
    assert post(reviewer, url, {"truthful": True, "findings": "复查"}).status_code == 409

    barred = submit(clerk, commitment_item, applicant, by_commitment=True)
    assert barred.status_code == 400 and error_code(barred) == "commitment_barred"
    mark = CreditMark.objects.get(applicant=applicant)
    clear = f"{API}/credit-marks/{mark.pk}/clear"
    assert post(reviewer, clear, {"reason": "已整改"}).status_code == 403
    assert post(admin, clear, {"reason": ""}).status_code == 400
    cleared = post(admin, clear, {"reason": "已整改并作出信用修复承诺"})
    assert cleared.status_code == 200 and cleared.json()["cleared_at"] is not None
    assert post(admin, clear, {"reason": "再次"}).status_code == 409
    assert post(admin, f"{API}/credit-marks/999999/clear", {"reason": "x"}).status_code == 404
    assert submit(clerk, commitment_item, applicant, by_commitment=True).status_code == 201


# ——— authentication ———


def test_token_clients_post_without_csrf_and_sessions_need_it(org, item, applicant) -> None:
    from yichuang.accounts.services import api_token_issue

    _token, raw = api_token_issue(actor=org.user("admin"), user=org.user("clerk"), name="省级平台对接")
    integration = Client(enforce_csrf_checks=True)
    body = {"item_id": item.pk, "applicant_id": applicant.pk, "channel": "window"}
    created = integration.post(
        f"{API}/", body, content_type="application/json", headers={"Authorization": f"Bearer {raw}"}
    )
    assert created.status_code == 201, created.content
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(org.user("clerk"))
    refused = browser.post(f"{API}/", body, content_type="application/json")
    assert refused.status_code == 403
    assert Case.objects.count() == 1


# ——— bad input ———


def test_bad_input_is_a_structured_error(org, item, applicant, client_for) -> None:
    clerk = client_for("clerk")
    missing = post(clerk, f"{API}/", {"item_id": item.pk})
    assert missing.status_code == 422
    assert missing.json()["error"]["fields"]["applicant_id"] == ["必填"]
    assert submit(clerk, item, applicant, channel="fax").status_code == 403
    unknown_item = post(
        clerk, f"{API}/", {"item_id": 999999, "applicant_id": applicant.pk, "channel": "window"}
    )
    assert unknown_item.status_code == 404
    case = submit(clerk, item, applicant).json()
    decision = post(client_for("reviewer"), f"{API}/{case['id']}/decide", {"decision": "maybe"})
    assert decision.status_code == 422
    bad_state = post(
        clerk,
        f"{API}/{case['id']}/materials",
        {"findings": [{"case_material_id": case["materials"][0]["id"], "state": "lost"}]},
    )
    assert bad_state.status_code == 400 and bad_state.json()["error"]["message"] == "材料状态无效"
    incomplete = post(clerk, f"{API}/{case['id']}/accept")
    assert incomplete.status_code == 400 and error_code(incomplete) == "materials_incomplete"
    assert clerk.get(f"{API}/999999").status_code == 404
    assert clerk.get(f"{API}/abc").status_code in (404, 422)
