"""The 大字号 / 高对比度 switch: cookie in, classes on <body> out; only POST with a CSRF token; never an
open redirect."""

from __future__ import annotations

import pytest
from django.test import Client

from yichuang.core.accessibility import (
    COOKIE_NAME,
    body_classes,
    modes_after_choice,
    modes_from_cookie,
    modes_to_cookie,
)

pytestmark = pytest.mark.django_db


def test_cookie_round_trip_ignores_unknown_modes() -> None:
    assert modes_from_cookie(None) == frozenset()
    assert modes_from_cookie("contrast.large.evil<script>") == {"large", "contrast"}
    assert modes_to_cookie(frozenset({"contrast", "large"})) == "large.contrast"
    assert body_classes(frozenset({"contrast"})) == "a11y-contrast"
    assert modes_after_choice(frozenset({"large"}), {"contrast": "1"}) == {"large", "contrast"}
    assert modes_after_choice(frozenset({"large"}), {"large": "0", "other": "1"}) == frozenset()


def test_every_page_offers_the_switches_unpressed_by_default(client) -> None:
    body = client.get("/accounts/login/").content.decode()
    assert 'data-testid="access-tools"' in body
    assert 'name="large" value="1" aria-pressed="false"' in body
    assert 'name="contrast" value="1" aria-pressed="false"' in body
    assert "<body hx-headers" in body  # no class attribute at all


def test_switching_on_sets_the_cookie_and_the_page_renders_with_the_classes(client) -> None:
    response = client.post("/a11y/", {"large": "1", "next": "/track/"})
    assert response.status_code == 302 and response["Location"] == "/track/"
    cookie = response.cookies[COOKIE_NAME]
    assert cookie.value == "large" and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) > 300 * 24 * 3600

    client.post("/a11y/", {"contrast": "1", "next": "/track/"})
    body = client.get("/track/").content.decode()
    assert '<body class="a11y-large a11y-contrast"' in body
    assert 'name="large" value="0" aria-pressed="true"' in body
    # The 404 page, rendered by Django's handler, gets them too.
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404 and 'class="a11y-large a11y-contrast"' in missing.content.decode()


def test_switching_everything_off_deletes_the_cookie(client) -> None:
    client.cookies[COOKIE_NAME] = "large"
    response = client.post("/a11y/", {"large": "0", "next": "/guides/"})
    assert response.status_code == 302 and response.cookies[COOKIE_NAME].value == ""
    assert response.cookies[COOKIE_NAME]["max-age"] == 0


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "", "/\\evil.example"]
)
def test_next_must_stay_on_this_site(client, target) -> None:
    response = client.post("/a11y/", {"large": "1", "next": target})
    assert response.status_code == 302 and response["Location"] == "/"


def test_falls_back_to_the_referring_page_on_this_site(client) -> None:
    response = client.post("/a11y/", {"large": "1"}, HTTP_REFERER="http://testserver/lists/")
    assert response["Location"] == "http://testserver/lists/"
    response = client.post("/a11y/", {"large": "1"}, HTTP_REFERER="http://evil.example/lists/")
    assert response["Location"] == "/"


def test_only_post_with_a_csrf_token() -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.get("/a11y/").status_code == 405
    refused = client.post("/a11y/", {"large": "1", "next": "/"})
    assert refused.status_code == 403 and COOKIE_NAME not in refused.cookies
