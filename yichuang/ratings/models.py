"""好差评 (国办发〔2019〕51号): a rating (``Evaluation``) of one service — a hall visit (一次一评), a case
(一事一评), a hotline ticket — on any channel; every bad rating (差评: 不满意, 非常不满意) opens a
``Rectification`` (回访核实 → 整改 → 反馈, due in working days); a department may appeal (``Appeal``) a
mistaken or malicious rating, which the admin may remove from the figures (never from the audit log).

Policy (the rating period, the rectification limit …) is data: ``RatingPolicy``, one row, edited in the
admin.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yichuang.accounts.models import Department
from yichuang.catalog.models import ServiceItem
from yichuang.core.crypto_fields import EncryptedTextField, KeyedHashField


class Level(models.IntegerChoices):
    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    BASICALLY_SATISFIED = 3, _("基本满意")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


BAD_LEVELS = (Level.DISSATISFIED, Level.VERY_DISSATISFIED)


class SubjectKind(models.TextChoices):
    HALL_TICKET = "hall_ticket", _("大厅窗口服务")
    CASE = "case", _("办件")
    HOTLINE_TICKET = "hotline_ticket", _("12345工单")


class Channel(models.TextChoices):
    """Where the rating was given (the provincial 评价渠道)."""

    WINDOW = "window", _("窗口评价器")
    ONLINE = "online", _("网上（短信链接）")
    MOBILE = "mobile", _("掌上办")
    KIOSK = "kiosk", _("自助终端")
    HOTLINE = "hotline", _("12345热线")


class ServiceMode(models.TextChoices):
    """Which indicators apply: the service was given online or at a counter."""

    ONLINE = "online", _("线上服务")
    OFFLINE = "offline", _("线下服务")


# The indicator sub-scores of 国办发〔2019〕51号 besides the overall level, per service mode.
INDICATORS: dict[str, tuple[tuple[str, str], ...]] = {
    ServiceMode.ONLINE: (
        ("efficiency", "办事效率"),
        ("guide_accuracy", "办事指南准确性"),
        ("convenience", "网上办事便捷性"),
    ),
    ServiceMode.OFFLINE: (
        ("efficiency", "办事效率"),
        ("competence", "业务水平"),
        ("attitude", "服务态度"),
    ),
}


class EvaluationStatus(models.TextChoices):
    VALID = "valid", _("有效")
    REMOVED = "removed", _("申诉复核后删除")


class Evaluation(models.Model):
    """One rating of one service. The rater's identity (name, ID number, phone) is confidential: only those
    who must call back a bad rating see it (``policies``)."""

    subject_kind = models.CharField(_("评价对象"), max_length=20, choices=SubjectKind.choices)
    subject_id = models.PositiveBigIntegerField(_("对象编号"))
    subject_label = models.CharField(_("服务"), max_length=200)  # e.g. "A012 综合受理" or the case number
    channel = models.CharField(_("评价渠道"), max_length=10, choices=Channel.choices)
    service_mode = models.CharField(_("服务方式"), max_length=10, choices=ServiceMode.choices)
    level = models.PositiveSmallIntegerField(_("评价等级"), choices=Level.choices)
    scores = models.JSONField(_("分项评价"), default=dict, blank=True)
    comment = models.TextField(_("评价内容"), blank=True)
    is_bad = models.BooleanField(_("差评"), default=False)
    rated_at = models.DateTimeField(_("评价时间"))
    served_at = models.DateTimeField(_("服务时间"))

    # Who served: the department answers for it; the staff member, window and item when known.
    department = models.ForeignKey(
        Department, verbose_name=_("被评价部门"), on_delete=models.PROTECT, related_name="evaluations"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("被评价人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evaluations_received",
    )
    window_number = models.CharField(_("窗口编号"), max_length=20, blank=True)
    hall_code = models.CharField(_("大厅编码"), max_length=40, blank=True)
    item = models.ForeignKey(
        ServiceItem, verbose_name=_("事项"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case_number = models.CharField(_("办件编号"), max_length=43, blank=True)
    case_kind = models.CharField(_("办件类型"), max_length=10, blank=True)

    # The rater (confidential).
    rater_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rater_name = models.CharField(_("评价人"), max_length=100, blank=True)
    rater_id_number = EncryptedTextField(_("评价人证件号码"), max_length=18, blank=True)
    rater_id_number_hash = KeyedHashField(source="rater_id_number")
    rater_credit_code = models.CharField(_("评价企业统一社会信用代码"), max_length=18, blank=True)
    rater_phone = models.CharField(_("评价人电话"), max_length=20, blank=True)
    rater_kind = models.CharField(_("申请人类型"), max_length=10, blank=True)  # natural / legal
    is_real_name = models.BooleanField(_("实名评价"), default=False)

    status = models.CharField(
        _("状态"), max_length=10, choices=EvaluationStatus.choices, default=EvaluationStatus.VALID
    )
    removed_at = models.DateTimeField(_("删除时间"), null=True, blank=True)
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("评价")
        verbose_name_plural = _("评价")
        ordering = ["-rated_at", "-pk"]
        constraints = [
            # 一次一评 / 一事一评: one rating per service, whatever the channel.
            models.UniqueConstraint(fields=["subject_kind", "subject_id"], name="evaluation_one_per_service"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="evaluation_level_range"),
        ]
        indexes = [
            models.Index(fields=["department", "rated_at"], name="evaluation_department"),
            models.Index(fields=["status", "rated_at"], name="evaluation_period"),
        ]

    def __str__(self) -> str:
        return f"{self.subject_label} {self.get_level_display()}"


class Invitation(models.Model):
    """A one-time rating link (一事一评 of a case, or the rectification of a bad rating) sent to the rater.
    Only the token's digest is stored."""

    class Purpose(models.TextChoices):
        SERVICE = "service", _("评价服务")
        RECTIFICATION = "rectification", _("评价整改")

    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    subject_kind = models.CharField(max_length=20, choices=SubjectKind.choices)
    subject_id = models.PositiveBigIntegerField()
    token_digest = models.CharField(max_length=64, unique=True)
    sent_to = models.CharField(_("发送至"), max_length=20, blank=True)  # masked
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("评价邀请")
        verbose_name_plural = _("评价邀请")
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "subject_kind", "subject_id"], name="invitation_one_per_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.subject_kind}:{self.subject_id}"


