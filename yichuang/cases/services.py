"""Writes of the case lifecycle — first part: receipt (online or at a window), the material checklist,
acceptance, refusal, the one-time correction notice and deemed acceptance. Each is atomic, checks who
acts, locks the case row through ``workflow.case_transition`` and leaves a timeline and an audit event.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from yichuang.accounts.models import Applicant
from yichuang.cases import hooks, policies
from yichuang.cases.commitments import commitment_require_allowed, verification_open
from yichuang.cases.messages import case_status_notify
from yichuang.cases.models import (
    Case,
    CaseChannel,
    CaseEvent,
    CaseKind,
    CaseMaterial,
    CaseMaterialState,
    CaseNotice,
    CaseStatus,
    DeadlineState,
)
from yichuang.cases.notices import material_lines, notice_issue
from yichuang.cases.notices_pdf import NOTICE_KINDS, chinese_date
from yichuang.cases.numbering import case_number_next
from yichuang.cases.workflow import case_event, case_lock, case_transition, transition_require
from yichuang.catalog.models import (
    ItemCaseKind,
    ItemKind,
    ItemStatus,
    Material,
    MaterialNecessity,
    ServiceItem,
)
from yichuang.core.audit import audit_record, audited_atomic, step_record
from yichuang.core.calendar import add_working_days
from yichuang.core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from yichuang.core.prepared import PreparedRead

CORRECTION_NOTICE_WORKING_DAYS = 5  # 行政许可法 §32
ONLINE_CHANNELS = frozenset({CaseChannel.ONLINE, CaseChannel.MOBILE})
SATISFIED = frozenset(
    {
        CaseMaterialState.RECEIVED,
        CaseMaterialState.ORIGINAL_CHECKED,
        CaseMaterialState.EXEMPT,
        CaseMaterialState.COMMITTED,
    }
)
# Days the applicant is given to bring what a 一次性告知书 lists (printed on it; not a statutory limit).
CORRECTION_SUPPLY_WORKING_DAYS = 20
REMEDIES = (
    "如对本决定不服，可以自收到本通知之日起六十日内依法申请行政复议，"
    "或者在六个月内依法向人民法院提起行政诉讼。"
)


def _today() -> dt.date:
    return timezone.localdate()


def _require_text(value: str, field: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ApplicationError(f"请填写{what}", fields={field: ["必填"]})
    return value


@dataclass(frozen=True)
class Submission:
    case: Case
    repeat: bool
    materials: list[CaseMaterial] = field(default_factory=list)
    received: CaseEvent | None = None


def case_submit(
    *,
    actor: Any,
    item: ServiceItem,
    applicant: Applicant,
    channel: str,
    idempotency_key: str | None = None,
    by_commitment: bool = False,
    use_licences: bool = False,
) -> Case:
    """Receive an application (接件); see ``case_submit_or_repeat``."""
    return case_submit_or_repeat(
        actor=actor,
        item=item,
        applicant=applicant,
        channel=channel,
        idempotency_key=idempotency_key,
        by_commitment=by_commitment,
        use_licences=use_licences,
    ).case


# Read on every submission: compiled once per process.
_ITEM_READ = PreparedRead(
    lambda pk: ServiceItem.objects.select_related("current_version", "department").filter(pk=pk)
)
_MATERIALS_READ = PreparedRead(lambda version_id: Material.objects.filter(version_id=version_id))
# The decision a delivery receipt names (the latest 决定书 of the case).
_DECISION_NOTICE = PreparedRead(
    lambda case_id: (
        CaseNotice.objects.filter(case_id=case_id, kind__in=("decision_approve", "decision_deny"))
        .only("kind", "document_number")
        .order_by("-issued_at", "-pk")[:1]
    )
)
# A case's materials, read by every check, acceptance and decision.
_CASE_MATERIALS = PreparedRead(
    lambda case_id: (
        CaseMaterial.objects.select_related("material")
        .filter(case_id=case_id)
        .order_by("material__position", "pk")
    )
)


_REPEAT = PreparedRead(
    lambda submitter_id, key: Case.objects.filter(submitted_by_id=submitter_id, idempotency_key=key),
    key_types=(int, str),
)


def _repeat_of(actor: Any, key: str, item: ServiceItem, applicant: Applicant) -> Case | None:
    existing = _REPEAT.get(actor.pk, key)
    if existing is not None and (existing.item_id != item.pk or existing.applicant_id != applicant.pk):
        raise ConflictError("该幂等键已用于另一份申请", code="idempotency_key_reused")
    return existing


@audited_atomic
def case_submit_or_repeat(
    *,
    actor: Any,
    item: ServiceItem,
    applicant: Applicant,
    channel: str,
    idempotency_key: str | None = None,
    by_commitment: bool = False,
    use_licences: bool = False,
) -> Submission:
    """Receive an application (接件): online by the applicant, or at a window / kiosk / by a helper.

    The same submitter repeating an ``idempotency_key`` (a double click, a client retrying after a
    timeout — even at the same moment) gets the first case back (``repeat``); a new case comes with the
    materials and the receipt event it was made with.

    ``by_commitment``: the applicant commits in writing (告知承诺) instead of proving what the catalog lets
    a commitment replace; only for items that allow it and applicants without a 失信 mark.

    ``use_licences``: the applicant agrees that materials an e-licence can replace are taken from the
    licences he holds (免证办, through the ``hooks.on_submitted`` of the licences app)."""
    policies.require_can_submit(actor, applicant=applicant, channel=channel)
    key = (idempotency_key or "").strip() or None
    if key is not None and (existing := _repeat_of(actor, key, item, applicant)) is not None:
        return Submission(existing, repeat=True)
    found = _ITEM_READ.get(item.pk)
    if found is None:
        raise NotFoundError("未找到该事项")
    item, version = found, found.current_version
    if item.kind != ItemKind.HANDLING or item.status != ItemStatus.ACTIVE or version is None:
        raise ApplicationError("该事项不是可申请的在用办理项", code="item_not_applicable")
    if channel in ONLINE_CHANNELS and version.online_depth < 3:
        raise ApplicationError("该事项暂不支持网上申请，请到政务服务中心窗口办理", code="not_online")
    if by_commitment:
        commitment_require_allowed(version=version, applicant=applicant)
    today = _today()
    case = Case(
        number=case_number_next(implementation_code=version.implementation_code, day=today),
        item=item,
        item_version=version,
        department=item.department,
        applicant=applicant,
        channel=channel,
        kind=CaseKind.IMMEDIATE if version.case_kind == ItemCaseKind.IMMEDIATE else CaseKind.PROMISED,
        submitted_at=timezone.now(),
        submitted_by=actor,
        idempotency_key=key,
        correction_notice_due=add_working_days(today, CORRECTION_NOTICE_WORKING_DAYS),
        by_commitment=by_commitment,
    )
    try:
        # The unique (submitter, key) index makes a racing twin wait for the first one's commit and fail.
        with transaction.atomic() if key is not None else nullcontext():
            case.save()
    except IntegrityError:
        existing = _repeat_of(actor, key, item, applicant) if key is not None else None
        if existing is None:
            raise
        return Submission(existing, repeat=True)
    materials = CaseMaterial.objects.bulk_create(
        [
            CaseMaterial(
                case=case,
                material=material,
                state=(
                    CaseMaterialState.COMMITTED
                    if by_commitment and material.commitment_replaceable
                    else CaseMaterialState.MISSING
                ),
            )
            for material in _MATERIALS_READ.rows(version.pk)
        ]
    )
    received = step_record(
        CaseEvent(
            case=case,
            action="submit",
            from_status="",
            to_status=case.status,
            actor=actor,
            at=case.submitted_at,
        )
    )

    audit_record(
        actor=actor,
        action="case.submit",
        obj=case,
        data={
            "number": case.number,
            "item_id": item.pk,
            "version": version.number,
            "channel": channel,
            "by_commitment": by_commitment,
        },
    )
    if use_licences and any(row.material.licence_type_code for row in materials):
        hooks.submitted(case=case, actor=actor, options={"use_licences": True, "materials": materials})
    case_status_notify(case)
    return Submission(case, repeat=False, materials=materials, received=received)


@audited_atomic
def case_check_materials(
    *, actor: Any, case: Case, findings: dict[int, tuple[str, str]]
) -> list[CaseMaterial]:
    """Record what the window found for each material: ``{case_material_id: (state, note)}``."""
    case = case_lock(case)
    policies.require_can_accept(actor, case)
    if case.status not in (CaseStatus.SUBMITTED, CaseStatus.CORRECTION):
        raise ConflictError("只有待受理的办件可以核验材料", code="not_receiving")
    rows = {row.pk: row for row in _CASE_MATERIALS.rows(case.pk)}
    unknown = set(findings) - set(rows)
    if unknown:
        raise ApplicationError("材料不属于该办件", fields={"materials": [str(pk) for pk in sorted(unknown)]})
    changed = []
    for pk, (state, note) in findings.items():
        if state not in CaseMaterialState.values or state == CaseMaterialState.DEFERRED:
            raise ApplicationError("材料状态无效", fields={f"materials.{pk}": ["状态无效"]})
        row = rows[pk]
        if state == CaseMaterialState.COMMITTED and not (
            case.by_commitment and row.material.commitment_replaceable
        ):
            raise ApplicationError(
                f"“{row.material.name}”不能以告知承诺替代", fields={f"materials.{pk}": ["不能以承诺替代"]}
            )
        if state == CaseMaterialState.EXEMPT and not row.licence_identifier:
            raise ApplicationError(
                f"“{row.material.name}”不能直接免提交：须先调取申请人持有的有效电子证照（免证办）",
                fields={f"materials.{pk}": ["未调取电子证照"]},
            )
        if state == CaseMaterialState.DEFICIENT and not note.strip():
            raise ApplicationError(
                f"请说明“{row.material.name}”哪里不符合要求", fields={f"materials.{pk}": ["请说明问题"]}
            )
        if state != CaseMaterialState.EXEMPT and row.licence_identifier:
            # The window takes the paper instead: the licence no longer stands for this material.
            row.licence_identifier = row.licence_provider = row.licence_authorisation = ""
            CaseMaterial.objects.filter(pk=row.pk).update(
                licence_identifier="", licence_provider="", licence_authorisation=""
            )
        row.state, row.note = state, note.strip()
        changed.append(row)
    _materials_save(changed)
    audit_record(
        actor=actor,
        action="case.check_materials",
        obj=case,
        data={"number": case.number, "findings": {str(k): v[0] for k, v in findings.items()}},
    )
    return list(rows.values())


def _materials_save(rows: list[CaseMaterial]) -> None:
    """Write the rows' state and note: one UPDATE per distinct finding (usually one for all of them)."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for row in rows:
        groups[(row.state, row.note)].append(row.pk)
    for (state, note), pks in groups.items():
        CaseMaterial.objects.filter(pk__in=pks).update(state=state, note=note)


