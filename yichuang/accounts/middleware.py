"""Session timeout: a signed-in user who has done nothing for ``YICHUANG_SESSION_IDLE_SECONDS`` is signed
out, and every session ends ``SESSION_COOKIE_AGE`` after the sign-in however busy it was (docs/security.md).

The session remembers when the user signed in and when he was last active. The last-activity time is
written at most once every ``ACTIVITY_RESOLUTION`` seconds, so a busy user costs one session write a
minute, not one per request. Health, metrics and static paths neither count as activity nor sign anyone
out.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _

from yichuang.core.audit import audit_record

logger = logging.getLogger("yichuang.accounts.sessions")

SIGNED_IN_AT = "_yichuang_signed_in_at"
LAST_ACTIVE_AT = "_yichuang_last_active_at"
ACTIVITY_RESOLUTION = 60  # seconds between two writes of the last-activity time
DEFAULT_EXEMPT_PREFIXES = ("/health", "/ready", "/metrics", "/static/", "/favicon.ico")


def _exempt_prefixes() -> tuple[str, ...]:
    configured = getattr(settings, "YICHUANG_SESSION_EXEMPT_PATHS", None)
    prefixes = tuple(configured) if configured is not None else DEFAULT_EXEMPT_PREFIXES
    static_url = "/" + str(getattr(settings, "STATIC_URL", "static/") or "").lstrip("/")
    return (*prefixes, static_url) if static_url != "/" else prefixes


def session_expiry_reason(session: object, now: float) -> str | None:
    """'idle' or 'absolute' when the session is over, None while it lasts (or has no stamps yet)."""
    signed_in_at = session.get(SIGNED_IN_AT)  # type: ignore[attr-defined]
    last_active_at = session.get(LAST_ACTIVE_AT)  # type: ignore[attr-defined]
    if signed_in_at is not None and now - signed_in_at > int(settings.SESSION_COOKIE_AGE):
        return "absolute"
    if last_active_at is not None and now - last_active_at > int(settings.YICHUANG_SESSION_IDLE_SECONDS):
        return "idle"
    return None


def session_stamp(session: Any, now: float) -> None:
    """Note the sign-in time (once) and the last activity (at most every ``ACTIVITY_RESOLUTION`` s)."""
    if SIGNED_IN_AT not in session:
        session[SIGNED_IN_AT] = int(now)
    last = session.get(LAST_ACTIVE_AT)
    if last is None or now - last >= ACTIVITY_RESOLUTION:
        session[LAST_ACTIVE_AT] = int(now)


class SessionTimeoutMiddleware:
    """Place after AuthenticationMiddleware and MessageMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(_exempt_prefixes()):
            return self.get_response(request)
        now = time.time()
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            reason = session_expiry_reason(request.session, now)
            if reason is not None:
                expired = self._expire(request, reason)
                if expired is not None:
                    return expired
            else:
                self._touch(request, now)
        response = self.get_response(request)
        # The sign-in request itself: the view put the user in the session (a bearer-token call sets
        # request.user but has no session login, and must not get a session).
        if SESSION_KEY in request.session and SIGNED_IN_AT not in request.session:
            self._touch(request, now)
        return response

    @staticmethod
    def _touch(request: HttpRequest, now: float) -> None:
        session_stamp(request.session, now)

    @staticmethod
    def _expire(request: HttpRequest, reason: str) -> HttpResponse | None:
        user = request.user
        audit_record(actor=user, action="auth.session_expired", obj=user, data={"reason": reason})  # type: ignore[arg-type]
        logger.info("session of user %s ended (%s)", user.pk, reason)
        logout(request)
        message = _("由于长时间未操作，您已自动退出登录，请重新登录。")
        if reason == "absolute":
            message = _("登录已超过最长有效时间，请重新登录。")
        if request.path.startswith("/api/"):
            if request.META.get("HTTP_AUTHORIZATION"):
                return None  # a bearer token may still sign the call; the API decides
            body = {"error": {"code": "session_expired", "message": message}}
            return JsonResponse(body, status=401, json_dumps_params={"ensure_ascii": False})
        messages.info(request, message)
        login_url = resolve_url(settings.LOGIN_URL)
        if request.method == "GET":
            login_url += "?" + urlencode({"next": request.get_full_path()})
        if request.META.get("HTTP_HX_REQUEST"):
            response = HttpResponse(status=200)
            response["HX-Redirect"] = login_url
            return response
        response = HttpResponse(status=302)
        response["Location"] = login_url
        return response
