"""效能监察 dashboard (/supervision/) and its drill-down to the cases (/supervision/cases/).

For those who hold ``supervision.view``: the inspector and the admin see every department, a chief
representative his own. Figures by department, item, window or staff member over a period (see ``figures``);
every count links to the cases it is made of."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from yichuang.accounts.forms import ServiceErrorFormMixin
from yichuang.cases.models import Case
from yichuang.core.errors import ApplicationError
from yichuang.core.forms_periods import PeriodForm, period_request
from yichuang.core.masking import mask_name
from yichuang.core.permissions import require_capability
from yichuang.supervision import charts
from yichuang.supervision.dashboard import dashboard as build_dashboard
from yichuang.supervision.dashboard import scope_of
from yichuang.supervision.drilldown import METRIC_LABELS, DrillDown, drill_cases
from yichuang.supervision.figures import labels
from yichuang.supervision.models import Dimension
from yichuang.supervision.table import table_body, table_rows

VIEW_MESSAGE = gettext_lazy("您没有查看效能监察统计的权限")
PRESETS = (("month", "本月"), ("last_month", "上月"), ("week", "本周"), ("today", "今日"), ("year", "本年"))
PAGE_SIZE = 50


class DashboardForm(ServiceErrorFormMixin, PeriodForm):
    dimension = forms.ChoiceField(
        label=gettext_lazy("统计维度"),
        choices=Dimension.choices,
        required=False,
        initial=Dimension.DEPARTMENT,
    )


def _period(request: HttpRequest) -> tuple[DashboardForm, dt.date, dt.date, str, str]:
    period = period_request(request, presets=PRESETS, default="month", fields=("dimension",))
    form = DashboardForm(period.data, initial={"start": period.default_start, "end": period.default_end})
    if form.is_bound and not form.is_valid():
        raise ApplicationError(_("统计条件有误，请按提示修改"), code="period_invalid")
    start, end = period.dates(form)
    dimension = (form.cleaned_data.get("dimension") if form.is_bound else "") or Dimension.DEPARTMENT
    return form, start, end, dimension, period.preset


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, "supervision.view", str(VIEW_MESSAGE))
    try:
        form, start, end, dimension, preset = _period(request)
    except ApplicationError as error:
        form = DashboardForm(request.GET)
        form.is_valid()
        context = {"form": form, "error": error, "presets": PRESETS, "dimensions": Dimension.choices}
        return render(request, "supervision/dashboard.html", context, status=400)
    board = build_dashboard(user=request.user, start=start, end=end, dimension=dimension)
    period_query = urlencode({"start": start.isoformat(), "end": end.isoformat()})
    context = {
        "form": DashboardForm(None, initial={"start": start, "end": end, "dimension": dimension}),
        "board": board,
        "figures": board.figures,
        "dimension": dimension,
        "dimension_label": Dimension(dimension).label,
        "dimensions": Dimension.choices,
        "presets": PRESETS,
        "preset": preset,
        "period_query": period_query,
        "scope": scope_of(request.user)[2],
        "trend_chart": charts.chart_context("trend-chart", board.trend_chart, height=300),
        "volume_chart": charts.chart_context("volume-chart", board.volume_chart, height=360),
        "rate_chart": charts.chart_context("rate-chart", board.rate_chart, height=360),
        "has_overdue": dimension != Dimension.WINDOW,
        "shown": len(board.lines),
        "row_count": len(board.figures.rows),
        "has_submitted": dimension in (Dimension.DEPARTMENT, Dimension.ITEM),
        "table_body": table_body(table_rows(board.lines, dimension=dimension, start=start, end=end)),
    }
    return render(request, "supervision/dashboard.html", context)


def _drill(request: HttpRequest) -> DrillDown:
    try:
        start = dt.date.fromisoformat(request.GET.get("start", ""))
        end = dt.date.fromisoformat(request.GET.get("end", ""))
        key = int(request.GET.get("key", ""))
    except ValueError as error:
        raise ApplicationError(_("查询条件有误"), code="invalid") from error
    return DrillDown(
        dimension=request.GET.get("dimension", ""),
        key=key,
        metric=request.GET.get("metric", ""),
        start=start,
        end=end,
    )


def case_line(case: Case) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "case": case,
        "applicant": mask_name(case.applicant.name),
        "overdue_days": (today - case.due_date).days if case.due_date and case.due_date < today else 0,
    }


@login_required
@require_GET
def drill_down(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, "supervision.view", str(VIEW_MESSAGE))
    try:
        drill = _drill(request)
        _departments, ids, scope = scope_of(request.user)
        cases = drill_cases(drill, departments=ids)
    except ApplicationError as error:
        return render(request, "supervision/drill_down.html", {"error": error}, status=400)
    cases = cases.select_related("item", "department", "applicant", "accepted_by", "decided_by", "reviewer")
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    label = labels(drill.dimension, [drill.key]).get(drill.key, (str(drill.key), ""))[0]
    query = urlencode(
        {
            "dimension": drill.dimension,
            "key": drill.key,
            "metric": drill.metric,
            "start": drill.start.isoformat(),
            "end": drill.end.isoformat(),
        }
    )
    back = urlencode(
        {"start": drill.start.isoformat(), "end": drill.end.isoformat(), "dimension": drill.dimension}
    )
    context = {
        "drill": drill,
        "label": label,
        "dimension_label": Dimension(drill.dimension).label,
        "metric_label": METRIC_LABELS[drill.metric],
        "page": page,
        "lines": [case_line(case) for case in page.object_list],
        "query": query,
        "back": back,
        "scope": scope,
    }
    return render(request, "supervision/drill_down.html", context)
