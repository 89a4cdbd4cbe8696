"""Template context every page gets from the core app."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from yichuang.core.accessibility import COOKIE_NAME, MODES, body_classes, modes_from_cookie


def accessibility(request: HttpRequest) -> dict[str, Any]:
    """``a11y_classes`` for ``<body>`` and ``a11y_modes`` for the toggles in partials/access_tools.html."""
    active = modes_from_cookie(request.COOKIES.get(COOKIE_NAME))
    return {
        "a11y_classes": body_classes(active),
        "a11y_modes": [
            {"key": mode.key, "label": mode.label, "active": mode.key in active} for mode in MODES
        ],
    }