class RectificationStatus(models.TextChoices):
    CALL_BACK = "call_back", _("待回访核实")
    RECTIFYING = "rectifying", _("整改中")
    ANSWERED = "answered", _("已反馈")
    CLOSED = "closed", _("已办结")
    WITHDRAWN = "withdrawn", _("评价已删除")


class Rectification(models.Model):
    """整改 of one bad rating: assigned to the department (and staff) that served, called back, rectified,
    answered to the rater, who may rate the rectification; overdue ones escalate to the admin."""

    evaluation = models.OneToOneField(Evaluation, on_delete=models.PROTECT, related_name="rectification")
    department = models.ForeignKey(
        Department, verbose_name=_("整改部门"), on_delete=models.PROTECT, related_name="rectifications"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rectifications",
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=RectificationStatus.choices, default=RectificationStatus.CALL_BACK
    )
    opened_at = models.DateTimeField(_("生成时间"))
    due_date = models.DateField(_("整改期限"))
    reached = models.BooleanField(_("已联系上评价人"), null=True, blank=True)
    facts_confirmed = models.BooleanField(_("情况属实"), null=True, blank=True)
    called_back_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    measure = models.TextField(_("整改措施"), blank=True)
    rectified_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)
    answer = models.TextField(_("反馈评价人"), blank=True)
    answered_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("超期上报时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    # The rater's rating of the rectification (the same five levels), when given.
    rater_level = models.PositiveSmallIntegerField(
        _("整改评价"), choices=Level.choices, null=True, blank=True
    )
    rater_comment = models.TextField(_("整改评价意见"), blank=True)
    rater_rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["status", "due_date"], name="rectification_due")]

    def __str__(self) -> str:
        return f"整改 {self.evaluation.subject_label}"


class RectificationEvent(models.Model):
    """One step of a rectification: 回访 (every attempt, reached or not), 整改, 反馈, 上报, 评价."""

    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("环节"), max_length=20)
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["rectification_id", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.rectification_id} {self.kind}"


class AppealStatus(models.TextChoices):
    PENDING = "pending", _("待复核")
    UPHELD = "upheld", _("申诉成立（评价已删除）")
    REJECTED = "rejected", _("申诉不成立")


class Appeal(models.Model):
    """申诉复核: the rated department asks to remove a mistaken or malicious rating; the admin decides."""

    class Ground(models.TextChoices):
        MISTAKEN = "mistaken", _("误评（评价对象错误）")
        MALICIOUS = "malicious", _("恶意差评")
        NOT_OURS = "not_ours", _("非本部门服务")

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="appeals")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    ground = models.CharField(_("申诉理由"), max_length=20, choices=Ground.choices)
    reason = models.TextField(_("申诉说明"))
    # Kept in the database with the appeal, as case files are (backups hold everything; no media server).
    evidence = models.BinaryField(_("证明材料"), null=True, blank=True)
    evidence_name = models.CharField(max_length=200, blank=True)
    evidence_type = models.CharField(max_length=40, blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(_("申诉时间"))
    status = models.CharField(
        _("状态"), max_length=10, choices=AppealStatus.choices, default=AppealStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    decision_note = models.TextField(_("复核意见"), blank=True)

    class Meta:
        verbose_name = _("申诉复核")
        verbose_name_plural = _("申诉复核")
        ordering = ["-filed_at", "-pk"]
        constraints = [
            # One appeal under review at a time per rating.
            models.UniqueConstraint(
                fields=["evaluation"], condition=Q(status="pending"), name="appeal_one_pending"
            )
        ]

    def __str__(self) -> str:
        return f"申诉 {self.evaluation.subject_label}"


class RatingPolicy(models.Model):
    """The centre's rating rules (one row)."""

    rating_period_days = models.PositiveSmallIntegerField(
        _("服务后可评价天数"), default=15, help_text=_("办结或服务结束后多少天内可以评价")
    )
    rectification_working_days = models.PositiveSmallIntegerField(
        _("差评整改期限（工作日）"), default=10, help_text=_("各地 5 至 15 个工作日")
    )
    appeal_days = models.PositiveSmallIntegerField(_("可申诉天数"), default=10)
    rectification_rating_days = models.PositiveSmallIntegerField(_("整改反馈后可评价天数"), default=15)

    class Meta:
        verbose_name = _("好差评规则")
        verbose_name_plural = _("好差评规则")

    def __str__(self) -> str:
        return str(_("好差评规则"))


class Publication(models.Model):
    """A month whose figures the admin has published on the public page (公开评价结果)."""

    month = models.DateField(_("月份"), unique=True)  # the first day of the month
    published_at = models.DateTimeField(_("发布时间"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("评价结果公开")
        verbose_name_plural = _("评价结果公开")
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"
