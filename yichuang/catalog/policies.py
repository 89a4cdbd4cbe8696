"""Who may do what in the catalog.

Everyone (the public included) reads published items, guides and lists. Department staff propose
changes to their own department's items (and those of departments below it); the admin proposes
for any department, decides on proposals, maintains the lists and imports. Change requests are
visible to the proposing department and to the admin.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from yichuang.accounts.models import Department
from yichuang.accounts.policies import department_scope
from yichuang.accounts.roles import CENTRE_WIDE_ROLES
from yichuang.catalog.models import ChangeRequest, ServiceItem
from yichuang.core.errors import NotFoundError, PermissionDeniedError
from yichuang.core.permissions import has_capability, require_capability

__all__ = [
    "can_propose_for",
    "change_request_scope",
    "has_capability",
    "require_can_decide",
    "require_can_manage",
    "require_can_propose_for",
    "require_change_request_visible",
]


def can_propose_for(actor: Any, department: Department) -> bool:
    if not has_capability(actor, "catalog.propose"):
        return False
    if actor.role in CENTRE_WIDE_ROLES:
        return True
    own = actor.department
    return own is not None and department.path.startswith(own.path)


def require_can_propose_for(actor: Any, department: Department) -> None:
    require_capability(actor, "catalog.propose", "只有部门审批人员和政数局管理员可以提出事项变更")
    if not can_propose_for(actor, department):
        raise PermissionDeniedError("只能为本部门（及下属单位）的事项提出变更申请")


def require_can_decide(actor: Any) -> None:
    require_capability(actor, "catalog.approve", "只有政数局管理员可以审核事项变更申请")


def require_can_manage(actor: Any) -> None:
    require_capability(actor, "catalog.manage", "只有政数局管理员可以维护事项清单和导入导出事项")


def change_request_scope(actor: Any) -> QuerySet[ChangeRequest]:
    if has_capability(actor, "catalog.approve"):
        return ChangeRequest.objects.all()
    if not has_capability(actor, "catalog.view"):
        return ChangeRequest.objects.none()
    return ChangeRequest.objects.filter(department__in=department_scope(actor))


def require_change_request_visible(actor: Any, change_request: ChangeRequest) -> None:
    if not change_request_scope(actor).filter(pk=change_request.pk).exists():
        raise NotFoundError("未找到该变更申请，或它不属于您的部门")


def item_editable_scope(actor: Any) -> QuerySet[ServiceItem]:
    if not has_capability(actor, "catalog.propose"):
        return ServiceItem.objects.none()
    if actor.role in CENTRE_WIDE_ROLES:
        return ServiceItem.objects.all()
    return ServiceItem.objects.filter(department__in=department_scope(actor))
