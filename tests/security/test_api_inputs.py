"""Inputs schemathesis found to be server errors, each now answered without one (regressions)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

HUGE = "36882634040907489280"  # beyond SQL's 64-bit OFFSET


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/applicants?offset=-922&limit=626654781638646016",
        f"/api/v1/applicants?offset={HUGE}",
        f"/api/v1/bundles/applications/?offset={HUGE}&limit=58454375",
        "/api/v1/bundles/applications/?offset=-5",
        f"/api/v1/hotline/knowledge/stale?offset={HUGE}&limit=6000",
    ],
)
def test_paging_out_of_range_is_an_empty_page(org: Any, url: str) -> None:
    from yichuang.accounts.services import api_token_issue

    admin = org.user("admin")
    _, raw = api_token_issue(actor=admin, user=admin, name="inputs")
    response = Client().get(url, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200 and isinstance(response.json(), list), response.content


def test_a_ranking_month_of_year_zero_is_invalid_input(org: Any) -> None:
    from yichuang.accounts.services import api_token_issue

    admin = org.user("admin")
    _, raw = api_token_issue(actor=admin, user=admin, name="inputs")
    response = Client().get("/api/v1/ratings/figures?month=0000-01", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 422


@pytest.mark.parametrize("name", ["department", "category"])
def test_an_id_beyond_the_database_range_is_invalid_input(org: Any, name: str) -> None:
    from yichuang.accounts.services import api_token_issue

    _, raw = api_token_issue(actor=org.user("admin"), user=org.user("operator"), name="inputs")
    url = f"/api/v1/hotline/knowledge?{name}=38021242960559784146730221568"
    response = Client().get(url, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 422 and response.json()["error"]["fields"], response.content
