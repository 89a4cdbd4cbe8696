from __future__ import annotations

import pytest
from django.core.management import call_command

from yichuang.accounts.home import ROLE_HOME
from yichuang.accounts.models import Applicant, Department, User
from yichuang.accounts.roles import Role
from yichuang.core.audit import audit_verify_chain

pytestmark = pytest.mark.django_db


def test_demo_load_builds_the_centre_and_can_run_twice(capsys) -> None:
    call_command("demo_load")
    call_command("demo_load")
    out = capsys.readouterr().out
    assert {user.role for user in User.objects.all()} == set(Role.values)
    for username in ("admin", "clerk", "reviewer", "chief_rep", "issuer", "helper", "operator", "handler", "inspector", "applicant"):  # fmt: skip
        assert username in out
    assert Department.objects.filter(name="乌拉特中旗市场监督管理局").get().depth == 2
    assert Applicant.objects.filter(kind="legal").count() == 6
    assert Applicant.objects.filter(kind="natural").count() == 20
    assert audit_verify_chain().ok


@pytest.mark.parametrize("role", [r for r in Role.values])
def test_each_role_lands_on_its_home(org, client_for, role: str) -> None:
    html = client_for(role).get("/home/").content.decode()
    assert f'data-role="{role}"' in html
    assert f"<h1>{ROLE_HOME[role]['title']}</h1>" in html


def test_api_me_describes_the_user(org, client_for) -> None:
    me = client_for("reviewer").get("/api/v1/me").json()
    assert me["role"] == "reviewer" and me["department_id"] == org.scjg.pk
    assert "applicant.manage" not in me["capabilities"] and "applicant.view" in me["capabilities"]


def test_openapi_schema_is_published(client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/calendar/{year}" in schema["paths"]
    assert "/api/v1/departments" in schema["paths"]
    assert {"SessionAuth", "BearerTokenAuth"} <= set(schema["components"]["securitySchemes"])
