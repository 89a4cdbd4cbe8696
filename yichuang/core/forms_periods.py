"""The period of a figures screen: two optional dates, from ``start`` to ``end``, at most a year."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yichuang.core.periods import MAX_PERIOD_DAYS, period_preset


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


@dataclass(frozen=True)
class PeriodRequest:
    """What a figures screen's query string asks for: a preset link (it replaces the dates typed before) or
    the fields typed, and the preset's (or the default's) dates to fall back on."""

    preset: str
    data: dict[str, str] | None  # the form's data; None: nothing asked, show the defaults
    default_start: dt.date
    default_end: dt.date

    def dates(self, form: forms.Form) -> tuple[dt.date, dt.date]:
        """The period chosen on a valid (or unbound) ``form``: the dates typed, else the defaults; with no
        end typed and a start typed after the default end, the period is that one day."""
        data = form.cleaned_data if form.is_bound else {}
        start = data.get("start") or self.default_start
        end = data.get("end") or (self.default_end if start <= self.default_end else start)
        return start, end


def period_request(
    request: HttpRequest, *, presets: Iterable[tuple[str, Any]], default: str, fields: Iterable[str] = ()
) -> PeriodRequest:
    preset = request.GET.get("period", "")
    preset = preset if preset in dict(presets) else ""
    given = {key: request.GET[key] for key in ("start", "end", *fields) if request.GET.get(key)}
    if preset:
        given.pop("start", None)
        given.pop("end", None)
    start, end = period_preset(preset or default)
    return PeriodRequest(preset=preset, data=given or None, default_start=start, default_end=end)
