"""A short per-process memory of bearer tokens already checked, so an integration calling many times a
second does not read its token and user from the database on every call.

An entry lives ``YICHUANG_TOKEN_CACHE_SECONDS`` (0 turns the memory off). Revoking a token or saving a
user or token forgets everything at once in the process that made the change; other processes forget
within that many seconds. Every request gets its own copy of the user.
"""

from __future__ import annotations

import copy
import threading
import time
from typing import Any

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from yichuang.accounts.models import ApiToken, User

MAX_ENTRIES = 1000

_entries: dict[str, tuple[float, User]] = {}
_lock = threading.Lock()


def _ttl() -> float:
    return float(getattr(settings, "YICHUANG_TOKEN_CACHE_SECONDS", 0))


def token_user_recall(key_hash: str) -> User | None:
    """The user of a token checked less than the TTL ago (a copy), or None."""
    ttl = _ttl()
    if ttl <= 0:
        return None
    entry = _entries.get(key_hash)
    if entry is None or time.monotonic() - entry[0] >= ttl:
        return None
    return copy.copy(entry[1])


def token_user_remember(key_hash: str, user: User) -> None:
    if _ttl() <= 0:
        return
    with _lock:
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
        _entries[key_hash] = (time.monotonic(), copy.copy(user))


def token_cache_clear() -> None:
    with _lock:
        _entries.clear()


@receiver(post_save, sender=ApiToken)
@receiver(post_delete, sender=ApiToken)
@receiver(post_save, sender=User)
@receiver(post_delete, sender=User)
def _forget(sender: Any, **kwargs: Any) -> None:
    token_cache_clear()
