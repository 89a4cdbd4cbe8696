"""One draw per month and one inspection per sampled item under parallel submissions (PostgreSQL: several
connections at once)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from yichuang.core.audit import audit_verify_chain
from yichuang.core.errors import ConflictError
from yichuang.supervision import sampling
from yichuang.supervision.models_sampling import Inspection, SampledItem, SampleDraw
from yichuang.supervision.tests.sampling_setup import stationed_items

THREADS = 6

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="parallel writers are exercised on PostgreSQL (the in-memory SQLite test database locks whole tables)",
    ),
    pytest.mark.django_db(transaction=True),
]


def in_parallel(work: Callable[[int], str]) -> list[str]:
    outcomes: list[str] = []
    start = threading.Barrier(THREADS)

    def run(n: int) -> None:
        try:
            start.wait()
            outcomes.append(work(n))
        except ConflictError as error:
            outcomes.append(error.code)
        except BaseException as error:  # reported by the assertion
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_parallel_draws_of_one_month_make_one_draw(org: Any) -> None:
    stationed_items(org, 30)
    today = timezone.localdate()
    actors = [org.user("inspector"), org.user("admin"), None]

    def draw(n: int) -> str:
        made, created = sampling.sample_draw(actor=actors[n % 3], year=today.year, month=today.month)
        return f"{'created' if created else 'existing'}:{made.pk}"

    outcomes = in_parallel(draw)
    made = SampleDraw.objects.get()
    assert sorted(outcomes) == sorted([f"created:{made.pk}"] + [f"existing:{made.pk}"] * (THREADS - 1))
    assert SampledItem.objects.count() == made.sample_size
    assert audit_verify_chain().ok


def test_parallel_inspections_of_one_item_keep_one(org: Any) -> None:
    stationed_items(org, 5)
    today = timezone.localdate()
    made, _ = sampling.sample_draw(actor=org.user("inspector"), year=today.year, month=today.month)
    sampled = made.items.first()
    actors = [org.user("inspector"), org.user("admin")]

    def inspect(n: int) -> str:
        row = SampledItem.objects.get(pk=sampled.pk)
        sampling.inspection_record(
            actor=actors[n % 2], sampled_item=row, conclusion="pass", guide_result="ok"
        )
        return "recorded"

    outcomes = in_parallel(inspect)
    assert sorted(outcomes) == ["already_inspected"] * (THREADS - 1) + ["recorded"]
    assert Inspection.objects.count() == 1
