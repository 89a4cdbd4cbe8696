"""The single check every service makes before it changes anything.

Capabilities (``"calendar.manage"``, ``"department.manage"`` …) are granted per role in
``yichuang.accounts.policies``; the user model answers ``has_capability``. Core only asks.
"""

from __future__ import annotations

from typing import Any

from yichuang.core.errors import PermissionDeniedError


def has_capability(actor: Any, capability: str) -> bool:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    check = getattr(actor, "has_capability", None)
    return bool(check and check(capability))


def require_capability(actor: Any, capability: str, message: str | None = None) -> None:
    if not has_capability(actor, capability):
        raise PermissionDeniedError(message or "您没有执行此操作的权限", extra={"needs": capability})
