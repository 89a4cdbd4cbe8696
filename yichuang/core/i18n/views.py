"""Screens of the language machinery: the switcher's target and the report of missing translations."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST
from django.views.i18n import LANGUAGE_QUERY_PARAMETER
from django.views.i18n import set_language as django_set_language

from yichuang.core.i18n.languages import language_choices, supported_language
from yichuang.core.i18n.report import missing_translations
from yichuang.core.i18n.services import user_language_set
from yichuang.core.permissions import require_capability


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Django's ``set_language`` (the cookie, back to ``next``); a logged-in user's choice is also stored on
    the user, so it follows him to other browsers."""
    response = django_set_language(request)
    language = supported_language(request.POST.get(LANGUAGE_QUERY_PARAMETER))
    if language and request.user.is_authenticated:
        user_language_set(actor=request.user, user=request.user, language=language)
    return response


@login_required
def missing_report(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, "i18n.report", "只有政数局管理员可以查看翻译缺失报告")
    translated = [(code, name) for code, name in language_choices() if code != settings.LANGUAGE_CODE]
    language = supported_language(request.GET.get("language")) or (translated[0][0] if translated else "")
    report = missing_translations(language=language) if language else None
    return render(
        request,
        "core/i18n_missing.html",
        {"report": report, "languages": translated, "language": language},
    )
