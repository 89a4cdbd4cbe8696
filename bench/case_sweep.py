"""The deadline sweep over a million open cases on PostgreSQL:
``python -m bench.case_sweep [--cases 1000000]`` (or ``make bench-sweep``).

A throwaway database (``bench_sweep`` on 127.0.0.1, dropped and recreated), migrations and the demo
centre (without the real catalogue); then ``--cases`` open cases of the demo items are written by one
``INSERT … SELECT generate_series`` — accepted, under review or in a special procedure, due dates spread
from 40 days ago to 60 days ahead, all marked ``normal``. Three sweeps are timed:

- *cold*: as of the previous working day, on data no sweep has seen (half the rows change state) — the
  worst case, e.g. the first sweep after an import;
- *daily*: as of today, after yesterday's sweep — what the scheduled sweep meets every day (the cases
  that cross a threshold overnight change);
- *repeat*: today again — nothing left to change (a sweep every few minutes).

Prints the seconds and counts of each run and a JSON line. Target: the daily sweep under 10 s.
Exit status 0 within target, 1 over, 2 no PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from typing import Any

from bench.server import BenchError, PostgresUnavailable, code_commit, fresh_demo_database

DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_sweep"
TARGET_SECONDS = 10.0

INSERT_SQL = """
INSERT INTO cases_case (
    number, item_id, item_version_id, department_id, applicant_id, channel, kind, status,
    submitted_at, submitted_by_id, idempotency_key, correction_notice_due, accepted_at, accepted_by_id,
    deemed_accepted, reviewer_id, limit_days, extension_days, paused_days, due_date, deadline_state,
    decision, decision_reason, decided_at, decided_by_id, refusal_reason, competent_office, closed_at,
    by_commitment, revoked_at, revoke_reason
)
SELECT
    -- item slot g mod items; k = g / items gives the day (k mod 30 days ago) and the sequence k / 30 + 1000
    v.code || to_char(%(today)s::date - ((g / %(items)s) %% 30), 'YYYYMMDD')
        || lpad(((g / %(items)s) / 30 + 1000)::text, 4, '0'),  -- 0001… are the demo's own
    v.item_id, v.version_id, v.department_id, %(applicant)s, 'window', 'promised',
    CASE WHEN g %% 10 = 0 THEN 'special_procedure' WHEN g %% 2 = 0 THEN 'in_review' ELSE 'accepted' END,
    now() - ((g %% 30) || ' days')::interval, %(user)s, NULL, %(today)s::date, now(), %(user)s,
    false, NULL, 20, 0, 0, %(today)s::date + ((g %% 100) - 40), 'normal',
    '', '', NULL, NULL, '', '', NULL, false, NULL, ''
FROM generate_series(0, %(count)s - 1) AS g
JOIN (
    SELECT row_number() OVER (ORDER BY i.id) - 1 AS slot, i.id AS item_id, iv.id AS version_id,
           i.department_id, iv.implementation_code AS code
    FROM catalog_serviceitem i JOIN catalog_itemversion iv ON iv.id = i.current_version_id
    WHERE length(iv.implementation_code) = 31
) AS v ON v.slot = g %% %(items)s
"""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--cases", type=int, default=1_000_000, help="open cases to sweep (default 1,000,000)"
    )
    parser.add_argument("--database-url", default=os.environ.get("BENCH_SWEEP_DATABASE_URL", DATABASE_URL))
    return parser.parse_args(argv)


def _setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _fill(count: int) -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from yichuang.accounts.models import Applicant, User
    from yichuang.catalog.models import ServiceItem

    today = timezone.localdate()
    items = ServiceItem.objects.filter(current_version__implementation_code__regex=r"^.{31}$").count()
    if items == 0:
        raise BenchError("the demo catalogue has no item with a 31-character 实施编码")
    # Case numbers must stay unique: 30 days × `items` codes × 4-digit sequence per day.
    if count > items * 30 * 9000:
        raise BenchError(f"at most {items * 30 * 9000} cases fit the numbering of {items} items")
    applicant = Applicant.objects.order_by("pk").first()
    user = User.objects.filter(role="clerk").order_by("pk").first()
    if applicant is None or user is None:
        raise BenchError("the demo centre has no applicant or clerk")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            INSERT_SQL,
            {"today": today, "applicant": applicant.pk, "user": user.pk, "count": count, "items": items},
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case")
    return {"items": items, "fill_seconds": round(time.perf_counter() - started, 1), "today": str(today)}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        version = fresh_demo_database(args.database_url)
    except PostgresUnavailable as error:
        print(f"case_sweep: {error}", file=sys.stderr)
        return 2
    _setup_django(args.database_url)
    from django.db.models import Count

    from yichuang.cases.models import Case
    from yichuang.cases.timing import cases_sweep

    print(f"case_sweep: filling {args.cases:,} open cases …", flush=True)
    filled = _fill(args.cases)
    from django.utils import timezone

    from yichuang.core.calendar import add_working_days

    today = timezone.localdate()
    runs = []
    for label, day in (("cold", add_working_days(today, -1)), ("daily", today), ("repeat", today)):
        started = time.perf_counter()
        report = cases_sweep(today=day)
        seconds = time.perf_counter() - started
        runs.append({"run": label, "day": str(day), "seconds": round(seconds, 2), **report})
        changed = sum(count for key, count in report.items() if key.startswith("to_"))
        print(
            f"  sweep {label:<6} as of {day}: {seconds:6.2f} s, {changed:>7,} cases changed state  {report}"
        )
    states = dict(Case.objects.values_list("deadline_state").annotate(n=Count("pk")).order_by())
    print(f"  deadline states after the sweep: {states}")
    result = {
        "bench": "case_sweep",
        "cases": args.cases,
        "postgres": version,
        "python": platform.python_version(),
        "commit": code_commit(),
        **filled,
        "runs": runs,
        "states": states,
        "target_seconds": TARGET_SECONDS,
    }
    print(json.dumps(result, ensure_ascii=False))
    daily = runs[1]["seconds"]
    within = daily < TARGET_SECONDS
    verdict = "within" if within else "OVER"
    print(f"case_sweep: daily sweep {daily} s — {verdict} the {TARGET_SECONDS:.0f} s target")
    return 0 if within else 1


if __name__ == "__main__":
    raise SystemExit(main())
