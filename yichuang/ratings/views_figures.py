"""好差评统计 (/ratings/figures/): satisfaction, 差评率, 实名差评回访率 and 整改率 of a period by department,
window, staff member, item, channel and month, with a chart of the departments' satisfaction, the monthly
ranking, the admin's 公开 of a closed month, and an Excel export (/ratings/figures.xlsx). For those who hold
``ratings.view`` (the admin, the inspector, a chief representative for his department).

The public page (/ratings/public/) shows the published months to anyone, without logging in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from yichuang.accounts.forms import ServiceErrorFormMixin
from yichuang.core.errors import ApplicationError
from yichuang.core.forms_periods import PeriodForm, period_request
from yichuang.core.permissions import has_capability, require_capability
from yichuang.core.xlsx import workbook_bytes, xlsx_response
from yichuang.ratings.figures import (
    INDICATORS,
    PRESETS,
    RANKING_MINIMUM,
    MonthlyRanking,
    RatingsFigures,
    Row,
    figures_scope,
    month_start,
    monthly_ranking,
    previous_month,
    published_figures,
    ratings_figures,
)
from yichuang.ratings.models import Publication
from yichuang.ratings.publishing import publication_publish

VIEW_MESSAGE = gettext_lazy("您没有查看好差评统计的权限")
MONTH_FORMATS = ["%Y-%m"]


def _month_input() -> forms.DateInput:
    return forms.DateInput(format="%Y-%m", attrs={"type": "month"})


class FiguresForm(ServiceErrorFormMixin, PeriodForm):
    month = forms.DateField(
        label=gettext_lazy("排名月份"), required=False, input_formats=MONTH_FORMATS, widget=_month_input()
    )


class PublishForm(forms.Form):
    month = forms.DateField(label=gettext_lazy("月份"), input_formats=MONTH_FORMATS, widget=_month_input())


@dataclass
class Query:
    form: FiguresForm
    figures: RatingsFigures | None
    ranking: MonthlyRanking | None
    error: ApplicationError | None
    preset: str


def _query(request: HttpRequest) -> Query:
    require_capability(request.user, "ratings.view", str(VIEW_MESSAGE))
    period = period_request(request, presets=PRESETS, default="month", fields=("month",))
    preset = period.preset
    form = FiguresForm(period.data, initial={"start": period.default_start, "end": period.default_end})
    if form.is_bound and not form.is_valid():
        return Query(
            form, None, None, ApplicationError(_("统计条件有误，请按提示修改"), code="period_invalid"), preset
        )
    start, end = period.dates(form)
    month = month_start((form.cleaned_data if form.is_bound else {}).get("month") or end)
    if not form.is_bound or preset:
        form = FiguresForm(None, initial={"start": start, "end": end, "month": month})
    departments, scope = figures_scope(request.user)
    try:
        figures = ratings_figures(start=start, end=end, departments=departments, scope=scope)
    except ApplicationError as error:
        return Query(form, None, None, error, preset)
    ranking = monthly_ranking(month=month, departments=departments)
    return Query(form, figures, ranking, None, preset)


@dataclass(frozen=True)
class Bar:
    label: str
    y: int
    width: float
    percent: float | None
    count: int


CHART_WIDTH = 420  # the bars' room, in SVG units; the labels take 170 on the left and 120 on the right
CHART_LEFT = 170
BAR_STEP = 26


def satisfaction_bars(rows: list[Row]) -> list[Bar]:
    """One bar per department: its 满意率 on a 0–100% scale."""
    bars = []
    for index, row in enumerate(rows):
        rate = row.satisfaction_rate or 0.0
        bars.append(
            Bar(
                label=row.label,
                y=index * BAR_STEP,
                width=round(rate * CHART_WIDTH, 1),
                percent=row.satisfaction_percent,
                count=row.count,
            )
        )
    return bars


def _publishable_months(today: dt.date, published: set[dt.date]) -> list[dt.date]:
    """The last twelve closed months not yet published, newest first."""
    months = []
    month = previous_month(today)
    for _step in range(12):
        if month not in published:
            months.append(month)
        month = previous_month(month)
    return months


@login_required
@require_GET
def figures(request: HttpRequest) -> HttpResponse:
    query = _query(request)
    bars = satisfaction_bars(query.figures.by_department) if query.figures else []
    bound_with_errors = query.form.is_bound and bool(query.form.errors)
    publications = list(Publication.objects.select_related("published_by").order_by("-month")[:24])
    may_publish = has_capability(request.user, "ratings.publish")
    today = timezone.localdate()
    return render(
        request,
        "ratings/figures.html",
        {
            "form": query.form,
            "figures": query.figures,
            "ranking": query.ranking,
            "error": query.error,
            "presets": PRESETS,
            "preset": query.preset,
            "bars": bars,
            "chart_height": len(bars) * BAR_STEP + 10,
            "chart_width": CHART_LEFT + CHART_WIDTH + 120,
            "chart_left": CHART_LEFT,
            "chart_room": CHART_WIDTH,
            "chart_text_x": CHART_LEFT + CHART_WIDTH + 8,
            "indicators": INDICATORS,
            "publications": publications,
            "may_publish": may_publish,
            "publishable": _publishable_months(today, {p.month for p in publications}) if may_publish else [],
            "minimum": RANKING_MINIMUM,
        },
        status=400 if bound_with_errors or (query.error and query.error.code == "period_invalid") else 200,
    )


@login_required
@require_POST
def publish(request: HttpRequest) -> HttpResponse:
    """公开 a closed month on the public page (the admin)."""
    require_capability(request.user, "ratings.publish", _("只有政数局管理员可以公开评价结果"))
    form = PublishForm(request.POST)
    target = reverse("ratings:figures")
    if not form.is_valid():
        messages.error(request, _("请选择要公开的月份"))
        return redirect(target)
    month = form.cleaned_data["month"]
    try:
        publication_publish(month=month, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(f"{target}?month={month:%Y-%m}")
    messages.success(request, _("%(month)s的评价结果已公开") % {"month": f"{month:%Y年%m月}"})
    return redirect(f"{target}?month={month:%Y-%m}")


@require_GET
def public(request: HttpRequest) -> HttpResponse:
    """The published months: per department count, 满意率, 差评率, 整改率 and the ranking. No login."""
    return render(request, "ratings/public.html", {"months": published_figures(), "minimum": RANKING_MINIMUM})


# ——— Excel ———

_COLUMNS = [
    ("评价数", 10),
    ("平均等级", 10),
    ("满意数", 10),
    ("满意率", 10),
    ("差评数", 10),
    ("差评率", 10),
    ("实名差评", 10),
    ("已回访", 10),
    ("实名差评回访率", 14),
    ("已整改", 10),
    ("整改率", 10),
    *((label, 12) for _key, label in INDICATORS),
]
_RATE_COLUMNS = (4, 6, 9, 11)  # 1-based among _COLUMNS


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _cells(row: Row) -> list[Any]:
    return [
        row.count,
        row.level_avg,
        row.satisfied,
        _rate(row.satisfaction_rate),
        row.bad,
        _rate(row.bad_rate),
        row.real_name_bad,
        row.called_back,
        _rate(row.call_back_rate),
        row.rectified,
        _rate(row.rectification_rate),
        *row.indicator_values,
    ]


def figures_xlsx(figures: RatingsFigures, ranking: MonthlyRanking | None = None) -> bytes:
    """One sheet per table (the period and scope in its title, the totals at the foot), the ranking and the
    definitions."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    period = f"{figures.start:%Y-%m-%d} 至 {figures.end:%Y-%m-%d}"
    scope = f"（仅{figures.scope}）" if figures.scope else ""
    tables = [
        ("按部门", "部门", figures.by_department),
        ("按窗口", "窗口", figures.by_window),
        ("按工作人员", "工作人员", figures.by_staff),
        ("按事项", "事项", figures.by_item),
        ("按渠道", "评价渠道", figures.by_channel),
        ("按月份", "月份", figures.by_month),
    ]

    def header(sheet: Any, title: str, names: list[str]) -> None:
        sheet.append([title])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append(names)
        for cell in sheet[2]:
            cell.font = Font(bold=True)

    def rate_format(sheet: Any, offset: int) -> None:
        for column in _RATE_COLUMNS:
            for cell in sheet[get_column_letter(column + offset)][2:]:
                cell.number_format = "0.0%"

    for index, (title, first, rows) in enumerate(tables):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        assert sheet is not None
        sheet.title = title
        header(sheet, f"好差评统计（{title}） {period}{scope}", [first, *(name for name, _w in _COLUMNS)])
        for row in rows:
            sheet.append([row.label, *_cells(row)])
        sheet.append(["合计", *_cells(figures.total)])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        rate_format(sheet, 1)
        sheet.column_dimensions["A"].width = 30
        for column, (_name, width) in enumerate(_COLUMNS, start=2):
            sheet.column_dimensions[get_column_letter(column)].width = width
        sheet.freeze_panes = "B3"
    if ranking is not None:
        sheet = workbook.create_sheet("月度排名")
        header(
            sheet,
            f"{ranking.month:%Y年%m月}好差评排名{scope}（评价数不足{ranking.minimum}条的不参与排名）",
            ["类别", "名次", "名称", *(name for name, _w in _COLUMNS)],
        )
        for kind, rows_ranked in (
            ("部门", ranking.departments),
            ("窗口", ranking.windows),
            ("工作人员", ranking.staff),
        ):
            for ranked in rows_ranked:
                sheet.append([kind, ranked.rank, ranked.row.label, *_cells(ranked.row)])
        rate_format(sheet, 3)
        sheet.column_dimensions["C"].width = 30
    notes = workbook.create_sheet("说明")
    for line in (
        "只统计有效评价：申诉成立后删除的评价不计入。期间按评价日期。",
        "满意率：基本满意及以上（3–5级）÷ 评价数。",
        "差评：不满意（2级）和非常不满意（1级）；差评率 = 差评 ÷ 评价数。",
        "实名差评回访率：已回访核实（联系上评价人并核实情况）的实名差评 ÷ 实名差评；未联系上的回访不计入。",
        "整改率：已反馈或已办结整改的差评 ÷ 差评。",
        "分项评价：各项1–5分的平均分，只计给出该项的评价。",
        f"月度排名：按满意率（高者在前）、差评率（低者在前）、评价数（多者在前）排序；"
        f"当月评价不足{RANKING_MINIMUM}条的列于最后，不参与排名。",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 110
    return workbook_bytes(workbook, f"好差评统计 {period}")


@login_required
@require_GET
def figures_export(request: HttpRequest) -> HttpResponse:
    query = _query(request)
    if query.figures is None:
        assert query.error is not None
        raise query.error
    return xlsx_response(
        figures_xlsx(query.figures, query.ranking),
        f"ratings-figures-{query.figures.start:%Y%m%d}-{query.figures.end:%Y%m%d}",
    )
