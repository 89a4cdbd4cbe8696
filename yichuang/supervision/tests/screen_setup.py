"""A morning of the hall, the hotline and ratings for the big screen's tests, reached through the services, and
a stand-in for the case figures (``supervision.figures``) with numbers chosen by the test (the charts' shape
with a dozen departments; the real figures are tested in ``test_screen_cases``).

Monday 23 November 2026 at noon: two numbers served at window 01 in the morning (rated 非常满意 and
非常不满意), then three numbers taken, one of them called — two waiting, one being served, one window open;
two 12345 tickets received, one answered at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest

from yichuang.accounts.tests.factories import valid_id_number
from yichuang.hall import calling, tickets
from yichuang.hall.models import TicketSource
from yichuang.hall.tests.helpers import MONDAY, HallSetup, at, make_hall
from yichuang.hotline import tickets as hotline
from yichuang.ratings import services as ratings
from yichuang.ratings.models import Channel
from yichuang.ratings.subjects import served_hall_ticket
from yichuang.ratings.tests.helpers import served_ticket
from yichuang.supervision import figures

NOON = at(MONDAY, 12)


@dataclass
class FakeRow:
    key: int = 0
    label: str = ""
    submitted: int = 0
    accepted: int = 0
    decided: int = 0
    decided_on_time: int = 0
    overdue_open: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return self.decided_on_time / self.decided if self.decided else None


@dataclass
class FakeFigures:
    rows: list[FakeRow] = field(default_factory=list)
    total: FakeRow = field(default_factory=FakeRow)


@dataclass
class FakeCaseFigures:
    """``case_figures`` answers ``month``; ``trend`` by day, ``today`` being its last day; ``live_part`` is
    recorded and passed through."""

    today: FakeRow
    month: FakeFigures
    trend: dict[dt.date, FakeRow]
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        def live_part(dimension: str, start: dt.date, end: dt.date, **kwargs: Any) -> str:
            self.calls.append(("live_part", {"dimension": dimension, "start": start, "end": end, **kwargs}))
            return "live"

        def case_figures(**kwargs: Any) -> FakeFigures:
            self.calls.append(("case_figures", kwargs))
            assert kwargs["live"] == "live"
            return self.month

        def daily_trend(**kwargs: Any) -> list[tuple[dt.date, FakeRow]]:
            self.calls.append(("daily_trend", kwargs))
            assert kwargs["live"] == "live"
            return sorted(self.trend.items())

        monkeypatch.setattr(figures, "live_part", live_part)
        monkeypatch.setattr(figures, "case_figures", case_figures)
        monkeypatch.setattr(figures, "daily_trend", daily_trend)


def fake_case_figures(monkeypatch: pytest.MonkeyPatch, departments: int = 12) -> FakeCaseFigures:
    """Twelve departments (部门01 with most cases); day N of the month N submitted, but today (the last day)
    9 submitted, 7 accepted, 4 decided (3 on time)."""
    rows = [
        FakeRow(
            key=i,
            label=f"部门{i:02d}",
            submitted=40 - i,
            accepted=30 - i,
            decided=20 - i,
            decided_on_time=20 - 2 * i,
        )
        for i in range(1, departments + 1)
    ]
    month = FakeFigures(
        rows=rows,
        total=FakeRow(label="合计", accepted=sum(r.accepted for r in rows), decided=sum(r.decided for r in rows),
                      decided_on_time=sum(r.decided_on_time for r in rows), overdue_open=5),
    )  # fmt: skip
    trend = {
        MONDAY.replace(day=day): FakeRow(submitted=day, accepted=day - 1 if day > 1 else 0, decided=day // 2)
        for day in range(1, MONDAY.day)
    }
    today = FakeRow(submitted=9, accepted=7, decided=4, decided_on_time=3, overdue_open=5)
    trend[MONDAY] = today
    fake = FakeCaseFigures(
        today=today,
        month=month,
        trend=trend,
    )
    fake.install(monkeypatch)
    return fake


def hall_morning(org: Any) -> HallSetup:
    """Two served and rated numbers, two waiting, one called at window 01 (the only one open)."""
    setup = make_hall(org, tidal=False)
    first = served_ticket(org, setup)
    second = served_ticket(
        org, setup, holder_name="张建华", phone="13900000002", id_number=valid_id_number(birth="19900101")
    )
    for ticket, level in ((first, 5), (second, 1)):
        assert ticket.finished_at is not None
        ratings.evaluation_submit(
            served=served_hall_ticket(ticket),
            channel=Channel.WINDOW,
            level=level,
            now=ticket.finished_at + dt.timedelta(minutes=1),
        )
    for _ in range(3):
        tickets.ticket_issue(hall=setup.hall, category=setup.general, source=TicketSource.KIOSK, now=NOON)
    calling.ticket_call_next(window=setup.w1, actor=org.user("clerk"), now=NOON)
    return setup


def hotline_morning(org: Any) -> None:
    """Two tickets received this morning, one answered at once."""
    operator = org.user("operator")
    for hour in (10, 11):
        ticket = hotline.ticket_intake(
            actor=operator,
            channel="phone",
            nature="consult",
            content="营业执照办理需要哪些材料",
            caller_phone="13800000001",
            division_code="150824",
            now=at(MONDAY, hour),
        )
    hotline.ticket_answer_directly(
        ticket=ticket, actor=operator, reply="请携带身份证到综合窗口", now=at(MONDAY, 11, 5)
    )
