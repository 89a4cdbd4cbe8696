"""The case figures on the fixed set (figures_data), computed by hand; the roll-up and the live part agree with
each other and with the raw cases however the period is split."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yichuang.supervision import figures, rollup
from yichuang.supervision.models import COUNT_FIELDS, Dimension, FigureDay, FigureMonth
from yichuang.supervision.tests import figures_data
from yichuang.supervision.tests.figures_data import END, START, TODAY, at

pytestmark = pytest.mark.django_db

COLUMNS = [
    "submitted",
    "accepted",
    "accepted_online",
    "accepted_immediate",
    "accepted_one_window",
    "accepted_exempt",
    "decided",
    "decided_on_time",
    "decided_early",
    "decided_late",
    "working_days",
    "overdue_open",
]


def _counts(row: figures.CaseRow) -> dict[str, int]:
    return {name: getattr(row, name) for name in COLUMNS}


def _expected(**values: int) -> dict[str, int]:
    return {name: values.get(name, 0) for name in COLUMNS}


# By hand, from the table in figures_data.
SCJG = _expected(
    submitted=4,  # c1 c2 c4 c5
    accepted=3,  # c1 c2 c5
    accepted_online=1,  # c2
    accepted_one_window=2,  # c1 c2 by the clerk; c5 by the chief representative
    accepted_exempt=1,  # c2
    decided=2,  # c1 (11-04) c2 (11-10)
    decided_on_time=1,  # c1, due 11-09
    decided_early=1,  # c1
    decided_late=1,  # c2, due 11-09, decided 11-10
    working_days=2 + 6,  # c1: 11-02 → 11-04; c2: 11-02 → 11-10
    overdue_open=1,  # c5, due 11-10, in review on 11-12
)
WJW = _expected(
    submitted=1,
    accepted=1,
    accepted_immediate=1,
    accepted_one_window=1,
    decided=1,
    decided_on_time=1,  # decided on its due day: on time, not early
)


@pytest.fixture
def fixed(org: Any) -> figures_data.FixedSet:
    return figures_data.build(org)


def _by_label(result: figures.CaseFigures) -> dict[str, dict[str, int]]:
    return {row.label: _counts(row) for row in result.rows}


def _figures(dimension: str = Dimension.DEPARTMENT, **kwargs: Any) -> figures.CaseFigures:
    kwargs = {"start": START, "end": END, **kwargs}
    return figures.case_figures(dimension=dimension, today=TODAY, **kwargs)


def test_department_figures_by_hand(org: Any, fixed: figures_data.FixedSet) -> None:
    with time_machine.travel(at(12), tick=False):
        result = _figures()
    assert _by_label(result) == {org.scjg.name: SCJG, org.wjw.name: WJW}
    assert _counts(result.total) == {name: SCJG[name] + WJW[name] for name in COLUMNS}
    scjg = next(row for row in result.rows if row.key == org.scjg.pk)
    assert scjg.online_rate == pytest.approx(1 / 3)
    assert scjg.one_window_rate == pytest.approx(2 / 3)
    assert scjg.exempt_rate == pytest.approx(1 / 3)
    assert scjg.on_time_rate == pytest.approx(0.5)
    assert scjg.early_rate == pytest.approx(0.5)
    assert scjg.average_days == pytest.approx(4.0)
    assert scjg.immediate_rate == 0
    assert result.total.immediate_rate == pytest.approx(1 / 4)


def test_item_window_and_staff_figures_by_hand(org: Any, fixed: figures_data.FixedSet) -> None:
    with time_machine.travel(at(12), tick=False):
        items = _by_label(_figures(Dimension.ITEM))
        windows = _by_label(_figures(Dimension.WINDOW))
        staff = {row.key: _counts(row) for row in _figures(Dimension.STAFF).rows}
    assert items == {"食品经营许可": SCJG, "医师执业注册": WJW}
    # The clerk accepted c1, c2 (市场监管局) and c3 (卫健委) signed in at window 01; the chief representative
    # accepted c5 at no window.
    w1 = f"01号 {fixed.window.name}"
    assert windows[w1] == _expected(
        accepted=3, accepted_online=1, accepted_immediate=1, accepted_one_window=3, accepted_exempt=1
    )
    assert windows["（未在窗口签到）"] == _expected(accepted=1)
    assert staff[org.user("clerk").pk] == windows[w1]
    assert staff[org.user("chief_rep").pk] == _expected(accepted=1)
    assert staff[org.user("reviewer").pk] == _expected(
        decided=2, decided_on_time=1, decided_early=1, decided_late=1, working_days=8, overdue_open=1
    )
    assert staff[org.user("reviewer_wjw").pk] == _expected(decided=1, decided_on_time=1)


def test_a_shorter_period_counts_only_its_days(org: Any, fixed: figures_data.FixedSet) -> None:
    with time_machine.travel(at(12), tick=False):
        result = figures.case_figures(start=dt.date(2026, 11, 3), end=dt.date(2026, 11, 9), today=TODAY)
    scjg = next(row for row in result.rows if row.key == org.scjg.pk)
    # c5 submitted and accepted on 11-03; c1 decided on 11-04; c2 (11-10) is outside.
    assert _counts(scjg) == _expected(
        submitted=1, accepted=1, decided=1, decided_on_time=1, decided_early=1, working_days=2, overdue_open=1
    )


def test_department_scope_limits_the_rows(org: Any, fixed: figures_data.FixedSet) -> None:
    with time_machine.travel(at(12), tick=False):
        result = _figures(Dimension.WINDOW, departments=[org.wjw.pk])
    assert [(row.label, row.accepted) for row in result.rows] == [(f"01号 {fixed.window.name}", 1)]


@pytest.mark.parametrize(
    "rolled_on", [dt.date(2026, 11, 3), dt.date(2026, 11, 5), TODAY, dt.date(2026, 11, 13)]
)
@pytest.mark.parametrize("bulk", [False, True])
def test_rolled_up_and_live_figures_are_the_same(
    org: Any, fixed: figures_data.FixedSet, rolled_on: dt.date, bulk: bool, monkeypatch: Any
) -> None:
    with time_machine.travel(at(12), tick=False):
        live = {dim: _figures(dim) for dim in Dimension.values}
        trend = figures.daily_trend(start=START, end=END, today=TODAY)
    if bulk:
        monkeypatch.setattr(rollup, "CANDIDATE_DAYS", 0)
    with time_machine.travel(at(rolled_on.day, 1), tick=False):
        report = rollup.rollup(today=rolled_on)
    assert report["rolled_until"] == rolled_on
    assert FigureDay.objects.exists()
    assert not FigureDay.objects.filter(day__gte=rolled_on).exists()
    with time_machine.travel(at(12), tick=False):
        expected_trend = [(d, _counts(r)) for d, r in trend]
        for dim in Dimension.values:
            again = _figures(dim)
            assert [row.as_dict() for row in again.rows] == [row.as_dict() for row in live[dim].rows], dim
            # The dashboard's way: the live part aggregated once, shared by the figures and the trend.
            shared = figures.live_part(dim, START, END, today=TODAY)
            assert [row.as_dict() for row in _figures(dim, live=shared).rows] == [
                row.as_dict() for row in live[dim].rows
            ], dim
            shared_trend = figures.daily_trend(start=START, end=END, today=TODAY, live=shared)
            assert [(d, _counts(r)) for d, r in shared_trend] == expected_trend, dim
        assert [(d, _counts(r)) for d, r in figures.daily_trend(start=START, end=END, today=TODAY)] == (
            expected_trend
        )


def test_daily_trend_by_hand(org: Any, fixed: figures_data.FixedSet) -> None:
    with time_machine.travel(at(12), tick=False):
        trend = dict(figures.daily_trend(start=START, end=END, today=TODAY))
    assert len(trend) == 11
    assert (trend[START].submitted, trend[START].accepted, trend[START].decided) == (4, 3, 1)
    assert (trend[dt.date(2026, 11, 10)].decided, trend[dt.date(2026, 11, 10)].decided_late) == (1, 1)
    assert trend[dt.date(2026, 11, 7)].accepted == 0  # a Saturday


def test_rollup_is_idempotent_and_rebuildable(org: Any, fixed: figures_data.FixedSet) -> None:
    with time_machine.travel(at(12), tick=False):
        first = rollup.rollup(today=TODAY)
        rows = sorted(FigureDay.objects.values_list("dimension", "day", "key", "accepted", "decided"))
        again = rollup.rollup(today=TODAY)
        assert again["rows"] == 0
        rebuilt = rollup.rollup(today=TODAY, rebuild=True)
    assert first["rows"] == rebuilt["rows"] == len(rows)
    assert sorted(FigureDay.objects.values_list("dimension", "day", "key", "accepted", "decided")) == rows


def test_the_periodic_job_issues_cards_rolls_up_and_draws(org: Any, fixed: figures_data.FixedSet) -> None:
    from yichuang.cases import scheduler
    from yichuang.supervision.jobs import supervision_periodic
    from yichuang.supervision.models import Card, SampleDraw

    assert supervision_periodic in scheduler._JOBS
    with time_machine.travel(at(12, 1), tick=False):
        report = supervision_periodic()
        again = supervision_periodic()
    assert report["cards"]["red"] == 1 and again["cards"]["red"] == 0
    assert report["drawn"] and not again["drawn"]
    assert rollup.rolled_until() == TODAY and FigureDay.objects.exists()
    assert Card.objects.get().subject_label == fixed.cases["c5"].number
    assert SampleDraw.objects.get().month == 11


def test_a_deemed_acceptance_re_rolls_its_day(org: Any, django_capture_on_commit_callbacks: Any) -> None:
    from yichuang.accounts.tests.factories import ApplicantFactory
    from yichuang.cases import services
    from yichuang.catalog.tests.helpers import publish_item

    with time_machine.travel(at(1, 12), tick=False):
        item = publish_item(actor=org.user("admin"), department=org.scjg, basic_code="11A000100009")
    with time_machine.travel(at(2, 9), tick=False):
        case = services.case_submit(
            actor=org.user("clerk"), item=item, applicant=ApplicantFactory(), channel="window"
        )
    with time_machine.travel(at(5, 1), tick=False):
        rollup.rollup(today=dt.date(2026, 11, 5))
    day = dt.date(2026, 11, 2)
    assert FigureDay.objects.get(dimension="department", day=day).accepted == 0
    # Nobody told the applicant what was missing within 5 working days: accepted from receipt (§32).
    with time_machine.travel(at(10, 1), tick=False), django_capture_on_commit_callbacks(execute=True):
        assert services.cases_deem_accepted(today=dt.date(2026, 11, 10)) == 1
    assert FigureDay.objects.get(dimension="department", day=day).accepted == 1
    assert FigureMonth.objects.get(dimension="department", month=dt.date(2026, 11, 1)).accepted == 1
    with time_machine.travel(at(10, 2), tick=False):
        live = figures.case_figures(start=day, end=day, today=dt.date(2026, 11, 10))
    assert live.total.accepted == 1 and case.pk


def test_a_calendar_change_sends_the_roll_up_back(
    org: Any, fixed: figures_data.FixedSet, django_capture_on_commit_callbacks: Any
) -> None:
    from yichuang.core import services as core_services

    with time_machine.travel(at(12, 1), tick=False):
        rollup.rollup(today=TODAY)
        before = figures.case_figures(start=START, end=END, today=TODAY)
        # 11-03 becomes a day off: c1 (11-02 → 11-04) took 1 working day, c2 (11-02 → 11-10) 5.
        with django_capture_on_commit_callbacks(execute=True):
            core_services.calendar_day_set(
                actor=org.user("admin"), date=dt.date(2026, 11, 3), is_working_day=False, note="测试"
            )
    assert rollup.rolled_until() == dt.date(2026, 1, 1)
    with time_machine.travel(at(12, 2), tick=False):
        after = figures.case_figures(start=START, end=END, today=TODAY)
    scjg_before = next(row for row in before.rows if row.key == org.scjg.pk)
    scjg_after = next(row for row in after.rows if row.key == org.scjg.pk)
    assert (scjg_before.working_days, scjg_after.working_days) == (8, 6)


def _shift_back(days: int) -> None:
    """Move every timestamp of the fixed set ``days`` back, so that it spans two months."""
    from django.db.models import F

    from yichuang.cases.models import Case, CaseEvent
    from yichuang.hall.models import WindowEvent

    delta = dt.timedelta(days=days)
    Case.objects.update(submitted_at=F("submitted_at") - delta, due_date=F("due_date") - delta)
    Case.objects.filter(accepted_at__isnull=False).update(accepted_at=F("accepted_at") - delta)
    Case.objects.filter(decided_at__isnull=False).update(decided_at=F("decided_at") - delta)
    CaseEvent.objects.update(at=F("at") - delta)
    WindowEvent.objects.update(at=F("at") - delta)


def _month_sums(model: Any, field: str) -> dict[tuple[Any, ...], tuple[int, ...]]:
    from django.db.models import Sum

    sums = {name: Sum(name) for name in COUNT_FIELDS}
    out = {}
    for row in model.objects.values("dimension", field, "key", "department_id").annotate(**sums):
        month = row[field].replace(day=1)
        key = (row["dimension"], month, row["key"], row["department_id"])
        totals = out.get(key, (0,) * len(COUNT_FIELDS))
        out[key] = tuple(a + row[name] for a, name in zip(totals, COUNT_FIELDS, strict=True))
    return out


def test_whole_months_are_read_from_the_month_roll_up(org: Any, fixed: figures_data.FixedSet) -> None:
    # 35 days back: accepted Mon 28 Sep – Tue 29 Sep, decided 30 Sep – 6 Oct (across National Day).
    _shift_back(35)
    periods = [
        (dt.date(2026, 8, 20), TODAY),  # days of August, September and October whole, days of November
        (dt.date(2026, 9, 1), dt.date(2026, 10, 31)),  # two whole months
        (dt.date(2026, 9, 29), dt.date(2026, 10, 31)),  # a whole month after some days
        (dt.date(2026, 9, 1), dt.date(2026, 9, 30)),
        (dt.date(2026, 9, 30), dt.date(2026, 10, 1)),  # no whole month
    ]
    with time_machine.travel(at(12), tick=False):
        live = {
            (period, dim): _figures(dim, **{"start": period[0], "end": period[1]})
            for period in periods
            for dim in Dimension.values
        }
        assert live[(periods[1], Dimension.DEPARTMENT)].total.accepted == 4
    with time_machine.travel(at(12, 1), tick=False):
        rollup.rollup(today=TODAY)
    # Each month's rows are the sum of its days'.
    assert _month_sums(FigureMonth, "month") == _month_sums(FigureDay, "day")
    assert set(FigureMonth.objects.values_list("month", flat=True)) == {
        dt.date(2026, 9, 1),
        dt.date(2026, 10, 1),
    }
    with time_machine.travel(at(12), tick=False):
        for (period, dim), expected in live.items():
            again = _figures(dim, **{"start": period[0], "end": period[1]})
            assert [row.as_dict() for row in again.rows] == [row.as_dict() for row in expected.rows], period
        # September is read from its month row: without its day rows the whole month still counts, its
        # last days alone no longer do.
        FigureDay.objects.filter(day__month=9).delete()
        cache.clear()  # rows changed behind the roll-up's back: its cached sums would not know
        whole = figures.case_figures(start=dt.date(2026, 9, 1), end=dt.date(2026, 9, 30), today=TODAY)
        days = figures.case_figures(start=dt.date(2026, 9, 2), end=dt.date(2026, 9, 30), today=TODAY)
    assert whole.total.accepted == 4 and days.total.accepted == 0


def test_today_rolled_up_in_part_reads_the_same(org: Any, fixed: figures_data.FixedSet) -> None:
    from yichuang.accounts.tests.factories import ApplicantFactory

    applicant = ApplicantFactory()
    with time_machine.travel(at(12, 9), tick=False):  # today, before the partial roll-up's mark
        figures_data._accept(org, figures_data._received(org, fixed.item_a, applicant, channel="window"))
    with time_machine.travel(at(12, 11), tick=False):  # after it
        immediate = figures_data._received(org, fixed.item_b, applicant, channel="window")
        figures_data._decide(org, figures_data._accept(org, immediate), "reviewer_wjw")
    with time_machine.travel(at(12, 12), tick=False):
        live = {dim: _figures(dim) for dim in Dimension.values}
        trend = [(d, _counts(r)) for d, r in figures.daily_trend(start=START, end=END, today=TODAY)]
        assert live[Dimension.DEPARTMENT].total.accepted == 6

    def same_as_live() -> None:
        with time_machine.travel(at(12, 12), tick=False):
            for dim in Dimension.values:
                again = _figures(dim)
                assert [row.as_dict() for row in again.rows] == [row.as_dict() for row in live[dim].rows], dim
                shared = figures.live_part(dim, START, END, today=TODAY)
                assert [row.as_dict() for row in _figures(dim, live=shared).rows] == [
                    row.as_dict() for row in live[dim].rows
                ], dim
            again_trend = figures.daily_trend(start=START, end=END, today=TODAY)
            assert [(d, _counts(r)) for d, r in again_trend] == trend

    with time_machine.travel(at(12, 1), tick=False):
        rollup.rollup(today=TODAY)
        assert rollup.rollup_today()["rows"] == 0  # 00:58 yesterday: the day before is rolled up already
    report = rollup.rollup_today(now=at(12, 10))
    assert report["partial_until"] == at(12, 9, 58) and report["rows"] > 0
    today_rows = FigureDay.objects.filter(dimension=Dimension.DEPARTMENT, day=TODAY)
    assert sum(row.accepted for row in today_rows) == 1  # the 09:00 case; the 11:00 one is read live
    same_as_live()
    assert rollup.rollup_today(now=at(12, 9, 59))["rows"] == 0  # nothing older than the mark to add
    assert rollup.progress().partial_until == at(12, 9, 58)
    rollup.rollup_today(now=at(12, 11, 1))  # the 11:00 steps are not 2 minutes old: still live
    assert sum(row.accepted for row in today_rows.all()) == 1
    rollup.rollup_today(now=at(12, 11, 30))
    assert sum(row.accepted for row in today_rows.all()) == 2
    same_as_live()
    # The night: the day is rolled up whole, the partial mark goes, and the month is not summed with it.
    with time_machine.travel(at(13, 1), tick=False):
        rollup.rollup(today=dt.date(2026, 11, 13))
    done = rollup.progress()
    assert (done.rolled_until, done.partial_until) == (dt.date(2026, 11, 13), None)
    assert sum(row.accepted for row in today_rows.all()) == 2
    assert _month_sums(FigureMonth, "month") == _month_sums(FigureDay, "day")
    same_as_live()


def test_the_partial_day_is_not_summed_into_its_month(org: Any, fixed: figures_data.FixedSet) -> None:
    from yichuang.accounts.tests.factories import ApplicantFactory

    with time_machine.travel(at(12, 9), tick=False):
        figures_data._accept(
            org, figures_data._received(org, fixed.item_a, ApplicantFactory(), channel="window")
        )
    with time_machine.travel(at(12, 1), tick=False):
        rollup.rollup(today=TODAY)
    rollup.rollup_today(now=at(12, 10))
    november = dt.date(2026, 11, 1)
    before = FigureMonth.objects.get(dimension=Dimension.DEPARTMENT, month=november, key=org.scjg.pk)
    rollup.reroll_day(dt.date(2026, 11, 2))  # re-sums November: from its whole days only
    after = FigureMonth.objects.get(dimension=Dimension.DEPARTMENT, month=november, key=org.scjg.pk)
    assert (before.accepted, after.accepted) == (3, 3)


def _by_month(trend: list[tuple[dt.date, figures.CaseRow]]) -> dict[dt.date, dict[str, int]]:
    out: dict[dt.date, figures.CaseRow] = {}
    for day, row in trend:
        out.setdefault(day.replace(day=1), figures.CaseRow(key=0)).add(
            getattr(row, name) for name in COUNT_FIELDS
        )
    return {month: _counts(row) for month, row in out.items()}


def test_monthly_trend_is_the_daily_trend_by_month(org: Any, fixed: figures_data.FixedSet) -> None:
    _shift_back(35)  # the set spans September and October
    periods = [(dt.date(2026, 8, 20), TODAY), (dt.date(2026, 9, 29), dt.date(2026, 10, 31))]

    def both(start: dt.date, end: dt.date) -> tuple[Any, Any]:
        monthly = figures.monthly_trend(start=start, end=end, today=TODAY)
        daily = figures.daily_trend(start=start, end=end, today=TODAY)
        return {month: _counts(row) for month, row in monthly}, _by_month(daily)

    with time_machine.travel(at(12), tick=False):
        live = {period: both(*period) for period in periods}
    months, days = live[periods[0]]
    assert list(months) == [dt.date(2026, m, 1) for m in (8, 9, 10, 11)]  # every month, empty ones too
    assert months == days
    assert months[dt.date(2026, 9, 1)]["accepted"] == 4
    assert live[periods[1]][0] == live[periods[1]][1]
    assert live[periods[1]][0][dt.date(2026, 9, 1)]["accepted"] == 1  # c5 on 29 Sep; c1–c3 on 28 Sep before
    with time_machine.travel(at(12, 1), tick=False):
        rollup.rollup(today=TODAY)
    with time_machine.travel(at(12), tick=False):
        assert {period: both(*period) for period in periods} == live
        # Whole months come from the month roll-up: September still counts without its day rows.
        FigureDay.objects.filter(day__month=9).delete()
        cache.clear()
        monthly = dict(figures.monthly_trend(start=periods[0][0], end=TODAY, today=TODAY))
    assert monthly[dt.date(2026, 9, 1)].accepted == 4


def test_closed_days_are_summed_once_per_roll_up_version(org: Any, fixed: figures_data.FixedSet) -> None:
    with time_machine.travel(at(13, 1), tick=False):
        rollup.rollup(today=dt.date(2026, 11, 13))
    version = rollup.progress().version
    assert version

    def scjg() -> int:
        with time_machine.travel(at(13, 12), tick=False):
            rows = figures.case_figures(start=START, end=END, today=dt.date(2026, 11, 13)).rows
        return next(row.accepted for row in rows if row.key == org.scjg.pk)

    assert scjg() == 3
    with CaptureQueriesContext(connection) as queries:
        assert scjg() == 3
    rolled_tables = (FigureDay._meta.db_table, FigureMonth._meta.db_table)
    assert not [q for q in queries.captured_queries if any(t in q["sql"] for t in rolled_tables)]
    # A row changed behind the roll-up's back is not seen while the version holds …
    FigureDay.objects.filter(
        dimension=Dimension.DEPARTMENT, key=org.scjg.pk, day=dt.date(2026, 11, 2)
    ).update(accepted=103)
    assert scjg() == 3
    # … and is, once the roll-up writes any past day again (here a fact dated back into 3 November).
    rollup.reroll_day(dt.date(2026, 11, 3))
    assert rollup.progress().version != version
    assert scjg() == 103 + 1  # the edited 2 November, and c5 accepted on 3 November
    # The calendar changed: the days from then on are read live again, under a new version.
    rollup.rollup_from(dt.date(2026, 11, 2))
    assert scjg() == 3


def test_labels_of_many_keys(org: Any) -> None:
    # Past 100 keys PostgreSQL reads them as one array parameter; the answer is the same.
    ids = [org.scjg.pk, org.wjw.pk, *range(10**6, 10**6 + 150)]
    names = figures.labels(Dimension.DEPARTMENT, ids)
    assert names[org.scjg.pk] == (org.scjg.name, "") and names[org.wjw.pk] == (org.wjw.name, "")
    assert len(names) == 3  # and 0, the unknown
    users = figures.labels(Dimension.STAFF, [org.user("clerk").pk, *range(10**6, 10**6 + 150)])
    assert users[org.user("clerk").pk][0] in (org.user("clerk").full_name, "clerk")
