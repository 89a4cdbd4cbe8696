"""Cases (办件): one application for one handling item, at the item version it was made under.

The state machine lives in ``workflow``; every move appends a ``CaseEvent`` (the case's timeline) and an
audit event. Time limits are stored (``due_date``) and recomputed only by the services that change them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yichuang.accounts.models import Applicant, Department
from yichuang.catalog.models import ItemVersion, Material, ServiceItem


class CaseChannel(models.TextChoices):
    WINDOW = "window", _("窗口")
    ONLINE = "online", _("网上办")
    MOBILE = "mobile", _("掌上办")
    KIOSK = "kiosk", _("自助终端")
    PROXY = "proxy", _("帮办代办")


class CaseKind(models.TextChoices):
    IMMEDIATE = "immediate", _("即办件")
    PROMISED = "promised", _("承诺件")
    JOINT = "joint", _("联办件")


class CaseStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已接件")
    CORRECTION = "correction", _("待补正")
    ACCEPTED = "accepted", _("已受理")
    REFUSED = "refused", _("不予受理")
    IN_REVIEW = "in_review", _("审查中")
    SPECIAL_PROCEDURE = "special_procedure", _("特别程序中")
    APPROVED = "approved", _("准予（待制证）")
    DENIED = "denied", _("不予许可")
    RESULT_READY = "result_ready", _("待送达")
    CLOSED = "closed", _("已办结")
    WITHDRAWN = "withdrawn", _("已撤回")
    TERMINATED = "terminated", _("已终止")
    REVOKED = "revoked", _("已撤销")


class DeadlineState(models.TextChoices):
    NONE = "none", _("未计时")
    NORMAL = "normal", _("正常")
    WARNING = "warning", _("临近到期")
    OVERDUE = "overdue", _("已超期")
    PAUSED = "paused", _("暂停计时")


class Decision(models.TextChoices):
    APPROVE = "approve", _("准予")
    DENY = "deny", _("不予")


class Case(models.Model):
    number = models.CharField(_("办件编号"), max_length=43, unique=True)
    item = models.ForeignKey(
        ServiceItem, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="cases"
    )
    item_version = models.ForeignKey(
        ItemVersion, verbose_name=_("事项版本"), on_delete=models.PROTECT, related_name="cases"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("承办部门"), on_delete=models.PROTECT, related_name="cases"
    )
    applicant = models.ForeignKey(
        Applicant, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="cases"
    )
    channel = models.CharField(_("申请渠道"), max_length=10, choices=CaseChannel.choices)
    kind = models.CharField(_("办件类型"), max_length=10, choices=CaseKind.choices)
    status = models.CharField(
        _("状态"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.SUBMITTED, db_index=True
    )
    submitted_at = models.DateTimeField(_("接件时间"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("接件人")
    )
    idempotency_key = models.CharField(max_length=64, null=True, blank=True)
    # 补正 must be told within 5 working days of receipt, or the application counts as accepted (§32).
    correction_notice_due = models.DateField(_("补正告知期限"))
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    deemed_accepted = models.BooleanField(_("逾期未告知补正视为受理"), default=False)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("审查人"),
    )
    # Time limit (working days): promised days + approved extension; pauses push the due date out.
    limit_days = models.PositiveSmallIntegerField(_("办理时限（工作日）"), default=0)
    extension_days = models.PositiveSmallIntegerField(_("延期（工作日）"), default=0)
    paused_days = models.PositiveSmallIntegerField(_("暂停计时（工作日）"), default=0)
    due_date = models.DateField(_("到期日"), null=True, blank=True, db_index=True)
    deadline_state = models.CharField(
        _("时限状态"), max_length=10, choices=DeadlineState.choices, default=DeadlineState.NONE, db_index=True
    )
    decision = models.CharField(_("决定"), max_length=10, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(_("决定理由"), blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    refusal_reason = models.TextField(_("不予受理理由"), blank=True)
    competent_office = models.CharField(_("有权受理的机关"), max_length=200, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["submitted_by", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="case_unique_idempotency_key",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "status"], name="case_department_status"),
            models.Index(fields=["status", "due_date"], name="case_status_due"),
        ]

    def __str__(self) -> str:
        return self.number


class CaseSequence(models.Model):
    """The daily counter behind 办件编号 = 实施编码 + yyyymmdd + 4 digits; one row per code and day."""

    implementation_code = models.CharField(max_length=31)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["implementation_code", "day"], name="case_sequence_unique_day")
        ]

    def __str__(self) -> str:
        return f"{self.implementation_code} {self.day:%Y%m%d} {self.last}"


class CaseEvent(models.Model):
    """One step of a case's timeline: who moved it from which state to which, when and why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("环节"), max_length=40)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"))
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["case_id", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.case} {self.action}"


class CaseMaterialState(models.TextChoices):
    RECEIVED = "received", _("已收取")
    ORIGINAL_CHECKED = "original_checked", _("已核验原件")
    MISSING = "missing", _("缺少")
    DEFICIENT = "deficient", _("不符合要求")
    DEFERRED = "deferred", _("容缺待补")
    EXEMPT = "exempt", _("免提交")


class CaseMaterial(models.Model):
    """A required material of the case's item version and what the window found."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        _("状态"), max_length=20, choices=CaseMaterialState.choices, default=CaseMaterialState.MISSING
    )
    note = models.TextField(_("说明"), blank=True)
    due_date = models.DateField(_("补交期限"), null=True, blank=True)

    class Meta:
        ordering = ["case_id", "material__position"]
        constraints = [models.UniqueConstraint(fields=["case", "material"], name="case_material_unique")]

    def __str__(self) -> str:
        return f"{self.case} · {self.material}"
