"""告知承诺 (国办发〔2020〕42号): decide on the applicant's written commitment, then verify it.

A verification (核查) task is opened when a commitment case is approved, due a set number of working days
later. A false commitment revokes the decision and records a 失信 mark on the applicant, who cannot use
commitments again until an admin clears the mark (信用修复).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone

from yichuang.accounts.models import Applicant
from yichuang.cases import policies
from yichuang.cases.models import (
    Case,
    CaseStatus,
    CommitmentVerification,
    CreditMark,
    VerificationStatus,
)
from yichuang.cases.workflow import case_lock, case_transition
from yichuang.catalog.models import ItemVersion
from yichuang.core.audit import audit_record, audited_atomic
from yichuang.core.calendar import add_working_days
from yichuang.core.errors import ApplicationError, ConflictError
from yichuang.core.permissions import require_capability

REVOCABLE = frozenset({CaseStatus.APPROVED, CaseStatus.RESULT_READY, CaseStatus.CLOSED})


def applicant_commitment_barred(applicant: Applicant) -> bool:
    """True while the applicant has a 失信 mark that no admin has cleared."""
    return CreditMark.objects.filter(applicant=applicant, cleared_at__isnull=True).exists()


def commitment_require_allowed(*, version: ItemVersion, applicant: Applicant) -> None:
    if not version.commitment_allowed:
        raise ApplicationError("该事项不适用告知承诺制", code="commitment_not_allowed")
    if applicant_commitment_barred(applicant):
        raise ApplicationError(
            "申请人存在虚假承诺的失信记录，信用修复前不能适用告知承诺制，请提交全部证明材料",
            code="commitment_barred",
        )


def verification_open(*, case: Case, actor: Any) -> CommitmentVerification:
    """Open the 核查 task for an approved commitment case (called by ``case_decide``)."""
    due = add_working_days(timezone.localdate(), settings.YICHUANG_COMMITMENT_VERIFY_DAYS)
    verification, _created = CommitmentVerification.objects.get_or_create(
        case=case, defaults={"due_date": due}
    )
    audit_record(
        actor=actor,
        action="case.verification.open",
        obj=case,
        data={"number": case.number, "due_date": str(verification.due_date)},
    )
    return verification


@audited_atomic
def commitment_verify(
    *, actor: Any, verification: CommitmentVerification, truthful: bool, findings: str
) -> CommitmentVerification:
    """Record the verification; a false commitment revokes the decision and marks the applicant."""
    case = case_lock(verification.case_id)  # the case first, as every step locks it
    verification = CommitmentVerification.objects.select_for_update().get(pk=verification.pk)
    policies.require_can_review(actor, case)
    findings = (findings or "").strip()
    if not findings:
        raise ApplicationError("请填写核查情况", fields={"findings": ["必填"]})
    if verification.status != VerificationStatus.PENDING:
        raise ConflictError("该承诺已核查完毕", code="already_verified")
    verification.status = VerificationStatus.TRUTHFUL if truthful else VerificationStatus.FALSE
    verification.findings = findings
    verification.verified_by = actor
    verification.verified_at = timezone.now()
    verification.save(update_fields=["status", "findings", "verified_by", "verified_at"])
    audit_record(
        actor=actor,
        action="case.verification.record",
        obj=case,
        data={"number": case.number, "truthful": truthful},
    )
    if truthful:
        return verification
    reason = f"核查发现申请人作出虚假承诺：{findings}"
    if case.status in REVOCABLE:
        case_transition(
            case=case,
            locked=True,
            to=CaseStatus.REVOKED,
            actor=actor,
            action="revoke",
            note=reason,
            changes={"revoked_at": timezone.now(), "revoke_reason": reason, "closed_at": timezone.now()},
            data={"false_commitment": True},
        )
    mark = CreditMark.objects.create(
        applicant=case.applicant,
        case=case,
        reason=reason,
        marked_at=timezone.now(),
        marked_by=actor,
    )
    audit_record(
        actor=actor,
        action="credit.mark",
        obj=mark,
        data={"applicant_id": case.applicant_id, "case": case.number},
    )
    return verification


@audited_atomic
def credit_mark_clear(*, actor: Any, mark: CreditMark, reason: str) -> CreditMark:
    """信用修复 by the admin: the applicant may use 告知承诺 again."""
    require_capability(actor, "credit.clear", "只有政数局管理员可以修复失信记录")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("请填写信用修复的依据", fields={"reason": ["必填"]})
    mark = CreditMark.objects.select_for_update().get(pk=mark.pk)
    if mark.cleared_at is not None:
        raise ConflictError("该失信记录已修复", code="already_cleared")
    mark.cleared_at = timezone.now()
    mark.cleared_by = actor
    mark.clear_reason = reason
    mark.save(update_fields=["cleared_at", "cleared_by", "clear_reason"])
    audit_record(actor=actor, action="credit.clear", obj=mark, data={"applicant_id": mark.applicant_id})
    return mark
