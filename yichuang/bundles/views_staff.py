"""一件事 at the window — the desk (/bundles/desk/), window intake (/bundles/desk/new/) and the application
page (/bundles/desk/<id>/) shared by the window, the issuance window, helpers, the admin and the departments
(who see their own applications read-only, and of the one form only their items' fields).

Thin like the cases desks: fetch through ``selectors`` (scoped by ``policies.application_scope``, so an
application out of scope is a 404), call a service, render. A service's ApplicationError is shown on the
page in its own Chinese words, next to the question, field or material it names, with what was typed
still there; permission and not-found errors go to the error middleware (403/404).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from yichuang.accounts import selectors as account_selectors
from yichuang.accounts import services as account_services
from yichuang.accounts.forms import ApplicantForm
from yichuang.accounts.models import Applicant
from yichuang.accounts.roles import Role
from yichuang.bundles import notices, policies, selectors, services
from yichuang.bundles.forms_staff import (
    AcceptForm,
    CorrectionForm,
    IntakeForm,
    SupplyForm,
    answers_posted,
    form_groups,
    form_posted,
    material_findings,
    material_rows,
    prefilled,
    question_rows,
)
from yichuang.bundles.models import (
    ApplicationStatus,
    Bundle,
    BundleApplication,
    BundleCase,
    BundleNotice,
    MemberState,
)
from yichuang.bundles.selection import Selection, questions_of, selection_for
from yichuang.cases import policies as case_policies
from yichuang.cases.forms import WINDOW_CHANNELS, DeliverForm, new_idempotency_key
from yichuang.cases.models import CaseChannel, CaseStatus
from yichuang.cases.notices_pdf import NOTICE_KINDS
from yichuang.cases.views_staff import htmx_error
from yichuang.catalog.models import MaterialNecessity
from yichuang.core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from yichuang.core.masking import mask_phone
from yichuang.core.permissions import has_capability, require_capability
from yichuang.core.personal_data import request_purpose, screen_name

PAGE_SIZE = 50
APPLICANT_RESULTS = 20
S = ApplicationStatus

# The desk's tabs: (key, label, statuses). 待受理 also holds applications in progress with a member just
# released to the window (its prerequisite result came), which waits there to be accepted.
TABS: tuple[tuple[str, Any, tuple[str, ...]], ...] = (
    ("pending", gettext_lazy("待受理"), (S.SUBMITTED, S.CORRECTION)),
    ("in_progress", gettext_lazy("办理中"), (S.IN_PROGRESS,)),
    ("ready", gettext_lazy("待统一出件"), (S.RESULT_READY,)),
    ("closed", gettext_lazy("已办结"), (S.CLOSED, S.WITHDRAWN)),
)
WINDOW_CHANNEL_VALUES = frozenset(str(channel.value) for channel in WINDOW_CHANNELS)
_DESK_CAPABILITIES = ("case.intake", "case.accept", "case.deliver", "case.review")


# ——— checks ———


def require_staff(user: Any) -> None:
    """Applicants follow their applications in 我的一件事; to them these pages do not exist."""
    if has_capability(user, "case.apply") or getattr(user, "role", None) == Role.APPLICANT:
        raise NotFoundError(_("未找到该页面"))


def _require_desk(user: Any) -> None:
    require_staff(user)
    if getattr(user, "role", None) not in (Role.ADMIN, Role.INSPECTOR) and not any(
        has_capability(user, capability) for capability in _DESK_CAPABILITIES
    ):
        raise PermissionDeniedError(_("只有综合窗口、出证窗口、帮办代办和审批人员可以使用一件事工作台"))


def _require_intake(user: Any) -> None:
    require_staff(user)
    require_capability(user, "case.intake", _("只有综合窗口工作人员、首席代表和帮办代办员可以接件"))


def _allowed(
    check: Callable[[Any, BundleApplication], None], user: Any, application: BundleApplication
) -> bool:
    try:
        check(user, application)
    except ApplicationError:
        return False
    return True


def _application(request: HttpRequest, pk: int) -> BundleApplication:
    require_staff(request.user)
    return selectors.application_get(actor=request.user, pk=pk)


# ——— the desk ———


def _waiting_at_window() -> Exists:
    return Exists(BundleCase.objects.filter(application=OuterRef("pk"), case__status=CaseStatus.SUBMITTED))


def _tab_filter(key: str) -> Q:
    statuses = next(statuses for tab, _label, statuses in TABS if tab == key)
    condition = Q(status__in=statuses)
    if key == "pending":
        condition |= Q(waiting_at_window=True, status=S.IN_PROGRESS)
    return condition


@login_required
@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_desk(user)
    tab = request.GET.get("tab", "pending")
    if tab not in {key for key, _label, _statuses in TABS}:
        tab = "pending"
    query = request.GET.get("q", "").strip()[:30]
    scope = policies.application_scope(user).annotate(waiting_at_window=_waiting_at_window())
    counts = scope.aggregate(**{key: Count("pk", filter=_tab_filter(key)) for key, _l, _s in TABS})
    applications = selectors.application_list(actor=user, query=query).annotate(
        waiting_at_window=_waiting_at_window()
    )
    if not query:
        applications = applications.filter(_tab_filter(tab))
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "application": application,
            "applicant_name": application.applicant.name,
            "applicant_identifier": application.applicant.masked_identifier,
            "waiting_at_window": application.waiting_at_window and application.status == S.IN_PROGRESS,
        }
        for application in page.object_list
    ]
    context = {
        "tabs": [(key, label, counts[key]) for key, label, _s in TABS],
        "tab": tab,
        "query": query,
        "page": page,
        "rows": rows,
        "can_intake": has_capability(user, "case.intake"),
    }
    return render(request, "bundles/staff_desk.html", context)


# ——— window intake ———


def _positive(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and 0 < int(value) < 2**31 else None


def _published(bundle_id: int | None) -> Bundle | None:
    if bundle_id is None:
        return None
    return selectors.bundles_published().filter(pk=bundle_id).first()


def _selected_applicant(user: Any, applicant_id: int | None) -> Applicant | None:
    if applicant_id is None:
        return None
    try:
        return account_selectors.applicant_get(actor=user, applicant_id=applicant_id)
    except NotFoundError:
        return None


def _applicant_results(user: Any, query: str) -> list[Applicant]:
    if not query.strip():
        return []
    return list(account_selectors.applicant_list(actor=user, query=query)[:APPLICANT_RESULTS])


def _new_url(*, bundle: int | None = None, applicant: int | None = None) -> str:
    params = {k: v for k, v in {"bundle": bundle, "applicant": applicant}.items() if v}
    return reverse("bundles:desk_new") + ("?" + urlencode(params) if params else "")


def _default_channel(user: Any) -> str:
    return CaseChannel.PROXY if getattr(user, "role", None) == Role.HELPER else CaseChannel.WINDOW


def _intake_form(user: Any, data: Any = None) -> IntakeForm:
    """An unbound intake form carrying what was posted so far (its idempotency key above all: the same
    rendering submitted twice makes one application)."""
    data = data if data is not None else {}
    channel = data.get("channel") if data.get("channel") in WINDOW_CHANNEL_VALUES else _default_channel(user)
    return IntakeForm(
        initial={
            "idempotency_key": (data.get("idempotency_key") or "").strip()[:64] or new_idempotency_key(),
            "channel": channel,
            "use_licences": data.get("use_licences") == "on",
        }
    )


def _intake_page(
    request: HttpRequest,
    *,
    bundle: Bundle | None,
    applicant: Applicant | None,
    step: str = "answers",
    answers: dict[str, list[str]] | None = None,
    values: dict[str, str] | None = None,
    selection: Selection | None = None,
    intake_form: IntakeForm | None = None,
    register_form: ApplicantForm | None = None,
    duplicate_of: int | None = None,
    error: ApplicationError | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    errors = error.fields if error is not None else {}
    questions = questions_of(bundle) if bundle is not None else []
    intake_form = intake_form or _intake_form(user)
    applicant_query = request.GET.get("aq", "")
    can_register = has_capability(user, "applicant.manage")
    values = values or {}
    context = {
        "bundles": list(selectors.bundles_published()),
        "bundle": bundle,
        "applicant": applicant,
        "applicant_query": applicant_query,
        "applicants": _applicant_results(user, applicant_query) if applicant is None else [],
        "can_register": can_register,
        "register_form": register_form
        or (ApplicantForm(initial={"kind": "natural"}) if can_register else None),
        "duplicate_of": duplicate_of,
        "step": step if bundle is not None and applicant is not None else "",
        "questions": question_rows(questions, answers or {}, errors),
        "answers": answers or {},
        # The form's values ride along (hidden) while the answers are changed, so nothing typed is lost.
        "carried": sorted(values.items()),
        "selection": selection,
        "groups": form_groups(selection, values, errors) if selection is not None else [],
        "materials": [
            (merged, MaterialNecessity(merged.necessity).label)
            for merged in (selection.materials if selection is not None else [])
        ],
        "intake_form": intake_form,
        "error": error,
        "clear_bundle_url": _new_url(applicant=applicant.pk if applicant else None),
        "clear_applicant_url": _new_url(bundle=bundle.pk if bundle else None),
    }
    return render(request, "bundles/staff_new.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def desk_new(request: HttpRequest) -> HttpResponse:
    """窗口受理: pick the bundle and the applicant, answer the questionnaire, fill the one form, apply once.
    ``op``: ``answers`` (to the form), ``back`` (to the answers, the form's values kept), ``submit``."""
    user = request.user
    _require_intake(user)
    source = request.POST if request.method == "POST" else request.GET
    bundle = _published(_positive(source.get("bundle")))
    applicant = _selected_applicant(user, _positive(source.get("applicant")))
    page: dict[str, Any] = {"bundle": bundle, "applicant": applicant}
    if bundle is None or applicant is None:
        if request.method == "POST":
            error = ApplicationError(_("请先选定一件事和申请人"), code="not_selected")
            return _intake_page(request, **page, error=error, status=400)
        return _intake_page(request, **page)
    if request.method == "GET":
        if questions_of(bundle):
            return _intake_page(request, **page)
        return _form_step(request, bundle, applicant, {}, {}, _intake_form(user))
    op = request.POST.get("op", "answers")
    answers = answers_posted(request.POST, questions_of(bundle))
    carried = {
        key.removeprefix("f-"): str(value).strip()[:2000]
        for key, value in request.POST.items()
        if key.startswith("f-") and str(value).strip()
    }
    unbound = _intake_form(user, request.POST)
    if op == "back":
        return _intake_page(request, **page, answers=answers, values=carried, intake_form=unbound)
    try:
        selection = selection_for(bundle, answers)
    except ApplicationError as error:
        return _intake_page(
            request, **page, answers=answers, values=carried, intake_form=unbound, error=error, status=400
        )
    if op != "submit":
        return _form_step(request, bundle, applicant, answers, carried, unbound, selection=selection)
    values = form_posted(request.POST, selection)
    intake_form = IntakeForm(request.POST)
    intake_form.is_valid()
    data = intake_form.cleaned_data

    def fail(error: ApplicationError) -> HttpResponse:
        if isinstance(error, PermissionDeniedError):
            raise error
        intake_form.add_service_error(error)
        on_answers = any(name.startswith("answers.") for name in error.fields)
        return _intake_page(
            request,
            **page,
            step="answers" if on_answers else "form",
            answers=answers,
            values=values,
            selection=selection,
            intake_form=intake_form,
            error=error,
            status=error.status,
        )

    if intake_form.errors.get("channel"):
        return fail(ApplicationError(_("接件渠道无效"), fields={"channel": [_("请选择接件渠道")]}))
    try:
        submission = services.bundle_apply(
            actor=user,
            bundle=bundle,
            applicant=applicant,
            channel=data["channel"],
            answers=answers,
            form=values,
            use_licences=bool(data.get("use_licences")),
            idempotency_key=data.get("idempotency_key") or None,
        )
    except ApplicationError as error:
        return fail(error)
    application = submission.application
    if submission.repeat:
        messages.info(request, _("该申请已提交，未重复接件：%(number)s") % {"number": application.number})
    else:
        messages.success(
            request,
            _("已接件，一件事申请编号 %(number)s：请统一核验材料，各部门将同时办理")
            % {"number": application.number},
        )
    return redirect("bundles:desk_detail", pk=application.pk)


def _form_step(
    request: HttpRequest,
    bundle: Bundle,
    applicant: Applicant,
    answers: dict[str, list[str]],
    carried: dict[str, str],
    intake_form: IntakeForm,
    *,
    selection: Selection | None = None,
) -> HttpResponse:
    """The one form for the selected members, starting from the applicant's record."""
    page: dict[str, Any] = {"bundle": bundle, "applicant": applicant}
    try:
        selection = selection or selection_for(bundle, answers)
    except ApplicationError as error:
        return _intake_page(request, **page, error=error, status=400)
    values = {**prefilled(selection, applicant), **carried}
    return _intake_page(
        request,
        **page,
        step="form",
        answers=answers,
        values=values,
        selection=selection,
        intake_form=intake_form,
    )


@login_required
@require_GET
def desk_applicants(request: HttpRequest) -> HttpResponse:
    """Live applicant search (htmx fragment): pick one to carry into the intake."""
    _require_intake(request.user)
    query = request.GET.get("aq", "")
    context = {
        "applicant_query": query,
        "applicants": _applicant_results(request.user, query),
        "bundle": _published(_positive(request.GET.get("bundle"))),
    }
    return render(request, "bundles/staff_applicant_results.html", context)


@login_required
@require_POST
def desk_register(request: HttpRequest) -> HttpResponse:
    """登记 a new applicant on the spot (the accounts service and its form), then select him."""
    _require_intake(request.user)
    require_capability(request.user, "applicant.manage", _("您没有登记申请人的权限"))
    form = ApplicantForm(request.POST)
    bundle = _published(_positive(request.POST.get("bundle")))
    duplicate_of: int | None = None
    error: ApplicationError | None = None
    if form.is_valid():
        try:
            applicant = account_services.applicant_register(actor=request.user, **form.cleaned_data)
        except PermissionDeniedError:
            raise
        except ApplicationError as exc:
            error = exc
            form.add_service_error(exc)
            if isinstance(exc, ConflictError):
                duplicate_of = exc.extra.get("applicant_id")
        else:
            messages.success(request, _("已登记申请人：%(name)s") % {"name": applicant.name})
            url = _new_url(bundle=bundle.pk if bundle else None, applicant=applicant.pk)
            if request.htmx:  # type: ignore[attr-defined]
                return HttpResponseClientRedirect(url)
            return redirect(url)
    if request.htmx:  # type: ignore[attr-defined]
        context = {"register_form": form, "duplicate_of": duplicate_of, "bundle": bundle}
        return render(request, "bundles/staff_register.html", context)
    return _intake_page(
        request,
        bundle=bundle,
        applicant=None,
        register_form=form,
        duplicate_of=duplicate_of,
        error=error or ApplicationError(_("申请人信息有误，请按提示修改")),
        status=400,
    )


# ——— the application page ———


def _issued(application: BundleApplication, raw: str) -> list[tuple[BundleNotice, str]]:
    ids = [int(part) for part in raw.split(",") if part.isdigit()][:10]
    if not ids:
        return []
    found = application.notices.defer("pdf").filter(pk__in=ids).order_by("issued_at", "pk")
    return [(notice, NOTICE_KINDS.get(notice.kind, notice.kind)) for notice in found]


def _member_rows(user: Any, links: list[BundleCase]) -> list[dict[str, Any]]:
    selected = {link.member_id: link for link in links}
    rows = []
    for link in links:
        case = link.case
        note = link.note
        if link.state == MemberState.WAITING and not note:
            needed = [str(r) for r in link.member.requires.all() if r.pk in selected]
            note = _("等待前置事项“%(names)s”的结果") % {"names": "、".join(needed)}
        rows.append(
            {
                "link": link,
                "member": link.member,
                "department": (case.department if case else link.member.item.department).name,
                "case": case,
                "case_visible": case is not None and case_policies.case_visible(user, case),
                "status": case.get_status_display() if case else MemberState(link.state).label,
                "status_code": case.status if case else link.state,
                "due_date": case.due_date if case else None,
                "note": note,
            }
        )
    return rows


def _actions(user: Any, application: BundleApplication, links: list[BundleCase]) -> dict[str, bool]:
    """What this user may do on the application now (each service checks again when called)."""
    statuses = {link.case.status for link in links if link.case is not None}
    can_accept = _allowed(policies.require_can_accept, user, application)
    submitted = CaseStatus.SUBMITTED in statuses
    return {
        "check": can_accept and bool(statuses & {CaseStatus.SUBMITTED, CaseStatus.CORRECTION}),
        "accept": can_accept and submitted,
        "correction": can_accept and submitted,
        "supply": CaseStatus.CORRECTION in statuses
        and has_capability(user, "case.intake")
        and _allowed(policies.require_can_supply, user, application),
        "deliver": application.status == S.RESULT_READY
        and _allowed(policies.require_can_deliver, user, application),
    }


def _forms(bound: dict[str, Form]) -> dict[str, Form]:
    forms: dict[str, Form] = {
        "correction": CorrectionForm(prefix="correction"),
        "accept": AcceptForm(prefix="accept"),
        "supply": SupplyForm(prefix="supply"),
        "deliver": DeliverForm(prefix="deliver"),
    }
    forms.update(bound)
    return forms


def detail_page(
    request: HttpRequest,
    application: BundleApplication,
    *,
    error: ApplicationError | None = None,
    bound: dict[str, Form] | None = None,
    check_data: Any = None,
    check_errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    application = selectors.application_get(actor=user, pk=application.pk)  # fresh after a failed action
    links = selectors.application_members(application)
    states = selectors.merged_material_states(application, links)
    form_rows = selectors.form_rows(application, user, links)
    services.form_read_record(
        actor=user,
        application=application,
        rows=form_rows,
        screen=screen_name(request),
        purpose=request_purpose(request),
    )
    context = {
        "application": application,
        "applicant": application.applicant,
        "applicant_phone": mask_phone(application.applicant.phone),
        "whole": policies.sees_whole_form(user, application),
        "materials": material_rows(states, check_data, check_errors),
        "has_deferrable": any(state.merged.necessity == MaterialNecessity.DEFERRABLE for state in states),
        "members": _member_rows(user, links),
        "form_rows": form_rows,
        "notices": [
            (notice, NOTICE_KINDS.get(notice.kind, notice.kind))
            for notice in application.notices.defer("pdf").order_by("issued_at", "pk")
        ],
        "issued": _issued(application, request.GET.get("issued", "")),
        "timeline": selectors.application_timeline(application, links),
        "actions": _actions(user, application, links),
        "forms": _forms(bound or {}),
        "error": error,
        "can_desk": True,
    }
    return render(request, "bundles/staff_detail.html", context, status=status)


def _detail_url(application: BundleApplication, issued: list[int] | None = None) -> str:
    url = reverse("bundles:desk_detail", args=[application.pk])
    if issued:
        url += "?issued=" + ",".join(str(pk) for pk in issued)
    return url


def _run(
    request: HttpRequest,
    application: BundleApplication,
    action: Callable[[], Any],
    *,
    success: str,
    bound: dict[str, Form] | None = None,
    page: dict[str, Any] | None = None,
) -> HttpResponse:
    """Call the services as one step; on success go to the application page naming the notices issued,
    else show why — in the form (htmx) or on the page again with what was typed."""
    before = set(BundleNotice.objects.filter(application=application).values_list("pk", flat=True))
    try:
        with transaction.atomic():  # a check saved and an acceptance refused: neither is kept
            action()
    except ApplicationError as error:
        fragment = htmx_error(request, error)
        if fragment is not None:
            return fragment
        if isinstance(error, PermissionDeniedError | NotFoundError):
            raise
        for form in (bound or {}).values():  # the message itself is on the page already
            if any(name in form.fields for name in error.fields):
                form.add_service_error(error)  # type: ignore[attr-defined]
        return detail_page(
            request, application, error=error, bound=bound, status=error.status, **(page or {})
        )
    issued = sorted(
        set(BundleNotice.objects.filter(application=application).values_list("pk", flat=True)) - before
    )
    messages.success(request, success)
    url = _detail_url(application, issued)
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)


@login_required
@require_GET
def desk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return detail_page(request, _application(request, pk))


_THEN = {
    "save": gettext_lazy("已保存材料核验结果"),
    "correction": gettext_lazy("已出具一次性补正告知书：全部事项需补正的材料已一并告知"),
    "accept": gettext_lazy("已统一受理，各成员事项已推送部门并联办理"),
}


@login_required
@require_POST
def desk_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Save what the window found for each merged material, then (one click) tell one 补正 or accept."""
    application = _application(request, pk)
    then = request.POST.get("then", "save")
    if then not in _THEN:
        then = "save"
    states = selectors.merged_material_states(application)
    findings, field_errors = material_findings(request.POST, states)
    correction_form = CorrectionForm(request.POST, prefix="correction")
    accept_form = AcceptForm(request.POST, prefix="accept")
    correction_form.is_valid()
    accept_form.is_valid()

    def act() -> None:
        if field_errors:
            raise ApplicationError(
                _("材料核验结果有误，请按提示修改"),
                code="materials_invalid",
                fields={"materials": list(field_errors)},
            )
        if findings:
            services.bundle_check_materials(actor=request.user, application=application, findings=findings)
        if then == "correction":
            services.bundle_request_correction(
                actor=request.user, application=application, note=correction_form.cleaned_data.get("note", "")
            )
        elif then == "accept":
            services.bundle_accept(
                actor=request.user,
                application=application,
                deficiency_commitment=bool(accept_form.cleaned_data.get("deficiency_commitment")),
                note=accept_form.cleaned_data.get("note", ""),
            )

    bound: dict[str, Form] = {"correction": correction_form} if then == "correction" else {}
    if then == "accept":
        bound = {"accept": accept_form}
    return _run(
        request,
        application,
        act,
        success=str(_THEN[then]),
        bound=bound,
        page={"check_data": request.POST, "check_errors": field_errors},
    )


@login_required
@require_POST
def desk_supply(request: HttpRequest, pk: int) -> HttpResponse:
    """The applicant brought what the 一次性告知书 listed: every member back to the window's check."""
    application = _application(request, pk)
    form = SupplyForm(request.POST, prefix="supply")
    form.is_valid()
    return _run(
        request,
        application,
        lambda: services.bundle_supply_correction(
            actor=request.user,
            application=application,
            note=form.cleaned_data.get("note", "") or _("申请人到窗口补正材料"),
        ),
        success=_("已登记补正材料，请重新统一核验"),
        bound={"supply": form},
    )


@login_required
@require_POST
def desk_deliver(request: HttpRequest, pk: int) -> HttpResponse:
    """统一出件: every member's result handed over together (pickup with the recipient, or mail)."""
    application = _application(request, pk)
    form = DeliverForm(request.POST, prefix="deliver")
    form.is_valid()
    data = form.cleaned_data
    return _run(
        request,
        application,
        lambda: services.bundle_deliver(
            actor=request.user,
            application=application,
            method=data.get("method") or "",
            recipient=data.get("recipient", ""),
            tracking_number=data.get("tracking_number", ""),
        ),
        success=_("已统一出件，全部事项的办理结果已一并送达"),
        bound={"deliver": form},
    )


@login_required
@require_GET
def desk_notice_pdf(request: HttpRequest, pk: int, notice_id: int) -> HttpResponse:
    """打印/下载 a notice of the application as a whole, for staff who may see the application."""
    application = _application(request, pk)
    notice = application.notices.filter(pk=notice_id).select_related("application").first()
    if notice is None:
        raise NotFoundError(_("未找到该文书"))
    response = HttpResponse(notices.notice_pdf(notice), content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(
            as_attachment=request.GET.get("download") == "1", filename=notices.notice_filename(notice)
        )
        or "attachment"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