def _outstanding(case: Case) -> tuple[list[CaseMaterial], list[CaseMaterial]]:
    """(required materials not satisfied, deferrable materials not satisfied)."""
    blocking: list[CaseMaterial] = []
    deferrable: list[CaseMaterial] = []
    for row in _CASE_MATERIALS.rows(case.pk):
        if row.state in SATISFIED or row.material.necessity == MaterialNecessity.OPTIONAL:
            continue
        (deferrable if row.material.necessity == MaterialNecessity.DEFERRABLE else blocking).append(row)
    return blocking, deferrable


def _start_clock(case: Case, start: dt.date) -> dict[str, Any]:
    limit = case.item_version.promised_days
    return {
        "limit_days": limit,
        "due_date": add_working_days(start, limit),
        "deadline_state": DeadlineState.NORMAL,
    }


@audited_atomic
def case_accept(*, actor: Any, case: Case, deficiency_commitment: bool = False, note: str = "") -> Case:
    """受理. Required materials must all be in; 容缺后补 ones may follow on a signed commitment."""
    case = case_lock(case)
    policies.require_can_accept(actor, case)
    transition_require(case, CaseStatus.ACCEPTED)
    blocking, deferrable = _outstanding(case)
    if blocking:
        names = "、".join(row.material.name for row in blocking)
        raise ApplicationError(
            f"以下材料尚未齐全，不能受理：{names}。请一次性告知补正，或作出不予受理决定",
            code="materials_incomplete",
            extra={"materials": [row.pk for row in blocking]},
        )
    if deferrable and not deficiency_commitment:
        names = "、".join(row.material.name for row in deferrable)
        raise ApplicationError(
            f"{names}尚未提交：如申请人书面承诺限期补交，可以容缺受理", code="deficiency_commitment_required"
        )
    today = _today()
    changes = _start_clock(case, today) | {"accepted_at": timezone.now(), "accepted_by": actor}
    if deferrable:
        # Never beyond the promised limit (DESIGN §4): the material is due before the case is.
        for row in deferrable:
            row.state, row.due_date = CaseMaterialState.DEFERRED, changes["due_date"]
        CaseMaterial.objects.bulk_update(deferrable, ["state", "due_date"])
    accepted = case_transition(
        case=case,
        locked=True,
        to=CaseStatus.ACCEPTED,
        actor=actor,
        action="accept",
        note=note,
        changes=changes,
        data={"deferred": [row.material.name for row in deferrable], "due_date": str(changes["due_date"])},
    )
    received = timezone.localdate(case.submitted_at)
    notice_issue(
        case=accepted,
        kind="acceptance",
        actor=actor,
        facts={"received_on": received, "promised_days": changes["limit_days"]},
        lines=[("受理日期", chinese_date(today)), ("承诺办结日期", chinese_date(changes["due_date"]))],
    )
    if deferrable:
        notice_issue(
            case=accepted,
            kind="deficiency",
            actor=actor,
            facts={"received_on": received, "deadline": changes["due_date"]},
            listed=material_lines(deferrable),
        )
    return accepted


