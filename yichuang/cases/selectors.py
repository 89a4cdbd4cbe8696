"""Reads of cases, always through ``policies.case_scope`` (applicants see their own, reviewers their
department's, centre-wide roles everything)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from yichuang.cases import policies
from yichuang.cases.models import Case, CaseEvent, CaseStatus
from yichuang.cases.workflow import OPEN_STATUSES, TIMED_STATUSES
from yichuang.core.calendar import working_days_between
from yichuang.core.crypto_fields import keyed_hash
from yichuang.core.errors import NotFoundError
from yichuang.core.validators import normalize_credit_code, normalize_id_number

# What each desk works on.
INBOX_STATUSES = (CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW, CaseStatus.SPECIAL_PROCEDURE)
WINDOW_STATUSES = (CaseStatus.SUBMITTED, CaseStatus.CORRECTION)
ISSUANCE_STATUSES = (CaseStatus.APPROVED, CaseStatus.DENIED, CaseStatus.RESULT_READY)


def _related(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.select_related("item_version", "department", "applicant", "reviewer")


def case_list(
    *,
    actor: Any,
    statuses: list[str] | tuple[str, ...] | None = None,
    query: str = "",
    deadline_state: str = "",
    open_only: bool = False,
) -> QuerySet[Case]:
    """Cases ``actor`` may see; ``query`` matches the number, the item name or the applicant's name."""
    cases = policies.case_scope(actor)
    if statuses:
        cases = cases.filter(status__in=statuses)
    elif open_only:
        cases = cases.filter(status__in=OPEN_STATUSES)
    if deadline_state:
        cases = cases.filter(deadline_state=deadline_state)
    query = query.strip()
    if query:
        cases = cases.filter(
            Q(number__startswith=query) | Q(item_version__name__icontains=query) | Q(applicant__name=query)
        )
    return _related(cases).order_by("-submitted_at", "-pk")


def case_inbox(*, actor: Any) -> QuerySet[Case]:
    """The reviewer's desk: the department's accepted and running cases, soonest due first."""
    return (
        _related(policies.case_scope(actor))
        .filter(status__in=INBOX_STATUSES)
        .order_by(F("due_date").asc(nulls_last=True), "submitted_at", "pk")
    )


def case_window_queue(*, actor: Any) -> QuerySet[Case]:
    """The window's desk: received applications waiting for a check, oldest first."""
    return (
        _related(policies.case_scope(actor))
        .filter(status__in=WINDOW_STATUSES)
        .order_by("correction_notice_due", "submitted_at", "pk")
    )


def case_issuance_queue(*, actor: Any) -> QuerySet[Case]:
    """The issuance window: decided cases whose result is being produced or waits to be handed over."""
    return (
        _related(policies.case_scope(actor)).filter(status__in=ISSUANCE_STATUSES).order_by("decided_at", "pk")
    )


def case_get(*, actor: Any, case_id: int | None = None, number: str | None = None) -> Case:
    cases = _related(policies.case_scope(actor))
    case = (cases.filter(pk=case_id) if case_id is not None else cases.filter(number=number or "")).first()
    if case is None:
        raise NotFoundError("未找到该办件")
    return case


def case_public_lookup(*, number: str, id_number: str) -> Case:
    """进度查询: the case number and the applicant's ID number (or credit code) must both match."""
    number = (number or "").strip()
    identifier = (id_number or "").strip().upper()
    if not number or not identifier:
        raise NotFoundError("请填写办件编号和身份证号码（或统一社会信用代码）")
    case = (
        _related(Case.objects.filter(number=number))
        .filter(
            Q(applicant__id_number_hash=keyed_hash(normalize_id_number(identifier)))
            | Q(applicant__credit_code=normalize_credit_code(identifier))
        )
        .exclude(applicant__id_number_hash="", applicant__credit_code="")
        .first()
    )
    if case is None:
        # One message for both: a wrong number and a wrong ID must not be told apart.
        raise NotFoundError("未找到与办件编号和证件号码相符的办件")
    return case


def case_timeline(case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor").order_by("at", "pk")


def remaining_working_days(case: Case, today: dt.date | None = None) -> int | None:
    """Working days left until the due date (negative when overdue); None when no clock runs."""
    if case.due_date is None or case.status not in TIMED_STATUSES:
        return None
    return working_days_between(today or timezone.localdate(), case.due_date)
