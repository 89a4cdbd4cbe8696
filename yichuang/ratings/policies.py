"""Who may see and do what with ratings.

- Figures (``ratings.view``): the admin and the inspector for every department, a chief representative for
  his own (and those below it).
- Rectifications (``ratings.rectify``): the department that served, i.e. staff of that department (or one
  above it) holding the capability; the admin and the inspector see all, the admin takes over escalated ones.
- The rater's identity is shown only to those who must call back: the rectification's assignee and the
  rectifying staff of its department, and the admin once it has escalated. Everyone else sees it masked.
- Appeals are filed by the rated department's chief representative (``ratings.appeal``) and decided by the
  admin (``ratings.decide``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from yichuang.accounts.policies import department_in_scope, department_scope
from yichuang.accounts.roles import CENTRE_WIDE_ROLES
from yichuang.core.masking import mask_id_number, mask_name, mask_phone
from yichuang.core.permissions import has_capability
from yichuang.ratings.models import Evaluation, Rectification


def centre_wide(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.role in CENTRE_WIDE_ROLES)


def may_rectify(user: Any, rectification: Rectification) -> bool:
    if not has_capability(user, "ratings.rectify"):
        return False
    if rectification.assignee_id is not None and rectification.assignee_id == user.pk:
        return True
    if centre_wide(user):
        return bool(rectification.escalated_at) and has_capability(user, "ratings.decide")
    return department_in_scope(user, rectification.department)


def rectifications_for(user: Any) -> QuerySet[Rectification]:
    """The rectifications ``user`` may list."""
    base = Rectification.objects.select_related("evaluation", "department", "assignee")
    if not has_capability(user, "ratings.rectify") and not has_capability(user, "ratings.view"):
        return base.none()
    if centre_wide(user):
        return base
    return base.filter(Q(department__in=department_scope(user)) | Q(assignee=user))


def may_see_rater(user: Any, evaluation: Evaluation) -> bool:
    """Only who must call back a bad rating sees who gave it."""
    if not evaluation.is_bad:
        return False
    rectification = getattr(evaluation, "rectification", None)
    return rectification is not None and may_rectify(user, rectification)


def rater_view(user: Any, evaluation: Evaluation) -> dict[str, str]:
    """The rater as ``user`` may see him: in full for who must call back, masked for everyone else."""
    full = may_see_rater(user, evaluation)
    return {
        "name": evaluation.rater_name if full else mask_name(evaluation.rater_name),
        "id_number": evaluation.rater_id_number if full else mask_id_number(evaluation.rater_id_number),
        "phone": evaluation.rater_phone if full else mask_phone(evaluation.rater_phone),
        "real_name": "实名" if evaluation.is_real_name else "匿名",
        "full": "1" if full else "",
    }


def may_appeal(user: Any, evaluation: Evaluation) -> bool:
    return has_capability(user, "ratings.appeal") and (
        centre_wide(user) or department_in_scope(user, evaluation.department)
    )


def evaluations_for(user: Any) -> QuerySet[Evaluation]:
    """The ratings ``user`` may list (figures and lists): all for the centre-wide roles, else his
    department's."""
    if not has_capability(user, "ratings.view") and not has_capability(user, "ratings.rectify"):
        return Evaluation.objects.none()
    if centre_wide(user):
        return Evaluation.objects.all()
    return Evaluation.objects.filter(department__in=department_scope(user))
