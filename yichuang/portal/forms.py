"""Forms of the self-service terminal. Every field the person types into has ``autocomplete="off"`` (the next
person must not be offered what this one typed) and the ``data-osk`` mark that brings up the terminal's own
on-screen keyboard for letters and digits."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from django import forms
from django.utils.translation import gettext_lazy as _

from yichuang.hall.forms_appointments import AppointmentBookForm, bookable_categories
from yichuang.hall.forms_screens import TakeNumberForm
from yichuang.hall.models import Hall, ServiceCategory

OFF = {"autocomplete": "off", "autocorrect": "off", "autocapitalize": "characters", "spellcheck": "false"}


def _case_number(value: str) -> str:
    """A number typed, or scanned from a notice's QR code (the lookup's address with ``?number=…``)."""
    value = value.strip()
    if "number=" in value:
        found = parse_qs(urlsplit(value).query).get("number")
        if found:
            value = found[0]
    return "".join(value.split()).upper()


class CaseLookupForm(forms.Form):
    number = forms.CharField(
        label=_("办件编号"),
        max_length=300,  # a scanned QR address is longer than the 43-character number it carries
        help_text=_("见受理通知书等文书右上方，也可以扫描文书上的二维码"),
        error_messages={"required": _("请输入办件编号")},
        widget=forms.TextInput(attrs={**OFF, "data-osk": "alnum", "inputmode": "text"}),
    )
    id_number = forms.CharField(
        label=_("申请人身份证号码或统一社会信用代码"),
        max_length=18,
        error_messages={"required": _("请输入申请人的身份证号码（企业输入统一社会信用代码）")},
        widget=forms.TextInput(attrs={**OFF, "data-osk": "alnum", "inputmode": "text"}),
    )

    def clean_number(self) -> str:
        number = _case_number(self.cleaned_data["number"])
        if len(number) > 43:
            raise forms.ValidationError(_("办件编号不正确，请核对后重新输入"))
        return number

    def clean_id_number(self) -> str:
        return "".join(self.cleaned_data["id_number"].split()).upper()


def terminal_take_number_form(data: Any, *, hall: Hall) -> TakeNumberForm:
    """The hall kiosk's own form (category, 绿色通道, optional phone and ID number, idempotency key), with
    the terminal's input marks."""
    form = TakeNumberForm(data, hall=hall)
    form.fields["phone"].widget.attrs.update({**OFF, "inputmode": "numeric", "data-osk": "digits"})
    form.fields["id_number"].widget.attrs.update({**OFF, "data-osk": "alnum"})
    return form


class TerminalBookForm(AppointmentBookForm):
    """The hall's booking form limited to the terminal's hall (its categories only)."""

    def __init__(self, *args: Any, hall: Hall, **kwargs: Any) -> None:
        self.hall = hall
        super().__init__(*args, **kwargs)
        field: Any = self.fields["category"]
        field.queryset = bookable_categories().filter(hall=hall)
        field.multiple_halls = False
        self.fields["holder_name"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.fields["id_number"].widget.attrs.update({**OFF, "data-osk": "alnum"})
        self.fields["phone"].widget.attrs.update({**OFF, "inputmode": "numeric", "data-osk": "digits"})

    def _picked_category(self) -> ServiceCategory | None:
        category = super()._picked_category()
        return category if category is not None and category.hall_id == self.hall.pk else None
