"""Reads of 好差评 for the staff screens and the API: the rectifications, ratings and appeals a user may
list (scoped by ``policies``), one of each or a 404, and the service an applicant may rate himself.

Lists never carry the rater's identity; only ``policies.rater_view`` decides it on a detail.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from yichuang.accounts.models import Department
from yichuang.accounts.policies import department_scope
from yichuang.cases.models import Case
from yichuang.core.errors import ConflictError, NotFoundError
from yichuang.core.permissions import has_capability
from yichuang.hall.models import Ticket
from yichuang.ratings import policies
from yichuang.ratings.models import (
    Appeal,
    AppealStatus,
    Evaluation,
    EvaluationStatus,
    Rectification,
    RectificationEvent,
    RectificationStatus,
    SubjectKind,
)
from yichuang.ratings.subjects import Served, served_case, served_hall_ticket

# The timeline in the centre's words.
EVENT_LABELS = {
    "opened": "差评生成整改",
    "call_attempt": "回访（未联系上）",
    "called_back": "回访核实",
    "answered": "整改反馈",
    "escalated": "超期上报",
    "rated": "评价人评价整改",
    "closed": "办结",
    "withdrawn": "撤销整改（评价已删除）",
}


# A rectification is overdue while the department still owes the call-back or the measure.
OPEN_STATUSES = (RectificationStatus.CALL_BACK, RectificationStatus.RECTIFYING)


def _today() -> dt.date:
    return timezone.localdate()


# ——— rectifications ———


def rectification_list(
    *,
    user: Any,
    status: str = "",
    overdue_only: bool = False,
    department: Department | None = None,
    today: dt.date | None = None,
) -> QuerySet[Rectification]:
    """The rectifications ``user`` may see, soonest due first; ``department`` counts its subtree."""
    rows = policies.rectifications_for(user)
    if status:
        rows = rows.filter(status=status)
    if overdue_only:
        rows = rows.filter(status__in=OPEN_STATUSES, due_date__lt=today or _today())
    if department is not None:
        rows = rows.filter(department__path__startswith=department.path)
    return rows.order_by("due_date", "pk")


def rectification_get(*, user: Any, rectification_id: int) -> Rectification:
    found = (
        policies.rectifications_for(user)
        .select_related("evaluation__department", "evaluation__staff", "evaluation__item")
        .filter(pk=rectification_id)
        .first()
    )
    if found is None:
        raise NotFoundError("未找到该差评整改", code="not_found")
    return found


def rectification_timeline(rectification: Rectification) -> QuerySet[RectificationEvent]:
    return rectification.events.select_related("actor").order_by("at", "pk")


def rectification_is_overdue(rectification: Rectification, today: dt.date | None = None) -> bool:
    return rectification.status in OPEN_STATUSES and rectification.due_date < (today or _today())


def rectification_for_step(
    *, rectification_id: int, status: str, last_event: int | None = None
) -> Rectification:
    """The rectification, locked, if it is still as the form that asks for a step saw it: in ``status``
    and (when given) with ``last_event`` as its latest event. Call inside a transaction: a double submit
    then finds the first one's step and is refused instead of recording a second one."""
    locked = Rectification.objects.select_for_update(of=("self",)).get(pk=rectification_id)
    latest = (
        RectificationEvent.objects.filter(rectification_id=rectification_id)
        .order_by("-at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    if locked.status != status or (last_event is not None and latest != last_event):
        raise ConflictError(
            f"该整改已有新的办理记录（当前为“{locked.get_status_display()}”），请勿重复提交，刷新后查看",
            code="rectification_state",
            extra={"status": locked.status},
        )
    return locked


# ——— ratings ———


def evaluation_list(
    *,
    user: Any,
    start: dt.date | None = None,
    end: dt.date | None = None,
    level: int | None = None,
    channel: str = "",
    bad_only: bool = False,
    department: Department | None = None,
    removed: bool = False,
) -> QuerySet[Evaluation]:
    """The ratings ``user`` may see, newest first. Removed ratings (申诉成立) leave every list; only who
    decides appeals may ask for them (``removed=True`` lists those alone)."""
    rows = policies.evaluations_for(user)
    if removed and has_capability(user, "ratings.decide"):
        rows = rows.filter(status=EvaluationStatus.REMOVED)
    else:
        rows = rows.filter(status=EvaluationStatus.VALID)
    if start is not None:
        rows = rows.filter(rated_at__gte=_day_start(start))
    if end is not None:
        rows = rows.filter(rated_at__lt=_day_start(end + dt.timedelta(days=1)))
    if level is not None:
        rows = rows.filter(level=level)
    if channel:
        rows = rows.filter(channel=channel)
    if bad_only:
        rows = rows.filter(is_bad=True)
    if department is not None:
        rows = rows.filter(department__path__startswith=department.path)
    pending = Appeal.objects.filter(evaluation=OuterRef("pk"), status=AppealStatus.PENDING)
    return (
        rows.select_related("department", "staff", "rectification")
        .annotate(appeal_pending=Exists(pending))
        .order_by("-rated_at", "-pk")
    )


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day))


