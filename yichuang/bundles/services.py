"""Applying for a bundle once, and the window's steps on the application as a whole.

Every step moves the member cases through the cases app's own services (so each department's case, its
notices and its audit trail are exactly those of a case applied for alone) with the cases' own messages
held back: the applicant is told once, for the whole application. Cases are locked before the application
row (the order the cases' own steps take through ``progress``), so the two never wait on each other.
"""

from __future__ import annotations

import hashlib
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from yichuang.accounts.models import Applicant
from yichuang.bundles import policies
from yichuang.bundles.fields import clean_value
from yichuang.bundles.models import (
    ApplicationStatus,
    Bundle,
    BundleApplication,
    BundleCase,
    BundleFile,
    BundleStatus,
    MemberState,
)
from yichuang.bundles.notices import bundle_notice_issue, correction_body
from yichuang.bundles.progress import (
    application_refresh,
    bundle_driving,
    bundle_event,
    bundle_notify,
    member_route,
)
from yichuang.bundles.selection import Selection, selection_for
from yichuang.cases import policies as case_policies
from yichuang.cases import services as case_services
from yichuang.cases.messages import case_messages_held
from yichuang.cases.models import CaseMaterialState, CaseStatus
from yichuang.cases.numbering import sequence_next
from yichuang.cases.uploads import case_file_check
from yichuang.core.audit import audit_record, audited_atomic
from yichuang.core.calendar import add_working_days
from yichuang.core.errors import ApplicationError, ConflictError, NotFoundError
from yichuang.core.personal_data import personal_data_read

ONLINE_CHANNELS = frozenset({"online", "mobile"})
MAX_FILES = 60


@dataclass(frozen=True)
class BundleSubmission:
    application: BundleApplication
    repeat: bool


def form_clean(selection: Selection, form: dict[str, Any], applicant: Applicant) -> dict[str, str]:
    """Each merged field once, checked by its kind; a field left empty starts from the applicant's record."""
    cleaned: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for merged in selection.fields:
        spec = merged.field
        raw = form.get(spec.key)
        if (raw is None or str(raw).strip() == "") and spec.prefill:
            raw = getattr(applicant, spec.prefill, "")
        try:
            cleaned[spec.key] = clean_value(spec, raw)
        except ValidationError as error:
            errors[f"form.{spec.key}"] = [str(message) for message in error.messages]
    if errors:
        raise ApplicationError("申请表填写有误，请按提示修改", code="form_invalid", fields=errors)
    return cleaned


def _files_checked(
    selection: Selection, files: dict[str, list[tuple[str, bytes]]]
) -> list[tuple[str, str, bytes, str]]:
    keys = {merged.key for merged in selection.materials}
    checked = []
    for key, given in files.items():
        if key not in keys:
            raise ApplicationError("上传的文件不属于本次申请的材料", fields={f"files.{key}": ["材料无效"]})
        for name, content in given:
            checked.append(
                (key, name, content, case_file_check(name=name, content=content, field=f"files.{key}"))
            )
    if len(checked) > MAX_FILES:
        raise ApplicationError(f"每份一件事申请最多上传{MAX_FILES}个文件", code="too_many_files")
    return checked


def _repeat_of(actor: Any, key: str, bundle: Bundle, applicant: Applicant) -> BundleApplication | None:
    existing = BundleApplication.objects.filter(submitted_by=actor, idempotency_key=key).first()
    if existing is not None and (existing.bundle_id != bundle.pk or existing.applicant_id != applicant.pk):
        raise ConflictError("该幂等键已用于另一份申请", code="idempotency_key_reused")
    return existing


def application_number_next(day: Any) -> str:
    """YJS + yyyymmdd + 4-digit daily sequence, unique under concurrency (the cases' counter)."""
    return f"YJS{day:%Y%m%d}{sequence_next(key='bundle-application', day=day):04d}"


