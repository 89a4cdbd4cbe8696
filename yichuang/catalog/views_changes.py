"""Staff screens of the catalog: the workbench, an item's staff page, the forms that propose a new
item, an edit or a retirement, and the change requests the admin approves or rejects. Thin: check,
call a selector or service, render; service errors go back next to the right field."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, Exists, IntegerField, OuterRef, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from yichuang.accounts.models import Department
from yichuang.accounts.policies import department_scope
from yichuang.accounts.roles import CENTRE_WIDE_ROLES
from yichuang.catalog import policies, selectors, services
from yichuang.catalog.elements import blank_elements, version_elements
from yichuang.catalog.forms import (
    DecisionForm,
    ElementsForm,
    MaterialForm,
    MaterialFormSet,
    NewItemForm,
    ReasonForm,
    place_elements_error,
)
from yichuang.catalog.models import (
    ChangeRequest,
    ChangeRequestStatus,
    ItemVersion,
    ServiceItem,
)
from yichuang.catalog.views_guides import guide_context
from yichuang.core.errors import ApplicationError, NotFoundError, PermissionDeniedError


def _require_view(user: Any) -> None:
    policies.require_capability(user, "catalog.view", "只有工作人员可以使用事项管理")


def _limited_to_department(user: Any) -> bool:
    """Department staff who maintain items see their own department's; window and centre staff see all."""
    return policies.has_capability(user, "catalog.propose") and user.role not in CENTRE_WIDE_ROLES


def _visible_item(user: Any, item_id: int) -> ServiceItem:
    item = selectors.item_get(item_id=item_id)
    if _limited_to_department(user) and not department_scope(user).filter(pk=item.department_id).exists():
        raise NotFoundError("未找到该事项，或它不属于您的部门")
    return item


def _proposable_departments(user: Any) -> Any:
    if not policies.has_capability(user, "catalog.propose"):
        return Department.objects.none()
    if user.role in CENTRE_WIDE_ROLES:
        return Department.objects.order_by("path")
    return department_scope(user).order_by("path")


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_view(user)
    limited = _limited_to_department(user)
    departments = department_scope(user) if limited else Department.objects.all()
    department_id = request.GET.get("department", "")
    selected = int(department_id) if department_id.isdigit() else None
    show_retired = request.GET.get("retired") == "1"
    items = selectors.handling_items(department_id=selected, include_retired=show_retired).filter(
        department__in=departments
    )
    open_request = ChangeRequest.objects.filter(item=OuterRef("pk"), status=ChangeRequestStatus.SUBMITTED)
    items = items.annotate(has_open_request=Exists(open_request))
    return render(
        request,
        "catalog/workbench.html",
        {
            "items": items,
            "departments": departments.order_by("path"),
            "selected": selected,
            "show_retired": show_retired,
            "limited": limited,
            "can_propose": _proposable_departments(user).exists(),
            "pending_count": selectors.change_request_list(
                actor=user, status=ChangeRequestStatus.SUBMITTED
            ).count(),
        },
    )


@login_required
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    _require_view(request.user)
    item = _visible_item(request.user, item_id)
    version = selectors.item_version_get(item=item)
    context = guide_context(item, version)
    context.update(
        versions=selectors.item_versions(item=item),
        open_request=selectors.open_change_request_for(item=item),
        can_propose=policies.can_propose_for(request.user, item.department),
        path=selectors.item_path(item=item),
        children=selectors.item_children(item=item),
    )
    return render(request, "catalog/item_detail.html", context)


def _bind_forms(request: HttpRequest, *, elements: dict[str, Any]) -> tuple[ElementsForm, Any, Any]:
    """The elements form and the materials formset, bound on POST, prefilled from ``elements`` on GET."""
    if request.method == "POST":
        data = request.POST.copy()  # mutable: uploaded files are remembered in hidden fields
        form = ElementsForm(data)
        formset = MaterialFormSet(data, request.FILES, prefix="materials")
        return form, formset, data
    form = ElementsForm(initial=ElementsForm.initial_from(elements))
    formset = MaterialFormSet(
        initial=[MaterialForm.initial_from(m) for m in elements.get("materials", [])], prefix="materials"
    )
    return form, formset, None


