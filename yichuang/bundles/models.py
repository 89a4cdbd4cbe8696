"""一件事 (``Bundle``): several handling items across departments applied for once.

A bundle is defined by the admin: its member items, a situation questionnaire (情形引导) whose answers
select the members that apply, which member needs another's result first (dependencies), the fields each
member asks on the one form (一表制, merged by meaning: ``fields``), the bundle's promised days and its own
guide. Applying creates one ``BundleApplication`` and a case per selected member (``BundleCase``); the
members without unmet dependencies go to their departments at once (并联审批), the others wait for the
results they need. The application's status, timeline and due date aggregate its cases (``progress``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yichuang.accounts.models import Applicant, Department
from yichuang.cases.models import Case, CaseChannel
from yichuang.catalog.models import ServiceItem


class EventKind(models.TextChoices):
    LIFE = "life", _("个人生命周期")
    BUSINESS = "business", _("企业全生命周期")


class BundleStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    RETIRED = "retired", _("已停用")


class Bundle(models.Model):
    code = models.SlugField(_("一件事编码"), max_length=40, unique=True)
    name = models.CharField(_("一件事名称"), max_length=100)
    event_kind = models.CharField(_("类别"), max_length=10, choices=EventKind.choices)
    event = models.CharField(
        _("生命周期事件"), max_length=40, help_text=_("如：出生、开办、准营、注销、退休")
    )
    lead_department = models.ForeignKey(
        Department, verbose_name=_("牵头部门"), on_delete=models.PROTECT, related_name="+"
    )
    summary = models.TextField(_("白话说明"), blank=True)
    service_object = models.CharField(_("服务对象"), max_length=200, blank=True)
    conditions = models.TextField(_("办理条件"), blank=True)
    legal_basis = models.TextField(_("政策依据"), blank=True)
    process_steps = models.JSONField(_("办理流程"), default=list, blank=True)
    promised_days = models.PositiveSmallIntegerField(_("一件事承诺时限（工作日）"))
    visits = models.PositiveSmallIntegerField(_("到现场次数"), default=1)
    handling_place = models.CharField(_("办理地点"), max_length=200, blank=True)
    handling_hours = models.CharField(_("办理时间"), max_length=200, blank=True)
    contact_phone = models.CharField(_("咨询电话"), max_length=40, blank=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    status = models.CharField(
        _("状态"), max_length=10, choices=BundleStatus.choices, default=BundleStatus.DRAFT
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("一件事")
        verbose_name_plural = _("一件事")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


class BundleQuestion(models.Model):
    """One question of the situation questionnaire: ``choices`` = [{"value", "label"}]."""

    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(_("问题标识"), max_length=40)
    text = models.CharField(_("问题"), max_length=200)
    help_text = models.CharField(_("说明"), max_length=300, blank=True)
    multiple = models.BooleanField(_("可多选"), default=False)
    choices = models.JSONField(_("选项"), default=list)
    position = models.PositiveSmallIntegerField(_("序号"), default=0)

    class Meta:
        verbose_name = _("情形引导问题")
        verbose_name_plural = _("情形引导问题")
        ordering = ["bundle_id", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["bundle", "key"], name="bundle_question_unique_key")]

    def __str__(self) -> str:
        return self.text


class BundleMember(models.Model):
    """A member item. ``condition`` = {question key: [answers that select it]} (all must hold; empty: always
    applies); ``fields`` = the keys of the one form's fields this item needs (``fields.FIELDS``);
    ``requires`` = members whose result this one needs first (it waits for their approval)."""

    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="members")
    item = models.ForeignKey(ServiceItem, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="+")
    label = models.CharField(_("在一件事中的名称"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(_("序号"), default=0)
    condition = models.JSONField(_("适用情形"), default=dict, blank=True)
    fields = models.JSONField(_("表单字段"), default=list, blank=True)
    requires = models.ManyToManyField(
        "self", verbose_name=_("前置事项"), symmetrical=False, related_name="required_by", blank=True
    )

    class Meta:
        verbose_name = _("一件事成员事项")
        verbose_name_plural = _("一件事成员事项")
        ordering = ["bundle_id", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["bundle", "item"], name="bundle_member_unique_item")]

    def __str__(self) -> str:
        return self.label or self.item.name


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已接件")
    CORRECTION = "correction", _("待补正")
    IN_PROGRESS = "in_progress", _("办理中")
    RESULT_READY = "result_ready", _("待统一出件")
    CLOSED = "closed", _("已办结")
    WITHDRAWN = "withdrawn", _("已撤回")


class Outcome(models.TextChoices):
    PENDING = "", _("办理中")
    ALL = "all", _("全部办成")
    PARTIAL = "partial", _("部分办成")
    NONE = "none", _("未办成")


class BundleApplication(models.Model):
    number = models.CharField(_("一件事申请编号"), max_length=24, unique=True)
    bundle = models.ForeignKey(
        Bundle, verbose_name=_("一件事"), on_delete=models.PROTECT, related_name="applications"
    )
    applicant = models.ForeignKey(
        Applicant, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="bundle_applications"
    )
    channel = models.CharField(_("申请渠道"), max_length=10, choices=CaseChannel.choices)
    submitted_at = models.DateTimeField(_("申请时间"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    idempotency_key = models.CharField(max_length=64, null=True, blank=True)
    answers = models.JSONField(_("情形引导答案"), default=dict, blank=True)
    form = models.JSONField(_("一表申请内容"), default=dict, blank=True)
    use_licences = models.BooleanField(_("同意免证办"), default=False)
    # What the window found for each merged material ({material key: {"state", "note"}}): a member routed
    # later (after the result it needs) starts with these findings.
    material_findings = models.JSONField(_("材料核验情况"), default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    outcome = models.CharField(_("办理结果"), max_length=10, choices=Outcome.choices, blank=True, default="")
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    # The bundle's own promise, counted from acceptance; and the latest due date among its cases.
    promised_due_date = models.DateField(_("一件事承诺办结日期"), null=True, blank=True)
    due_date = models.DateField(_("成员办件最晚到期日"), null=True, blank=True)
    results_ready_at = models.DateTimeField(_("全部出结果时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("一件事申请")
        verbose_name_plural = _("一件事申请")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["submitted_by", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="bundle_application_unique_idempotency_key",
            ),
        ]
        indexes = [models.Index(fields=["bundle", "status"], name="bundle_application_status")]

    def __str__(self) -> str:
        return self.number


class MemberState(models.TextChoices):
    ROUTED = "routed", _("已推送部门")
    WAITING = "waiting", _("等待前置事项结果")
    CANCELLED = "cancelled", _("未启动")


class BundleCase(models.Model):
    """A selected member within one application: its case once routed to the department."""

    application = models.ForeignKey(BundleApplication, on_delete=models.CASCADE, related_name="members")
    member = models.ForeignKey(BundleMember, on_delete=models.PROTECT, related_name="+")
    case = models.OneToOneField(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="bundle_link"
    )
    state = models.CharField(_("状态"), max_length=10, choices=MemberState.choices)
    note = models.TextField(_("说明"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["application_id", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "member"], name="bundle_case_unique_member")
        ]

    def __str__(self) -> str:
        return f"{self.application} · {self.member}"


class BundleEvent(models.Model):
    """A step of the application as a whole (applied, one 补正 notice, a member released or not started,
    results delivered together); the members' own steps are their cases' events."""

    application = models.ForeignKey(BundleApplication, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("环节"), max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"))
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["application_id", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.application} {self.action}"


class BundleNotice(models.Model):
    """A notice for the whole application (the one 一次性补正告知书, the 统一出件 result list), frozen like a
    ``CaseNotice``."""

    application = models.ForeignKey(BundleApplication, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(_("文书种类"), max_length=30)
    document_number = models.CharField(_("文书编号"), max_length=40, unique=True)
    issued_at = models.DateTimeField(_("签发时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    document = models.JSONField(_("文书内容"))
    pdf = models.BinaryField(null=True, blank=True)

    class Meta:
        verbose_name = _("一件事文书")
        verbose_name_plural = _("一件事文书")
        ordering = ["application_id", "issued_at", "pk"]

    def __str__(self) -> str:
        return self.document_number


class BundleFile(models.Model):
    """A file the applicant gave once for a merged material; every member case needing it gets a copy."""

    application = models.ForeignKey(BundleApplication, on_delete=models.CASCADE, related_name="files")
    material_key = models.CharField(_("材料"), max_length=60)
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    data = models.BinaryField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["application_id", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name
