"""Login lockout state: failed sign-ins counted per user name and per client address.

Kept in the database so every worker (and every app server) sees the same counts and locks; a row lives
for one counting window or one lock and is pruned afterwards (yichuang/accounts/lockout.py).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LoginThrottleScope(models.TextChoices):
    USERNAME = "username", _("用户名")
    ADDRESS = "address", _("客户端地址")


class LoginThrottle(models.Model):
    """Failed sign-ins of one user name (whether or not such a user exists) or one client address within
    the current window, and until when it is locked."""

    scope = models.CharField(_("范围"), max_length=10, choices=LoginThrottleScope.choices)
    # A keyed hash of the normalised user name or address: what a person typed as a user name (sometimes an
    # ID number or phone) is not stored; ``label`` is the masked form shown to the admin.
    key = models.CharField(max_length=64)
    label = models.CharField(_("用户名或地址"), max_length=150)
    failures = models.PositiveIntegerField(_("失败次数"), default=0)
    window_started_at = models.DateTimeField(_("计数开始于"))
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)
    updated_at = models.DateTimeField(_("最近失败于"), db_index=True)

    class Meta:
        verbose_name = _("登录锁定")
        verbose_name_plural = _("登录锁定")
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="login_throttle_scope_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.label}"
