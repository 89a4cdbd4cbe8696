"""Forms of 预约: booking (category → day → slot, and the person's name, ID number and mobile) and the
kiosk's check-in (booking code and ID number)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yichuang.accounts.forms import ServiceErrorFormMixin
from yichuang.core.http import MAX_IDEMPOTENCY_KEY_LENGTH
from yichuang.hall import appointments
from yichuang.hall.models import ServiceCategory

WEEKDAYS = "一二三四五六日"


def day_label(day: dt.date) -> str:
    return f"{day:%m月%d日} 周{WEEKDAYS[day.weekday()]}"


def bookable_categories() -> Any:
    return ServiceCategory.objects.filter(is_active=True, bookable=True, hall__is_active=True).select_related(
        "hall"
    )


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.hall.name} · {obj.name}" if self.multiple_halls else obj.name

    multiple_halls = False


class AppointmentBookForm(ServiceErrorFormMixin, forms.Form):
    category = CategoryChoiceField(
        label=_("业务类别"),
        queryset=ServiceCategory.objects.none(),
        empty_label=_("请选择业务类别"),
        error_messages={"required": _("请选择业务类别"), "invalid_choice": _("请选择可预约的业务类别")},
    )
    day = forms.TypedChoiceField(
        label=_("预约日期"),
        coerce=dt.date.fromisoformat,
        choices=[],
        error_messages={"required": _("请选择预约日期"), "invalid_choice": _("该日期不可预约，请重新选择")},
    )
    starts_at = forms.ChoiceField(
        label=_("预约时段"),
        choices=[],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择预约时段"), "invalid_choice": _("该时段不可预约，请重新选择")},
    )
    holder_name = forms.CharField(
        label=_("姓名"), max_length=60, error_messages={"required": _("请填写姓名")}
    )
    id_number = forms.CharField(
        label=_("身份证号"),
        max_length=18,
        error_messages={"required": _("请填写身份证号")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    phone = forms.CharField(
        label=_("手机号码"),
        max_length=11,
        help_text=_("预约成功后发送短信提醒"),
        error_messages={"required": _("请填写手机号码")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=MAX_IDEMPOTENCY_KEY_LENGTH)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("idempotency_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        categories = bookable_categories()
        field: Any = self.fields["category"]
        field.queryset = categories
        field.multiple_halls = categories.values("hall").distinct().count() > 1
        self.picked_category: ServiceCategory | None = self._picked_category()
        self.days: list[dt.date] = (
            appointments.bookable_days(category=self.picked_category)
            if self.picked_category is not None
            else []
        )
        day_field: Any = self.fields["day"]
        day_field.choices = [("", _("请选择日期"))] + [(d.isoformat(), day_label(d)) for d in self.days]
        self.picked_day: dt.date | None = self._picked_day()
        self.slots: list[appointments.Slot] = (
            appointments.slots_for(category=self.picked_category, day=self.picked_day)
            if self.picked_category is not None and self.picked_day is not None
            else []
        )
        slot_field: Any = self.fields["starts_at"]
        slot_field.choices = [
            (slot.key, f"{slot.label}（余{slot.remaining}）") for slot in self.slots if slot.remaining > 0
        ]

    def _raw(self, name: str) -> str:
        if self.is_bound:
            return str(self.data.get(self.add_prefix(name), "") or "")
        value = self.initial.get(name, "")
        return str(getattr(value, "pk", value) or "")

    def _picked_category(self) -> ServiceCategory | None:
        raw = self._raw("category")
        if not raw.isdigit():
            return None
        return bookable_categories().filter(pk=int(raw)).first()

    def _picked_day(self) -> dt.date | None:
        try:
            day = dt.date.fromisoformat(self._raw("day"))
        except ValueError:
            return self.days[0] if self.days and not self._raw("day") else None
        return day if day in self.days else None

    @property
    def category_value(self) -> str:
        return str(self.picked_category.pk) if self.picked_category is not None else ""

    @property
    def day_value(self) -> str:
        return self.picked_day.isoformat() if self.picked_day is not None else ""

    @property
    def starts_at_value(self) -> str:
        return self._raw("starts_at")

    def clean_idempotency_key(self) -> str:
        return str(self.cleaned_data["idempotency_key"]).strip()


class CheckInForm(ServiceErrorFormMixin, forms.Form):
    code = forms.CharField(
        label=_("预约码"),
        max_length=12,
        error_messages={"required": _("请输入或扫描预约码")},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autofocus": True, "autocapitalize": "characters"}
        ),
    )
    id_number = forms.CharField(
        label=_("身份证号"),
        max_length=18,
        error_messages={"required": _("请输入预约人身份证号")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
