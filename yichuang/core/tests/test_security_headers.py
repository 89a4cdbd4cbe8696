"""Security headers (yichuang/core/security.py, docs/security.md): every HTML page carries the content security
policy and the permissions policy; JSON and files do not; HSTS is sent over HTTPS once configured; a nonce is in
the policy only when a template asked for one; no template holds an inline script, handler or style."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client, RequestFactory

from yichuang.core.security import SecurityHeadersMiddleware

pytestmark = pytest.mark.django_db

EXPECTED_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data: blob:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def directives(header: str) -> dict[str, str]:
    parts = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return {name: value for name, value in parts}


def test_an_html_page_carries_the_policy_and_the_other_headers() -> None:
    response = Client().get("/guides/")
    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == EXPECTED_DIRECTIVES
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    policy = response["Permissions-Policy"]
    assert "camera=(self)" in policy and "geolocation=()" in policy and "microphone=()" in policy
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response  # plain HTTP, not configured


def test_json_and_files_carry_no_policy() -> None:
    api = Client().get("/api/v1/catalog/lists")
    assert api.status_code == 200 and api["Content-Type"].startswith("application/json")
    assert "Content-Security-Policy" not in api and "Permissions-Policy" not in api
    factory = RequestFactory()
    middleware = SecurityHeadersMiddleware(
        lambda request: HttpResponse(b"%PDF-", content_type="application/pdf")
    )
    pdf = middleware(factory.get("/x.pdf"))
    assert "Content-Security-Policy" not in pdf


def test_hsts_over_https_when_configured(settings: Any) -> None:
    settings.SECURE_HSTS_SECONDS = 31536000
    response = Client().get("/guides/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000"


def test_a_nonce_is_added_only_when_a_template_uses_it() -> None:
    factory = RequestFactory()

    def page_with_nonce(request: Any) -> HttpResponse:
        return HttpResponse(f'<script nonce="{request.csp_nonce}">1</script>', content_type="text/html")

    with_nonce = SecurityHeadersMiddleware(page_with_nonce)(factory.get("/"))
    nonce = re.search(r"'nonce-([^']+)'", with_nonce["Content-Security-Policy"])
    assert nonce and f'nonce="{nonce.group(1)}"' in with_nonce.content.decode()
    plain = SecurityHeadersMiddleware(lambda request: HttpResponse("<p>x</p>"))(factory.get("/"))
    assert "nonce-" not in plain["Content-Security-Policy"]


INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>"  # an inline script
    r"|\son[a-z]+=[\"']"  # an event handler attribute
    r"|javascript:"
    r"|\sstyle=[\"']"
    r"|<style[\s>]"
    r"|hx-vals=['\"]js:"
    r"|\shx-on"
)


def test_no_template_holds_inline_script_handler_or_style() -> None:
    roots = [Path(settings.BASE_DIR) / "templates", *Path(settings.BASE_DIR, "yichuang").glob("*/templates")]
    found = [
        f"{path.relative_to(settings.BASE_DIR)}:{number}: {line.strip()[:120]}"
        for root in roots
        for path in root.rglob("*.html")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if INLINE.search(line)
    ]
    assert not found, "\n".join(found)


def test_the_check_finds_what_it_looks_for() -> None:
    for bad in (
        "<script>alert(1)</script>",
        '<button onclick="x()">',
        '<a href="javascript:void(0)">',
        '<p style="color:red">',
        "<style>p{}</style>",
        "<div hx-vals='js:{a: 1}'>",
    ):
        assert INLINE.search(bad), bad
    for good in ('<script src="/static/a.js" defer></script>', '<script type="application/json" id="d">'):
        assert not INLINE.search(good), good
