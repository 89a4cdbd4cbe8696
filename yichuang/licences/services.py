"""Writes of e-seals and e-licences: making and retiring a seal, issuing, changing and revoking a licence.
Every one is atomic, checks who acts (and for which department), and is audited. Private keys are
decrypted only to sign and never logged."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from yichuang.accounts.models import Applicant, ApplicantKind, Department
from yichuang.accounts.policies import department_in_scope
from yichuang.cases.numbering import sequence_next
from yichuang.core.audit import audit_record
from yichuang.core.errors import ApplicationError, ConflictError, NotFoundError
from yichuang.core.permissions import require_capability
from yichuang.licences import signing
from yichuang.licences.identifiers import licence_identifier
from yichuang.licences.models import HolderKind, Licence, LicenceStatus, LicenceType, Seal

SEAL_YEARS = 5


def _today() -> dt.date:
    return timezone.localdate()


def _require_department(actor: Any, department: Department, capability: str, message: str) -> None:
    require_capability(actor, capability, message)
    if actor.role != "admin" and not department_in_scope(actor, department):
        raise NotFoundError("未找到该部门，或该部门不在您的管辖范围内")


@transaction.atomic
def seal_create(*, actor: Any, department: Department, name: str = "", years: int = SEAL_YEARS) -> Seal:
    """Make the department's seal: a new SM2 key pair (the private key stored SM4-encrypted); the seal in use
    so far is retired and stays to verify what it signed."""
    require_capability(actor, "seal.manage", "只有政数局管理员可以制作电子印章")
    department = Department.objects.select_for_update().get(pk=department.pk)
    if not department.credit_code:
        raise ApplicationError("该部门未登记统一社会信用代码，不能制作电子印章", code="no_credit_code")
    now, today = timezone.now(), _today()
    Seal.objects.filter(department=department, retired_at__isnull=True).update(retired_at=now)
    private_key, public_key = signing.keypair_new()
    serial = sequence_next(key=f"seal-{department.pk}", day=dt.date(today.year, 1, 1))
    seal = Seal.objects.create(
        department=department,
        name=(name or "").strip() or f"{department.name}电子证照专用章",
        code=f"{department.credit_code}{today.year}{serial:02d}",
        public_key=public_key,
        private_key_encrypted=signing.private_key_encrypt(private_key),
        valid_from=today,
        valid_until=today.replace(year=today.year + years),
        created_at=now,
    )
    audit_record(
        actor=actor, action="seal.create", obj=seal, data={"code": seal.code, "department": department.pk}
    )
    return seal


def seal_in_use(department: Department, on: dt.date | None = None) -> Seal:
    on = on or _today()
    seal = (
        Seal.objects.filter(
            department=department, retired_at__isnull=True, valid_from__lte=on, valid_until__gte=on
        )
        .order_by("-valid_from", "-pk")
        .first()
    )
    if seal is None:
        raise ApplicationError(f"{department.name}尚无有效的电子印章，请联系政数局制作", code="no_seal")
    return seal


def signed_content(licence: Licence) -> dict[str, Any]:
    """What the signature covers: everything the licence says, nothing the platform adds later."""
    return {
        "identifier": licence.identifier,
        "type": licence.licence_type.code,
        "type_name": licence.licence_type.name,
        "number": licence.number,
        "version": licence.version,
        "holder": licence.holder_name,
        "holder_id": licence.holder_identifier,
        "data": licence.data,
        "issued_on": licence.issued_on.isoformat(),
        "valid_from": licence.valid_from.isoformat(),
        "valid_until": licence.valid_until.isoformat() if licence.valid_until else None,
        "issuer": licence.issuer_name,
        "issuer_code": licence.issuer.credit_code,
        "seal": licence.seal.code,
    }


def _holder_identifier(licence_type: LicenceType, holder: Applicant) -> str:
    natural = holder.kind == ApplicantKind.NATURAL
    if (licence_type.holder_kind == HolderKind.NATURAL) != natural:
        raise ApplicationError(
            f"{licence_type.name}的持证主体应为{licence_type.get_holder_kind_display()}", code="wrong_holder"
        )
    return holder.id_number if natural else holder.credit_code


def _data_checked(licence_type: LicenceType, data: dict[str, Any]) -> dict[str, Any]:
    known = {field["key"] for field in licence_type.schema}
    missing = [
        f for f in licence_type.schema if f.get("required") and not str(data.get(f["key"], "")).strip()
    ]
    if missing:
        raise ApplicationError(
            f"照面信息缺少：{'、'.join(f['label'] for f in missing)}",
            fields={f"data.{f['key']}": [f"请填写{f['label']}"] for f in missing},
            code="licence_data_incomplete",
        )
    unknown = sorted(set(data) - known)
    if unknown:
        raise ApplicationError(
            f"照面信息项不属于{licence_type.name}：{'、'.join(unknown)}", code="licence_data_unknown"
        )
    return {key: str(value).strip() for key, value in data.items()}


@transaction.atomic
def licence_issue(
    *,
    actor: Any,
    licence_type: LicenceType,
    holder: Applicant,
    issuer: Department,
    data: dict[str, Any],
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    case: Any = None,
    previous: Licence | None = None,
) -> Licence:
    """Issue a licence signed by the issuer's seal; with ``previous``, 变更: the next version of it."""
    _require_department(actor, issuer, "licence.issue", "只有本部门审批人员可以签发电子证照")
    return _licence_sign_and_save(
        actor=actor,
        licence_type=licence_type,
        holder=holder,
        issuer=issuer,
        data=data,
        valid_from=valid_from,
        valid_until=valid_until,
        case=case,
        previous=previous,
    )


