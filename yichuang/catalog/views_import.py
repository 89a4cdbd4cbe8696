"""Screens of catalog import and export: upload, progress (htmx polling) and the row-by-row report;
the whole-catalog Excel download."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from yichuang.accounts.models import Department
from yichuang.catalog import importing, policies
from yichuang.catalog.api_import import catalog_import_get
from yichuang.catalog.exporting import catalog_export_response
from yichuang.catalog.models import CatalogImport, ImportStatus
from yichuang.core.errors import ApplicationError
from yichuang.core.permissions import require_capability

RUNNING = {ImportStatus.PENDING, ImportStatus.VALIDATING, ImportStatus.WRITING}


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("事项文件（CSV 或 Excel .xlsx）"),
        help_text=_(
            "一窗事项导出表，或省级事项目录（department、main_item、name、taskType、areaCode、link）。"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    policies.require_can_manage(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            record = importing.catalog_import_start(
                actor=request.user,
                file_name=upload.name or "",
                content=upload.read(importing.MAX_IMPORT_BYTES + 1),
            )
        except ApplicationError as error:
            form.add_error("file", error.message)
        else:
            return redirect("catalog:import_detail", import_id=record.pk)
    imports = CatalogImport.objects.defer("data").select_related("created_by")[:30]
    status = 400 if request.method == "POST" else 200
    return render(request, "catalog/import.html", {"form": form, "imports": imports}, status=status)


@login_required
@require_GET
def import_detail(request: HttpRequest, import_id: int) -> HttpResponse:
    record = catalog_import_get(actor=request.user, import_id=import_id)
    context = {"record": record, "running": record.status in RUNNING}
    template = (
        "catalog/_import_progress.html" if getattr(request, "htmx", False) else "catalog/import_detail.html"
    )
    return render(request, template, context)


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, "catalog.view", "只有工作人员可以导出事项库")
    department_id = None
    raw = request.GET.get("department", "").strip()
    if raw:
        if not raw.isdigit() or not Department.objects.filter(pk=int(raw)).exists():
            raise ApplicationError("没有这个部门", code="not_found")
        department_id = int(raw)
    return catalog_export_response(department_id)
