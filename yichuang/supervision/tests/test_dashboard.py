"""The dashboard screen and the drill-down on the fixed set: the numbers shown, the links to the cases, who
may see what."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from yichuang.supervision.tests import figures_data
from yichuang.supervision.tests.figures_data import at

pytestmark = pytest.mark.django_db

PERIOD = "start=2026-11-02&end=2026-11-12"


@pytest.fixture
def fixed(org: Any) -> figures_data.FixedSet:
    return figures_data.build(org)


def _get(client: Any, url: str) -> Any:
    with time_machine.travel(at(12), tick=False):
        return client.get(url)


def test_the_inspector_sees_every_department_and_drills_down(org: Any, fixed: Any, client_for: Any) -> None:
    client = client_for("inspector")
    page = _get(client, f"/supervision/?{PERIOD}")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-figure="accepted">4<' in html and 'data-figure="decided">3<' in html
    assert f'data-label="{org.scjg.name}"' in html and f'data-label="{org.wjw.name}"' in html
    assert "trend-chart-option" in html and "vendor/echarts/echarts.min.js" in html
    late = _get(
        client, f"/supervision/cases/?dimension=department&key={org.scjg.pk}&metric=decided_late&{PERIOD}"
    )
    assert late.status_code == 200
    body = late.content.decode()
    assert fixed.cases["c2"].number in body and fixed.cases["c1"].number not in body
    assert 'data-testid="drill-count">共 1 件' in body
    overdue = _get(
        client,
        f"/supervision/cases/?dimension=staff&key={org.user('reviewer').pk}&metric=overdue_open&{PERIOD}",
    )
    assert fixed.cases["c5"].number in overdue.content.decode()


def test_window_and_item_tabs(org: Any, fixed: Any, client_for: Any) -> None:
    client = client_for("inspector")
    html = _get(client, f"/supervision/?{PERIOD}&dimension=window").content.decode()
    assert 'data-label="01号 综合受理"' in html
    drill = _get(
        client, f"/supervision/cases/?dimension=window&key={fixed.window.pk}&metric=accepted&{PERIOD}"
    ).content.decode()
    for key in ("c1", "c2", "c3"):
        assert fixed.cases[key].number in drill
    assert fixed.cases["c5"].number not in drill
    items = _get(client, f"/supervision/?{PERIOD}&dimension=item").content.decode()
    assert 'data-label="食品经营许可"' in items


def test_a_chief_representative_sees_only_his_department(org: Any, fixed: Any, client_for: Any) -> None:
    client = client_for("chief_rep")
    html = _get(client, f"/supervision/?{PERIOD}").content.decode()
    assert f'data-label="{org.scjg.name}"' in html and f'data-label="{org.wjw.name}"' not in html
    other = _get(
        client, f"/supervision/cases/?dimension=department&key={org.wjw.pk}&metric=accepted&{PERIOD}"
    )
    assert fixed.cases["c3"].number not in other.content.decode()


@pytest.mark.parametrize("role", ["clerk", "reviewer", "applicant", "handler", "operator"])
def test_others_may_not_look(org: Any, client_for: Any, role: str) -> None:
    assert client_for(role).get("/supervision/").status_code == 403
    assert (
        client_for(role)
        .get(f"/supervision/cases/?dimension=department&key=1&metric=accepted&{PERIOD}")
        .status_code
        == 403
    )


def test_anonymous_is_sent_to_log_in(client: Any) -> None:
    response = client.get("/supervision/")
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize(
    "query",
    [
        "start=2026-11-12&end=2026-11-02",
        "start=2025-01-01&end=2026-11-12",
        "start=nonsense",
        "dimension=planet",
    ],
)
def test_bad_periods_are_told_in_chinese(org: Any, client_for: Any, query: str) -> None:
    page = client_for("inspector").get(f"/supervision/?{query}")
    assert page.status_code == 400
    assert "统计条件有误" in page.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "dimension=department&key=1&metric=bogus&" + PERIOD,
        "dimension=window&key=1&metric=decided&" + PERIOD,
        "dimension=window&key=1&metric=overdue_open&" + PERIOD,
        "dimension=department&key=x&metric=accepted&" + PERIOD,
        "dimension=department&key=1&metric=accepted&start=2026-11-12&end=2026-11-01",
    ],
)
def test_bad_drill_downs_are_told_in_chinese(org: Any, client_for: Any, query: str) -> None:
    page = client_for("inspector").get(f"/supervision/cases/?{query}")
    assert page.status_code == 400
    assert 'role="alert"' in page.content.decode()


# ——— the API ———


def test_api_figures_match_the_hand_computed_ones(org: Any, fixed: Any, client_for: Any) -> None:
    with time_machine.travel(at(12), tick=False):
        body = (
            client_for("inspector").get(f"/api/v1/supervision/figures?{PERIOD}&dimension=department").json()
        )
    from yichuang.supervision.api_figures import SupervisionFiguresOut

    # The answer is written as plain JSON: it must still be exactly what the schema documents.
    assert SupervisionFiguresOut.model_validate(body).model_dump(mode="json") == body
    rows = {row["label"]: row for row in body["rows"]}
    scjg = rows[org.scjg.name]
    assert (scjg["accepted"], scjg["decided"], scjg["decided_late"], scjg["working_days"]) == (3, 2, 1, 8)
    assert scjg["on_time_rate"] == 0.5 and scjg["average_days"] == 4.0
    assert body["total"]["accepted"] == 4 and body["scope"] == ""


def test_api_drill_down_and_errors(org: Any, fixed: Any, client_for: Any) -> None:
    client = client_for("inspector")
    with time_machine.travel(at(12), tick=False):
        body = client.get(
            f"/api/v1/supervision/figures/cases?dimension=item&key={fixed.item_a.pk}&metric=accepted&{PERIOD}"
        ).json()
        assert body["count"] == 3
        assert {row["number"] for row in body["cases"]} == {fixed.cases[k].number for k in ("c1", "c2", "c5")}
        assert all("*" in row["applicant"] for row in body["cases"])
        bad = client.get(f"/api/v1/supervision/figures/cases?dimension=item&key=1&metric=nope&{PERIOD}")
        assert bad.status_code == 400 and bad.json()["error"]["fields"]["metric"]
        wide = client.get("/api/v1/supervision/figures?start=2024-01-01&end=2026-11-12")
        assert wide.status_code == 400 and wide.json()["error"]["code"] == "period_invalid"
        assert client_for("clerk").get("/api/v1/supervision/figures").status_code == 403


def test_a_long_table_is_capped_on_the_screen(
    org: Any, fixed: Any, client_for: Any, monkeypatch: Any
) -> None:
    from yichuang.supervision import dashboard

    monkeypatch.setattr(dashboard, "TABLE_ROWS", 1)
    html = _get(client_for("inspector"), f"/supervision/?{PERIOD}").content.decode()
    assert "共 2 项，按受理量显示前 1 项" in html
    assert f'data-label="{org.scjg.name}"' in html and f'data-label="{org.wjw.name}"' not in html


def test_a_long_period_has_its_trend_by_month(org: Any, fixed: Any) -> None:
    import datetime as dt

    from yichuang.supervision.dashboard import dashboard

    inspector = org.user("inspector")
    with time_machine.travel(at(12), tick=False):
        short = dashboard(user=inspector, start=dt.date(2026, 11, 2), end=dt.date(2026, 11, 12))
        year = dashboard(user=inspector, start=dt.date(2026, 1, 1), end=dt.date(2026, 11, 12))
    assert short.trend_chart["title"]["text"] == "每日受理和办结"
    assert short.trend_chart["xAxis"]["data"][0] == "11-02" and len(short.trend_chart["xAxis"]["data"]) == 11
    assert year.trend_chart["title"]["text"] == "每月受理和办结"
    assert year.trend_chart["xAxis"]["data"] == [f"2026-{month:02d}" for month in range(1, 12)]
    accepted = year.trend_chart["series"][0]["data"]
    assert accepted[:10] == [0] * 10 and accepted[10] == 4


def test_the_table_body_escapes_labels() -> None:
    from yichuang.supervision.table import TableRow, table_body

    html = table_body([TableRow(7, '<img src=x onerror="a()">', "A&B", ['<a href="/x">3</a>'])])
    assert "<img" not in html and "&lt;img src=x onerror=&quot;a()&quot;&gt;" in html
    assert '<span class="muted">A&amp;B</span>' in html and '<td><a href="/x">3</a></td>' in html
    assert html.startswith('<tr data-key="7" data-label="&lt;img')
