"""窗口受理 — the clerk's workbench at a comprehensive window (/cases/window/).

Find the applicant (name, ID number or credit code) or register one on the spot, pick the item by search
(live results over htmx), receive the application (an idempotency key rendered into the form makes a
double click one case), then check each material against its review points and accept, ask for a
correction at once, or refuse. The window queue lists what is waiting at the window.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from yichuang.accounts import selectors as account_selectors
from yichuang.accounts import services as account_services
from yichuang.accounts.forms import ApplicantForm
from yichuang.accounts.models import Applicant
from yichuang.accounts.roles import Role
from yichuang.cases import selectors, services, uploads
from yichuang.cases.forms import (
    IntakeForm,
    NoteForm,
    ReasonForm,
    RefuseForm,
    ScanForm,
    checklist_findings,
    new_idempotency_key,
)
from yichuang.cases.models import CaseChannel
from yichuang.cases.views_staff import htmx_error, masked_rows, require_staff, run_action, staff_case
from yichuang.catalog import search
from yichuang.catalog.models import ItemKind, ItemStatus, ServiceItem
from yichuang.core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from yichuang.core.permissions import has_capability, require_capability
from yichuang.core.uploads import size_text

ITEM_RESULTS = 10
APPLICANT_RESULTS = 20
QUEUE_SIZE = 100


def _require_window(user: Any) -> None:
    require_staff(user)
    require_capability(user, "case.intake", "只有综合窗口工作人员、首席代表和帮办代办员可以接件")


def _positive(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and int(value) > 0 else None


def _desk_url(*, applicant: int | None = None, item: int | None = None) -> str:
    params = {k: v for k, v in {"applicant": applicant, "item": item}.items() if v}
    return reverse("cases:window") + ("?" + urlencode(params) if params else "")


def _applicable_item(item_id: int | None) -> ServiceItem | None:
    if item_id is None:
        return None
    return (
        ServiceItem.objects.select_related("current_version", "department")
        .filter(pk=item_id, kind=ItemKind.HANDLING, status=ItemStatus.ACTIVE, current_version__isnull=False)
        .first()
    )


def _selected_applicant(user: Any, applicant_id: int | None) -> Applicant | None:
    if applicant_id is None:
        return None
    try:
        return account_selectors.applicant_get(actor=user, applicant_id=applicant_id)
    except NotFoundError:
        return None


def _item_results(query: str) -> tuple[list[ServiceItem], str, int]:
    if not query.strip():
        return [], "", 0
    try:
        results = search.search_items(query=query, limit=ITEM_RESULTS)
    except ApplicationError as error:
        return [], error.message, 0
    return results.hits, "", results.total


def _applicant_results(user: Any, query: str) -> list[Applicant]:
    if not query.strip():
        return []
    return list(account_selectors.applicant_list(actor=user, query=query)[:APPLICANT_RESULTS])


def _default_channel(user: Any) -> str:
    return CaseChannel.PROXY if getattr(user, "role", None) == Role.HELPER else CaseChannel.WINDOW


def _desk(
    request: HttpRequest,
    *,
    register_form: ApplicantForm | None = None,
    intake_form: IntakeForm | None = None,
    error: ApplicationError | None = None,
    duplicate_of: int | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    source = request.POST if request.method == "POST" else request.GET
    applicant = _selected_applicant(user, _positive(source.get("applicant")))
    item = _applicable_item(_positive(source.get("item")))
    applicant_query = request.GET.get("aq", "")
    item_query = request.GET.get("q", "")
    items, item_error, item_total = _item_results(item_query)
    if intake_form is None:
        intake_form = IntakeForm(
            initial={
                "applicant": applicant.pk if applicant else None,
                "item": item.pk if item else None,
                "idempotency_key": new_idempotency_key(),
                "channel": _default_channel(user),
            }
        )
    can_register = has_capability(user, "applicant.manage")
    context = {
        "applicant": applicant,
        "item": item,
        "version": item.current_version if item else None,
        "applicant_query": applicant_query,
        "applicants": _applicant_results(user, applicant_query),
        "item_query": item_query,
        "items": items,
        "item_error": item_error,
        "item_total": item_total,
        "intake_form": intake_form,
        "can_register": can_register,
        "register_form": register_form
        or (ApplicantForm(initial={"kind": "natural"}) if can_register else None),
        "duplicate_of": duplicate_of,
        "queue": masked_rows(selectors.case_window_queue(actor=user)[:QUEUE_SIZE]),
        "error": error,
        "clear_applicant_url": _desk_url(item=item.pk if item else None),
        "clear_item_url": _desk_url(applicant=applicant.pk if applicant else None),
    }
    return render(request, "cases/window_desk.html", context, status=status)


@login_required
@require_GET
def window_desk(request: HttpRequest) -> HttpResponse:
    _require_window(request.user)
    return _desk(request)


@login_required
@require_GET
def window_applicants(request: HttpRequest) -> HttpResponse:
    """Live applicant search (htmx fragment): pick one to carry into the intake form."""
    _require_window(request.user)
    query = request.GET.get("aq", "")
    context = {
        "applicant_query": query,
        "applicants": _applicant_results(request.user, query),
        "item": _applicable_item(_positive(request.GET.get("item"))),
    }
    return render(request, "cases/_window_applicant_results.html", context)


@login_required
@require_GET
def window_items(request: HttpRequest) -> HttpResponse:
    """Live item search (htmx fragment) over the catalog's search index."""
    _require_window(request.user)
    query = request.GET.get("q", "")
    items, error, total = _item_results(query)
    applicant = _selected_applicant(request.user, _positive(request.GET.get("applicant")))
    context = {
        "item_query": query,
        "items": items,
        "item_error": error,
        "item_total": total,
        "applicant": applicant,
    }
    return render(request, "cases/_window_item_results.html", context)


