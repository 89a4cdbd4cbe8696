"""Rate limits of the public endpoints (yichuang/core/ratelimit.py, docs/security.md): each bucket refuses the
request after its budget with 429, ``Retry-After`` and the Chinese message — a page for the screens, the
structured error ``rate_limited`` for the API — and counts per client address and minute, visitors only."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from yichuang.core.http import client_address
from yichuang.core.ratelimit import RULES

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 18, 10, 0, 5, tzinfo=datetime.UTC)
MESSAGE = "请求过于频繁，请稍后再试（每分钟最多2次）"


@pytest.fixture
def limits(settings: Any) -> dict[str, int]:
    settings.YICHUANG_RATE_LIMITS_ENABLED = True
    settings.YICHUANG_RATE_LIMITS = {
        bucket: 2 for bucket in ("login", "lookup", "booking", "search", "screens")
    }
    settings.YICHUANG_RATE_LIMITS |= {"api": 2, "public": 2}
    settings.YICHUANG_TRACK_LOOKUPS_PER_MINUTE = 100  # the track view's own budget stays out of the way
    return settings.YICHUANG_RATE_LIMITS


def _assert_refused_page(response: Any) -> None:
    assert response.status_code == 429
    assert response["Retry-After"] == "55"  # the minute's budget starts again at 10:01:00
    assert "text/html" in response["Content-Type"]
    assert MESSAGE in response.content.decode()
    assert 'data-error-code="rate_limited"' in response.content.decode()


def _assert_refused_json(response: Any) -> None:
    assert response.status_code == 429
    assert response["Retry-After"] == "55"
    assert response.json() == {"error": {"code": "rate_limited", "message": MESSAGE}}


def _third(call: Any) -> Any:
    first, second = call(), call()
    assert first.status_code != 429 and second.status_code != 429
    return call()


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("bucket", "method", "path", "data"),
    [
        ("login", "post", "/accounts/login/", {"username": "nobody", "password": "x"}),
        ("lookup", "post", "/track/", {"number": "NOSUCHCASE0001", "id_number": "150824199001011234"}),
        ("lookup", "get", "/licences/verify/", {}),
        ("search", "get", "/search/", {"q": "开饭店"}),
        ("screens", "get", "/hall/board/", {}),
        ("public", "get", "/guides/", {}),
    ],
)
def test_each_page_bucket_refuses_after_its_budget(
    limits: Any, client: Client, bucket: str, method: str, path: str, data: dict
) -> None:
    assert any(rule.bucket == bucket for rule in RULES) or bucket == "public"
    call = getattr(client, method)
    _assert_refused_page(_third(lambda: call(path, data)))


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/api/v1/cases/track", {"number": "X", "id_number": "Y"}),  # lookup
        ("post", "/api/v1/hall/appointments", {}),  # booking
        ("get", "/api/v1/catalog/search", {"q": "开饭店"}),  # search
        ("get", "/api/v1/catalog/lists", {}),  # api
    ],
)
def test_each_api_bucket_answers_the_structured_error(
    limits: Any, client: Client, method: str, path: str, data: dict
) -> None:
    call = getattr(client, method)
    kwargs = {"content_type": "application/json"} if method == "post" else {}
    _assert_refused_json(_third(lambda: call(path, data, **kwargs)))


@time_machine.travel(NOW, tick=False)
def test_buckets_addresses_and_minutes_are_counted_apart(limits: Any, client: Client) -> None:
    _third(lambda: client.get("/guides/"))
    # another bucket, another address: budgets of their own
    assert client.get("/search/", {"q": "x"}).status_code == 200
    assert client.get("/guides/", REMOTE_ADDR="10.0.0.9").status_code == 200
    # a login attempt counts in its own bucket
    assert client.post("/accounts/login/", {"username": "a", "password": "b"}).status_code != 429
    with time_machine.travel(NOW + datetime.timedelta(seconds=55), tick=False):
        assert client.get("/guides/").status_code == 200


@time_machine.travel(NOW, tick=False)
def test_staff_and_integrations_are_not_counted(limits: Any, client_for: Any, client: Client) -> None:
    staff = client_for("clerk")
    for _ in range(4):
        assert staff.get("/guides/").status_code == 200
    # a token's integration is not counted in the general API bucket (the token itself is checked by the API)
    for _ in range(4):
        assert client.get("/api/v1/catalog/lists", HTTP_AUTHORIZATION="Bearer nope").status_code != 429
    # … but a public lookup counts even with an Authorization header
    _assert_refused_json(
        _third(lambda: client.get("/api/v1/cases/track", {"number": "X"}, HTTP_AUTHORIZATION="Bearer nope"))
    )


@time_machine.travel(NOW, tick=False)
def test_a_view_s_own_limit_gets_retry_after(settings: Any, client: Client) -> None:
    settings.YICHUANG_TRACK_LOOKUPS_PER_MINUTE = 1
    data = {"number": "NOSUCHCASE0001", "id_number": "150824199001011234"}
    client.post("/track/", data)
    response = client.post("/track/", data)
    assert response.status_code == 429
    assert response["Retry-After"] == "55"


@time_machine.travel(NOW, tick=False)
def test_limits_can_be_turned_off(limits: Any, settings: Any, client: Client) -> None:
    settings.YICHUANG_RATE_LIMITS_ENABLED = False
    for _ in range(4):
        assert client.get("/guides/").status_code == 200
    settings.YICHUANG_RATE_LIMITS_ENABLED = True
    settings.YICHUANG_RATE_LIMITS = {"public": 0}  # 0: no limit for that bucket
    for _ in range(4):
        assert client.get("/guides/").status_code == 200


def _request(remote: str, forwarded: str | None = None) -> Any:
    from django.test import RequestFactory

    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_forwarded_for_counts_only_from_trusted_proxies(settings: Any) -> None:
    settings.YICHUANG_TRUSTED_PROXIES = []
    assert client_address(_request("203.0.113.7", "1.2.3.4")) == "203.0.113.7"
    settings.YICHUANG_TRUSTED_PROXIES = ["10.0.0.0/8", "127.0.0.1"]
    # from a stranger the header is ignored
    assert client_address(_request("203.0.113.7", "1.2.3.4")) == "203.0.113.7"
    # from nginx: the nearest untrusted hop, not what the client wrote at the left
    assert client_address(_request("10.1.2.3", "6.6.6.6, 198.51.100.20")) == "198.51.100.20"
    assert client_address(_request("127.0.0.1", "198.51.100.20, 10.9.9.9")) == "198.51.100.20"
    assert client_address(_request("10.1.2.3")) == "10.1.2.3"


@time_machine.travel(NOW, tick=False)
def test_trusted_proxy_clients_get_their_own_budget(limits: Any, settings: Any, client: Client) -> None:
    settings.YICHUANG_TRUSTED_PROXIES = ["127.0.0.1"]
    _third(lambda: client.get("/guides/", HTTP_X_FORWARDED_FOR="198.51.100.1"))
    assert client.get("/guides/", HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 200
