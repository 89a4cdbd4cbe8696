"""The case's state machine as a table, the provincial status codes, and the one transition function."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from yichuang.cases.messages import case_status_notify
from yichuang.cases.models import Case, CaseEvent, CaseStatus
from yichuang.core.audit import audit_record
from yichuang.core.errors import ConflictError

S = CaseStatus

TRANSITIONS: dict[str, frozenset[str]] = {
    S.SUBMITTED: frozenset({S.ACCEPTED, S.REFUSED, S.CORRECTION, S.WITHDRAWN}),
    S.CORRECTION: frozenset({S.SUBMITTED, S.ACCEPTED, S.REFUSED, S.WITHDRAWN}),
    S.ACCEPTED: frozenset({S.IN_REVIEW, S.APPROVED, S.DENIED, S.WITHDRAWN, S.TERMINATED}),
    S.IN_REVIEW: frozenset({S.SPECIAL_PROCEDURE, S.APPROVED, S.DENIED, S.WITHDRAWN, S.TERMINATED}),
    S.SPECIAL_PROCEDURE: frozenset({S.IN_REVIEW, S.WITHDRAWN, S.TERMINATED}),
    S.APPROVED: frozenset({S.RESULT_READY, S.REVOKED}),
    S.DENIED: frozenset({S.RESULT_READY}),
    S.RESULT_READY: frozenset({S.CLOSED, S.REVOKED}),
    S.CLOSED: frozenset({S.REVOKED}),
    S.REFUSED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.TERMINATED: frozenset(),
    S.REVOKED: frozenset(),
}

OPEN_STATUSES = frozenset(
    {
        S.SUBMITTED,
        S.CORRECTION,
        S.ACCEPTED,
        S.IN_REVIEW,
        S.SPECIAL_PROCEDURE,
        S.APPROVED,
        S.DENIED,
        S.RESULT_READY,
    }
)
# States in which the decision clock runs (from acceptance to decision).
TIMED_STATUSES = frozenset({S.ACCEPTED, S.IN_REVIEW})

# Status codes used by provincial platforms (DESIGN §4) for exchanging cases.
PROVINCIAL_CODES: dict[str, str] = {
    S.SUBMITTED: "1",  # 已接件
    S.CORRECTION: "6",  # 补正开始（补正结束 7 is the event that leaves it）
    S.ACCEPTED: "3",  # 已受理
    S.REFUSED: "5",  # 不予受理
    S.IN_REVIEW: "8",  # 部门开始办理
    S.SPECIAL_PROCEDURE: "9",  # 特别程序开始（结束 10）
    S.APPROVED: "11",  # 办结（通过）; 12 when accepted with deficiencies, see provincial_code()
    S.DENIED: "13",  # 办结（不通过）
    S.RESULT_READY: "11",
    S.CLOSED: "11",
    S.WITHDRAWN: "2",  # 已撤件 before acceptance; 14 撤回 after, see provincial_code()
    S.TERMINATED: "13",
    S.REVOKED: "15",  # 撤销
}


def provincial_code(case: Case) -> str:
    """The status code a provincial platform expects for this case now."""
    if case.status == S.WITHDRAWN and case.accepted_at is not None:
        return "14"
    if case.status in (S.APPROVED, S.RESULT_READY, S.CLOSED) and case.decision == "deny":
        return "13"
    if (
        case.status in (S.APPROVED, S.RESULT_READY, S.CLOSED)
        and case.materials.filter(state="deferred").exists()
    ):
        return "12"
    return PROVINCIAL_CODES[case.status]


def case_transition(
    *,
    case: Case,
    to: str,
    actor: Any,
    action: str,
    note: str = "",
    changes: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
) -> Case:
    """Lock the case row, refuse an illegal move, apply ``changes``, append the timeline event and the
    audit event, and tell the applicant (after commit). Call inside a transaction."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if to not in TRANSITIONS[locked.status]:
        raise ConflictError(
            f"办件当前状态为“{locked.get_status_display()}”，不能{S(to).label}",
            code="illegal_transition",
            extra={"status": locked.status, "to": to},
        )
    before = locked.status
    locked.status = to
    fields = {"status"}
    for name, value in (changes or {}).items():
        setattr(locked, name, value)
        fields.add(name)
    locked.save(update_fields=sorted(fields))
    now = timezone.now()
    CaseEvent.objects.create(
        case=locked,
        action=action,
        from_status=before,
        to_status=to,
        actor=actor,
        at=now,
        note=note,
        data=data or {},
    )
    audit_record(
        actor=actor,
        action=f"case.{action}",
        obj=locked,
        data={"number": locked.number, "from": before, "to": to, "note": note, **(data or {})},
    )
    case_status_notify(locked)
    return locked


def case_event(
    *, case: Case, actor: Any, action: str, note: str = "", data: dict[str, Any] | None = None
) -> None:
    """A timeline step that does not change the status (an extension asked for or granted …)."""
    CaseEvent.objects.create(
        case=case,
        action=action,
        from_status=case.status,
        to_status=case.status,
        actor=actor,
        at=timezone.now(),
        note=note,
        data=data or {},
    )
    audit_record(
        actor=actor,
        action=f"case.{action}",
        obj=case,
        data={"number": case.number, "note": note, **(data or {})},
    )
