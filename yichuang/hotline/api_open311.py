"""Open311 GeoReport v2 endpoints. Plain views, because GeoReport answers with bare lists and reports errors
as its own list ``[{"code": 400, "description": "..."}]`` with the same HTTP status. JSON only: the ``.xml``
of the same address answers 400 saying so.

Reading is public; filing needs an ``api_key`` (a form or query parameter): an API token of an account
allowed ``hotline.open311``. An ``api_key`` given with a read lets the app that filed a confidential request
see its content. A retry of a POST with the same ``Idempotency-Key`` header (or ``idempotency_key``
parameter) returns the request filed the first time.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from yichuang.accounts.services import api_token_authenticate
from yichuang.core.errors import ApplicationError, PermissionDeniedError
from yichuang.core.http import idempotency_key_from, rate_allowed
from yichuang.hotline import open311

RATE_PER_MINUTE = 600  # per address: enough for an app's server that files and polls
View = Callable[..., JsonResponse]


def _answer(data: Any, status: int = 200) -> JsonResponse:
    return JsonResponse(data, safe=False, status=status, json_dumps_params={"ensure_ascii": False})


def _errors(status: int, *descriptions: str) -> JsonResponse:
    return _answer([{"code": status, "description": text} for text in descriptions], status=status)


def _error_answer(error: ApplicationError) -> JsonResponse:
    if error.status == 400 and error.fields:
        return _errors(
            400, *(f"{name}：{message}" for name, messages in error.fields.items() for message in messages)
        )
    return _errors(error.status, error.message)


def _params(request: HttpRequest) -> dict[str, str]:
    """Query and form parameters together (GeoReport clients send either); the form wins."""
    params = {key: request.GET.get(key, "") for key in request.GET}
    if request.method == "POST":
        params.update({key: request.POST.get(key, "") for key in request.POST})
    return params


def _api_user(params: dict[str, str], *, required: bool) -> Any:
    raw = (params.get("api_key") or "").strip()
    if not raw:
        if required:
            raise PermissionDeniedError(
                "缺少 api_key：提交诉求须使用接入应用的接口令牌", code="api_key_missing"
            )
        return None
    user = api_token_authenticate(raw)
    if user is None:
        raise PermissionDeniedError("api_key 无效或已吊销", code="api_key_invalid")
    return user


def georeport(*methods: str) -> Callable[[View], View]:
    """One GeoReport endpoint: its methods, ``.json`` only, the public rate limit, the jurisdiction, and
    errors in GeoReport's list."""

    def wrap(view: View) -> View:
        @functools.wraps(view)
        def endpoint(request: HttpRequest, fmt: str, **kwargs: Any) -> JsonResponse:
            if request.method not in methods:
                return _errors(405, f"本地址只接受 {'、'.join(methods)} 请求")
            if fmt.lower() != "json":
                return _errors(400, f"本接口只提供 JSON 格式，请将地址末尾的 .{fmt} 换为 .json")
            if not rate_allowed(request, bucket="open311", per_minute=RATE_PER_MINUTE):
                return _errors(429, "请求过于频繁，请稍后再试")
            params = _params(request)
            try:
                open311.jurisdiction_check(params.get("jurisdiction_id"))
                return view(request, params, **kwargs)
            except ApplicationError as error:
                return _error_answer(error)

        # An API call authenticated by its api_key alone: no session, so no CSRF token to check.
        return csrf_exempt(endpoint)

    return wrap


@georeport("GET")
def discovery(request: HttpRequest, params: dict[str, str]) -> JsonResponse:
    base = request.path[: request.path.rindex("/") + 1]
    return _answer(open311.discovery_out(request.build_absolute_uri(f"{base}v2/")))


@georeport("GET")
def services(request: HttpRequest, params: dict[str, str]) -> JsonResponse:
    return _answer(open311.services_out())


@georeport("GET")
def service_definition(request: HttpRequest, params: dict[str, str], service_code: str) -> JsonResponse:
    return _answer(open311.service_definition_out(service_code))


@georeport("GET", "POST")
def request_list(request: HttpRequest, params: dict[str, str]) -> JsonResponse:
    if request.method == "POST":
        client = _api_user(params, required=True)
        key = idempotency_key_from(request.headers.get("Idempotency-Key"), params.get("idempotency_key"))
        row = open311.open311_request_submit(
            client=client, submission=open311.submission_from_params(params), idempotency_key=key
        )
        return _answer(open311.submitted_out(row))
    viewer = _api_user(params, required=False)
    request_filter = open311.request_filter_from_params(params, now=timezone.now())
    return _answer(open311.RequestsOut(viewer).many(open311.requests_list(request_filter)))


@georeport("GET")
def request_detail(request: HttpRequest, params: dict[str, str], service_request_id: str) -> JsonResponse:
    viewer = _api_user(params, required=False)
    return _answer([open311.RequestsOut(viewer).one(open311.request_get(service_request_id))])


@georeport("GET")
def token_detail(request: HttpRequest, params: dict[str, str], token: str) -> JsonResponse:
    return _answer(open311.token_out(token))
