"""``{% load languages %}``: the language switcher and the BCP 47 form of a language code."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.http import HttpRequest
from django.utils.translation import get_language

from yichuang.core.i18n import languages
from yichuang.core.i18n.middleware import QUERY_PARAMETER

register = template.Library()


@register.filter
def bcp47(code: str) -> str:
    """``{{ LANGUAGE_CODE|bcp47 }}`` → ``zh-Hans`` / ``mn-Mong`` for ``<html lang>`` and ``lang=``."""
    return languages.bcp47(code or "")


def _path_without_language(request: HttpRequest) -> str:
    """Where the switcher returns to: this page without a ``?lang=`` that would undo the choice."""
    query = [
        (key, value) for key, values in request.GET.lists() if key != QUERY_PARAMETER for value in values
    ]
    return request.path + (f"?{urlencode(query)}" if query else "")


@register.inclusion_tag("core/_language_switcher.html", takes_context=True)
def language_switcher(context: Any) -> dict[str, Any]:
    request = context.get("request")
    current = languages.supported_language(get_language()) or ""
    return {
        "choices": [
            {"code": code, "name": name, "tag": languages.bcp47(code), "current": code == current}
            for code, name in languages.language_choices()
        ],
        "next": _path_without_language(request) if request is not None else "/",
    }
