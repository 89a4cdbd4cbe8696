"""Rate limits of the public endpoints, per client address and minute (docs/security.md, 访问频率限制).

``RateLimitMiddleware`` counts every request of a visitor who is not logged in against one bucket: the first
rule below that matches the view (by its URL name) or the path, and ``public`` when none does. Over the
bucket's budget the request is answered at once with 429, a ``Retry-After`` header and the Chinese message —
as the structured API error ``rate_limited`` under ``/api/`` and for JSON clients, as a page otherwise.

Budgets per minute come from ``settings.YICHUANG_RATE_LIMITS`` (bucket → count; 0 = no limit); the counts live
in the shared cache (Redis in production), so every worker counts together. The client's address is
``core.http.client_address`` (X-Forwarded-For only from ``YICHUANG_TRUSTED_PROXIES``). Some views keep their
own stricter budget as well (case tracking, licence verification, kiosk tickets, Open311 reports); this
middleware also gives their 429 answers a ``Retry-After``. A path that matches no URL (404) is not counted.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from yichuang.core.errors import TooManyRequestsError
from yichuang.core.http import rate_allowed, retry_after_seconds

RATE_LIMITED_MESSAGE = "请求过于频繁，请稍后再试（每分钟最多%(n)d次）"
POST_ONLY = frozenset({"POST"})
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})

DEFAULT_LIMITS: dict[str, int] = {
    "login": 30,  # a hall's staff log in through one NAT address at opening time
    "lookup": 30,
    "booking": 30,
    "search": 120,
    "screens": 1200,  # boards, counter screens and kiosks poll every few seconds, often behind one address
    "api": 300,
    "public": 600,
}


@dataclass(frozen=True)
class Rule:
    bucket: str
    views: tuple[str, ...] = ()  # fnmatch patterns over the URL name ("catalog:guide_*")
    paths: tuple[str, ...] = ()  # regular expressions over the path (the API's operations share URL names)
    methods: frozenset[str] | None = None  # None: every method
    # False: a request with an Authorization header (an integration's token) is not counted here.
    count_with_token: bool = True

    def matches(self, request: HttpRequest, view_name: str) -> bool:
        if self.methods is not None and request.method not in self.methods:
            return False
        if not self.count_with_token and request.META.get("HTTP_AUTHORIZATION"):
            return False
        return any(fnmatch.fnmatchcase(view_name, pattern) for pattern in self.views) or any(
            re.match(pattern, request.path_info) for pattern in self.paths
        )


RULES: tuple[Rule, ...] = (
    Rule("login", views=("accounts:login", "admin:login"), methods=POST_ONLY),
    # Looking a case or a licence up by what the visitor knows: each try is a guess.
    Rule(
        "lookup",
        views=("cases:track", "bundles:track", "licences:verify", "portal:terminal_lookup"),
        paths=(r"^/api/v1/cases/track$", r"^/api/v1/licences/verify$"),
        methods=WRITES | {"GET"},
    ),
    Rule(
        "booking",
        views=(
            "hall:appointments*",
            "hall:portal_ticket*",
            "portal:terminal_appointment*",
            "portal:terminal_ticket*",
        ),
        # Not /api/v1/hall/tickets: a kiosk's device token is never limited; visitors have the view's budget.
        paths=(r"^/api/v1/hall/appointments", r"^/api/v1/ratings/evaluations$"),
        methods=WRITES,
    ),
    Rule(
        "search",
        views=("catalog:search", "hotline:knowledge_search"),
        paths=(r"^/api/v1/catalog/search$", r"^/api/v1/hotline/knowledge$"),
    ),
    Rule(
        "screens",
        views=("hall:board*", "hall:counter*", "hall:kiosk*", "hall:ticket_status", "supervision:screen*"),
        methods=frozenset({"GET", "HEAD"}),
    ),
    Rule("api", paths=(r"^/api/",), count_with_token=False),
)
PUBLIC = Rule("public", count_with_token=False)


def limits() -> dict[str, int]:
    return {**DEFAULT_LIMITS, **getattr(settings, "YICHUANG_RATE_LIMITS", {})}


def bucket_for(request: HttpRequest, view_name: str) -> Rule | None:
    for rule in RULES:
        if rule.matches(request, view_name):
            return rule
    if not PUBLIC.count_with_token and request.META.get("HTTP_AUTHORIZATION"):
        return None
    return PUBLIC


def wants_json(request: HttpRequest) -> bool:
    if request.path_info.startswith("/api/") or request.path_info.endswith(".json"):
        return True
    accept = request.META.get("HTTP_ACCEPT", "")
    return "application/json" in accept and "text/html" not in accept


def rate_limited_response(request: HttpRequest, *, per_minute: int) -> HttpResponse:
    error = TooManyRequestsError(_(RATE_LIMITED_MESSAGE) % {"n": per_minute}, code="rate_limited")
    response: HttpResponse
    if wants_json(request):
        response = JsonResponse(error.as_dict(), status=error.status)
    else:
        template = "core/_error_fragment.html" if getattr(request, "htmx", False) else "core/error.html"
        response = render(request, template, {"error": error}, status=error.status)
    response["Retry-After"] = str(retry_after_seconds())
    return response


class RateLimitMiddleware:
    """Counts a request of a visitor who is not logged in before its view runs (and before the CSRF check,
    so refused logins count too); see the module's docstring."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 429 and "Retry-After" not in response:
            response["Retry-After"] = str(retry_after_seconds())
        return response

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if not getattr(settings, "YICHUANG_RATE_LIMITS_ENABLED", True):
            return None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return None
        match = getattr(request, "resolver_match", None)
        rule = bucket_for(request, (match.view_name if match else "") or "")
        if rule is None:
            return None
        per_minute = int(limits().get(rule.bucket, 0))
        if per_minute <= 0 or rate_allowed(request, bucket=f"rate:{rule.bucket}", per_minute=per_minute):
            return None
        return rate_limited_response(request, per_minute=per_minute)
