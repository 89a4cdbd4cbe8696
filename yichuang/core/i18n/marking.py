"""The visible fallback: a template string Mongolian has no translation for is shown in Chinese inside
``<span lang="zh-Hans" class="untranslated">`` — styled by CSS, and read in a Chinese voice by screen readers.

The translate tags cannot know where their output lands (a text node, an attribute, a ``<title>``), so they
only wrap it in two Unicode noncharacters; when the whole page has been rendered, :func:`resolve_markers`
turns the pair into the span where an element may stand and drops it everywhere else (attributes, comments,
``<title>``, ``<option>``, ``<textarea>``, ``<script>``, ``<style>``). Python-side gettext (forms, messages)
is never marked: it falls back to Chinese plainly.
"""

from __future__ import annotations

import re

from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import get_language

from yichuang.core.i18n.languages import EXACT_LOCALE_LANGUAGES, ExactLocaleTranslation, active_translation

# Noncharacters are reserved for a program's internal use: no keyboard, font or data source produces them.
OPEN = "\ufdd0"
CLOSE = "\ufdd1"
UNTRANSLATED_START = '<span lang="zh-Hans" class="untranslated">'
UNTRANSLATED_END = "</span>"
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_NOT_IN_TEXT = (
    r"<!--.*?-->"  # a comment
    r"|<(script|style|title|textarea)\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>.*?</\1\s*>"  # raw-text elements
    r"|<option\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>[^<]*"  # an option and its text
    r"|</?[a-zA-Z!?](?:[^>\"']|\"[^\"]*\"|'[^']*')*>"  # any other tag, its attributes included
)
_MARKED = re.compile(f"{_NOT_IN_TEXT}|[{OPEN}{CLOSE}]", re.DOTALL | re.IGNORECASE)


def marking_active() -> bool:
    """Whether the active language marks its untranslated strings (Mongolian does; Chinese is the source)."""
    language = get_language()
    return bool(language) and language.lower() in EXACT_LOCALE_LANGUAGES


def falls_back(msgid: str, *, context: str | None = None, plural: bool = False) -> bool:
    """Whether the active language lacks a translation of ``msgid`` and so shows the Chinese fallback."""
    if not marking_active():
        return False
    translation = active_translation(get_language())
    if not isinstance(translation, ExactLocaleTranslation):
        return False
    return not translation.has_message(msgid, context=context, plural=plural)


def mark(value: str) -> str:
    """``value`` between the markers, keeping it safe if it was. Only text that is Chinese is marked: an
    untranslated "12345" or "API" needs no Chinese voice."""
    if not value or not _HAN.search(value):
        return value
    marked = f"{OPEN}{value}{CLOSE}"
    return mark_safe(marked) if isinstance(value, SafeData) else marked


def has_markers(text: str) -> bool:
    return OPEN in text or CLOSE in text


def strip_markers(text: str) -> str:
    stripped = text.replace(OPEN, "").replace(CLOSE, "")
    return mark_safe(stripped) if isinstance(text, SafeData) else stripped


def _resolve(match: re.Match[str]) -> str:
    found = match.group(0)
    if found == OPEN:
        return UNTRANSLATED_START
    if found == CLOSE:
        return UNTRANSLATED_END
    return found.replace(OPEN, "").replace(CLOSE, "")


def resolve_markers(html: str) -> SafeString:
    """A rendered HTML page (safe by construction) with every marked string as a span where it is text, and
    plain elsewhere."""
    return mark_safe(_MARKED.sub(_resolve, html) if has_markers(html) else html)
