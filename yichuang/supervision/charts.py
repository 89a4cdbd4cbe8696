"""ECharts options for the supervision screens, built in Python (pure: no database, no request).

Each builder returns a plain ``dict`` that ``json_script`` can carry to the page, where
``static/supervision/charts.js`` draws it with the vendored ECharts (``static/vendor/echarts/``). A series is
``(name, values)``; a value of ``None`` is a gap (no bar, a break in the line). Rates are passed as
percentages (0–100, ``percent=True``).

ECharts formatters are JavaScript functions and cannot travel in JSON, so every option carries one extra
top-level key, ``yichuang`` (``META``): ``{"format": "count" | "percent", "summary": "…"}``. ``charts.js``
removes it before ``setOption`` and installs the Chinese number formatting of the tooltips and axes from
it; ``summary`` is the chart in words, for screen readers (the visually hidden text of
``partials/chart.html``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

__all__ = [
    "META",
    "PALETTE",
    "Series",
    "bar",
    "chart_context",
    "format_count",
    "format_percent",
    "gauge",
    "line",
    "percent_value",
    "pie",
]

META = "yichuang"
PALETTE = ("#2f6fd0", "#27a17a", "#e8a33c", "#d9534f", "#7a5cc4", "#3aa6c9", "#8a9a2b", "#c45c9a")

Series = Sequence[tuple[str, Sequence[float | int | None]]]


def percent_value(rate: float | None) -> float | None:
    """A rate (0–1) as the percentage a chart plots, to one decimal (0.9351 → 93.5); None stays a gap."""
    return None if rate is None else round(rate * 100, 1)


# ——— Chinese number formatting (the same rules as charts.js) ———


def format_count(value: float | int | None) -> str:
    """12345 → "12,345"; from 100 000 on in 万 ("12.3万"); None → "—"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if abs(value) >= 100_000:
        return f"{value / 10_000:,.1f}万".replace(".0万", "万")
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def format_percent(value: float | int | None) -> str:
    """A percentage (0–100) with at most one decimal: 93.5 → "93.5%", 100.0 → "100%"; None → "—"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{round(float(value), 1):g}%"


def _format(value: float | int | None, percent: bool) -> str:
    return format_percent(value) if percent else format_count(value)


def _summary(title: str, categories: Sequence[str], series: Series, percent: bool) -> str:
    parts = []
    for name, values in series:
        pairs = "，".join(
            f"{category} {_format(value, percent)}"
            for category, value in zip(categories, values, strict=False)
        )
        parts.append(f"{name}：{pairs}" if pairs else f"{name}：无数据")
    body = "；".join(parts) if parts else "无数据"
    return f"{title}。{body}。" if title else f"{body}。"


def _clean(values: Sequence[float | int | None]) -> list[float | int | None]:
    cleaned: list[float | int | None] = []
    for value in values:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            cleaned.append(None)
        else:
            cleaned.append(round(value, 2) if isinstance(value, float) else value)
    return cleaned


def _base(title: str, percent: bool, summary: str) -> dict[str, Any]:
    option: dict[str, Any] = {
        META: {"format": "percent" if percent else "count", "summary": summary},
        "color": list(PALETTE),
        "backgroundColor": "transparent",
        "animationDuration": 500,
        "tooltip": {},
        "grid": {"left": 16, "right": 24, "top": 48 if title else 24, "bottom": 16, "containLabel": True},
    }
    if title:
        option["title"] = {"text": title, "left": "left", "textStyle": {"fontSize": 15}}
    return option


def _value_axis(percent: bool) -> dict[str, Any]:
    axis: dict[str, Any] = {"type": "value", "minInterval": 1}
    if percent:
        axis.update({"min": 0, "max": 100, "axisLabel": {"formatter": "{value}%"}})
        axis.pop("minInterval")
    return axis


def _legend(series: Series, title: str) -> dict[str, Any]:
    return {"show": len(series) > 1, "top": 4, "right": 8 if title else "center", "type": "scroll"}


# ——— the builders ———


def bar(
    categories: Sequence[str],
    series: Series,
    *,
    title: str = "",
    percent: bool = False,
    horizontal: bool = False,
    stacked: bool = False,
) -> dict[str, Any]:
    """Bars by category; ``horizontal`` puts the categories on the y axis, first category on top."""
    option = _base(title, percent, _summary(title, categories, series, percent))
    category_axis: dict[str, Any] = {
        "type": "category",
        "data": list(categories),
        "axisTick": {"alignWithLabel": True},
    }
    if horizontal:
        category_axis["inverse"] = True  # the first category (the largest, in a ranking) on top
        option["xAxis"] = _value_axis(percent)
        option["yAxis"] = category_axis
    else:
        category_axis["axisLabel"] = {"interval": 0, "hideOverlap": True}
        option["xAxis"] = category_axis
        option["yAxis"] = _value_axis(percent)
    option["tooltip"] = {"trigger": "axis", "axisPointer": {"type": "shadow"}}
    option["legend"] = _legend(series, title)
    option["series"] = [
        {
            "name": name,
            "type": "bar",
            "data": _clean(values),
            "barMaxWidth": 28,
            **({"stack": "total"} if stacked else {}),
            "label": {"show": len(series) == 1, "position": "right" if horizontal else "top"},
        }
        for name, values in series
    ]
    return option


def line(
    categories: Sequence[str],
    series: Series,
    *,
    title: str = "",
    percent: bool = False,
    area: bool = False,
    smooth: bool = False,
) -> dict[str, Any]:
    """Lines over categories (days, months); a ``None`` breaks the line rather than dropping to zero."""
    option = _base(title, percent, _summary(title, categories, series, percent))
    option["xAxis"] = {"type": "category", "data": list(categories), "boundaryGap": False}
    option["yAxis"] = _value_axis(percent)
    option["tooltip"] = {"trigger": "axis"}
    option["legend"] = _legend(series, title)
    option["series"] = [
        {
            "name": name,
            "type": "line",
            "data": _clean(values),
            "smooth": smooth,
            "connectNulls": False,
            "showSymbol": len(categories) <= 31,
            **({"areaStyle": {"opacity": 0.15}} if area else {}),
        }
        for name, values in series
    ]
    return option


def pie(
    pairs: Sequence[tuple[str, float | int | None]],
    *,
    title: str = "",
    percent: bool = False,
    ring: bool = True,
) -> dict[str, Any]:
    """Shares of a whole; ``pairs`` are (name, value), a ``None`` value is left out."""
    kept = [(name, value) for name, value in pairs if value is not None]
    summary = _summary(title, [name for name, _ in kept], [("构成", [value for _, value in kept])], percent)
    option = _base(title, percent, summary)
    option.pop("grid")
    option["tooltip"] = {"trigger": "item"}
    option["legend"] = {"show": True, "bottom": 0, "type": "scroll"}
    option["series"] = [
        {
            "name": title or "构成",
            "type": "pie",
            "radius": ["45%", "70%"] if ring else "70%",
            "center": ["50%", "50%"],
            "data": [{"name": name, "value": value} for name, value in kept],
            "label": {"formatter": "{b} {d}%"},
        }
    ]
    return option


def gauge(
    value: float | int | None, *, title: str = "", max: float = 100, percent: bool = True
) -> dict[str, Any]:
    """One figure on a dial (a rate by default, 0–100); ``None`` shows an empty dial reading "—"."""
    shown = _format(value, percent)
    option = _base(title, percent, f"{title}：{shown}。" if title else f"{shown}。")
    option.pop("grid")
    option.pop("tooltip")
    option["series"] = [
        {
            "name": title,
            "type": "gauge",
            "min": 0,
            "max": max,
            "startAngle": 210,
            "endAngle": -30,
            "progress": {"show": True, "width": 14},
            "axisLine": {"lineStyle": {"width": 14}},
            "axisTick": {"show": False},
            "splitLine": {"length": 8, "lineStyle": {"width": 2}},
            "axisLabel": {"distance": 18, "fontSize": 11},
            "pointer": {"show": False},
            "anchor": {"show": False},
            "title": {"show": bool(title), "offsetCenter": [0, "72%"], "fontSize": 14},
            "detail": {
                "valueAnimation": True,
                "offsetCenter": [0, "0%"],
                "fontSize": 30,
                "formatter": "{value}%" if percent and value is not None else shown,
            },
            "data": [{"name": title, "value": None if value is None else round(float(value), 1)}],
        }
    ]
    return option


def chart_context(
    chart_id: str, option: dict[str, Any], *, label: str = "", height: int | str = 320
) -> dict[str, Any]:
    """What ``partials/chart.html`` takes, for ``{% include … with chart=… %}``: ``id`` (the element's id; its
    option's json_script block is ``<id>-option``), ``option``, ``height`` (pixels or a CSS length),
    ``label`` (the accessible name; the title by default) and ``summary`` (the chart in words)."""
    meta = option.get(META, {})
    title = option.get("title", {}).get("text", "") if isinstance(option.get("title"), dict) else ""
    return {
        "id": chart_id,
        "option": option,
        "height": f"{height}px" if isinstance(height, int) else height,
        "label": label or title or "图表",
        "summary": meta.get("summary", ""),
    }
