"""适老化/无障碍 display modes: large text (大字号) and high contrast (高对比度).

A visitor's choice lives in one cookie, so it works logged out and on the self-service terminal; the
context processor turns it into classes on ``<body>`` when the page is rendered, so the page never
flashes in the default look first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

COOKIE_NAME = "yichuang_a11y"
COOKIE_MAX_AGE = 365 * 24 * 3600


@dataclass(frozen=True)
class DisplayMode:
    key: str
    css_class: str
    label: str | Promise


MODES: tuple[DisplayMode, ...] = (
    DisplayMode("large", "a11y-large", _("大字号")),
    DisplayMode("contrast", "a11y-contrast", _("高对比度")),
)
MODE_KEYS = frozenset(mode.key for mode in MODES)


def modes_from_cookie(value: str | None) -> frozenset[str]:
    """The modes a cookie value turns on; anything unknown is ignored."""
    if not value:
        return frozenset()
    return frozenset(part for part in value.split(".") if part in MODE_KEYS)


def modes_to_cookie(modes: frozenset[str]) -> str:
    return ".".join(mode.key for mode in MODES if mode.key in modes)


def modes_after_choice(current: frozenset[str], choice: Mapping[str, str]) -> frozenset[str]:
    """Apply a submitted choice (``{"large": "1", "contrast": "0"}``); keys not submitted stay as they are."""
    result = set(current)
    for key in MODE_KEYS:
        value = choice.get(key)
        if value == "1":
            result.add(key)
        elif value == "0":
            result.discard(key)
    return frozenset(result)


def body_classes(modes: frozenset[str]) -> str:
    return " ".join(mode.css_class for mode in MODES if mode.key in modes)
