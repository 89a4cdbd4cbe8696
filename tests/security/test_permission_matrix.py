"""The permission matrix: every endpoint and screen × every principal, against the declared access table.

A new URL without a line in ``access.ACCESS`` fails ``test_every_endpoint_is_declared``; a line whose URL is
gone fails ``test_no_declaration_is_stale``. Each endpoint is one test that sends its request as each of the
principals (``rules.PRINCIPALS``: anonymous, one user of every role, a reviewer of another department and a
second applicant) with concrete arguments from the demo centre, each request in a savepoint that is rolled
back. The answer must match the rule — allowed: neither a login redirect, 401, 403 nor 404; refused: login
redirect (screens) / 401 (API) for the anonymous user, 403 or 404 (out of scope reads as absent) for the
others, and nothing written (no audit event). A screen refused on GET is also POSTed to (the form's action
must be refused too). Never a server error. All differences of one endpoint are reported together.

The matrix of observed answers is written to ``test-artifacts/permission-matrix.md``. To draft rules after an
intended change, run with ``YICHUANG_MATRIX_OBSERVE=/tmp/obs.json`` (every answer is recorded, nothing is
asserted but "no server error") and ``python -m tests.security.draft /tmp/obs.json``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from tests.security import bodies as bodies_module
from tests.security import targets as targets_module
from tests.security.access import ACCESS, ADMIN_RULE
from tests.security.bodies import BODIES, Request
from tests.security.endpoints import ADMIN_SAMPLE, Endpoint, admin_routes, all_endpoints
from tests.security.rules import ANONYMOUS, PRINCIPALS
from yichuang.core.models import AuditEvent

ENDPOINTS = all_endpoints()
# While working on a part, run only the endpoints whose key contains this text (e.g. "/api/v1/cases"), or
# with "bodies" only the operations sent with an input of bodies.py.
ONLY = os.environ.get("YICHUANG_MATRIX_ONLY", "")
ARTIFACT = Path(__file__).resolve().parents[2] / "test-artifacts" / "permission-matrix.md"
OBSERVE = os.environ.get("YICHUANG_MATRIX_OBSERVE", "")
_observed: dict[str, dict[str, str]] = {}
LOGOUT = "/accounts/logout/"

pytestmark = pytest.mark.django_db


class Principal:
    """A client logged in once per run; its cookies are reset before every request (a request that logs
    out or rotates the session is rolled back with its savepoint, the client must not keep the new cookie)."""

    def __init__(self, name: str, user: Any) -> None:
        self.name = name
        self.client = Client(raise_request_exception=False)
        if user is not None:
            self.client.force_login(user)
        self.cookies = SimpleCookie(self.client.cookies.output(header="", sep=";"))

    def send(self, method: str, url: str, *, api: bool, request: Request | None = None) -> Any:
        self.client.cookies = SimpleCookie(self.cookies.output(header="", sep=";"))
        if method == "GET":
            return self.client.get(url, data=request.query if request else None)
        if request is not None and request.files is not None:
            uploads = {
                name: SimpleUploadedFile(file_name, content, content_type=content_type)
                for name, (file_name, content, content_type) in request.files.items()
            }
            return self.client.generic(
                method,
                url,
                data=encode_multipart(BOUNDARY, {**request.form, **uploads}),
                content_type=MULTIPART_CONTENT,
            )
        if api:
            body = json.dumps(request.json if request and request.json is not None else {})
            return self.client.generic(method, url, data=body, content_type="application/json")
        return self.client.post(url, data={})


@pytest.fixture(scope="module")
def principals(world: Any, world_build_seconds: dict[str, float]) -> Iterator[dict[str, Principal]]:
    yield {p: Principal(p, None if p == ANONYMOUS else world[p]) for p in PRINCIPALS}
    _write_artifact(world_build_seconds)


@pytest.fixture(scope="module")
def values(world: Any) -> dict[str, Any]:
    collected = targets_module.collect()
    return {**collected, **bodies_module.collect(collected)}


def _classify(response: Any) -> str:
    status = response.status_code
    if status >= 500:
        return f"error {status}"
    if status == 401 or (status in (301, 302, 303) and "/login/" in response.get("Location", "")):
        return "login"
    if status == 403:
        return "denied"
    if status == 404:
        return "absent"
    return f"ok {status}"


def _last_event() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _cell(outcome: str) -> str:
    return {"login": "🔒", "denied": "⛔", "absent": "∅"}.get(
        outcome, "✓" if outcome.startswith("ok") else "💥"
    )


def _write_artifact(build_seconds: dict[str, float]) -> None:
    if not _observed:
        return
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    short = {ANONYMOUS: "anon", "other_reviewer": "other reviewer", "other_applicant": "other applicant"}
    head = "| endpoint | who may | " + " | ".join(short.get(p, p) for p in PRINCIPALS) + " |"
    lines = [
        "# Permission matrix 权限矩阵",
        "",
        "Generated by `tests/security/test_permission_matrix.py` (rules: `tests/security/access.py`). "
        "✓ allowed · 🔒 login required (302/401) · ⛔ 403 · ∅ 404 (absent or out of scope) · 💥 server error. "
        "`other reviewer` is a reviewer of 民政局, which owns no case; `other applicant` owns none.",
        "",
        "World build (cumulative seconds): " + ", ".join(f"{k} {v}" for k, v in build_seconds.items()),
        "",
        head,
        "|" + "---|" * (len(PRINCIPALS) + 2),
    ]
    for key in sorted(_observed):
        rule = ACCESS.get(key) or (ADMIN_RULE if key.startswith("/admin/") else None)
        row = _observed[key]
        cells = [_cell(row[p]) if p in row else "" for p in PRINCIPALS]
        lines.append(f"| `{key}` | {rule.describe() if rule else '?'} | " + " | ".join(cells) + " |")
    ARTIFACT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if OBSERVE:
        Path(OBSERVE).write_text(json.dumps(_observed, ensure_ascii=False, indent=0), encoding="utf-8")


def test_every_endpoint_is_declared() -> None:
    missing = [e.key for e in ENDPOINTS if e.key not in ACCESS]
    assert not missing, "endpoints without an access rule in tests/security/access.py:\n" + "\n".join(missing)


def test_no_declaration_is_stale() -> None:
    keys = {e.key for e in ENDPOINTS}
    stale = sorted(set(ACCESS) - keys)
    assert not stale, "access rules for URLs that no longer exist:\n" + "\n".join(stale)


def test_no_rule_is_pending() -> None:
    pending = sorted(key for key, rule in ACCESS.items() if rule.kind == "pending")
    assert not pending, "undeclared access (PENDING) in tests/security/access.py:\n" + "\n".join(pending)


def test_admin_is_sampled_from_real_routes() -> None:
    from django.contrib import admin
    from django.urls import resolve

    assert len(admin_routes()) > 50, "the admin is mounted"
    registered = {f"/admin/{m._meta.app_label}/{m._meta.model_name}/" for m in admin.site._registry}
    for url in ADMIN_SAMPLE:
        assert resolve(url).namespace == "admin"
        assert url == "/admin/" or url in registered, f"{url} is not a registered model's changelist"


@pytest.mark.parametrize("url", ADMIN_SAMPLE)
def test_admin(principals: dict[str, Principal], url: str) -> None:
    problems = []
    for name, principal in principals.items():
        response = principal.send("GET", url, api=False)
        _observed.setdefault(url, {})[name] = _classify(response)
        if ADMIN_RULE.allows(name):
            if response.status_code != 200:
                problems.append(f"{name}: must be allowed, got {response.status_code}")
        elif response.status_code != 302 or "/admin/login/" not in response["Location"]:
            problems.append(f"{name}: must be sent to the admin login, got {response.status_code}")
    assert not problems, f"{url}:\n" + "\n".join(problems)


def _check(
    endpoint: Endpoint,
    url: str,
    name: str,
    principal: Principal,
    missing_target: bool,
    request: Request | None = None,
) -> tuple[str, str | None]:
    """Send the request as one principal; the observed outcome and a problem (or None)."""
    before = _last_event()
    response = principal.send(endpoint.method, url, api=endpoint.api, request=request)
    outcome = _classify(response)
    if not endpoint.api and response.status_code == 405:
        # A screen that only takes a form: its POST decides.
        response = principal.send("POST", url, api=False)
        outcome = _classify(response)
    if outcome.startswith("error"):
        return outcome, f"server error {response.status_code}"
    if OBSERVE:
        return outcome, None
    rule = ACCESS[endpoint.key]
    if rule.kind == "absent":
        return (
            outcome,
            None if outcome == "absent" else f"must be 404, got {outcome} ({response.status_code})",
        )
    if endpoint.key == LOGOUT and outcome == "login":
        outcome = "ok 302"  # signing out ends on the login page, for everyone
    if rule.allows(name):
        if request is not None and response.status_code == 422:
            # The valid input of bodies.py must get past validation, or the refusals prove nothing.
            return (
                outcome,
                f"the input of tests/security/bodies.py is not valid: 422 {response.content[:300]!r}",
            )
        if outcome.startswith("ok") or (missing_target and outcome == "absent"):
            return outcome, None
        return outcome, f"must be allowed, got {outcome} ({response.status_code})"
    # The anonymous user is mostly sent to the login page; a device screen's data answers 403 and a
    # number's print page 404 (it does not say whether the number exists): all three refuse.
    refused = {"login", "denied", "absent"} if name == ANONYMOUS else {"denied", "absent"}
    if outcome not in refused:
        return outcome, f"must be refused, got {outcome} ({response.status_code})"
    if not endpoint.api and endpoint.method == "GET":
        posted = principal.send("POST", url, api=False)
        if _classify(posted) not in refused and posted.status_code != 405:
            return outcome, f"GET refused but POST answered {posted.status_code}"
    if _last_event() != before:
        return outcome, "refused, but an audit event was written"
    return outcome, None


def test_bodies_are_for_api_operations() -> None:
    operations = {e.key for e in ENDPOINTS if e.api}
    stale = sorted(set(BODIES) - operations)
    assert not stale, "tests/security/bodies.py has inputs for operations that are gone:\n" + "\n".join(stale)


def _selected(endpoint: Endpoint) -> bool:
    return endpoint.key in BODIES if ONLY == "bodies" else ONLY in endpoint.key


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if _selected(e)], ids=lambda e: e.key)
def test_access(principals: dict[str, Principal], values: dict[str, Any], endpoint: Endpoint) -> None:
    kwargs = targets_module.kwargs_for(endpoint.route, endpoint.params, values)
    url = endpoint.url(kwargs)
    missing_target = targets_module.MISSING in kwargs.values() or "none" in kwargs.values()
    build = BODIES.get(endpoint.key)
    request = build(values) if build is not None else None
    problems = []
    row = _observed.setdefault(endpoint.key, {})
    for name, principal in principals.items():
        with transaction.atomic():
            outcome, problem = _check(endpoint, url, name, principal, missing_target, request)
            transaction.set_rollback(True)
        row[name] = outcome
        if problem:
            problems.append(f"  {name:<16} {problem}")
    if OBSERVE:
        with open(OBSERVE + ".jsonl", "a", encoding="utf-8") as log:
            log.write(json.dumps([endpoint.key, row], ensure_ascii=False) + "\n")
    rule = ACCESS.get(endpoint.key)
    assert not problems, f"{endpoint.method} {url} — rule: {rule.describe() if rule else '?'}\n" + "\n".join(
        problems
    )
