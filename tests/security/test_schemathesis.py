"""schemathesis over the published OpenAPI schema of ``/api/v1/``: no input may cause a server error.

Every operation is called with generated inputs through the WSGI app (no server), once as the admin with
a bearer token (the widest capabilities, so inputs reach the handlers) and once anonymously (so the
authentication layer itself is fuzzed). The runs are derandomised (the same examples in every CI run) and
bounded (``MAX_EXAMPLES`` per operation). Checks: ``not_a_server_error`` everywhere, and the response's
conformance to its declared schema (``response_schema_conformance``) for every operation but those in
``NOT_CONFORMING`` (see docs/testing.md). It runs on SQLite only (the PostgreSQL pass of ``make test``
skips it: the issue asks for one run, and the examples do not depend on the database).

``YICHUANG_SCHEMATHESIS_EXAMPLES=n`` changes the number of examples; ``YICHUANG_SCHEMATHESIS_CONFORMANCE=all``
checks the conformance of every operation (to find which ones still differ from their schema).
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import unquote

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.wsgi import get_wsgi_application
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from config.api import api

MAX_EXAMPLES = int(os.environ.get("YICHUANG_SCHEMATHESIS_EXAMPLES", "4"))
ALL_CONFORMANCE = os.environ.get("YICHUANG_SCHEMATHESIS_CONFORMANCE", "") == "all"
# Operations whose answers do not (yet) match their declared response schema: only "no server error".
# Empty: the former entries were schema class name clashes, now refused by
# yichuang/core/tests/test_openapi_schema.py. Add an operation here only with a reason.
NOT_CONFORMING: frozenset[str] = frozenset()

pytestmark = pytest.mark.skipif(
    "sqlite" not in django_settings.DATABASES["default"]["ENGINE"],
    reason="schemathesis runs in the SQLite pass of the suite only",
)

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1/"))
schema.app = get_wsgi_application()

_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)


def _checks(case: Any) -> list[Any]:
    label = f"{case.method} {case.operation.path}"
    if ALL_CONFORMANCE or label not in NOT_CONFORMING:
        return [not_a_server_error, response_schema_conformance]
    return [not_a_server_error]


@pytest.fixture
def admin_token(org: Any) -> str:
    from yichuang.accounts.services import api_token_issue

    admin = org.user("admin")
    _, raw = api_token_issue(actor=admin, user=admin, name="schemathesis")
    return raw


@pytest.mark.django_db
@schema.parametrize()
@_SETTINGS
def test_api_as_admin(case: Any, admin_token: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {admin_token}"}, checks=_checks(case))


@pytest.mark.django_db
@schema.parametrize()
@_SETTINGS
def test_api_anonymous(case: Any, org: Any) -> None:
    response = case.call_and_validate(checks=[not_a_server_error])
    documented = case.method.upper() == case.operation.method.upper()  # not one of the unexpected methods
    if documented and case.operation.definition.raw.get("security") and _resolves(case.formatted_path):
        # Authentication is checked before the input: every protected operation answers 401 (a path
        # that no URL pattern matches, e.g. text for an ``<int:…>`` converter, is 404 before any view).
        assert response.status_code == 401, f"{case.method} {case.formatted_path}: {response.status_code}"


def _resolves(path: str) -> bool:
    try:
        resolve(unquote(path))
    except Resolver404:
        return False
    return True
