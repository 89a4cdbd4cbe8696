"""审批办件 — the department's back office (/cases/review/).

The inbox lists the department's accepted and running cases, soonest due first, with the working days
left and the warning/overdue colours; beside it the 告知承诺 verifications due and, for the head (chief
representative or admin), the extensions waiting for approval. The actions on a case (take it, special
procedures, extension, decide, result ready, terminate, revoke, verify) are posted from the case page.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from yichuang.accounts.models import User
from yichuang.cases import commitments, hooks, policies, selectors, services, timing
from yichuang.cases.forms import (
    AssignForm,
    DecideForm,
    ExtensionDecideForm,
    ExtensionRequestForm,
    ProcedureFinishForm,
    ReasonForm,
    SpecialProcedureForm,
    VerificationForm,
)
from yichuang.cases.models import (
    CaseExtension,
    CommitmentVerification,
    ExtensionStatus,
    VerificationStatus,
)
from yichuang.cases.views_staff import (
    department_reviewers,
    masked_rows,
    require_staff,
    run_action,
    staff_case,
)
from yichuang.core.errors import ApplicationError, NotFoundError
from yichuang.core.permissions import has_capability, require_capability

PAGE_SIZE = 50


def _require_review(user: Any) -> None:
    require_staff(user)
    require_capability(user, "case.review", "只有部门审批人员和首席代表可以使用审批办件")


@login_required
@require_GET
def review_inbox(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_review(user)
    cases = selectors.case_inbox(actor=user)
    mine = request.GET.get("mine") == "1"
    if mine:
        cases = cases.filter(reviewer_id=user.pk)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    scope = policies.case_scope(user)
    verifications = (
        CommitmentVerification.objects.filter(case__in=scope, status=VerificationStatus.PENDING)
        .select_related("case__item_version", "case__applicant")
        .order_by("due_date", "pk")[:PAGE_SIZE]
    )
    extensions: Any = CaseExtension.objects.none()
    if has_capability(user, "case.extend"):
        extensions = (
            CaseExtension.objects.filter(case__in=scope, status=ExtensionStatus.REQUESTED)
            .select_related("case__item_version", "requested_by")
            .order_by("requested_at", "pk")[:PAGE_SIZE]
        )
    context = {
        "page": page,
        "rows": masked_rows(page.object_list),
        "mine": mine,
        "verifications": verifications,
        "extensions": extensions,
        "can_extend": has_capability(user, "case.extend"),
        "today": timezone.localdate(),
    }
    return render(request, "cases/review_inbox.html", context)


@login_required
@require_POST
def review_start(request: HttpRequest, case_id: int) -> HttpResponse:
    """Take the case (or, as the head, assign it to a reviewer of the department)."""
    case = staff_case(request, case_id)
    policies.require_can_review(request.user, case)  # before the input: a refusal is not a form error
    choices = department_reviewers(case)
    form = AssignForm(request.POST, prefix="assign", reviewers=choices)
    if not form.is_valid():
        error = ApplicationError("请选择本部门的审查人员", fields={"reviewer": ["无效"]})
        return run_action(request, case, _raise(error), success="", form=form, form_key="assign")
    reviewer_id = form.cleaned_data.get("reviewer")
    reviewer = User.objects.get(pk=reviewer_id) if reviewer_id else None
    return run_action(
        request,
        case,
        lambda: services.case_start_review(actor=request.user, case=case, reviewer=reviewer),
        success="已开始审查" if reviewer is None else f"已分派给 {reviewer.full_name or reviewer.username}",
        form=form,
        form_key="assign",
    )


def _raise(error: ApplicationError) -> Any:
    def action() -> None:
        raise error

    return action


@login_required
@require_POST
def review_decide(request: HttpRequest, case_id: int) -> HttpResponse:
    case = staff_case(request, case_id)
    form = DecideForm(request.POST, prefix="decide", result=hooks.result_form(case))
    form.is_valid()
    decision = form.cleaned_data.get("decision") or request.POST.get("decide-decision", "")
    return run_action(
        request,
        case,
        lambda: services.case_decide(
            actor=request.user,
            case=case,
            decision=decision,
            reason=form.cleaned_data.get("reason", ""),
            result=form.result_payload(),
        ),
        success="已作出准予决定" if decision == "approve" else "已作出不予许可决定",
        form=form,
        form_key="decide",
    )


@login_required
@require_POST
def review_procedure_start(request: HttpRequest, case_id: int) -> HttpResponse:
    case = staff_case(request, case_id)
    policies.require_can_review(request.user, case)  # before the input: a refusal is not a form error
    form = SpecialProcedureForm(request.POST, prefix="procedure")
    if not form.is_valid() and "days" in form.errors:
        error = ApplicationError("请填写特别程序所需的工作日数（1至365）", fields={"days": ["无效"]})
        return run_action(request, case, _raise(error), success="", form=form, form_key="procedure_start")
    data = form.cleaned_data
    return run_action(
        request,
        case,
        lambda: timing.case_special_procedure_start(
            actor=request.user,
            case=case,
            kind=data.get("kind", ""),
            name=data.get("name", ""),
            days=data.get("days"),
            reason=data.get("reason", ""),
        ),
        success="特别程序已启动，办理时限暂停计算",
        form=form,
        form_key="procedure_start",
    )


@login_required
@require_POST
def review_procedure_finish(request: HttpRequest, case_id: int) -> HttpResponse:
    case = staff_case(request, case_id)
    form = ProcedureFinishForm(request.POST, prefix="finish")
    form.is_valid()
    return run_action(
        request,
        case,
        lambda: timing.case_special_procedure_finish(
            actor=request.user, case=case, result=form.cleaned_data.get("result", "")
        ),
        success="特别程序已结束，办理时限恢复计算",
        form=form,
        form_key="procedure_finish",
    )


@login_required
@require_POST
def review_extension_request(request: HttpRequest, case_id: int) -> HttpResponse:
    case = staff_case(request, case_id)
    policies.require_can_review(request.user, case)  # before the input: a refusal is not a form error
    form = ExtensionRequestForm(request.POST, prefix="extension")
    form.is_valid()
    days = form.cleaned_data.get("days")
    if days is None:
        error = ApplicationError("请填写延长的工作日数", fields={"days": ["必填"]})
        return run_action(request, case, _raise(error), success="", form=form, form_key="extension_request")
    return run_action(
        request,
        case,
        lambda: timing.case_extension_request(
            actor=request.user, case=case, days=days, reason=form.cleaned_data.get("reason", "")
        ),
        success="延期申请已提交，等待负责人批准",
        form=form,
        form_key="extension_request",
    )


@login_required
@require_POST
def review_extension_decide(request: HttpRequest, case_id: int, extension_id: int) -> HttpResponse:
    case = staff_case(request, case_id)
    policies.require_can_approve_extension(request.user, case)  # before the input, as above
    extension = case.extensions.filter(pk=extension_id).first()
    if extension is None:
        raise NotFoundError("未找到该延期申请")
    form = ExtensionDecideForm(request.POST, prefix="extdecide")
    form.is_valid()
    approve = form.cleaned_data.get("approve")
    if approve is None:
        error = ApplicationError("请选择批准或不批准", fields={"approve": ["必选"]})
        return run_action(request, case, _raise(error), success="", form=form, form_key="extension_decide")
    return run_action(
        request,
        case,
        lambda: timing.case_extension_decide(
            actor=request.user, extension=extension, approve=approve, note=form.cleaned_data.get("note", "")
        ),
        success=f"已批准延期{extension.days}个工作日" if approve else "已不批准延期",
        form=form,
        form_key="extension_decide",
    )


@login_required
@require_POST
def review_result_ready(request: HttpRequest, case_id: int) -> HttpResponse:
    case = staff_case(request, case_id)
    return run_action(
        request,
        case,
        lambda: services.case_result_ready(actor=request.user, case=case),
        success="审批结果已制作完成，待送达",
    )


@login_required
@require_POST
def review_terminate(request: HttpRequest, case_id: int) -> HttpResponse:
    case = staff_case(request, case_id)
    form = ReasonForm(request.POST, prefix="terminate")
    form.is_valid()
    return run_action(
        request,
        case,
        lambda: services.case_terminate(
            actor=request.user, case=case, reason=form.cleaned_data.get("reason", "")
        ),
        success="已终止办理",
        form=form,
        form_key="terminate",
    )


@login_required
@require_POST
def review_revoke(request: HttpRequest, case_id: int) -> HttpResponse:
    case = staff_case(request, case_id)
    form = ReasonForm(request.POST, prefix="revoke")
    form.is_valid()
    return run_action(
        request,
        case,
        lambda: services.case_revoke(
            actor=request.user, case=case, reason=form.cleaned_data.get("reason", "")
        ),
        success="已撤销该审批决定",
        form=form,
        form_key="revoke",
    )


@login_required
@require_POST
def review_verify(request: HttpRequest, case_id: int) -> HttpResponse:
    """核查 of a 告知承诺: truthful, or false (the decision is revoked and the applicant marked)."""
    case = staff_case(request, case_id)
    policies.require_can_review(request.user, case)  # before the input: a refusal is not a form error
    verification = CommitmentVerification.objects.filter(case=case).first()
    if verification is None:
        raise NotFoundError("该办件没有待核查的承诺")
    form = VerificationForm(request.POST, prefix="verify")
    form.is_valid()
    truthful = form.cleaned_data.get("truthful")
    if truthful is None:
        error = ApplicationError("请选择核查结论", fields={"truthful": ["必选"]})
        return run_action(request, case, _raise(error), success="", form=form, form_key="verify")
    return run_action(
        request,
        case,
        lambda: commitments.commitment_verify(
            actor=request.user,
            verification=verification,
            truthful=truthful,
            findings=form.cleaned_data.get("findings", ""),
        ),
        success="核查结果已记录：承诺属实" if truthful else "核查发现虚假承诺：已撤销决定并记入失信记录",
        form=form,
        form_key="verify",
    )
