"""事项抽查 services on the database: the population, the draw (idempotent, no future month, a missed month
allowed, mid-year additions, coverage within twelve draws), the inspection record and its validation, the
selectors, the command."""

from __future__ import annotations

import datetime as dt
import io
import random
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from yichuang.accounts.tests.factories import ApplicantFactory
from yichuang.cases import services as case_services
from yichuang.catalog import services as catalog_services
from yichuang.core.audit import audit_verify_chain
from yichuang.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from yichuang.core.models import AuditEvent
from yichuang.supervision import sampling
from yichuang.supervision.models_sampling import (
    Conclusion,
    Inspection,
    SampledItem,
    SampledItemStatus,
    SampleDraw,
)
from yichuang.supervision.selectors_sampling import sampling_summary, year_coverage
from yichuang.supervision.tests.sampling_setup import not_stationed_item, stationed_items

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))


def at(year: int, month: int, day: int = 10) -> Any:
    return time_machine.travel(dt.datetime(year, month, day, 10, 0, tzinfo=TZ), tick=False)


def draw(org: Any, year: int, month: int, **kwargs: Any) -> SampleDraw:
    result, _created = sampling.sample_draw(actor=org.user("inspector"), year=year, month=month, **kwargs)
    return result


def test_the_population_is_the_stationed_handling_items_in_use(org: Any) -> None:
    items = stationed_items(org, 3)
    hidden = not_stationed_item(org)
    retired = items[2]
    change = catalog_services.change_request_propose_retire(
        actor=org.user("admin"), item=retired, reason="取消"
    )
    catalog_services.change_request_approve(actor=org.user("admin"), change_request=change)
    population = set(sampling.sampling_population().values_list("pk", flat=True))
    assert population == {items[0].pk, items[1].pk}
    assert hidden.pk not in population


def test_a_draw_takes_ten_percent_records_its_seed_and_leaves_an_audit_event(org: Any) -> None:
    items = stationed_items(org, 25)
    with at(2026, 1):
        first, created = sampling.sample_draw(actor=org.user("inspector"), year=2026, month=1)
    assert created
    assert first.population_size == 25
    assert first.sample_size == 3  # ceil(10% of 25) = 3 ≥ ceil(25 / 12) = 3
    assert first.drawn_by == org.user("inspector")
    rows = list(first.items.all())
    assert len(rows) == 3
    assert all(row.first_this_year and row.status == SampledItemStatus.PENDING for row in rows)
    by_id = {item.pk: item for item in items}
    assert all(row.department_id == by_id[row.item_id].department_id for row in rows)
    # The stored seed reproduces the sample.
    plan = sampling.draw_for(2026, 1, by_id, set(), random.Random(first.seed))
    assert set(plan.sample) == {row.item_id for row in rows}
    event = AuditEvent.objects.get(action="supervision.sample_drawn")
    assert event.data["seed"] == first.seed and sorted(event.data["first"]) == sorted(plan.first)
    assert audit_verify_chain().ok


def test_drawing_a_month_again_returns_the_existing_draw(org: Any) -> None:
    stationed_items(org, 12)
    with at(2026, 3):
        one, created_one = sampling.sample_draw(actor=org.user("inspector"), year=2026, month=3)
        two, created_two = sampling.sample_draw(actor=org.user("admin"), year=2026, month=3)
        three, created_three = sampling.sample_draw(actor=None, year=2026, month=3)
    assert created_one and not created_two and not created_three
    assert one.pk == two.pk == three.pk
    assert SampleDraw.objects.count() == 1
    assert SampledItem.objects.count() == one.sample_size
    assert AuditEvent.objects.filter(action="supervision.sample_drawn").count() == 1


def test_a_future_month_is_refused_and_a_missed_one_is_allowed(org: Any) -> None:
    stationed_items(org, 12)
    with at(2026, 5):
        with pytest.raises(ApplicationError) as refused:
            sampling.sample_draw(actor=org.user("inspector"), year=2026, month=6)
        assert refused.value.code == "future_month"
        with pytest.raises(ApplicationError):
            sampling.sample_draw(actor=org.user("inspector"), year=2027, month=1)
        with pytest.raises(ApplicationError) as bad:
            sampling.sample_draw(actor=org.user("inspector"), year=2026, month=13)
        assert "month" in bad.value.fields
        missed = draw(org, 2026, 2)
    assert missed.month == 2 and missed.sample_size == 2  # 12 items, 11 months left: ceil(12/11) = 2
    assert not SampleDraw.objects.filter(month=6).exists()


@pytest.mark.parametrize("key", ["clerk", "chief_rep", "reviewer", "handler", "applicant"])
def test_only_inspector_and_admin_draw(org: Any, key: str) -> None:
    stationed_items(org, 2)
    with at(2026, 1), pytest.raises(PermissionDeniedError):
        sampling.sample_draw(actor=org.user(key), year=2026, month=1)
    assert not SampleDraw.objects.exists()


