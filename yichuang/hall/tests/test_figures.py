"""大厅统计: every figure of a fixed day computed by hand and compared — waits (average, 90th percentile,
an appointment from its slot), service times, abandonment — by category, window, clerk and hour; a fixed
number of queries whatever the number of tickets; the screen, the Excel export, the API and who may look.

The day (Monday, the hall of ``helpers``; waits and service times in minutes)::

    number  issued  called        window/clerk       end                    wait  service
    A001    09:00   09:10 (start 09:12)  01 clerk    done 09:20             10    8
    A002    09:00   09:20         01 clerk           done 09:35             20    15
    B001    09:00   09:30         04 estate_chief    done 10:00             30    30
    A003    09:00   10:10, skipped 10:15, 10:30 01   no-show 10:35          70    —
    B002    09:40   10:05         04 estate_chief    done 10:20 (slot 10:00) 5    15
    A004    10:05   10:15         01 clerk           done 10:25             10    10
    A005    10:05   10:25         01 clerk           done 10:30             20    5
    A006    10:05   —                                cancelled 10:06        —     —
    C001    10:05   —                                abandoned 11:00        —     —
    A007    14:00   14:30         02 clerk2          done 14:50             30    20
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from yichuang.accounts.tests.factories import valid_id_number
from yichuang.core.errors import ApplicationError
from yichuang.hall import calling, tickets, windows
from yichuang.hall.figures import HallFigures, Row, hall_figures, percentile, period_preset
from yichuang.hall.models import (
    Appointment,
    AppointmentSlot,
    Ticket,
    TicketEvent,
    TicketSource,
    TicketStatus,
)
from yichuang.hall.tests.helpers import MONDAY, HallSetup, at, make_hall
from yichuang.hall.workflow import ticket_transition

pytestmark = pytest.mark.django_db


def _kiosk(setup: HallSetup, category: Any, **extra: Any) -> Ticket:
    return tickets.ticket_issue(hall=setup.hall, category=category, source=TicketSource.KIOSK, **extra)


def _step(moment: dt.datetime, action: Any, **kwargs: Any) -> Any:
    with time_machine.travel(moment, tick=False):
        return action(**kwargs)


def _appointment(setup: HallSetup, day: dt.date, starts: dt.time) -> Appointment:
    slot = AppointmentSlot.objects.create(
        category=setup.estate, day=day, starts_at=starts, ends_at=dt.time(starts.hour, 30), capacity=5
    )
    return Appointment.objects.create(
        hall=setup.hall,
        category=setup.estate,
        slot=slot,
        day=day,
        code="YY0001",
        holder_name="张三",
        id_number=valid_id_number(),
        phone="13900000001",
        booked_at=at(day, 8, 0) - dt.timedelta(days=1),
    )


def make_day(org: Any, day: dt.date = MONDAY) -> HallSetup:
    """The day of the module's docstring, through the services."""
    setup = make_hall(org, tidal=False)
    clerk, clerk2, estate = setup.clerks["clerk"], setup.clerks["clerk2"], setup.clerks["estate"]
    w1, w2, w4 = setup.w1, setup.w2, setup.w4
    with time_machine.travel(at(day, 9, 0), tick=False):
        a1, _a2, a3 = (_kiosk(setup, setup.general) for _ in range(3))
        _kiosk(setup, setup.estate)
        windows.window_sign_in(window=w1, actor=clerk)
        windows.window_sign_in(window=w4, actor=estate)
    assert a1.number == "A001" and a3.number == "A003"
    _step(at(day, 9, 10), calling.ticket_call_next, window=w1, actor=clerk)
    _step(at(day, 9, 12), calling.ticket_start, window=w1, actor=clerk)
    _step(at(day, 9, 20), calling.ticket_finish, window=w1, actor=clerk)
    _step(at(day, 9, 20), calling.ticket_call_next, window=w1, actor=clerk)
    _step(at(day, 9, 30), calling.ticket_call_next, window=w4, actor=estate)
    _step(at(day, 9, 35), calling.ticket_finish, window=w1, actor=clerk)
    booked = _appointment(setup, day, dt.time(10, 0))
    b2 = _step(
        at(day, 9, 40),
        tickets.ticket_issue,
        hall=setup.hall,
        category=setup.estate,
        source=TicketSource.APPOINTMENT,
        appointment=booked,
    )
    assert b2.number == "B002" and b2.slot_at == at(day, 10, 0)
    _step(at(day, 10, 0), calling.ticket_finish, window=w4, actor=estate)
    with time_machine.travel(at(day, 10, 5), tick=False):
        _kiosk(setup, setup.general)  # A004
        _kiosk(setup, setup.general)  # A005
        a6 = _kiosk(setup, setup.general)
        c1 = _kiosk(setup, setup.issuance)
        assert calling.ticket_call_next(window=w4, actor=estate).pk == b2.pk
    _step(at(day, 10, 6), tickets.ticket_cancel, ticket=a6, actor=setup.clerks["issuer"])
    assert _step(at(day, 10, 10), calling.ticket_call_next, window=w1, actor=clerk).pk == a3.pk
    with time_machine.travel(at(day, 10, 15), tick=False):
        calling.ticket_skip(window=w1, actor=clerk)  # A003 re-queued behind A004 and A005
        assert calling.ticket_call_next(window=w1, actor=clerk).number == "A004"
    _step(at(day, 10, 20), calling.ticket_finish, window=w4, actor=estate)
    _step(at(day, 10, 25), calling.ticket_finish, window=w1, actor=clerk)
    assert _step(at(day, 10, 25), calling.ticket_call_next, window=w1, actor=clerk).number == "A005"
    _step(at(day, 10, 30), calling.ticket_finish, window=w1, actor=clerk)
    assert _step(at(day, 10, 30), calling.ticket_call_next, window=w1, actor=clerk).pk == a3.pk
    _step(at(day, 10, 35), calling.ticket_skip, window=w1, actor=clerk)  # the second time: lapsed
    with time_machine.travel(at(day, 11, 0), tick=False), transaction.atomic():
        ticket_transition(
            ticket=Ticket.objects.select_for_update().get(pk=c1.pk),
            to=TicketStatus.ABANDONED,
            event=TicketEvent.Kind.ABANDONED,
            actor=None,
            at=at(day, 11, 0),
        )
    with time_machine.travel(at(day, 14, 0), tick=False):
        _kiosk(setup, setup.general)  # A007
        windows.window_sign_in(window=w2, actor=clerk2)
    _step(at(day, 14, 30), calling.ticket_call_next, window=w2, actor=clerk2)
    _step(at(day, 14, 50), calling.ticket_finish, window=w2, actor=clerk2)
    statuses = dict(Ticket.objects.values_list("number", "status"))
    assert statuses == {
        "A001": "done",
        "A002": "done",
        "A003": "no_show",
        "A004": "done",
        "A005": "done",
        "A006": "cancelled",
        "A007": "done",
        "B001": "done",
        "B002": "done",
        "C001": "abandoned",
    }
    return setup