@audited_atomic
def case_refuse(*, actor: Any, case: Case, reason: str, competent_office: str = "") -> Case:
    """不予受理: in writing, with the reason, the remedies, and the competent office where there is one."""
    case = case_lock(case)
    policies.require_can_accept(actor, case)
    reason = _require_text(reason, "reason", "不予受理的理由")
    refused = case_transition(
        case=case,
        locked=True,
        to=CaseStatus.REFUSED,
        actor=actor,
        action="refuse",
        note=reason,
        changes={
            "refusal_reason": reason,
            "competent_office": competent_office.strip(),
            "closed_at": timezone.now(),
        },
        data={"competent_office": competent_office.strip(), "remedies": REMEDIES},
    )
    notice_issue(
        case=refused,
        kind="refusal",
        actor=actor,
        facts={
            "received_on": timezone.localdate(refused.submitted_at),
            "reason": reason.rstrip("。"),
            "other_office": competent_office.strip(),
        },
        remedies=True,
    )
    return refused


@audited_atomic
def case_request_correction(*, actor: Any, case: Case, note: str = "", notice: bool = True) -> Case:
    """一次性告知补正: one notice naming every missing or defective material, within 5 working days.
    ``notice=False``: the caller issues one notice for several cases (a bundle's)."""
    case = case_lock(case)
    policies.require_can_accept(actor, case)
    transition_require(case, CaseStatus.CORRECTION)
    hooks.step(case=case, action="request_correction", actor=actor)
    if _today() > case.correction_notice_due:
        raise ConflictError(
            "已超过收到申请之日起5个工作日的补正告知期限，依法自收到申请之日起即为受理",
            code="correction_notice_late",
        )
    blocking, deferrable = _outstanding(case)
    defects = blocking + deferrable
    if not defects:
        raise ApplicationError("材料已齐全，无需补正，请直接受理", code="nothing_to_correct")
    listed = [{"material": row.material.name, "state": row.state, "note": row.note} for row in defects]
    deadline = add_working_days(_today(), CORRECTION_SUPPLY_WORKING_DAYS)
    corrected = case_transition(
        case=case,
        locked=True,
        to=CaseStatus.CORRECTION,
        actor=actor,
        action="request_correction",
        note=note,
        data={"defects": listed, "deadline": str(deadline)},
    )
    if not notice:
        return corrected
    notice_issue(
        case=corrected,
        kind="correction",
        actor=actor,
        facts={"received_on": timezone.localdate(case.submitted_at), "deadline": deadline},
        listed=material_lines(defects) + ([f"其他：{note.strip()}"] if note.strip() else []),
    )
    return corrected


