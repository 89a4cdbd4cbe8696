"""``/healthz`` (the process answers) and ``/readyz`` (it can serve: database, migrations, shared cache).

Both answer before sessions, authentication, language and host checks run (OpsEndpointsMiddleware), so a
load balancer probing by IP address, without cookies, every few seconds, costs almost nothing and
changes nothing. Neither is audited.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse

from yichuang.core.ops.database import DATABASE_DOWN_ERRORS, close_broken_connections

logger = logging.getLogger("yichuang.ops")

# Migrations only change with a deployment, which restarts the workers: once none is pending the answer
# is kept for the process's life; while some are, it is asked again after this many seconds.
MIGRATIONS_RECHECK_SECONDS = 10.0


class _MigrationsState:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.applied = False
        self.checked_at = float("-inf")
        self.pending = 0


_migrations = _MigrationsState()


def _no_store(response: JsonResponse) -> JsonResponse:
    response["Cache-Control"] = "no-store"
    return response


def healthz(request: HttpRequest) -> JsonResponse:
    return _no_store(JsonResponse({"status": "ok"}))


def check_database() -> dict[str, Any]:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def check_migrations() -> dict[str, Any]:
    with _migrations.lock:
        now = time.monotonic()
        if not _migrations.applied and now - _migrations.checked_at >= MIGRATIONS_RECHECK_SECONDS:
            executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
            _migrations.pending, _migrations.applied, _migrations.checked_at = len(plan), not plan, now
        if not _migrations.applied:
            raise RuntimeError(f"{_migrations.pending} unapplied migrations")
    return {}


def check_cache() -> dict[str, Any]:
    key, value = "yichuang:readyz", uuid.uuid4().hex
    cache.set(key, value, timeout=30)
    if cache.get(key) != value:
        raise RuntimeError("the cache did not return what was stored")
    return {}


def readiness_checks() -> dict[str, Callable[[], dict[str, Any]]]:
    checks: dict[str, Callable[[], dict[str, Any]]] = {
        "database": check_database,
        "migrations": check_migrations,
    }
    if getattr(settings, "REDIS_URL", ""):
        checks["cache"] = check_cache
    return checks


def readyz(request: HttpRequest) -> JsonResponse:
    """200 with each check's time, or 503 naming the checks that failed (by the error's type only: its
    text may hold host names). A failed database skips the migration check."""
    results: dict[str, dict[str, Any]] = {}
    failed: list[str] = []
    for name, check in readiness_checks().items():
        if name == "migrations" and "database" in failed:
            results[name] = {"ok": False, "skipped": True}
            failed.append(name)
            continue
        started = time.perf_counter()
        try:
            result = {"ok": True, **check()}
        except Exception as exc:
            logger.warning("readiness check %s failed: %s", name, exc)
            if isinstance(exc, DATABASE_DOWN_ERRORS):
                close_broken_connections()
            result = {"ok": False, "error": type(exc).__name__}
            failed.append(name)
        result["ms"] = round((time.perf_counter() - started) * 1000, 1)
        results[name] = result
    body: dict[str, Any] = {"status": "unavailable" if failed else "ok", "checks": results}
    if failed:
        body["failed"] = failed
    return _no_store(JsonResponse(body, status=503 if failed else 200))


def readiness_reset() -> None:
    """Forget the migrations answer (tests)."""
    with _migrations.lock:
        _migrations.applied, _migrations.checked_at, _migrations.pending = False, float("-inf"), 0
