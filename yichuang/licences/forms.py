"""Forms of the e-licence screens: the holder's 用证授权, the staff list's filter, 注销 and 变更. They only
shape input; the services decide, and their Chinese messages are put back next to the field they name
(``ServiceErrorFormMixin``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yichuang.accounts.forms import ServiceErrorFormMixin
from yichuang.core.errors import ApplicationError
from yichuang.licences.authorisations import DEFAULT_DAYS
from yichuang.licences.models import Licence, LicenceStatus

MAX_DAYS = 366
DATA_VALUE_MAX_LENGTH = 500

# The staff list's filter: the record's state, with 已过有效期 told apart from 有效.
STATUS_FILTERS = [
    ("", _("全部状态")),
    ("valid", _("有效")),
    ("expired", _("已过有效期")),
    (LicenceStatus.SUPERSEDED.value, _("已变更")),
    (LicenceStatus.REVOKED.value, _("已注销")),
]


class AuthoriseForm(ServiceErrorFormMixin, forms.Form):
    """用证授权: which of the holder's open cases may use the licence, and for how many days."""

    case = forms.TypedChoiceField(
        label=_("授权给办件"),
        coerce=int,
        error_messages={
            "required": _("请选择要使用该证照的办件"),
            "invalid_choice": _("请选择您本人（本单位）正在办理的办件"),
        },
    )
    days = forms.IntegerField(
        label=_("授权期限（天）"),
        min_value=1,
        max_value=MAX_DAYS,
        initial=DEFAULT_DAYS,
        help_text=_("1 至 366 天；到期后该办件不能再使用本证照，可随时撤回授权"),
        error_messages={
            "required": _("请填写授权期限"),
            "invalid": _("授权期限应为整数天数"),
            "min_value": _("授权期限应为 1 至 366 天"),
            "max_value": _("授权期限应为 1 至 366 天"),
        },
    )

    def __init__(self, *args: Any, cases: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["case"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("请选择办件")), *(cases or [])]


class LicenceFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=STATUS_FILTERS, required=False)
    q = forms.CharField(
        label=_("证照编号或证照标识"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}),
    )

    def filters(self) -> tuple[str, str]:
        if not self.is_valid():
            return "", ""
        return self.cleaned_data["status"], "".join(self.cleaned_data["q"].split())


class RevokeForm(ServiceErrorFormMixin, forms.Form):
    # Optional here on purpose: a missing reason is reported in the service's words.
    reason = forms.CharField(
        label=_("注销原因"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("注销后证照仍可核验，核验结果为“已注销”，并显示注销原因"),
    )


class ChangeForm(ServiceErrorFormMixin, forms.Form):
    """变更: every data item of the licence's type, prefilled with the current version's values."""

    def __init__(self, *args: Any, licence: Licence, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {key: str(value) for key, value in licence.data.items()})
        super().__init__(*args, **kwargs)
        self.licence = licence
        self.schema: list[dict[str, Any]] = list(licence.licence_type.schema)
        for item in self.schema:
            label = str(item.get("label") or item["key"])
            self.fields[item["key"]] = forms.CharField(
                label=label,
                max_length=DATA_VALUE_MAX_LENGTH,
                required=bool(item.get("required")),
                error_messages={
                    "required": gettext("请填写%(label)s") % {"label": label},
                    "max_length": gettext("%(label)s不能超过 %(n)s 个字")
                    % {"label": label, "n": DATA_VALUE_MAX_LENGTH},
                },
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and self.data_changed() == self._current():
            raise forms.ValidationError(_("照面信息没有改动，无需变更"), code="unchanged")
        return data

    def _current(self) -> dict[str, str]:
        return {key: str(value).strip() for key, value in self.licence.data.items() if str(value).strip()}

    def data_changed(self) -> dict[str, str]:
        """The new version's data: the filled-in items (an optional item left empty is left out)."""
        values = {item["key"]: (self.cleaned_data.get(item["key"]) or "").strip() for item in self.schema}
        return {key: value for key, value in values.items() if value}

    def add_service_error(self, error: ApplicationError) -> None:
        """The service names a data item as ``data.<key>`` (or lists the missing labels under ``data``):
        put each message on that item's field."""
        by_label = {str(item.get("label")): item["key"] for item in self.schema}
        fields: dict[str, list[str]] = {}
        for name, messages in error.fields.items():
            if name.startswith("data."):
                fields.setdefault(name.removeprefix("data."), []).extend(messages)
            elif name == "data":
                for message in messages:
                    key = by_label.get(str(message))
                    if key is None:
                        fields.setdefault(name, []).append(str(message))
                    else:
                        fields.setdefault(key, []).append(gettext("请填写%(label)s") % {"label": message})
            else:
                fields.setdefault(name, []).extend(messages)
        super().add_service_error(ApplicationError(error.message, code=error.code, fields=fields))
