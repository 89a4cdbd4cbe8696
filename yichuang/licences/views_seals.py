"""电子印章管理 (the admin, ``seal.manage``): every department that issues licences with its seal in use,
and making a new seal — the first one, or a rotation that retires the old seal (which stays published and
keeps verifying what it signed)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from yichuang.accounts.models import Department
from yichuang.core.errors import ApplicationError
from yichuang.core.permissions import require_capability
from yichuang.licences import services
from yichuang.licences.models import Seal

_MESSAGE = "只有政数局管理员可以管理电子印章"


@login_required
@require_GET
def seal_manage(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, "seal.manage", _MESSAGE)
    today = timezone.localdate()
    in_use = {
        seal.department_id: seal
        for seal in Seal.objects.filter(retired_at__isnull=True).order_by("valid_from", "pk")
    }
    rows = [
        {"department": department, "seal": in_use.get(department.pk)}
        for department in Department.objects.filter(kind__in=("agency", "institution")).order_by("path")
    ]
    return render(request, "licences/staff_seals.html", {"rows": rows, "today": today})


@login_required
@require_POST
def seal_make(request: HttpRequest, department_id: int) -> HttpResponse:
    require_capability(request.user, "seal.manage", _MESSAGE)
    department = get_object_or_404(Department, pk=department_id)
    try:
        seal = services.seal_create(actor=request.user, department=department)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"已为{department.name}制作电子印章 {seal.code}，原印章已停用并继续用于核验"
        )
    return redirect("licences:seal_manage")
