"""The request a log line belongs to: its id and, once known, its user and route (kept in context variables,
so every log call inside the request can name them without being passed the request)."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import LazyObject, empty

from yichuang.core.masking import mask_text

REQUEST_ID_HEADER = "X-Request-ID"
# What an upstream proxy (nginx's $request_id, a load balancer's UUID) sends; anything else is replaced.
_WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")

request_id_var: ContextVar[str | None] = ContextVar("yichuang_request_id", default=None)
request_var: ContextVar[HttpRequest | None] = ContextVar("yichuang_request", default=None)


def request_id_for(request: HttpRequest) -> str:
    """The incoming ``X-Request-ID`` when it is well formed and carries nothing the log mask would hide
    (an ID or phone number is not an id); otherwise a new UUID, whose dashes keep it clear of the mask."""
    incoming = request.META.get("HTTP_X_REQUEST_ID", "").strip()
    if _WELL_FORMED.fullmatch(incoming) and mask_text(incoming) == incoming:
        return incoming
    return str(uuid.uuid4())


def route_of(request: HttpRequest) -> str:
    """The resolved route's name (``catalog:guide_detail``), or an API operation's path pattern
    (``api/v1/cases/<case_id>``): never the raw path, so no id or personal datum becomes a metric label or a
    log field."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        if "ninja" in match.app_names:
            # One API path serves several methods under the first operation's name: the pattern says more.
            return match.route
        return match.view_name or match.route or "unnamed"
    explicit = getattr(request, "ops_route", None)
    if explicit:
        return str(explicit)
    static_url = "/" + str(settings.STATIC_URL or "static/").lstrip("/")
    if request.path_info.startswith(static_url):
        return "static"
    return "unmatched"


def known_user_id(request: HttpRequest) -> int | None:
    """The user's id if authentication has already loaded the user; never loads it (that would query the
    database, possibly while it is down, and on requests that did not need a user)."""
    user = request.__dict__.get("user")
    if isinstance(user, LazyObject):
        wrapped = user.__dict__.get("_wrapped", empty)
        user = wrapped if wrapped is not empty else request.__dict__.get("_cached_user")
    if user is None:
        return None
    pk = getattr(user, "pk", None)
    return pk if isinstance(pk, int) else None
