from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One appended line of the hash-chained audit log (溯源可查).

    ``hash`` = SHA-256 over the canonical encoding of this row and ``prev_hash``; changing, removing
    or reordering any row breaks the chain, which ``manage.py audit_verify`` reports. The actor is
    stored by id and label, not as a foreign key, so that nothing outside the log can rewrite a row.
    """

    seq = models.PositiveBigIntegerField(_("序号"), unique=True)
    occurred_at = models.DateTimeField(_("发生时间"), default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(_("操作人ID"), null=True, blank=True, db_index=True)
    actor_label = models.CharField(_("操作人"), max_length=150, blank=True)
    action = models.CharField(_("动作"), max_length=80, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=80, blank=True)
    object_id = models.CharField(_("对象ID"), max_length=64, blank=True)
    data = models.JSONField(_("内容"), default=dict, blank=True)
    prev_hash = models.CharField(_("上一条哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计日志")
        indexes = [models.Index(fields=["object_type", "object_id"])]
        # A plain unique index: the hash is looked up whole, never by prefix.
        constraints = [models.UniqueConstraint(fields=["hash"], name="audit_event_unique_hash")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise RuntimeError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("audit events are append-only")


class AuditChainHead(models.Model):
    """A single row holding the last sequence number and hash; locking it serialises appends."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("审计链头")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"


class CalendarDay(models.Model):
    """An admin's override of one day: a working day or a day off, whatever the national data say."""

    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(_("是否工作日"))
    note = models.CharField(_("说明"), max_length=200)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整")

    def __str__(self) -> str:
        kind = "工作日" if self.is_working_day else "休息日"
        return f"{self.date:%Y-%m-%d} {kind}（{self.note}）"


class CalendarYear(models.Model):
    """A year an admin has entered by hand, because the national holiday data do not cover it yet.

    Until a year is either covered by ``chinese_calendar`` or entered here, deadlines that fall into
    it cannot be computed and raise an error instead of silently counting weekends only.
    """

    year = models.PositiveIntegerField(_("年份"), unique=True)
    note = models.CharField(_("依据"), max_length=200)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("人工录入年度")
        verbose_name_plural = _("人工录入年度")

    def __str__(self) -> str:
        return f"{self.year}（{self.note}）"


class Notification(models.Model):
    """One SMS or e-mail handed to the notification backend (see ``yichuang.core.notifications``).

    ``to`` is stored in full because it is where the message went; every list and API shows it masked.
    """

    class Channel(models.TextChoices):
        SMS = "sms", _("短信")
        EMAIL = "email", _("电子邮件")

    class Status(models.TextChoices):
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    to = models.CharField(_("接收人"), max_length=254)
    subject = models.CharField(_("标题"), max_length=200, blank=True)
    body = models.TextField(_("内容"))
    template = models.CharField(_("模板"), max_length=80)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices)
    error = models.TextField(_("失败原因"), blank=True)
    backend = models.CharField(_("发送通道"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("发送时间"), default=timezone.now, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=80, blank=True)
    object_id = models.CharField(_("对象ID"), max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知记录")
        # The screen filters by the whole recipient (no prefix search, so no pattern index) and by object.
        indexes = [models.Index(fields=["to"]), models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.to_masked} {self.template}"

    @property
    def to_masked(self) -> str:
        from yichuang.core.masking import mask_email, mask_phone

        return mask_email(self.to) if self.channel == self.Channel.EMAIL else mask_phone(self.to)


# The Mongolian texts of content (catalog items, notices, licences, halls, boards) live with the i18n code.
from yichuang.core.i18n.models import ContentTranslation  # noqa: E402, F401
