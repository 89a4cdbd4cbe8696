"""Electronic licences (电子证照), their types, and the departments' electronic seals (电子印章).

A licence's signed content is frozen in its row: the identifier, the type, the holder, the data, the
validity and the issuer, encoded canonically (``signing.canonical``), digested with SM3 and signed with
the issuing seal's SM2 key. Verification recomputes all of it from the row (or from a presented file).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yichuang.accounts.models import Applicant, Department
from yichuang.core.crypto_fields import EncryptedTextField, KeyedHashField


class HolderKind(models.TextChoices):
    NATURAL = "natural", _("自然人")
    LEGAL = "legal", _("法人和其他组织")


class LicenceType(models.Model):
    """A kind of licence (营业执照, 结婚证 …) with its national code and the data it carries."""

    code = models.CharField(_("证照类型代码"), max_length=40, unique=True)
    name = models.CharField(_("证照名称"), max_length=100)
    holder_kind = models.CharField(_("持证主体"), max_length=10, choices=HolderKind.choices)
    # [{"key": "name", "label": "名称", "required": true}, …] — the fields a licence of this type carries.
    schema = models.JSONField(_("照面信息项"), default=list)
    validity_years = models.PositiveSmallIntegerField(_("有效期（年，0 为长期）"), default=0)

    class Meta:
        ordering = ["code"]
        verbose_name = _("证照类型")
        verbose_name_plural = _("证照类型")

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class Seal(models.Model):
    """A department's electronic seal: an SM2 key pair, its name, validity and picture. Rotation makes a new
    seal and retires the old one, which stays to verify what it signed."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="seals")
    name = models.CharField(_("印章名称"), max_length=100)
    code = models.CharField(_("印章编码"), max_length=40, unique=True)
    public_key = models.CharField(_("公钥"), max_length=130)  # uncompressed point, hex (x ‖ y)
    private_key_encrypted = models.BinaryField(_("私钥（SM4 加密）"))
    valid_from = models.DateField(_("启用日期"))
    valid_until = models.DateField(_("有效期至"))
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("制作时间"))

    class Meta:
        ordering = ["department_id", "-valid_from", "-pk"]
        verbose_name = _("电子印章")
        verbose_name_plural = _("电子印章")

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class LicenceStatus(models.TextChoices):
    VALID = "valid", _("有效")
    SUPERSEDED = "superseded", _("已变更")
    REVOKED = "revoked", _("已注销")


class Licence(models.Model):
    identifier = models.CharField(_("证照标识"), max_length=120, unique=True)
    licence_type = models.ForeignKey(LicenceType, on_delete=models.PROTECT, related_name="licences")
    number = models.CharField(_("证照编号"), max_length=60)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_version"
    )
    holder = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="licences")
    holder_name = models.CharField(_("持证主体"), max_length=200)
    # ID number or credit code: both encrypted (one rule for the column), found by the keyed hash.
    holder_identifier = EncryptedTextField(_("持证主体代码"), max_length=18)
    holder_identifier_hash = KeyedHashField(source="holder_identifier")
    data = models.JSONField(_("照面信息"), default=dict)
    issued_on = models.DateField(_("颁证日期"))
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(_("有效期止"), null=True, blank=True)  # None: 长期
    issuer = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="licences")
    issuer_name = models.CharField(_("发证机关"), max_length=200)
    seal = models.ForeignKey(Seal, on_delete=models.PROTECT, related_name="licences")
    digest = models.CharField(_("SM3 摘要"), max_length=64)
    signature = models.CharField(_("SM2 签名"), max_length=200)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="licences"
    )
    status = models.CharField(_("状态"), max_length=12, choices=LicenceStatus.choices, default="valid")
    revoked_at = models.DateTimeField(_("注销时间"), null=True, blank=True)
    revoke_reason = models.CharField(_("注销原因"), max_length=500, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("电子证照")
        verbose_name_plural = _("电子证照")
        indexes = [models.Index(fields=["holder", "status"])]

    def __str__(self) -> str:
        return f"{self.licence_type.name} {self.number}"


class AuthorisationChannel(models.TextChoices):
    ONLINE = "online", _("申请人网上授权")
    WINDOW = "window", _("窗口当面授权")


class LicenceAuthorisation(models.Model):
    """用证授权: the holder lets the department handling one case use one licence, until a time. Every use
    under it is a ``LicenceUse``; after ``valid_until`` (or once withdrawn) nobody may use it."""

    reference = models.CharField(_("授权编号"), max_length=24, unique=True)
    licence = models.ForeignKey(Licence, on_delete=models.PROTECT, related_name="authorisations")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="licence_authorisations")
    channel = models.CharField(_("授权方式"), max_length=10, choices=AuthorisationChannel.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(_("授权时间"))
    valid_until = models.DateTimeField(_("授权有效期至"))
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    class Meta:
        ordering = ["-granted_at", "-pk"]
        verbose_name = _("用证授权")
        verbose_name_plural = _("用证授权")
        indexes = [models.Index(fields=["case", "licence"])]

    def __str__(self) -> str:
        return self.reference

    def active(self, at: dt.datetime) -> bool:
        return self.withdrawn_at is None and at <= self.valid_until


class LicenceUse(models.Model):
    """用证记录: one read of a licence under an authorisation (who, when, for which material)."""

    authorisation = models.ForeignKey(LicenceAuthorisation, on_delete=models.PROTECT, related_name="uses")
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    used_at = models.DateTimeField(_("用证时间"))
    purpose = models.CharField(_("用途"), max_length=200)

    class Meta:
        ordering = ["-used_at", "-pk"]
        verbose_name = _("用证记录")
        verbose_name_plural = _("用证记录")

    def __str__(self) -> str:
        return f"{self.authorisation_id} {self.used_at:%Y-%m-%d %H:%M} {self.purpose}"
