"""Screens of the accounts app. Thin: check, call a selector or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from yichuang.accounts import selectors, services
from yichuang.accounts.forms import ApplicantForm, DepartmentForm, LoginForm
from yichuang.accounts.home import ROLE_HOME
from yichuang.accounts.models import Department
from yichuang.accounts.policies import can_see_department_staff, require_capability
from yichuang.accounts.roles import CAPABILITY_LABELS, capabilities_of
from yichuang.core.errors import ApplicationError


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def root(request: HttpRequest) -> HttpResponse:
    return redirect("accounts:home" if request.user.is_authenticated else "accounts:login")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    role_home = ROLE_HOME[user.role]  # type: ignore[union-attr]
    capabilities = sorted(capabilities_of(user.role))  # type: ignore[union-attr]
    context = {
        "role": user.role,  # type: ignore[union-attr]
        "role_home": role_home,
        "capability_labels": [CAPABILITY_LABELS[c] for c in capabilities if c in CAPABILITY_LABELS],
        "applicant_profile": getattr(user, "applicant", None),
    }
    return render(request, "accounts/home.html", context)


@login_required
def department_list(request: HttpRequest) -> HttpResponse:
    departments = selectors.department_list(actor=request.user)
    return render(
        request,
        "accounts/department_list.html",
        {"departments": departments, "can_manage": request.user.has_capability("department.manage")},  # type: ignore[union-attr]
    )


@login_required
def department_detail(request: HttpRequest, department_id: int) -> HttpResponse:
    department = selectors.department_get(actor=request.user, department_id=department_id)
    staff = None
    if can_see_department_staff(request.user, department):
        staff = selectors.department_staff(actor=request.user, department=department)
    return render(
        request,
        "accounts/department_detail.html",
        {"department": department, "staff": staff, "ancestors": Department.objects.get_ancestors(department)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def department_create(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, "department.manage", "只有政数局管理员可以新建部门")
    form = DepartmentForm(request.POST or None, initial={"parent": request.GET.get("parent")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            department = services.department_create(actor=request.user, **data)
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"已新建部门：{department.name}")
            return redirect("accounts:department_detail", department_id=department.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/form_page.html", {"form": form, "title": _("新建部门")}, status=status)


@login_required
def applicant_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    applicants = selectors.applicant_list(actor=request.user, query=query)[:100]
    template = "accounts/_applicant_rows.html" if request.htmx else "accounts/applicant_list.html"  # type: ignore[attr-defined]
    return render(
        request,
        template,
        {
            "applicants": applicants,
            "query": query,
            "can_manage": request.user.has_capability("applicant.manage"),  # type: ignore[union-attr]
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def applicant_create(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, "applicant.manage", "您没有登记申请人的权限")
    form = ApplicantForm(request.POST or None, initial={"kind": "natural"})
    if request.method == "POST" and form.is_valid():
        try:
            applicant = services.applicant_register(actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"已登记申请人：{applicant.name}")
            return redirect("accounts:applicant_list")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/form_page.html", {"form": form, "title": _("登记申请人")}, status=status)
