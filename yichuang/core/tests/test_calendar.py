"""Working days across 2026's holidays, as published by the State Council (国办发明电〔2025〕7号)."""

from __future__ import annotations

import datetime as dt

import pytest

from yichuang.core import calendar, services
from yichuang.core.calendar import add_working_days, is_working_day, working_days_between
from yichuang.core.errors import ApplicationError, PermissionDeniedError

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 2, 13), True),  # Friday before the Spring Festival
        (D(2026, 2, 14), True),  # Saturday, make-up working day (调休)
        (D(2026, 2, 15), False),  # Spring Festival holiday starts (Sunday)
        (D(2026, 2, 16), False),
        (D(2026, 2, 23), False),  # last day of the nine-day holiday (Monday)
        (D(2026, 2, 24), True),
        (D(2026, 2, 28), True),  # Saturday, make-up working day
        (D(2026, 5, 1), False),  # Labour Day, 1–5 May
        (D(2026, 5, 5), False),
        (D(2026, 5, 9), True),  # Saturday, make-up working day
        (D(2026, 9, 20), True),  # Sunday, make-up for National Day
        (D(2026, 10, 1), False),  # National Day, 1–7 October
        (D(2026, 10, 7), False),
        (D(2026, 10, 8), True),
        (D(2026, 10, 10), True),  # Saturday, make-up working day
        (D(2026, 10, 11), False),  # an ordinary Sunday
    ],
)
def test_2026_holidays_and_make_up_days(day: dt.date, working: bool) -> None:
    assert is_working_day(day) is working


def test_day_one_is_the_first_working_day_after_the_start() -> None:
    assert add_working_days(D(2026, 2, 12), 1) == D(2026, 2, 13)
    assert add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)  # the make-up Saturday counts
    assert add_working_days(D(2026, 2, 14), 1) == D(2026, 2, 24)  # the whole festival is skipped
    assert add_working_days(D(2026, 2, 15), 1) == D(2026, 2, 24)  # starting on a holiday
    assert add_working_days(D(2026, 2, 10), 0) == D(2026, 2, 10)


def test_twenty_working_days_across_the_spring_festival() -> None:
    # Accepted Tue 10 Feb: 11,12,13,14(Sat) = 4; 24–27 = 8; 28(Sat) = 9; 2–6 Mar = 14; 9–13 = 19;
    # so the 20th working day is Monday 16 March (not 12 March, as naive weekday counting gives).
    assert add_working_days(D(2026, 2, 10), 20) == D(2026, 3, 16)
    assert working_days_between(D(2026, 2, 10), D(2026, 3, 16)) == 20


def test_labour_day_and_national_day() -> None:
    assert add_working_days(D(2026, 4, 30), 1) == D(2026, 5, 6)
    assert add_working_days(D(2026, 5, 8), 1) == D(2026, 5, 9)
    assert add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert working_days_between(D(2026, 9, 30), D(2026, 10, 12)) == 4  # 8, 9, 10(Sat), 12
    assert add_working_days(D(2026, 9, 18), 1) == D(2026, 9, 20)  # the make-up Sunday


def test_backwards_and_between_are_inverse() -> None:
    assert add_working_days(D(2026, 2, 24), -1) == D(2026, 2, 14)
    assert working_days_between(D(2026, 2, 24), D(2026, 2, 14)) == -1
    starts = [D(2026, 1, 1), D(2026, 2, 13), D(2026, 4, 30), D(2026, 9, 19), D(2026, 12, 1)]
    year = [D(2026, 1, 1) + dt.timedelta(days=n) for n in range(365)]
    for start in starts:
        ends = [day for day in year if day > start and is_working_day(day)]
        for end in ends[::3]:  # every third working day to the year's end keeps the test quick
            assert add_working_days(start, working_days_between(start, end)) == end


def _first_uncovered_year() -> int:
    # 2027 with chinese_calendar 1.11.0; later releases cover more years, and the tests follow.
    return next(y for y in range(2026, 2100) if not calendar.year_has_national_data(y))


def test_a_year_without_data_is_refused_not_guessed() -> None:
    year = _first_uncovered_year()
    with pytest.raises(calendar.CalendarYearNotCoveredError) as caught:
        add_working_days(D(year - 1, 12, 20), 20)
    assert f"{year} 年的法定节假日安排尚无数据" in caught.value.message
    assert caught.value.code == "calendar_year_not_covered"


def test_admin_override_moves_deadlines(org) -> None:
    assert add_working_days(D(2026, 3, 6), 1) == D(2026, 3, 9)
    services.calendar_day_set(
        actor=org.user("admin"), date=D(2026, 3, 9), is_working_day=False, note="旗里临时停电"
    )
    assert add_working_days(D(2026, 3, 6), 1) == D(2026, 3, 10)
    services.calendar_day_set(
        actor=org.user("admin"), date=D(2026, 3, 7), is_working_day=True, note="周六集中办理"
    )
    assert add_working_days(D(2026, 3, 6), 1) == D(2026, 3, 7)
    services.calendar_day_clear(actor=org.user("admin"), date=D(2026, 3, 7))
    assert add_working_days(D(2026, 3, 6), 1) == D(2026, 3, 10)


