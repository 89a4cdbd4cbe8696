"""The staff case page shared by every desk (/cases/<id>/), and what the desks have in common: running
an action, showing what it issued, downloading notices and files.

Thin: fetch the case through the selectors (which apply ``policies.case_scope``: a reviewer of another
department gets 404), call a service, render. A service's ApplicationError is shown in the page in its
own Chinese words: as an htmx fragment in the form that was sent, or on the re-rendered page with what
was typed still in the form. Permission and not-found errors go to the error middleware (403/404).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from yichuang.accounts.models import User
from yichuang.accounts.roles import Role
from yichuang.accounts.services import applicant_full_read
from yichuang.cases import hooks, notices, policies, selectors
from yichuang.cases.forms import (
    AssignForm,
    DecideForm,
    DeliverForm,
    ExtensionDecideForm,
    ExtensionRequestForm,
    NoteForm,
    ProcedureFinishForm,
    ReasonForm,
    RefuseForm,
    ScanForm,
    SpecialProcedureForm,
    VerificationForm,
    checklist_rows,
)
from yichuang.cases.models import (
    Case,
    CaseFile,
    CaseKind,
    CaseMaterial,
    CaseNotice,
    CaseStatus,
    CommitmentVerification,
    ExtensionStatus,
    VerificationStatus,
)
from yichuang.cases.notices_pdf import NOTICE_KINDS
from yichuang.cases.selectors import WINDOW_STATUSES
from yichuang.cases.uploads import UPLOAD_STATUSES
from yichuang.catalog.models import MaterialNecessity
from yichuang.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yichuang.core.masking import mask_phone
from yichuang.core.permissions import has_capability
from yichuang.core.personal_data import personal_data_read, request_purpose, screen_name

DECIDABLE = (CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW)
WITHDRAWABLE = (
    CaseStatus.SUBMITTED,
    CaseStatus.CORRECTION,
    CaseStatus.ACCEPTED,
    CaseStatus.IN_REVIEW,
    CaseStatus.SPECIAL_PROCEDURE,
)
TERMINABLE = (CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW, CaseStatus.SPECIAL_PROCEDURE)
REVOCABLE = (CaseStatus.APPROVED, CaseStatus.RESULT_READY, CaseStatus.CLOSED)
RESULT_PENDING = (CaseStatus.APPROVED, CaseStatus.DENIED)
EXTENDABLE = (CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW, CaseStatus.SPECIAL_PROCEDURE)

# The timeline in the centre's words.
ACTION_LABELS = {
    "submit": "接件",
    "accept": "受理",
    "deemed_accept": "视为受理",
    "refuse": "不予受理",
    "request_correction": "一次性告知补正",
    "supply_correction": "补正材料",
    "start_review": "开始审查",
    "special_procedure_start": "启动特别程序",
    "special_procedure_finish": "结束特别程序",
    "extension_request": "申请延期",
    "extension_approve": "批准延期",
    "extension_reject": "不批准延期",
    "decide_approve": "作出准予决定",
    "decide_deny": "作出不予许可决定",
    "result_ready": "结果已制作",
    "deliver": "送达",
    "withdraw": "撤回",
    "terminate": "终止",
    "revoke": "撤销",
}


# ——— checks ———


def require_staff(user: Any) -> None:
    """Applicants have their own pages (我的办件); these are the centre's."""
    if has_capability(user, "case.apply") or getattr(user, "role", None) == Role.APPLICANT:
        raise PermissionDeniedError("这是工作人员的办件页面，申请人请在“我的办件”中查看")


def allowed(check: Callable[[Any, Case], None], user: Any, case: Case) -> bool:
    """Whether a policy check passes, to decide which actions a page offers (the service checks again)."""
    try:
        check(user, case)
    except ApplicationError:
        return False
    return True


def staff_case(request: HttpRequest, case_id: int) -> Case:
    require_staff(request.user)
    return selectors.case_get(actor=request.user, case_id=case_id)


# ——— running an action ———


