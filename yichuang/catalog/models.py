"""The service catalog (政务服务事项库): items and their immutable published versions, materials,
review points, change requests, the ten lists, the search index and catalog imports.

An item (``ServiceItem``) is an identity: department, level, 基本编码, place in the main → sub →
handling tree. Everything a guide shows lives in its versions (``ItemVersion``); a version, its
materials and their review points are written once, when a change request is approved, and never
changed again. Cases (issue 4) point at the version they were made under.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yichuang.accounts.models import Department
from yichuang.catalog.codes import validate_basic_code


class ItemKind(models.TextChoices):
    MAIN = "main", _("主项")
    SUB = "sub", _("子项")
    HANDLING = "handling", _("办理项")


class ItemType(models.TextChoices):
    LICENSING = "licensing", _("行政许可")
    PAYMENT = "payment", _("行政给付")
    CONFIRMATION = "confirmation", _("行政确认")
    REWARD = "reward", _("行政奖励")
    ADJUDICATION = "adjudication", _("行政裁决")
    OTHER_POWER = "other_power", _("其他行政权力")
    PUBLIC_SERVICE = "public_service", _("公共服务")


class Level(models.TextChoices):
    NATIONAL = "1", _("国家级")
    PROVINCE = "2", _("自治区级")
    CITY = "3", _("盟市级")
    COUNTY = "4", _("旗县级")
    TOWNSHIP = "5", _("苏木乡镇级")
    VILLAGE = "6", _("嘎查村级")


class ItemStatus(models.TextChoices):
    ACTIVE = "active", _("在用")
    RETIRED = "retired", _("已取消")


class ItemCaseKind(models.TextChoices):
    """办件类型, valued by the national codes."""

    IMMEDIATE = "1", _("即办件")
    PROMISED = "2", _("承诺件")


class ServiceObject(models.TextChoices):
    NATURAL = "natural", _("自然人")
    LEGAL = "legal", _("法人")
    BOTH = "both", _("自然人和法人")


class OnlineDepth(models.IntegerChoices):
    INFORMATION = 1, _("一级：网上公开办事信息")
    DOWNLOAD = 2, _("二级：网上下载表格、预约")
    PRE_REVIEW = 3, _("三级：网上预审、窗口办结")
    FULL = 4, _("四级：全程网办")


class TongbanScope(models.TextChoices):
    NONE = "none", _("不通办")
    LEAGUE = "league", _("全盟（市）通办")
    REGION = "region", _("全区通办")
    CROSS_PROVINCE = "cross_province", _("跨省通办")


class NearbyLevel(models.TextChoices):
    NONE = "", _("仅在旗政务服务中心办理")
    TOWNSHIP = "township", _("可在苏木乡镇（街道）便民服务中心办理")
    VILLAGE = "village", _("可在嘎查村（社区）便民服务站办理")


class ResultType(models.TextChoices):
    LICENCE = "10", _("证照")
    APPROVAL = "20", _("批文")
    OTHER = "30", _("其他")


class MaterialSource(models.TextChoices):
    SELF = "10", _("申请人自备")
    GOVERNMENT = "20", _("政府部门核发")
    OTHER = "99", _("其他")


class MaterialNecessity(models.TextChoices):
    REQUIRED = "1", _("必要")
    OPTIONAL = "2", _("非必要")
    DEFERRABLE = "3", _("容缺后补")


class MaterialMedia(models.TextChoices):
    PAPER = "paper", _("纸质")
    ELECTRONIC = "electronic", _("电子")
    BOTH = "both", _("纸质或电子")


class SpecialProcedureKind(models.TextChoices):
    HEARING = "hearing", _("听证")
    TENDER = "tender", _("招标")
    AUCTION = "auction", _("拍卖")
    INSPECTION = "inspection", _("现场勘查")
    TESTING = "testing", _("检验检测")
    QUARANTINE = "quarantine", _("检疫")
    APPRAISAL = "appraisal", _("鉴定")
    EXPERT_REVIEW = "expert_review", _("专家评审")
    PUBLIC_NOTICE = "public_notice", _("公示")
    OTHER = "other", _("其他")


class DeliveryMethod(models.TextChoices):
    WINDOW = "window", _("综合出证窗口领取")
    POST = "post", _("邮寄送达")
    ONLINE = "online", _("网上下载（电子证照）")


class ItemTypeCode(models.Model):
    """The exchange code of each item type. 01/05/07/08/09 are national; the codes of 其他行政权力
    and 公共服务 differ by province, so they are data the admin sets."""

    item_type = models.CharField(_("事项类型"), max_length=20, choices=ItemType.choices, unique=True)
    code = models.CharField(_("类型代码"), max_length=4, unique=True)

    class Meta:
        verbose_name = _("事项类型代码")
        verbose_name_plural = _("事项类型代码")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.get_item_type_display()}"


class ServiceItem(models.Model):
    """A catalogued service's identity. What it says is in its current version."""

    kind = models.CharField(_("层级类别"), max_length=10, choices=ItemKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("实施主体"), on_delete=models.PROTECT, related_name="service_items"
    )
    level = models.CharField(_("行使层级"), max_length=1, choices=Level.choices, default=Level.COUNTY)
    basic_code = models.CharField(_("基本编码"), max_length=12, blank=True, validators=[validate_basic_code])
    source_code = models.CharField(_("来源编码"), max_length=100, blank=True, db_index=True)
    status = models.CharField(_("状态"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.ACTIVE)
    # Denormalised from the current version so that lists, search and codes need no join.
    name = models.CharField(_("事项名称"), max_length=200, db_index=True)
    implementation_code = models.CharField(_("实施编码"), max_length=31, blank=True, db_index=True)
    current_version = models.ForeignKey(
        "ItemVersion",
        verbose_name=_("现行版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("政务服务事项")
        verbose_name_plural = _("政务服务事项")
        ordering = ["department_id", "basic_code", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "level", "basic_code"],
                condition=~Q(basic_code=""),
                name="catalog_item_unique_code",
            ),
            models.CheckConstraint(
                condition=~Q(kind=ItemKind.HANDLING) | ~Q(basic_code=""),
                name="catalog_handling_item_has_code",
            ),
            models.CheckConstraint(
                condition=~Q(kind=ItemKind.MAIN) | Q(parent__isnull=True),
                name="catalog_main_item_is_root",
            ),
        ]
        indexes = [models.Index(fields=["kind", "status"], name="catalog_item_kind_status")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == ItemKind.HANDLING and not self.basic_code:
            raise ValidationError({"basic_code": _("办理项必须有基本编码")})
        if self.parent_id is None:
            if self.kind == ItemKind.SUB:
                raise ValidationError({"parent": _("子项必须隶属于一个主项")})
            return
        parent = self.parent
        assert parent is not None
        allowed = {ItemKind.MAIN} if self.kind == ItemKind.SUB else {ItemKind.MAIN, ItemKind.SUB}
        if self.kind == ItemKind.MAIN or parent.kind not in allowed:
            raise ValidationError({"parent": _("上级事项的层级不正确：主项 → 子项 → 办理项")})
        if parent.department_id != self.department_id:
            raise ValidationError({"parent": _("上级事项应属于同一实施主体")})


class ChangeKind(models.TextChoices):
    CREATE = "create", _("新增")
    EDIT = "edit", _("变更")
    RETIRE = "retire", _("取消")
    IMPORT = "import", _("导入")


def _day_count(max_days: int = 365) -> list[Any]:
    return [MinValueValidator(0), MaxValueValidator(max_days)]


class ItemVersion(models.Model):
    """One published, immutable state of an item's elements (事项要素)."""

    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    change_kind = models.CharField(_("变更类型"), max_length=10, choices=ChangeKind.choices)
    change_request = models.OneToOneField(
        "ChangeRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="resulting_version"
    )
    published_at = models.DateTimeField(_("发布时间"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    implementation_code = models.CharField(_("实施编码"), max_length=31, blank=True)

    # 基本要素
    name = models.CharField(_("事项名称"), max_length=200)
    item_type = models.CharField(_("事项类型"), max_length=20, choices=ItemType.choices)
    service_object = models.CharField(
        _("服务对象"), max_length=10, choices=ServiceObject.choices, default=ServiceObject.BOTH
    )
    legal_basis = models.TextField(_("设定依据"), blank=True)
    # 一般要素
    case_kind = models.CharField(
        _("办件类型"), max_length=1, choices=ItemCaseKind.choices, default=ItemCaseKind.PROMISED
    )
    acceptance_conditions = models.TextField(_("受理条件"), blank=True)
    process_steps = models.JSONField(_("办理流程"), default=list, blank=True)
    legal_days = models.PositiveSmallIntegerField(_("法定办结时限（工作日）"), validators=_day_count())
    promised_days = models.PositiveSmallIntegerField(_("承诺办结时限（工作日）"), validators=_day_count())
    special_procedures = models.JSONField(_("特别程序"), default=list, blank=True)
    fees = models.JSONField(_("收费项目"), default=list, blank=True)
    online_depth = models.PositiveSmallIntegerField(
        _("网办深度"), choices=OnlineDepth.choices, default=OnlineDepth.PRE_REVIEW
    )
    visits_required = models.PositiveSmallIntegerField(
        _("到办事现场次数"), default=1, validators=[MaxValueValidator(5)]
    )
    tongban_scope = models.CharField(
        _("通办范围"), max_length=20, choices=TongbanScope.choices, default=TongbanScope.NONE
    )
    nearby_level = models.CharField(_("就近办"), max_length=10, choices=NearbyLevel.choices, blank=True)
    stationed = models.BooleanField(_("进驻政务服务中心"), default=True)
    negative_reason = models.TextField(_("不进驻理由（进驻负面清单）"), blank=True)
    result_type = models.CharField(
        _("审批结果类型"), max_length=2, choices=ResultType.choices, default=ResultType.OTHER
    )
    result_name = models.CharField(_("审批结果名称"), max_length=200, blank=True)
    result_licence_type_code = models.CharField(_("结果证照类型代码"), max_length=40, blank=True)
    delivery_methods = models.JSONField(_("送达方式"), default=list, blank=True)
    commitment_allowed = models.BooleanField(_("可告知承诺办理"), default=False)
    intermediary_services = models.JSONField(_("中介服务"), default=list, blank=True)
    handling_place = models.CharField(_("办理地点"), max_length=200, blank=True)
    handling_hours = models.CharField(_("办理时间"), max_length=200, blank=True)
    contact_phone = models.CharField(_("咨询电话"), max_length=40, blank=True)
    complaint_phone = models.CharField(_("监督投诉电话"), max_length=40, blank=True)
    keywords = models.CharField(_("常用说法（检索词）"), max_length=300, blank=True)
    plain_summary = models.TextField(_("白话版说明"), blank=True)

    class Meta:
        verbose_name = _("事项版本")
        verbose_name_plural = _("事项版本")
        ordering = ["item_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="catalog_version_unique_number"),
            models.CheckConstraint(
                condition=Q(promised_days__lte=models.F("legal_days")),
                name="catalog_promised_within_legal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ImmutableVersionError(_("已发布的事项版本不可修改，请提交变更申请"))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableVersionError(_("已发布的事项版本不可删除"))

    @property
    def is_retirement(self) -> bool:
        return self.change_kind == ChangeKind.RETIRE

    @property
    def is_free(self) -> bool:
        return not self.fees


class ImmutableVersionError(Exception):
    """Raised by any attempt to change a published version, its materials or review points."""


class _WriteOnce(models.Model):
    """Rows of a published edition: written once, never changed or deleted."""

    immutable_what = _("已发布的事项版本")

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableVersionError(_("%s不可修改") % self.immutable_what)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableVersionError(_("%s不可删除") % self.immutable_what)


class CatalogFile(models.Model):
    """A blank form or sample file, stored once by content and shared by every version using it."""

    sha256 = models.CharField(max_length=64, unique=True)
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    data = models.BinaryField()
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("样表与示范文本")
        verbose_name_plural = _("样表与示范文本")

    def __str__(self) -> str:
        return self.name


class Material(_WriteOnce):
    """A required document of one item version (申请材料)."""

    version = models.ForeignKey(ItemVersion, on_delete=models.PROTECT, related_name="materials")
    key = models.CharField(_("材料标识"), max_length=16, help_text=_("跨版本不变，用于比对"))
    position = models.PositiveSmallIntegerField(_("序号"))
    code = models.CharField(_("材料编码"), max_length=34, blank=True)
    name = models.CharField(_("材料名称"), max_length=200)
    source = models.CharField(
        _("材料来源"), max_length=2, choices=MaterialSource.choices, default=MaterialSource.SELF
    )
    necessity = models.CharField(
        _("必要性"), max_length=1, choices=MaterialNecessity.choices, default=MaterialNecessity.REQUIRED
    )
    originals = models.PositiveSmallIntegerField(_("原件份数"), default=1, validators=[MaxValueValidator(20)])
    copies = models.PositiveSmallIntegerField(_("复印件份数"), default=0, validators=[MaxValueValidator(20)])
    media = models.CharField(
        _("材料形式"), max_length=10, choices=MaterialMedia.choices, default=MaterialMedia.BOTH
    )
    material_type = models.CharField(
        _("材料类型"), max_length=40, blank=True, help_text=_("如 id_card，用于一件事材料去重")
    )
    blank_form = models.ForeignKey(
        CatalogFile,
        verbose_name=_("空白表格"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sample = models.ForeignKey(
        CatalogFile,
        verbose_name=_("示范文本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    licence_type_code = models.CharField(_("可替代的电子证照类型"), max_length=40, blank=True)
    commitment_replaceable = models.BooleanField(_("可告知承诺替代"), default=False)
    note = models.TextField(_("填报须知"), blank=True)

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["version_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="catalog_material_unique_position"),
            models.UniqueConstraint(fields=["version", "key"], name="catalog_material_unique_key"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def deficiency_allowed(self) -> bool:
        return self.necessity == MaterialNecessity.DEFERRABLE


class ReviewPoint(_WriteOnce):
    """What the clerk checks on a material (审核要点), so every window accepts alike."""

    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="review_points")
    position = models.PositiveSmallIntegerField(_("序号"))
    text = models.TextField(_("审核要点"))

    class Meta:
        verbose_name = _("审核要点")
        verbose_name_plural = _("审核要点")
        ordering = ["material_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["material", "position"], name="catalog_review_point_unique_position"
            )
        ]

    def __str__(self) -> str:
        return self.text[:40]


class ChangeRequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已批准发布")
    REJECTED = "rejected", _("已退回")
    WITHDRAWN = "withdrawn", _("已撤回")


class ChangeRequest(models.Model):
    """A department's proposal to add, change or retire an item; the admin decides."""

    kind = models.CharField(_("申请类型"), max_length=10, choices=ChangeKind.choices)
    status = models.CharField(
        _("状态"), max_length=10, choices=ChangeRequestStatus.choices, default=ChangeRequestStatus.SUBMITTED
    )
    item = models.ForeignKey(
        ServiceItem, null=True, blank=True, on_delete=models.PROTECT, related_name="change_requests"
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="catalog_change_requests"
    )
    base_version = models.ForeignKey(
        ItemVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # For a new item: where it goes in the tree and its code.
    item_kind = models.CharField(_("层级类别"), max_length=10, choices=ItemKind.choices, blank=True)
    parent = models.ForeignKey(ServiceItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    level = models.CharField(_("行使层级"), max_length=1, choices=Level.choices, blank=True)
    basic_code = models.CharField(_("基本编码"), max_length=12, blank=True)
    payload = models.JSONField(_("事项要素"), default=dict, blank=True)
    reason = models.TextField(_("申请理由"))
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("提交时间"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_reason = models.TextField(_("审核意见"), blank=True)

    class Meta:
        verbose_name = _("事项变更申请")
        verbose_name_plural = _("事项变更申请")
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            # One open request per item: a second submit (or a double click) is refused, not queued.
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(status=ChangeRequestStatus.SUBMITTED) & Q(item__isnull=False),
                name="catalog_one_open_request_per_item",
            ),
            models.UniqueConstraint(
                fields=["department", "level", "basic_code"],
                condition=Q(status=ChangeRequestStatus.SUBMITTED) & Q(kind=ChangeKind.CREATE),
                name="catalog_one_open_create_per_code",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.payload.get('name') or self.item}"


# ——— 清单 ———


class ListKind(models.TextChoices):
    LICENSING = "licensing", _("行政许可事项清单")
    IMMEDIATE = "immediate", _("即办件清单")
    DEFICIENCY = "deficiency", _("容缺受理事项清单")
    COMMITMENT = "commitment", _("告知承诺制事项清单")
    NO_VISIT = "no_visit", _("不见面审批事项清单")
    NEARBY = "nearby", _("就近办事项清单")
    TONGBAN = "tongban", _("全市通办事项清单")
    CERTIFICATE_FREE = "certificate_free", _("免证办事项清单")
    NEGATIVE = "negative", _("进驻负面清单")
    INTERMEDIARY = "intermediary", _("中介服务事项清单")


class ListMembership(models.TextChoices):
    RULE = "rule", _("按规则自动生成（可手工增减）")
    MANUAL = "manual", _("手工维护")


class ItemList(models.Model):
    kind = models.CharField(_("清单"), max_length=20, choices=ListKind.choices, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    membership = models.CharField(
        _("成员方式"), max_length=10, choices=ListMembership.choices, default=ListMembership.RULE
    )
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("事项清单")
        verbose_name_plural = _("事项清单")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


class ListAdjustmentAction(models.TextChoices):
    INCLUDE = "include", _("手工纳入")
    EXCLUDE = "exclude", _("手工移出")


class ItemListAdjustment(models.Model):
    """A by-hand change to a list's membership, applied at its next publication."""

    item_list = models.ForeignKey(ItemList, on_delete=models.CASCADE, related_name="adjustments")
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("操作"), max_length=10, choices=ListAdjustmentAction.choices)
    reason = models.TextField(_("理由"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("清单手工调整")
        verbose_name_plural = _("清单手工调整")
        constraints = [
            models.UniqueConstraint(fields=["item_list", "item"], name="catalog_one_adjustment_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}：{self.item}"


class ItemListVersion(_WriteOnce):
    """A published, dated edition of a list; never changed after publication."""

    immutable_what = _("已发布的清单版本")

    item_list = models.ForeignKey(ItemList, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    effective_date = models.DateField(_("施行日期"))
    published_at = models.DateTimeField(_("发布时间"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("发布说明"), blank=True)
    item_count = models.PositiveIntegerField(_("事项数"), default=0)

    class Meta:
        verbose_name = _("清单版本")
        verbose_name_plural = _("清单版本")
        ordering = ["item_list_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["item_list", "number"], name="catalog_list_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.item_list} 第{self.number}版"


class ItemListEntry(_WriteOnce):
    immutable_what = _("已发布的清单版本")

    list_version = models.ForeignKey(ItemListVersion, on_delete=models.PROTECT, related_name="entries")
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="+")
    item_version = models.ForeignKey(ItemVersion, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(_("序号"))
    note = models.TextField(_("备注"), blank=True)
    by_hand = models.BooleanField(_("手工纳入"), default=False)

    class Meta:
        ordering = ["list_version_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["list_version", "item"], name="catalog_list_entry_unique")
        ]

    def __str__(self) -> str:
        return f"{self.list_version} · {self.position}"


# ——— 检索 ———


class SearchEntry(models.Model):
    """One posting of the catalog's inverted index: a segmented term of a handling item, weighted by
    where it occurs (name, common words, department, guide text)."""

    term = models.CharField(max_length=40)
    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="+")
    weight = models.FloatField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["term", "item"], name="catalog_search_unique_posting")]
        indexes = [models.Index(fields=["item"], name="catalog_search_item")]

    def __str__(self) -> str:
        return f"{self.term} → {self.item_id}"


class SearchSynonym(models.Model):
    """How people say it → how the catalog says it (开饭店 → 餐饮 食品经营). Admin data."""

    phrase = models.CharField(_("群众说法"), max_length=40, unique=True)
    expansions = models.CharField(_("规范用语（空格分隔）"), max_length=300)

    class Meta:
        verbose_name = _("检索同义词")
        verbose_name_plural = _("检索同义词")
        ordering = ["phrase"]

    def __str__(self) -> str:
        return f"{self.phrase} → {self.expansions}"


# ——— 导入 ———


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    VALIDATING = "validating", _("校验中")
    WRITING = "writing", _("写入中")
    SUCCEEDED = "succeeded", _("导入成功")
    FAILED = "failed", _("导入失败")


class CatalogImport(models.Model):
    """One import of an Excel/CSV file: all rows or none, with a row-by-row report."""

    file_name = models.CharField(_("文件名"), max_length=200)
    data = models.BinaryField()
    status = models.CharField(
        _("状态"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    source_format = models.CharField(_("文件格式"), max_length=40, blank=True)
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理行数"), default=0)
    created_items = models.PositiveIntegerField(_("新增事项"), default=0)
    created_departments = models.PositiveIntegerField(_("新增部门"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    warnings = models.JSONField(_("提示"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("事项导入")
        verbose_name_plural = _("事项导入")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.file_name