@audited_atomic
def case_supply_correction(*, actor: Any, case: Case, note: str = "") -> Case:
    """The applicant has supplied the materials (online or at a window): back to the window's check."""
    case = case_lock(case)
    policies.require_can_supply(actor, case)
    hooks.step(case=case, action="supply_correction", actor=actor)
    return case_transition(
        case=case,
        locked=True,
        to=CaseStatus.SUBMITTED,
        actor=actor,
        action="supply_correction",
        note=note,
        changes={"correction_notice_due": add_working_days(_today(), CORRECTION_NOTICE_WORKING_DAYS)},
    )


def cases_deem_accepted(*, today: dt.date | None = None, actor: Any = None) -> int:
    """Applications nobody answered within 5 working days count as accepted from receipt (§32)."""
    today = today or _today()
    late = Case.objects.filter(status=CaseStatus.SUBMITTED, correction_notice_due__lt=today).values_list(
        "pk", flat=True
    )
    count = 0
    for pk in list(late[:1000]):
        with transaction.atomic():
            case = case_lock(pk)
            if case.status != CaseStatus.SUBMITTED:
                continue  # answered since the query above
            received = timezone.localdate(case.submitted_at)
            changes = _start_clock(case, received) | {
                "accepted_at": case.submitted_at,
                "deemed_accepted": True,
            }
            case_transition(
                case=case,
                locked=True,
                to=CaseStatus.ACCEPTED,
                actor=actor,
                action="deemed_accept",
                note="收到申请之日起5个工作日内未告知补正，依法视为受理",
                changes=changes,
            )
            count += 1
    return count


