from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from yichuang.accounts import services
from yichuang.accounts.admin_security import unlock_login
from yichuang.accounts.forms import AdminLoginForm
from yichuang.accounts.models import ApiToken, Applicant, Department, User
from yichuang.accounts.roles import Role
from yichuang.core.audit import audit_record
from yichuang.core.errors import ApplicationError
from yichuang.core.personal_data import PersonalDataAdminMixin


class AdminRoleOnlySite:
    """Only users with the admin role reach the Django admin."""

    @staticmethod
    def has_permission(request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_authenticated and user.role == Role.ADMIN)


admin.site.has_permission = AdminRoleOnlySite.has_permission  # type: ignore[method-assign]
admin.site.login_form = AdminLoginForm  # says when the login lockout refused the sign-in


class AuditedAdmin(admin.ModelAdmin):
    """Edits made in the Django admin are audited like every other change."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        changed = {name: str(form.cleaned_data.get(name)) for name in form.changed_data}
        changed.pop("password", None)
        audit_record(
            actor=request.user,
            action=f"{obj._meta.model_name}.admin_{'change' if change else 'create'}",
            obj=obj,
            data={"changed": changed},
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit_record(
            actor=request.user,
            action=f"{obj._meta.model_name}.admin_delete",
            obj=obj,
            data={"label": str(obj)},
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin, TreeAdmin):
    form = movenodeform_factory(Department)
    list_display = ("name", "kind", "division_code", "credit_code", "is_active")
    search_fields = ("name", "credit_code", "division_code")


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    list_display = ("username", "full_name", "role", "department", "is_active")
    list_filter = ("role", "department", "is_active")
    search_fields = ("username", "full_name")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("人员信息", {"fields": ("full_name", "phone", "role", "department")}),
        ("状态", {"fields": ("is_active", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "password1", "password2", "full_name", "role", "department")}),
    )
    readonly_fields = ("last_login", "date_joined")
    actions = [unlock_login]


@admin.register(Applicant)
class ApplicantAdmin(PersonalDataAdminMixin, AuditedAdmin):
    # The change form shows the ID number, phone and address in full: each opening is logged.
    personal_data_fields = ("id_number", "phone", "address")
    personal_data_person = "applicant"
    list_display = ("name", "kind", "masked_identifier", "masked_phone", "created_at")
    list_filter = ("kind",)
    # The ID number is encrypted: it is found whole, through its keyed hash (get_search_results).
    search_fields = ("name", "=credit_code")

    def get_search_results(self, request: HttpRequest, queryset: Any, search_term: str) -> tuple[Any, bool]:
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip():
            results |= queryset.by_id_number(search_term)
        return results, may_have_duplicates


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    fields = ("user", "name")
    actions = ["revoke"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        try:
            token, raw = services.api_token_issue(actor=request.user, user=obj.user, name=obj.name)
        except ApplicationError as error:
            messages.error(request, error.message)
            return
        obj.pk = token.pk
        messages.warning(request, f"令牌只显示这一次，请妥善保存：{raw}")

    @admin.action(description="吊销所选令牌")
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        for token in queryset:
            services.api_token_revoke(actor=request.user, token=token)
