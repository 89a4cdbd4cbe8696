"""The applicant portal (我的办件): apply online with the materials' files, follow one's own cases on a
timeline, download their notices, supply the materials a correction notice asked for, withdraw.

Thin views: the forms check the input (files by content), the services write, the selectors read — always
through ``policies.case_scope``, so an applicant reaches only his own cases and anyone else's is a 404.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from yichuang.accounts.models import Applicant
from yichuang.cases import notices, selectors, services
from yichuang.cases.commitments import applicant_commitment_barred
from yichuang.cases.forms_portal import ApplyForm, CheckedFile, SupplyForm, WithdrawForm, upload_required
from yichuang.cases.models import (
    Case,
    CaseChannel,
    CaseEvent,
    CaseFile,
    CaseMaterial,
    CaseMaterialState,
    CaseNotice,
    CaseStatus,
)
from yichuang.cases.notices_pdf import NOTICE_KINDS
from yichuang.cases.uploads import UPLOAD_STATUSES, case_file_upload
from yichuang.cases.workflow import TRANSITIONS
from yichuang.catalog import selectors as catalog_selectors
from yichuang.catalog.models import ItemKind, ItemStatus, ItemVersion, Material, OnlineDepth, ServiceItem
from yichuang.core.calendar import CalendarYearNotCoveredError
from yichuang.core.errors import ApplicationError, ConflictError, NotFoundError
from yichuang.core.permissions import require_capability

# What each timeline step is called for the applicant (and on the public lookup).
ACTION_LABELS: dict[str, str] = {
    "submit": "提交申请",
    "accept": "受理",
    "deemed_accept": "视为受理",
    "refuse": "不予受理",
    "request_correction": "一次性告知补正",
    "supply_correction": "提交补正材料",
    "start_review": "部门审查",
    "special_procedure_start": "特别程序开始",
    "special_procedure_finish": "特别程序结束",
    "extension_approve": "延长办理时限",
    "receive_deferred": "容缺材料补齐",
    "decide_approve": "作出准予决定",
    "decide_deny": "作出不予决定",
    "result_ready": "办理结果已制作",
    "deliver": "送达办结",
    "withdraw": "申请人撤回",
    "terminate": "终止办理",
    "revoke": "撤销",
}
# Steps inside the office that mean nothing yet to the applicant (a request still to be approved).
INTERNAL_ACTIONS = frozenset({"extension_request", "extension_reject"})
# Materials the applicant may upload again in a correction.
CORRECTABLE = frozenset({CaseMaterialState.MISSING, CaseMaterialState.DEFICIENT, CaseMaterialState.DEFERRED})
# 容缺后补: the promised material may be uploaded while the case runs; the office then registers it.
DEFERRED_UPLOAD_STATUSES = frozenset({CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW}) & UPLOAD_STATUSES
_PHONE_AGENT = re.compile(r"Mobile|Android|iPhone|iPad|HarmonyOS|MicroMessenger", re.IGNORECASE)


def action_label(event: CaseEvent) -> str:
    label = ACTION_LABELS.get(event.action)
    if label:
        return label
    try:
        return str(CaseStatus(event.to_status).label)
    except ValueError:
        return event.action


def actor_label(event: CaseEvent, case: Case) -> str:
    """Who acted, by role and department — staff are never named to the applicant."""
    actor = event.actor
    if actor is None:
        return _("系统")
    if case.applicant.user_id is not None and actor.pk == case.applicant.user_id:
        return _("申请人")
    role = actor.get_role_display()
    department = getattr(actor, "department", None)
    return f"{department.name} · {role}" if department is not None else str(role)


def applicant_timeline(case: Case) -> QuerySet[CaseEvent]:
    return selectors.case_timeline(case).exclude(action__in=INTERNAL_ACTIONS)


def timeline_rows(case: Case) -> list[dict[str, Any]]:
    events = applicant_timeline(case).select_related("actor__department")
    return [
        {"event": event, "label": action_label(event), "who": actor_label(event, case)} for event in events
    ]


def remaining_days(case: Case) -> int | None:
    try:
        return selectors.remaining_working_days(case)
    except CalendarYearNotCoveredError:
        return None


def _applicant_of(request: HttpRequest) -> Applicant | None:
    return getattr(request.user, "applicant", None)


def _require_applicant_role(request: HttpRequest) -> None:
    require_capability(request.user, "case.apply", "只有申请人可以使用“我的办件”")


def _case(request: HttpRequest, case_id: int) -> Case:
    _require_applicant_role(request)
    return selectors.case_get(actor=request.user, case_id=case_id)


# ——— my cases ———


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    _require_applicant_role(request)
    cases = selectors.case_list(actor=request.user).select_related("item")
    page = Paginator(cases, 20).get_page(request.GET.get("page"))
    rows = [{"case": case, "remaining": remaining_days(case)} for case in page.object_list]
    return render(
        request,
        "cases/portal_list.html",
        {"page": page, "rows": rows, "applicant": _applicant_of(request)},
    )


def _materials(case: Case) -> QuerySet[CaseMaterial]:
    files = Prefetch("files", queryset=CaseFile.objects.defer("data").order_by("uploaded_at", "pk"))
    return case.materials.select_related("material__blank_form").prefetch_related(files)


@login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    correction = case.events.filter(action="request_correction").order_by("-at", "-pk").first()
    materials = list(_materials(case))
    context = {
        "case": case,
        "remaining": remaining_days(case),
        "timeline": timeline_rows(case),
        "materials": materials,
        "loose_files": list(case.files.filter(case_material__isnull=True).defer("data")),
        "notices": [
            {"notice": notice, "title": NOTICE_KINDS.get(notice.kind, notice.kind)}
            for notice in case.notices.defer("pdf", "document").order_by("issued_at", "pk")
        ],
        "correction_event": correction if case.status == CaseStatus.CORRECTION else None,
        "can_supply": case.status == CaseStatus.CORRECTION,
        "can_supply_deferred": case.status in DEFERRED_UPLOAD_STATUSES
        and any(row.state == CaseMaterialState.DEFERRED for row in materials),
        "can_withdraw": CaseStatus.WITHDRAWN in TRANSITIONS[case.status],
    }
    return render(request, "cases/portal_detail.html", context)


@login_required
def notice_download(request: HttpRequest, case_id: int, notice_id: int) -> HttpResponse:
    case = _case(request, case_id)
    notice = CaseNotice.objects.filter(case=case, pk=notice_id).select_related("case").first()
    if notice is None:
        raise NotFoundError("未找到该文书")
    response = HttpResponse(notices.notice_pdf(notice), content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=notices.notice_filename(notice)) or ""
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def file_download(request: HttpRequest, case_id: int, file_id: int) -> HttpResponse:
    case = _case(request, case_id)
    stored = CaseFile.objects.filter(case=case, pk=file_id).first()
    if stored is None:
        raise NotFoundError("未找到该文件")
    response = HttpResponse(bytes(stored.data), content_type=stored.content_type)
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=False, filename=stored.name) or ""
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"  # shown inline: an uploaded PDF runs no script here
    return response


# ——— apply online ———


def _online_item(item_id: int) -> tuple[ServiceItem, ItemVersion]:
    item = catalog_selectors.item_get(item_id=item_id)
    if item.kind != ItemKind.HANDLING or item.status != ItemStatus.ACTIVE:
        raise NotFoundError("该事项不是可申请的在用办理项")
    return item, catalog_selectors.item_version_get(item=item)


def _channel(request: HttpRequest) -> str:
    agent = request.headers.get("User-Agent", "")
    return CaseChannel.MOBILE if _PHONE_AGENT.search(agent) else CaseChannel.ONLINE


def _attach(actor: Any, case: Case, files: list[tuple[Material, list[CheckedFile]]]) -> int:
    """Store the files with their materials; a file already stored for the same material (a second click,
    the same scan chosen twice) is not stored again. Returns how many were stored."""
    rows = {row.material_id: row for row in case.materials.all()}
    known = set(case.files.values_list("case_material__material_id", "sha256"))
    stored = 0
    for material, checked in files:
        for upload in checked:
            digest = hashlib.sha256(upload.content).hexdigest()
            if (material.pk, digest) in known:
                continue
            known.add((material.pk, digest))
            case_file_upload(
                actor=actor,
                case=case,
                name=upload.name,
                content=upload.content,
                case_material=rows.get(material.pk),
                original_size=upload.original_size,
            )
            stored += 1
    return stored


def _submit(request: HttpRequest, form: ApplyForm, item: ServiceItem, applicant: Applicant) -> Case:
    """The case and its files in one transaction: a refused file leaves no case behind."""
    data = form.cleaned_data
    with transaction.atomic():
        case = services.case_submit(
            actor=request.user,
            item=item,
            applicant=applicant,
            channel=_channel(request),
            idempotency_key=data["idempotency_key"],
            by_commitment=bool(data.get("commit")),
            use_licences=bool(data.get("use_licences")),
        )
        # A repeated key returns the case made by the first click, files and all: attach nothing twice.
        if not case.files.exists():
            _attach(request.user, case, form.material_files())
    return case


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, item_id: int) -> HttpResponse:
    _require_applicant_role(request)
    item, version = _online_item(item_id)
    applicant = _applicant_of(request)
    materials = list(version.materials.all())
    context: dict[str, Any] = {"item": item, "version": version, "applicant": applicant}
    if version.online_depth < OnlineDepth.PRE_REVIEW:
        context["not_online"] = True
        return render(request, "cases/portal_apply.html", context)
    if applicant is None:
        context["no_applicant"] = True
        return render(request, "cases/portal_apply.html", context)
    barred = version.commitment_allowed and applicant_commitment_barred(applicant)
    form = ApplyForm(
        request.POST or None,
        request.FILES or None,
        materials=materials,
        version_id=version.pk,
        commitment_offered=version.commitment_allowed and not barred,
    )
    if request.method == "POST" and form.is_valid():
        try:
            case = _submit(request, form, item, applicant)
        except ConflictError as error:
            number = error.extra.get("case")
            if error.code == "duplicate_submit" and number:
                case = selectors.case_get(actor=request.user, number=number)
                return redirect("cases:portal_detail", case_id=case.pk)
            form.add_service_error(error)
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request, _("申请已提交，办件编号 %(number)s。请留意办理进度。") % {"number": case.number}
            )
            return redirect("cases:portal_detail", case_id=case.pk)
    # A browser never keeps chosen files across a reload: say that they must be chosen again.
    context["files_dropped"] = request.method == "POST"
    committed = bool(form.data.get("commit")) if form.is_bound else False
    context.update(
        form=form,
        rows=[
            {**row, "upload_required": upload_required(row["material"], committed=False)}
            for row in form.material_rows()
        ],
        commitment_barred=barred,
        commitment_materials=[m for m in materials if m.commitment_replaceable],
        committed=committed,
    )
    return render(request, "cases/portal_apply.html", context)


# ——— correction and withdrawal ———


@login_required
@require_http_methods(["GET", "POST"])
def supply(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    if case.status != CaseStatus.CORRECTION:
        messages.info(request, _("该办件当前无需补正材料"))
        return redirect("cases:portal_detail", case_id=case.pk)
    rows = [row for row in case.materials.select_related("material") if row.state in CORRECTABLE]
    if not rows:  # the notice may name a material the checklist still shows as received
        rows = list(case.materials.select_related("material"))
    form = SupplyForm(request.POST or None, request.FILES or None, materials=[row.material for row in rows])
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                _attach(request.user, case, form.material_files())
                services.case_supply_correction(
                    actor=request.user, case=case, note=form.cleaned_data["note"].strip()
                )
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("补正材料已提交，窗口工作人员将重新核验。"))
            return redirect("cases:portal_detail", case_id=case.pk)
    correction = case.events.filter(action="request_correction").order_by("-at", "-pk").first()
    by_material = {row.material_id: row for row in rows}
    return render(
        request,
        "cases/portal_supply.html",
        {
            "case": case,
            "form": form,
            "rows": [{**row, "case_row": by_material[row["material"].pk]} for row in form.material_rows()],
            "correction_event": correction,
            "files_dropped": request.method == "POST",
            "mode": "correction",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def supply_deferred(request: HttpRequest, case_id: int) -> HttpResponse:
    """补交容缺材料: upload what was promised at a 容缺 acceptance; the office checks and registers it."""
    case = _case(request, case_id)
    rows = [
        row for row in case.materials.select_related("material") if row.state == CaseMaterialState.DEFERRED
    ]
    if case.status not in DEFERRED_UPLOAD_STATUSES or not rows:
        messages.info(request, _("该办件当前没有待补交的容缺材料"))
        return redirect("cases:portal_detail", case_id=case.pk)
    form = SupplyForm(
        request.POST or None, request.FILES or None, materials=[row.material for row in rows], with_note=False
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                _attach(request.user, case, form.material_files())
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("容缺材料已上传，工作人员核验后将登记补齐。"))
            return redirect("cases:portal_detail", case_id=case.pk)
    by_material = {row.material_id: row for row in rows}
    return render(
        request,
        "cases/portal_supply.html",
        {
            "case": case,
            "form": form,
            "rows": [{**row, "case_row": by_material[row["material"].pk]} for row in form.material_rows()],
            "files_dropped": request.method == "POST",
            "mode": "deferred",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    if CaseStatus.WITHDRAWN not in TRANSITIONS[case.status]:
        messages.error(
            request,
            _("办件当前状态为“%(status)s”，已不能撤回") % {"status": case.get_status_display()},
        )
        return redirect("cases:portal_detail", case_id=case.pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_withdraw(actor=request.user, case=case, reason=form.cleaned_data["reason"])
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("申请已撤回。"))
            return redirect("cases:portal_detail", case_id=case.pk)
    return render(request, "cases/portal_withdraw.html", {"case": case, "form": form})
