"""The Django admin's side of the login lockout: the list of current locks, and "unlock" on users."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yichuang.accounts import lockout
from yichuang.accounts.models_security import LoginThrottle
from yichuang.core.errors import ApplicationError, NotFoundError


@admin.action(description=gettext_lazy("解除所选用户的登录锁定"))
def unlock_login(modeladmin: Any, request: HttpRequest, queryset: Any) -> None:
    """Action of the user list: lift the lock (and the failure count) of each selected user's name."""
    lifted = 0
    for user in queryset:
        try:
            lifted += lockout.login_unlock(actor=request.user, username=user.username)
        except NotFoundError:
            continue
        except ApplicationError as error:
            messages.error(request, error.message)
            return
    messages.success(request, _("已解除%(count)d个登录锁定。") % {"count": lifted})


@admin.register(LoginThrottle)
class LoginThrottleAdmin(admin.ModelAdmin):
    """Read-only: rows are written by failed sign-ins and removed by unlocking or expiry."""

    list_display = ("label", "scope", "failures", "window_started_at", "locked_until")
    list_filter = ("scope",)
    actions = ["unlock"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # removing a row is unlocking it: done by the audited action below

    @admin.action(description=gettext_lazy("解除所选登录锁定"))
    def unlock(self, request: HttpRequest, queryset: Any) -> None:
        lifted = 0
        for row in queryset:
            try:
                lifted += lockout.login_unlock(actor=request.user, throttle=row)
            except NotFoundError:
                continue
            except ApplicationError as error:
                messages.error(request, error.message)
                return
        messages.success(request, _("已解除%(count)d个登录锁定。") % {"count": lifted})
