"""A short-lived memo per hall of what every new number would otherwise look up again: how fast each
category's queue moves (``queue.category_pace``) and its tidal rule with whether a reserve window is
still closed (``tidal.tidal_after_issue``); and, in the ``DIRECTORY`` memo, the halls' categories by
their codes (the kiosk API). A kiosk burst of a thousand numbers reads them once.

The memo is one cache entry per hall (the shared Redis cache when ``REDIS_URL`` is set, else each worker's
own), forgotten at once and again after commit by every change it depends on — a window's status, a
service finished, an admin edit of windows, categories or rules (``signals``) — and kept at most
``MEMO_SECONDS`` in any case, so a worker that did not see a change catches up within that time.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")

MEMO_SECONDS = 30


DIRECTORY = 0  # not a hall: the memo of halls and categories by their codes


def _key(hall_id: int) -> str:
    return f"yichuang:hall:memo:{hall_id}"


def remembered(hall_id: int, entry: Hashable, compute: Callable[[], T], *, keep_none: bool = True) -> T:
    """``compute()``, remembered under ``entry`` in the memo of ``hall_id`` (or of ``DIRECTORY``); a result
    of None only with ``keep_none``."""
    key = _key(hall_id)
    entries = cache.get(key) or {}
    if entry in entries:
        return entries[entry]
    value = compute()
    if value is not None or keep_none:
        cache.set(key, {**entries, entry: value}, MEMO_SECONDS)
    return value


def forget(hall_id: int) -> None:
    """Drop the hall's memo now, and again once the change commits (a concurrent reader may have
    remembered the state before it in between)."""
    key = _key(hall_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