def evaluation_get(*, user: Any, evaluation_id: int) -> Evaluation:
    found = (
        policies.evaluations_for(user)
        .select_related("department", "staff", "rectification")
        .filter(pk=evaluation_id)
        .first()
    )
    if found is None:
        raise NotFoundError("未找到该评价", code="not_found")
    return found


def appeal_deadline(evaluation: Evaluation, appeal_days: int) -> dt.datetime:
    return evaluation.rated_at + dt.timedelta(days=appeal_days)


def may_appeal_now(user: Any, evaluation: Evaluation, *, appeal_days: int, now: dt.datetime) -> bool:
    """Whether to offer an appeal: the user may appeal, the rating still counts, no appeal of it is under
    review (``appeal_pending`` from ``evaluation_list``), and the appeal period has not passed (the
    service checks all of it again)."""
    return (
        evaluation.status == EvaluationStatus.VALID
        and not getattr(evaluation, "appeal_pending", False)
        and now <= appeal_deadline(evaluation, appeal_days)
        and policies.may_appeal(user, evaluation)
    )


# ——— appeals ———


def appeals_for(user: Any) -> QuerySet[Appeal]:
    """Who decides (the admin) and the centre-wide viewers see every appeal; a department its own."""
    base = Appeal.objects.select_related(
        "evaluation__department", "evaluation__staff", "department", "filed_by", "decided_by"
    )
    if not any(has_capability(user, cap) for cap in ("ratings.decide", "ratings.appeal", "ratings.view")):
        return base.none()
    if has_capability(user, "ratings.decide") or policies.centre_wide(user):
        return base
    return base.filter(department__in=department_scope(user))


def appeal_list(*, user: Any, status: str = "") -> QuerySet[Appeal]:
    rows = appeals_for(user)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-filed_at", "-pk")


def appeal_get(*, user: Any, appeal_id: int) -> Appeal:
    found = appeals_for(user).filter(pk=appeal_id).first()
    if found is None:
        raise NotFoundError("未找到该申诉", code="not_found")
    return found


# ——— the applicant's own services ———


def served_for_rater(*, user: Any, kind: str, subject_id: int) -> Served:
    """A closed case or a finished number of ``user``'s own, as a rating sees it; anyone else's (or one
    that does not exist) is not found — never which."""
    missing = NotFoundError("未找到您本人的该项服务", code="not_found")
    if not getattr(user, "is_authenticated", False):
        raise missing
    if kind == SubjectKind.CASE:
        case = (
            Case.objects.select_related(
                "item", "department", "applicant__user", "decided_by", "reviewer", "accepted_by"
            )
            .filter(pk=subject_id, applicant__user=user)
            .first()
        )
        if case is None:
            raise missing
        return served_case(case)
    if kind == SubjectKind.HALL_TICKET:
        ticket = (
            Ticket.objects.select_related("hall", "category", "window__department", "clerk", "user")
            .filter(pk=subject_id, user=user)
            .first()
        )
        if ticket is None:
            raise missing
        return served_hall_ticket(ticket)
    raise missing


def departments_for_filter() -> QuerySet[Department]:
    """Departments for the centre-wide roles' department filter, in tree order."""
    return Department.objects.filter(is_active=True).order_by("path")