def test_twelve_draws_cover_every_item_including_those_added_during_the_year(org: Any) -> None:
    items = stationed_items(org, 23)
    for month in range(1, 13):
        if month == 7:  # eight items published in July join the pool
            items += stationed_items(org, 8, start=100)
        with at(2026, month):
            done = draw(org, 2026, month)
        assert done.sample_size * 10 >= done.population_size
        assert done.population_size == len(items)
    drawn = set(SampledItem.objects.filter(draw__year=2026).values_list("item_id", flat=True))
    assert drawn == {item.pk for item in items}
    coverage = year_coverage(year=2026)
    assert (coverage.population, coverage.drawn, coverage.remaining) == (31, 31, 0)
    assert [m.sample_size for m in coverage.months] == list(
        SampleDraw.objects.order_by("month").values_list("sample_size", flat=True)
    )
    # A new year starts over.
    with at(2027, 1):
        again = draw(org, 2027, 1)
    assert all(row.first_this_year for row in again.items.all())


def test_a_centre_starting_in_june_covers_its_items_by_december(org: Any) -> None:
    items = stationed_items(org, 30)
    sizes = []
    for month in range(6, 13):
        with at(2026, month):
            sizes.append(draw(org, 2026, month).sample_size)
    assert sizes[0] == 5  # 30 items, 7 months left: ceil(30/7) = 5 > ceil(10%) = 3
    assert sum(sizes) == 30
    assert set(SampledItem.objects.values_list("item_id", flat=True)) == {item.pk for item in items}


def test_the_scheduled_command_draws_the_current_month_once(org: Any) -> None:
    stationed_items(org, 10)
    out = io.StringIO()
    with at(2026, 4):
        call_command("supervision_draw", stdout=out)
        call_command("supervision_draw", stdout=out)
        call_command("supervision_draw", "--year", "2026", "--month", "2", stdout=out)
    draws = list(SampleDraw.objects.order_by("month"))
    assert [(d.year, d.month) for d in draws] == [(2026, 2), (2026, 4)]
    assert draws[1].drawn_by is None
    text = out.getvalue()
    assert "2026年4月" in text and "已抽取过" in text


def test_the_command_reports_a_refused_month(org: Any) -> None:
    from django.core.management.base import CommandError

    with at(2026, 4), pytest.raises(CommandError, match="尚未到来"):
        call_command("supervision_draw", "--year", "2026", "--month", "9", stdout=io.StringIO())


# ——— inspections ———


@pytest.fixture
def sampled(org: Any) -> SampledItem:
    stationed_items(org, 1, department=org.scjg)
    with at(2026, 3):
        made = draw(org, 2026, 3)
    return made.items.get()


def case_of(org: Any, item: Any) -> Any:
    return case_services.case_submit(
        actor=org.user("clerk"), item=item, applicant=ApplicantFactory(), channel="window"
    )


def test_an_inspection_is_recorded_once(org: Any, sampled: SampledItem) -> None:
    case = case_of(org, sampled.item)
    with at(2026, 3, 12):
        inspection = sampling.inspection_record(
            actor=org.user("inspector"),
            sampled_item=sampled,
            conclusion=Conclusion.PASS,
            guide_result="ok",
            materials_result="ok",
            case_numbers=f"{case.number.lower()}\n{case.number}",
        )
        with pytest.raises(ConflictError) as twice:
            sampling.inspection_record(
                actor=org.user("admin"), sampled_item=sampled, conclusion=Conclusion.PASS, guide_result="ok"
            )
    assert twice.value.code == "already_inspected"
    assert Inspection.objects.count() == 1
    assert inspection.case_numbers == [case.number]
    sampled.refresh_from_db()
    assert sampled.status == SampledItemStatus.INSPECTED
    assert AuditEvent.objects.filter(action="supervision.sample_inspected").count() == 1


def test_findings_rectification_and_due_date_are_required_unless_passed(
    org: Any, sampled: SampledItem
) -> None:
    with at(2026, 3, 12):
        for conclusion in (Conclusion.BASIC, Conclusion.FAIL):
            with pytest.raises(ApplicationError) as missing:
                sampling.inspection_record(
                    actor=org.user("inspector"),
                    sampled_item=sampled,
                    conclusion=conclusion,
                    guide_result="issue",
                )
            assert set(missing.value.fields) == {"findings", "rectification", "rectification_due"}
        with pytest.raises(ApplicationError) as past:
            sampling.inspection_record(
                actor=org.user("inspector"),
                sampled_item=sampled,
                conclusion=Conclusion.FAIL,
                guide_result="issue",
                findings="指南所列材料与窗口实际收取不一致",
                rectification="更新办事指南",
                rectification_due=dt.date(2026, 3, 12),
            )
        assert set(past.value.fields) == {"rectification_due"}
        assert not Inspection.objects.exists()
        recorded = sampling.inspection_record(
            actor=org.user("inspector"),
            sampled_item=sampled,
            conclusion=Conclusion.FAIL,
            guide_result="issue",
            time_limits_result="ok",
            findings="指南所列材料与窗口实际收取不一致",
            rectification="更新办事指南，统一窗口收件",
            rectification_due=dt.date(2026, 3, 26),
        )
    assert recorded.rectification_due == dt.date(2026, 3, 26)


