"""The operations endpoints' names. OpsEndpointsMiddleware answers these paths before the URL
configuration is reached; the patterns keep them reachable (and reversible) without it."""

from __future__ import annotations

from django.urls import path

from yichuang.core.ops import health, metrics

app_name = "ops"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
]
