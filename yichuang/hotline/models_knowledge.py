"""The knowledge base (知识库): the answers the hotline gives directly, authoritative, uniform and current.

An article (``KnowledgeArticle``) holds its current content; every edit appends a ``KnowledgeVersion`` (the
first one included), so the history shows who said what and when. Articles move draft → published →
retired (see ``knowledge.TRANSITIONS``). ``KnowledgeSearchEntry`` is the article's jieba-segmented postings
(``knowledge_search``); ``KnowledgeUse`` records each time an operator answered with an article, with the
version he read out.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from yichuang.accounts.models import Department
from yichuang.hotline.models_taxonomy import HotlineCategory

__all__ = [
    "KnowledgeArticle",
    "KnowledgeSearchEntry",
    "KnowledgeSource",
    "KnowledgeStatus",
    "KnowledgeUse",
    "KnowledgeVersion",
]


class KnowledgeStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    RETIRED = "retired", _("已停用")


class KnowledgeSource(models.TextChoices):
    POLICY = "policy", _("政策文件")
    REPLY = "reply", _("部门答复")
    HOTLINE = "hotline", _("热线整理")


class KnowledgeArticle(models.Model):
    question = models.TextField(_("问题"))
    answer = models.TextField(_("答复口径"))
    category = models.ForeignKey(
        HotlineCategory,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="knowledge_articles",
        verbose_name=_("分类"),
    )
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hotline_knowledge_articles",
        verbose_name=_("答复部门"),
    )
    source_kind = models.CharField(
        _("来源"), max_length=10, choices=KnowledgeSource.choices, default=KnowledgeSource.HOTLINE
    )
    source_reference = models.CharField(_("来源说明"), max_length=200, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=KnowledgeStatus.choices, default=KnowledgeStatus.DRAFT
    )
    version = models.PositiveIntegerField(_("当前版本"), default=1)
    # The last edit of the content (a new version): what "not revised for a year" is measured from.
    revised_at = models.DateTimeField(_("最近修订"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    shown_count = models.PositiveIntegerField(_("推送次数"), default=0)
    use_count = models.PositiveIntegerField(_("采用次数"), default=0)
    # A stable key of an imported article (``replies:<留言编号>``): importing again adds nothing.
    import_key = models.CharField(_("导入标识"), max_length=60, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("最近修改人"),
    )
    updated_at = models.DateTimeField(_("最近修改时间"))

    class Meta:
        verbose_name = _("知识库文章")
        verbose_name_plural = _("知识库文章")
        ordering = ["-updated_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "valid_until"], name="hotline_knowledge_status"),
            models.Index(fields=["updated_at"], name="hotline_knowledge_updated"),
        ]
        constraints = [
            # An article used without having been offered counts as offered too: the rate never exceeds 1.
            models.CheckConstraint(
                condition=Q(use_count__lte=F("shown_count")), name="hotline_knowledge_used_le_shown"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="hotline_knowledge_version_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        """The question's first line (an imported question carries an excerpt of the message below it)."""
        return (self.question or "").strip().split("\n", 1)[0][:120]

    @property
    def source_label(self) -> str:
        label = str(self.get_source_kind_display())
        return f"{label} {self.source_reference}".strip()

    @property
    def adoption_rate(self) -> float | None:
        """采用率: used ÷ offered, None before it was ever offered."""
        return self.use_count / self.shown_count if self.shown_count else None


class KnowledgeVersion(models.Model):
    """One edit of an article: its content as it was saved, by whom, when, and why."""

    article = models.ForeignKey(
        KnowledgeArticle, on_delete=models.CASCADE, related_name="versions", verbose_name=_("文章")
    )
    number = models.PositiveIntegerField(_("版本号"))
    question = models.TextField(_("问题"))
    answer = models.TextField(_("答复口径"))
    category = models.ForeignKey(
        HotlineCategory,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("分类"),
    )
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("答复部门"),
    )
    source_kind = models.CharField(_("来源"), max_length=10, choices=KnowledgeSource.choices)
    source_reference = models.CharField(_("来源说明"), max_length=200, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("修订人"),
    )
    edited_at = models.DateTimeField(_("修订时间"))
    note = models.CharField(_("修订说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("知识库文章版本")
        verbose_name_plural = _("知识库文章版本")
        ordering = ["article_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="hotline_knowledge_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"

    @property
    def source_label(self) -> str:
        label = str(self.get_source_kind_display())
        return f"{label} {self.source_reference}".strip()


class KnowledgeUse(models.Model):
    """An operator answered a caller with an article (采用)."""

    article = models.ForeignKey(
        KnowledgeArticle, on_delete=models.CASCADE, related_name="uses", verbose_name=_("文章")
    )
    version = models.PositiveIntegerField(_("版本号"))
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("话务员"),
    )
    used_at = models.DateTimeField(_("采用时间"))
    ticket_ref = models.CharField(_("工单"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("知识库采用记录")
        verbose_name_plural = _("知识库采用记录")
        ordering = ["-used_at", "-pk"]
        indexes = [models.Index(fields=["article", "used_at"], name="hotline_knowledge_use_article")]

    def __str__(self) -> str:
        return f"{self.article_id} @ {self.used_at:%Y-%m-%d %H:%M}"


class KnowledgeSearchEntry(models.Model):
    """One posting of the knowledge base's inverted index: a segmented term of an article, weighted by
    where it occurs (question or answer)."""

    term = models.CharField(max_length=40)
    article = models.ForeignKey(KnowledgeArticle, on_delete=models.CASCADE, related_name="+")
    weight = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["term", "article"], name="hotline_knowledge_unique_posting")
        ]
        indexes = [models.Index(fields=["article"], name="hotline_knowledge_posting")]

    def __str__(self) -> str:
        return f"{self.term} → {self.article_id}"
