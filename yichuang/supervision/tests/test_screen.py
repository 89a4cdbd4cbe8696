"""The hall's big screen: the data JSON carries the numbers put in (hall tickets, hotline tickets, ratings,
case figures), the month's trend keeps every day of the month, the page holds no inline code, and who may
open it (staff with ``supervision.view``; the hall's display with the key; nobody else)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from yichuang.accounts.models import Department, User
from yichuang.accounts.roles import Role
from yichuang.accounts.tests.factories import UserFactory
from yichuang.hall.tests.helpers import MONDAY
from yichuang.ratings.tests.helpers import closed_case
from yichuang.supervision.cards import cards_sweep
from yichuang.supervision.screen import CHART_IDS, open_cards, screen_payload
from yichuang.supervision.tests.screen_setup import NOON, fake_case_figures, hall_morning, hotline_morning
from yichuang.supervision.tests.test_cards_sweep import DUE, accepted_case
from yichuang.supervision.views_screen import screen_key

pytestmark = pytest.mark.django_db

SCREEN = "/supervision/screen/"
DATA = "/supervision/screen/data/"


@pytest.fixture
def noon() -> Iterator[None]:
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def cases(monkeypatch: pytest.MonkeyPatch) -> Any:
    return fake_case_figures(monkeypatch)


def _texts(payload: dict[str, Any]) -> dict[str, str]:
    return {key: figure["text"] for key, figure in payload["figures"].items()}


def test_the_urls() -> None:
    assert reverse("supervision:screen") == SCREEN
    assert reverse("supervision:screen_data") == DATA


def test_the_payload_carries_the_hall_the_hotline_ratings_and_cases(org: Any, noon: None, cases: Any) -> None:
    hall_morning(org)
    hotline_morning(org)
    payload = screen_payload(MONDAY, NOON)
    texts = _texts(payload)
    assert {
        key: texts[key] for key in ("hall_waiting", "hall_serving", "hall_served_today", "hall_windows_open")
    } == {
        "hall_waiting": "2",
        "hall_serving": "1",
        "hall_served_today": "2",
        "hall_windows_open": "1",
    }
    assert texts["hotline_received_today"] == "2"
    assert texts["hotline_closed_today"] == "1"
    assert texts["hotline_on_time_today"] == "—"  # a direct answer is no dispatched ticket
    assert texts["ratings_count_month"] == "2"
    assert texts["ratings_satisfaction_month"] == "50%"
    assert payload["figures"]["ratings_satisfaction_month"]["value"] == 0.5
    assert texts["ratings_rectification_month"] == "0%"  # the bad rating is not rectified yet
    assert texts["cards_yellow_open"] == "0" and texts["cards_red_open"] == "0"
    # Cases, from the figures module.
    assert (texts["cases_submitted_today"], texts["cases_accepted_today"], texts["cases_decided_today"]) == (
        "9",
        "7",
        "4",
    )
    assert texts["cases_on_time_today"] == "75%"
    assert texts["cases_overdue_open"] == "5"
    month = cases.month.total
    assert texts["cases_on_time_month"] == f"{round(month.decided_on_time / month.decided * 100, 1):g}%"
    assert payload["today"] == "2026-11-23" and payload["month_label"] == "2026年11月"
    # The periods asked for: the month so far, its live part aggregated once for the figures and the trend.
    periods = [(name, call["start"], call["end"]) for name, call in cases.calls]
    assert ("live_part", dt.date(2026, 11, 1), MONDAY) in periods
    assert ("case_figures", dt.date(2026, 11, 1), MONDAY) in periods
    assert ("daily_trend", dt.date(2026, 11, 1), MONDAY) in periods
    assert all(call["departments"] is None for _name, call in cases.calls)


def test_the_charts_keep_their_shape(org: Any, noon: None, cases: Any) -> None:
    payload = screen_payload(MONDAY, NOON)
    assert set(payload["charts"]) == set(CHART_IDS)
    trend = payload["charts"]["screen-trend"]
    assert trend["xAxis"]["data"] == [f"{day}日" for day in range(1, 31)]  # all of November
    submitted = trend["series"][0]["data"]
    assert submitted[:22] == list(range(1, 23)) and submitted[22] == 9  # today
    assert submitted[23:] == [None] * 7  # days to come: empty
    assert [series["name"] for series in trend["series"]] == ["接件", "受理", "办结"]
    departments = payload["charts"]["screen-departments"]
    assert departments["yAxis"]["data"] == [f"部门{i:02d}" for i in range(1, 11)]  # the top ten
    assert departments["series"][0]["data"] == [30 - i for i in range(1, 11)]
    on_time = payload["charts"]["screen-department-on-time"]
    assert on_time["yAxis"]["data"] == departments["yAxis"]["data"]
    assert on_time["series"][0]["data"][0] == pytest.approx(18 / 19 * 100, abs=0.05)
    assert payload["charts"]["screen-satisfaction"]["series"][0]["data"][0]["value"] is None  # no ratings


def test_a_chief_representative_sees_his_departments(
    org: Any, noon: None, cases: Any, client_for: Any
) -> None:
    response = client_for("chief_rep").get(DATA)
    assert response.status_code == 200
    assert response.json()["scope"] == "市场监管局"
    scopes = [call["departments"] for _name, call in cases.calls]
    assert scopes and all(set(scope) == {org.scjg} for scope in scopes)
    page = client_for("chief_rep").get(SCREEN)
    assert "市场监管局" in page.content.decode()
    assert b"screen-display-url" not in page.content  # no key for him: the key shows the whole centre


def test_the_page_draws_every_figure_and_chart_without_inline_code(
    org: Any, noon: None, cases: Any, client_for: Any
) -> None:
    hall_morning(org)
    response = client_for("inspector").get(SCREEN + "?refresh=2")
    assert response.status_code == 200
    html = response.content.decode()
    for chart_id in CHART_IDS:
        assert f'data-chart="{chart_id}-option"' in html
        assert f'id="{chart_id}-option" type="application/json"' in html
    for match in re.finditer(r"<script([^>]*)>(.*?)</script>", html, re.S):
        attributes, body = match.groups()
        assert 'type="application/json"' in attributes or (" src=" in attributes and not body.strip())
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers
    assert 'data-testid="figure-hall_waiting">2<' in html
    assert 'data-refresh-seconds="2"' in html
    assert f'data-screen-data-url="{DATA}"' in html
    assert "/static/vendor/echarts/echarts.min.js" in html and "/static/supervision/screen.js" in html
    # The inspector finds the hall display's address, with its key.
    assert f"{SCREEN}?key={screen_key()}" in html


@pytest.mark.parametrize(("given", "used"), [("0", "1"), ("99999", "3600"), ("abc", "60"), ("", "60")])
def test_the_refresh_interval_is_bounded(
    org: Any, cases: Any, client_for: Any, given: str, used: str
) -> None:
    html = client_for("admin").get(SCREEN, {"refresh": given}).content.decode()
    assert f'data-refresh-seconds="{used}"' in html


def test_the_data_is_json_with_figures_and_charts(org: Any, noon: None, cases: Any, client_for: Any) -> None:
    hotline_morning(org)
    response = client_for("inspector").get(DATA)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    body = response.json()
    assert body["figures"]["hotline_received_today"] == {"value": 2, "text": "2"}
    assert set(body["charts"]) == set(CHART_IDS)
    assert "yichuang" in body["charts"]["screen-trend"]  # the formatting hints travel with the option


def test_no_personal_data_reach_the_screen(org: Any, noon: None, cases: Any, client_for: Any) -> None:
    hall_morning(org)
    hotline_morning(org)
    text = (
        client_for("inspector").get(DATA).content.decode()
        + client_for("inspector").get(SCREEN).content.decode()
    )
    for personal in ("李秀英", "张建华", "13900000001", "13900000002", "13800000001", "19900101", "19800101"):
        assert personal not in text


# ——— who may open it ———


def test_anonymous_visitors_are_sent_to_log_in(org: Any, cases: Any) -> None:
    response = Client().get(SCREEN)
    assert response.status_code == 302
    login, _sep, query = response["Location"].partition("?")
    assert login == reverse("accounts:login") and query == "next=/supervision/screen/"
    data = Client().get(DATA)
    assert data.status_code == 403
    assert data.json()["error"]["code"]


@pytest.mark.parametrize("user", ["applicant", "handler", "clerk", "operator"])
def test_users_without_supervision_view_are_refused(org: Any, cases: Any, client_for: Any, user: str) -> None:
    assert client_for(user).get(SCREEN).status_code == 403
    response = client_for(user).get(DATA)
    assert response.status_code == 403
    assert "效能监察大屏" in response.json()["error"]["message"]


@pytest.mark.parametrize("user", ["inspector", "admin", "chief_rep"])
def test_supervision_viewers_open_it(org: Any, cases: Any, client_for: Any, user: str) -> None:
    assert client_for(user).get(SCREEN).status_code == 200
    assert client_for(user).get(DATA).status_code == 200


def test_the_hall_display_opens_it_with_the_key_without_logging_in(org: Any, noon: None, cases: Any) -> None:
    hall_morning(org)
    display = Client()
    response = display.get(SCREEN, {"key": screen_key()})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-screen-data-url="{DATA}?key={screen_key()}"' in html  # the refresh carries the key
    assert "screen-display-url" not in html  # the key is not shown again on the display
    data = display.get(DATA, {"key": screen_key()})
    assert data.status_code == 200 and data.json()["scope"] == ""
    assert data.json()["figures"]["hall_waiting"]["text"] == "2"
    assert cases.calls[-1][1]["departments"] is None  # the whole centre


def test_a_wrong_key_is_refused(org: Any, cases: Any, client_for: Any) -> None:
    assert Client().get(SCREEN, {"key": "0" * 32}).status_code == 403
    assert Client().get(DATA, {"key": "0" * 32}).status_code == 403
    assert client_for("inspector").get(SCREEN, {"key": "nope"}).status_code == 403


def test_one_hall_by_its_code(org: Any, noon: None, cases: Any, client_for: Any) -> None:
    setup = hall_morning(org)
    response = client_for("inspector").get(DATA, {"hall": setup.hall.code})
    assert response.json()["figures"]["hall_waiting"]["text"] == "2"
    page = client_for("inspector").get(SCREEN, {"hall": setup.hall.code}).content.decode()
    assert setup.hall.name in page and f"hall={setup.hall.code}" in page
    assert client_for("inspector").get(DATA, {"hall": "no-such-hall"}).status_code == 404
    assert client_for("inspector").get(SCREEN, {"hall": "no-such-hall"}).status_code == 404


# ——— with the real case figures ———


def test_real_cases_reach_the_screen_and_a_chief_sees_only_his_departments(
    org: Any, noon: None, client_for: Any
) -> None:
    closed_case(org)  # 市场监管局: submitted, accepted and decided this morning
    closed_case(org)
    inspector = client_for("inspector").get(DATA).json()
    texts = _texts(inspector)
    assert (texts["cases_submitted_today"], texts["cases_accepted_today"], texts["cases_decided_today"]) == (
        "2",
        "2",
        "2",
    )
    assert texts["cases_on_time_today"] == "100%" and texts["cases_accepted_month"] == "2"
    departments = inspector["charts"]["screen-departments"]
    assert departments["yAxis"]["data"] == ["市场监管局"] and departments["series"][0]["data"] == [2]
    assert inspector["charts"]["screen-trend"]["series"][1]["data"][MONDAY.day - 1] == 2  # 受理 on the 23rd

    # 住建局's handler has no supervision.view; a chief representative of 卫健委 sees none of 市场监管局's cases.
    UserFactory(username="chief_wjw", role=Role.CHIEF_REP, department=org.wjw)
    chief = Client()
    chief.force_login(User.objects.get(username="chief_wjw"))
    scoped = chief.get(DATA).json()
    assert scoped["scope"] == "卫健委"
    assert _texts(scoped)["cases_accepted_today"] == "0"
    assert scoped["charts"]["screen-departments"]["yAxis"]["data"] == []


def test_open_cards_are_counted_by_colour_within_the_scope(org: Any) -> None:
    accepted_case(org)  # 市场监管局, due on 10-08: yellow on 09-29, red on 10-09
    assert open_cards() == {"yellow": 0, "red": 0}
    cards_sweep(today=dt.date(2026, 9, 29))
    assert open_cards() == {"yellow": 1, "red": 0}
    cards_sweep(today=DUE + dt.timedelta(days=1))
    assert open_cards() == {"yellow": 1, "red": 1}  # the yellow card stays open until answered or lifted
    assert open_cards(Department.objects.filter(pk=org.scjg.pk)) == {"yellow": 1, "red": 1}
    assert open_cards(Department.objects.filter(pk=org.wjw.pk)) == {"yellow": 0, "red": 0}


def test_the_payload_takes_a_fixed_number_of_queries(org: Any, noon: None) -> None:
    """Refreshed every minute on every display: its queries do not grow with the data (about 27: cases 12,
    hall 2, hotline 5, ratings 7, cards 1)."""
    closed_case(org)
    screen_payload(MONDAY, NOON)  # warm the per-process caches (calendar, roll-up state)
    with CaptureQueriesContext(connection) as few:
        screen_payload(MONDAY, NOON)
    hall_morning(org)
    hotline_morning(org)
    for _ in range(3):
        closed_case(org)
    with CaptureQueriesContext(connection) as more:
        screen_payload(MONDAY, NOON)
    assert len(more) == len(few) <= 30
