"""Request helpers every app's views and API share: per-address rate limits for public endpoints and the
idempotency key of a submission (header ``Idempotency-Key`` or a form/body field)."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest

from yichuang.core.errors import ApplicationError

MAX_IDEMPOTENCY_KEY_LENGTH = 64


def client_address(request: HttpRequest) -> str:
    # REMOTE_ADDR only: a forwarded-for header is set by the client and would let it pick its own bucket.
    return str(request.META.get("REMOTE_ADDR") or "unknown")


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
