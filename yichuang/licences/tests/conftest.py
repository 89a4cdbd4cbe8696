"""Fixtures of the licence tests that go through cases: a company with a portal login, its business
licence, the 食品经营许可 item whose result is the food licence, and a Monday to stand on."""

from __future__ import annotations

import pytest
import time_machine

from yichuang.accounts.models import Applicant
from yichuang.cases import services as case_services
from yichuang.catalog.tests.helpers import publish_item
from yichuang.licences.tests.helpers import (  # noqa: F401  (the tests import them from here)
    FOOD_DATA,
    FOOD_LICENCE,
    MONDAY,
    issue_business_licence,
    make_company,
)


@pytest.fixture
def monday():
    with time_machine.travel(MONDAY, tick=False):
        yield


@pytest.fixture
def company(org) -> Applicant:
    return make_company(org)


@pytest.fixture
def business_licence(org, company):
    return issue_business_licence(org, company)


@pytest.fixture
def licence(org, company):
    return issue_business_licence(org, company)


@pytest.fixture
def item(org):
    """食品经营许可: 申请书 (m-apply) + 营业执照 (m-licence, replaceable); the result is the food licence."""
    return publish_item(
        actor=org.user("admin"),
        department=org.scjg,
        basic_code="11A000100001",
        result_licence_type_code=FOOD_LICENCE,
    )


def in_review(org, item, company):
    """Received at the window with every material checked, accepted, taken by the reviewer."""
    case = case_services.case_submit(actor=org.user("clerk"), item=item, applicant=company, channel="window")
    case_services.case_check_materials(
        actor=org.user("clerk"),
        case=case,
        findings={row.pk: ("original_checked", "") for row in rows(case).values()},
    )
    case_services.case_accept(actor=org.user("clerk"), case=case)
    return case_services.case_start_review(actor=org.user("reviewer"), case=case)


def rows(case):
    return {row.material.key: row for row in case.materials.select_related("material")}
