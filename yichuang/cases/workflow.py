"""The case's state machine as a table, the provincial status codes, and the one transition function."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from yichuang.cases import hooks
from yichuang.cases.messages import case_status_notify
from yichuang.cases.models import Case, CaseEvent, CaseStatus
from yichuang.core.audit import audit_record, step_record, step_update
from yichuang.core.errors import ConflictError, NotFoundError
from yichuang.core.prepared import PreparedRead

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


# What a step reads with the case row: the clock's days, a decision's result name, the notice's department,
# the message's recipient, the department scope — and what the step's answer shows (``schemas.case_out``).
CASE_STEP_FIELDS = (
    *(field.name for field in Case._meta.concrete_fields),
    "item_version__name",
    "item_version__number",
    "item_version__promised_days",
    "item_version__result_name",
    "department__name",
    "department__short_name",
    "department__path",
    "department__depth",
    "applicant__kind",
    "applicant__name",
    "applicant__id_number",
    "applicant__credit_code",
    "applicant__phone",
    "applicant__user_id",
    "reviewer__full_name",
    "reviewer__username",
)


def _locked_read(pk: int) -> QuerySet[Case]:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("item_version", "department", "applicant", "reviewer")
        .only(*CASE_STEP_FIELDS)
        .filter(pk=pk)
    )


_LOCKED_READ = PreparedRead(_locked_read)  # every step runs it: compiled once per process


def case_lock(case: Case | int) -> Case:
    """Lock the case's row until the transaction ends and read it as it is now, with its item version,
    department, applicant and reviewer (only the case row is locked). Call inside a transaction; a case
    that does not exist reads as absent (404)."""
    locked = _LOCKED_READ.get(case if isinstance(case, int) else case.pk)
    if locked is None:
        raise NotFoundError("未找到该办件")
    return locked


def transition_require(case: Case, to: str) -> None:
    """Refuse a move the table does not allow from the case's status (409)."""
    if to not in TRANSITIONS[case.status]:
        raise ConflictError(
            f"办件当前状态为“{case.get_status_display()}”，不能{S(to).label}",
            code="illegal_transition",
            extra={"status": case.status, "to": to},
        )


def case_transition(
    *,
    case: Case,
    to: str,
    actor: Any,
    action: str,
    note: str = "",
    changes: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    locked: bool = False,
) -> Case:
    """Refuse an illegal move, apply ``changes``, append the timeline event and the audit event, and tell
    the applicant. Call inside a transaction; the case row is locked first unless the caller already holds
    the lock (``locked=True``: ``case`` came from ``case_lock`` in this transaction)."""
    row = case if locked else case_lock(case)
    transition_require(row, to)
    before = row.status
    row.status = to
    fields = {"status"}
    for name, value in (changes or {}).items():
        setattr(row, name, value)
        fields.add(name)
    step_update(row, fields)
    now = timezone.now()
    step_record(
        CaseEvent(
            case=row,
            action=action,
            from_status=before,
            to_status=to,
            actor=actor,
            at=now,
            note=note,
            data=data or {},
        )
    )
    audit_record(
        actor=actor,
        action=f"case.{action}",
        obj=row,
        data={"number": row.number, "from": before, "to": to, "note": note, **(data or {})},
    )
    case_status_notify(row)
    hooks.transitioned(case=row, before=before, actor=actor)
    return row


def case_event(
    *, case: Case, actor: Any, action: str, note: str = "", data: dict[str, Any] | None = None
) -> None:
    """A timeline step that does not change the status (an extension asked for or granted …)."""
    step_record(
        CaseEvent(
            case=case,
            action=action,
            from_status=case.status,
            to_status=case.status,
            actor=actor,
            at=timezone.now(),
            note=note,
            data=data or {},
        )
    )
    audit_record(
        actor=actor,
        action=f"case.{action}",
        obj=case,
        data={"number": case.number, "note": note, **(data or {})},
    )
