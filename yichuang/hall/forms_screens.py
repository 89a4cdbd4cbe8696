"""Forms of the hall's screens: taking a number (kiosk, portal, the clerk's desk) and the desk's actions.

They only shape input; ``tickets.ticket_issue`` and the calling services check it, and their Chinese
messages go back next to the field they name (``ServiceErrorFormMixin``). A hidden idempotency key makes a
double tap one ticket.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yichuang.accounts.forms import ServiceErrorFormMixin
from yichuang.hall.models import Hall, PriorityReason, ServiceCategory

NO_PRIORITY = ""
PRIORITY_CHOICES = [(NO_PRIORITY, _("无（普通）")), *PriorityReason.choices]


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


class TakeNumberForm(ServiceErrorFormMixin, forms.Form):
    """The kiosk's and the portal's form: the category is the button pressed."""

    category = forms.ModelChoiceField(
        label=_("业务类别"),
        queryset=ServiceCategory.objects.none(),
        error_messages={"required": _("请选择要办理的业务"), "invalid_choice": _("请选择本大厅的业务类别")},
    )
    priority = forms.ChoiceField(
        label=_("绿色通道"),
        choices=PRIORITY_CHOICES,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("65周岁以上老年人输入身份证号后自动进入绿色通道"),
    )
    phone = forms.CharField(
        label=_("手机号（选填）"),
        max_length=20,
        required=False,
        help_text=_("前面还剩少数几人时短信提醒您"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    id_number = forms.CharField(
        label=_("身份证号（选填）"),
        max_length=18,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args: Any, hall: Hall, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", new_idempotency_key())
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = ServiceCategory.objects.filter(hall=hall, is_active=True)  # type: ignore[attr-defined]


class DeskIssueForm(TakeNumberForm):
    """取号 by a clerk or a guide for a walk-in: the holder's name too."""

    holder_name = forms.CharField(label=_("姓名（选填）"), max_length=60, required=False)

    field_order = ["category", "holder_name", "id_number", "phone", "priority", "idempotency_key"]

    def __init__(self, *args: Any, hall: Hall, **kwargs: Any) -> None:
        super().__init__(*args, hall=hall, **kwargs)
        self.fields["category"].widget = forms.Select(choices=self.fields["category"].choices)  # type: ignore[attr-defined]
        self.fields["priority"].widget = forms.Select(choices=PRIORITY_CHOICES)
