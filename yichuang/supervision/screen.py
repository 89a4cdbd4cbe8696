"""The hall's big screen (大屏): every figure it shows, as one JSON-ready dict.

``screen_payload`` is read by the page when it is first drawn and again by its refresh
(``/supervision/screen/data/``). Aggregates only — counts and rates of departments, the hall, the hotline,
ratings and cards; never a person's name, number or ticket.

- 今日办件: cases submitted (接件), accepted (受理) and decided (办结) today, today's 按时办结率, and
  the cases overdue now (超期在办) — ``supervision.figures.case_figures`` over today.
- 本月: the month's 按时办结率, the trend by day (every day of the month on the axis, days after today
  empty, so the chart keeps its shape), the ten departments with most cases accepted (办件量) and their
  按时办结率.
- 大厅实时: numbers waiting, being served (called or serving) and served today, and the windows open
  (服务中), over every active hall or the one named.
- 12345 今日: tickets received today, those closed, 按时办结率 (``hotline.figures``).
- 好差评 本月: 满意率 and 差评整改率 of the month's valid ratings (``ratings.figures``).
- 黄牌 / 红牌: the cards still open (neither accepted nor lifted).

With ``departments`` (a chief representative's scope) cases, tickets, ratings and cards are limited to
them; the hall's queue is the hall's whole (the display board shows it publicly anyway).
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from yichuang.accounts.models import Department
from yichuang.hall.models import Hall, Ticket, TicketStatus, Window, WindowStatus
from yichuang.hotline.figures import hotline_figures
from yichuang.ratings.figures import ratings_figures
from yichuang.supervision import charts, figures
from yichuang.supervision.models import Dimension
from yichuang.supervision.models_cards import Card, CardColor, CardStatus

__all__ = ["CHART_IDS", "TOP_DEPARTMENTS", "hall_now", "open_cards", "screen_payload"]

TOP_DEPARTMENTS = 10
CHART_IDS = ("screen-trend", "screen-departments", "screen-department-on-time", "screen-satisfaction")


def _figure(value: float | int | None, *, percent: bool = False) -> dict[str, Any]:
    """A figure as the page shows it: the raw value (a rate as 0–1) and its text."""
    if percent:
        shown = None if value is None else round(value * 100, 1)
        return {"value": None if value is None else round(value, 4), "text": charts.format_percent(shown)}
    return {"value": value, "text": charts.format_count(value)}


def _for_screen(option: dict[str, Any]) -> dict[str, Any]:
    """Larger text for the hall's display; the panel's heading names the chart, so its own title is hidden
    (it stays in the option: the summary in words and the accessible name read it)."""
    option["textStyle"] = {"fontSize": 16}
    for axis in ("xAxis", "yAxis"):
        if axis in option:
            option[axis].setdefault("axisLabel", {})["fontSize"] = 15
    if "grid" in option:
        option["grid"]["right"] = 64  # room for the value labels at the end of horizontal bars
    for series in option.get("series", []):
        if series.get("type") == "bar":
            series["label"]["fontSize"] = 15
    if "title" in option:
        option["title"]["show"] = False
        if "grid" in option:
            option["grid"]["top"] = 36
    if "legend" in option:
        option["legend"].update({"top": 0, "right": 8, "textStyle": {"fontSize": 15}})
    return option


def hall_now(hall: Hall | None, today: dt.date) -> dict[str, int]:
    """Waiting, in service and served today, and windows open, over ``hall`` or every active hall."""
    tickets = Ticket.objects.filter(day=today, hall__is_active=True)
    windows = Window.objects.filter(is_active=True, hall__is_active=True, status=WindowStatus.OPEN)
    if hall is not None:
        tickets = tickets.filter(hall=hall)
        windows = windows.filter(hall=hall)
    counts = tickets.order_by().aggregate(
        waiting=Count("id", filter=Q(status=TicketStatus.WAITING)),
        serving=Count("id", filter=Q(status__in=(TicketStatus.CALLED, TicketStatus.SERVING))),
        served=Count("id", filter=Q(status=TicketStatus.DONE)),
    )
    return {
        "waiting": counts["waiting"] or 0,
        "serving": counts["serving"] or 0,
        "served": counts["served"] or 0,
        "windows_open": windows.count(),
    }


def open_cards(departments: QuerySet[Department] | None = None) -> dict[str, int]:
    """Yellow and red cards neither accepted nor lifted."""
    cards = Card.objects.exclude(status__in=(CardStatus.ACCEPTED, CardStatus.LIFTED))
    if departments is not None:
        cards = cards.filter(department__in=departments)
    counts = dict(cards.order_by().values_list("color").annotate(n=Count("id")))
    return {"yellow": counts.get(CardColor.YELLOW, 0), "red": counts.get(CardColor.RED, 0)}


def screen_payload(
    today: dt.date | None = None,
    now: dt.datetime | None = None,
    *,
    departments: QuerySet[Department] | None = None,
    hall: Hall | None = None,
    scope: str = "",
) -> dict[str, Any]:
    """Everything the big screen shows for ``today`` (local date) at ``now``."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    month_start = today.replace(day=1)
    month_end = today.replace(day=calendar.monthrange(today.year, today.month)[1])

    # One aggregation of the live part (normally today) for the month's figures and its trend.
    live = figures.live_part(Dimension.DEPARTMENT, month_start, today, departments=departments, today=today)
    month = figures.case_figures(
        start=month_start, end=today, departments=departments, today=today, live=live
    )
    trend = dict(
        figures.daily_trend(start=month_start, end=today, departments=departments, today=today, live=live)
    )
    cases_today = trend[today]
    hall_counts = hall_now(hall, today)
    hotline = hotline_figures(start=today, end=today, departments=departments, now=now, by_period=False).total
    ratings = ratings_figures(start=month_start, end=today, departments=departments, parts=()).total
    cards = open_cards(departments)

    # The month's trend: every day of the month on the axis, the days to come left empty.
    days = [month_start + dt.timedelta(days=offset) for offset in range((month_end - month_start).days + 1)]
    categories = [f"{day.day}日" for day in days]

    def daily(name: str) -> list[int | None]:
        return [getattr(trend[day], name) if day in trend else None for day in days]

    top = [row for row in month.rows if row.accepted or row.submitted or row.decided][:TOP_DEPARTMENTS]
    top_labels = [row.label for row in top]
    month_label = f"{today.year}年{today.month}月"
    charts_of_screen = {
        "screen-trend": charts.line(
            categories,
            [("接件", daily("submitted")), ("受理", daily("accepted")), ("办结", daily("decided"))],
            title=f"{month_label}每日办件",
            area=True,
        ),
        "screen-departments": charts.bar(
            top_labels,
            [("受理", [row.accepted for row in top]), ("办结", [row.decided for row in top])],
            title=f"部门办件量 TOP{TOP_DEPARTMENTS}",
            horizontal=True,
        ),
        "screen-department-on-time": charts.bar(
            top_labels,
            [("按时办结率", [charts.percent_value(row.on_time_rate) for row in top])],
            title="部门按时办结率",
            percent=True,
            horizontal=True,
        ),
        "screen-satisfaction": charts.gauge(
            charts.percent_value(ratings.satisfaction_rate), title="好差评满意率"
        ),
    }
    return {
        "generated_at": timezone.localtime(now).isoformat(timespec="seconds"),
        "today": today.isoformat(),
        "month_label": month_label,
        "scope": scope,
        "figures": {
            "cases_submitted_today": _figure(cases_today.submitted),
            "cases_accepted_today": _figure(cases_today.accepted),
            "cases_decided_today": _figure(cases_today.decided),
            "cases_on_time_today": _figure(cases_today.on_time_rate, percent=True),
            "cases_overdue_open": _figure(month.total.overdue_open),
            "cases_accepted_month": _figure(month.total.accepted),
            "cases_decided_month": _figure(month.total.decided),
            "cases_on_time_month": _figure(month.total.on_time_rate, percent=True),
            "hall_waiting": _figure(hall_counts["waiting"]),
            "hall_serving": _figure(hall_counts["serving"]),
            "hall_served_today": _figure(hall_counts["served"]),
            "hall_windows_open": _figure(hall_counts["windows_open"]),
            "hotline_received_today": _figure(hotline.received),
            "hotline_closed_today": _figure(hotline.closed),
            "hotline_on_time_today": _figure(hotline.on_time_rate, percent=True),
            "ratings_count_month": _figure(ratings.count),
            "ratings_satisfaction_month": _figure(ratings.satisfaction_rate, percent=True),
            "ratings_rectification_month": _figure(ratings.rectification_rate, percent=True),
            "cards_yellow_open": _figure(cards["yellow"]),
            "cards_red_open": _figure(cards["red"]),
        },
        "charts": {chart_id: _for_screen(option) for chart_id, option in charts_of_screen.items()},
    }
