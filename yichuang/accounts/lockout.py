"""Login lockout: failed sign-ins are counted per user name and per client address, and a name or an
address that fails too often within the window is locked for a while (docs/security.md).

The counts live in the database (``LoginThrottle``), so every worker and app server shares them on
SQLite and PostgreSQL alike. A user name is counted whether or not such a user exists, so the lock
tells nobody which names are real. The authentication backend (``yichuang.accounts.security``) asks
:func:`login_lock_find` before it checks a password and reports the outcome here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from yichuang.accounts.models_security import LoginThrottle, LoginThrottleScope
from yichuang.core.audit import audit_record, audited_atomic
from yichuang.core.errors import NotFoundError
from yichuang.core.masking import mask_text
from yichuang.core.permissions import require_capability

# Test clients and internal callers authenticate without a network address: no address is counted then.
UNKNOWN_ADDRESS = "unknown"


@dataclass(frozen=True)
class LoginLock:
    scope: str
    until: datetime

    @property
    def minutes_left(self) -> int:
        return max(1, math.ceil((self.until - timezone.now()).total_seconds() / 60))

    @property
    def message(self) -> str:
        # The same words for a name and an address lock, real or unknown name: nothing is revealed.
        return _("账号已临时锁定，请%(minutes)d分钟后再试或联系管理员。") % {"minutes": self.minutes_left}


def _limit(scope: str) -> int:
    if scope == LoginThrottleScope.USERNAME:
        return int(settings.YICHUANG_LOGIN_FAILURES)
    return int(settings.YICHUANG_LOGIN_ADDRESS_FAILURES)


def _window() -> timedelta:
    return timedelta(seconds=int(settings.YICHUANG_LOGIN_WINDOW_SECONDS))


def _lock_time() -> timedelta:
    return timedelta(seconds=int(settings.YICHUANG_LOGIN_LOCK_SECONDS))


def _normalise_username(username: str) -> str:
    # Case variants of a name are one name here, so "Clerk" cannot go on guessing once "clerk" is locked.
    return username.strip().lower()[:150]


def _key(scope: str, value: str) -> str:
    return salted_hmac(f"yichuang.login_throttle.{scope}", value, algorithm="sha256").hexdigest()


def _subjects(username: str | None, address: str | None) -> list[tuple[str, str, str]]:
    """(scope, key, label) of what this attempt is counted against."""
    subjects = []
    name = _normalise_username(username or "")
    if name:
        subjects.append((LoginThrottleScope.USERNAME.value, _key("username", name), mask_text(name)))
    if address and address != UNKNOWN_ADDRESS:
        subjects.append((LoginThrottleScope.ADDRESS.value, _key("address", address), address[:150]))
    return subjects


def _matching(subjects: list[tuple[str, str, str]]) -> Q:
    condition = Q(pk__in=[])
    for scope, key, _label in subjects:
        condition |= Q(scope=scope, key=key)
    return condition


def login_lock_find(*, username: str | None, address: str | None) -> LoginLock | None:
    """The lock that refuses this sign-in now (the one that lasts longest), or None."""
    subjects = _subjects(username, address)
    if not subjects:
        return None
    row = (
        LoginThrottle.objects.filter(_matching(subjects), locked_until__gt=timezone.now())
        .order_by("-locked_until")
        .only("scope", "locked_until")
        .first()
    )
    if row is None or row.locked_until is None:
        return None
    return LoginLock(scope=row.scope, until=row.locked_until)


@audited_atomic
def login_failure_record(*, username: str | None, address: str | None) -> LoginLock | None:
    """Count a failed sign-in against its user name and its address; lock whichever reaches its limit.

    Returns the lock this failure started, if any. The failure itself is audited by the
    ``user_login_failed`` receiver (``auth.login_failed``); a lock adds ``auth.login_locked``."""
    now = timezone.now()
    started: LoginLock | None = None
    _prune(now)
    for scope, key, label in _subjects(username, address):
        row, _created = LoginThrottle.objects.select_for_update().get_or_create(
            scope=scope,
            key=key,
            defaults={"label": label, "failures": 0, "window_started_at": now, "updated_at": now},
        )
        if row.locked_until is not None and row.locked_until > now:
            continue  # already locked (a race with another worker): the lock stands as it is
        if row.locked_until is not None or now - row.window_started_at > _window():
            row.failures, row.window_started_at, row.locked_until = 0, now, None
        row.failures += 1
        row.updated_at = now
        if row.failures >= _limit(scope):
            row.locked_until = now + _lock_time()
            lock = LoginLock(scope=scope, until=row.locked_until)
            if started is None or lock.until > started.until:
                started = lock
            audit_record(
                actor=None,
                action="auth.login_locked",
                obj=row,
                data={
                    "scope": scope,
                    "subject": label,
                    "failures": row.failures,
                    "locked_until": row.locked_until.isoformat(),
                },
            )
        row.save()
    return started


def _prune(now: datetime) -> None:
    """Forget counts whose window and lock are both over (what a stranger typed does not pile up)."""
    horizon = now - max(_window(), _lock_time())
    LoginThrottle.objects.filter(updated_at__lt=horizon).filter(
        Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    ).delete()


def login_success_record(*, username: str | None) -> None:
    """A correct password ends the user name's count (not the address's: one good account must not
    reset a password sprayer's count)."""
    subjects = [s for s in _subjects(username, None) if s[0] == LoginThrottleScope.USERNAME]
    if subjects:
        LoginThrottle.objects.filter(_matching(subjects), locked_until__isnull=True).delete()


def login_locks_active() -> list[LoginThrottle]:
    return list(LoginThrottle.objects.filter(locked_until__gt=timezone.now()).order_by("-locked_until"))


@audited_atomic
def login_unlock(
    *,
    actor: Any,
    username: str | None = None,
    address: str | None = None,
    throttle: LoginThrottle | None = None,
) -> int:
    """Lift the lock and clear the count of a user name, an address, or one row of the lock list.

    Returns how many locks were lifted; raises NotFoundError when there was nothing to clear."""
    require_capability(actor, "staff.manage", _("只有政数局管理员可以解除登录锁定"))
    condition = _matching(_subjects(username, address))
    if throttle is not None:
        condition |= Q(pk=throttle.pk)
    rows = list(LoginThrottle.objects.select_for_update().filter(condition))
    if not rows:
        raise NotFoundError(_("该账号或地址没有登录失败记录"))
    now = timezone.now()
    lifted = 0
    for row in rows:
        was_locked = row.locked_until is not None and row.locked_until > now
        lifted += was_locked
        audit_record(
            actor=actor,
            action="auth.login_unlocked",
            obj=row,
            data={
                "scope": row.scope,
                "subject": row.label,
                "was_locked": was_locked,
                "failures": row.failures,
            },
        )
    LoginThrottle.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return lifted
