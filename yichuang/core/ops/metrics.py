"""Prometheus metrics at ``/metrics`` (docs/operations.md#metrics).

Request counts and latencies are labelled by method, the resolved route's name and the status class, never
by the raw path. Business figures come from the collectors named in ``YICHUANG_METRICS_COLLECTORS`` (dotted
paths; supervision provides one), asked at each scrape. Under gunicorn with several workers, set
``PROMETHEUS_MULTIPROC_DIR``: each worker writes its values there and a scrape of any worker sums them.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
from collections.abc import Iterator
from functools import cache
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

logger = logging.getLogger("yichuang.ops")

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

HTTP_REQUESTS = Counter(
    "yichuang_http_requests",
    "HTTP requests answered, by method, route name and status class.",
    ["method", "route", "status"],
)
HTTP_REQUEST_DURATION = Histogram(
    "yichuang_http_request_duration_seconds",
    "Time from the request reaching the application to its response, by method, route name and status class.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
DATABASE_UNAVAILABLE = Counter(
    "yichuang_database_unavailable",
    "Requests answered 503 because the database could not be reached.",
)


def request_observe(*, method: str, route: str, status: int, seconds: float) -> None:
    labels = (method if method in _METHODS else "other", route, f"{status // 100}xx")
    HTTP_REQUESTS.labels(*labels).inc()
    HTTP_REQUEST_DURATION.labels(*labels).observe(seconds)


class _Everything:
    """The process-wide registry (this process's metrics, process and GC figures) inside a scrape's own."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


@cache
def business_collectors() -> tuple[Collector, ...]:
    """The collectors of ``YICHUANG_METRICS_COLLECTORS``: each dotted path names a class (instantiated
    once) or an object with ``collect()``."""
    found: list[Collector] = []
    for path in getattr(settings, "YICHUANG_METRICS_COLLECTORS", []):
        target = import_string(path)
        found.append(target() if isinstance(target, type) else target)
    return tuple(found)


@receiver(setting_changed)
def _collectors_changed(*, setting: str, **kwargs: Any) -> None:
    if setting == "YICHUANG_METRICS_COLLECTORS":
        business_collectors.cache_clear()


def multiprocess_mode() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def scrape_registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    if multiprocess_mode():
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_Everything())
    for collector in business_collectors():
        registry.register(collector)
    return registry


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    allowed = getattr(settings, "YICHUANG_METRICS_ALLOWED", ["127.0.0.1", "::1"])
    networks = []
    for entry in allowed:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            logger.warning("YICHUANG_METRICS_ALLOWED: %r is not an address or network", entry)
    return networks


_FORWARDED = ("HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED")


def metrics_access_allowed(request: HttpRequest) -> bool:
    """The bearer token when one is configured, else an allowed client address. A request a proxy
    forwarded comes from the proxy's own (often local) address, so its address proves nothing: only
    the token lets it in."""
    token = getattr(settings, "YICHUANG_METRICS_TOKEN", "")
    presented = request.META.get("HTTP_AUTHORIZATION", "")
    if token and presented.startswith("Bearer "):
        return hmac.compare_digest(presented[len("Bearer ") :].strip().encode(), token.encode())
    if any(request.META.get(header) for header in _FORWARDED):
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in _allowed_networks())


def metrics_view(request: HttpRequest) -> HttpResponse:
    if not metrics_access_allowed(request):
        response = HttpResponse("Forbidden\n", status=403, content_type="text/plain; charset=utf-8")
    else:
        response = HttpResponse(generate_latest(scrape_registry()), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response
