from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from yichuang.accounts.models import ApplicantKind, Department, DepartmentKind
from yichuang.accounts.security import login_lock_of
from yichuang.core.errors import ApplicationError
from yichuang.core.validators import (
    validate_credit_code,
    validate_division_code,
    validate_id_number,
)


class LockoutMessageMixin:
    """A sign-in refused by the login lockout says so (and for how long) instead of "wrong password"."""

    def get_invalid_login_error(self) -> forms.ValidationError:
        lock = login_lock_of(self.request)  # type: ignore[attr-defined]
        if lock is not None:
            return forms.ValidationError(lock.message, code="locked")
        return super().get_invalid_login_error()  # type: ignore[misc]


class LoginForm(LockoutMessageMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码不正确，请重新输入。"),
        "inactive": _("该账号已停用，请联系政数局管理员。"),
    }


class AdminLoginForm(LockoutMessageMixin, AdminAuthenticationForm):
    pass


class ServiceErrorFormMixin:
    """Put an ApplicationError's per-field messages on the form, and the rest on top of it."""

    def add_service_error(self, error: ApplicationError) -> None:
        placed = False
        for field, messages in error.fields.items():
            if field in self.fields:  # type: ignore[attr-defined]
                for message in messages:
                    self.add_error(field, message)  # type: ignore[attr-defined]
                placed = True
        if not placed or not error.fields:
            self.add_error(None, error.message)  # type: ignore[attr-defined]


class DepartmentForm(ServiceErrorFormMixin, forms.Form):
    parent = forms.ModelChoiceField(
        label=_("上级部门"),
        queryset=Department.objects.order_by("path"),
        required=False,
        empty_label=_("（无，作为顶级单位）"),
    )
    name = forms.CharField(label=_("名称"), max_length=100)
    short_name = forms.CharField(label=_("简称"), max_length=40, required=False)
    kind = forms.ChoiceField(label=_("类型"), choices=DepartmentKind.choices)
    division_code = forms.CharField(
        label=_("行政区划代码"), max_length=12, validators=[validate_division_code]
    )
    credit_code = forms.CharField(
        label=_("统一社会信用代码"), max_length=18, validators=[validate_credit_code]
    )

    def clean_credit_code(self) -> str:
        return self.cleaned_data["credit_code"].strip().upper()


class ApplicantForm(ServiceErrorFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("申请人类型"), choices=ApplicantKind.choices, widget=forms.RadioSelect)
    name = forms.CharField(label=_("姓名或单位名称"), max_length=100)
    id_number = forms.CharField(
        label=_("公民身份号码"), max_length=18, required=False, help_text=_("自然人必填，18位")
    )
    credit_code = forms.CharField(
        label=_("统一社会信用代码"), max_length=18, required=False, help_text=_("法人必填，18位")
    )
    legal_representative = forms.CharField(label=_("法定代表人"), max_length=60, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)

    def clean(self) -> dict:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == ApplicantKind.NATURAL:
            if not data.get("id_number"):
                self.add_error("id_number", _("自然人须填写身份证号码"))
            else:
                self._validate("id_number", validate_id_number)
        if kind == ApplicantKind.LEGAL:
            if not data.get("credit_code"):
                self.add_error("credit_code", _("法人须填写统一社会信用代码"))
            else:
                self._validate("credit_code", validate_credit_code)
        return data

    def _validate(self, field: str, validator) -> None:  # type: ignore[no-untyped-def]
        try:
            validator(self.cleaned_data[field])
        except forms.ValidationError as exc:
            self.add_error(field, exc)
