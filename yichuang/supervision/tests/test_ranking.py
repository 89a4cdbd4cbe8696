"""Rankings on the fixed set (figures_data): the composite score by hand with the default weights, the card
points, the admin's weights, windows and staff with the minimum, and the 示范窗口 / 服务标兵 selection."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from yichuang.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from yichuang.core.models import AuditEvent
from yichuang.supervision import ranking
from yichuang.supervision.cards import cards_sweep
from yichuang.supervision.models import Honour, HonourKind, PeriodKind, RankingScheme
from yichuang.supervision.tests import figures_data
from yichuang.supervision.tests.figures_data import TODAY, at

pytestmark = pytest.mark.django_db

NOVEMBER = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


@pytest.fixture
def fixed(org: Any) -> figures_data.FixedSet:
    return figures_data.build(org)


def _departments() -> dict[str, ranking.Ranked]:
    with time_machine.travel(at(12), tick=False):
        return {
            row.label: row
            for row in ranking.department_ranking(start=NOVEMBER[0], end=NOVEMBER[1], today=TODAY)
        }


def test_composite_scores_by_hand(org: Any, fixed: Any) -> None:
    rows = _departments()
    # Weights 30 按时, 10 网办, 5 即办, 10 一窗, 5 提前, 5 免证办 (no ratings, no 12345 data: left out).
    # 市场监管局: 50, 33.33, 0, 66.67, 50, 33.33 → 2916.67 / 65
    assert rows[org.scjg.name].score == pytest.approx(
        (30 * 50 + 10 * 100 / 3 + 10 * 200 / 3 + 5 * 50 + 5 * 100 / 3) / 65
    )
    # 卫健委: 100, 0, 100, 100, 0, 0 → 4500 / 65
    assert rows[org.wjw.name].score == pytest.approx(4500 / 65)
    assert (rows[org.wjw.name].rank, rows[org.scjg.name].rank) == (1, 2)


def test_cards_cost_points(org: Any, fixed: Any) -> None:
    with time_machine.travel(at(12, 1), tick=False):
        cards_sweep(today=TODAY)  # c5 (市场监管局) is overdue: a red card
    rows = _departments()
    scjg = rows[org.scjg.name]
    assert (scjg.cards.red, scjg.cards.yellow, scjg.points) == (1, 0, 2.0)
    assert scjg.score == pytest.approx(2916.6666 / 65 - 2, abs=1e-3)


def test_the_admins_weights_change_the_order(org: Any, fixed: Any) -> None:
    RankingScheme.objects.create(
        on_time=0,
        online=100,
        immediate=0,
        one_window=0,
        early=0,
        exempt=0,
        satisfaction=0,
        rectification=0,
        hotline_on_time=0,
        hotline_satisfaction=0,
    )
    rows = _departments()
    assert rows[org.scjg.name].score == pytest.approx(100 / 3)
    assert rows[org.wjw.name].score == 0
    assert (rows[org.scjg.name].rank, rows[org.wjw.name].rank) == (1, 2)


def test_periods() -> None:
    assert ranking.period_of(PeriodKind.QUARTER, dt.date(2026, 11, 12)) == (
        dt.date(2026, 10, 1),
        dt.date(2026, 12, 31),
    )
    assert ranking.period_of(PeriodKind.QUARTER, dt.date(2026, 2, 28)) == (
        dt.date(2026, 1, 1),
        dt.date(2026, 3, 31),
    )
    assert ranking.period_of(PeriodKind.MONTH, dt.date(2026, 2, 14)) == (
        dt.date(2026, 2, 1),
        dt.date(2026, 2, 28),
    )
    assert ranking.period_label(PeriodKind.QUARTER, dt.date(2026, 10, 1)) == "2026年第4季度"
    with pytest.raises(ApplicationError):
        ranking.period_of("decade", dt.date(2026, 1, 1))


def test_windows_and_staff_below_the_minimum_are_not_ranked(org: Any, fixed: Any) -> None:
    with time_machine.travel(at(12), tick=False):
        windows = ranking.window_ranking(start=NOVEMBER[0], end=NOVEMBER[1], today=TODAY)
    assert [(row.services, row.rank, row.score) for row in windows] == [(3, None, None)]
    RankingScheme.objects.create(minimum_services=1)
    with time_machine.travel(at(12), tick=False):
        windows = ranking.window_ranking(start=NOVEMBER[0], end=NOVEMBER[1], today=TODAY)
        staff = {
            row.key: row for row in ranking.staff_ranking(start=NOVEMBER[0], end=NOVEMBER[1], today=TODAY)
        }
    assert [(row.rank, row.score) for row in windows] == [
        (1, 100.0)
    ]  # all accepted at a comprehensive window
    assert staff[org.user("reviewer_wjw").pk].score == 100.0 and staff[org.user("reviewer").pk].score == 50.0
    assert staff[org.user("reviewer").pk].rank == 2
    # The clerk decided nothing and nobody rated him: no indicator, no score.
    assert (staff[org.user("clerk").pk].score, staff[org.user("clerk").pk].rank) == (None, None)


def test_honours_are_chosen_from_the_candidates_of_a_closed_period(org: Any, fixed: Any) -> None:
    RankingScheme.objects.create(minimum_services=1)
    admin = org.user("admin")
    award = dict(
        actor=admin, kind=HonourKind.STAR_STAFF, period_kind=PeriodKind.MONTH, day=dt.date(2026, 11, 5)
    )
    with time_machine.travel(at(20), tick=False), pytest.raises(ConflictError) as early:
        ranking.honour_award(**award, key=org.user("reviewer_wjw").pk, reason="办件零超期")
    assert early.value.code == "period_open"
    december = dt.date(2026, 12, 2)
    with time_machine.travel(dt.datetime(2026, 12, 2, 10, tzinfo=dt.UTC), tick=False):
        with pytest.raises(ConflictError) as outside:
            ranking.honour_award(**award, key=org.user("clerk").pk, reason="x", today=december)  # unranked
        assert outside.value.code == "not_a_candidate"
        with pytest.raises(ApplicationError):
            ranking.honour_award(**award, key=org.user("reviewer_wjw").pk, reason="  ", today=december)
        with pytest.raises(PermissionDeniedError):
            ranking.honour_award(
                **{**award, "actor": org.user("inspector")},
                key=org.user("reviewer_wjw").pk,
                reason="好",
                today=december,
            )
        honour = ranking.honour_award(
            **award, key=org.user("reviewer_wjw").pk, reason="办件零超期", today=december
        )
        with pytest.raises(ConflictError):
            ranking.honour_award(**award, key=org.user("reviewer_wjw").pk, reason="again", today=december)
    assert (honour.rank, honour.staff, honour.period_start) == (
        1,
        org.user("reviewer_wjw"),
        dt.date(2026, 11, 1),
    )
    assert Honour.objects.count() == 1
    assert AuditEvent.objects.filter(action="supervision.honour_awarded").count() == 1


def test_the_ranking_screen(org: Any, fixed: Any, client_for: Any) -> None:
    RankingScheme.objects.create(minimum_services=1)
    with time_machine.travel(dt.datetime(2026, 12, 2, 10, tzinfo=dt.UTC), tick=False):
        admin = client_for("admin")
        page = admin.get("/supervision/ranking/?period=month&day=2026-11-01")
        html = page.content.decode()
        assert page.status_code == 200 and "2026年11月" in html
        assert f'data-label="{org.wjw.name}"' in html and 'data-testid="window-ranking"' in html
        response = admin.post(
            "/supervision/ranking/honours/",
            {
                "kind": "star_staff",
                "period": "month",
                "day": "2026-11-01",
                "key": org.user("reviewer_wjw").pk,
                "reason": "零超期",
            },
        )
        assert response.status_code == 302
        assert "服务标兵" in admin.get(response["Location"]).content.decode()
        chief = (
            client_for("chief_rep").get("/supervision/ranking/?period=month&day=2026-11-01").content.decode()
        )
        assert f'data-label="{org.wjw.name}"' not in chief and 'data-testid="window-ranking"' not in chief
        assert client_for("inspector").post("/supervision/ranking/honours/", {}).status_code == 403
        assert client_for("clerk").get("/supervision/ranking/").status_code == 403
    assert Honour.objects.count() == 1
