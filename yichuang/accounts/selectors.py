"""Reads of the accounts app, always narrowed to what the asking user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from yichuang.accounts.models import Applicant, Department, User
from yichuang.accounts.policies import (
    applicant_scope,
    require_capability,
    require_department_in_scope,
    staff_scope,
)
from yichuang.core.crypto_fields import keyed_hash
from yichuang.core.errors import NotFoundError
from yichuang.core.validators import normalize_credit_code, normalize_id_number


def department_list(*, actor: Any) -> QuerySet[Department]:
    """The whole organisation tree in tree order (the tree itself is public organisation data)."""
    require_capability(actor, "department.view", "请使用工作人员账号登录后查看部门")
    return Department.objects.order_by("path").annotate(staff_count=Count("staff"))


def department_get(*, actor: Any, department_id: int) -> Department:
    require_capability(actor, "department.view", "请使用工作人员账号登录后查看部门")
    department = Department.objects.filter(pk=department_id).first()
    if department is None:
        raise NotFoundError("未找到该部门")
    return department


def department_staff(*, actor: Any, department: Department) -> QuerySet[User]:
    require_department_in_scope(actor, department)
    return (
        staff_scope(actor)
        .filter(department=department, is_active=True)
        .select_related("department")
        .order_by("role", "username")
    )


def applicant_list(*, actor: Any, query: str = "") -> QuerySet[Applicant]:
    """Applicants visible to ``actor``; ``query`` matches a name or a full identifier."""
    require_capability(actor, "applicant.view", "您没有查看申请人信息的权限")
    applicants = applicant_scope(actor)
    query = query.strip()
    if query:
        # An ID number matches whole or not at all: the column is encrypted, its keyed hash is searchable.
        identifier = keyed_hash(normalize_id_number(query))
        applicants = applicants.filter(
            Q(name__icontains=query)
            | Q(id_number_hash=identifier)
            | Q(credit_code=normalize_credit_code(query))
        )
    return applicants.order_by("-created_at", "-id")


def applicant_get(*, actor: Any, applicant_id: int) -> Applicant:
    applicant = applicant_scope(actor).filter(pk=applicant_id).first()
    if applicant is None:
        raise NotFoundError("未找到该申请人")
    return applicant
