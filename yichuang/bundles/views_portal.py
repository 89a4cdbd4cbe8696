"""The applicant's 一件事: apply once online (情形引导 → one form and one set of materials → submit), follow
the application (我的一件事) with its members, merged materials, notices and one combined result, tell the
window the 补正 is ready, withdraw.

Applying is two steps on one URL: the questionnaire (GET), then — for the items the answers select — the
one form (POST ``step=answers``), then the submission (POST ``step=submit``), which carries the answers
as hidden inputs and a key that makes a double click one application. A refused submission shows the
page again with everything typed and the reason next to its input (files must be chosen again: a browser
never keeps them). Every read goes through ``policies.application_scope``: someone else's is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yichuang.accounts.models import Applicant
from yichuang.bundles import notices, selectors, services
from yichuang.bundles import selection as bundle_selection
from yichuang.bundles.forms_portal import BundleApplyForm, QuestionnaireForm, SupplyForm, WithdrawForm
from yichuang.bundles.models import (
    ApplicationStatus,
    Bundle,
    BundleApplication,
    BundleCase,
    BundleEvent,
    BundleFile,
    BundleNotice,
    MemberState,
)
from yichuang.bundles.progress import FAILED
from yichuang.bundles.selection import Selection
from yichuang.bundles.views_public import condition_text, member_promised_days, offline_members
from yichuang.cases.models import Case, CaseEvent, CaseNotice, CaseStatus
from yichuang.cases.notices_pdf import NOTICE_KINDS
from yichuang.cases.views_portal import INTERNAL_ACTIONS, action_label
from yichuang.core.errors import ApplicationError, NotFoundError
from yichuang.core.permissions import require_capability
from yichuang.licences import selectors as licence_selectors

FINISHED = frozenset({ApplicationStatus.RESULT_READY, ApplicationStatus.CLOSED})
# Before any member is decided the applicant may take the whole application back.
WITHDRAWABLE = frozenset(
    {ApplicationStatus.SUBMITTED, ApplicationStatus.CORRECTION, ApplicationStatus.IN_PROGRESS}
)


def _require_applicant_role(request: HttpRequest) -> None:
    require_capability(request.user, "case.apply", "只有申请人可以使用“我的一件事”")


def _applicant_of(request: HttpRequest) -> Applicant | None:
    return getattr(request.user, "applicant", None)


def _application(request: HttpRequest, pk: int) -> BundleApplication:
    _require_applicant_role(request)
    return selectors.application_get(actor=request.user, pk=pk)


# ——— apply online ———


def _member_rows(selection: Selection) -> list[dict[str, Any]]:
    selected = {member.pk for member in selection.members}
    return [
        {
            "member": member,
            "department": member.item.department,
            "promised_days": member_promised_days(member),
            "waits_for": [str(r) for r in member.requires.all() if r.pk in selected],
        }
        for member in selection.members
    ]


def _not_selected(bundle: Bundle, selection: Selection) -> list[dict[str, Any]]:
    selected = {member.pk for member in selection.members}
    questions = {question.key: question for question in bundle_selection.questions_of(bundle)}
    return [
        {"member": member, "department": member.item.department, "when": condition_text(member, questions)}
        for member in bundle_selection.members_of(bundle)
        if member.pk not in selected
    ]


def _step_one(
    request: HttpRequest, context: dict[str, Any], questionnaire: QuestionnaireForm
) -> HttpResponse:
    context.update(step=1, questionnaire=questionnaire)
    return render(request, "bundles/portal_apply.html", context)


def _step_two(
    request: HttpRequest,
    context: dict[str, Any],
    questionnaire: QuestionnaireForm,
    selection: Selection,
    form: BundleApplyForm,
) -> HttpResponse:
    offline = offline_members(selection.members)
    context.update(
        step=2,
        questionnaire=questionnaire,
        answer_pairs=questionnaire.hidden_pairs(),
        selection=selection,
        members=_member_rows(selection),
        not_selected=_not_selected(context["bundle"], selection),
        offline=offline,
        form=form,
        # A browser never keeps chosen files across a reload: say that they must be chosen again.
        files_dropped=form.is_bound,
    )
    return render(request, "bundles/portal_apply.html", context)


def _selection(bundle: Bundle, questionnaire: QuestionnaireForm) -> Selection | None:
    """The selection for valid answers, or None with the reasons on the questionnaire."""
    if not questionnaire.is_valid():
        return None
    try:
        return bundle_selection.selection_for(bundle, questionnaire.answers())
    except ApplicationError as error:
        questionnaire.add_service_error(error)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, code: str) -> HttpResponse:
    _require_applicant_role(request)
    bundle = selectors.bundle_published_get(code)
    applicant = _applicant_of(request)
    questions = bundle_selection.questions_of(bundle)
    context: dict[str, Any] = {"bundle": bundle, "applicant": applicant}
    if applicant is None:
        context["no_applicant"] = True
        return render(request, "bundles/portal_apply.html", context)
    step = request.POST.get("step", "") if request.method == "POST" else ""
    if step not in ("answers", "submit"):  # the questionnaire: first visit, or back to change the answers
        data = request.POST if step == "edit" else None
        return _step_one(request, context, QuestionnaireForm(data, questions=questions))
    questionnaire = QuestionnaireForm(request.POST, questions=questions)
    selection = _selection(bundle, questionnaire)
    if selection is None:
        return _step_one(request, context, questionnaire)
    if step == "answers":
        return _step_two(
            request,
            context,
            questionnaire,
            selection,
            BundleApplyForm(selection=selection, applicant=applicant),
        )
    form = BundleApplyForm(request.POST, request.FILES, selection=selection, applicant=applicant)
    if form.is_valid():
        try:
            submission = services.bundle_apply(
                actor=request.user,
                bundle=bundle,
                applicant=applicant,
                channel="online",
                answers=questionnaire.answers(),
                form=form.form_values(),
                use_licences=bool(form.cleaned_data.get("use_licences")),
                idempotency_key=form.cleaned_data["idempotency_key"],
                files=form.material_files(),
            )
        except ApplicationError as error:
            if any(path.startswith("answers.") for path in error.fields):
                questionnaire.add_service_error(error)
                return _step_one(request, context, questionnaire)
            form.add_service_error(error)
        else:
            application = submission.application
            if submission.repeat:
                messages.info(
                    request, _("该申请已提交过，申请编号 %(number)s。") % {"number": application.number}
                )
            else:
                messages.success(
                    request,
                    _("一件事申请已提交，申请编号 %(number)s。各事项将由相关部门同时办理，请留意办理进度。")
                    % {"number": application.number},
                )
            return redirect("bundles:portal_detail", pk=application.pk)
    return _step_two(request, context, questionnaire, selection, form)


# ——— 我的一件事 ———


@login_required
@require_GET
def application_list(request: HttpRequest) -> HttpResponse:
    _require_applicant_role(request)
    page = Paginator(selectors.application_list(actor=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "bundles/portal_list.html", {"page": page, "applicant": _applicant_of(request)})


def _failure_reason(case: Case) -> str:
    reason = case.refusal_reason or case.decision_reason or case.revoke_reason
    if case.status == CaseStatus.REFUSED and case.competent_office:
        reason = _("%(reason)s（请向%(office)s申请）") % {"reason": reason, "office": case.competent_office}
    return reason


def member_rows(links: list[BundleCase]) -> list[dict[str, Any]]:
    """Each member as the applicant sees it: where it stands, and why when it was not started or refused."""
    names = {link.member_id: str(link.member) for link in links}
    rows = []
    for link in links:
        case = link.case
        explanation = ""
        if link.state == MemberState.CANCELLED:
            explanation = link.note or _("本事项未启动")
        elif link.state == MemberState.WAITING:
            needed = "、".join(names[r.pk] for r in link.member.requires.all() if r.pk in names)
            explanation = link.note or _("等待前置事项“%(names)s”办结后自动推送办理") % {"names": needed}
        elif case is not None and case.status in FAILED:
            explanation = _failure_reason(case)
        rows.append(
            {
                "link": link,
                "case": case,
                "name": str(link.member),
                "department": case.department if case is not None else link.member.item.department,
                "status": case.status if case is not None else link.state,
                "status_label": case.get_status_display() if case is not None else link.get_state_display(),
                "explanation": explanation,
            }
        )
    return rows


def result_rows(request: HttpRequest, links: list[BundleCase]) -> list[dict[str, Any]]:
    """办理结果 of every member together: the result, the decision, and the e-licence (or the decision
    notice) it came with."""
    case_ids = [link.case_id for link in links if link.case_id]
    licences: dict[int | None, list[Any]] = {}
    for licence in licence_selectors.licences_held(request.user).filter(case_id__in=case_ids):
        licences.setdefault(licence.case_id, []).append(licence)
    # The latest decision notice of each case (ordered oldest first, so later ones win).
    decision_notices: dict[int, CaseNotice] = {
        issued.case_id: issued
        for issued in CaseNotice.objects.filter(
            case_id__in=case_ids, kind__in=("decision_approve", "decision_deny")
        )
        .defer("pdf", "document")
        .order_by("issued_at", "pk")
    }
    rows = []
    for link in links:
        case = link.case
        approved = case is not None and case.decision == "approve" and case.status not in FAILED
        if approved:
            verdict = _("准予")
        elif case is not None:
            verdict = case.get_status_display()
        else:
            verdict = link.get_state_display()
        notice: CaseNotice | None = decision_notices.get(case.pk) if case is not None else None
        version = case.item_version if case is not None else link.member.item.current_version
        rows.append(
            {
                "name": str(link.member),
                "department": case.department if case is not None else link.member.item.department,
                "case": case,
                "approved": approved,
                "verdict": verdict,
                "result_name": version.result_name if version is not None else "",
                "reason": "" if approved or case is None else _failure_reason(case),
                "note": link.note if case is None else "",
                "licences": licences.get(case.pk, []) if case is not None else [],
                "notice": notice,
                "notice_title": NOTICE_KINDS.get(notice.kind, notice.kind) if notice is not None else "",
            }
        )
    return rows


def _who(actor: Any, applicant_user_id: int | None) -> str:
    """Who acted, by department and role — staff are never named to the applicant."""
    if actor is None:
        return _("系统")
    if applicant_user_id is not None and actor.pk == applicant_user_id:
        return _("申请人")
    role = actor.get_role_display()
    department = getattr(actor, "department", None)
    return f"{department.name} · {role}" if department is not None else str(role)


def applicant_timeline(application: BundleApplication, links: list[BundleCase]) -> list[dict[str, Any]]:
    """The application's steps and every member case's, in time order, as the applicant sees them (the
    office's internal steps left out, staff shown by department)."""
    user_id = application.applicant.user_id
    names = {link.case_id: str(link.member) for link in links if link.case_id}
    entries = [
        {
            "at": event.at,
            "source": _("一件事"),
            "label": selectors.BUNDLE_ACTIONS.get(event.action, event.action),
            "note": event.note,
            "who": _who(event.actor, user_id),
        }
        for event in BundleEvent.objects.filter(application=application).select_related("actor__department")
    ]
    events = (
        CaseEvent.objects.filter(case_id__in=list(names))
        .exclude(action__in=INTERNAL_ACTIONS)
        .select_related("actor__department")
    )
    entries += [
        {
            "at": event.at,
            "source": names[event.case_id],
            "label": action_label(event),
            "note": event.note,
            "who": _who(event.actor, user_id),
        }
        for event in events
    ]
    return sorted(entries, key=lambda entry: entry["at"])


def _can_withdraw(application: BundleApplication, links: list[BundleCase]) -> bool:
    return application.status in WITHDRAWABLE and not any(
        link.case is not None and link.case.decision for link in links
    )


def _detail_page(
    request: HttpRequest,
    application: BundleApplication,
    *,
    supply_form: SupplyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    links = selectors.application_members(application)
    bundle_notices = list(
        BundleNotice.objects.filter(application=application).defer("pdf").order_by("issued_at", "pk")
    )
    notices_rows = [
        {"notice": notice, "title": NOTICE_KINDS.get(notice.kind, notice.kind)} for notice in bundle_notices
    ]
    correction = next((n for n in reversed(bundle_notices) if n.kind == "bundle_correction"), None)
    in_correction = application.status == ApplicationStatus.CORRECTION
    context = {
        "application": application,
        "bundle": application.bundle,
        "members": member_rows(links),
        "materials": selectors.merged_material_states(application, links),
        "files": list(BundleFile.objects.filter(application=application).defer("data")),
        "form_rows": selectors.form_rows(application, request.user, links),
        "notices": notices_rows,
        "correction": correction if in_correction else None,
        "results": result_rows(request, links) if application.status in FINISHED else [],
        "timeline": applicant_timeline(application, links),
        "can_supply": in_correction,
        "supply_form": supply_form or SupplyForm(),
        "can_withdraw": _can_withdraw(application, links),
    }
    return render(request, "bundles/portal_detail.html", context, status=status)


@never_cache
@login_required
@require_GET
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, _application(request, pk))


@login_required
@require_POST
def supply_correction(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    form = SupplyForm(request.POST)
    if form.is_valid():
        try:
            services.bundle_supply_correction(
                actor=request.user, application=application, note=form.cleaned_data["note"].strip()
            )
        except ApplicationError as error:
            form.add_service_error(error)
            return _detail_page(request, application, supply_form=form, status=error.status)
        messages.success(request, _("已告知综合窗口补正材料已备齐，窗口工作人员将统一重新核验。"))
        return redirect("bundles:portal_detail", pk=application.pk)
    return _detail_page(request, application, supply_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    if not _can_withdraw(application, selectors.application_members(application)):
        messages.error(
            request,
            _("一件事申请当前状态为“%(status)s”或已有事项作出决定，不能整体撤回")
            % {"status": application.get_status_display()},
        )
        return redirect("bundles:portal_detail", pk=application.pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.bundle_withdraw(
                actor=request.user, application=application, reason=form.cleaned_data["reason"].strip()
            )
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("一件事申请已撤回。"))
            return redirect("bundles:portal_detail", pk=application.pk)
    return render(request, "bundles/portal_withdraw.html", {"application": application, "form": form})


@login_required
@require_GET
def notice_pdf(request: HttpRequest, pk: int, notice_id: int) -> HttpResponse:
    application = _application(request, pk)
    notice = (
        BundleNotice.objects.filter(application=application, pk=notice_id)
        .select_related("application")
        .first()
    )
    if notice is None:
        raise NotFoundError("未找到该文书")
    response = HttpResponse(notices.notice_pdf(notice), content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=notices.notice_filename(notice)) or ""
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