@audited_atomic
def case_receive_deferred(*, actor: Any, case: Case, case_material_ids: list[int], note: str = "") -> Case:
    """容缺后补: the promised material has come in (at a window or online); the decision may follow."""
    case = case_lock(case)
    policies.require_can_receive_deferred(actor, case)
    if case.status not in (CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW, CaseStatus.SPECIAL_PROCEDURE):
        raise ConflictError("只有办理中的办件可以登记容缺补交的材料", code="not_running")
    rows = list(case.materials.filter(pk__in=case_material_ids, state=CaseMaterialState.DEFERRED))
    if not rows or len(rows) != len(set(case_material_ids)):
        raise ApplicationError("请选择该办件容缺待补的材料", fields={"materials": ["无效"]})
    for row in rows:
        row.state, row.note = CaseMaterialState.RECEIVED, note.strip()
    CaseMaterial.objects.bulk_update(rows, ["state", "note"])
    case_event(
        case=case,
        actor=actor,
        action="receive_deferred",
        note=note.strip(),
        data={"materials": [row.material.name for row in rows]},
    )
    return case


# ——— review, decision, result, delivery (受审分离: whoever accepted a promised case does not decide it) ———


@audited_atomic
def case_start_review(*, actor: Any, case: Case, reviewer: Any = None) -> Case:
    """Assign the case to a reviewer of its department (the actor himself by default)."""
    case = case_lock(case)
    policies.require_can_review(actor, case)
    reviewer = reviewer or actor
    policies.require_can_review(reviewer, case)
    if case.kind != CaseKind.IMMEDIATE and case.accepted_by_id == reviewer.pk:
        raise ApplicationError("受审分离：受理该办件的工作人员不能审查同一办件", code="separation_of_duties")
    return case_transition(
        case=case,
        locked=True,
        to=CaseStatus.IN_REVIEW,
        actor=actor,
        action="start_review",
        changes={"reviewer": reviewer},
        data={"reviewer_id": reviewer.pk},
    )


@audited_atomic
def case_decide(
    *, actor: Any, case: Case, decision: str, reason: str = "", result: dict[str, Any] | None = None
) -> Case:
    """准予 or 不予. A denial states its reason (the notice adds the remedies). ``result``: the data of
    the result for the apps that make it (a licence's fields, through ``hooks.on_approved``)."""
    case = case_lock(case)
    policies.require_can_review(actor, case)
    if decision not in ("approve", "deny"):
        raise ApplicationError("决定应为准予或不予", fields={"decision": ["无效"]})
    immediate = case.kind == CaseKind.IMMEDIATE and case.status == CaseStatus.ACCEPTED
    if not immediate and case.reviewer_id != actor.pk:
        raise PermissionDeniedError("只有承办该办件的审查人员可以作出决定")
    if not immediate and case.accepted_by_id == actor.pk:
        raise ApplicationError("受审分离：受理人不能作出决定", code="separation_of_duties")
    if decision == "deny":
        reason = _require_text(reason, "reason", "不予许可的理由")
    if decision == "approve" and any(
        row.state == CaseMaterialState.DEFERRED for row in _CASE_MATERIALS.rows(case.pk)
    ):
        raise ConflictError(
            "容缺后补的材料尚未补齐，暂不能作出准予决定", code="deferred_materials_outstanding"
        )
    decided = case_transition(
        case=case,
        locked=True,
        to=CaseStatus.APPROVED if decision == "approve" else CaseStatus.DENIED,
        actor=actor,
        action=f"decide_{decision}",
        note=reason.strip(),
        changes={
            "decision": decision,
            "decision_reason": reason.strip(),
            "decided_at": timezone.now(),
            "decided_by": actor,
            "deadline_state": DeadlineState.NONE,
        },
    )
    if decision == "approve":
        hooks.approved(case=decided, actor=actor, options={"result": result or {}})
    version = decided.item_version
    facts: dict[str, Any] = {"received_on": timezone.localdate(decided.submitted_at)}
    if decision == "approve":
        facts["result_name"] = version.result_name or "办理结果"
    else:
        facts["reason"] = reason.strip().rstrip("。")
    notice_issue(
        case=decided,
        kind=f"decision_{decision}",
        actor=actor,
        facts=facts,
        lines=[("告知承诺", "本决定依申请人书面承诺作出，作出后将依法核查")] if decided.by_commitment else [],
        remedies=decision == "deny",
    )
    if decision == "approve" and decided.by_commitment:
        verification_open(case=decided, actor=actor)
    return decided


