"""Who may see and do what: role capabilities (``roles``) narrowed by department scope.

Staff see their own department and the departments below it; the admin and the inspector see the
whole centre. Applicants see only themselves.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from yichuang.accounts.models import Applicant, Department, User
from yichuang.accounts.roles import CENTRE_WIDE_ROLES, STAFF_ROLES
from yichuang.core.errors import NotFoundError
from yichuang.core.permissions import has_capability, require_capability

__all__ = [
    "applicant_scope",
    "can_see_department_staff",
    "department_in_scope",
    "department_scope",
    "has_capability",
    "require_capability",
    "require_department_in_scope",
    "staff_scope",
]


def _is_staff(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.role in STAFF_ROLES)


def department_scope(user: Any) -> QuerySet[Department]:
    """Departments whose internal data (staff, later cases) ``user`` may see."""
    if not _is_staff(user) or not user.is_active:
        return Department.objects.none()
    if user.role in CENTRE_WIDE_ROLES:
        return Department.objects.all()
    own = user.department
    return Department.objects.filter(path__startswith=own.path, depth__gte=own.depth)


def department_in_scope(user: Any, department: Department) -> bool:
    """Whether ``department`` is in ``department_scope(user)``, decided from the loaded rows (no query)."""
    if not _is_staff(user) or not user.is_active:
        return False
    if user.role in CENTRE_WIDE_ROLES:
        return True
    own = user.department
    return bool(department.path.startswith(own.path) and department.depth >= own.depth)


def can_see_department_staff(user: Any, department: Department) -> bool:
    if not has_capability(user, "staff.view"):
        return False
    if user.role in CENTRE_WIDE_ROLES:
        return True
    own = user.department
    return department.path.startswith(own.path)


def require_department_in_scope(user: Any, department: Department) -> None:
    if not can_see_department_staff(user, department):
        # Out of scope reads as absent: do not reveal what another department holds.
        raise NotFoundError("未找到该部门，或该部门不在您的管辖范围内")


def staff_scope(user: Any) -> QuerySet[User]:
    if not has_capability(user, "staff.view"):
        return User.objects.none()
    return User.objects.filter(department__in=department_scope(user))


def applicant_scope(user: Any) -> QuerySet[Applicant]:
    if has_capability(user, "applicant.view"):
        return Applicant.objects.all()
    if has_capability(user, "applicant.self"):
        return Applicant.objects.filter(user=user)
    return Applicant.objects.none()
