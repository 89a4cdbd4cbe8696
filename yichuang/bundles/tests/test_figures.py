"""一件事成效 on a fixed data set made through the services on set dates: every figure worked out by hand in
the comments and compared, for the default period (this year) and a chosen one, with the page, the
period checks and the query count (no query per application)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine

from yichuang.bundles import definitions, services
from yichuang.bundles.figures import bundle_figures
from yichuang.bundles.tests.helpers import CST, _item, apply, citizen, material, restaurant
from yichuang.cases import services as case_services
from yichuang.cases.models import Case

pytestmark = pytest.mark.django_db


def at(day: str, hour: int = 10) -> Any:
    return time_machine.travel(dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=CST), tick=False)


def _moving_bundle(org: Any) -> Any:
    """我要搬家: 户口迁移 (公安·市场监管局 here; 2 visits, 5 days; form + ID card) and 水电过户 (卫健委 here;
    1 visit, 8 days; form + ID card + photo). Merged: form, ID card, photo = 3 against 2 + 3 = 5.
    The bundle: 1 visit, 6 days, no questions, both members in parallel."""
    form = material("m-form", "申请书", "application_form")
    id_card = material("m-id", "身份证", "id_card")
    move = _item(
        org, org.scjg, "11A000200001", "户口迁移", [form, id_card], visits_required=2, promised_days=5
    )
    utility = _item(
        org,
        org.wjw,
        "11A000200002",
        "水电过户",
        [form, id_card, material("m-photo", "照片", "photo")],
        visits_required=1,
        promised_days=8,
    )
    spec = {
        "code": "moving",
        "name": "我要搬家",
        "event_kind": "life",
        "event": "搬家",
        "lead_department": org.zsj.pk,
        "promised_days": 6,
        "visits": 1,
        "position": 0,
        "questions": [],
        "members": [
            {"item": move.pk, "fields": ["applicant_name"]},
            {"item": utility.pk, "fields": ["applicant_name"]},
        ],
    }
    bundle = definitions.bundle_define(actor=org.user("admin"), spec=spec)
    return definitions.bundle_publish(actor=org.user("admin"), bundle=bundle)


FORM = {"applicant_name": "巴特尔"}


def _accept(org: Any, application: Any) -> Any:
    clerk = org.user("clerk")
    services.bundle_check_materials(
        actor=clerk,
        application=application,
        findings={"id_card": ("original_checked", ""), "photo": ("received", "")},
    )
    return services.bundle_accept(actor=clerk, application=application)


def _results(org: Any, application: Any) -> None:
    for case in Case.objects.filter(bundle_link__application=application):
        reviewer = org.user("reviewer" if case.department_id == org.scjg.pk else "reviewer_wjw")
        case_services.case_start_review(actor=reviewer, case=case)
        case = case_services.case_decide(actor=reviewer, case=case, decision="approve")
        case_services.case_result_ready(actor=reviewer, case=case)


@pytest.fixture
def data(org: Any) -> dict[str, Any]:
    with at("2025-12-01"):
        moving = _moving_bundle(org)
        food, _items = restaurant(org)
    person = citizen(org)
    made: dict[str, Any] = {"moving": moving, "restaurant": food}
    with at("2025-12-31"):  # last year: outside the default period
        made["old"] = apply(org, moving, person, answers={}, form=FORM)
    with at("2026-11-02"):  # accepted Monday 11-02 → promised 11-10; results Wednesday 11-04: on time, 2 days
        made["on_time"] = _accept(org, apply(org, moving, person, answers={}, form=FORM))
    with at("2026-11-04"):
        _results(org, made["on_time"])
    with at("2026-11-05"):
        services.bundle_deliver(
            actor=org.user("issuer"), application=made["on_time"], method="pickup", recipient="巴特尔"
        )
    with at("2026-11-03"):  # accepted 11-03 → promised 11-11; results Friday 11-20: late, 13 working days
        made["late"] = _accept(org, apply(org, moving, person, answers={}, form=FORM))
    with at("2026-11-20"):
        _results(org, made["late"])
    with at("2026-11-05"):
        made["waiting"] = apply(org, moving, person, answers={}, form=FORM)  # not accepted yet
        made["withdrawn"] = apply(org, moving, person, answers={}, form=FORM)
        services.bundle_withdraw(actor=org.user("clerk"), application=made["withdrawn"], reason="不办了")
    with at(
        "2026-11-02"
    ):  # 4 members (食品经营许可 waiting for the 营业执照): 1 visit each, 0 + 10 + 10 + 0 days
        made["restaurant_application"] = apply(org, food, person)
    return made


def test_every_figure_over_this_year(org, data, django_assert_max_num_queries) -> None:
    with (
        at("2026-12-01"),
        django_assert_max_num_queries(6),
    ):  # bundles, applications, members, events, calendar
        figures = bundle_figures(start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 1))
    moving, food = (
        next(r for r in figures.rows if r.bundle.code == code) for code in ("moving", "restaurant")
    )
    # 我要搬家: on_time, late, waiting, withdrawn (last year's is outside)
    assert (moving.applications, moving.closed) == (4, 1)
    assert (moving.results_ready, moving.with_promise, moving.on_time) == (2, 2, 1)
    assert moving.on_time_share == 0.5 and moving.on_time_percent == 50.0
    assert moving.average_working_days == (2 + 13) / 2
    assert moving.counted == 3  # the withdrawn one saved nothing
    assert (moving.visits.separately, moving.visits.bundled, moving.visits.saved) == (3 * (2 + 1), 3 * 1, 6)
    assert (moving.materials.separately, moving.materials.bundled, moving.materials.saved) == (
        3 * 5,
        3 * 3,
        6,
    )
    assert (moving.days.separately, moving.days.bundled, moving.days.saved) == (3 * (5 + 8), 3 * 6, 21)
    # 我要开小餐馆: one application, nothing ready yet
    assert (food.applications, food.closed, food.results_ready) == (1, 0, 0)
    assert food.on_time_share is None and food.average_working_days is None
    assert (food.visits.separately, food.visits.bundled) == (4, 1)
    # separately 3 + 4 + 3 + 2 = 12; merged: form, ID card, lease, 营业执照, layout, design = 6
    assert (food.materials.separately, food.materials.bundled) == (12, 6)
    assert (food.days.separately, food.days.bundled) == (0 + 10 + 10 + 0, 10)
    total = figures.total
    assert (total.applications, total.closed, total.results_ready, total.on_time) == (5, 1, 2, 1)
    assert total.on_time_share == 0.5 and total.average_working_days == 7.5
    assert (total.visits.saved, total.materials.saved, total.days.saved) == (6 + 3, 6 + 6, 21 + 10)


def test_a_chosen_period(org, data) -> None:
    figures = bundle_figures(start=dt.date(2026, 11, 3), end=dt.date(2026, 11, 30))
    moving, food = (
        next(r for r in figures.rows if r.bundle.code == code) for code in ("moving", "restaurant")
    )
    # late, waiting, withdrawn
    assert (moving.applications, moving.closed, moving.results_ready, moving.on_time) == (3, 0, 1, 0)
    assert moving.on_time_share == 0 and moving.average_working_days == 13
    assert (moving.visits.saved, moving.materials.saved, moving.days.saved) == (2 * 2, 2 * 2, 2 * 7)
    assert food.applications == 0 and food.visits.separately == 0  # published: listed with nothing
    old = bundle_figures(start=dt.date(2025, 12, 31), end=dt.date(2025, 12, 31)).rows
    assert [(r.bundle.code, r.applications) for r in old] == [("moving", 1), ("restaurant", 0)]


def test_the_page_shows_the_figures_for_every_staff_member(
    org, data, client_for, django_assert_max_num_queries
) -> None:
    with at("2026-12-01"):
        client = client_for("operator")  # any staff member
        with django_assert_max_num_queries(12):
            response = client.get("/bundles/figures/")
        page = response.content.decode()
        assert response.status_code == 200 and "统计期间：2026-01-01 至 2026-12-01" in page
        row = page[page.index('data-bundle="moving"') :]
        row = row[: row.index("</tr>")]
        for figure, value in (("applications", "4"), ("closed", "1"), ("on_time", "50%1/2"),
                              ("average_days", "7.5"), ("visits_saved", "6"), ("materials_saved", "6"),
                              ("days_saved", "21")):  # fmt: skip
            cell = row[row.index(f'data-figure="{figure}"') :]
            assert re.sub(r"<[^>]+>", "", cell[cell.index(">") + 1 : cell.index("</td>")]) == value, figure
        assert 'data-bundle="total"' in page and "合计" in page
        chosen = client.get("/bundles/figures/?start=2026-11-03&end=2026-11-30").content.decode()
        assert "统计期间：2026-11-03 至 2026-11-30" in chosen and "0%" in chosen


def test_a_bad_period_is_explained(org, client_for) -> None:
    client = client_for("clerk")
    reversed_period = client.get("/bundles/figures/?start=2026-11-30&end=2026-11-01")
    assert (
        reversed_period.status_code == 400 and "截止日期不能早于起始日期" in reversed_period.content.decode()
    )
    garbage = client.get("/bundles/figures/?start=soon")
    assert garbage.status_code == 400 and "统计期间有误" in garbage.content.decode()
    assert client_for("applicant").get("/bundles/figures/").status_code == 404