@audited_atomic
def bundle_apply(
    *,
    actor: Any,
    bundle: Bundle,
    applicant: Applicant,
    channel: str,
    answers: dict[str, Any],
    form: dict[str, Any],
    use_licences: bool = False,
    idempotency_key: str | None = None,
    files: dict[str, list[tuple[str, bytes]]] | None = None,
) -> BundleSubmission:
    """Apply once (online by the applicant, or at a window for him): one application, a case per selected
    member. Members whose prerequisite result is still to come wait; the others go to their departments
    at once (并联审批). The same submitter repeating an ``idempotency_key`` gets the first application."""
    case_policies.require_can_submit(actor, applicant=applicant, channel=channel)
    key = (idempotency_key or "").strip() or None
    if key is not None and (existing := _repeat_of(actor, key, bundle, applicant)) is not None:
        return BundleSubmission(existing, repeat=True)
    bundle = Bundle.objects.select_related("lead_department").filter(pk=bundle.pk).first()  # type: ignore[assignment]
    if bundle is None or bundle.status != BundleStatus.PUBLISHED:
        raise NotFoundError("未找到该一件事或尚未发布")
    selection = selection_for(bundle, answers)
    cleaned = form_clean(selection, form, applicant)
    checked_files = _files_checked(selection, files or {})
    if channel in ONLINE_CHANNELS and (
        offline := [
            str(m)
            for m in selection.members
            if m.item.current_version is None or m.item.current_version.online_depth < 3
        ]
    ):
        raise ApplicationError(
            f"以下事项暂不支持网上申请，请到政务服务中心综合窗口办理本一件事：{'、'.join(offline)}",
            code="not_online",
        )
    now = timezone.now()
    application = BundleApplication(
        number=application_number_next(timezone.localdate(now)),
        bundle=bundle,
        applicant=applicant,
        channel=channel,
        submitted_at=now,
        submitted_by=actor,
        idempotency_key=key,
        answers=selection.answers,
        form=cleaned,
        use_licences=use_licences,
    )
    try:
        with transaction.atomic() if key is not None else nullcontext():
            application.save()
    except IntegrityError:
        existing = _repeat_of(actor, key, bundle, applicant) if key is not None else None
        if existing is None:
            raise
        return BundleSubmission(existing, repeat=True)
    BundleFile.objects.bulk_create(
        [
            BundleFile(
                application=application,
                material_key=material_key,
                name=(name or "file")[-200:],
                content_type=content_type,
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                data=content,
                uploaded_by=actor,
                uploaded_at=now,
            )
            for material_key, name, content, content_type in checked_files
        ]
    )
    selected = {member.pk for member in selection.members}
    rows = BundleCase.objects.bulk_create(
        [
            BundleCase(
                application=application,
                member=member,
                position=n,
                state=(
                    MemberState.WAITING
                    if any(r.pk in selected for r in member.requires.all())
                    else MemberState.ROUTED
                ),
            )
            for n, member in enumerate(selection.members)
        ]
    )
    bundle_event(
        application=application,
        actor=actor,
        action="apply",
        data={
            "members": [str(m) for m in selection.members],
            "materials": len(selection.materials),
            "separate_materials": selection.separate_material_count,
        },
    )
    audit_record(
        actor=actor,
        action="bundle.apply",
        obj=application,
        data={"number": application.number, "bundle": bundle.code, "channel": channel, "members": len(rows)},
    )
    with case_messages_held():
        for row in rows:
            if row.state == MemberState.ROUTED:
                member_route(row=row, application=application, actor=actor)
    application_refresh(application.pk)
    application.refresh_from_db()
    bundle_notify(application, "已收到，各部门将同时办理")
    return BundleSubmission(application, repeat=False)


def _routed(application: BundleApplication, *statuses: str) -> list[BundleCase]:
    rows = (
        BundleCase.objects.filter(application=application, state=MemberState.ROUTED)
        .select_related("case", "member__item")
        .order_by("position", "pk")
    )
    return [row for row in rows if row.case is not None and (not statuses or row.case.status in statuses)]


def _application_read(application: BundleApplication | int) -> BundleApplication:
    pk = application if isinstance(application, int) else application.pk
    found = (
        BundleApplication.objects.select_related("bundle__lead_department", "applicant").filter(pk=pk).first()
    )
    if found is None:
        raise NotFoundError("未找到该一件事申请")
    return found


@audited_atomic
def bundle_check_materials(
    *, actor: Any, application: BundleApplication, findings: dict[str, tuple[str, str]]
) -> BundleApplication:
    """Record what the window found for each merged material (``{material key: (state, note)}``), for
    every member case that needs it — an ID card checked once counts for all."""
    from yichuang.bundles.selection import material_key_map

    application = _application_read(application)
    policies.require_can_accept(actor, application)
    receiving = _routed(application, CaseStatus.SUBMITTED, CaseStatus.CORRECTION)
    if not receiving and application.status not in (
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.CORRECTION,
    ):
        raise ConflictError("只有待受理的一件事申请可以核验材料", code="not_receiving")
    with bundle_driving():
        for row in receiving:
            assert row.case is not None
            rows = list(row.case.materials.select_related("material"))
            keys = material_key_map([r.material for r in rows])
            per_case = {
                r.pk: findings[keys[r.material_id]]
                for r in rows
                if keys[r.material_id] in findings
                and not (r.state == CaseMaterialState.EXEMPT and r.licence_identifier)
            }
            if per_case:
                case_services.case_check_materials(actor=actor, case=row.case, findings=per_case)
    stored = dict(application.material_findings)
    stored.update({key: {"state": state, "note": note.strip()} for key, (state, note) in findings.items()})
    BundleApplication.objects.filter(pk=application.pk).update(material_findings=stored)
    audit_record(
        actor=actor,
        action="bundle.check_materials",
        obj=application,
        data={"number": application.number, "findings": {k: v[0] for k, v in findings.items()}},
    )
    application.material_findings = stored
    return application


