"""Keeping an application in step with its cases.

The cases app calls these through its hooks, inside the step that moved a case: a member case refused,
denied, withdrawn or terminated drops the members that needed its result (explained to the applicant); a
member approved starts the members that were waiting for it (after its licence is signed, so their 免证办
finds it); and every move recomputes the application's aggregate status, outcome and due date. When the
last member has its result, the 办理结果告知书 lists them all and the applicant is told once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.utils import timezone

from yichuang.bundles.fields import BY_KEY
from yichuang.bundles.models import (
    ApplicationStatus,
    BundleApplication,
    BundleCase,
    BundleEvent,
    BundleFile,
    MemberState,
    Outcome,
)
from yichuang.bundles.notices import application_track_url, bundle_notice_issue, result_body
from yichuang.bundles.selection import ONE_FORM, ONE_FORM_NAME, material_key_map
from yichuang.cases import services as case_services
from yichuang.cases.messages import case_messages_held
from yichuang.cases.models import Case, CaseFile, CaseMaterial, CaseMaterialState, CaseStatus
from yichuang.core.audit import step_record
from yichuang.core.errors import ConflictError
from yichuang.core.notifications import notify, register_template

S = CaseStatus
# A member case in one of these will not give the result its dependants need.
FAILED = frozenset({S.REFUSED, S.DENIED, S.WITHDRAWN, S.TERMINATED, S.REVOKED})
# Still being handled: the application waits for it before the results go out together.
HANDLING = frozenset({S.SUBMITTED, S.CORRECTION, S.ACCEPTED, S.IN_REVIEW, S.SPECIAL_PROCEDURE, S.APPROVED})
TO_DELIVER = frozenset({S.RESULT_READY, S.DENIED})

TEMPLATE = "bundle.status_changed"
register_template(
    TEMPLATE,
    "【{centre}】{name}，您申请的“{bundle}”（申请编号{number}）{text}。查询进度：{url}",
    subject="一件事办理进度：{number}",
)

_DRIVING: ContextVar[bool] = ContextVar("bundle_driving", default=False)


@contextlib.contextmanager
def bundle_driving() -> Iterator[None]:
    """The bundle's own services are moving its cases: the steps a member may not take alone are allowed."""
    token = _DRIVING.set(True)
    try:
        yield
    finally:
        _DRIVING.reset(token)


