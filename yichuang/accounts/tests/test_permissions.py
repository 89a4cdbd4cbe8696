"""Boundaries between roles and between departments, on services, API and screens."""

from __future__ import annotations

import pytest
from django.test import Client

from yichuang.accounts import selectors, services
from yichuang.accounts.roles import Role
from yichuang.accounts.tests.factories import ApplicantFactory, department_payload
from yichuang.accounts.token_cache import token_cache_clear
from yichuang.core.errors import NotFoundError, PermissionDeniedError

pytestmark = pytest.mark.django_db


def _staff_ids(client: Client, department_id: int) -> tuple[int, list[str]]:
    response = client.get(f"/api/v1/departments/{department_id}/staff")
    return response.status_code, [
        row["username"] for row in response.json()
    ] if response.status_code == 200 else []


def test_staff_see_their_own_department_and_below_only(org, client_for) -> None:
    reviewer = client_for("reviewer")  # 市场监管局
    assert _staff_ids(reviewer, org.scjg.pk) == (200, ["chief_rep", "reviewer"])
    assert _staff_ids(reviewer, org.wjw.pk)[0] == 404  # another department: as if absent
    parent = client_for("reviewer_zrzy")  # 自然资源局 sees 不动产中心 below it
    assert _staff_ids(parent, org.bdc.pk) == (200, ["reviewer_bdc"])
    child = client_for("reviewer_bdc")  # but not the other way round
    assert _staff_ids(child, org.zrzy.pk)[0] == 404


@pytest.mark.parametrize("role", ["admin", "inspector"])
def test_centre_wide_roles_see_every_department(org, client_for, role: str) -> None:
    client = client_for(role)
    assert _staff_ids(client, org.wjw.pk) == (200, ["reviewer_wjw"])
    assert _staff_ids(client, org.zjj.pk) == (200, ["handler"])


def test_department_selector_enforces_scope_in_the_service_layer(org) -> None:
    with pytest.raises(NotFoundError):
        selectors.department_staff(actor=org.user("clerk"), department=org.scjg)
    assert list(selectors.department_staff(actor=org.user("admin"), department=org.scjg).values_list("username", flat=True)) == ["chief_rep", "reviewer"]  # fmt: skip


def test_department_screen_hides_other_departments_staff(org, client_for) -> None:
    own = client_for("reviewer").get(f"/departments/{org.scjg.pk}/").content.decode()
    other = client_for("reviewer").get(f"/departments/{org.wjw.pk}/").content.decode()
    assert "chief_rep" in own
    assert "reviewer_wjw" not in other and "不在您的管辖范围内" in other


def test_only_the_admin_creates_departments(org, client_for) -> None:
    body = department_payload(org.gov)
    for role in ("clerk", "reviewer", "inspector", "applicant"):
        denied = client_for(role).post("/api/v1/departments", body, content_type="application/json")
        assert denied.status_code == 403, role
        assert denied.json()["error"]["code"] == "permission_denied"
    created = client_for("admin").post("/api/v1/departments", body, content_type="application/json")
    assert created.status_code == 201
    assert created.json()["parent_id"] == org.gov.pk and created.json()["depth"] == 2
    with pytest.raises(PermissionDeniedError):
        services.department_create(actor=org.user("chief_rep"), parent=None, **{k: v for k, v in body.items() if k != "parent_id"})  # fmt: skip
    assert client_for("clerk").get("/departments/new/").status_code == 403


@pytest.mark.parametrize(
    ("role", "may_register"),
    [("clerk", True), ("helper", True), ("admin", True), ("reviewer", False), ("operator", False)],
)
def test_who_registers_applicants(org, client_for, role: str, may_register: bool) -> None:
    body = {"kind": "natural", "name": "苏和", "id_number": "150824199003071233"}
    response = client_for(role).post("/api/v1/applicants", body, content_type="application/json")
    assert response.status_code == (201 if may_register else 403)
    screen = client_for(role).get("/applicants/new/")
    assert screen.status_code == (200 if may_register else 403)


def test_applicant_sees_only_themself(org, client_for) -> None:
    mine = ApplicantFactory(user=org.user("applicant"))
    ApplicantFactory()
    assert client_for("applicant").get("/api/v1/applicants").status_code == 403
    assert client_for("applicant").get(f"/api/v1/applicants/{mine.pk}").status_code == 200
    other = ApplicantFactory()
    assert client_for("applicant").get(f"/api/v1/applicants/{other.pk}").status_code == 404