def test_a_pass_with_an_aspect_found_wrong_or_with_nothing_checked_is_refused(
    org: Any, sampled: SampledItem
) -> None:
    with pytest.raises(ApplicationError) as contradiction:
        sampling.inspection_record(
            actor=org.user("inspector"),
            sampled_item=sampled,
            conclusion=Conclusion.PASS,
            materials_result="issue",
        )
    assert "conclusion" in contradiction.value.fields
    with pytest.raises(ApplicationError) as nothing:
        sampling.inspection_record(
            actor=org.user("inspector"), sampled_item=sampled, conclusion=Conclusion.PASS
        )
    assert "guide_result" in nothing.value.fields
    with pytest.raises(ApplicationError) as unknown:
        sampling.inspection_record(
            actor=org.user("inspector"), sampled_item=sampled, conclusion="great", guide_result="fine"
        )
    assert {"conclusion", "guide_result"} <= set(unknown.value.fields)
    # A pass keeps no rectification.
    passed = sampling.inspection_record(
        actor=org.user("inspector"),
        sampled_item=sampled,
        conclusion=Conclusion.PASS,
        guide_result="ok",
        rectification="无",
        rectification_due=dt.date(2030, 1, 1),
    )
    assert passed.rectification == "" and passed.rectification_due is None


def test_case_numbers_must_be_cases_of_the_item(org: Any, sampled: SampledItem) -> None:
    other_item = stationed_items(org, 1, start=50)[0]
    own = case_of(org, sampled.item)
    foreign = case_of(org, other_item)
    with pytest.raises(ApplicationError) as wrong:
        sampling.inspection_record(
            actor=org.user("inspector"),
            sampled_item=sampled,
            conclusion=Conclusion.PASS,
            case_numbers=[own.number, foreign.number, "NO-SUCH-CASE"],
        )
    message = wrong.value.fields["case_numbers"][0]
    assert foreign.number in message and "NO-SUCH-CASE" in message and own.number not in message
    assert not Inspection.objects.exists()


@pytest.mark.parametrize("key", ["chief_rep", "clerk", "reviewer"])
def test_only_inspector_and_admin_record_inspections(org: Any, sampled: SampledItem, key: str) -> None:
    with pytest.raises(PermissionDeniedError):
        sampling.inspection_record(
            actor=org.user(key), sampled_item=sampled, conclusion=Conclusion.PASS, guide_result="ok"
        )
    assert not Inspection.objects.exists()


def test_the_monthly_summary_counts_conclusions_and_lists_findings(org: Any) -> None:
    stationed_items(org, 30)
    with at(2026, 3):
        made = draw(org, 2026, 3)
    rows = list(made.items.order_by("pk"))
    assert len(rows) == 3
    with at(2026, 3, 20):
        sampling.inspection_record(
            actor=org.user("inspector"), sampled_item=rows[0], conclusion=Conclusion.PASS, guide_result="ok"
        )
        sampling.inspection_record(
            actor=org.user("inspector"),
            sampled_item=rows[1],
            conclusion=Conclusion.BASIC,
            materials_result="issue",
            findings="审核要点未在窗口公示",
            rectification="公示审核要点",
            rectification_due=dt.date(2026, 4, 3),
        )
    summary = sampling_summary(year=2026, month=3)
    assert (summary.sample_size, summary.inspected, summary.pending) == (3, 2, 1)
    assert summary.conclusions == {"pass": 1, "basic": 1, "fail": 0}
    assert [f.findings for f in summary.findings] == ["审核要点未在窗口公示"]
    # The chief representative of 市场监管局 sees his department's part only.
    scoped = sampling_summary(year=2026, month=3, actor=org.user("chief_rep"))
    mine = [row for row in rows if row.department_id == org.scjg.pk]
    assert scoped.sample_size == len(mine)
    assert all(f.sampled_item.department_id == org.scjg.pk for f in scoped.findings)
    coverage = year_coverage(year=2026)
    assert (coverage.population, coverage.drawn, coverage.inspected) == (30, 3, 2)
    assert coverage.months[2].sample_size == 3 and coverage.months[2].inspected == 2
    assert coverage.months[0].draw is None


def test_the_demo_catalogue_is_covered_within_twelve_draws() -> None:
    """The real demo-size catalogue, drawn month by month through the service."""
    from yichuang.accounts.demo import load_demo
    from yichuang.catalog.demo import load_demo_catalog

    admin = load_demo()
    load_demo_catalog(admin=admin)
    population = set(sampling.sampling_population().values_list("pk", flat=True))
    assert len(population) >= 50
    for month in range(1, 13):
        with at(2026, month):
            made, _created = sampling.sample_draw(actor=None, year=2026, month=month)
        assert made.population_size == len(population)
        assert made.sample_size * 10 >= made.population_size
    drawn = set(SampledItem.objects.values_list("item_id", flat=True))
    assert drawn == population
    assert audit_verify_chain().ok
