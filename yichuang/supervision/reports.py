"""效能监察月报: one month's figures, cards, rankings and sampling as a ``ReportDocument``, rendered to PDF
(``report_pdf``) and Excel (``report_xlsx``). A chief representative's report covers his departments only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone

from yichuang.hotline.figures import hotline_figures
from yichuang.ratings.figures import ratings_figures
from yichuang.supervision import charts, ranking
from yichuang.supervision.dashboard import scope_of
from yichuang.supervision.figures import CaseRow, case_figures, daily_trend
from yichuang.supervision.models import Honour, PeriodKind
from yichuang.supervision.report_document import Cell, ReportChart, ReportDocument, ReportSection, ReportTable
from yichuang.supervision.selectors_cards import card_counts
from yichuang.supervision.selectors_sampling import sampling_summary
from yichuang.supervision.templatetags.supervision_tags import percent

TOP = 10


def _days(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _case_cells(row: CaseRow) -> list[Cell]:
    return [
        row.label,
        row.submitted,
        row.accepted,
        percent(row.online_rate),
        percent(row.immediate_rate),
        percent(row.one_window_rate),
        percent(row.exempt_rate),
        row.decided,
        percent(row.on_time_rate),
        percent(row.early_rate),
        row.decided_late,
        _days(row.average_days),
        row.overdue_open,
    ]


CASE_COLUMNS = [
    "部门",
    "接件",
    "受理",
    "网办率",
    "即办件占比",
    "一窗受理率",
    "免证办占比",
    "办结",
    "按时办结率",
    "提前办结率",
    "超期办结",
    "平均用时（工作日）",
    "超期在办",
]


def monthly_report(*, user: Any, month: dt.date, today: dt.date | None = None) -> ReportDocument:
    today = today or timezone.localdate()
    start, end = ranking.period_of(PeriodKind.MONTH, month)
    departments, ids, scope = scope_of(user)
    cases = case_figures(start=start, end=end, departments=ids, today=today)
    ratings = ratings_figures(start=start, end=end, departments=departments)
    hotline = hotline_figures(start=start, end=end, departments=departments)
    cards = card_counts(start=start, end=end, departments=ids, today=today)
    ranked = ranking.department_ranking(start=start, end=end, departments=ids, today=today)
    sampling = sampling_summary(year=start.year, month=start.month, actor=user)
    label = ranking.period_label(PeriodKind.MONTH, start)
    total = cases.total
    yellow = sum(c.yellow for c in cards.values())
    red = sum(c.red for c in cards.values())
    summary = [
        ("受理", f"{total.accepted}件"),
        ("办结", f"{total.decided}件"),
        ("网办率", percent(total.online_rate)),
        ("即办件占比", percent(total.immediate_rate)),
        ("一窗受理率", percent(total.one_window_rate)),
        ("按时办结率", percent(total.on_time_rate)),
        ("提前办结率", percent(total.early_rate)),
        ("平均办理用时", f"{_days(total.average_days)}个工作日"),
        ("超期办结", f"{total.decided_late}件"),
        ("免证办占比", percent(total.exempt_rate)),
        ("好差评满意率", percent(ratings.total.satisfaction_rate)),
        ("差评整改率", percent(ratings.total.rectification_rate)),
        ("12345受理", f"{hotline.total.received}件"),
        ("12345按时办结率", percent(hotline.total.on_time_rate)),
        ("黄牌 / 红牌", f"{yellow} / {red}"),
        ("事项抽查", f"{sampling.inspected} / {sampling.sample_size}项"),
    ]
    trend = daily_trend(start=start, end=end, departments=ids, today=today)
    top = cases.rows[:TOP]
    sections = [
        ReportSection(
            title="办件效能",
            paragraphs=[
                f"本月受理{total.accepted}件，办结{total.decided}件，按时办结率{percent(total.on_time_rate)}，"
                f"网办率{percent(total.online_rate)}；超期办结{total.decided_late}件，"
                f"截至{today:%Y年%m月%d日}超期在办{total.overdue_open}件。"
            ],
            tables=[
                ReportTable(
                    "各部门办件情况",
                    CASE_COLUMNS,
                    [_case_cells(r) for r in cases.rows] + [_case_cells(total)],
                )
            ],
            charts=[
                ReportChart(
                    "每日受理和办结",
                    "line",
                    [f"{day:%d}日" for day, _row in trend],
                    [
                        ("受理", [float(r.accepted) for _d, r in trend]),
                        ("办结", [float(r.decided) for _d, r in trend]),
                    ],
                ),
                ReportChart(
                    f"受理量前{TOP}的部门",
                    "bar",
                    [r.label for r in top],
                    [("受理", [float(r.accepted) for r in top]), ("办结", [float(r.decided) for r in top])],
                ),
                ReportChart(
                    "按时办结率",
                    "bar",
                    [r.label for r in top],
                    [("按时办结率", [charts.percent_value(r.on_time_rate) for r in top])],
                    percent=True,
                ),
            ],
        ),
        ReportSection(
            title="好差评和12345热线",
            tables=[
                ReportTable(
                    "好差评",
                    ["部门", "评价数", "满意率", "差评", "实名差评回访率", "整改率"],
                    [
                        [
                            r.label,
                            r.count,
                            percent(r.satisfaction_rate),
                            r.bad,
                            percent(r.call_back_rate),
                            percent(r.rectification_rate),
                        ]
                        for r in ratings.by_department
                    ],
                ),
                ReportTable(
                    "12345热线",
                    ["承办单位", "受理", "办结", "响应率", "按时办结率", "解决率", "满意率", "重办率"],
                    [
                        [
                            r.label,
                            r.received,
                            r.closed,
                            percent(r.response_rate),
                            percent(r.on_time_rate),
                            percent(r.solved_rate),
                            percent(r.satisfaction_rate),
                            percent(r.reopen_rate),
                        ]
                        for r in hotline.by_department
                    ],
                ),
            ],
        ),
        ReportSection(
            title="预警和发牌",
            paragraphs=[f"本月发出黄牌{yellow}张、红牌{red}张。"],
            tables=[
                ReportTable(
                    "各部门黄牌红牌",
                    ["部门", "黄牌", "红牌", "逾期未答复", "逾期答复"],
                    [
                        [r.label, r.cards.yellow, r.cards.red, r.cards.unanswered, r.cards.late_answers]
                        for r in ranked
                        if r.cards.total
                    ],
                )
            ],
        ),
        ReportSection(
            title="综合排名",
            tables=[
                ReportTable(
                    "部门综合排名",
                    ["名次", "部门", "综合得分", "扣分"],
                    [
                        [
                            r.rank or "—",
                            r.label,
                            "—" if r.score is None else round(r.score, 2),
                            round(r.points, 1),
                        ]
                        for r in ranked
                    ],
                    note="综合得分按管理员设置的权重计算，扣分为黄牌、红牌和逾期未答复的扣分。",
                ),
                ReportTable(
                    "本月评选",
                    ["类别", "对象", "名次", "得分", "理由"],
                    [
                        [
                            h.get_kind_display(),
                            str(h.window)
                            if h.window
                            else (h.staff.full_name or h.staff.username if h.staff else ""),
                            h.rank,
                            float(h.score),
                            h.reason,
                        ]
                        for h in Honour.objects.filter(
                            period_kind=PeriodKind.MONTH, period_start=start
                        ).select_related("window", "staff")
                    ],
                ),
            ],
        ),
        ReportSection(
            title="事项抽查",
            paragraphs=[
                f"本月抽查事项{sampling.sample_size}项，已检查{sampling.inspected}项，待检查{sampling.pending}项。"
            ],
            tables=[
                ReportTable(
                    "检查结论",
                    ["结论", "事项数"],
                    [[name, count] for _key, name, count in sampling.conclusion_rows],
                ),
                ReportTable(
                    "发现的问题",
                    ["事项", "部门", "结论", "问题"],
                    [
                        [
                            i.sampled_item.item.name,
                            i.sampled_item.department.name,
                            i.get_conclusion_display(),
                            i.findings,
                        ]
                        for i in sampling.findings
                    ],
                ),
            ],
        ),
    ]
    title = f"{getattr(settings, 'YICHUANG_CENTRE_NAME', '') or '政务服务'}效能监察月报"
    if scope:
        title = f"{title}（{scope}）"
    return ReportDocument(
        title=title, period_label=label, generated_at=timezone.now(), summary=summary, sections=sections
    )
