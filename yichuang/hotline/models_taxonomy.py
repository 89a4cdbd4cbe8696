"""The hotline's three-level classification (一级/二级/三级分类, from the platform's ``taxonomy.csv``) and the
dispatch directory (派单目录): which department leads a matter of a category in a division, with which
co-handlers. Both are data the hotline office edits."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from yichuang.accounts.models import Department

__all__ = ["DirectoryEntry", "HotlineCategory"]


class HotlineCategory(models.Model):
    """One node of the classification: level 1, 2 or 3; ``path`` is "一级/二级/三级" for lookups."""

    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("上级"),
    )
    level = models.PositiveSmallIntegerField(_("级别"))
    name = models.CharField(_("名称"), max_length=60)
    path = models.CharField(_("完整分类"), max_length=200, unique=True)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("热线分类")
        verbose_name_plural = _("热线分类")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(condition=models.Q(level__in=[1, 2, 3]), name="hotline_category_level")
        ]

    def __str__(self) -> str:
        return self.path

    @property
    def top(self) -> str:
        """The level-1 name."""
        return self.path.split("/")[0]


class DirectoryEntry(models.Model):
    """派单目录: matters of ``category`` (and below it) in ``division_code`` (and below it; empty: anywhere)
    go to ``lead``, with ``co_handlers`` for joint handling. The most specific entry wins."""

    category = models.ForeignKey(
        HotlineCategory, on_delete=models.PROTECT, related_name="directory_entries", verbose_name=_("分类")
    )
    division_code = models.CharField(_("行政区划代码"), max_length=12, blank=True)
    lead = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="hotline_directory_leads",
        verbose_name=_("主办单位"),
    )
    co_handlers = models.ManyToManyField(  # type: ignore[var-annotated]
        Department, blank=True, related_name="hotline_directory_co", verbose_name=_("协办单位")
    )
    basis = models.CharField(_("依据（职责清单）"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("派单目录")
        verbose_name_plural = _("派单目录")
        ordering = ["category__path", "division_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "division_code"], name="directory_unique_category_division"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.division_code or '全域'} → {self.lead}"