def case_url(case: Case, issued: list[int] | None = None) -> str:
    url = reverse("cases:staff_case", args=[case.pk])
    if issued:
        url += "?issued=" + ",".join(str(pk) for pk in issued)
    return url


def htmx_error(request: HttpRequest, error: ApplicationError) -> HttpResponse | None:
    """For an htmx form, any refusal (a permission one included) comes back as a fragment that goes into
    the form that was sent: htmx swaps only 2xx responses, and a silent button helps nobody."""
    if not getattr(request, "htmx", False):
        return None
    response = render(request, "core/_error_fragment.html", {"error": error})
    response["X-Error-Status"] = str(error.status)
    return response


def run_action(
    request: HttpRequest,
    case: Case,
    action: Callable[[], Any],
    *,
    success: str | Callable[[Any], str],
    form: Form | None = None,
    form_key: str = "",
    page: dict[str, Any] | None = None,
) -> HttpResponse:
    """Call a service; on success go to the case page naming the notices it issued, else show why:
    in the form (htmx) or on the page again with what was typed (``form``, ``page``)."""
    before = set(case.notices.values_list("pk", flat=True))
    try:
        done = action()
    except ApplicationError as error:
        fragment = htmx_error(request, error)
        if fragment is not None:
            return fragment
        if isinstance(error, PermissionDeniedError | NotFoundError):
            raise  # the error page, with its status
        if form is not None:
            form.add_service_error(error)  # type: ignore[attr-defined]
        bound = {form_key: form} if form is not None and form_key else {}
        return case_page(request, case, error=error, bound=bound, status=error.status, **(page or {}))
    issued = sorted(set(case.notices.values_list("pk", flat=True)) - before)
    messages.success(request, success(done) if callable(success) else success)
    url = case_url(case, issued)
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)


# ——— the case page ———


def _issued(case: Case, raw: str) -> list[CaseNotice]:
    ids = [int(part) for part in raw.split(",") if part.isdigit()][:10]
    return list(case.notices.filter(pk__in=ids).order_by("issued_at", "pk")) if ids else []


def department_reviewers(case: Case) -> list[tuple[int, str]]:
    """Reviewers the case may be assigned to: staff of its department who hold ``case.review``."""
    users = User.objects.filter(
        is_active=True, department=case.department, role__in=(Role.REVIEWER, Role.CHIEF_REP)
    ).order_by("role", "username")
    return [(u.pk, f"{u.full_name or u.username}（{u.get_role_display()}）") for u in users]


def case_actions(user: Any, case: Case) -> dict[str, bool]:
    """Which actions this user may take on this case now (each service checks again when called)."""
    status = case.status
    can_accept = allowed(policies.require_can_accept, user, case)
    can_review = allowed(policies.require_can_review, user, case)
    can_deliver = allowed(policies.require_can_deliver, user, case)
    is_reviewer = case.reviewer_id is not None and case.reviewer_id == getattr(user, "pk", None)
    immediate_on_the_spot = case.kind == CaseKind.IMMEDIATE and status == CaseStatus.ACCEPTED
    pending_extension = case.extensions.filter(status=ExtensionStatus.REQUESTED).exists()
    verification = CommitmentVerification.objects.filter(case=case, status=VerificationStatus.PENDING)
    return {
        "check": can_accept and status in WINDOW_STATUSES,
        "supply": has_capability(user, "case.intake") and status == CaseStatus.CORRECTION,
        "scan": has_capability(user, "case.intake") and status in UPLOAD_STATUSES,
        "withdraw": has_capability(user, "case.intake") and status in WITHDRAWABLE,
        "start_review": can_review and status == CaseStatus.ACCEPTED,
        "decide": can_review and ((status == CaseStatus.IN_REVIEW and is_reviewer) or immediate_on_the_spot),
        "procedure_start": can_review and status == CaseStatus.IN_REVIEW and is_reviewer,
        "procedure_finish": can_review and status == CaseStatus.SPECIAL_PROCEDURE,
        "extension_request": can_review and status in EXTENDABLE and not pending_extension,
        "extension_decide": pending_extension and allowed(policies.require_can_approve_extension, user, case),
        # case_result_ready is the department's step (case.review): the issuance window delivers.
        "result_ready": can_review and status in RESULT_PENDING,
        "deliver": can_deliver and status == CaseStatus.RESULT_READY,
        "terminate": can_review and status in TERMINABLE,
        "revoke": can_review and status in REVOCABLE,
        "verify": can_review and verification.exists(),
    }