@audited_atomic
def case_result_ready(*, actor: Any, case: Case) -> Case:
    case = case_lock(case)
    policies.require_can_review(actor, case)
    return case_transition(
        case=case, locked=True, to=CaseStatus.RESULT_READY, actor=actor, action="result_ready"
    )


@audited_atomic
def case_deliver(
    *, actor: Any, case: Case, method: str, recipient: str = "", tracking_number: str = ""
) -> Case:
    """送达: handed over at the issuance window (recipient confirms) or mailed with a tracking number."""
    case = case_lock(case)
    policies.require_can_deliver(actor, case)
    if method == "pickup":
        detail = {"recipient": _require_text(recipient, "recipient", "领取人姓名")}
    elif method == "mail":
        detail = {"tracking_number": _require_text(tracking_number, "tracking_number", "邮寄单号")}
    else:
        raise ApplicationError("送达方式应为窗口领取或邮寄", fields={"method": ["无效"]})
    closed = case_transition(
        case=case,
        locked=True,
        to=CaseStatus.CLOSED,
        actor=actor,
        action="deliver",
        changes={"closed_at": timezone.now()},
        data={"method": method, **detail},
    )
    decision_notice = _DECISION_NOTICE.get(closed.pk)
    served = (
        f"{NOTICE_KINDS[decision_notice.kind]}（{decision_notice.document_number}）"
        if decision_notice is not None
        else "办理结果"
    )
    notice_issue(
        case=closed,
        kind="delivery_receipt",
        actor=actor,
        facts={},
        lines=[
            ("送达文书名称及文号", served),
            (
                "送达方式",
                "窗口领取" if method == "pickup" else f"邮寄送达（邮件号 {tracking_number.strip()}）",
            ),
            ("送达人", str(actor)),
            ("受送达人签名或盖章", recipient.strip() if method == "pickup" else ""),
        ],
    )
    return closed


@audited_atomic
def case_withdraw(*, actor: Any, case: Case, reason: str = "") -> Case:
    """撤回 by the applicant (or a window on his written request) before the decision."""
    case = case_lock(case)
    policies.require_can_supply(actor, case)
    return case_transition(
        case=case,
        locked=True,
        to=CaseStatus.WITHDRAWN,
        actor=actor,
        action="withdraw",
        note=reason.strip(),
        changes={"closed_at": timezone.now(), "deadline_state": DeadlineState.NONE},
    )


@audited_atomic
def case_revoke(*, actor: Any, case: Case, reason: str) -> Case:
    """撤销 (行政许可法 §69): the deciding office withdraws a granted decision, with its reason."""
    case = case_lock(case)
    policies.require_can_review(actor, case)
    reason = _require_text(reason, "reason", "撤销理由")
    now = timezone.now()
    revoked = case_transition(
        case=case,
        locked=True,
        to=CaseStatus.REVOKED,
        actor=actor,
        action="revoke",
        note=reason,
        changes={"revoked_at": now, "revoke_reason": reason, "closed_at": case.closed_at or now},
    )
    return revoked


@audited_atomic
def case_terminate(*, actor: Any, case: Case, reason: str) -> Case:
    """终止 by the office, with its reason (e.g. a 容缺 material not supplied in time)."""
    case = case_lock(case)
    policies.require_can_review(actor, case)
    reason = _require_text(reason, "reason", "终止理由")
    return case_transition(
        case=case,
        locked=True,
        to=CaseStatus.TERMINATED,
        actor=actor,
        action="terminate",
        note=reason,
        changes={"closed_at": timezone.now(), "deadline_state": DeadlineState.NONE},
    )
