"""Requests filed through Open311 (GeoReport v2): which client filed a ticket, the token it may track it by,
and what GeoReport carries that a ticket has no field for. The client is the account behind the ``api_key``
(an ordinary API token of an account allowed ``hotline.open311``); no key of its own is kept here."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yichuang.hotline.models_tickets import HotlineTicket

__all__ = ["Open311Request"]


class Open311Request(models.Model):
    ticket = models.OneToOneField(
        HotlineTicket, on_delete=models.CASCADE, related_name="open311", verbose_name=_("工单")
    )
    client = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("接入应用账号")
    )
    token = models.CharField(_("跟踪令牌"), max_length=32, unique=True)
    media_url = models.URLField(_("图片链接"), max_length=500, blank=True)
    # SHA-256 of what was submitted: a retry under the same idempotency key must be the same request.
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("提交时间"))

    class Meta:
        verbose_name = _("Open311诉求")
        verbose_name_plural = _("Open311诉求")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.token}"