def _forms(case: Case, bound: dict[str, Form]) -> dict[str, Form]:
    version = case.item_version
    listed: dict[str, Any] = next(
        iter(version.special_procedures or []), {}
    )  # the item's own procedure, offered first
    forms: dict[str, Form] = {
        "refuse": RefuseForm(prefix="refuse"),
        "correction": NoteForm(prefix="correction"),
        "withdraw": ReasonForm(prefix="withdraw"),
        "assign": AssignForm(prefix="assign", reviewers=department_reviewers(case)),
        "decide": DecideForm(prefix="decide", result=hooks.result_form(case)),
        "procedure_start": SpecialProcedureForm(
            prefix="procedure",
            initial={"kind": listed.get("kind"), "name": listed.get("name", ""), "days": listed.get("days")},
        ),
        "procedure_finish": ProcedureFinishForm(prefix="finish"),
        "extension_request": ExtensionRequestForm(prefix="extension"),
        "extension_decide": ExtensionDecideForm(prefix="extdecide"),
        "terminate": ReasonForm(prefix="terminate"),
        "revoke": ReasonForm(prefix="revoke"),
        "verify": VerificationForm(prefix="verify"),
        "deliver": DeliverForm(prefix="deliver"),
        "scan": ScanForm(
            prefix="scan",
            materials=[(row.pk, row.material.name) for row in case.materials.select_related("material")],
        ),
    }
    forms["correction"].fields["note"].label = "补正说明（选填）"
    forms["withdraw"].fields["reason"].label = "撤回理由（申请人书面申请）"
    forms["terminate"].fields["reason"].label = "终止理由"
    forms["revoke"].fields["reason"].label = "撤销理由"
    forms.update(bound)
    return forms


