"""Writes of the accounts app: departments, staff, applicants, API tokens. Each one is atomic,
checks the actor's capability first and leaves an audit event."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from yichuang.accounts.models import (
    ApiToken,
    Applicant,
    ApplicantKind,
    Department,
    DepartmentKind,
    User,
)
from yichuang.accounts.roles import Role
from yichuang.accounts.token_cache import token_user_recall, token_user_remember
from yichuang.core.audit import audit_record
from yichuang.core.crypto_fields import keyed_hash
from yichuang.core.errors import ApplicationError, ConflictError, full_clean_or_raise
from yichuang.core.permissions import require_capability
from yichuang.core.personal_data import personal_data_read, shown_fields
from yichuang.core.validators import normalize_credit_code, normalize_id_number

TOKEN_USE_RESOLUTION = timedelta(minutes=1)
_DEPARTMENT_FIELDS = ("name", "short_name", "kind", "division_code", "credit_code", "is_active")


def _department_data(department: Department) -> dict[str, Any]:
    return {field: getattr(department, field) for field in _DEPARTMENT_FIELDS}


@transaction.atomic
def department_create(
    *,
    actor: Any,
    parent: Department | None,
    name: str,
    kind: str,
    division_code: str,
    credit_code: str | None,
    short_name: str = "",
) -> Department:
    """Create a department. ``credit_code`` may be None only for departments taken over from an
    imported catalogue whose source gave no valid code; screens and the API always require one."""
    require_capability(actor, "department.manage", "只有政数局管理员可以新建部门")
    department = Department(
        name=name.strip(),
        short_name=short_name.strip(),
        kind=kind,
        division_code=division_code.strip(),
        credit_code=normalize_credit_code(credit_code) if credit_code is not None else None,
    )
    # Validate before touching the tree, so a bad code leaves no half-inserted node.
    full_clean_or_raise(department, exclude=["path", "depth", "numchild"])
    if department.credit_code and Department.objects.filter(credit_code=department.credit_code).exists():
        raise ConflictError("该统一社会信用代码已被其他部门使用", fields={"credit_code": ["已存在"]})
    try:
        with transaction.atomic():
            if parent is None:
                department = Department.objects.add_root(instance=department)
            else:
                parent = Department.objects.select_for_update().get(pk=parent.pk)
                department = Department.objects.add_child(parent, instance=department)
    except IntegrityError as exc:
        raise ConflictError("该统一社会信用代码已被其他部门使用") from exc
    audit_record(
        actor=actor,
        action="department.create",
        obj=department,
        data={**_department_data(department), "parent_id": parent.pk if parent else None},
    )
    return department


@transaction.atomic
def department_update(*, actor: Any, department: Department, **changes: Any) -> Department:
    require_capability(actor, "department.manage", "只有政数局管理员可以修改部门")
    department = Department.objects.select_for_update().get(pk=department.pk)
    unknown = set(changes) - set(_DEPARTMENT_FIELDS)
    if unknown:
        raise ApplicationError(f"不能修改字段：{', '.join(sorted(unknown))}")
    before = _department_data(department)
    if "credit_code" in changes:
        changes["credit_code"] = normalize_credit_code(changes["credit_code"])
    for field, value in changes.items():
        setattr(department, field, value.strip() if isinstance(value, str) else value)
    full_clean_or_raise(department, exclude=["path", "depth", "numchild"])
    department.save(update_fields=list(changes))
    after = _department_data(department)
    diff = {k: [before[k], after[k]] for k in _DEPARTMENT_FIELDS if before[k] != after[k]}
    audit_record(actor=actor, action="department.update", obj=department, data={"changes": diff})
    return department


@transaction.atomic
def staff_create(
    *,
    actor: Any,
    username: str,
    password: str,
    full_name: str,
    role: str,
    department: Department,
    phone: str = "",
) -> User:
    require_capability(actor, "staff.manage", "只有政数局管理员可以新建工作人员账号")
    if role == Role.APPLICANT or role not in Role.values:
        raise ApplicationError("请选择工作人员角色", fields={"role": ["无效的角色"]})
    if User.objects.filter(username=username).exists():
        raise ConflictError("该登录名已被使用", fields={"username": ["已存在"]})
    user = User(
        username=username.strip(),
        full_name=full_name.strip(),
        role=role,
        department=department,
        phone=phone.strip(),
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError(exc.messages[0], fields={"password": exc.messages}) from exc
    user.set_password(password)
    full_clean_or_raise(user, exclude=["password"])
    user.save()
    audit_record(
        actor=actor,
        action="staff.create",
        obj=user,
        data={
            "username": user.username,
            "role": role,
            "department_id": department.pk,
            "phone": user.phone,
        },
    )
    return user


@transaction.atomic
def applicant_register(
    *,
    actor: Any,
    kind: str,
    name: str,
    id_number: str = "",
    credit_code: str = "",
    legal_representative: str = "",
    phone: str = "",
    address: str = "",
    user: User | None = None,
) -> Applicant:
    """Register a natural or legal person who applies (at a window, by a helper, or online)."""
    require_capability(actor, "applicant.manage", "您没有登记申请人的权限")
    if kind not in ApplicantKind.values:
        raise ApplicationError("请选择申请人类型（自然人或法人）", fields={"kind": ["无效"]})
    applicant = Applicant(
        kind=kind,
        name=(name or "").strip(),
        id_number=normalize_id_number(id_number) if kind == ApplicantKind.NATURAL else "",
        credit_code=normalize_credit_code(credit_code) if kind == ApplicantKind.LEGAL else "",
        legal_representative=(legal_representative or "").strip(),
        phone=(phone or "").strip(),
        address=(address or "").strip(),
        user=user,
    )
    if kind == ApplicantKind.NATURAL and not applicant.id_number:
        raise ApplicationError("自然人须填写身份证号码", fields={"id_number": ["必填"]})
    if kind == ApplicantKind.LEGAL and not applicant.credit_code:
        raise ApplicationError("法人须填写统一社会信用代码", fields={"credit_code": ["必填"]})
    existing = Applicant.objects.filter(
        id_number_hash=keyed_hash(applicant.id_number), credit_code=applicant.credit_code
    ).first()
    if existing is not None:
        raise ConflictError(
            "该申请人已登记，请直接选用已有记录", code="duplicate", extra={"applicant_id": existing.pk}
        )
    full_clean_or_raise(applicant)
    try:
        with transaction.atomic():
            applicant.save()
    except IntegrityError as exc:  # a concurrent double submit lost the race
        raise ConflictError("该申请人已登记，请直接选用已有记录", code="duplicate") from exc
    audit_record(
        actor=actor,
        action="applicant.register",
        obj=applicant,
        data={
            "kind": kind,
            "id_number": applicant.id_number,
            "credit_code": applicant.credit_code,
            "phone": applicant.phone,
        },
    )
    return applicant


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@transaction.atomic
def api_token_issue(*, actor: Any, user: User, name: str) -> tuple[ApiToken, str]:
    """Issue a bearer token for ``user``; the raw token is returned once and never stored."""
    require_capability(actor, "token.manage", "只有政数局管理员可以签发接口令牌")
    if not name.strip():
        raise ApplicationError("请填写令牌用途", fields={"name": ["必填"]})
    raw = "yc_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name.strip(), prefix=raw[:8], key_hash=_token_hash(raw))
    audit_record(
        actor=actor,
        action="api_token.issue",
        obj=token,
        data={"user_id": user.pk, "name": token.name, "prefix": token.prefix},
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    require_capability(actor, "token.manage", "只有政数局管理员可以吊销接口令牌")
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="api_token.revoke", obj=token, data={"prefix": token.prefix})
    return token


def api_token_authenticate(raw: str) -> User | None:
    """The active user behind a raw bearer token, or None. Records the last use (not audited).

    A token checked in the last few seconds is not read again (``token_cache``)."""
    if not raw or not raw.startswith("yc_"):
        return None
    key_hash = _token_hash(raw)
    recalled = token_user_recall(key_hash)
    if recalled is not None:
        return recalled
    token = (
        ApiToken.objects.select_related("user__department")  # the scope checks read it
        .filter(key_hash=key_hash, revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOKEN_USE_RESOLUTION:
        # Written at most once a minute, so that reads with a token do not all become writes.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token_user_remember(key_hash, token.user)
    return token.user


__all__ = [
    "DepartmentKind",
    "api_token_authenticate",
    "api_token_issue",
    "api_token_revoke",
    "applicant_register",
    "department_create",
    "department_update",
    "staff_create",
]


def applicant_full_read(*, actor: Any, applicant: Applicant, screen: str, purpose: str = "") -> None:
    """Log that ``actor`` saw the applicant's full ID number, phone and address (docs/personal-data.md)."""
    personal_data_read(
        actor=actor,
        obj=applicant,
        person="applicant",
        fields=shown_fields(
            {"id_number": applicant.id_number, "phone": applicant.phone, "address": applicant.address}
        ),
        screen=screen,
        purpose=purpose,
    )
