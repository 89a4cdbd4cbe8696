"""The operations middleware, first in MIDDLEWARE, in this order:

1. ``RequestContextMiddleware``: the request id (kept, or made), the access log line, the request metrics.
2. ``OpsEndpointsMiddleware``: ``/healthz``, ``/readyz`` and ``/metrics`` answered before any session,
   authentication, language, host or redirect middleware runs.
3. ``DatabaseUnavailableMiddleware``: 503 instead of 500 while the database cannot be reached.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from yichuang.core.ops import database, health, metrics
from yichuang.core.ops.context import (
    REQUEST_ID_HEADER,
    known_user_id,
    request_id_for,
    request_id_var,
    request_var,
    route_of,
)

access_logger = logging.getLogger("yichuang.request")

GetResponse = Callable[[HttpRequest], HttpResponse]

ENDPOINTS: dict[str, tuple[str, Callable[[HttpRequest], HttpResponse]]] = {
    "/healthz": ("ops:healthz", health.healthz),
    "/readyz": ("ops:readyz", health.readyz),
    "/metrics": ("ops:metrics", metrics.metrics_view),
}
# Probes come every few seconds: their lines would drown the others, so they are logged at DEBUG.
_QUIET_ROUTES = frozenset({"ops:healthz", "ops:readyz", "ops:metrics"})


class RequestContextMiddleware:
    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_for(request)
        request.request_id = request_id  # type: ignore[attr-defined]
        id_token, request_token = request_id_var.set(request_id), request_var.set(request)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            seconds = time.perf_counter() - started
            response[REQUEST_ID_HEADER] = request_id
            route = route_of(request)
            metrics.request_observe(
                method=request.method or "", route=route, status=response.status_code, seconds=seconds
            )
            self._log(request, response, route, seconds)
            return response
        finally:
            request_id_var.reset(id_token)
            request_var.reset(request_token)

    @staticmethod
    def _log(request: HttpRequest, response: HttpResponse, route: str, seconds: float) -> None:
        level = logging.DEBUG if route in _QUIET_ROUTES else logging.INFO
        if not access_logger.isEnabledFor(level):
            return
        duration_ms = round(seconds * 1000, 1)
        # The route name, not the path and never the query string: either may carry personal data.
        access_logger.log(
            level,
            "%s %s %s %.1fms request=%s",
            request.method,
            route,
            response.status_code,
            duration_ms,
            request.request_id,  # type: ignore[attr-defined]
            extra={
                "method": request.method,
                "route": route,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "user_id": known_user_id(request),
            },
        )


class OpsEndpointsMiddleware:
    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        endpoint = ENDPOINTS.get(request.path_info)
        if endpoint is None or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        request.ops_route, view = endpoint  # type: ignore[attr-defined]
        return view(request)


class DatabaseUnavailableMiddleware:
    """Catches the database errors of views (``process_exception``), of the middleware inside it (Django
    turned those into a 500 and the signal in ``database`` kept the error), and of everything when
    exceptions propagate (``DEBUG_PROPAGATE_EXCEPTIONS``)."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            response = self.get_response(request)
        except database.DATABASE_DOWN_ERRORS as exc:
            return database.database_unavailable_response(request, exc)
        error = database.remembered_error(request)
        if error is not None and response.status_code >= 500:
            return database.database_unavailable_response(request, error)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, database.DATABASE_DOWN_ERRORS):
            return database.database_unavailable_response(request, exception)
        return None
