"""The languages of the interface and the translation class that keeps Mongolian to its own catalogue.

Simplified Chinese (``zh-hans``) is the source language: every msgid is Chinese, so it needs no catalogue.
Mongolian in the traditional script (``mn-mong``, locale directory ``locale/mn_Mong``) is added by
translation; what it lacks falls back to Chinese.
"""

from __future__ import annotations

import gettext as gettext_module
from pathlib import Path
from typing import Any

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.utils.translation import get_supported_language_variant, to_locale, trans_real

MONGOLIAN = "mn-mong"
# Languages read only from their own locale directory, never from the generic language's (see below).
EXACT_LOCALE_LANGUAGES = frozenset({MONGOLIAN})

# Django knows "mn" (Cyrillic) but not the traditional script; get_language_info() needs an entry.
LANGUAGE_INFO: dict[str, dict[str, Any]] = {
    MONGOLIAN: {
        "bidi": False,
        "code": MONGOLIAN,
        "name": "Mongolian (traditional script)",
        "name_local": "ᠮᠣᠩᠭᠣᠯ",
    },
}


def bcp47(code: str) -> str:
    """Django's lower-case language code as a BCP 47 tag in its usual case: ``zh-hans`` → ``zh-Hans``,
    ``mn-mong`` → ``mn-Mong``, ``en-us`` → ``en-US``."""
    subtags = code.replace("_", "-").split("-")
    tag = [subtags[0].lower()]
    for subtag in subtags[1:]:
        if len(subtag) == 4 and subtag.isalpha():
            tag.append(subtag.title())  # script
        elif len(subtag) == 2 and subtag.isalpha():
            tag.append(subtag.upper())  # region
        else:
            tag.append(subtag.lower())
    return "-".join(tag)


def supported_language(code: str | None) -> str | None:
    """The code from ``LANGUAGES`` that ``code`` names (any case, ``_`` or ``-``, ``mn`` → ``mn-mong``),
    or None when the platform does not offer it."""
    if not code or len(code) > 20:
        return None
    try:
        return get_supported_language_variant(code.strip().replace("_", "-").lower())
    except LookupError:
        return None


def language_choices() -> list[tuple[str, str]]:
    return [(code, str(name)) for code, name in settings.LANGUAGES]


class ExactLocaleTranslation(trans_real.DjangoTranslation):
    """A Django translation that reads only catalogues of its own locale (``mn_Mong``).

    Python's gettext widens ``mn_Mong`` to ``mn``, and Django ships Mongolian in the Cyrillic script under
    ``mn`` for its own apps (admin, forms). Readers of the traditional script in Inner Mongolia read Chinese,
    not Cyrillic, so a string without a traditional-script translation must fall back to the default
    language (Chinese) instead.
    """

    def _new_gnu_trans(self, localedir: str, use_null_fallback: bool = True) -> Any:
        path = Path(localedir) / to_locale(self.language()) / "LC_MESSAGES" / f"{self.domain}.mo"
        if not path.is_file():
            return gettext_module.NullTranslations()
        with path.open("rb") as catalogue:
            return gettext_module.GNUTranslations(catalogue)

    def has_message(self, msgid: str, *, context: str | None = None, plural: bool = False) -> bool:
        """Whether this language's own catalogue translates ``msgid`` (not counting the fallback)."""
        key = f"{context}\x04{msgid}" if context else msgid
        catalog = self._catalog  # type: ignore[attr-defined]
        if plural:
            return (key, 0) in catalog
        return key in catalog or (key, self.plural(1)) in catalog


def active_translation(language: str) -> Any:
    """Django's (cached) translation object of ``language``."""
    return trans_real.translation(language)


def install() -> None:
    """Register the languages Django does not know and make Django build an ExactLocaleTranslation for the
    languages of EXACT_LOCALE_LANGUAGES. Called once from CoreConfig.ready().

    Django has no setting for the translation class; its per-language factory ``trans_real.translation``
    is wrapped instead (the only place the platform reaches into Django's translation internals; the tests
    in ``core/tests/test_i18n.py`` fail if a Django upgrade changes it)."""
    for code, info in LANGUAGE_INFO.items():
        LANG_INFO.setdefault(code, info)
    if getattr(trans_real.translation, "exact_locale", False):
        return
    build = trans_real.translation

    def translation(language: str) -> Any:
        cache = trans_real._translations  # type: ignore[attr-defined]
        if language not in cache and language.lower() in EXACT_LOCALE_LANGUAGES:
            cache[language] = ExactLocaleTranslation(language)
        return build(language)

    translation.exact_locale = True  # type: ignore[attr-defined]
    trans_real.translation = translation
