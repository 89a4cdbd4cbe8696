"""The daily roll-up behind the supervision figures (see ``rollup`` and docs/supervision.md).

``FigureDay`` holds, for each closed day, the counts of one dimension's key (a department, an item, a
window or a staff member) within one case department; ``FigureMonth`` the same summed per month.
``RollupState.rolled_until`` is the first day *not* rolled up: the figures read the roll-up before it and
aggregate the raw cases from it on, so they are always current and always equal to an aggregation over the
raw tables. ``WorkdayOrdinal`` numbers the working days, so that working days between two dates is a
subtraction the database can do.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["COUNT_FIELDS", "Dimension", "FigureDay", "FigureMonth", "RollupState", "WorkdayOrdinal"]


class Dimension(models.TextChoices):
    DEPARTMENT = "department", _("部门")
    ITEM = "item", _("事项")
    WINDOW = "window", _("窗口")
    STAFF = "staff", _("工作人员")


# The summed counts of a row, in the order the tables show them.
COUNT_FIELDS: tuple[str, ...] = (
    "submitted",
    "accepted",
    "accepted_online",
    "accepted_immediate",
    "accepted_one_window",
    "accepted_exempt",
    "decided",
    "decided_on_time",
    "decided_early",
    "decided_late",
    "working_days",
)


class FigureCounts(models.Model):
    """The summed counts of one dimension's key within one case department (``COUNT_FIELDS``)."""

    dimension = models.CharField(_("维度"), max_length=10, choices=Dimension.choices)
    key = models.BigIntegerField(_("对象"), help_text=_("部门、事项、窗口或人员的编号；0 表示未知"))
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    submitted = models.PositiveIntegerField(_("接件"), default=0)
    accepted = models.PositiveIntegerField(_("受理"), default=0)
    accepted_online = models.PositiveIntegerField(_("网上受理"), default=0)
    accepted_immediate = models.PositiveIntegerField(_("即办件"), default=0)
    accepted_one_window = models.PositiveIntegerField(_("综合窗口受理"), default=0)
    accepted_exempt = models.PositiveIntegerField(_("免证办"), default=0)
    decided = models.PositiveIntegerField(_("办结"), default=0)
    decided_on_time = models.PositiveIntegerField(_("按时办结"), default=0)
    decided_early = models.PositiveIntegerField(_("提前办结"), default=0)
    decided_late = models.PositiveIntegerField(_("超期办结"), default=0)
    working_days = models.PositiveIntegerField(_("办理用时（工作日合计）"), default=0)

    class Meta:
        abstract = True


class FigureDay(FigureCounts):
    day = models.DateField(_("日期"))

    class Meta:
        verbose_name = _("监察日汇总")
        verbose_name_plural = _("监察日汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "day", "key", "department"], name="figure_day_unique"
            )
        ]
        indexes = [models.Index(fields=["dimension", "department", "day"], name="figure_day_department")]

    def __str__(self) -> str:
        return f"{self.day} {self.dimension} {self.key}"


class FigureMonth(FigureCounts):
    """A month's ``FigureDay`` rows summed (``month`` is its first day), so that a quarter or a year of items
    or staff reads a dozen rows per key instead of hundreds. Written with the days (``rollup.roll_days``);
    read only for whole months before ``RollupState.rolled_until``."""

    month = models.DateField(_("月份"))

    class Meta:
        verbose_name = _("监察月汇总")
        verbose_name_plural = _("监察月汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "month", "key", "department"], name="figure_month_unique"
            )
        ]
        indexes = [models.Index(fields=["dimension", "department", "month"], name="figure_month_department")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.dimension} {self.key}"


class RollupState(models.Model):
    """One row: the days before ``rolled_until`` are in ``FigureDay``; and, when ``partial_until`` is set (a
    moment of the day ``rolled_until``), that day's facts before it too, as ``FigureDay`` rows of that day."""

    rolled_until = models.DateField(_("已汇总至（不含）"), null=True, blank=True)
    rolled_at = models.DateTimeField(_("汇总时间"), null=True, blank=True)
    partial_until = models.DateTimeField(_("当日已汇总至（不含）"), null=True, blank=True)
    # A new token whenever the rows of days before ``rolled_until`` are written: the key of their cached sums.
    version = models.CharField(_("汇总版本"), max_length=32, blank=True, default="")

    class Meta:
        verbose_name = _("汇总进度")
        verbose_name_plural = _("汇总进度")

    def __str__(self) -> str:
        return f"{self.rolled_until}"


class WorkdayOrdinal(models.Model):
    """``ordinal`` = the working days from the calendar's first day up to and including ``day``."""

    day = models.DateField(primary_key=True)
    ordinal = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("工作日序号")
        verbose_name_plural = _("工作日序号")

    def __str__(self) -> str:
        return f"{self.day} {self.ordinal}"