def case_page(
    request: HttpRequest,
    case: Case,
    *,
    error: ApplicationError | None = None,
    bound: dict[str, Form] | None = None,
    checklist_data: Any = None,
    checklist_errors: dict[int, str] | None = None,
    deficiency_commitment: bool = False,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    case = selectors.case_get(actor=user, case_id=case.pk)  # fresh after a failed action
    materials: list[CaseMaterial] = list(
        case.materials.select_related("material").prefetch_related(
            "material__review_points", Prefetch("files", queryset=CaseFile.objects.defer("data"))
        )
    )
    actions = case_actions(user, case)
    outstanding_deferrable = [
        row
        for row in materials
        if row.material.necessity == MaterialNecessity.DEFERRABLE
        and row.state not in ("received", "original_checked", "exempt", "committed")
    ]
    context = {
        "case": case,
        "applicant": case.applicant,
        "applicant_phone": mask_phone(case.applicant.phone),
        "remaining": selectors.remaining_working_days(case),
        "materials": checklist_rows(materials, checklist_data, checklist_errors),
        "has_deferrable": any(r.material.necessity == MaterialNecessity.DEFERRABLE for r in materials),
        "licence_materials": any(
            r.material.licence_type_code and r.state in ("missing", "deficient") for r in materials
        ),
        "outstanding_deferrable": outstanding_deferrable,
        "deficiency_commitment": deficiency_commitment,
        "files": case.files.select_related("case_material__material").defer("data"),
        "notices": [
            (notice, NOTICE_KINDS.get(notice.kind, notice.kind))
            for notice in case.notices.defer("pdf").order_by("issued_at", "pk")
        ],
        "issued": [
            (n, NOTICE_KINDS.get(n.kind, n.kind)) for n in _issued(case, request.GET.get("issued", ""))
        ],
        "timeline": _timeline(case),
        "desks": desks(user),
        "procedures": case.special_procedures.all(),
        "extensions": case.extensions.select_related("requested_by", "decided_by"),
        "pending_extension": case.extensions.filter(status=ExtensionStatus.REQUESTED).first(),
        "verification": CommitmentVerification.objects.filter(case=case).first(),
        "actions": actions,
        "forms": _forms(case, bound or {}),
        "error": error,
        "immediate": case.kind == CaseKind.IMMEDIATE,
    }
    return render(request, "cases/staff_case.html", context, status=status)


def _timeline(case: Case) -> list[dict[str, Any]]:
    rows = []
    for event in selectors.case_timeline(case):
        moved = event.to_status and event.to_status != event.from_status
        rows.append(
            {
                "at": event.at,
                "action": event.action,
                "label": ACTION_LABELS.get(event.action, event.action),
                "to_label": CaseStatus(event.to_status).label if moved else "",
                "actor": event.actor,
                "note": event.note,
            }
        )
    return rows


def desks(user: Any) -> list[tuple[str, str]]:
    """The desks this user works at, for the links above a case."""
    links = [
        ("case.intake", "cases:window", "窗口受理"),
        ("case.review", "cases:review_inbox", "审批办件"),
        ("case.deliver", "cases:issue_desk", "出证窗口"),
    ]
    return [(reverse(name), label) for capability, name, label in links if has_capability(user, capability)]


@login_required
@require_GET
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = staff_case(request, case_id)
    return case_page(request, case)


@login_required
@require_POST
def case_applicant_full(request: HttpRequest, case_id: int) -> HttpResponse:
    """显示完整信息: the case's applicant with ID number, phone and address in full, for this one case (an
    htmx fragment replacing the masked line). Each reveal is logged with the purpose given."""
    case = staff_case(request, case_id)
    applicant = case.applicant
    identifier = applicant.id_number or applicant.credit_code
    applicant_full_read(
        actor=request.user, applicant=applicant, screen=screen_name(request), purpose=request_purpose(request)
    )
    context = {"case": case, "applicant": applicant, "identifier": identifier}
    if getattr(request, "htmx", False):
        return render(request, "cases/_applicant_full.html", context)
    return render(request, "cases/applicant_full.html", context)


def _disposition(*, attachment: bool, filename: str) -> str:
    return content_disposition_header(as_attachment=attachment, filename=filename) or "attachment"


@login_required
@require_GET
def notice_pdf(request: HttpRequest, case_id: int, notice_id: int) -> HttpResponse:
    """打印/下载: the notice's PDF, for staff who may see the case."""
    case = staff_case(request, case_id)
    notice = case.notices.filter(pk=notice_id).first()
    if notice is None:
        raise NotFoundError("未找到该文书")
    content = notices.notice_pdf(notice)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = _disposition(
        attachment=request.GET.get("download") == "1", filename=notices.notice_filename(notice)
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def case_file(request: HttpRequest, case_id: int, file_id: int) -> HttpResponse:
    """An uploaded material file, for staff who may see the case; always a download."""
    case = staff_case(request, case_id)
    stored = case.files.filter(pk=file_id).first()
    if stored is None:
        raise NotFoundError("未找到该文件")
    # A material (an ID card's scan, a licence) is the applicant's full data: who opened which file is logged.
    personal_data_read(
        actor=request.user,
        obj=case.applicant,
        person="applicant",
        fields=[f"case_file:{stored.pk}"],
        screen=screen_name(request),
        purpose=request_purpose(request),
    )
    response = HttpResponse(bytes(stored.data), content_type=stored.content_type)
    response["Content-Disposition"] = _disposition(attachment=True, filename=stored.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def masked_rows(cases: Any) -> list[dict[str, Any]]:
    """Rows for the desks' lists: ID numbers and phones masked, remaining working days computed."""
    return [
        {
            "case": case,
            "applicant_name": case.applicant.name,
            "applicant_identifier": case.applicant.masked_identifier,
            "applicant_phone": mask_phone(case.applicant.phone),
            "remaining": selectors.remaining_working_days(case),
        }
        for case in cases
    ]
