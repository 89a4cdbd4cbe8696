"""Request helpers every app's views and API share: per-address rate limits for public endpoints and the
idempotency key of a submission (header ``Idempotency-Key`` or a form/body field)."""

from __future__ import annotations

import ipaddress
import time
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from yichuang.core.errors import ApplicationError

MAX_IDEMPOTENCY_KEY_LENGTH = 64


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or, when that is one of ``YICHUANG_TRUSTED_PROXIES`` (nginx …), the
    nearest address in X-Forwarded-For that is not a trusted proxy. From anyone else the header is ignored: it
    is set by the client and would let it pick its own rate-limit bucket."""
    remote = str(request.META.get("REMOTE_ADDR") or "unknown")
    networks = _networks(tuple(getattr(settings, "YICHUANG_TRUSTED_PROXIES", ()) or ()))
    if not networks or not _trusted(remote, networks):
        return remote
    hops = [
        hop.strip() for hop in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if hop.strip()
    ]
    for hop in reversed(hops):  # the rightmost hop was added by our own proxy, the leftmost by the client
        if not _trusted(hop, networks):
            return hop
    return hops[0] if hops else remote


def retry_after_seconds() -> int:
    """Seconds until the current minute's budgets of ``rate_allowed`` start again."""
    return max(1, 60 - int(time.time()) % 60)


def rate_allowed(request: HttpRequest, *, bucket: str, per_minute: int) -> bool:
    """Count this request against the address's budget in ``bucket`` for the current minute (shared cache)."""
    key = f"{bucket}:{client_address(request)}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    return count <= per_minute


def idempotency_key_from(header: str | None, body: str | None) -> str | None:
    header, body = (header or "").strip() or None, (body or "").strip() or None
    if header and body and header != body:
        raise ApplicationError(
            "请求头 Idempotency-Key 与 idempotency_key 字段不一致",
            code="idempotency_key_mismatch",
            fields={"idempotency_key": ["与请求头不一致"]},
        )
    key = header or body
    if key is not None and len(key) > MAX_IDEMPOTENCY_KEY_LENGTH:
        raise ApplicationError(
            f"幂等键不能超过{MAX_IDEMPOTENCY_KEY_LENGTH}个字符", fields={"idempotency_key": ["过长"]}
        )
    return key
