"""事项抽查: each month's draw of stationed handling items, the items drawn, and the inspection of each.

A draw is unique per (year, month) and stores its random seed, so that it can be reproduced and audited
(``sampling.draw_for`` with the same population and the same items already drawn gives the same sample).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yichuang.accounts.models import Department
from yichuang.catalog.models import ServiceItem

__all__ = [
    "CheckResult",
    "Conclusion",
    "Inspection",
    "SampleDraw",
    "SampledItem",
    "SampledItemStatus",
]


class SampleDraw(models.Model):
    """One month's draw (每月抽查事项不低于10%，年内全覆盖)."""

    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(
        _("月份"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    drawn_at = models.DateTimeField(_("抽取时间"))
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("抽取人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("为空表示由定时任务抽取"),
    )
    seed = models.BigIntegerField(_("随机种子"), help_text=_("保存以便复现和审计本次抽取"))
    population_size = models.PositiveIntegerField(_("进驻事项总数"))
    sample_size = models.PositiveIntegerField(_("抽取事项数"))
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("事项抽查批次")
        verbose_name_plural = _("事项抽查批次")
        ordering = ["-year", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["year", "month"], name="supervision_draw_unique_month"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="supervision_draw_month"),
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.month}月事项抽查"


class SampledItemStatus(models.TextChoices):
    PENDING = "pending", _("待检查")
    INSPECTED = "inspected", _("已检查")


class SampledItem(models.Model):
    draw = models.ForeignKey(
        SampleDraw, verbose_name=_("抽查批次"), on_delete=models.CASCADE, related_name="items"
    )
    item = models.ForeignKey(
        ServiceItem, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="sampled_in"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("实施主体"), on_delete=models.PROTECT, related_name="+"
    )
    first_this_year = models.BooleanField(
        _("本年度首次抽到"), default=True, help_text=_("否表示为凑足10%而复查的事项")
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=SampledItemStatus.choices, default=SampledItemStatus.PENDING
    )

    class Meta:
        verbose_name = _("抽查事项")
        verbose_name_plural = _("抽查事项")
        ordering = ["draw_id", "department_id", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["draw", "item"], name="supervision_sampled_item_once"),
        ]
        indexes = [models.Index(fields=["department", "status"], name="supervision_sampled_dept")]

    def __str__(self) -> str:
        return f"{self.draw} · {self.item}"


class CheckResult(models.TextChoices):
    """The result of one aspect an inspection looks at."""

    NOT_CHECKED = "", _("未检查")
    OK = "ok", _("符合")
    ISSUE = "issue", _("有问题")


class Conclusion(models.TextChoices):
    PASS = "pass", _("合格")
    BASIC = "basic", _("基本合格")
    FAIL = "fail", _("不合格")


class Inspection(models.Model):
    """The inspection of one sampled item: what was looked at, the conclusion, the findings and the
    rectification asked for when it is not 合格."""

    sampled_item = models.OneToOneField(
        SampledItem, verbose_name=_("抽查事项"), on_delete=models.CASCADE, related_name="inspection"
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("检查人"), on_delete=models.PROTECT, related_name="+"
    )
    inspected_at = models.DateTimeField(_("检查时间"))
    guide_result = models.CharField(
        _("办事指南准确性"), max_length=10, choices=CheckResult.choices, blank=True, default=""
    )
    materials_result = models.CharField(
        _("申请材料与审核要点"), max_length=10, choices=CheckResult.choices, blank=True, default=""
    )
    time_limits_result = models.CharField(
        _("办理时限"), max_length=10, choices=CheckResult.choices, blank=True, default=""
    )
    case_numbers = models.JSONField(_("抽查的办件编号"), default=list, blank=True)
    conclusion = models.CharField(_("检查结论"), max_length=10, choices=Conclusion.choices)
    findings = models.TextField(_("发现的问题"), blank=True)
    rectification = models.TextField(_("整改要求"), blank=True)
    rectification_due = models.DateField(_("整改期限"), null=True, blank=True)

    class Meta:
        verbose_name = _("抽查检查记录")
        verbose_name_plural = _("抽查检查记录")
        ordering = ["-inspected_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(conclusion="pass")
                | (~Q(findings="") & ~Q(rectification="") & Q(rectification_due__isnull=False)),
                name="supervision_inspection_findings",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sampled_item} · {self.get_conclusion_display()}"
