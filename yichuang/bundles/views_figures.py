"""一件事成效 (/bundles/figures/): per bundle over a period — applications, closed, on-time share, average
working days to results, and the visits, materials and days saved against applying item by item
(definitions in ``figures``). Every staff member may look (``catalog.view``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from yichuang.accounts.forms import ServiceErrorFormMixin
from yichuang.bundles.figures import bundle_figures
from yichuang.bundles.views_staff import require_staff
from yichuang.core.errors import ApplicationError
from yichuang.core.permissions import require_capability

MAX_PERIOD_DAYS = 3660


class PeriodForm(ServiceErrorFormMixin, forms.Form):
    start = forms.DateField(
        label=gettext_lazy("起始日期"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    end = forms.DateField(
        label=gettext_lazy("截止日期"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                self.add_error("end", _("截止日期不能早于起始日期"))
            elif (end - start).days > MAX_PERIOD_DAYS:
                self.add_error("end", _("统计期间最长十年"))
        return data


def _default_period() -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    return dt.date(today.year, 1, 1), today


@login_required
@require_GET
def figures(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    require_capability(request.user, "catalog.view", _("只有工作人员可以查看一件事成效"))
    default_start, default_end = _default_period()
    given = {key: request.GET[key] for key in ("start", "end") if request.GET.get(key)}
    form = PeriodForm(given or None, initial={"start": default_start, "end": default_end})
    error: ApplicationError | None = None
    result = None
    if form.is_bound and not form.is_valid():
        error = ApplicationError(_("统计期间有误，请按提示修改"), code="period_invalid")
    else:
        data = form.cleaned_data if form.is_bound else {}
        start = data.get("start") or default_start
        end = data.get("end") or (default_end if start <= default_end else start)
        try:
            result = bundle_figures(start=start, end=end)
        except ApplicationError as exc:  # a year the working-day calendar does not cover yet
            error = exc
    return render(
        request,
        "bundles/figures.html",
        {"form": form, "figures": result, "error": error},
        status=400 if form.is_bound and form.errors else 200,
    )
