"""Who may do what with a case.

- Applicants apply online (or at a kiosk) for themselves, see only their own cases and supply
  corrections to them.
- Comprehensive-window clerks receive and accept any stationed item (无差别受理); helpers file on
  behalf of applicants; a chief representative receives and accepts for his own department.
- Reviewers and chief representatives see and decide their department's cases (subtree).
- The admin, the inspector and the issuance window see every case.

A case outside someone's scope reads as absent (404) before any capability is checked (403), so a
refusal never tells whether a case exists. The checks read the case's loaded rows, not the database.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from yichuang.accounts.models import Applicant
from yichuang.accounts.policies import department_in_scope, department_scope
from yichuang.accounts.roles import Role
from yichuang.cases.models import Case, CaseChannel
from yichuang.core.errors import NotFoundError, PermissionDeniedError
from yichuang.core.permissions import has_capability, require_capability

SELF_SERVICE_CHANNELS = frozenset({CaseChannel.ONLINE, CaseChannel.MOBILE, CaseChannel.KIOSK})
_CENTRE_WIDE = frozenset({Role.ADMIN, Role.INSPECTOR, Role.CLERK, Role.ISSUER, Role.HELPER})


def _own_applicant(actor: Any, applicant: Applicant) -> bool:
    return applicant.user_id is not None and applicant.user_id == getattr(actor, "pk", None)


def require_can_submit(actor: Any, *, applicant: Applicant, channel: str) -> None:
    if channel not in CaseChannel.values:
        raise PermissionDeniedError("申请渠道无效")
    if has_capability(actor, "case.apply"):
        if channel not in SELF_SERVICE_CHANNELS:
            raise PermissionDeniedError("申请人请通过网上、掌上或自助终端提交申请")
        if not _own_applicant(actor, applicant):
            raise PermissionDeniedError("只能以本人名义提交申请")
        return
    require_capability(actor, "case.intake", "只有窗口工作人员和帮办代办员可以代为接件")


def case_scope(actor: Any) -> QuerySet[Case]:
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return Case.objects.none()
    if has_capability(actor, "case.apply"):
        return Case.objects.filter(applicant__user=actor)
    if actor.role in _CENTRE_WIDE:
        return Case.objects.all()
    if has_capability(actor, "case.review") or has_capability(actor, "case.accept"):
        return Case.objects.filter(department__in=department_scope(actor))
    return Case.objects.none()


def case_visible(actor: Any, case: Case) -> bool:
    """Whether ``case`` is in ``case_scope(actor)``, decided from the case's loaded rows."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if has_capability(actor, "case.apply"):
        return bool(case.applicant.user_id is not None and case.applicant.user_id == actor.pk)
    if actor.role in _CENTRE_WIDE:
        return True
    if has_capability(actor, "case.review") or has_capability(actor, "case.accept"):
        return department_in_scope(actor, case.department)
    return False


def require_case_visible(actor: Any, case: Case) -> None:
    if not case_visible(actor, case):
        raise NotFoundError("未找到该办件")


def require_can_accept(actor: Any, case: Case) -> None:
    require_case_visible(actor, case)
    require_capability(actor, "case.accept", "只有综合窗口受理人员和首席代表可以受理")


def require_can_supply(actor: Any, case: Case) -> None:
    require_case_visible(actor, case)
    if not has_capability(actor, "case.apply"):
        require_capability(actor, "case.intake", "只有申请人本人或窗口工作人员可以提交补正材料")


def require_can_review(actor: Any, case: Case) -> None:
    """Reviewers and chief representatives of the case's department (or a department above it)."""
    require_case_visible(actor, case)
    require_capability(actor, "case.review", "只有本部门审批人员可以审查和决定")
    if actor.role != Role.ADMIN and not department_in_scope(actor, case.department):
        raise NotFoundError("未找到该办件")


def require_can_deliver(actor: Any, case: Case) -> None:
    require_case_visible(actor, case)
    require_capability(actor, "case.deliver", "只有综合出证窗口可以送达审批结果")


def require_can_approve_extension(actor: Any, case: Case) -> None:
    """延期 needs the approval of the department's head: its chief representative, or the admin."""
    require_case_visible(actor, case)
    require_capability(actor, "case.extend", "延期须经本部门负责人（首席代表）批准")
    require_can_review(actor, case)


def require_can_receive_deferred(actor: Any, case: Case) -> None:
    """A 容缺 material that came in is registered by the window or by the department's reviewers."""
    require_case_visible(actor, case)
    if not (has_capability(actor, "case.accept") or has_capability(actor, "case.review")):
        raise PermissionDeniedError("只有窗口受理人员或本部门审批人员可以登记补交的材料")
