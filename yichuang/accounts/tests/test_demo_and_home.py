from __future__ import annotations

import pytest

from yichuang.accounts.home import ROLE_HOME
from yichuang.accounts.roles import Role

pytestmark = pytest.mark.django_db


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
