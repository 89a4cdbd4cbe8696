"""12345 tickets (工单): a citizen's request, taken by an operator (or through Open311), answered at once
(直接办结) or dispatched to the department that owns it (and co-handlers for joint handling); signed, handled,
replied within limits per nature and urgency (``HotlineLimit``, data); returned with a reason and reviewed
by the hotline office; extended; carried as long-term (挂账) with a plan; reminded and supervised when limits
pass; called back by the office — unsatisfied reopens it (重办) up to a limit; merged when the same matter
at the same place is still open (并单).

The state machine is in ``tickets_workflow``; every step appends a ``TicketStep`` and an audit event.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yichuang.accounts.models import Department
from yichuang.hotline.models_taxonomy import HotlineCategory

__all__ = [
    "Assignment",
    "AssignmentRole",
    "AssignmentStatus",
    "CallBackResult",
    "HotlineChannel",
    "HotlineLimit",
    "HotlineSequence",
    "HotlineStatus",
    "HotlineTicket",
    "Nature",
    "TicketStep",
    "Urgency",
]


class Nature(models.TextChoices):
    CONSULT = "consult", _("咨询")
    HELP = "help", _("求助")
    COMPLAINT = "complaint", _("投诉")
    REPORT = "report", _("举报")
    SUGGEST = "suggest", _("建议")
    PRAISE = "praise", _("表扬")


class Urgency(models.TextChoices):
    """ABC分级 (接诉即办): A 紧急 (safety, livelihood at risk now), B 较急, C 一般."""

    A = "A", _("A 紧急")
    B = "B", _("B 较急")
    C = "C", _("C 一般")


class HotlineChannel(models.TextChoices):
    PHONE = "phone", _("电话")
    WEB = "web", _("网站")
    APP = "app", _("移动端")
    WECHAT = "wechat", _("微信")
    WINDOW = "window", _("12345线下窗口")
    OPEN311 = "open311", _("开放接口")


class HotlineStatus(models.TextChoices):
    RECEIVED = "received", _("已受理待派单")
    DISPATCHED = "dispatched", _("已派单待签收")
    RETURN_REVIEW = "return_review", _("退单待审核")
    HANDLING = "handling", _("办理中")
    LONG_TERM = "long_term", _("挂账办理")
    REPLIED = "replied", _("已答复待回访")
    CLOSED = "closed", _("已办结")
    MERGED = "merged", _("已并单")


OPEN_STATUSES = (
    HotlineStatus.RECEIVED,
    HotlineStatus.DISPATCHED,
    HotlineStatus.RETURN_REVIEW,
    HotlineStatus.HANDLING,
    HotlineStatus.LONG_TERM,
    HotlineStatus.REPLIED,
)


class CallBackResult(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")
    UNREACHED = "unreached", _("未联系上")


class HotlineLimit(models.Model):
    """办理时限 for a nature and urgency (data; defaults from DESIGN §4 are seeded by a data migration):
    sign within ``sign_hours`` (working hours of 8 a day), return within ``return_hours``, handle within
    ``handle_days`` working days."""

    nature = models.CharField(_("诉求性质"), max_length=10, choices=Nature.choices)
    urgency = models.CharField(_("紧急程度"), max_length=1, choices=Urgency.choices)
    sign_hours = models.PositiveSmallIntegerField(_("签收时限（工作小时）"))
    return_hours = models.PositiveSmallIntegerField(_("退单时限（工作小时）"))
    handle_days = models.PositiveSmallIntegerField(_("办理时限（工作日）"))

    class Meta:
        verbose_name = _("热线办理时限")
        verbose_name_plural = _("热线办理时限")
        ordering = ["nature", "urgency"]
        constraints = [models.UniqueConstraint(fields=["nature", "urgency"], name="hotline_limit_unique")]

    def __str__(self) -> str:
        return f"{self.get_nature_display()} {self.urgency}"


class HotlineSequence(models.Model):
    """The daily counter behind ticket numbers (RX + yyyymmdd + 4 digits)."""

    key = models.CharField(max_length=20)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "day"], name="hotline_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.key} {self.day} {self.last}"


class HotlineTicket(models.Model):
    number = models.CharField(_("工单编号"), max_length=20, unique=True)
    channel = models.CharField(_("来源渠道"), max_length=10, choices=HotlineChannel.choices)
    nature = models.CharField(_("诉求性质"), max_length=10, choices=Nature.choices)
    urgency = models.CharField(_("紧急程度"), max_length=1, choices=Urgency.choices, default=Urgency.C)
    category = models.ForeignKey(
        HotlineCategory,
        verbose_name=_("分类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("标题"), max_length=200)
    content = models.TextField(_("诉求内容"))
    address = models.CharField(_("地点"), max_length=200, blank=True)
    division_code = models.CharField(_("行政区划代码"), max_length=12, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    # The caller: anonymous (no name kept), confidential (保密: shown masked to everyone but the office).
    caller_name = models.CharField(_("来电人"), max_length=60, blank=True)
    caller_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    anonymous = models.BooleanField(_("匿名"), default=False)
    confidential = models.BooleanField(_("保密"), default=False)
    caller_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    status = models.CharField(
        _("状态"), max_length=15, choices=HotlineStatus.choices, default=HotlineStatus.RECEIVED
    )
    received_at = models.DateTimeField(_("受理时间"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lead = models.ForeignKey(
        Department,
        verbose_name=_("主办单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    sign_due_at = models.DateTimeField(_("签收期限"), null=True, blank=True)
    due_at = models.DateTimeField(_("办理期限"), null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField(_("延期（工作日）"), default=0)
    long_term_plan = models.TextField(_("挂账办理计划"), blank=True)
    long_term_due = models.DateField(_("挂账计划完成日期"), null=True, blank=True)
    reply = models.TextField(_("答复内容"), blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    solved = models.BooleanField(_("诉求已解决"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    answered_directly = models.BooleanField(_("直接办结"), default=False)
    callback_result = models.CharField(
        _("回访结果"), max_length=12, choices=CallBackResult.choices, blank=True
    )
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    reminders = models.PositiveSmallIntegerField(_("催办次数"), default=0)
    supervised = models.BooleanField(_("督办"), default=False)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged", verbose_name=_("并入")
    )
    external_id = models.CharField(_("外部编号"), max_length=64, blank=True)  # Open311 / an imported appeal
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("12345工单")
        verbose_name_plural = _("12345工单")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="hotline_status_due"),
            models.Index(fields=["lead", "status"], name="hotline_lead_status"),
            models.Index(fields=["category", "division_code", "status"], name="hotline_duplicates"),
        ]

    def __str__(self) -> str:
        return self.number


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("主办")
    CO = "co", _("协办")


class AssignmentStatus(models.TextChoices):
    PENDING = "pending", _("待签收")
    SIGNED = "signed", _("已签收")
    REPLIED = "replied", _("已答复")
    RETURNED = "returned", _("已退单")
    WITHDRAWN = "withdrawn", _("已撤回")


class Assignment(models.Model):
    """A department's part in a ticket: the lead (one per dispatch) or a co-handler, who reports to the
    lead. A return withdraws the lead's part; a re-dispatch makes a new one."""

    ticket = models.ForeignKey(HotlineTicket, on_delete=models.CASCADE, related_name="assignments")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="hotline_assignments")
    role = models.CharField(_("角色"), max_length=4, choices=AssignmentRole.choices)
    status = models.CharField(
        _("状态"), max_length=10, choices=AssignmentStatus.choices, default=AssignmentStatus.PENDING
    )
    assigned_at = models.DateTimeField()
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reply = models.TextField(_("答复/协办意见"), blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    return_reason = models.TextField(_("退单理由"), blank=True)

    class Meta:
        ordering = ["ticket_id", "role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"],
                condition=Q(role="lead") & ~Q(status__in=["returned", "withdrawn"]),
                name="assignment_one_live_lead",
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket} {self.department} {self.role}"


class TicketStep(models.Model):
    """One step of a ticket's timeline: who did what, when, with which note."""

    ticket = models.ForeignKey(HotlineTicket, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("环节"), max_length=30)
    from_status = models.CharField(max_length=15, blank=True)
    to_status = models.CharField(max_length=15)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["ticket_id", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.action}"