@login_required
@require_POST
def window_applicant_register(request: HttpRequest) -> HttpResponse:
    """登记 a new applicant on the spot (the accounts service and its form validation), then select him."""
    _require_window(request.user)
    require_capability(request.user, "applicant.manage", "您没有登记申请人的权限")
    form = ApplicantForm(request.POST)
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
            messages.success(request, f"已登记申请人：{applicant.name}")
            url = _desk_url(applicant=applicant.pk, item=_positive(request.POST.get("item")))
            if request.htmx:  # type: ignore[attr-defined]
                return HttpResponseClientRedirect(url)
            return redirect(url)
    if request.htmx:  # type: ignore[attr-defined]
        context = {
            "register_form": form,
            "duplicate_of": duplicate_of,
            "item": _applicable_item(_positive(request.POST.get("item"))),
        }
        return render(request, "cases/_window_register.html", context)
    return _desk(request, register_form=form, error=error, duplicate_of=duplicate_of, status=400)


@login_required
@require_POST
def window_intake(request: HttpRequest) -> HttpResponse:
    """接件: one case for the chosen applicant and item; the same idempotency key returns the same case."""
    _require_window(request.user)
    form = IntakeForm(request.POST)
    form.is_valid()
    data = form.cleaned_data

    def fail(error: ApplicationError) -> HttpResponse:
        fragment = htmx_error(request, error)
        if fragment is not None:
            return fragment
        if isinstance(error, PermissionDeniedError | NotFoundError):
            raise error
        form.add_service_error(error)
        return _desk(request, intake_form=form, error=error, status=error.status)

    applicant = _selected_applicant(request.user, data.get("applicant"))
    if applicant is None:
        return fail(ApplicationError("请先查找或登记申请人", fields={"applicant": ["必选"]}))
    item = _applicable_item(data.get("item"))
    if item is None:
        return fail(ApplicationError("请先选择要办理的事项", fields={"item": ["必选"]}))
    if form.errors.get("channel"):
        return fail(ApplicationError("接件渠道无效", fields={"channel": ["无效"]}))
    try:  # a repeated click gets the first click's case back
        case = services.case_submit(
            actor=request.user,
            item=item,
            applicant=applicant,
            channel=data.get("channel") or _default_channel(request.user),
            idempotency_key=data.get("idempotency_key") or None,
            by_commitment=bool(data.get("by_commitment")),
        )
    except ApplicationError as error:
        return fail(error)
    messages.success(request, f"已接件，办件编号 {case.number}：请对照审核要点核验材料")
    url = reverse("cases:staff_case", args=[case.pk])
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponseClientRedirect(url)
    return redirect(url)