def licence_issue_for_case(
    *, actor: Any, case: Any, licence_type: LicenceType, data: dict[str, Any], previous: Licence | None = None
) -> Licence:
    """The licence a case's approval makes (called inside ``case_decide``, whose policy already decided
    that ``actor`` may decide this case): the holder is the applicant, the issuer the case's department."""
    return _licence_sign_and_save(
        actor=actor,
        licence_type=licence_type,
        holder=case.applicant,
        issuer=case.department,
        data=data,
        case=case,
        previous=previous,
    )


@transaction.atomic
def licence_change(*, actor: Any, licence: Licence, data: dict[str, Any]) -> Licence:
    """变更 outside a case (a correction by the issuing department): the next version with the new data."""
    licence = (
        Licence.objects.select_for_update()
        .select_related("licence_type", "issuer", "holder")
        .get(pk=licence.pk)
    )
    if licence.status != LicenceStatus.VALID:
        raise ConflictError(f"该证照{licence.get_status_display()}，不能变更", code="licence_not_valid")
    return licence_issue(
        actor=actor,
        licence_type=licence.licence_type,
        holder=licence.holder,
        issuer=licence.issuer,
        data=data,
        valid_until=licence.valid_until,
        case=licence.case,
        previous=licence,
    )


def _licence_sign_and_save(
    *,
    actor: Any,
    licence_type: LicenceType,
    holder: Applicant,
    issuer: Department,
    data: dict[str, Any],
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    case: Any = None,
    previous: Licence | None = None,
) -> Licence:
    today = _today()
    valid_from = valid_from or today
    if valid_until is None and licence_type.validity_years:
        valid_until = valid_from.replace(year=valid_from.year + licence_type.validity_years) - dt.timedelta(
            days=1
        )
    if valid_until is not None and valid_until < valid_from:
        raise ApplicationError("有效期止不能早于有效期起", fields={"valid_until": ["早于有效期起"]})
    seal = seal_in_use(issuer, today)
    if previous is not None:
        if previous.holder_id != holder.pk or previous.licence_type_id != licence_type.pk:
            raise ApplicationError("变更的原证照须为同一持证主体的同类证照", code="wrong_previous")
        if previous.status != LicenceStatus.VALID:
            raise ConflictError(f"原证照{previous.get_status_display()}，不能变更", code="licence_not_valid")
        number, version = previous.number, previous.version + 1
    else:
        serial = sequence_next(key=f"lic-{licence_type.pk}-{issuer.pk}", day=dt.date(today.year, 1, 1))
        number, version = f"{today.year}{serial:06d}", 1
    licence = Licence(
        identifier=licence_identifier(
            type_code=licence_type.code, issuer_code=issuer.credit_code, serial=number, version=version
        ),
        licence_type=licence_type,
        number=number,
        version=version,
        previous=previous,
        holder=holder,
        holder_name=holder.name,
        holder_identifier=_holder_identifier(licence_type, holder),
        data=_data_checked(licence_type, data),
        issued_on=today,
        valid_from=valid_from,
        valid_until=valid_until,
        issuer=issuer,
        issuer_name=issuer.name,
        seal=seal,
        case=case,
        issued_by=actor if getattr(actor, "pk", None) else None,
    )
    content = signing.canonical(signed_content(licence))
    private_key = signing.private_key_decrypt(seal.private_key_encrypted, seal.public_key)
    licence.digest = signing.sm3_hex(content)
    licence.signature = signing.sign(private_key, content)
    licence.save()
    if previous is not None:
        Licence.objects.filter(pk=previous.pk, status=LicenceStatus.VALID).update(
            status=LicenceStatus.SUPERSEDED
        )
    audit_record(
        actor=actor,
        action="licence.change" if previous is not None else "licence.issue",
        obj=licence,
        data={
            "identifier": licence.identifier,
            "type": licence_type.code,
            "holder_id": licence.holder_identifier,
        },
    )
    return licence


@transaction.atomic
def licence_revoke(*, actor: Any, licence: Licence, reason: str) -> Licence:
    """注销: the licence stays verifiable, as revoked, with the reason."""
    licence = Licence.objects.select_for_update().select_related("issuer").get(pk=licence.pk)
    _require_department(actor, licence.issuer, "licence.revoke", "只有发证部门负责人可以注销电子证照")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("请填写注销原因", fields={"reason": ["必填"]})
    if licence.status != LicenceStatus.VALID:
        raise ConflictError(f"该证照{licence.get_status_display()}，不能注销", code="licence_not_valid")
    licence.status, licence.revoked_at, licence.revoke_reason = LicenceStatus.REVOKED, timezone.now(), reason
    licence.save(update_fields=["status", "revoked_at", "revoke_reason"])
    audit_record(
        actor=actor,
        action="licence.revoke",
        obj=licence,
        data={"identifier": licence.identifier, "reason": reason},
    )
    return licence