def test_only_the_admin_changes_the_calendar(org) -> None:
    with pytest.raises(PermissionDeniedError):
        services.calendar_day_set(actor=org.user("clerk"), date=D(2026, 3, 9), is_working_day=False, note="x")
    with pytest.raises(ApplicationError, match="依据"):
        services.calendar_day_set(actor=org.user("admin"), date=D(2026, 3, 9), is_working_day=False, note="")


def test_admin_enters_a_year_the_national_data_lack(org) -> None:
    admin = org.user("admin")
    with pytest.raises(ApplicationError, match="已有国家法定节假日数据"):
        services.calendar_year_enter(actor=admin, year=2026, note="x")
    year = _first_uncovered_year()
    services.calendar_year_enter(actor=admin, year=year, note="国办发明电〔2026〕X号")
    with pytest.raises(ApplicationError, match="已经录入"):
        services.calendar_year_enter(actor=admin, year=year, note="again")
    monday = next(D(year, 2, d) for d in range(1, 8) if D(year, 2, d).weekday() == 0)
    week = [monday + dt.timedelta(days=n) for n in range(7)]  # Mon … Sun
    for day in week[:3]:
        services.calendar_day_set(actor=admin, date=day, is_working_day=False, note="春节")
    services.calendar_day_set(actor=admin, date=week[5], is_working_day=True, note="调休")
    assert add_working_days(week[0] - dt.timedelta(days=3), 1) == week[3]  # Fri → Thu after the break
    assert add_working_days(week[4], 1) == week[5]  # the make-up Saturday counts
    assert add_working_days(D(year, 3, 5), 1) == next(  # otherwise plain weekdays
        D(year, 3, 5) + dt.timedelta(days=n)
        for n in range(1, 4)
        if (D(year, 3, 5) + dt.timedelta(days=n)).weekday() < 5
    )
    with pytest.raises(calendar.CalendarYearNotCoveredError):
        is_working_day(D(year + 1, 1, 4))


def test_calendar_api(client_for) -> None:
    response = client_for("clerk").get("/api/v1/calendar/add-working-days?start=2026-02-10&days=20")
    assert response.status_code == 200
    assert response.json()["result"] == "2026-03-16"
    year = client_for("reviewer").get("/api/v1/calendar/2026").json()
    assert year["working_days"] == 248  # 261 weekdays − 19 weekday holidays + 6 make-up days
    spring = next(d for d in year["days"] if d["date"] == "2026-02-16")
    assert spring == {"date": "2026-02-16", "is_working_day": False, "kind": "holiday", "label": "春节"}
    makeup = next(d for d in year["days"] if d["date"] == "2026-02-14")
    assert makeup["kind"] == "makeup_workday" and makeup["is_working_day"] is True


def test_calendar_api_refuses_bad_input_and_uncovered_years(client_for) -> None:
    client = client_for("clerk")
    bad = client.get("/api/v1/calendar/add-working-days?start=2026-02-30&days=3")
    assert bad.status_code == 422
    assert bad.json()["error"]["fields"]["start"]
    uncovered = client.get(f"/api/v1/calendar/{_first_uncovered_year()}")
    assert uncovered.status_code == 400
    assert uncovered.json()["error"]["code"] == "calendar_year_not_covered"
    for year in (0, 1990, 99999):
        out_of_range = client.get(f"/api/v1/calendar/{year}")
        assert out_of_range.status_code == 400, year
        assert out_of_range.json()["error"]["code"] == "calendar_year_out_of_range"


def test_calendar_override_api_is_admin_only(client_for) -> None:
    body = {"is_working_day": False, "note": "政务服务中心设备检修"}
    denied = client_for("clerk").put(
        "/api/v1/calendar/overrides/2026-03-09", body, content_type="application/json"
    )
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == "permission_denied"
    assert is_working_day(D(2026, 3, 9))
    done = client_for("admin").put(
        "/api/v1/calendar/overrides/2026-03-09", body, content_type="application/json"
    )
    assert done.status_code == 200
    assert done.json()["kind"] == "override_rest"
    assert not is_working_day(D(2026, 3, 9))


def test_calendar_screen_shows_the_year(client_for) -> None:
    page = client_for("clerk").get("/calendar/?year=2026")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'class="holiday" data-date="2026-02-16" data-working="0" title="春节"' in html
    assert 'data-date="2026-02-14" data-working="1"' in html
    assert "调整某一天" not in html  # the clerk cannot change it
    year = _first_uncovered_year()
    missing = client_for("admin").get(f"/calendar/?year={year}").content.decode()
    assert f"{year} 年的法定节假日安排尚无数据" in missing
    assert "录入该年度" in missing
