"""Extension points for the apps built on the hall (the hall never imports them).

- ``on_rating_panel(panel)`` — ``panel(request, state)`` returns the HTML of the rating form shown on a
  window's rating page (``/hall/counter/<id>/rating/``) for ``state.rating_ticket``, or None. The ratings
  app registers it from its ``AppConfig.ready``; without it the page only says whose rating is open.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Panel = Callable[[Any, Any], str | None]

_PANELS: list[Panel] = []


def on_rating_panel(panel: Panel) -> Panel:
    if panel not in _PANELS:
        _PANELS.append(panel)
    return panel


def rating_panel(request: Any, state: Any) -> str | None:
    for panel in _PANELS:
        html = panel(request, state)
        if html:
            return html
    return None
