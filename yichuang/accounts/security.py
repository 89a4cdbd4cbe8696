"""The authentication backend: Django's user-name-and-password check behind the login lockout.

Every password sign-in goes through it — the login screen, the Django admin's login, ``Client.login``
in tests — so a locked name or address is refused everywhere, even with the right password, and no
password is checked while the lock lasts.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from yichuang.accounts import lockout
from yichuang.core.http import client_address

LOCK_ATTRIBUTE = (
    "login_lock"  # set on the request when a lock refused the sign-in or this failure started one
)


class LockoutModelBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        address = client_address(request) if request is not None else None
        lock = lockout.login_lock_find(username=username, address=address)
        if lock is not None:
            if request is not None:
                setattr(request, LOCK_ATTRIBUTE, lock)
            # PermissionDenied stops Django trying other backends; it still sends user_login_failed (audited).
            raise PermissionDenied(lock.message)
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            started = lockout.login_failure_record(username=username, address=address)
            if started is not None and request is not None:
                setattr(request, LOCK_ATTRIBUTE, started)
        else:
            lockout.login_success_record(username=username)
        return user


def login_lock_of(request: HttpRequest | None) -> lockout.LoginLock | None:
    """The lock that refused the sign-in made with this request, if one did."""
    return getattr(request, LOCK_ATTRIBUTE, None) if request is not None else None