def bundle_event(
    *,
    application: BundleApplication,
    actor: Any,
    action: str,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    step_record(
        BundleEvent(
            application=application,
            action=action,
            actor=actor if getattr(actor, "pk", None) else None,
            at=timezone.now(),
            note=note,
            data=data or {},
        )
    )


def bundle_notify(application: BundleApplication, text: str) -> None:
    applicant = application.applicant
    if applicant.phone:
        channel, to = "sms", applicant.phone
    elif applicant.user_id and applicant.user and applicant.user.email:
        channel, to = "email", applicant.user.email
    else:
        return
    notify(
        channel=channel,
        to=to,
        template=TEMPLATE,
        context={
            "centre": settings.YICHUANG_CENTRE_NAME,
            "name": applicant.name,
            "bundle": application.bundle.name,
            "number": application.number,
            "text": text,
            "url": application_track_url(application),
        },
        related=application,
    )


# ——— routing a member to its department ———


def member_route(*, row: BundleCase, application: BundleApplication, actor: Any) -> Case:
    """Make the member's case as filed with the application (by its submitter, on its channel), with the
    one form standing for the item's application form, the window's findings so far, and the files given."""
    submission = case_services.case_submit_or_repeat(
        actor=application.submitted_by,
        item=row.member.item,
        applicant=application.applicant,
        channel=application.channel,
        use_licences=application.use_licences,
    )
    case = submission.case
    BundleCase.objects.filter(pk=row.pk).update(case=case, state=MemberState.ROUTED, note="")
    row.case, row.state = case, MemberState.ROUTED
    materials = list(CaseMaterial.objects.filter(case=case).select_related("material"))
    keys = material_key_map([m.material for m in materials])
    findings = application.material_findings or {}
    changed = []
    for material in materials:
        key = keys[material.material_id]
        if material.state in (CaseMaterialState.EXEMPT, CaseMaterialState.COMMITTED):
            continue
        if key == ONE_FORM:
            material.state, material.note = CaseMaterialState.RECEIVED, f"{ONE_FORM_NAME}已填报"
        elif key in findings and findings[key]["state"] != CaseMaterialState.EXEMPT:
            material.state, material.note = findings[key]["state"], findings[key]["note"]
        else:
            continue
        changed.append(material)
    CaseMaterial.objects.bulk_update(changed, ["state", "note"])
    by_key = {keys[m.material_id]: m for m in materials}
    CaseFile.objects.bulk_create(
        [
            CaseFile(
                case=case,
                case_material=by_key[given.material_key],
                name=given.name,
                content_type=given.content_type,
                size=given.size,
                sha256=given.sha256,
                data=given.data,
                uploaded_by=given.uploaded_by,
                uploaded_at=given.uploaded_at,
            )
            for given in BundleFile.objects.filter(application=application, material_key__in=list(by_key))
        ]
    )
    return case


# ——— hooks called by the cases app ———


def _link(case: Case) -> BundleCase | None:
    return BundleCase.objects.filter(case_id=case.pk).select_related("member", "application").first()


def on_step(*, case: Case, action: str, actor: Any) -> None:
    if not _DRIVING.get() and BundleCase.objects.filter(case_id=case.pk).exists():
        raise ConflictError(
            "该办件属于“一件事”申请：补正须在一件事申请页统一告知、统一提交", code="bundle_member"
        )


def case_data(case: Case) -> dict[str, str]:
    link = _link(case)
    if link is None:
        return {}
    data: dict[str, str] = {}
    for key in link.member.fields:
        field = BY_KEY.get(key)
        value = link.application.form.get(key, "")
        if field is not None and value:
            for label in field.licence_labels:
                data[label] = value
    return data


def _failure_text(case: Case) -> str:
    reason = case.refusal_reason or case.decision_reason or case.revoke_reason
    label = str(CaseStatus(case.status).label)
    return f"{label}（{reason.rstrip('。')}）" if reason else label


def _dependants_cancel(
    application_id: int, failed_member_id: int, failed_label: str, why: str, actor: Any
) -> None:
    rows = list(
        BundleCase.objects.filter(application_id=application_id, state=MemberState.WAITING)
        .select_related("member")
        .prefetch_related("member__requires")
    )
    dropped = {failed_member_id}
    changed = True
    while changed:
        changed = False
        for row in rows:
            if row.state == MemberState.WAITING and any(r.pk in dropped for r in row.member.requires.all()):
                row.state = MemberState.CANCELLED
                row.note = f"所需的前置事项“{failed_label}”{why}，本事项未启动，可在前置事项办成后另行申请"
                dropped.add(row.member_id)
                changed = True
    cancelled = [row for row in rows if row.state == MemberState.CANCELLED]
    BundleCase.objects.bulk_update(cancelled, ["state", "note"])
    if cancelled:
        application = BundleApplication.objects.get(pk=application_id)
        bundle_event(
            application=application,
            actor=actor,
            action="members_cancelled",
            note="；".join(f"{row.member}：{row.note}" for row in cancelled),
            data={"members": [str(row.member) for row in cancelled]},
        )


def on_transition(*, case: Case, before: str, actor: Any) -> None:
    link = _link(case)
    if link is None:
        return
    if case.status in FAILED:
        _dependants_cancel(link.application_id, link.member_id, str(link.member), _failure_text(case), actor)
    application_refresh(link.application_id, current=case, actor=actor)


def on_approved(*, case: Case, actor: Any, options: dict[str, Any]) -> None:
    link = _link(case)
    if link is None:
        return
    application = link.application
    rows = list(
        BundleCase.objects.filter(application=application)
        .select_related("member__item__department", "case")
        .prefetch_related("member__requires")
    )
    selected = {row.member_id for row in rows}
    approved = {
        row.member_id
        for row in rows
        if row.case is not None and (row.case_id == case.pk or row.case.decision == "approve")
    }
    released = []
    with case_messages_held():
        for row in rows:
            needed = {r.pk for r in row.member.requires.all()} & selected
            if row.state == MemberState.WAITING and needed <= approved:
                member_route(row=row, application=application, actor=actor)
                released.append(row)
    for row in released:
        bundle_event(
            application=application,
            actor=actor,
            action="release",
            note=f"前置事项“{link.member}”已准予，“{row.member}”已推送{row.member.item.department.name}办理",
            data={"member": str(row.member), "case": row.case.number if row.case else ""},
        )
    if released:
        application_refresh(application.pk, actor=actor)


# ——— the aggregate ———


def _member_line(row: BundleCase, case: Case | None) -> str:
    name = f"{row.member}（{row.member.item.department.name}）"
    if case is None:
        return f"{name}：{row.note or MemberState(row.state).label}"
    if case.decision == "approve" and case.status not in FAILED:
        result = case.item_version.result_name or "办理结果"
        return f"{name}：准予，{result}"
    return f"{name}：{_failure_text(case)}"


def application_refresh(application_id: int, *, current: Case | None = None, actor: Any = None) -> None:
    """Recompute the application's status, outcome and due date from its members (``current``: the case
    the calling step has just moved, whose new values are not written yet)."""
    rows = list(
        BundleCase.objects.filter(application_id=application_id)
        .select_related("case__item_version", "member__item__department")
        .order_by("position", "pk")
    )
    cases: dict[int, Case | None] = {}
    for row in rows:
        case = row.case
        if current is not None and row.case_id == current.pk:
            case = current
        cases[row.pk] = case
    application = (
        BundleApplication.objects.select_for_update()
        .select_related("bundle__lead_department", "applicant")
        .get(pk=application_id)
    )
    if application.status == ApplicationStatus.WITHDRAWN:
        return
    statuses = [case.status for case in cases.values() if case is not None]
    waiting = any(row.state == MemberState.WAITING for row in rows)
    if S.CORRECTION in statuses:
        status = ApplicationStatus.CORRECTION
    elif statuses and all(s == S.SUBMITTED for s in statuses):
        status = ApplicationStatus.SUBMITTED
    elif waiting or any(s in HANDLING for s in statuses):
        status = ApplicationStatus.IN_PROGRESS
    elif any(s == S.RESULT_READY for s in statuses) or (
        application.closed_at is None and any(s == S.DENIED for s in statuses)
    ):
        status = ApplicationStatus.RESULT_READY
    else:
        status = ApplicationStatus.CLOSED
    finished = status in (ApplicationStatus.RESULT_READY, ApplicationStatus.CLOSED)
    outcome = Outcome.PENDING
    if finished:
        approved = sum(
            1
            for case in cases.values()
            if case is not None and case.decision == "approve" and case.status not in FAILED
        )
        outcome = (
            Outcome.ALL if approved == len(rows) else (Outcome.NONE if approved == 0 else Outcome.PARTIAL)
        )
    due_dates = [case.due_date for case in cases.values() if case is not None and case.due_date]
    application.status, application.outcome = status, outcome
    application.due_date = max(due_dates) if due_dates else application.due_date
    fields = ["status", "outcome", "due_date"]
    first_time_finished = finished and application.results_ready_at is None
    if first_time_finished:
        application.results_ready_at = timezone.now()
        fields.append("results_ready_at")
    if status == ApplicationStatus.CLOSED and application.closed_at is None:
        application.closed_at = timezone.now()
        fields.append("closed_at")
    application.save(update_fields=fields)
    if first_time_finished:
        outcome_text = {
            Outcome.ALL: "全部办成",
            Outcome.PARTIAL: "部分办成",
            Outcome.NONE: "办理完毕，但未能办成",
        }[outcome]
        against = outcome != Outcome.ALL
        bundle_notice_issue(
            application=application,
            kind="bundle_result",
            actor=actor,
            body=result_body(application, outcome_text),
            listed=[_member_line(row, cases[row.pk]) for row in rows],
            remedies=against,
        )
        bundle_event(application=application, actor=actor, action="results_ready", note=outcome_text)
        bundle_notify(application, f"{outcome_text}，请查看办理结果告知书")
