"""The change request's states as a table; one function moves between them."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from yichuang.catalog.models import ChangeRequest, ChangeRequestStatus
from yichuang.core.audit import audit_record
from yichuang.core.errors import ConflictError

Status = ChangeRequestStatus

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.SUBMITTED: frozenset({Status.APPROVED, Status.REJECTED, Status.WITHDRAWN}),
    Status.APPROVED: frozenset(),
    Status.REJECTED: frozenset(),
    Status.WITHDRAWN: frozenset(),
}


def change_request_transition(
    *,
    change_request: ChangeRequest,
    to: str,
    actor: Any,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> ChangeRequest:
    """Lock the row, refuse an illegal move, save and append the audit event. Call inside a transaction."""
    locked = ChangeRequest.objects.select_for_update().get(pk=change_request.pk)
    if to not in TRANSITIONS[locked.status]:
        raise ConflictError(
            f"该申请当前状态为“{locked.get_status_display()}”，不能再{Status(to).label}",
            code="illegal_transition",
            extra={"status": locked.status, "to": to},
        )
    before = locked.status
    locked.status = to
    fields = ["status"]
    if to in (Status.APPROVED, Status.REJECTED):
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.decision_reason = reason
        fields += ["decided_by", "decided_at", "decision_reason"]
    locked.save(update_fields=fields)
    audit_record(
        actor=actor,
        action=f"catalog.change_request.{to}",
        obj=locked,
        data={"from": before, "to": to, "reason": reason, "kind": locked.kind, **(data or {})},
    )
    return locked