def test_lists_mask_personal_data(org, client_for) -> None:
    ApplicantFactory(name="巴特尔", id_number="150824199003071233", phone="13904780001")
    rows = client_for("clerk").get("/api/v1/applicants").json()
    assert rows[0]["identifier"] == "1508**********1233" and rows[0]["phone"] == "139****0001"
    html = client_for("clerk").get("/applicants/").content.decode()
    assert "1508**********1233" in html and "150824199003071233" not in html
    found = client_for("clerk").get("/api/v1/applicants?q=150824199003071233").json()
    assert [row["name"] for row in found] == ["巴特尔"]  # searchable by the full number, shown masked


def test_django_admin_is_for_the_admin_role_only(org, client_for) -> None:
    assert client_for("admin").get("/admin/").status_code == 200
    for role in ("clerk", "inspector", "applicant"):
        response = client_for(role).get("/admin/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"], role


def test_anonymous_users_are_sent_to_login_and_refused_by_the_api(org) -> None:
    client = Client()
    for url in ("/home/", "/departments/", "/applicants/", "/calendar/", "/audit/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
    for url in ("/api/v1/me", "/api/v1/departments", "/api/v1/calendar/2026"):
        response = client.get(url)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"


def test_session_writes_need_the_csrf_token(org) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.user("admin"))
    body = {"is_working_day": False, "note": "检修"}
    response = client.put("/api/v1/calendar/overrides/2026-03-09", body, content_type="application/json")
    assert response.status_code == 403


def test_bearer_tokens_for_integrations(org) -> None:
    token, raw = services.api_token_issue(
        actor=org.user("admin"), user=org.user("operator"), name="省平台对接"
    )
    client = Client()
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert me.status_code == 200 and me.json()["role"] == Role.OPERATOR
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer yc_wrong"}).status_code == 401
    services.api_token_revoke(actor=org.user("admin"), token=token)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
    with pytest.raises(PermissionDeniedError):
        services.api_token_issue(actor=org.user("clerk"), user=org.user("clerk"), name="x")


def test_a_checked_token_is_remembered_briefly_and_forgotten_on_any_change(
    org, settings, django_assert_num_queries
) -> None:
    settings.YICHUANG_TOKEN_CACHE_SECONDS = 30
    token_cache_clear()
    token, raw = services.api_token_issue(actor=org.user("admin"), user=org.user("clerk"), name="窗口终端")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    assert client.get("/api/v1/me").json()["username"] == "clerk"  # read and remembered
    with django_assert_num_queries(0):
        assert client.get("/api/v1/me").json()["username"] == "clerk"
    clerk = org.user("clerk")
    clerk.is_active = False
    clerk.save(update_fields=["is_active"])  # a deactivated user is refused at once
    assert client.get("/api/v1/me").status_code == 401
    clerk.is_active = True
    clerk.save(update_fields=["is_active"])
    assert client.get("/api/v1/me").status_code == 200
    services.api_token_revoke(actor=org.user("admin"), token=token)  # and so is a revoked token
    assert client.get("/api/v1/me").status_code == 401
    # Without the memory every call reads the token again.
    settings.YICHUANG_TOKEN_CACHE_SECONDS = 0
    _token, other = services.api_token_issue(actor=org.user("admin"), user=org.user("clerk"), name="x")
    client = Client(headers={"Authorization": f"Bearer {other}"})
    client.get("/api/v1/me")
    with django_assert_num_queries(1):
        assert client.get("/api/v1/me").status_code == 200


def test_sign_in_and_failures_are_audited(org) -> None:
    from yichuang.core.models import AuditEvent

    client = Client()
    assert not client.login(username="clerk", password="wrong")
    assert client.login(username="clerk", password="pass-word-2026")
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", "actor_label"))
    assert actions[-2:] == [("auth.login_failed", "系统"), ("auth.login", "clerk")]


def test_lists_do_not_grow_queries_with_rows(org, client_for, django_assert_max_num_queries) -> None:
    for _ in range(30):
        ApplicantFactory()
    client = client_for("admin")
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/v1/applicants").json()) == 30
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/v1/departments").json()) == 9
    with django_assert_max_num_queries(12):
        assert client.get("/applicants/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/departments/").status_code == 200
