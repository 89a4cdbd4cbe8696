"""Failed case lookups per terminal: after ``YICHUANG_TERMINAL_LOOKUP_FAILURES`` failures within
``YICHUANG_TERMINAL_LOOKUP_WINDOW_SECONDS`` the terminal refuses lookups until the oldest of them leaves the
window, so case numbers and ID numbers cannot be tried out at a public screen.

A terminal is its client address (each terminal is one machine on the hall's network; REMOTE_ADDR only, see
``core.http.client_address``). The failure times live in the shared cache (Redis in production), so every
worker counts the same failures; a success does not wipe them.
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import cache

_PREFIX = "portal:terminal:lookup-failures:"


def failures_allowed() -> int:
    return int(settings.YICHUANG_TERMINAL_LOOKUP_FAILURES)


def window_seconds() -> int:
    return int(settings.YICHUANG_TERMINAL_LOOKUP_WINDOW_SECONDS)


def _recent(terminal: str, now: float) -> list[float]:
    stamps = cache.get(_PREFIX + terminal) or []
    return [stamp for stamp in stamps if now - stamp < window_seconds()]


def lookup_wait_seconds(terminal: str, *, now: float | None = None) -> int:
    """0 when the terminal may look up now, else how many seconds until it may again."""
    now = time.time() if now is None else now
    recent = _recent(terminal, now)
    if len(recent) < failures_allowed():
        return 0
    # The lookup frees up when enough of the failures have left the window.
    freeing = sorted(recent)[len(recent) - failures_allowed()]
    return max(1, math.ceil(freeing + window_seconds() - now))


def lookup_failed(terminal: str, *, now: float | None = None) -> int:
    """Count one failure; returns the failures now within the window."""
    now = time.time() if now is None else now
    recent = [*_recent(terminal, now), now]
    cache.set(_PREFIX + terminal, recent[-max(failures_allowed(), 1) * 2 :], timeout=window_seconds())
    return len(recent)