@audited_atomic
def bundle_request_correction(
    *, actor: Any, application: BundleApplication, note: str = ""
) -> BundleApplication:
    """一次性告知补正 for the whole application: each member with something missing waits for it, and the
    applicant gets one notice naming every material once, with the items it is for."""
    from yichuang.bundles.selectors import merged_material_states

    application = _application_read(application)
    policies.require_can_accept(actor, application)
    receiving = _routed(application, CaseStatus.SUBMITTED)
    defects = [state for state in merged_material_states(application) if state.outstanding]
    if not defects:
        raise ApplicationError("材料已齐全，无需补正，请直接受理", code="nothing_to_correct")
    if not receiving:
        raise ConflictError("没有待受理的成员办件", code="not_receiving")
    with bundle_driving(), case_messages_held():
        for row in receiving:
            assert row.case is not None
            try:
                case_services.case_request_correction(actor=actor, case=row.case, note=note, notice=False)
            except ApplicationError as error:
                if error.code != "nothing_to_correct":
                    raise
    deadline = add_working_days(timezone.localdate(), case_services.CORRECTION_SUPPLY_WORKING_DAYS)
    listed = [state.line for state in defects] + ([f"其他：{note.strip()}"] if note.strip() else [])
    notice = bundle_notice_issue(
        application=application,
        kind="bundle_correction",
        actor=actor,
        body=correction_body(application, deadline),
        listed=listed,
        lines=[("补正期限", str(deadline))],
    )
    bundle_event(
        application=application,
        actor=actor,
        action="request_correction",
        note=note.strip(),
        data={"defects": listed, "deadline": str(deadline), "notice": notice.document_number},
    )
    application_refresh(application.pk)
    application.refresh_from_db()
    bundle_notify(application, "需要补正材料，请按一次性告知书一并补正")
    return application


@audited_atomic
def bundle_supply_correction(
    *, actor: Any, application: BundleApplication, note: str = ""
) -> BundleApplication:
    """The applicant has supplied what the notice named: every member back to the window's check."""
    application = _application_read(application)
    policies.require_can_supply(actor, application)
    waiting = _routed(application, CaseStatus.CORRECTION)
    if not waiting:
        raise ConflictError("本申请当前无需补正", code="not_in_correction")
    with bundle_driving(), case_messages_held():
        for row in waiting:
            assert row.case is not None
            case_services.case_supply_correction(actor=actor, case=row.case, note=note)
    bundle_event(application=application, actor=actor, action="supply_correction", note=note.strip())
    application_refresh(application.pk)
    application.refresh_from_db()
    bundle_notify(application, "补正材料已收到，将统一核验")
    return application


@audited_atomic
def bundle_accept(
    *, actor: Any, application: BundleApplication, deficiency_commitment: bool = False, note: str = ""
) -> BundleApplication:
    """受理 every member case waiting at the window (each department's own 受理通知书), with one answer
    naming everything still missing when some are not complete."""
    application = _application_read(application)
    policies.require_can_accept(actor, application)
    receiving = _routed(application, CaseStatus.SUBMITTED)
    if not receiving:
        raise ConflictError("没有待受理的成员办件", code="not_receiving")
    problems: list[str] = []
    with case_messages_held():
        for row in receiving:
            assert row.case is not None
            try:
                with transaction.atomic():
                    case_services.case_accept(
                        actor=actor, case=row.case, deficiency_commitment=deficiency_commitment, note=note
                    )
            except ApplicationError as error:
                problems.append(f"{row.member}：{error.message}")
    if problems:
        raise ApplicationError(
            "以下成员事项不能受理：" + "；".join(problems),
            code="members_not_acceptable",
            extra={"members": problems},
        )
    today = timezone.localdate()
    if application.accepted_at is None:
        BundleApplication.objects.filter(pk=application.pk).update(
            accepted_at=timezone.now(),
            promised_due_date=add_working_days(today, application.bundle.promised_days),
        )
    bundle_event(
        application=application,
        actor=actor,
        action="accept",
        note=note.strip(),
        data={"members": [str(row.member) for row in receiving]},
    )
    audit_record(
        actor=actor,
        action="bundle.accept",
        obj=application,
        data={"number": application.number, "cases": [row.case_id for row in receiving]},
    )
    application_refresh(application.pk)
    application.refresh_from_db()
    bundle_notify(application, "已受理，各部门并联办理")
    return application


