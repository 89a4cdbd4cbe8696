"""The service hall (政务服务大厅): windows, queue tickets, calling, tidal windows, appointments.

A ``Hall`` is one physical centre (the county centre, a township station) with its opening hours,
延时服务 and weekend 不打烊 hours and its queue rules. Its ``ServiceCategory`` rows are the business
categories people take numbers for (each with a ticket prefix: A001 …). A ``Window`` serves a set of
categories and is opened by a clerk who signs in at it; reserve windows (``is_reserve``) are the 潮汐窗口
that ``TidalRule``s open and close. A ``Ticket`` is one visitor's place in a category's queue for the
day; ``TicketEvent``s are its history (issued, called, recalled, skipped, transferred, finished …) and
the source of the waits and service times. ``Appointment``s book a slot (``AppointmentSlot``, generated
from the admin's ``SlotPlan``s) and check in for a ticket served at the slot.

Every policy number (opening hours, thresholds, capacities, no-show limits) is data the admin edits.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yichuang.accounts.models import Department
from yichuang.core.crypto_fields import EncryptedTextField, KeyedHashField


class Hall(models.Model):
    code = models.CharField(
        _("大厅编码"), max_length=40, unique=True, help_text=_("与省级平台交换评价、办件数据时使用")
    )
    name = models.CharField(_("大厅名称"), max_length=100)
    department = models.ForeignKey(
        Department, verbose_name=_("所属政务服务中心"), on_delete=models.PROTECT, related_name="halls"
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("咨询电话"), max_length=40, blank=True)
    opens_at = models.TimeField(_("工作日开始时间"))
    closes_at = models.TimeField(_("工作日结束时间"))
    extended_closes_at = models.TimeField(
        _("延时服务至"), null=True, blank=True, help_text=_("工作日延时服务的结束时间；留空表示不延时")
    )
    weekend_opens_at = models.TimeField(
        _("周末开始时间"), null=True, blank=True, help_text=_("周末“不打烊”服务；留空表示周末不开放")
    )
    weekend_closes_at = models.TimeField(_("周末结束时间"), null=True, blank=True)
    notify_ahead = models.PositiveSmallIntegerField(
        _("提前提醒人数"), default=3, help_text=_("前面还剩几人时短信提醒取号人")
    )
    booking_days_ahead = models.PositiveSmallIntegerField(_("可提前预约天数"), default=7)
    checkin_early_minutes = models.PositiveSmallIntegerField(_("预约可提前签到（分钟）"), default=30)
    checkin_late_minutes = models.PositiveSmallIntegerField(_("预约迟到宽限（分钟）"), default=15)
    no_show_limit = models.PositiveSmallIntegerField(
        _("爽约次数上限"), default=3, help_text=_("统计期内爽约达到此次数即暂停预约")
    )
    no_show_period_days = models.PositiveSmallIntegerField(_("爽约统计期（天）"), default=90)
    booking_ban_days = models.PositiveSmallIntegerField(_("暂停预约天数"), default=30)
    is_active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("服务大厅")
        verbose_name_plural = _("服务大厅")
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__lt=models.F("closes_at")),
                name="hall_opens_before_closing",
                violation_error_message=_("开始时间应早于结束时间"),
            ),
            models.CheckConstraint(
                condition=Q(extended_closes_at__isnull=True)
                | Q(extended_closes_at__gt=models.F("closes_at")),
                name="hall_extension_after_closing",
                violation_error_message=_("延时服务应晚于工作日结束时间"),
            ),
            models.CheckConstraint(
                condition=Q(weekend_opens_at__isnull=True, weekend_closes_at__isnull=True)
                | Q(weekend_opens_at__lt=models.F("weekend_closes_at")),
                name="hall_weekend_hours_complete",
                violation_error_message=_("周末服务须同时填写开始和结束时间，且开始早于结束"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ServiceCategory(models.Model):
    """A business category people take a number for (综合受理、不动产登记、社保医保、出证、咨询 …)."""

    hall = models.ForeignKey(
        Hall, verbose_name=_("大厅"), on_delete=models.CASCADE, related_name="categories"
    )
    code = models.SlugField(_("类别编码"), max_length=30)
    name = models.CharField(_("业务类别"), max_length=60)
    prefix = models.CharField(
        _("号码前缀"),
        max_length=2,
        help_text=_("一至两个大写字母，如 A；号码为前缀加当日序号（A001）"),
    )
    description = models.CharField(_("说明"), max_length=200, blank=True)
    service_minutes = models.PositiveSmallIntegerField(
        _("预计每人办理时长（分钟）"), default=10, help_text=_("当日尚无办结记录时用于估算等候时间")
    )
    daily_limit = models.PositiveIntegerField(_("每日放号上限"), null=True, blank=True)
    bookable = models.BooleanField(_("可预约"), default=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("业务类别")
        verbose_name_plural = _("业务类别")
        ordering = ["hall", "position", "prefix"]
        constraints = [
            models.UniqueConstraint(
                fields=["hall", "prefix"],
                name="category_unique_prefix",
                violation_error_message=_("号码前缀已被使用"),
            ),
            models.UniqueConstraint(
                fields=["hall", "code"],
                name="category_unique_code",
                violation_error_message=_("类别编码已被使用"),
            ),
            models.CheckConstraint(
                condition=Q(prefix__regex=r"^[A-Z]{1,2}$"),
                name="category_prefix_letters",
                violation_error_message=_("号码前缀应为一至两个大写字母"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix} {self.name}"


class WindowKind(models.TextChoices):
    CONSULT = "consult", _("综合咨询（先导后办）窗口")
    COMPREHENSIVE = "comprehensive", _("无差别综合窗口")
    DOMAIN = "domain", _("分领域综合窗口")
    ISSUANCE = "issuance", _("综合出证窗口")
    UNRESOLVED = "unresolved", _("“办不成事”反映窗口")
    HOTLINE = "hotline", _("12345热线线下窗口")
    ASSISTED = "assisted", _("帮办代办窗口")
    GREEN = "green", _("绿色通道窗口")


class WindowStatus(models.TextChoices):
    CLOSED = "closed", _("未开放")
    OPEN = "open", _("服务中")
    PAUSED = "paused", _("暂停服务")


class Window(models.Model):
    hall = models.ForeignKey(Hall, verbose_name=_("大厅"), on_delete=models.CASCADE, related_name="windows")
    number = models.CharField(_("窗口号"), max_length=6, help_text=_("如 01、12"))
    name = models.CharField(_("窗口名称"), max_length=60)
    kind = models.CharField(_("窗口类型"), max_length=20, choices=WindowKind.choices)
    department = models.ForeignKey(
        Department,
        verbose_name=_("派驻部门"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("在此窗口签到服务的人员所属部门（综合窗口为政务服务中心）"),
    )
    categories = models.ManyToManyField(
        ServiceCategory, verbose_name=_("服务的业务类别"), related_name="windows"
    )
    is_reserve = models.BooleanField(
        _("潮汐（预留）窗口"), default=False, help_text=_("由潮汐规则在高峰时自动开放、回落时关闭")
    )
    standby_clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("潮汐备岗人员"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=WindowStatus.choices, default=WindowStatus.CLOSED
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("当前工作人员"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    opened_by_tidal = models.BooleanField(_("潮汐开放"), default=False)
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)
    pause_reason = models.CharField(_("暂停原因"), max_length=100, blank=True)
    # The ticket just finished here: the counter screen shows its rating page until the next call.
    rating_ticket = models.ForeignKey(
        "Ticket",
        verbose_name=_("待评价号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("窗口")
        verbose_name_plural = _("窗口")
        ordering = ["hall", "position", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["hall", "number"],
                name="window_unique_number",
                violation_error_message=_("窗口号已被使用"),
            ),
            # One clerk serves at one window at a time.
            models.UniqueConstraint(
                fields=["clerk"], condition=Q(clerk__isnull=False), name="window_one_per_clerk"
            ),
            models.CheckConstraint(
                condition=Q(status=WindowStatus.CLOSED, clerk__isnull=True)
                | (~Q(status=WindowStatus.CLOSED) & Q(clerk__isnull=False)),
                name="window_open_has_clerk",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}号 {self.name}"


class WindowEvent(models.Model):
    """The window's log: sign-in, pause, resume, close, hand-over, and every tidal open and close."""

    class Kind(models.TextChoices):
        SIGNED_IN = "signed_in", _("签到开窗")
        PAUSED = "paused", _("暂停服务")
        RESUMED = "resumed", _("恢复服务")
        CLOSED = "closed", _("签退关窗")
        HANDED_OVER = "handed_over", _("窗口移交")
        TIDAL_OPENED = "tidal_opened", _("潮汐开放")
        TIDAL_CLOSED = "tidal_closed", _("潮汐关闭")

    window = models.ForeignKey(Window, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事件"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("时间"))
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    category = models.ForeignKey(
        ServiceCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("窗口日志")
        verbose_name_plural = _("窗口日志")
        ordering = ["-at", "-id"]
        # (clerk, at): the supervision figures find the window a clerk was signed in at when he accepted
        # a case.
        indexes = [
            models.Index(fields=["window", "at"]),
            models.Index(fields=["clerk", "at"], name="window_event_clerk_at"),
        ]

    def __str__(self) -> str:
        return f"{self.window} {self.get_kind_display()}"


class TidalRule(models.Model):
    """When a category's queue opens its reserve windows (潮汐窗口) and when they close again.

    Open when waiting ≥ ``open_waiting`` or the predicted wait ≥ ``open_wait_minutes``; close when both
    have fallen to ``close_waiting`` and ``close_wait_minutes`` (lower, so a window does not flap)."""

    category = models.OneToOneField(
        ServiceCategory, verbose_name=_("业务类别"), on_delete=models.CASCADE, related_name="tidal_rule"
    )
    open_waiting = models.PositiveSmallIntegerField(_("开放：等候人数达到"))
    open_wait_minutes = models.PositiveSmallIntegerField(_("开放：预计等候达到（分钟）"))
    close_waiting = models.PositiveSmallIntegerField(_("关闭：等候人数降至"))
    close_wait_minutes = models.PositiveSmallIntegerField(_("关闭：预计等候降至（分钟）"))
    min_open_minutes = models.PositiveSmallIntegerField(
        _("开放后至少保持（分钟）"),
        default=30,
        help_text=_("潮汐窗口开放后至少服务这么久才会自动关闭，避免反复开关"),
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("潮汐规则")
        verbose_name_plural = _("潮汐规则")
        constraints = [
            models.CheckConstraint(
                condition=Q(close_waiting__lt=models.F("open_waiting"))
                & Q(close_wait_minutes__lt=models.F("open_wait_minutes")),
                name="tidal_close_below_open",
                violation_error_message=_("关闭阈值应低于开放阈值，以免窗口反复开关"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category.name}：{self.open_waiting}人/{self.open_wait_minutes}分钟"


class TicketSource(models.TextChoices):
    KIOSK = "kiosk", _("自助取号机")
    PORTAL = "portal", _("网上取号")
    DESK = "desk", _("窗口/导办取号")
    APPOINTMENT = "appointment", _("预约签到")


class PriorityReason(models.TextChoices):
    ELDERLY = "elderly", _("65周岁以上老年人")
    DISABLED = "disabled", _("残疾人")
    PREGNANT = "pregnant", _("孕妇")
    SERVICEMAN = "serviceman", _("军人（含退役军人、军属）")
    KEY_PROJECT = "key_project", _("重点项目人员")


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("等候中")
    CALLED = "called", _("已叫号")
    SERVING = "serving", _("办理中")
    DONE = "done", _("已办结")
    NO_SHOW = "no_show", _("过号作废")
    ABANDONED = "abandoned", _("未等候离开")
    CANCELLED = "cancelled", _("已取消")


OPEN_TICKET_STATUSES = (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING)


class Ticket(models.Model):
    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="tickets")
    category = models.ForeignKey(
        ServiceCategory, verbose_name=_("业务类别"), on_delete=models.PROTECT, related_name="tickets"
    )
    day = models.DateField(_("日期"))
    seq = models.PositiveIntegerField(_("当日序号"))
    number = models.CharField(_("号码"), max_length=8)
    source = models.CharField(_("取号渠道"), max_length=12, choices=TicketSource.choices)
    priority = models.CharField(_("绿色通道"), max_length=12, choices=PriorityReason.choices, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=TicketStatus.choices, default=TicketStatus.WAITING
    )
    holder_name = models.CharField(_("姓名"), max_length=60, blank=True)
    id_number = EncryptedTextField(_("身份证号"), max_length=18, blank=True)
    id_number_hash = KeyedHashField(source="id_number")
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hall_tickets",
    )
    appointment = models.OneToOneField(
        "Appointment", on_delete=models.PROTECT, null=True, blank=True, related_name="ticket"
    )
    # An appointment's ticket is served from its slot's start on, ahead of the ordinary queue.
    slot_at = models.DateTimeField(_("预约时段开始"), null=True, blank=True)
    # The place in the queue: the issue time, kept on a transfer; moved to the back on a re-queue.
    queue_at = models.DateTimeField(_("排队时间"))
    issued_at = models.DateTimeField(_("取号时间"))
    called_at = models.DateTimeField(_("首次叫号时间"), null=True, blank=True)
    serving_at = models.DateTimeField(_("开始办理时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    window = models.ForeignKey(
        Window, verbose_name=_("窗口"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("工作人员"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Transferred to one window: only that window calls it (whatever its categories).
    target_window = models.ForeignKey(
        Window, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recalls = models.PositiveSmallIntegerField(_("重呼次数"), default=0)
    requeues = models.PositiveSmallIntegerField(_("过号重排次数"), default=0)
    transfers = models.PositiveSmallIntegerField(_("转窗次数"), default=0)
    notified_ahead = models.BooleanField(_("已提醒"), default=False)
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    # Not columns: the people ahead and the expected wait taken when the number was drawn, so the answer to
    # the kiosk does not count them again (set by ``tickets.ticket_issue`` on the instance it returns).
    ahead_at_issue: int | None = None
    wait_at_issue: int | None = None

    class Meta:
        verbose_name = _("排队号")
        verbose_name_plural = _("排队号")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["category", "day", "seq"], name="ticket_unique_seq"),
            models.UniqueConstraint(fields=["hall", "day", "number"], name="ticket_unique_number"),
            # A window has at most one ticket at its counter.
            models.UniqueConstraint(
                fields=["window"],
                condition=Q(status__in=["called", "serving"]),
                name="ticket_one_current_per_window",
            ),
        ]
        indexes = [
            models.Index(fields=["hall", "day", "status"], name="ticket_queue"),
            models.Index(fields=["category", "day", "status"], name="ticket_category_queue"),
        ]

    def __str__(self) -> str:
        return self.number


class TicketEvent(models.Model):
    class Kind(models.TextChoices):
        ISSUED = "issued", _("取号")
        CALLED = "called", _("叫号")
        RECALLED = "recalled", _("重呼")
        SERVING = "serving", _("开始办理")
        REQUEUED = "requeued", _("过号重排")
        NO_SHOW = "no_show", _("过号作废")
        TRANSFERRED = "transferred", _("转窗")
        DONE = "done", _("办结")
        ABANDONED = "abandoned", _("未等候离开")
        CANCELLED = "cancelled", _("取消")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事件"), max_length=12, choices=Kind.choices)
    at = models.DateTimeField(_("时间"))
    window = models.ForeignKey(Window, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("排队号记录")
        verbose_name_plural = _("排队号记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["kind", "at"], name="ticket_event_kind_at")]

    def __str__(self) -> str:
        return f"{self.ticket} {self.get_kind_display()}"


class TicketSequence(models.Model):
    """The daily counter of a category's numbers (A001 …); moved on by one upsert under a row lock."""

    key = models.CharField(max_length=40)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "day"], name="ticket_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.key} {self.day} {self.last}"


class SlotPlan(models.Model):
    """The admin's plan of appointment slots for a category: one row per time span and capacity."""

    class Days(models.TextChoices):
        WORKING = "working", _("工作日")
        WEEKEND = "weekend", _("周末（不打烊）")

    category = models.ForeignKey(
        ServiceCategory, verbose_name=_("业务类别"), on_delete=models.CASCADE, related_name="slot_plans"
    )
    days = models.CharField(_("适用日期"), max_length=10, choices=Days.choices, default=Days.WORKING)
    starts_at = models.TimeField(_("时段开始"))
    ends_at = models.TimeField(_("时段结束"))
    capacity = models.PositiveSmallIntegerField(_("可预约人数"))
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("预约时段安排")
        verbose_name_plural = _("预约时段安排")
        ordering = ["category", "days", "starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["category", "days", "starts_at"], name="slot_plan_unique_start"),
            models.CheckConstraint(
                condition=Q(starts_at__lt=models.F("ends_at")),
                name="slot_plan_starts_before_end",
                violation_error_message=_("时段开始应早于结束"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.starts_at:%H:%M}-{self.ends_at:%H:%M}"


class AppointmentSlot(models.Model):
    """One bookable slot of one day, created when first booked; ``booked`` never passes ``capacity``."""

    category = models.ForeignKey(ServiceCategory, on_delete=models.CASCADE, related_name="slots")
    day = models.DateField(_("日期"))
    starts_at = models.TimeField(_("时段开始"))
    ends_at = models.TimeField(_("时段结束"))
    capacity = models.PositiveSmallIntegerField(_("可预约人数"))
    booked = models.PositiveSmallIntegerField(_("已预约"), default=0)

    class Meta:
        verbose_name = _("预约时段")
        verbose_name_plural = _("预约时段")
        ordering = ["day", "starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["category", "day", "starts_at"], name="slot_unique_start"),
            models.CheckConstraint(condition=Q(booked__lte=models.F("capacity")), name="slot_not_overbooked"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.starts_at:%H:%M}-{self.ends_at:%H:%M}"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("已预约")
    CHECKED_IN = "checked_in", _("已签到取号")
    CANCELLED = "cancelled", _("已取消")
    NO_SHOW = "no_show", _("爽约")


class Appointment(models.Model):
    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="appointments")
    category = models.ForeignKey(
        ServiceCategory, verbose_name=_("业务类别"), on_delete=models.PROTECT, related_name="appointments"
    )
    slot = models.ForeignKey(
        AppointmentSlot, verbose_name=_("时段"), on_delete=models.PROTECT, related_name="appointments"
    )
    day = models.DateField(_("预约日期"))
    code = models.CharField(_("预约码"), max_length=12, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hall_appointments",
    )
    holder_name = models.CharField(_("姓名"), max_length=60)
    id_number = EncryptedTextField(_("身份证号"), max_length=18)
    id_number_hash = KeyedHashField(source="id_number", db_index=False)  # indexed below, with status
    phone = models.CharField(_("手机号"), max_length=20)
    status = models.CharField(
        _("状态"), max_length=12, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    booked_at = models.DateTimeField(_("预约时间"))
    changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        ordering = ["-booked_at", "-id"]
        constraints = [
            # One live booking per person, category and day.
            models.UniqueConstraint(
                fields=["id_number_hash", "category", "day"],
                condition=Q(status__in=["booked", "checked_in"]),
                name="appointment_one_live_per_day",
            ),
        ]
        indexes = [models.Index(fields=["id_number_hash", "status"], name="appointment_person")]

    def __str__(self) -> str:
        return self.code
