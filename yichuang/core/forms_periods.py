"""The period of a figures screen: two optional dates, from ``start`` to ``end``, at most a year."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yichuang.core.periods import MAX_PERIOD_DAYS


def date_input() -> forms.DateInput:
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class PeriodForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("起始日期"), required=False, widget=date_input())
    end = forms.DateField(label=gettext_lazy("截止日期"), required=False, widget=date_input())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                self.add_error("end", _("截止日期不能早于起始日期"))
            elif (end - start).days >= MAX_PERIOD_DAYS:
                self.add_error("end", _("统计期间最长一年"))
        return data
