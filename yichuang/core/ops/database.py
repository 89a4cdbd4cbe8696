"""503 while the database is down, and recovery without a restart.

A lost connection (server restarted, connection terminated, network cut) raises ``OperationalError`` or
``InterfaceError`` wherever the next query runs: in a view, in an API operation, or in the session and
authentication middleware. All of them end here: the broken connection is closed, so the next request
opens a new one, and the client gets 503 with ``Retry-After`` instead of a server error.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from yichuang.core.ops import metrics

logger = logging.getLogger("yichuang.ops")

DATABASE_DOWN_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5
API_PREFIX = "/api/"
API_MESSAGE = "系统暂时无法访问数据库，请稍后重试。"
# Where a database error raised inside another middleware is kept until DatabaseUnavailableMiddleware,
# further out, sees the 500 Django made of it.
_REMEMBERED = "_yichuang_database_error"


def close_broken_connections() -> None:
    """Close every opened connection outside a transaction, so the next query reconnects. One inside an
    atomic block belongs to whoever opened the block (a test, a management command) and is left to it."""
    for connection in connections.all(initialized_only=True):
        if connection.connection is None or connection.in_atomic_block:
            continue
        try:
            connection.close()
        except Exception:  # closing a dead socket may fail too; the wrapper drops it either way
            logger.debug("closing a broken database connection failed", exc_info=True)


def database_unavailable_response(request: HttpRequest, exc: BaseException) -> HttpResponse:
    """The 503 for a request that met a database that cannot be reached: the API's error shape under
    /api/, a short page elsewhere. Renders without the request: no context processor may query."""
    close_broken_connections()
    metrics.DATABASE_UNAVAILABLE.inc()
    logger.warning("database unavailable on %s %s: %s", request.method, request.path_info, type(exc).__name__)
    response: HttpResponse
    if request.path_info.startswith(API_PREFIX):
        body = {"error": {"code": "service_unavailable", "message": API_MESSAGE}}
        response = JsonResponse(body, status=503, json_dumps_params={"ensure_ascii": False})
    else:
        response = HttpResponse(render_to_string("core/ops/database_unavailable.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def remembered_error(request: HttpRequest) -> BaseException | None:
    error = request.__dict__.pop(_REMEMBERED, None)
    return error if isinstance(error, BaseException) else None


def _remember_database_error(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """Django turns an exception raised inside a middleware into a 500 response right there, so the
    middleware outside it never sees the exception; the signal sent on the way lets us keep it."""
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, DATABASE_DOWN_ERRORS):
        request.__dict__[_REMEMBERED] = error


got_request_exception.connect(_remember_database_error, dispatch_uid="yichuang.ops.database_error")
