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
    # No index of their own: versions are never deleted, and (department, status) leads with the department.
    # Every status change rewrites each index of this table, so each one costs every step.
    item_version = models.ForeignKey(
        ItemVersion,
        verbose_name=_("事项版本"),
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
    )
    department = models.ForeignKey(
        Department, verbose_name=_("承办部门"), on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    applicant = models.ForeignKey(
        Applicant, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="cases"
    )
    channel = models.CharField(_("申请渠道"), max_length=10, choices=CaseChannel.choices)
    kind = models.CharField(_("办件类型"), max_length=10, choices=CaseKind.choices)
    status = models.CharField(
        _("状态"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.SUBMITTED
    )
    submitted_at = models.DateTimeField(_("接件时间"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("接件人"),
        db_index=False,  # covered by the (submitted_by, idempotency_key) constraint's index
    )
    idempotency_key = models.CharField(max_length=64, null=True, blank=True)
    # 补正 must be told within 5 working days of receipt, or the application counts as accepted (§32).
    correction_notice_due = models.DateField(_("补正告知期限"))
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
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
    # Not indexed on their own: the sweep rewrites deadline_state in bulk, and every index on a column it
    # writes is one more write per row. Desks reach cases through (department, status) and (status, due).
    due_date = models.DateField(_("到期日"), null=True, blank=True)
    deadline_state = models.CharField(
        _("时限状态"), max_length=10, choices=DeadlineState.choices, default=DeadlineState.NONE
    )
    decision = models.CharField(_("决定"), max_length=10, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(_("决定理由"), blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    refusal_reason = models.TextField(_("不予受理理由"), blank=True)
    competent_office = models.CharField(_("有权受理的机关"), max_length=200, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    # 告知承诺: decided on the applicant's written commitment; a verification (核查) follows.
    by_commitment = models.BooleanField(_("告知承诺办理"), default=False)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoke_reason = models.TextField(_("撤销理由"), blank=True)

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
            # 超期在办 per department, item or reviewer from the index alone (PostgreSQL; SQLite builds it
            # without the included columns, hence models.W040 silenced in settings).
            models.Index(
                fields=["status", "due_date"],
                include=["department", "item", "reviewer"],
                name="case_status_due_holders",
            ),
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
        # Append-only, so the index costs one insert per step; the supervision roll-up finds a day's cases
        # by it.
        indexes = [models.Index(fields=["at"], name="case_event_at")]

    def __str__(self) -> str:
        return f"{self.case} {self.action}"


class CaseMaterialState(models.TextChoices):
    RECEIVED = "received", _("已收取")
    ORIGINAL_CHECKED = "original_checked", _("已核验原件")
    MISSING = "missing", _("缺少")
    DEFICIENT = "deficient", _("不符合要求")
    DEFERRED = "deferred", _("容缺待补")
    EXEMPT = "exempt", _("免提交")
    COMMITTED = "committed", _("告知承诺替代")


class CaseMaterial(models.Model):
    """A required material of the case's item version and what the window found."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        _("状态"), max_length=20, choices=CaseMaterialState.choices, default=CaseMaterialState.MISSING
    )
    note = models.TextField(_("说明"), blank=True)
    due_date = models.DateField(_("补交期限"), null=True, blank=True)
    # 免证办: the e-licence that satisfied this material, where it came from and the holder's authorisation.
    licence_identifier = models.CharField(_("电子证照标识"), max_length=120, blank=True)
    licence_provider = models.CharField(_("证照来源"), max_length=40, blank=True)
    licence_authorisation = models.CharField(_("用证授权编号"), max_length=120, blank=True)

    class Meta:
        ordering = ["case_id", "material__position"]
        constraints = [models.UniqueConstraint(fields=["case", "material"], name="case_material_unique")]

    def __str__(self) -> str:
        return f"{self.case} · {self.material}"


class SpecialProcedureStatus(models.TextChoices):
    RUNNING = "running", _("进行中")
    FINISHED = "finished", _("已结束")


class SpecialProcedure(models.Model):
    """听证、招标、拍卖、检验、检测、检疫、鉴定、专家评审 … (§45): the clock stops while it runs."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="special_procedures")
    kind = models.CharField(_("程序种类"), max_length=20)
    name = models.CharField(_("程序名称"), max_length=200)
    planned_days = models.PositiveSmallIntegerField(_("所需时间（工作日）"))
    status = models.CharField(
        max_length=10, choices=SpecialProcedureStatus.choices, default=SpecialProcedureStatus.RUNNING
    )
    started_on = models.DateField(_("开始日期"))
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    paused_days = models.PositiveSmallIntegerField(_("暂停计时（工作日）"), default=0)
    reason = models.TextField(_("启动理由"), blank=True)
    result = models.TextField(_("程序结果"), blank=True)

    class Meta:
        verbose_name = _("特别程序")
        verbose_name_plural = _("特别程序")
        ordering = ["case_id", "started_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="running"), name="case_one_running_procedure"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.name}"


class ExtensionStatus(models.TextChoices):
    REQUESTED = "requested", _("待批准")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未批准")


class CaseExtension(models.Model):
    """延期 (§42): asked for by the reviewer with a reason, approved by the head (chief rep / admin)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField(_("延长（工作日）"))
    reason = models.TextField(_("延期理由"))
    status = models.CharField(
        max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.REQUESTED
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["case_id", "requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="requested"), name="case_one_pending_extension"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} +{self.days}"


class CaseFile(models.Model):
    """An uploaded material file (PDF/JPG/PNG, checked by content), kept with the case in the database."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="files")
    case_material = models.ForeignKey(
        CaseMaterial, null=True, blank=True, on_delete=models.SET_NULL, related_name="files"
    )
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    data = models.BinaryField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("办件材料文件")
        verbose_name_plural = _("办件材料文件")
        ordering = ["case_id", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


class CaseNotice(models.Model):
    """A written notice as issued: the facts printed on it are frozen here; the PDF is rendered from them
    (and cached) so the same notice always prints the same."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(_("文书种类"), max_length=30)
    document_number = models.CharField(_("文书编号"), max_length=40, unique=True)
    issued_at = models.DateTimeField(_("签发时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    document = models.JSONField(_("文书内容"))
    pdf = models.BinaryField(null=True, blank=True)

    class Meta:
        verbose_name = _("办件文书")
        verbose_name_plural = _("办件文书")
        ordering = ["case_id", "issued_at", "pk"]

    def __str__(self) -> str:
        return self.document_number


class VerificationStatus(models.TextChoices):
    PENDING = "pending", _("待核查")
    TRUTHFUL = "truthful", _("承诺属实")
    FALSE = "false", _("虚假承诺")


class CommitmentVerification(models.Model):
    """核查 after a 告知承诺 decision: due within a set number of working days."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="verification")
    due_date = models.DateField(_("核查期限"), db_index=True)
    status = models.CharField(
        max_length=10, choices=VerificationStatus.choices, default=VerificationStatus.PENDING
    )
    findings = models.TextField(_("核查情况"), blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("承诺核查")
        verbose_name_plural = _("承诺核查")
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return f"{self.case} {self.status}"


class CreditMark(models.Model):
    """失信记录: a false commitment bars the applicant from 告知承诺 until an admin clears the mark."""

    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="credit_marks")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("失信情形"))
    marked_at = models.DateTimeField(_("记录时间"))
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cleared_at = models.DateTimeField(_("信用修复时间"), null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    clear_reason = models.TextField(_("信用修复说明"), blank=True)

    class Meta:
        verbose_name = _("失信记录")
        verbose_name_plural = _("失信记录")
        ordering = ["-marked_at", "-pk"]
        indexes = [models.Index(fields=["applicant", "cleared_at"], name="credit_mark_active")]

    def __str__(self) -> str:
        return f"{self.applicant} {self.marked_at:%Y-%m-%d}"