# ——— on the case page: the material checklist and the acceptance decision ———

_THEN = {"save": "已保存材料核验结果", "accept": "已受理", "correction": "已出具一次性补正告知书"}


@login_required
@require_POST
def window_check(request: HttpRequest, case_id: int) -> HttpResponse:
    """Save what the window found for each material, then (one click) accept or ask for a correction."""
    case = staff_case(request, case_id)
    then = request.POST.get("then", "save")
    if then not in _THEN:
        then = "save"
    materials = list(case.materials.select_related("material"))
    findings, field_errors = checklist_findings(request.POST, materials)
    deficiency = request.POST.get("deficiency_commitment") == "on"
    correction_form = NoteForm(request.POST, prefix="correction")
    correction_form.is_valid()

    def act() -> None:
        if field_errors:
            raise ApplicationError("材料状态无效，请重新选择", fields={"materials": ["状态无效"]})
        if findings:
            services.case_check_materials(actor=request.user, case=case, findings=findings)
        if then == "accept":
            services.case_accept(actor=request.user, case=case, deficiency_commitment=deficiency)
        elif then == "correction":
            services.case_request_correction(
                actor=request.user, case=case, note=correction_form.cleaned_data.get("note", "")
            )

    return run_action(
        request,
        case,
        act,
        success=_THEN[then],
        form=correction_form,
        form_key="correction",
        page={
            "checklist_data": request.POST,
            "checklist_errors": field_errors,
            "deficiency_commitment": deficiency,
        },
    )


@login_required
@require_POST
def window_refuse(request: HttpRequest, case_id: int) -> HttpResponse:
    case = staff_case(request, case_id)
    form = RefuseForm(request.POST, prefix="refuse")
    form.is_valid()
    data = form.cleaned_data
    return run_action(
        request,
        case,
        lambda: services.case_refuse(
            actor=request.user,
            case=case,
            reason=data.get("reason", ""),
            competent_office=data.get("competent_office", ""),
        ),
        success="已作出不予受理决定",
        form=form,
        form_key="refuse",
    )


@login_required
@require_POST
def window_supply(request: HttpRequest, case_id: int) -> HttpResponse:
    """The applicant brought what the 一次性告知书 listed: back to the window's check."""
    case = staff_case(request, case_id)
    return run_action(
        request,
        case,
        lambda: services.case_supply_correction(actor=request.user, case=case, note="申请人到窗口补正材料"),
        success="已登记补正材料，请重新核验",
    )


@login_required
@require_POST
def window_withdraw(request: HttpRequest, case_id: int) -> HttpResponse:
    """撤回 on the applicant's written request, before the decision."""
    case = staff_case(request, case_id)
    form = ReasonForm(request.POST, prefix="withdraw")
    form.is_valid()
    return run_action(
        request,
        case,
        lambda: services.case_withdraw(
            actor=request.user, case=case, reason=form.cleaned_data.get("reason", "")
        ),
        success="已撤回该申请",
        form=form,
        form_key="withdraw",
    )


@login_required
@require_POST
def window_scan(request: HttpRequest, case_id: int) -> HttpResponse:
    """The window scans a paper material the applicant brought and keeps it with the case (and the
    material it belongs to); the file is checked by its content and size before anything is stored."""
    case = staff_case(request, case_id)
    rows = {row.pk: row for row in case.materials.select_related("material")}
    form = ScanForm(
        request.POST,
        request.FILES,
        prefix="scan",
        materials=[(pk, row.material.name) for pk, row in rows.items()],
    )

    def act() -> None:
        if not form.is_valid():
            raise ApplicationError(
                "请选择对应材料和要上传的扫描件", fields={name: ["必填"] for name in form.errors}
            )
        upload = form.cleaned_data["file"]
        limit = uploads.max_upload_bytes()
        if upload.size > limit:  # refused before the file is read into memory
            raise ApplicationError(
                f"文件不能超过{size_text(limit)}", fields={"file": ["文件过大"]}, code="file_too_large"
            )
        uploads.case_file_upload(
            actor=request.user,
            case=case,
            name=upload.name,
            content=upload.read(),
            case_material=rows[form.cleaned_data["material"]],
        )

    return run_action(request, case, act, success="已保存扫描件", form=form, form_key="scan")
