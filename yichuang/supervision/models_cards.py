"""Yellow and red cards (黄牌预警 · 红牌超期) of 电子监察.

A yellow card warns a department that a case (办件) or a 12345 ticket is within a few working days of its
limit; a red card is issued once the limit has passed. The department answers with the reason (原因说明) and
the fix (整改措施); the inspector accepts the answer or returns it. Cards are issued and lifted by the sweep
(``cards.cards_sweep``); their status moves only through ``cards.CARD_TRANSITIONS`` and every move appends a
``CardEvent``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yichuang.accounts.models import Department

__all__ = ["Card", "CardColor", "CardEvent", "CardPolicy", "CardStatus", "SubjectKind"]


class SubjectKind(models.TextChoices):
    CASE = "case", _("办件")
    HOTLINE = "hotline", _("12345工单")


class CardColor(models.TextChoices):
    YELLOW = "yellow", _("黄牌")
    RED = "red", _("红牌")


class CardStatus(models.TextChoices):
    ISSUED = "issued", _("待答复")
    ANSWERED = "answered", _("已答复待审核")
    ACCEPTED = "accepted", _("已通过")
    RETURNED = "returned", _("已退回")
    LIFTED = "lifted", _("已解除")


class CardPolicy(models.Model):
    """When cards are issued for one kind of subject (organisation data, edited in the admin). Without a
    row the defaults of ``CardPolicy.DEFAULTS`` apply."""

    # subject kind → (yellow_days, answer_days)
    DEFAULTS = {SubjectKind.CASE: (2, 3), SubjectKind.HOTLINE: (1, 3)}

    subject_kind = models.CharField(_("监察对象"), max_length=10, choices=SubjectKind.choices, unique=True)
    yellow_days = models.PositiveSmallIntegerField(
        _("预警提前（工作日）"), help_text=_("距办理期限还有多少个工作日时发黄牌（0 为到期当天）")
    )
    answer_days = models.PositiveSmallIntegerField(
        _("答复时限（工作日）"), help_text=_("部门收到黄牌、红牌后须在多少个工作日内说明原因和整改措施")
    )
    active = models.BooleanField(_("启用"), default=True, help_text=_("停用后不再对该类对象发牌"))
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("发牌规则")
        verbose_name_plural = _("发牌规则")
        ordering = ["subject_kind"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(yellow_days__lte=30), name="card_policy_yellow_days_max"
            ),
            models.CheckConstraint(
                condition=models.Q(answer_days__gte=1, answer_days__lte=30), name="card_policy_answer_days"
            ),
        ]

    def __str__(self) -> str:
        return str(self.get_subject_kind_display())


class Card(models.Model):
    subject_kind = models.CharField(_("监察对象"), max_length=10, choices=SubjectKind.choices)
    subject_id = models.PositiveBigIntegerField(_("对象编号"))
    subject_label = models.CharField(_("办件/工单编号"), max_length=64)
    title = models.CharField(_("事项/标题"), max_length=200, blank=True)
    department = models.ForeignKey(
        Department, verbose_name=_("责任部门"), on_delete=models.PROTECT, related_name="supervision_cards"
    )
    color = models.CharField(_("牌色"), max_length=6, choices=CardColor.choices)
    limit_date = models.DateField(_("办理期限"))
    reason = models.CharField(_("发牌原因"), max_length=200)
    status = models.CharField(_("状态"), max_length=10, choices=CardStatus.choices, default=CardStatus.ISSUED)
    issued_at = models.DateTimeField(_("发牌时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发牌人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("为空表示系统自动发牌"),
    )
    # The sweep run (one token per batch) that inserted the row: with ``ignore_conflicts`` the batch reads
    # back exactly the cards it created, so two sweeps running at once never record one card twice.
    batch = models.CharField(max_length=32, blank=True, editable=False)
    answer_due = models.DateField(_("答复期限"))
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    first_answered_at = models.DateTimeField(_("首次答复时间"), null=True, blank=True)
    answered_late = models.BooleanField(_("逾期答复"), default=False)
    answer_count = models.PositiveSmallIntegerField(_("答复次数"), default=0)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    lifted_at = models.DateTimeField(_("解除时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("黄牌红牌")
        verbose_name_plural = _("黄牌红牌")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_kind", "subject_id", "color"], name="supervision_card_one_per_color"
            ),
        ]
        indexes = [
            models.Index(fields=["department", "issued_at"], name="supervision_card_department"),
            models.Index(fields=["issued_at"], name="supervision_card_issued"),
            models.Index(fields=["status", "answer_due"], name="supervision_card_status"),
            models.Index(fields=["batch"], name="supervision_card_batch"),
        ]

    def __str__(self) -> str:
        return f"{self.get_color_display()} {self.subject_label}"

    @property
    def awaiting_answer(self) -> bool:
        return self.status in (CardStatus.ISSUED, CardStatus.RETURNED)


class CardEvent(models.Model):
    """One step of a card: issued, answered (with the reason and the fix), accepted, returned, lifted."""

    class Action(models.TextChoices):
        ISSUED = "issued", _("发牌")
        ANSWERED = "answered", _("部门答复")
        ACCEPTED = "accepted", _("审核通过")
        RETURNED = "returned", _("退回重新答复")
        LIFTED = "lifted", _("按期办结，解除预警")

    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("环节"), max_length=10, choices=Action.choices)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"))
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("黄牌红牌记录")
        verbose_name_plural = _("黄牌红牌记录")
        ordering = ["card_id", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.card} {self.get_action_display()}"
