"""The dashboard's table, its cells written once in Python: a count links to its drill-down, a rate shows with
its count. Up to ``dashboard.TABLE_ROWS`` rows × 17 cells; a template include per cell cost more than the
figures themselves."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from yichuang.supervision.dashboard import Line
from yichuang.supervision.models import Dimension

NONE = "—"


@dataclass
class TableRow:
    key: int
    label: str
    department_label: str
    cells: list[str]  # HTML, written safe by ``table_rows``


def rate_html(rate: Any) -> str:
    """A rate as the templates' ``_rate.html`` writes it: "93.5%" with its exact value, or "—"."""
    if isinstance(rate, bool) or not isinstance(rate, int | float):
        return NONE
    return f'<span data-rate="{rate:.6f}">{rate * 100:.1f}%</span>'


class _Links:
    def __init__(self, dimension: str, start: dt.date, end: dt.date) -> None:
        self.base = escape(reverse("supervision:drill_down") + "?" + urlencode({"dimension": dimension}))
        self.period = escape("&" + urlencode({"start": start.isoformat(), "end": end.isoformat()}))

    def count(self, key: int, value: int, metric: str) -> str:
        if not value:
            return "0"
        href = f"{self.base}&amp;key={key}&amp;metric={metric}{self.period}"
        return f'<a href="{href}" data-metric="{metric}">{value}</a>'

    def rate(self, key: int, rate: Any, value: int, metric: str) -> str:
        shown = rate_html(rate)
        if shown == NONE or not value:
            return shown
        return f"{shown}（{self.count(key, value, metric)}）"


def table_body(rows: list[TableRow]) -> SafeString:
    """The table's rows as HTML, written here rather than in the template: 200 rows × 17 cells cost a template
    loop more than the figures themselves."""
    out = []
    for row in rows:
        label = escape(row.label)
        department = (
            f'<br><span class="muted">{escape(row.department_label)}</span>' if row.department_label else ""
        )
        cells = "".join(f"<td>{cell}</td>" for cell in row.cells)
        head = f'<th scope="row">{label}{department}</th>'
        out.append(f'<tr data-key="{row.key}" data-label="{label}">{head}{cells}</tr>')
    return mark_safe("\n".join(out))  # labels escaped here, cells written by ``table_rows``


def table_rows(lines: list[Line], *, dimension: str, start: dt.date, end: dt.date) -> list[TableRow]:
    """The cells of each line in the columns the dashboard's header names for ``dimension``."""
    links = _Links(dimension, start, end)
    out = []
    for line in lines:
        row, key = line.cases, line.cases.key
        cells: list[str] = []
        if dimension in (Dimension.DEPARTMENT, Dimension.ITEM):
            cells.append(links.count(key, row.submitted, "submitted"))
        cells += [
            links.count(key, row.accepted, "accepted"),
            links.rate(key, row.online_rate, row.accepted_online, "accepted_online"),
            links.rate(key, row.immediate_rate, row.accepted_immediate, "accepted_immediate"),
            links.rate(key, row.one_window_rate, row.accepted_one_window, "accepted_one_window"),
            links.rate(key, row.exempt_rate, row.accepted_exempt, "accepted_exempt"),
        ]
        if dimension != Dimension.WINDOW:
            average = NONE if row.average_days is None else f"{row.average_days:.1f}"
            cells += [
                links.count(key, row.decided, "decided"),
                links.rate(key, row.on_time_rate, row.decided_on_time, "decided_on_time"),
                links.rate(key, row.early_rate, row.decided_early, "decided_early"),
                links.count(key, row.decided_late, "decided_late"),
                average,
                links.count(key, row.overdue_open, "overdue_open"),
            ]
        ratings = line.ratings
        cells += [
            rate_html(ratings.satisfaction_rate if ratings else None),
            rate_html(ratings.rectification_rate if ratings else None),
        ]
        if dimension == Dimension.DEPARTMENT:
            hotline = line.hotline
            cells += [
                str(hotline.received if hotline and hotline.received else 0),
                rate_html(hotline.on_time_rate if hotline else None),
                rate_html(hotline.satisfaction_rate if hotline else None),
                rate_html(hotline.reopen_rate if hotline else None),
            ]
        out.append(TableRow(key, row.label, row.department_label, cells))
    return out