def _p90(values: list[float]) -> float:
    """By hand: rank (n − 1) × 0.9, interpolated between its neighbours."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * 0.9
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return round(ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower), 1)


def _check(
    row: Row,
    *,
    tickets: int,
    served: int,
    waits: list[float],
    services: list[float],
    abandoned: int = 0,
    no_show: int = 0,
    cancelled: int = 0,
) -> None:
    assert (row.tickets, row.served, row.called) == (tickets, served, len(waits)), row
    assert row.wait_avg == (round(sum(waits) / len(waits), 1) if waits else None), row
    assert row.wait_p90 == (_p90(waits) if waits else None), row
    assert row.service_avg == (round(sum(services) / len(services), 1) if services else None), row
    assert (row.abandoned, row.no_show, row.cancelled) == (abandoned, no_show, cancelled), row
    assert row.abandonment_rate == ((abandoned + no_show) / tickets if tickets else None), row


@pytest.fixture
def day(org: Any) -> HallSetup:
    return make_day(org)


def _figures(setup: HallSetup) -> HallFigures:
    return hall_figures(hall=setup.hall, start=MONDAY, end=MONDAY)


def test_percentile_interpolates_between_ranks() -> None:
    assert percentile([]) is None
    assert percentile([7.0]) == 7.0
    assert percentile([5.0, 30.0]) == pytest.approx(27.5)
    assert percentile(range(1, 11)) == pytest.approx(9.1)
    assert _p90([5, 10, 10, 20, 20, 30, 30, 70]) == 42.0  # the hand rule used below


def test_totals(day: HallSetup) -> None:
    figures = _figures(day)
    _check(
        figures.total,
        tickets=10,
        served=7,
        waits=[10, 20, 30, 70, 5, 10, 20, 30],
        services=[8, 15, 30, 15, 10, 5, 20],
        abandoned=1,
        no_show=1,
        cancelled=1,
    )
    assert figures.total.wait_avg == 24.4 and figures.total.wait_p90 == 42.0
    assert figures.total.service_avg == 14.7
    assert figures.total.abandonment_rate == 0.2 and figures.total.lost == 3


def test_by_category(day: HallSetup) -> None:
    rows = {row.key: row for row in _figures(day).by_category}
    assert list(rows) == [day.general.pk, day.estate.pk, day.issuance.pk]
    general = rows[day.general.pk]
    assert general.label == "A 综合受理"
    _check(
        general,
        tickets=7,
        served=5,
        waits=[10, 20, 70, 10, 20, 30],
        services=[8, 15, 10, 5, 20],
        no_show=1,
        cancelled=1,
    )
    assert (general.wait_avg, general.wait_p90, general.service_avg) == (26.7, 50.0, 11.6)
    # B002 checked in at 09:40 for its 10:00 slot: it waited from 10:00, five minutes.
    _check(rows[day.estate.pk], tickets=2, served=2, waits=[30, 5], services=[30, 15])
    assert rows[day.estate.pk].wait_p90 == 27.5
    _check(rows[day.issuance.pk], tickets=1, served=0, waits=[], services=[], abandoned=1)
    assert rows[day.issuance.pk].abandonment_percent == 100.0


def test_by_window_and_clerk(day: HallSetup) -> None:
    figures = _figures(day)
    by_window = {row.key: row for row in figures.by_window}
    assert [row.label for row in figures.by_window] == [
        "01号 综合受理",
        "02号 综合受理",
        "03号 综合出证",
        "04号 不动产登记",
        "08号 潮汐窗口",
    ]
    w1 = dict(tickets=5, served=4, waits=[10, 20, 70, 10, 20], services=[8, 15, 10, 5], no_show=1)
    w2 = dict(tickets=1, served=1, waits=[30], services=[20])
    w4 = dict(tickets=2, served=2, waits=[30, 5], services=[30, 15])
    _check(by_window[day.w1.pk], **w1)  # type: ignore[arg-type]
    _check(by_window[day.w2.pk], **w2)  # type: ignore[arg-type]
    _check(by_window[day.w4.pk], **w4)  # type: ignore[arg-type]
    _check(by_window[day.w3.pk], tickets=0, served=0, waits=[], services=[])
    assert by_window[day.w1.pk].wait_p90 == 50.0 and by_window[day.w1.pk].abandonment_rate == 0.2

    by_clerk = {row.key: row for row in figures.by_clerk}
    clerks = day.clerks
    assert set(by_clerk) == {clerks["clerk"].pk, clerks["clerk2"].pk, clerks["estate"].pk}
    assert figures.by_clerk[0].key == clerks["clerk"].pk  # the busiest first
    assert by_clerk[clerks["clerk2"].pk].label == clerks["clerk2"].full_name
    _check(by_clerk[clerks["clerk"].pk], **w1)  # type: ignore[arg-type]
    _check(by_clerk[clerks["clerk2"].pk], **w2)  # type: ignore[arg-type]
    _check(by_clerk[clerks["estate"].pk], **w4)  # type: ignore[arg-type]


def test_by_hour(day: HallSetup) -> None:
    hours = {row.key: row for row in _figures(day).by_hour}
    assert list(hours) == [9, 10, 14]
    assert hours[9].label == "09:00"
    # Issued, waits and abandonment by the hour the number was taken.
    nine, ten, two = hours[9], hours[10], hours[14]
    assert (nine.tickets, nine.called, nine.no_show) == (5, 5, 1)
    assert (nine.wait_avg, nine.wait_p90) == (27.0, _p90([10, 20, 30, 70, 5])) == (27.0, 54.0)
    assert nine.abandonment_rate == 1 / 5
    assert (ten.tickets, ten.called, ten.cancelled, ten.abandoned) == (4, 2, 1, 1)
    assert (ten.wait_avg, ten.wait_p90) == (15.0, 19.0)
    assert ten.abandonment_rate == 1 / 4
    assert (two.tickets, two.wait_avg, two.wait_p90) == (1, 30.0, 30.0)
    # Served and service times by the hour of the call: A001, A002, B001 at 9; B002, A004, A005 at 10.
    assert (nine.served, nine.service_avg) == (3, round((8 + 15 + 30) / 3, 1))
    assert (ten.served, ten.service_avg) == (3, 10.0)
    assert (two.served, two.service_avg) == (1, 20.0)


def test_period_and_other_days(day: HallSetup) -> None:
    tuesday = MONDAY + dt.timedelta(days=1)
    with time_machine.travel(at(tuesday, 9, 0), tick=False):
        _kiosk(day, day.general)
    assert _figures(day).total.tickets == 10
    week = hall_figures(hall=day.hall, start=MONDAY, end=tuesday)
    assert week.total.tickets == 11 and week.total.called == 8
    empty = hall_figures(
        hall=day.hall, start=MONDAY - dt.timedelta(days=7), end=MONDAY - dt.timedelta(days=1)
    )
    assert empty.total.tickets == 0 and empty.total.wait_avg is None and empty.by_hour == []
    assert empty.by_clerk == [] and [row.tickets for row in empty.by_category] == [0, 0, 0]
    with pytest.raises(ApplicationError) as refused:
        hall_figures(hall=day.hall, start=tuesday, end=MONDAY)
    assert refused.value.code == "period_invalid"
    with pytest.raises(ApplicationError):
        hall_figures(hall=day.hall, start=MONDAY, end=MONDAY + dt.timedelta(days=400))


def test_presets() -> None:
    wednesday = MONDAY + dt.timedelta(days=2)
    assert period_preset("today", wednesday) == (wednesday, wednesday)
    assert period_preset("week", wednesday) == (MONDAY, wednesday)
    assert period_preset("month", wednesday) == (dt.date(2026, 11, 1), wednesday)


def test_queries_do_not_grow_with_tickets(org: Any, django_assert_max_num_queries: Any) -> None:
    setup = make_day(org)
    with django_assert_max_num_queries(9):
        _figures(setup)
    clerk = setup.clerks["clerk"]
    for minute in range(20):
        moment = at(MONDAY, 15, minute)
        _step(moment, _kiosk, setup=setup, category=setup.general)
        _step(moment, calling.ticket_call_next, window=setup.w1, actor=clerk)
        _step(moment + dt.timedelta(seconds=30), calling.ticket_finish, window=setup.w1, actor=clerk)
    with django_assert_max_num_queries(9):
        figures = _figures(setup)
    assert figures.total.tickets == 30


# ——— the screen, the export, the API ———


def test_screen_shows_the_tables_and_chart(day: HallSetup, client_for: Any) -> None:
    with time_machine.travel(at(MONDAY, 18, 0), tick=False):
        response = client_for("admin").get(reverse("hall:figures"))
    assert response.status_code == 200
    html = response.content.decode()
    for table in ("category", "window", "clerk", "hour"):
        assert f'data-testid="figures-{table}"' in html
    assert 'data-testid="wait-chart"' in html and "<svg" in html
    assert day.clerks["clerk2"].full_name in html
    assert "24.4" in html and "42.0" in html and "20%" in html  # the day's totals
    assert "2026-11-23 至 2026-11-23" in html


def test_screen_period_presets_and_bad_dates(day: HallSetup, client_for: Any) -> None:
    url = reverse("hall:figures")
    with time_machine.travel(at(MONDAY + dt.timedelta(days=1), 9, 0), tick=False):
        client = client_for("inspector")
        today = client.get(url)
        week = client.get(url, {"period": "week", "hall": day.hall.code})
        bad = client.get(url, {"start": "2026-11-24", "end": "2026-11-20"})
        garbage = client.get(url, {"start": "not-a-date", "hall": "nowhere"})
    assert today.context["figures"].total.tickets == 0  # Tuesday: nothing yet
    assert week.context["figures"].start == MONDAY and week.context["figures"].total.tickets == 10
    assert bad.status_code == 400 and "截止日期不能早于起始日期" in bad.content.decode()
    assert garbage.status_code == 400 and garbage.context["figures"] is None


def test_excel_export(day: HallSetup, client_for: Any) -> None:
    from openpyxl import load_workbook

    response = client_for("inspector").get(
        reverse("hall:figures_xlsx"), {"hall": day.hall.code, "start": "2026-11-23", "end": "2026-11-23"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["按业务类别", "按窗口", "按工作人员", "按时段", "说明"]
    sheet = workbook["按业务类别"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=3)]
    assert rows[0][:7] == ["A 综合受理", 7, 5, 6, 26.7, 50.0, 11.6]
    assert rows[-1][0] == "合计" and rows[-1][1:5] == [10, 7, 8, 24.4] and rows[-1][-1] == 0.2


def test_a_chief_representative_sees_his_departments_windows(day: HallSetup, client_for: Any) -> None:
    """不动产中心's chief representative: window 04 and what was called there (B001, B002), the category
    it serves; no other window, clerk or category, and no number nobody called."""
    chief = Client()
    chief.force_login(day.clerks["estate"])
    period = {"hall": day.hall.code, "start": "2026-11-23", "end": "2026-11-23"}
    body = chief.get("/api/v1/hall/figures", period).json()
    assert body["scope"] == "不动产中心"
    assert [row["label"] for row in body["by_window"]] == ["04号 不动产登记"]
    assert [row["label"] for row in body["by_category"]] == ["B 不动产登记"]
    assert [row["key"] for row in body["by_clerk"]] == [day.clerks["estate"].pk]
    total = body["total"]
    assert (total["tickets"], total["served"], total["wait_avg_minutes"]) == (2, 2, 17.5)
    assert total["abandoned"] == total["no_show"] == 0

    page = chief.get(reverse("hall:figures"), period).content.decode()
    assert "仅统计不动产中心窗口叫号的号码" in page and "01号 综合受理" not in page
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(chief.get(reverse("hall:figures_xlsx"), period).content))
    assert "仅不动产中心窗口叫号的号码" in workbook["按窗口"]["A1"].value
    assert [row[0].value for row in workbook["按窗口"].iter_rows(min_row=3)] == ["04号 不动产登记", "合计"]

    # 市场监管局's chief representative has no window in this hall: empty tables, not the hall's.
    other = client_for("chief_rep").get("/api/v1/hall/figures", period).json()
    assert other["by_window"] == [] and other["total"]["tickets"] == 0
    # The centre-wide roles see the whole hall.
    assert client_for("inspector").get("/api/v1/hall/figures", period).json()["total"]["tickets"] == 10


@pytest.mark.parametrize("user", ["applicant", "clerk", "issuer", "reviewer"])
def test_screen_and_export_refused_without_the_capability(day: HallSetup, client_for: Any, user: str) -> None:
    client = client_for(user)
    for name in ("hall:figures", "hall:figures_xlsx"):
        response = client.get(reverse(name))
        assert response.status_code == 403, (user, name)
        assert "您没有查看大厅统计的权限" in response.content.decode()


def test_screen_requires_login(client: Any) -> None:
    response = client.get(reverse("hall:figures"))
    assert response.status_code == 302


@pytest.fixture
def api_mounted() -> None:
    try:
        resolve("/api/v1/hall/figures")
    except Resolver404:  # until config/api.py mounts yichuang.hall.api_figures.router at "/hall"
        pytest.skip("the figures router is not mounted at /api/v1/hall yet")


@pytest.mark.usefixtures("api_mounted")
def test_api_returns_the_same_numbers(day: HallSetup, client_for: Any) -> None:
    response = client_for("admin").get(
        "/api/v1/hall/figures", {"hall": day.hall.code, "start": "2026-11-23", "end": "2026-11-23"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    expected = _figures(day).as_dict()
    assert body == expected
    assert body["total"]["wait_p90_minutes"] == 42.0 and body["total"]["abandonment_rate"] == 0.2
    assert [row["label"] for row in body["by_hour"]] == ["09:00", "10:00", "14:00"]


@pytest.mark.usefixtures("api_mounted")
def test_api_errors(day: HallSetup, client_for: Any) -> None:
    admin = client_for("admin")
    assert admin.get("/api/v1/hall/figures", {"hall": "nowhere"}).json()["error"]["code"] == "hall_not_found"
    bad = admin.get(
        "/api/v1/hall/figures", {"hall": day.hall.code, "start": "2026-11-24", "end": "2026-11-01"}
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "period_invalid"
    assert admin.get("/api/v1/hall/figures").status_code == 422
    for user in ("clerk", "applicant"):
        refused = client_for(user).get("/api/v1/hall/figures", {"hall": day.hall.code})
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied"
