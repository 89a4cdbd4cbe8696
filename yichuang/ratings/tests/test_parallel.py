"""One rating per service under parallel submissions (PostgreSQL: several connections at once)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from yichuang.core.errors import ConflictError
from yichuang.ratings import services
from yichuang.ratings.models import Channel, Evaluation, Rectification
from yichuang.ratings.subjects import served_case
from yichuang.ratings.tests.helpers import closed_case


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="parallel writers are exercised on PostgreSQL (the in-memory SQLite test database locks whole tables)",
)
@pytest.mark.django_db(transaction=True)
def test_parallel_ratings_of_one_service_keep_one(org: Any) -> None:
    case = closed_case(org)
    threads_n = 8
    outcomes: list[str] = []
    start = threading.Barrier(threads_n)

    def rate(level: int) -> None:
        try:
            start.wait()
            services.evaluation_submit(served=served_case(case), channel=Channel.ONLINE, level=level)
            outcomes.append("rated")
        except ConflictError as error:
            outcomes.append(error.code)
        except BaseException as error:  # reported below
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=rate, args=(1 + n % 5,)) for n in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["already_rated"] * (threads_n - 1) + ["rated"]
    evaluation = Evaluation.objects.get()
    assert Rectification.objects.count() == (1 if evaluation.is_bad else 0)
