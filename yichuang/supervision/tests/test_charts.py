"""The ECharts options built in Python (structure, gaps, Chinese formatting, the summary in words) and the
chart partial (json_script data, an accessible element, no inline code); the vendored library is served."""

from __future__ import annotations

import json
import re

import pytest
from django.template.loader import render_to_string
from django.test import Client

from yichuang.supervision import charts

DAYS = ["1日", "2日", "3日"]


def test_bar_has_one_category_axis_and_a_series_per_name() -> None:
    option = charts.bar(
        ["市场监管局", "住建局"], [("受理", [12, 7]), ("办结", [10, None])], title="部门办件量"
    )
    assert option["xAxis"] == {
        "type": "category",
        "data": ["市场监管局", "住建局"],
        "axisTick": {"alignWithLabel": True},
        "axisLabel": {"interval": 0, "hideOverlap": True},
    }
    assert option["yAxis"]["type"] == "value"
    assert [(s["name"], s["type"], s["data"]) for s in option["series"]] == [
        ("受理", "bar", [12, 7]),
        ("办结", "bar", [10, None]),  # None stays a gap, never 0
    ]
    assert option["title"]["text"] == "部门办件量"
    assert option["legend"]["show"] is True
    assert option[charts.META] == {
        "format": "count",
        "summary": "部门办件量。受理：市场监管局 12，住建局 7；办结：市场监管局 10，住建局 —。",
    }
    json.dumps(option)  # plain data, ready for json_script


def test_horizontal_percent_bar_puts_categories_on_the_y_axis_first_on_top() -> None:
    option = charts.bar(["甲", "乙"], [("按时办结率", [93.456, 100.0])], percent=True, horizontal=True)
    assert option["yAxis"]["type"] == "category" and option["yAxis"]["inverse"] is True
    assert option["xAxis"] == {"type": "value", "min": 0, "max": 100, "axisLabel": {"formatter": "{value}%"}}
    assert option["series"][0]["data"] == [93.46, 100.0]
    assert option["series"][0]["label"]["show"] is True  # one series: values on the bars
    assert option["legend"]["show"] is False
    assert option[charts.META]["format"] == "percent"
    assert option[charts.META]["summary"] == "按时办结率：甲 93.5%，乙 100%。"
    assert "title" not in option


def test_line_breaks_at_gaps_and_marks_days() -> None:
    option = charts.line(DAYS, [("受理", [3, None, float("nan")])], title="趋势", area=True)
    assert option["xAxis"]["data"] == DAYS and option["xAxis"]["boundaryGap"] is False
    series = option["series"][0]
    assert series["type"] == "line" and series["data"] == [3, None, None]
    assert series["connectNulls"] is False and "areaStyle" in series
    assert option["tooltip"]["trigger"] == "axis"


def test_pie_leaves_out_missing_values() -> None:
    option = charts.pie([("窗口", 30), ("网上", 70), ("未知", None)], title="受理渠道")
    data = option["series"][0]["data"]
    assert data == [{"name": "窗口", "value": 30}, {"name": "网上", "value": 70}]
    assert option["series"][0]["type"] == "pie" and "grid" not in option
    assert "未知" not in option[charts.META]["summary"]


def test_gauge_reads_a_rate_or_a_dash() -> None:
    option = charts.gauge(87.24, title="满意率")
    series = option["series"][0]
    assert series["type"] == "gauge" and series["max"] == 100
    assert series["data"] == [{"name": "满意率", "value": 87.2}]
    assert series["detail"]["formatter"] == "{value}%"
    empty = charts.gauge(None, title="满意率")
    assert empty["series"][0]["data"][0]["value"] is None
    assert empty["series"][0]["detail"]["formatter"] == "—"
    assert empty[charts.META]["summary"] == "满意率：—。"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0"),
        (12345, "12,345"),
        (99999, "99,999"),
        (123456, "12.3万"),
        (2_000_000, "200万"),
        (2.25, "2.2"),
        (None, "—"),
    ],
)
def test_counts_in_chinese(value: float | None, text: str) -> None:
    assert charts.format_count(value) == text


@pytest.mark.parametrize(("value", "text"), [(93.46, "93.5%"), (100.0, "100%"), (0, "0%"), (None, "—")])
def test_percentages(value: float | None, text: str) -> None:
    assert charts.format_percent(value) == text


def test_the_partial_holds_data_and_an_accessible_element_but_no_code() -> None:
    option = charts.bar(["甲"], [("受理", [5])], title="部门<办件>")
    html = render_to_string(
        "supervision/partials/chart.html", {"chart": charts.chart_context("dept", option, height=280)}
    )
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert len(scripts) == 1
    attributes, body = scripts[0]
    assert 'type="application/json"' in attributes and 'id="dept-option"' in attributes
    assert json.loads(body) == option
    assert 'data-chart="dept-option"' in html and 'data-chart-height="280px"' in html
    assert 'role="img"' in html and 'aria-label="部门&lt;办件&gt;"' in html
    assert 'aria-describedby="dept-summary"' in html
    assert "部门&lt;办件&gt;。受理：甲 5。" in html  # the summary, escaped, in the hidden caption
    assert " on" not in re.sub(r'"[^"]*"', '""', html)  # no inline event handler attribute
    assert "style=" not in html


def test_the_partial_also_takes_separate_values() -> None:
    option = charts.line(DAYS, [("受理", [1, 2, 3])])
    html = render_to_string(
        "supervision/partials/chart.html", {"id": "trend", "option": option, "height": 300, "label": "趋势"}
    )
    assert 'id="trend-option"' in html and 'data-chart-height="300"' in html
    assert 'aria-label="趋势"' in html and "受理：1日 1，2日 2，3日 3。" in html


@pytest.mark.django_db
def test_the_library_and_the_scripts_are_served_by_the_app(client: Client) -> None:
    for path in ("/static/vendor/echarts/echarts.min.js", "/static/supervision/charts.js"):
        response = client.get(path)
        assert response.status_code == 200, path
        body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
        assert len(body) > 1000
