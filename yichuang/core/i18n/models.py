"""Mongolian texts of the platform's own content, kept by the admin (政数局管理员): catalog items and their
guides, notices, licence renderings, the halls and the display boards.

Interface strings are translated in ``locale/`` (gettext); content is data, so its translations are data too.
A row is keyed by what it translates — the kind of thing, that thing's stable identity (an item's id, a notice
kind, a licence type's code, a hall's code …) and the field — and stores the SHA-256 of the Chinese it was
made from. Nothing points at a catalog version: a published version stays untouched, and the translation
carries over to the next version for as long as the Chinese reads the same. When the Chinese changes, the
hash no longer matches: the row is 待更新 (stale) and pages fall back to the Chinese, visibly.
See docs/i18n.md, "Mongolian content".
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ContentTranslation(models.Model):
    kind = models.CharField(_("类别"), max_length=20)
    key = models.CharField(_("对象标识"), max_length=100)
    field = models.CharField(_("字段"), max_length=100)
    language = models.CharField(_("语言"), max_length=10)
    text = models.TextField(_("译文"))
    source_hash = models.CharField(_("原文校验码"), max_length=64)
    # The Chinese the translation was made from: a stale row shows the translator what changed.
    source_text = models.TextField(_("翻译时的中文原文"))
    updated_at = models.DateTimeField(_("更新时间"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("更新人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        app_label = "core"
        ordering = ["kind", "key", "field", "language"]
        verbose_name = _("内容翻译")
        verbose_name_plural = _("内容翻译")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key", "field", "language"], name="content_translation_unique_field"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}/{self.key}/{self.field} [{self.language}]"
