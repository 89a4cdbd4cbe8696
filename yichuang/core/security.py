"""Security headers of the HTML pages (docs/security.md, 安全).

``SecurityHeadersMiddleware`` adds, to every HTML response:

- ``Content-Security-Policy`` from ``settings.CONTENT_SECURITY_POLICY`` (django-csp builds it): scripts,
  styles, fonts and connections from this site only, no inline script, no ``eval``, no ``style=""``
  attribute, no framing, forms posting to this site only. A template that really needs an inline block
  gives it ``nonce="{{ request.csp_nonce }}"``; django-csp then adds that request's nonce to the header.
- ``Permissions-Policy`` from ``settings.YICHUANG_PERMISSIONS_POLICY`` (the camera for 掌上办's photos, no
  geolocation, microphone, payment …).

It also refuses, with 413 and before a byte of the body is read, a request whose declared size is over
``settings.YICHUANG_MAX_REQUEST_BYTES`` (every upload's own limit is checked later, file by file).

PDFs, JSON, files and SVGs get neither: a policy there protects nothing and can stop a browser's PDF viewer.
Django's own ``SecurityMiddleware`` sends HSTS (when configured), ``nosniff``, the referrer policy and
``Cross-Origin-Opener-Policy``; ``XFrameOptionsMiddleware`` sends ``X-Frame-Options: DENY``.
"""

from __future__ import annotations

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.utils.html import escape
from django.utils.translation import gettext as _

from yichuang.core.errors import ApplicationError
from yichuang.core.uploads import size_text

PERMISSIONS_POLICY_HEADER = "Permissions-Policy"


def is_html(response: HttpResponseBase) -> bool:
    return response.get("Content-Type", "").split(";", 1)[0].strip().lower() == "text/html"


class RequestTooLargeError(ApplicationError):
    status = 413


def request_too_large(request: HttpRequest, limit: int) -> HttpResponse:
    error = RequestTooLargeError(
        _("提交的内容过大（不能超过%(size)s），请减少或压缩文件后重试") % {"size": size_text(limit)},
        code="request_too_large",
    )
    if request.path_info.startswith("/api/") or "application/json" in request.META.get("HTTP_ACCEPT", ""):
        return JsonResponse(error.as_dict(), status=error.status)
    # Sessions and users are not loaded yet: a page of its own, not the site's template.
    page = (
        '<!doctype html><html lang="zh-Hans"><meta charset="utf-8"><title>{title}</title>'
        '<link rel="stylesheet" href="{css}"><main><section class="card narrow" data-error-code="{code}">'
        '<h1>{title}</h1><p class="error" role="alert">{message}</p></section></main></html>'
    ).format(
        title=escape(_("无法完成操作")),
        css=escape(settings.STATIC_URL.rstrip("/") + "/css/app.css"),
        code=error.code,
        message=escape(error.message),
    )
    return HttpResponse(page, status=error.status)


class SecurityHeadersMiddleware(CSPMiddleware):
    """django-csp's middleware for HTML responses only, plus ``Permissions-Policy``; and the size cap."""

    def process_request(self, request: HttpRequest) -> HttpResponse | None:  # type: ignore[override]
        super().process_request(request)
        limit = int(getattr(settings, "YICHUANG_MAX_REQUEST_BYTES", 0) or 0)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit and length > limit:
            return request_too_large(request, limit)
        return None

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if not is_html(response):
            return response
        policy = getattr(settings, "YICHUANG_PERMISSIONS_POLICY", "")
        if policy and PERMISSIONS_POLICY_HEADER not in response:
            response[PERMISSIONS_POLICY_HEADER] = policy
        return super().process_response(request, response)