def _submitted_materials(
    request: HttpRequest, formset: Any, data: Any
) -> tuple[list[dict[str, Any]], list[MaterialForm]]:
    """The materials as entered (deleted and untouched blank rows left out), their files stored."""
    materials: list[dict[str, Any]] = []
    forms_in_order: list[MaterialForm] = []
    for index, form in enumerate(formset.forms):
        untouched_blank_row = index >= formset.initial_form_count() and not form.has_changed()
        if untouched_blank_row or form.cleaned_data.get("DELETE"):
            continue
        for field in ("blank_form", "sample"):
            upload = form.cleaned_data.get(field)
            if upload is None:
                continue
            try:
                stored = services.catalog_file_upload(
                    actor=request.user, name=upload.name, content=upload.read()
                )
            except ApplicationError as error:
                form.add_error(field, error.message)
                continue
            data[form.add_prefix(f"{field}_sha")] = stored.sha256
            form.cleaned_data[f"{field}_sha"] = stored.sha256
        if form.errors:
            raise ApplicationError("上传的文件有误，请检查后重新选择", code="invalid_file")
        materials.append(form.material())
        forms_in_order.append(form)
    return materials, forms_in_order


def _elements_page(
    request: HttpRequest, template_context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    return render(request, "catalog/item_form.html", template_context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    policies.require_capability(
        request.user, "catalog.propose", "只有部门审批人员和政数局管理员可以提出事项变更"
    )
    item = _visible_item(request.user, item_id)
    policies.require_can_propose_for(request.user, item.department)
    if item.current_version is None or item.status != "active":
        raise ApplicationError("该事项已取消，不能再变更", code="item_retired")
    version = selectors.item_version_get(item=item)
    form, formset, data = _bind_forms(request, elements=version_elements(version))
    open_request = selectors.open_change_request_for(item=item)
    context = {"item": item, "form": form, "formset": formset, "open_request": open_request, "mode": "edit"}
    if request.method == "POST":
        if form.is_valid() and formset.is_valid():
            material_forms: list[MaterialForm] = []
            try:
                materials, material_forms = _submitted_materials(request, formset, data)
                change_request = services.change_request_propose_edit(
                    actor=request.user,
                    item=item,
                    elements={**form.elements(), "materials": materials},
                    reason=form.cleaned_data["reason"],
                )
            except ApplicationError as error:
                place_elements_error(error, form=form, material_forms=material_forms)
            else:
                messages.success(request, f"变更申请已提交，等待政数局审核：{item.name}")
                return redirect("catalog:change_detail", change_request_id=change_request.pk)
        return _elements_page(request, context, status=400)
    return _elements_page(request, context)


@login_required
@require_http_methods(["GET", "POST"])
def item_new(request: HttpRequest) -> HttpResponse:
    policies.require_capability(
        request.user, "catalog.propose", "只有部门审批人员和政数局管理员可以提出新增事项"
    )
    departments = _proposable_departments(request.user)
    form, formset, data = _bind_forms(request, elements=blank_elements())
    own = getattr(request.user, "department", None)
    item_form = NewItemForm(
        data if request.method == "POST" else None,
        departments=departments,
        initial={"department": own.pk if own and departments.filter(pk=own.pk).exists() else None},
    )
    context = {"form": form, "formset": formset, "item_form": item_form, "mode": "new"}
    if request.method == "POST":
        forms_valid = [form.is_valid(), formset.is_valid(), item_form.is_valid()]
        if all(forms_valid):
            material_forms: list[MaterialForm] = []
            try:
                materials, material_forms = _submitted_materials(request, formset, data)
                placement = item_form.cleaned_data
                change_request = services.change_request_propose_create(
                    actor=request.user,
                    department=placement["department"],
                    item_kind=placement["item_kind"],
                    level=placement["level"],
                    basic_code=placement["basic_code"],
                    parent=placement["parent"],
                    elements={**form.elements(), "materials": materials},
                    reason=form.cleaned_data["reason"],
                )
            except ApplicationError as error:
                place_elements_error(
                    error, form=form, material_forms=material_forms, extra_forms=(item_form,)
                )
            else:
                messages.success(request, "新增事项申请已提交，等待政数局审核")
                return redirect("catalog:change_detail", change_request_id=change_request.pk)
        return _elements_page(request, context, status=400)
    return _elements_page(request, context)


@login_required
@require_http_methods(["GET", "POST"])
def item_retire(request: HttpRequest, item_id: int) -> HttpResponse:
    policies.require_capability(
        request.user, "catalog.propose", "只有部门审批人员和政数局管理员可以申请取消事项"
    )
    item = _visible_item(request.user, item_id)
    policies.require_can_propose_for(request.user, item.department)
    form = ReasonForm(request.POST or None)
    form.fields["reason"].label = "取消理由"
    if request.method == "POST" and form.is_valid():
        try:
            change_request = services.change_request_propose_retire(
                actor=request.user, item=item, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"取消申请已提交，等待政数局审核：{item.name}")
            return redirect("catalog:change_detail", change_request_id=change_request.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "catalog/item_retire.html", {"item": item, "form": form}, status=status)


@login_required
def change_list(request: HttpRequest) -> HttpResponse:
    _require_view(request.user)
    status = request.GET.get("status", "")
    if status not in ChangeRequestStatus.values:
        status = ""
    requests = (
        selectors.change_request_list(actor=request.user, status=status or None)
        .annotate(
            pending_first=Case(
                When(status=ChangeRequestStatus.SUBMITTED, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("pending_first", "-proposed_at", "-pk")[:200]
    )
    return render(
        request,
        "catalog/change_list.html",
        {"requests": requests, "status": status, "statuses": ChangeRequestStatus.choices},
    )


def _resulting_version(change_request: ChangeRequest) -> ItemVersion | None:
    return ItemVersion.objects.filter(change_request=change_request).only("pk", "number", "item_id").first()


@login_required
def change_detail(request: HttpRequest, change_request_id: int) -> HttpResponse:
    _require_view(request.user)
    change_request = selectors.change_request_get(actor=request.user, change_request_id=change_request_id)
    return _change_page(request, change_request)


def _change_page(
    request: HttpRequest,
    change_request: ChangeRequest,
    *,
    approve_form: DecisionForm | None = None,
    reject_form: ReasonForm | None = None,
    error: ApplicationError | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    submitted = change_request.status == ChangeRequestStatus.SUBMITTED
    can_decide = policies.has_capability(user, "catalog.approve")
    if reject_form is None:
        reject_form = ReasonForm(prefix="reject")
        reject_form.fields["reason"].label = "退回理由"
    context = {
        "change_request": change_request,
        "diff": selectors.change_request_diff(change_request=change_request),
        "can_decide": can_decide and submitted,
        "can_withdraw": submitted and policies.can_propose_for(user, change_request.department),
        "approve_form": approve_form or DecisionForm(prefix="approve"),
        "reject_form": reject_form,
        "resulting_version": _resulting_version(change_request),
        "error": error,
    }
    return render(request, "catalog/change_detail.html", context, status=status)


@login_required
@require_POST
def change_approve(request: HttpRequest, change_request_id: int) -> HttpResponse:
    change_request = selectors.change_request_get(actor=request.user, change_request_id=change_request_id)
    form = DecisionForm(request.POST, prefix="approve")
    form.is_valid()
    try:
        version = services.change_request_approve(
            actor=request.user, change_request=change_request, reason=form.cleaned_data.get("reason", "")
        )
    except PermissionDeniedError:
        raise
    except ApplicationError as error:
        form.add_service_error(error)
        return _change_page(request, change_request, approve_form=form, error=error, status=error.status)
    messages.success(request, f"已批准并发布第{version.number}版：{version.name}")
    return redirect("catalog:change_detail", change_request_id=change_request.pk)


@login_required
@require_POST
def change_reject(request: HttpRequest, change_request_id: int) -> HttpResponse:
    change_request = selectors.change_request_get(actor=request.user, change_request_id=change_request_id)
    form = ReasonForm(request.POST, prefix="reject")
    form.fields["reason"].label = "退回理由"
    form.fields["reason"].required = False  # the service says what is missing, in its own words
    form.is_valid()
    try:
        services.change_request_reject(
            actor=request.user, change_request=change_request, reason=form.cleaned_data.get("reason", "")
        )
    except PermissionDeniedError:
        raise
    except ApplicationError as error:
        form.add_service_error(error)
        return _change_page(request, change_request, reject_form=form, error=error, status=error.status)
    messages.success(request, "已退回该变更申请")
    return redirect("catalog:change_detail", change_request_id=change_request.pk)


@login_required
@require_POST
def change_withdraw(request: HttpRequest, change_request_id: int) -> HttpResponse:
    change_request = selectors.change_request_get(actor=request.user, change_request_id=change_request_id)
    services.change_request_withdraw(actor=request.user, change_request=change_request)
    messages.success(request, "已撤回该变更申请")
    return redirect("catalog:change_detail", change_request_id=change_request.pk)
