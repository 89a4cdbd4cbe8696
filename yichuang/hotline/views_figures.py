"""12345统计 (/hotline/figures/): 响应率, 办结率, 按时办结率, 解决率, 满意率, 重办率 and the average handling
time of a period by lead department and by day or month, a chart of the departments, the hot topics
(热点诉求) of the days up to the period's end with their trend, and an Excel export
(/hotline/figures.xlsx). For those who hold ``hotline.view``: the hotline office, the admin and the
inspector see every department, a department's staff their own (``figures.figures_scope``). Definitions
in ``yichuang.hotline.figures`` and ``yichuang.hotline.topics``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from yichuang.accounts.forms import ServiceErrorFormMixin
from yichuang.core.errors import ApplicationError
from yichuang.core.forms_periods import PeriodForm, period_request
from yichuang.core.permissions import require_capability
from yichuang.core.xlsx import workbook_bytes, xlsx_response
from yichuang.hotline.figures import (
    NO_LEAD_LABEL,
    PRESETS,
    HotlineFigures,
    Row,
    figures_scope,
    hotline_figures,
)
from yichuang.hotline.topics import TOPIC_DAYS, HotTopics, hot_topics

VIEW_MESSAGE = gettext_lazy("您没有查看12345统计的权限")
TOPIC_WINDOWS = ((7, gettext_lazy("近7天")), (30, gettext_lazy("近30天")), (90, gettext_lazy("近90天")))


class FiguresForm(ServiceErrorFormMixin, PeriodForm):
    days = forms.TypedChoiceField(
        label=gettext_lazy("热点诉求"),
        required=False,
        coerce=int,
        choices=TOPIC_WINDOWS,
        empty_value=None,
    )


@dataclass
class Query:
    form: FiguresForm
    figures: HotlineFigures | None
    topics: HotTopics | None
    error: ApplicationError | None
    preset: str


def _query(request: HttpRequest) -> Query:
    require_capability(request.user, "hotline.view", str(VIEW_MESSAGE))
    period = period_request(request, presets=PRESETS, default="month", fields=("days",))
    preset = period.preset
    initial = {"start": period.default_start, "end": period.default_end, "days": TOPIC_DAYS}
    form = FiguresForm(period.data, initial=initial)
    if form.is_bound and not form.is_valid():
        return Query(
            form, None, None, ApplicationError(_("统计条件有误，请按提示修改"), code="period_invalid"), preset
        )
    start, end = period.dates(form)
    days = (form.cleaned_data if form.is_bound else {}).get("days") or TOPIC_DAYS
    if not form.is_bound or preset:
        form = FiguresForm(None, initial={"start": start, "end": end, "days": days})
    departments, scope = figures_scope(request.user)
    try:
        figures = hotline_figures(start=start, end=end, departments=departments, scope=scope)
    except ApplicationError as error:
        return Query(form, None, None, error, preset)
    topics = hot_topics(end=end, days=days, departments=departments, scope=scope)
    return Query(form, figures, topics, None, preset)


@dataclass(frozen=True)
class Bar:
    label: str
    y: int
    width: float  # received, on the scale of the largest department
    closed_width: float  # closed, on the same scale
    received: int
    closing_percent: float | None
    satisfaction_percent: float | None


CHART_WIDTH = 420  # the bars' room, in SVG units; the labels take 170 on the left and 190 on the right
CHART_LEFT = 170
CHART_RIGHT = 190
BAR_STEP = 26


def department_bars(rows: list[Row]) -> list[Bar]:
    """One bar per department: its tickets received (light) and closed (dark), on the scale of the
    department with the most."""
    largest = max((row.received for row in rows), default=0) or 1
    return [
        Bar(
            label=row.label,
            y=index * BAR_STEP,
            width=round(row.received / largest * CHART_WIDTH, 1),
            closed_width=round(row.closed / largest * CHART_WIDTH, 1),
            received=row.received,
            closing_percent=row.closing_percent,
            satisfaction_percent=row.satisfaction_percent,
        )
        for index, row in enumerate(rows)
    ]


@login_required
@require_GET
def figures(request: HttpRequest) -> HttpResponse:
    query = _query(request)
    bars = department_bars(query.figures.by_department) if query.figures else []
    bound_with_errors = query.form.is_bound and bool(query.form.errors)
    return render(
        request,
        "hotline/figures.html",
        {
            "form": query.form,
            "figures": query.figures,
            "topics": query.topics,
            "error": query.error,
            "presets": PRESETS,
            "preset": query.preset,
            "bars": bars,
            "chart_height": len(bars) * BAR_STEP + 10,
            "chart_width": CHART_LEFT + CHART_WIDTH + CHART_RIGHT,
            "chart_left": CHART_LEFT,
            "chart_room": CHART_WIDTH,
            "chart_text_x": CHART_LEFT + CHART_WIDTH + 8,
            "no_lead_label": NO_LEAD_LABEL,
        },
        status=400 if bound_with_errors or (query.error and query.error.code == "period_invalid") else 200,
    )


# ——— Excel ———

_COLUMNS: list[tuple[str, int]] = [
    ("受理数", 9),
    ("派单数", 9),
    ("应签收", 9),
    ("按时签收", 9),
    ("响应率", 9),
    ("办结数", 9),
    ("办结率", 9),
    ("派单办结", 9),
    ("按时办结", 9),
    ("按时办结率", 11),
    ("已解决", 9),
    ("解决率", 9),
    ("已回访", 9),
    ("满意", 9),
    ("满意率", 9),
    ("重办", 9),
    ("重办率", 9),
    ("平均办理时长（小时）", 14),
    ("直接办结", 9),
    ("退单", 9),
    ("催办", 9),
    ("督办", 9),
    ("挂账", 9),
    ("超期未办结", 11),
]
_RATE_COLUMNS = (5, 7, 10, 12, 15, 17)  # 1-based among _COLUMNS


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _cells(row: Row) -> list[Any]:
    return [
        row.received,
        row.dispatched,
        row.response_due,
        row.responded,
        _rate(row.response_rate),
        row.closed,
        _rate(row.closing_rate),
        row.closed_dispatched,
        row.closed_on_time,
        _rate(row.on_time_rate),
        row.solved,
        _rate(row.solved_rate),
        row.called_back,
        row.satisfied,
        _rate(row.satisfaction_rate),
        row.reopened,
        _rate(row.reopen_rate),
        row.handling_hours,
        row.answered_directly,
        row.returns,
        row.reminded,
        row.supervised,
        row.long_term,
        row.open_overdue,
    ]


NOTES = (
    "期间按受理日期；已并单的工单不计（计入其并入的工单）。部门为当前主办单位；“未派单”为直接办结和待派单的工单。",
    "响应率 = 按时签收 ÷ 应签收。"
    "应签收：直接办结，及已派单的工单（退单待审核的、尚在签收时限内未签收的除外）；"
    "按时签收：直接办结，或主办单位在签收期限内签收。",
    "办结率 = 办结数 ÷ 受理数。按时办结率 = 答复不晚于办理期限的派单办结工单 ÷ 派单办结工单。",
    "解决率 = 诉求已解决的办结工单 ÷ 办结数。"
    "满意率 = 最近一次回访满意或基本满意 ÷ 回访联系上的工单（未联系上不计）。",
    "重办率 = 重办过的派单办结工单 ÷ 派单办结工单。平均办理时长：从派单到（最后一次）答复的自然小时数。",
    "退单计入退单的单位；催办、督办为被催办、督办过的工单数；挂账为曾列入挂账办理的工单数；"
    "超期未办结为统计时已派单或办理中且超过办理期限的工单数。",
    "热点诉求：近期工单按分类（三级，无分类时按关键词）和地点（乡镇）聚类，与前一个同样长的期间比较。",
)


def figures_xlsx(figures: HotlineFigures, topics: HotTopics | None = None) -> bytes:
    """The departments and the periods (the period and scope in the title, the totals at the foot), the hot
    topics and the definitions."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    period = f"{figures.start:%Y-%m-%d} 至 {figures.end:%Y-%m-%d}"
    scope = f"（仅{figures.scope}）" if figures.scope else ""
    by = "按日" if figures.granularity == "day" else "按月"

    def header(sheet: Any, title: str, names: list[str]) -> None:
        sheet.append([title])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append(names)
        for cell in sheet[2]:
            cell.font = Font(bold=True)

    for index, (title, first, rows) in enumerate(
        (("按部门", "主办单位", figures.by_department), (by, "受理日期", figures.by_period))
    ):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        assert sheet is not None
        sheet.title = title
        header(sheet, f"12345统计（{title}） {period}{scope}", [first, *(name for name, _w in _COLUMNS)])
        for row in rows:
            sheet.append([row.label, *_cells(row)])
        sheet.append(["合计", *_cells(figures.total)])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        for column in _RATE_COLUMNS:
            for cell in sheet[get_column_letter(column + 1)][2:]:
                cell.number_format = "0.0%"
        sheet.column_dimensions["A"].width = 34
        for column, (_name, width) in enumerate(_COLUMNS, start=2):
            sheet.column_dimensions[get_column_letter(column)].width = width
        sheet.freeze_panes = "B3"
    if topics is not None:
        sheet = workbook.create_sheet("热点诉求")
        header(
            sheet,
            f"热点诉求 {topics.start:%Y-%m-%d} 至 {topics.end:%Y-%m-%d}"
            f"（对比 {topics.previous_start:%Y-%m-%d} 至 {topics.previous_end:%Y-%m-%d}）{scope}",
            ["名次", "地点", "主题", "分类", "关键词", "工单数", "上期", "变化", "趋势", "最近工单"],
        )
        for rank, topic in enumerate(topics.topics, start=1):
            sheet.append(
                [
                    rank,
                    topic.place,
                    topic.topic,
                    topic.category,
                    "、".join(topic.keywords),
                    topic.count,
                    topic.previous,
                    topic.change,
                    topic.trend_label,
                    " ".join(topic.numbers),
                ]
            )
        for letter, width in zip("ABCDEFGHIJ", (6, 16, 16, 36, 30, 8, 8, 8, 8, 50), strict=True):
            sheet.column_dimensions[letter].width = width
    notes = workbook.create_sheet("说明")
    for line in NOTES:
        notes.append([line])
    notes.column_dimensions["A"].width = 120
    return workbook_bytes(workbook, f"12345统计 {period}")


@login_required
@require_GET
def figures_export(request: HttpRequest) -> HttpResponse:
    query = _query(request)
    if query.figures is None:
        assert query.error is not None
        raise query.error
    start: dt.date = query.figures.start
    return xlsx_response(
        figures_xlsx(query.figures, query.topics),
        f"hotline-figures-{start:%Y%m%d}-{query.figures.end:%Y%m%d}",
    )
