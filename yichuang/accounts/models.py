from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from yichuang.accounts.roles import STAFF_ROLES, Role, capabilities_of
from yichuang.core.crypto_fields import EncryptedTextField, KeyedHashField, keyed_hash
from yichuang.core.masking import mask_id_number, mask_phone
from yichuang.core.validators import (
    validate_credit_code,
    validate_division_code,
    validate_id_number,
)


class DepartmentKind(models.TextChoices):
    GOVERNMENT = "government", _("人民政府")
    AGENCY = "agency", _("政府部门")
    CENTRE = "centre", _("政务服务中心")
    INSTITUTION = "institution", _("事业单位")
    ENTERPRISE = "enterprise", _("公共服务企业")
    TOWNSHIP_STATION = "township_station", _("苏木乡镇（街道）便民服务中心")
    VILLAGE_STATION = "village_station", _("嘎查村（社区）便民服务站")


class Department(MP_Node):
    """A node of the organisation tree: a government, its departments, stations and companies."""

    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=DepartmentKind.choices)
    division_code = models.CharField(_("行政区划代码"), max_length=12, validators=[validate_division_code])
    # Null only for departments imported from a source that gave no valid code (their items then
    # carry no 实施编码 until the admin enters one); every department created on screen has one.
    credit_code = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_credit_code],
    )
    is_active = models.BooleanField(_("在用"), default=True)

    node_order_by: list[str] = []

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")

    def __str__(self) -> str:
        return self.short_name or self.name


class User(AbstractUser):
    """A login: staff in one department with one role, or an applicant."""

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.APPLICANT)
    department = models.ForeignKey(
        Department,
        verbose_name=_("所属部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    full_name = models.CharField(_("姓名"), max_length=60, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    # The interface language the user chose for himself; blank follows the request (cookie, browser).
    language = models.CharField(_("界面语言"), max_length=10, choices=settings.LANGUAGES, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=Q(role=Role.APPLICANT) | Q(department__isnull=False),
                name="staff_user_has_department",
                violation_error_message=_("工作人员必须属于一个部门"),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Only the admin role reaches the Django admin; the flag follows the role.
        self.is_staff = self.role == Role.ADMIN
        self.is_superuser = self.role == Role.ADMIN
        super().save(*args, **kwargs)

    @property
    def is_staff_member(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    def has_capability(self, capability: str) -> bool:
        return self.is_active and capability in capabilities_of(self.role)


class ApplicantKind(models.TextChoices):
    NATURAL = "natural", _("自然人")
    LEGAL = "legal", _("法人")


class ApplicantQuerySet(models.QuerySet["Applicant"]):
    def by_id_number(self, id_number: str) -> ApplicantQuerySet:
        """Exact match through the keyed hash (the column itself is encrypted)."""
        digest = keyed_hash(id_number)
        return self.filter(id_number_hash=digest) if digest else self.none()


class Applicant(models.Model):
    """Someone who applies: a natural person (ID number) or a legal person (credit code)."""

    kind = models.CharField(_("申请人类型"), max_length=10, choices=ApplicantKind.choices)
    name = models.CharField(_("姓名或名称"), max_length=100)
    id_number = EncryptedTextField(
        _("公民身份号码"), max_length=18, blank=True, validators=[validate_id_number]
    )
    id_number_hash = KeyedHashField(source="id_number")
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, blank=True, validators=[validate_credit_code]
    )
    legal_representative = models.CharField(_("法定代表人"), max_length=60, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    user = models.OneToOneField(
        User,
        verbose_name=_("登录账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applicant",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ApplicantQuerySet.as_manager()

    class Meta:
        verbose_name = _("申请人")
        verbose_name_plural = _("申请人")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=ApplicantKind.NATURAL) & ~Q(id_number_hash="") & Q(credit_code=""))
                | (Q(kind=ApplicantKind.LEGAL) & ~Q(credit_code="") & Q(id_number_hash="")),
                name="applicant_identifier_matches_kind",
                violation_error_message=_("自然人须填写身份证号码，法人须填写统一社会信用代码"),
            ),
            models.UniqueConstraint(
                fields=["id_number_hash"],
                condition=~Q(id_number_hash=""),
                name="applicant_unique_id_number",
                violation_error_message=_("该身份证号码已登记"),
            ),
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="applicant_unique_credit_code",
                violation_error_message=_("该统一社会信用代码已登记"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def identifier(self) -> str:
        return self.id_number or self.credit_code

    @property
    def masked_identifier(self) -> str:
        # A company's credit code is public; a person's ID number is not.
        return mask_id_number(self.id_number) if self.id_number else self.credit_code

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class ApiToken(models.Model):
    """A bearer token for an integration (a provincial platform, a kiosk, a script).

    Only the SHA-256 of the token is stored; the token itself is shown once when issued.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=100)
    prefix = models.CharField(_("前缀"), max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"


from yichuang.accounts.models_security import LoginThrottle, LoginThrottleScope  # noqa: E402, F401
