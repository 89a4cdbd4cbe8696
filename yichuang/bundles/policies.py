"""Who may see and move a bundle application.

- The applicant sees his own; the centre-wide roles (admin, inspector, window clerks, issuance window,
  helpers) see every application; a department's staff see the applications with a case of theirs, and
  of the one form only the fields their items use.
- The window (``case.accept``) checks the materials once, tells one 补正 and accepts for every member;
  the issuance window (``case.deliver``) hands all results over together.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from yichuang.accounts.policies import department_scope
from yichuang.accounts.roles import Role
from yichuang.bundles.models import BundleApplication
from yichuang.core.errors import NotFoundError, PermissionDeniedError
from yichuang.core.permissions import has_capability, require_capability

_CENTRE_WIDE = frozenset({Role.ADMIN, Role.INSPECTOR, Role.CLERK, Role.ISSUER, Role.HELPER})


def application_scope(actor: Any) -> QuerySet[BundleApplication]:
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return BundleApplication.objects.none()
    if has_capability(actor, "case.apply"):
        return BundleApplication.objects.filter(applicant__user=actor)
    if actor.role in _CENTRE_WIDE:
        return BundleApplication.objects.all()
    if has_capability(actor, "case.review") or has_capability(actor, "case.accept"):
        return BundleApplication.objects.filter(
            members__case__department__in=department_scope(actor)
        ).distinct()
    return BundleApplication.objects.none()


def sees_whole_form(actor: Any, application: BundleApplication) -> bool:
    return has_capability(actor, "case.apply") or getattr(actor, "role", None) in _CENTRE_WIDE


def require_visible(actor: Any, application: BundleApplication) -> None:
    if not application_scope(actor).filter(pk=application.pk).exists():
        raise NotFoundError("未找到该一件事申请")


def require_can_accept(actor: Any, application: BundleApplication) -> None:
    """The comprehensive window (无差别受理) acts for every department of the bundle; a department's chief
    representative accepts only his own cases, on the case screens."""
    require_visible(actor, application)
    require_capability(actor, "case.accept", "只有综合窗口受理人员可以统一核验、补正和受理")
    if actor.role not in _CENTRE_WIDE:
        raise PermissionDeniedError("一件事由综合窗口统一核验、补正和受理")


def require_can_supply(actor: Any, application: BundleApplication) -> None:
    require_visible(actor, application)
    if not (has_capability(actor, "case.apply") or has_capability(actor, "case.intake")):
        raise PermissionDeniedError("只有申请人本人或窗口工作人员可以提交补正材料")


def require_can_deliver(actor: Any, application: BundleApplication) -> None:
    require_visible(actor, application)
    require_capability(actor, "case.deliver", "只有综合出证窗口可以统一出件")
