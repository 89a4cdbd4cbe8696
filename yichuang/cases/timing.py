"""Time limits of a case: special procedures that stop the clock (§45), extensions within the legal cap
(§42), and the periodic sweep that keeps every open case's deadline state current.

The due date is stored on the case and moved only here and at acceptance: a finished special procedure
pushes it out by the working days it took, an approved extension by its days. The sweep then sets
``deadline_state`` for all open cases in a few set-based UPDATEs (no per-row Python), so it stays fast
with a million open cases.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from yichuang.cases import policies
from yichuang.cases.models import (
    Case,
    CaseExtension,
    CaseKind,
    CaseMaterialState,
    CaseStatus,
    CommitmentVerification,
    DeadlineState,
    ExtensionStatus,
    SpecialProcedure,
    SpecialProcedureStatus,
    VerificationStatus,
)
from yichuang.cases.notices import notice_issue
from yichuang.cases.services import cases_deem_accepted
from yichuang.cases.workflow import TIMED_STATUSES, case_event, case_lock, case_transition
from yichuang.catalog.models import SpecialProcedureKind
from yichuang.core.audit import audit_record, audited_atomic
from yichuang.core.calendar import add_working_days, working_days_between
from yichuang.core.errors import ApplicationError, ConflictError

SPECIAL_PROCEDURE_KINDS = dict(SpecialProcedureKind.choices)
# 行政许可法 §42: +10 working days with the head's approval; joint or centralised handling +15.
EXTENSION_CAP = {CaseKind.IMMEDIATE: 0, CaseKind.PROMISED: 10, CaseKind.JOINT: 15}
MAX_PROCEDURE_DAYS = 365


def _today() -> dt.date:
    return timezone.localdate()


def deadline_state_for(due_date: dt.date | None, today: dt.date) -> str:
    """The state the sweep would give a running case due on ``due_date``."""
    if due_date is None:
        return DeadlineState.NONE
    if due_date < today:
        return DeadlineState.OVERDUE
    if due_date <= add_working_days(today, settings.YICHUANG_CASE_WARNING_DAYS):
        return DeadlineState.WARNING
    return DeadlineState.NORMAL


# ——— special procedures ———


def _listed_procedure(case: Case, kind: str) -> dict[str, Any] | None:
    for row in case.item_version.special_procedures or []:
        if row.get("kind") == kind:
            return dict(row)
    return None


@audited_atomic
def case_special_procedure_start(
    *, actor: Any, case: Case, kind: str, name: str = "", days: int | None = None, reason: str = ""
) -> SpecialProcedure:
    """Stop the clock for a hearing, inspection, expert review …; the applicant gets a written notice."""
    case = case_lock(case)
    policies.require_can_review(actor, case)
    if kind not in SPECIAL_PROCEDURE_KINDS:
        raise ApplicationError("请选择特别程序的种类", fields={"kind": ["无效"]})
    listed = _listed_procedure(case, kind)
    name = (name or "").strip() or (listed or {}).get("name") or str(SPECIAL_PROCEDURE_KINDS[kind])
    if days is None:
        days = int((listed or {}).get("days") or 0)
    if not 0 < days <= MAX_PROCEDURE_DAYS:
        raise ApplicationError("请填写特别程序所需的工作日数（1至365）", fields={"days": ["无效"]})
    if case.status == CaseStatus.IN_REVIEW and case.reviewer_id not in (None, actor.pk):
        policies.require_can_approve_extension(actor, case)  # another reviewer's case: the head only
    today = _today()
    moved = case_transition(
        case=case,
        locked=True,
        to=CaseStatus.SPECIAL_PROCEDURE,
        actor=actor,
        action="special_procedure_start",
        note=(reason or "").strip() or name,
        changes={"deadline_state": DeadlineState.PAUSED},
        data={"kind": kind, "name": name, "days": days},
    )
    procedure = SpecialProcedure.objects.create(
        case=moved,
        kind=kind,
        name=name,
        planned_days=days,
        started_on=today,
        started_by=actor,
        reason=(reason or "").strip(),
    )
    notice_issue(
        case=moved,
        kind="special_procedure",
        actor=actor,
        facts={"procedure": name, "days": days},
        lines=[("开始日期", f"{today.year}年{today.month}月{today.day}日")],
    )
    return procedure


@audited_atomic
def case_special_procedure_finish(*, actor: Any, case: Case, result: str = "") -> Case:
    """The procedure is over: the clock runs again and the due date moves by the working days it took."""
    locked = case_lock(case)
    policies.require_can_review(actor, locked)
    procedure = (
        SpecialProcedure.objects.select_for_update()
        .filter(case=locked, status=SpecialProcedureStatus.RUNNING)
        .first()
    )
    if procedure is None:
        raise ConflictError("该办件没有进行中的特别程序", code="no_running_procedure")
    today = _today()
    paused = max(0, working_days_between(procedure.started_on, today))
    procedure.status = SpecialProcedureStatus.FINISHED
    procedure.ended_on, procedure.ended_by = today, actor
    procedure.paused_days = paused
    procedure.result = (result or "").strip()
    procedure.save(update_fields=["status", "ended_on", "ended_by", "paused_days", "result"])
    due = add_working_days(locked.due_date, paused) if locked.due_date else None
    return case_transition(
        case=locked,
        locked=True,
        to=CaseStatus.IN_REVIEW,
        actor=actor,
        action="special_procedure_finish",
        note=procedure.result,
        changes={
            "paused_days": locked.paused_days + paused,
            "due_date": due,
            "deadline_state": deadline_state_for(due, today),
        },
        data={"name": procedure.name, "paused_days": paused, "due_date": str(due)},
    )


# ——— extensions ———


def _extension_room(case: Case) -> int:
    cap = EXTENSION_CAP.get(CaseKind(case.kind), 10)
    pending = sum(case.extensions.filter(status=ExtensionStatus.REQUESTED).values_list("days", flat=True))
    return cap - case.extension_days - pending


@audited_atomic
def case_extension_request(*, actor: Any, case: Case, days: int, reason: str) -> CaseExtension:
    """The reviewer asks for more time, with the reason the applicant will be told."""
    case = case_lock(case)
    policies.require_can_review(actor, case)
    if case.status not in (*TIMED_STATUSES, CaseStatus.SPECIAL_PROCEDURE):
        raise ConflictError("只有办理中的办件可以申请延期", code="not_running")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("请填写延期理由", fields={"reason": ["必填"]})
    if case.extensions.filter(status=ExtensionStatus.REQUESTED).exists():
        raise ConflictError("已有一项延期申请待批准", code="extension_pending")
    room = _extension_room(case)
    cap = EXTENSION_CAP.get(CaseKind(case.kind), 10)
    if not isinstance(days, int) or days < 1 or days > room:
        raise ApplicationError(
            f"延期天数应为1至{room}个工作日（法定延期上限{cap}个工作日）"
            if room > 0
            else "已达到法定延期上限，不能再延期",
            fields={"days": ["超出法定上限"]},
            code="extension_cap",
        )
    extension = CaseExtension.objects.create(
        case=case, days=days, reason=reason, requested_by=actor, requested_at=timezone.now()
    )
    case_event(
        case=case,
        actor=actor,
        action="extension_request",
        note=reason,
        data={"days": days, "extension_id": extension.pk},
    )
    return extension


@audited_atomic
def case_extension_decide(
    *, actor: Any, extension: CaseExtension, approve: bool, note: str = ""
) -> CaseExtension:
    """The head approves (the due date moves) or refuses; nobody approves his own request."""
    case = case_lock(extension.case_id)  # the case first, as every step locks it
    extension = CaseExtension.objects.select_for_update().get(pk=extension.pk)
    policies.require_can_approve_extension(actor, case)
    if extension.status != ExtensionStatus.REQUESTED:
        raise ConflictError("该延期申请已处理", code="extension_decided")
    if extension.requested_by_id == actor.pk:
        raise ApplicationError("延期申请须由其他负责人批准", code="separation_of_duties")
    if approve and case.status not in (*TIMED_STATUSES, CaseStatus.SPECIAL_PROCEDURE):
        raise ConflictError("办件已不在办理中，不能延期", code="not_running")
    extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
    extension.decided_by, extension.decided_at = actor, timezone.now()
    extension.decision_note = (note or "").strip()
    extension.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    data: dict[str, Any] = {"days": extension.days, "extension_id": extension.pk, "approved": approve}
    if approve:
        case.extension_days += extension.days
        case.due_date = add_working_days(case.due_date, extension.days) if case.due_date else None
        fields = ["extension_days", "due_date"]
        if case.status in TIMED_STATUSES:
            case.deadline_state = deadline_state_for(case.due_date, _today())
            fields.append("deadline_state")
        case.save(update_fields=fields)
        data["due_date"] = str(case.due_date)
    case_event(
        case=case,
        actor=actor,
        action="extension_approve" if approve else "extension_reject",
        note=extension.decision_note,
        data=data,
    )
    return extension


# ——— the sweep ———


def _terminate_missed_deficiencies(today: dt.date) -> int:
    """容缺: a material not supplied by its due date ends the case (terminated, with the reason)."""
    late = (
        Case.objects.filter(
            status__in=(*TIMED_STATUSES, CaseStatus.SPECIAL_PROCEDURE),
            materials__state=CaseMaterialState.DEFERRED,
            materials__due_date__lt=today,
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    count = 0
    for pk in list(late[:1000]):
        with transaction.atomic():
            case = case_lock(pk)
            names = "、".join(
                case.materials.filter(state=CaseMaterialState.DEFERRED, due_date__lt=today).values_list(
                    "material__name", flat=True
                )
            )
            if not names or case.status not in (*TIMED_STATUSES, CaseStatus.SPECIAL_PROCEDURE):
                continue  # supplied or closed since the query above
            case_transition(
                case=case,
                locked=True,
                to=CaseStatus.TERMINATED,
                actor=None,
                action="terminate",
                note=f"容缺受理后承诺补交的材料逾期未补齐：{names}",
                changes={"closed_at": timezone.now(), "deadline_state": DeadlineState.NONE},
                data={"deficiency_missed": True},
            )
            count += 1
    return count


def _update_states(today: dt.date) -> dict[str, int]:
    warn_until = add_working_days(today, settings.YICHUANG_CASE_WARNING_DAYS)
    timed = Case.objects.filter(status__in=TIMED_STATUSES)
    paused_statuses = (CaseStatus.SPECIAL_PROCEDURE,)
    return {
        "overdue": timed.filter(due_date__lt=today)
        .exclude(deadline_state=DeadlineState.OVERDUE)
        .update(deadline_state=DeadlineState.OVERDUE),
        "warning": timed.filter(due_date__gte=today, due_date__lte=warn_until)
        .exclude(deadline_state=DeadlineState.WARNING)
        .update(deadline_state=DeadlineState.WARNING),
        "normal": timed.filter(due_date__gt=warn_until)
        .exclude(deadline_state=DeadlineState.NORMAL)
        .update(deadline_state=DeadlineState.NORMAL),
        "paused": Case.objects.filter(status__in=paused_statuses)
        .exclude(deadline_state=DeadlineState.PAUSED)
        .update(deadline_state=DeadlineState.PAUSED),
    }


def cases_sweep(*, today: dt.date | None = None) -> dict[str, int]:
    """Deemed acceptance, missed 容缺 materials, and every open case's deadline state. Idempotent."""
    today = today or _today()
    report = {
        "deemed_accepted": cases_deem_accepted(today=today),
        "deficiency_terminated": _terminate_missed_deficiencies(today),
    }
    with transaction.atomic():
        report |= {f"to_{state}": count for state, count in _update_states(today).items()}
    report["verifications_overdue"] = CommitmentVerification.objects.filter(
        status=VerificationStatus.PENDING, due_date__lt=today
    ).count()
    audit_record(actor=None, action="case.sweep", obj=None, data={"day": str(today), **report})
    return report
