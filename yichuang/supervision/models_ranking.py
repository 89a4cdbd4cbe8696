"""评比: the admin's weights of the composite score, and the 示范窗口 / 服务标兵 chosen from the rankings."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = ["Honour", "HonourKind", "PeriodKind", "RankingScheme"]


class RankingScheme(models.Model):
    """One row: the weight of each indicator in a department's composite score (0 leaves it out) and the
    points a card costs. Score = Σ weight × rate (0–100) ÷ Σ weights of the indicators the department has
    data for, minus the card points, never below 0."""

    on_time = models.PositiveSmallIntegerField(_("按时办结率权重"), default=30)
    online = models.PositiveSmallIntegerField(_("网办率权重"), default=10)
    immediate = models.PositiveSmallIntegerField(_("即办件占比权重"), default=5)
    one_window = models.PositiveSmallIntegerField(_("一窗受理率权重"), default=10)
    early = models.PositiveSmallIntegerField(_("提前办结率权重"), default=5)
    exempt = models.PositiveSmallIntegerField(_("免证办占比权重"), default=5)
    satisfaction = models.PositiveSmallIntegerField(_("好差评满意率权重"), default=20)
    rectification = models.PositiveSmallIntegerField(_("差评整改率权重"), default=5)
    hotline_on_time = models.PositiveSmallIntegerField(_("12345按时办结率权重"), default=5)
    hotline_satisfaction = models.PositiveSmallIntegerField(_("12345满意率权重"), default=5)
    yellow_points = models.DecimalField(
        _("每张黄牌扣分"), max_digits=4, decimal_places=1, default=0.5, validators=[MaxValueValidator(100)]
    )
    red_points = models.DecimalField(
        _("每张红牌扣分"), max_digits=4, decimal_places=1, default=2, validators=[MaxValueValidator(100)]
    )
    unanswered_points = models.DecimalField(
        _("每张逾期未答复的牌另扣分"),
        max_digits=4,
        decimal_places=1,
        default=1,
        validators=[MaxValueValidator(100)],
    )
    minimum_services = models.PositiveSmallIntegerField(
        _("窗口、人员参评最低服务量"),
        default=10,
        help_text=_("期间内受理、办结和评价合计少于此数的不参与排名"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("评比权重")
        verbose_name_plural = _("评比权重")

    def __str__(self) -> str:
        return str(_("评比权重"))


class PeriodKind(models.TextChoices):
    MONTH = "month", _("月度")
    QUARTER = "quarter", _("季度")


class HonourKind(models.TextChoices):
    MODEL_WINDOW = "model_window", _("示范窗口")
    STAR_STAFF = "star_staff", _("服务标兵")


class Honour(models.Model):
    """A 示范窗口 or 服务标兵 chosen by the admin for a month or a quarter, with its ranking then."""

    kind = models.CharField(_("类别"), max_length=20, choices=HonourKind.choices)
    period_kind = models.CharField(_("评选周期"), max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField(_("周期起始日"))
    window = models.ForeignKey(
        "hall.Window",
        verbose_name=_("窗口"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("工作人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="honours",
    )
    rank = models.PositiveSmallIntegerField(_("评选时排名"))
    score = models.DecimalField(_("评选时得分"), max_digits=6, decimal_places=2)
    reason = models.TextField(_("评选理由"))
    awarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    awarded_at = models.DateTimeField(_("评选时间"))

    class Meta:
        verbose_name = _("评选结果")
        verbose_name_plural = _("评选结果")
        ordering = ["-period_start", "kind", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period_kind", "period_start", "window"],
                condition=Q(window__isnull=False),
                name="honour_unique_window",
            ),
            models.UniqueConstraint(
                fields=["kind", "period_kind", "period_start", "staff"],
                condition=Q(staff__isnull=False),
                name="honour_unique_staff",
            ),
            models.CheckConstraint(
                condition=(Q(kind="model_window", window__isnull=False, staff__isnull=True))
                | (Q(kind="star_staff", staff__isnull=False, window__isnull=True)),
                name="honour_subject_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_start:%Y-%m}"
