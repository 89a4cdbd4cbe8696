"""大厅统计 (/hall/figures/): waits, service times and abandonment of a hall over a period, by category,
window, clerk and hour, with a chart of the waits by hour and an Excel export (/hall/figures.xlsx).
For those who hold ``hall.figures`` (the admin, the inspector, the chief representatives)."""

from __future__ import annotations

from dataclasses import dataclass
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
from yichuang.core.errors import ApplicationError
from yichuang.core.forms_periods import PeriodForm, period_request
from yichuang.core.permissions import require_capability
from yichuang.core.xlsx import workbook_bytes, xlsx_response
from yichuang.hall.figures import (
    PRESETS,
    HallFigures,
    Row,
    figures_scope,
    hall_figures,
)
from yichuang.hall.models import Hall


class FiguresForm(ServiceErrorFormMixin, PeriodForm):
    hall = forms.ChoiceField(label=gettext_lazy("大厅"), required=False)
    field_order = ["hall", "start", "end"]

    def __init__(self, *args: Any, halls: list[Hall], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.halls = {hall.code: hall for hall in halls}
        self.fields["hall"].choices = [(hall.code, hall.name) for hall in halls]  # type: ignore[attr-defined]


@dataclass
class Query:
    form: FiguresForm
    figures: HallFigures | None
    error: ApplicationError | None
    preset: str


def _query(request: HttpRequest) -> Query:
    require_capability(request.user, "hall.figures", _("您没有查看大厅统计的权限"))
    halls = list(Hall.objects.filter(is_active=True).order_by("code"))
    period = period_request(request, presets=PRESETS, default="today", fields=("hall",))
    preset = period.preset
    initial = {
        "hall": halls[0].code if halls else "",
        "start": period.default_start,
        "end": period.default_end,
    }
    form = FiguresForm(period.data, initial=initial, halls=halls)
    if not halls:
        return Query(form, None, ApplicationError(_("尚未设置服务大厅"), code="no_hall"), preset)
    if form.is_bound and not form.is_valid():
        return Query(
            form, None, ApplicationError(_("统计条件有误，请按提示修改"), code="period_invalid"), preset
        )
    data = form.cleaned_data if form.is_bound else {}
    hall = form.halls.get(data.get("hall") or "", halls[0])
    start, end = period.dates(form)
    if not form.is_bound or preset:
        form = FiguresForm(None, initial={"hall": hall.code, "start": start, "end": end}, halls=halls)
    try:
        departments, scope = figures_scope(request.user)
        figures = hall_figures(hall=hall, start=start, end=end, departments=departments, scope=scope)
        return Query(form, figures, None, preset or "")
    except ApplicationError as error:
        return Query(form, None, error, preset)


@dataclass(frozen=True)
class Bar:
    label: str
    y: int
    avg_width: float
    p90_width: float
    avg: float | None
    p90: float | None


CHART_WIDTH = 480  # the bars' room, in SVG units; the labels take 60 more on the left and 110 on the right


def _chart(figures: HallFigures) -> list[Bar]:
    longest = figures.longest_hour_wait or 1.0
    bars = []
    for index, row in enumerate(row for row in figures.by_hour if row.wait_avg is not None):
        bars.append(
            Bar(
                label=row.label,
                y=index * 26,
                avg_width=round((row.wait_avg or 0) / longest * CHART_WIDTH, 1),
                p90_width=round((row.wait_p90 or 0) / longest * CHART_WIDTH, 1),
                avg=row.wait_avg,
                p90=row.wait_p90,
            )
        )
    return bars


@login_required
@require_GET
def figures(request: HttpRequest) -> HttpResponse:
    query = _query(request)
    bars = _chart(query.figures) if query.figures else []
    bound_with_errors = query.form.is_bound and bool(query.form.errors)
    return render(
        request,
        "hall/figures.html",
        {
            "form": query.form,
            "figures": query.figures,
            "error": query.error,
            "presets": PRESETS,
            "preset": query.preset,
            "bars": bars,
            "chart_height": len(bars) * 26 + 10,
            "chart_width": CHART_WIDTH + 170,
            "today": timezone.localdate(),
        },
        status=400 if bound_with_errors or (query.error and query.error.code == "period_invalid") else 200,
    )


# ——— Excel ———

_COLUMNS = [
    ("取号/办理数", 12),
    ("已办结", 10),
    ("已叫号", 10),
    ("平均等候（分钟）", 16),
    ("90%等候（分钟）", 16),
    ("平均办理（分钟）", 16),
    ("未等候离开", 12),
    ("过号作废", 10),
    ("已取消", 10),
    ("流失率", 10),
]


def _cells(row: Row) -> list[Any]:
    rate = row.abandonment_rate
    return [
        row.tickets,
        row.served,
        row.called,
        row.wait_avg,
        row.wait_p90,
        row.service_avg,
        row.abandoned,
        row.no_show,
        row.cancelled,
        None if rate is None else round(rate, 4),
    ]


def figures_xlsx(figures: HallFigures) -> bytes:
    """The four tables as four sheets, each with the period in its title and the totals at the foot."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    period = f"{figures.start:%Y-%m-%d} 至 {figures.end:%Y-%m-%d}"
    tables = [
        ("按业务类别", "业务类别", figures.by_category),
        ("按窗口", "窗口", figures.by_window),
        ("按工作人员", "工作人员", figures.by_clerk),
        ("按时段", "时段", figures.by_hour),
    ]
    for index, (title, first, rows) in enumerate(tables):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        assert sheet is not None
        sheet.title = title
        scope = f"（仅{figures.scope}窗口叫号的号码）" if figures.scope else ""
        sheet.append([f"{figures.hall.name} 大厅统计（{title}） {period}{scope}"])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([first, *(name for name, _width in _COLUMNS)])
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([row.label, *_cells(row)])
        sheet.append(["合计", *_cells(figures.total)])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        rate_column = get_column_letter(len(_COLUMNS) + 1)
        for cell in sheet[rate_column][2:]:
            cell.number_format = "0.0%"
        sheet.column_dimensions["A"].width = 24
        for column, (_name, width) in enumerate(_COLUMNS, start=2):
            sheet.column_dimensions[get_column_letter(column)].width = width
        sheet.freeze_panes = "B3"
    notes = workbook.create_sheet("说明")
    for line in (
        "等候：自取号至首次叫号；预约号提前签到的，自预约时段开始计。90%等候为第90百分位（相邻两位插值）。",
        "办理：已办结的号，自开始办理（未记录时自叫号）至办结。",
        "流失率：（未等候离开 + 过号作废）÷ 取号数；已取消的号另列，不计入流失率。",
        "按窗口、按工作人员：按最后叫号的窗口和人员统计，“取号/办理数”为该窗口（人员）叫过的号数。",
        "按时段：取号数、等候和流失按取号时段，已办结和平均办理按叫号时段。",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    return workbook_bytes(workbook, f"{figures.hall.name} 大厅统计 {period}")


@login_required
@require_GET
def figures_export(request: HttpRequest) -> HttpResponse:
    query = _query(request)
    if query.figures is None:
        assert query.error is not None
        raise query.error
    return xlsx_response(
        figures_xlsx(query.figures),
        f"hall-figures-{query.figures.hall.code}-{query.figures.start:%Y%m%d}-{query.figures.end:%Y%m%d}",
    )