@audited_atomic
def bundle_deliver(
    *, actor: Any, application: BundleApplication, method: str, recipient: str = "", tracking_number: str = ""
) -> BundleApplication:
    """统一出件: every member's result handed over together, once no member is still being handled."""
    application = _application_read(application)
    policies.require_can_deliver(actor, application)
    if application.status != ApplicationStatus.RESULT_READY:
        raise ConflictError(
            f"一件事申请当前状态为“{application.get_status_display()}”：须全部事项出结果后统一出件",
            code="not_ready",
        )
    ready = _routed(application, CaseStatus.RESULT_READY)
    with case_messages_held():
        for row in ready:
            assert row.case is not None
            case_services.case_deliver(
                actor=actor,
                case=row.case,
                method=method,
                recipient=recipient,
                tracking_number=tracking_number,
            )
    BundleApplication.objects.filter(pk=application.pk).update(closed_at=timezone.now())
    bundle_event(
        application=application,
        actor=actor,
        action="deliver",
        data={"method": method, "members": [str(row.member) for row in ready]},
    )
    application_refresh(application.pk)
    application.refresh_from_db()
    bundle_notify(application, "办理结果已统一送达")
    return application


@audited_atomic
def bundle_withdraw(*, actor: Any, application: BundleApplication, reason: str = "") -> BundleApplication:
    """撤回 the whole application before its members are decided; members not started are dropped."""
    application = _application_read(application)
    policies.require_can_supply(actor, application)
    open_before_decision = {
        CaseStatus.SUBMITTED,
        CaseStatus.CORRECTION,
        CaseStatus.ACCEPTED,
        CaseStatus.IN_REVIEW,
        CaseStatus.SPECIAL_PROCEDURE,
    }
    rows = _routed(application)
    if any(row.case is not None and row.case.decision for row in rows):
        raise ConflictError("已有事项作出决定，不能整体撤回", code="already_decided")
    if application.status == ApplicationStatus.WITHDRAWN:
        raise ConflictError("该一件事申请已撤回", code="already_withdrawn")
    # Withdrawn first: the members' own withdrawals must not read as the application's results.
    BundleApplication.objects.filter(pk=application.pk).update(status=ApplicationStatus.WITHDRAWN)
    with case_messages_held():
        for row in rows:
            assert row.case is not None
            if row.case.status in open_before_decision:
                case_services.case_withdraw(actor=actor, case=row.case, reason=reason)
    BundleCase.objects.filter(application=application, state=MemberState.WAITING).update(
        state=MemberState.CANCELLED, note="申请人撤回申请"
    )
    BundleApplication.objects.filter(pk=application.pk).update(closed_at=timezone.now())
    bundle_event(application=application, actor=actor, action="withdraw", note=reason.strip())
    audit_record(actor=actor, action="bundle.withdraw", obj=application, data={"number": application.number})
    application.refresh_from_db()
    return application


# A person's addresses in the one form (a shop's business address is not personal data).
PERSONAL_ADDRESS_FIELDS = frozenset(
    {"applicant_address", "household_address", "property_address", "install_address"}
)


def form_read_record(
    *,
    actor: Any,
    application: BundleApplication,
    rows: list[tuple[str, str, str]],
    screen: str,
    purpose: str = "",
) -> None:
    """The one form's rows (``selectors.form_rows``) carry ID numbers, phones and addresses in full: a
    member of staff seeing them is a read of personal data (the applicant reading his own is not)."""
    from yichuang.bundles.fields import FIELDS

    if actor is not None and actor.pk is not None and actor.pk == application.applicant.user_id:
        return
    personal = {
        spec.label: spec.key
        for spec in FIELDS
        if spec.kind in ("id_number", "phone") or spec.key in PERSONAL_ADDRESS_FIELDS
    }
    personal_data_read(
        actor=actor,
        obj=application,
        person="applicant",
        fields=[personal[label] for label, value, _used in rows if value and label in personal],
        screen=screen,
        purpose=purpose,
    )
