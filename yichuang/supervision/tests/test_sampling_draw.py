"""The draw algorithm (pure): every draw ≥ 10% of its month's population, and after the December draw every
item present in December was drawn at least once — for many population sizes and seeds, with items added
and retired during the year, and for a centre that starts mid-year."""

from __future__ import annotations

import random

import pytest

from yichuang.supervision.sampling import draw_for, minimum_sample


def run_year(
    sizes_by_month: dict[int, list[int]], *, seed: int, start: int = 1
) -> tuple[set[int], list[tuple[int, int, int]]]:
    """Draw months ``start``..12 over the populations given per month; returns (drawn, [(month, population,
    sample)])."""
    rng = random.Random(seed)
    drawn: set[int] = set()
    sizes = []
    for month in range(start, 13):
        population = sizes_by_month[month]
        plan = draw_for(2026, month, population, drawn, rng)
        assert len(set(plan.sample)) == plan.sample_size, "an item is drawn twice in one month"
        assert set(plan.sample) <= set(population)
        assert not set(plan.first) & drawn
        assert set(plan.repeat) <= drawn
        drawn |= set(plan.sample)
        sizes.append((month, len(population), plan.sample_size))
    return drawn, sizes


def test_minimum_sample_is_ceiling_of_ten_percent() -> None:
    assert [minimum_sample(n) for n in (0, 1, 9, 10, 11, 20, 21, 100, 101)] == [0, 1, 1, 1, 2, 2, 3, 10, 11]


@pytest.mark.parametrize("size", [*range(0, 41), 57, 99, 100, 101, 137, 250, 999, 1000, 1234])
def test_a_stable_population_is_covered_within_twelve_draws(size: int) -> None:
    population = list(range(1, size + 1))
    for seed in range(15):
        drawn, sizes = run_year(dict.fromkeys(range(1, 13), population), seed=seed)
        assert drawn == set(population)
        for month, population_size, sample in sizes:
            assert sample * 10 >= population_size, (size, seed, month)
            assert sample >= minimum_sample(population_size)


def test_the_load_is_spread_over_the_year() -> None:
    """With 1200 items each month takes 120 (10% and the even share agree): no December rush."""
    population = list(range(1200))
    _drawn, sizes = run_year(dict.fromkeys(range(1, 13), population), seed=7)
    assert [sample for _m, _p, sample in sizes] == [120] * 12


def test_re_inspection_fills_up_to_ten_percent_once_everything_was_drawn() -> None:
    """50 items: 5 a month; from the eleventh month on none is left, so the 10% are re-inspections."""
    population = list(range(50))
    rng = random.Random(3)
    drawn: set[int] = set()
    plans = []
    for month in range(1, 13):
        plan = draw_for(2026, month, population, drawn, rng)
        drawn |= set(plan.sample)
        plans.append(plan)
    assert [len(p.first) for p in plans] == [5] * 10 + [0, 0]
    assert [len(p.repeat) for p in plans] == [0] * 10 + [5, 5]


def random_year(rng: random.Random, start: int) -> dict[int, list[int]]:
    """A population that grows and shrinks month by month: items added (new ids) and retired."""
    current = list(range(rng.randint(0, 300)))
    next_id = len(current)
    by_month: dict[int, list[int]] = {}
    for month in range(start, 13):
        for _ in range(rng.randint(0, 25)):
            current.append(next_id)
            next_id += 1
        retire = rng.randint(0, min(10, len(current)))
        for item in rng.sample(current, retire):
            current.remove(item)
        by_month[month] = list(current)
    return by_month


@pytest.mark.parametrize("start", [1, 3, 6, 9, 12])
def test_items_added_and_retired_during_the_year_are_all_covered_by_december(start: int) -> None:
    """Items added mid-year join the not-yet-drawn pool; a centre starting in ``start`` still covers every
    item present in December."""
    for seed in range(150):
        by_month = random_year(random.Random(seed), start)
        drawn, sizes = run_year(by_month, seed=seed, start=start)
        assert set(by_month[12]) <= drawn, (start, seed)
        for month, population_size, sample in sizes:
            assert sample * 10 >= population_size, (start, seed, month)


def test_an_item_added_in_december_is_drawn_in_december() -> None:
    population = list(range(100))
    by_month = dict.fromkeys(range(1, 12), population)
    by_month[12] = [*population, 500]
    drawn, _sizes = run_year(by_month, seed=1)
    assert 500 in drawn


def test_a_mid_year_start_takes_more_each_month() -> None:
    """Starting in June with 140 items: 7 months left → 20 a month, not 14."""
    population = list(range(140))
    _drawn, sizes = run_year(dict.fromkeys(range(6, 13), population), seed=5, start=6)
    assert [sample for _m, _p, sample in sizes] == [20] * 7


def test_the_same_seed_reproduces_the_draw() -> None:
    population = list(range(300))
    drawn_before = set(range(0, 300, 3))
    one = draw_for(2026, 4, population, drawn_before, random.Random(42))
    two = draw_for(2026, 4, reversed(population), set(drawn_before), random.Random(42))
    other = draw_for(2026, 4, population, drawn_before, random.Random(43))
    assert one == two
    assert one.sample != other.sample


def test_a_month_outside_the_year_is_refused() -> None:
    with pytest.raises(ValueError, match="month"):
        draw_for(2026, 13, [1], set(), random.Random(1))
