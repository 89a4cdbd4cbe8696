"""The JSON API at /api/v1/: session auth for the screens, bearer tokens for integrations, and one
error shape ``{"error": {"code", "message", "fields"?, "extra"?}}`` for every failure."""

from __future__ import annotations

import logging
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from yichuang.accounts.api import router as accounts_router
from yichuang.accounts.services import api_token_authenticate
from yichuang.bundles.api import router as bundles_router
from yichuang.cases.api import router as cases_router
from yichuang.catalog.api import router as catalog_router
from yichuang.catalog.api_import import router as catalog_import_router
from yichuang.catalog.api_lists import router as catalog_lists_router
from yichuang.catalog.api_search import router as catalog_search_router
from yichuang.core.api import router as core_router
from yichuang.core.errors import ApplicationError
from yichuang.core.i18n.api import router as i18n_router
from yichuang.core.ops.database import database_unavailable_response
from yichuang.hall.api import router as hall_router
from yichuang.hall.api_appointments import router as hall_appointments_router
from yichuang.hall.api_figures import router as hall_figures_router
from yichuang.hotline.api_dispatch import router as hotline_dispatch_router
from yichuang.hotline.api_figures import router as hotline_figures_router
from yichuang.hotline.api_knowledge import router as hotline_knowledge_router
from yichuang.licences.api import router as licences_router
from yichuang.ratings.api import router as ratings_router
from yichuang.ratings.api_figures import router as ratings_figures_router
from yichuang.supervision.api_cards import router as supervision_cards_router
from yichuang.supervision.api_figures import router as supervision_figures_router
from yichuang.supervision.api_sampling import router as supervision_sampling_router

logger = logging.getLogger("yichuang.api")


class BearerTokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(NinjaSessionAuth):
    """Django's session. A request without a signed-in session (no cookie, or an unknown one) is not
    authenticated (401) rather than refused for a missing CSRF token (403): there is no session to forge."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)


class Utf8JSONRenderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=Utf8JSONRenderer(),
    title="yichuang 一窗 API",
    version="1",
    description='一体化政务服务平台接口。错误统一为 {"error": {"code", "message", "fields"?, "extra"?}}。',
    # Bearer first: the session check refuses a POST without a CSRF token outright, before any later
    # scheme is tried, so a token client (no cookie, no CSRF token) must be recognised before it.
    auth=[BearerTokenAuth(), SessionAuth()],
    urls_namespace="api-v1",
)


def error_response(request: HttpRequest, status: int, code: str, message: str, **more: Any) -> HttpResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    body.update({key: value for key, value in more.items() if value})
    return api.create_response(request, {"error": body}, status=status)


@api.exception_handler(ApplicationError)
def on_application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        location = [
            str(part) for part in error.get("loc", []) if part not in ("body", "query", "path", "payload")
        ]
        fields.setdefault(".".join(location) or "__all__", []).append(_validation_message(error))
    return error_response(request, 422, "invalid", "提交的数据格式不正确，请检查后重试", fields=fields)


def _validation_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return "必填"
    if kind.startswith(("int", "float", "decimal")):
        return "应为数字"
    if kind.startswith(("date", "datetime")):
        return "日期格式应为 YYYY-MM-DD"
    if kind.startswith("bool"):
        return "应为 true 或 false"
    return str(error.get("msg", "格式不正确"))


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, 401, "not_authenticated", "请先登录，或在请求头中提供有效的接口令牌")


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", "未找到该记录")


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 403 and str(exc) == "CSRF check Failed":  # ninja's session auth without the token
        message = "安全校验失败（CSRF令牌缺失或无效），请刷新页面后重试"
        return error_response(request, 403, "csrf_failed", message)
    return error_response(request, exc.status_code, "http_error", str(exc))


# The database went away (restart, lost connection): 503 with Retry-After, the broken connection closed so
# the next request reconnects; the same body DatabaseUnavailableMiddleware gives outside ninja.
@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def on_database_unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
    return database_unavailable_response(request, exc)


@api.exception_handler(Exception)
def on_unexpected_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Logged with its traceback (personal data masked by the log filter); the client gets the shape.
    logger.exception("unhandled API error on %s %s", request.method, request.path)
    return error_response(request, 500, "server_error", "系统暂时无法处理该请求，请稍后重试")


# The case steps first: they are the busiest calls, and URLs are matched in this order.
api.add_router("/cases", cases_router)
api.add_router("/", core_router)
api.add_router("/i18n", i18n_router)
api.add_router("/", accounts_router)
api.add_router("/catalog", catalog_router)
api.add_router("/catalog", catalog_search_router)
api.add_router("/catalog", catalog_lists_router)
api.add_router("/catalog", catalog_import_router)
api.add_router("/licences", licences_router)
api.add_router("/bundles", bundles_router)
api.add_router("/hall", hall_router)
api.add_router("/hall", hall_appointments_router)
api.add_router("/hall", hall_figures_router)
api.add_router("/ratings", ratings_router)
api.add_router("/ratings", ratings_figures_router)
api.add_router("/hotline", hotline_dispatch_router)
api.add_router("/hotline", hotline_knowledge_router)
api.add_router("/hotline", hotline_figures_router)
api.add_router("/supervision", supervision_figures_router)
api.add_router("/supervision", supervision_cards_router)
api.add_router("/supervision", supervision_sampling_router)
