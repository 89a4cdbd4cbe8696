"""The 大字号 / 高对比度 switch: a plain POST form on every page; works without JavaScript, by keyboard."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from yichuang.core.accessibility import (
    COOKIE_MAX_AGE,
    COOKIE_NAME,
    modes_after_choice,
    modes_from_cookie,
    modes_to_cookie,
)


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.headers.get("referer") or "/"
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else "/"


@require_POST
def display_modes_update(request: HttpRequest) -> HttpResponseRedirect:
    current = modes_from_cookie(request.COOKIES.get(COOKIE_NAME))
    chosen = modes_after_choice(current, request.POST)
    response = HttpResponseRedirect(_safe_next(request))
    if chosen:
        response.set_cookie(
            COOKIE_NAME,
            modes_to_cookie(chosen),
            max_age=COOKIE_MAX_AGE,
            samesite="Lax",
            httponly=True,
            secure=request.is_secure(),
        )
    else:
        response.delete_cookie(COOKIE_NAME, samesite="Lax")
    return response
