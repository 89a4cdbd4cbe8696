"""Which language a request is shown in, on top of Django's LocaleMiddleware (cookie, Accept-Language)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from yichuang.core.i18n.languages import supported_language

QUERY_PARAMETER = "lang"


def set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class LanguageMiddleware:
    """After authentication: ``?lang=mn-mong`` shows this request in that language and remembers it in the
    language cookie; otherwise a logged-in user's own language (``User.language``) wins over the cookie
    and the browser's Accept-Language that LocaleMiddleware looked at."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        requested = supported_language(request.GET.get(QUERY_PARAMETER))
        language = requested or self._user_language(request)
        if language and language != translation.get_language():
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if requested and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != requested:
            set_language_cookie(response, requested)
        return response

    @staticmethod
    def _user_language(request: HttpRequest) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return supported_language(getattr(user, "language", ""))
