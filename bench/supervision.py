"""效能监察 figures over a league's year of cases on PostgreSQL:
``python -m bench.supervision [--cases 5000000] [--keep] [--reuse]`` (or ``make bench-supervision``).

1. A throwaway database (``yichuang_bench_supervision`` on 127.0.0.1, dropped and recreated), migrated; a
   league of 12 banners × 35 departments, 8 items each, clerks, reviewers, windows with a daily sign-in
   log, applicants (ORM); then ``--cases`` cases over the year up to 2026-11-20 16:00 (the bench's now, in
   the busiest hours) with their timeline events and some 免证办 materials, written with ``COPY``
   (``bench.supervision_data``).
2. The nightly roll-up of the whole year, first time (``rollup(today=…)``), timed; then today's roll-up as
   the periodic job would have left it ``JOB_INTERVAL`` ago (``rollup_today``), timed, so that the live part
   holds the facts of the last minutes of the busiest hour.
3. The dashboard: ``case_figures`` in process, ``GET /api/v1/supervision/figures`` and ``GET /supervision/``
   as the inspector through Django's test ``Client`` in this process (time frozen at the bench's now),
   for this month, last month, the quarter and the whole year, each dimension in turn; p50/p95 per kind.
4. A direct aggregation: hand-written SQL over ``cases_case`` (not through ``facts``/``rollup``) for the same
   periods and dimensions, timed, and every count of every row compared with the dashboard's figures.

Prints a summary table and a JSON line. Target: dashboard p95 < 300 ms and an exact match.
Exit status 0 within target and matching, 1 on a mismatch or over target, 2 without PostgreSQL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from typing import Any

from bench.server import (
    BenchError,
    PostgresUnavailable,
    code_commit,
    manage,
    postgres_version,
    recreate_database,
)
from bench.supervision_data import NOW, TODAY

DATABASE_URL = "postgres://postgres@127.0.0.1:5432/yichuang_bench_supervision"
TARGET_P95_MS = 300.0
# How long ago the periodic job (sweep, roll-up, today's roll-up) last ran at the bench's now.
JOB_INTERVAL = dt.timedelta(minutes=5)
DIMENSIONS = ("department", "item", "window", "staff")
COUNTS = (
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
)


def periods(today: dt.date = TODAY) -> dict[str, tuple[dt.date, dt.date]]:
    month = today.replace(day=1)
    last_month = (month - dt.timedelta(days=1)).replace(day=1)
    quarter = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    return {
        "month": (month, today),
        "last_month": (last_month, month - dt.timedelta(days=1)),
        "quarter": (quarter, today),
        "year": (today - dt.timedelta(days=364), today),
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=5_000_000, help="cases to generate (default 5,000,000)")
    parser.add_argument(
        "--requests",
        type=int,
        default=64,
        help="measured requests per kind (function, API, page), taken in turn over 4 periods × 4 dimensions",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure a database kept by --keep, without regenerating (migrated to this code first)",
    )
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_SUPERVISION_DATABASE_URL", DATABASE_URL)
    )
    return parser.parse_args(argv)


def _setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["YICHUANG_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _drop(database_url: str) -> None:
    import psycopg
    from psycopg import sql

    name = database_url.rsplit("/", 1)[1]
    server = database_url.rsplit("/", 1)[0] + "/postgres"
    from django.db import connections

    connections.close_all()
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def _now() -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(TODAY, NOW))


def _live_events(since: dt.datetime | None) -> int:
    """Timeline events from the live part's start on: the steps the dashboard aggregates live."""
    from yichuang.cases.models import CaseEvent

    return CaseEvent.objects.filter(at__gte=since).count() if since else -1


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


# --- generation -----------------------------------------------------------------------------------


def generate(database_url: str, count: int) -> dict[str, Any]:
    from bench import supervision_data

    started = time.perf_counter()
    recreate_database(database_url)
    manage("migrate", "--noinput", database_url=database_url, timeout_s=900)
    migrated = time.perf_counter() - started
    _setup_django(database_url)
    started = time.perf_counter()
    ref = supervision_data.build_reference()
    reference_s = time.perf_counter() - started
    print(f"  migrated in {migrated:.1f} s; reference data in {reference_s:.1f} s: {ref.counts}", flush=True)
    started = time.perf_counter()

    def progress(totals: dict[str, float]) -> None:
        elapsed = time.perf_counter() - started
        print(
            f"  {int(totals['cases']):>9,} cases, {int(totals['events']):>10,} events, "
            f"{int(totals['materials']):>8,} materials — {elapsed:6.1f} s",
            flush=True,
        )

    totals = supervision_data.copy_cases(database_url, ref, count, progress)
    copy_s = time.perf_counter() - started
    return {
        "migrate_s": round(migrated, 1),
        "reference_s": round(reference_s, 1),
        "copy_s": round(copy_s, 1),
        "python_s": round(totals["python_s"], 1),
        "copy_only_s": round(totals["copy_s"], 1),
        "analyze_s": round(totals["analyze_s"], 1),
        "cases": int(totals["cases"]),
        "events": int(totals["events"]),
        "materials": int(totals["materials"]),
        **ref.counts,
    }


# --- the dashboard --------------------------------------------------------------------------------


def _timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return (time.perf_counter() - started) * 1000, result


def measure_dashboard(
    requests: int,
) -> tuple[list[dict[str, Any]], dict[tuple[str, str], dict[int, list[int]]]]:
    """p50/p95 per kind, the periods and dimensions taken in turn after one unmeasured call of each; and the
    figures read, for the comparison."""
    import time_machine
    from django.core.cache import cache
    from django.test import Client

    from yichuang.accounts.models import User
    from yichuang.supervision.figures import case_figures

    # No setup_test_environment(): its instrumented template rendering copies every context for the test
    # client, which would make the page several times slower than it is in production.
    frozen = _now()
    client = Client()
    client.force_login(User.objects.get(username="bench_inspector"))
    figures: dict[tuple[str, str], dict[int, list[int]]] = {}
    out: list[dict[str, Any]] = []

    def call_function(start: dt.date, end: dt.date, dimension: str) -> Any:
        return case_figures(start=start, end=end, dimension=dimension, today=TODAY)

    def call_api(start: dt.date, end: dt.date, dimension: str) -> Any:
        response = client.get(
            "/api/v1/supervision/figures",
            {"start": start.isoformat(), "end": end.isoformat(), "dimension": dimension},
        )
        if response.status_code != 200:
            raise BenchError(f"API answered {response.status_code}: {response.content[:300]!r}")
        return response

    def call_page(start: dt.date, end: dt.date, dimension: str) -> Any:
        response = client.get(
            "/supervision/", {"start": start.isoformat(), "end": end.isoformat(), "dimension": dimension}
        )
        if response.status_code != 200:
            raise BenchError(f"dashboard answered {response.status_code}: {response.content[:300]!r}")
        return response

    kinds = (("case_figures", call_function), ("api_figures", call_api), ("page_dashboard", call_page))
    combos = [(period, span, dimension) for period, span in periods().items() for dimension in DIMENSIONS]
    with time_machine.travel(frozen, tick=False):
        for kind, call in kinds:
            # The first call of each combination, with the cache emptied first: what the first reader after a
            # roll-up waits (the closed days' sums are then cached under the roll-up's version).
            cache.clear()
            cold: list[float] = []
            for period, (start, end), dimension in combos:  # warm-up, and the figures for the comparison
                ms, result = _timed(lambda: call(start, end, dimension))  # noqa: B023
                cold.append(ms)
                if kind == "case_figures":
                    figures[(period, dimension)] = {
                        row.key: [getattr(row, name) for name in COUNTS] for row in result.rows
                    }
                elif kind == "api_figures":
                    body = result.json()
                    api = {row["key"]: [row[name] for name in COUNTS] for row in body["rows"]}
                    if api != figures[(period, dimension)]:
                        raise BenchError(
                            f"the API's figures differ from case_figures ({period}, {dimension})"
                        )
            timings: dict[tuple[str, str], list[float]] = {(p, d): [] for p, _s, d in combos}
            for n in range(requests):
                period, (start, end), dimension = combos[n % len(combos)]
                ms, _result = _timed(lambda: call(start, end, dimension))  # noqa: B023
                timings[(period, dimension)].append(ms)
            every = [ms for values in timings.values() for ms in values]
            row: dict[str, Any] = {
                "kind": kind,
                "requests": len(every),
                "p50_ms": round(_percentile(every, 50), 1),
                "p95_ms": round(_percentile(every, 95), 1),
                "max_ms": round(max(every), 1),
                "cold_p50_ms": round(_percentile(cold, 50), 1),
                "cold_max_ms": round(max(cold), 1),
                "p95_by_period_ms": {
                    p: round(_percentile([ms for (q, _d), v in timings.items() if q == p for ms in v], 95), 1)
                    for p in periods()
                },
                "p95_by_dimension_ms": {
                    d: round(_percentile([ms for (_q, e), v in timings.items() if e == d for ms in v], 95), 1)
                    for d in DIMENSIONS
                },
                "p50_by_combination_ms": {
                    f"{p}/{d}": round(_percentile(v, 50), 1) for (p, d), v in timings.items()
                },
            }
            out.append(row)
            print(
                f"  {kind:<15} n={row['requests']} p50 {row['p50_ms']:7.1f} ms  p95 {row['p95_ms']:7.1f} ms  "
                f"max {row['max_ms']:7.1f} ms\n    first call, cache cold: p50 {row['cold_p50_ms']} ms, "
                f"max {row['cold_max_ms']} ms\n    p95 by period {row['p95_by_period_ms']}\n"
                f"    p95 by dimension {row['p95_by_dimension_ms']}\n"
                f"    p50 by combination {row['p50_by_combination_ms']}",
                flush=True,
            )
    return out, figures


# --- the direct aggregation -----------------------------------------------------------------------

LOCAL = "AT TIME ZONE 'Asia/Shanghai'"

# The window a clerk was signed in at when he accepted: his own latest log entry up to that moment, if that
# window's latest entry up to that moment still names him as its clerk.
WINDOW_JOIN = """
LEFT JOIN LATERAL (
    SELECT e.window_id FROM hall_windowevent e
    WHERE e.clerk_id = c.accepted_by_id AND e.at <= c.accepted_at
    ORDER BY e.at DESC, e.id DESC LIMIT 1
) own ON true
LEFT JOIN LATERAL (
    SELECT e.clerk_id FROM hall_windowevent e
    WHERE e.window_id = own.window_id AND e.at <= c.accepted_at
    ORDER BY e.at DESC, e.id DESC LIMIT 1
) held ON true
"""
WINDOW_KEY = "CASE WHEN held.clerk_id = c.accepted_by_id THEN own.window_id END"

KEY_OF: dict[str, dict[str, str]] = {
    "department": {
        "submitted": "c.department_id",
        "accepted": "c.department_id",
        "decided": "c.department_id",
    },
    "item": {"submitted": "c.item_id", "accepted": "c.item_id", "decided": "c.item_id"},
    "staff": {"accepted": "c.accepted_by_id", "decided": "c.decided_by_id"},
    "window": {"accepted": WINDOW_KEY},
}


def _zeros(before: int, after: int) -> tuple[str, str]:
    return ", ".join(["0"] * before), ", ".join(["0"] * after)


def direct_sql(dimension: str) -> str:
    keys = KEY_OF[dimension]
    parts = []
    if "submitted" in keys:
        _b, after = _zeros(0, 10)
        parts.append(
            f"SELECT COALESCE({keys['submitted']}, 0) AS k, count(*) AS n, {after} FROM cases_case c "
            f"WHERE (c.submitted_at {LOCAL})::date BETWEEN %(start)s AND %(end)s GROUP BY 1"
        )
    if "accepted" in keys:
        window = WINDOW_JOIN if dimension == "window" else ""
        _b, after = _zeros(0, 5)
        parts.append(
            f"""SELECT COALESCE({keys["accepted"]}, 0), 0, count(*),
                count(*) FILTER (WHERE c.channel IN ('online', 'mobile')),
                count(*) FILTER (WHERE c.kind = 'immediate'),
                count(*) FILTER (WHERE u.role = 'clerk'),
                count(*) FILTER (WHERE x.case_id IS NOT NULL),
                {after}
            FROM cases_case c
            LEFT JOIN accounts_user u ON u.id = c.accepted_by_id
            LEFT JOIN (
                SELECT DISTINCT m.case_id FROM cases_casematerial m
                WHERE m.licence_identifier <> '' OR m.state = 'exempt'
            ) x ON x.case_id = c.id
            {window}
            WHERE c.accepted_at IS NOT NULL AND (c.accepted_at {LOCAL})::date BETWEEN %(start)s AND %(end)s
            GROUP BY 1"""
        )
    if "decided" in keys:
        before, _a = _zeros(6, 0)
        parts.append(
            f"""SELECT COALESCE({keys["decided"]}, 0), {before}, count(*),
                count(*) FILTER (WHERE c.due_date IS NULL OR c.decided_day <= c.due_date),
                count(*) FILTER (WHERE c.decided_day < c.due_date),
                count(*) FILTER (WHERE c.decided_day > c.due_date),
                COALESCE(sum(od.ordinal - oa.ordinal), 0)
            FROM (
                SELECT c.*, (c.decided_at {LOCAL})::date AS decided_day,
                       (c.accepted_at {LOCAL})::date AS accepted_day
                FROM cases_case c WHERE c.decided_at IS NOT NULL
            ) c
            LEFT JOIN supervision_workdayordinal od ON od.day = c.decided_day
            LEFT JOIN supervision_workdayordinal oa ON oa.day = c.accepted_day
            WHERE c.decided_day BETWEEN %(start)s AND %(end)s
            GROUP BY 1"""
        )
    sums = ", ".join(f"sum(u.c{n})::bigint" for n in range(len(COUNTS)))
    columns = ", ".join(["k", *(f"c{n}" for n in range(len(COUNTS)))])
    union = " UNION ALL ".join(f"({part})" for part in parts)
    return f"SELECT u.k, {sums} FROM ({union}) AS u ({columns}) GROUP BY u.k"


def direct(database_url: str) -> tuple[list[dict[str, Any]], dict[tuple[str, str], dict[int, list[int]]]]:
    import psycopg

    out: list[dict[str, Any]] = []
    figures: dict[tuple[str, str], dict[int, list[int]]] = {}
    with psycopg.connect(database_url) as conn:
        for period, (start, end) in periods().items():
            total = 0.0
            for dimension in DIMENSIONS:
                started = time.perf_counter()
                rows = conn.execute(direct_sql(dimension), {"start": start, "end": end}).fetchall()
                seconds = time.perf_counter() - started
                total += seconds
                figures[(period, dimension)] = {int(r[0]): [int(v) for v in r[1:]] for r in rows}
                out.append({"period": period, "dimension": dimension, "seconds": round(seconds, 2)})
            print(f"  direct aggregation {period:<10} {total:7.1f} s (4 dimensions)", flush=True)
    return out, figures


def compare(
    dashboard: dict[tuple[str, str], dict[int, list[int]]], raw: dict[tuple[str, str], dict[int, list[int]]]
) -> list[str]:
    """Every count of every row; rows with only zeros (e.g. overdue-only rows) count as absent."""
    differences = []
    for combo, expected in raw.items():
        shown = {k: v for k, v in dashboard.get(combo, {}).items() if any(v)}
        wanted = {k: v for k, v in expected.items() if any(v)}
        for key in sorted(set(shown) | set(wanted)):
            a, b = shown.get(key), wanted.get(key)
            if a != b:
                detail = (
                    {n: (x, y) for n, x, y in zip(COUNTS, a, b, strict=True) if x != y} if a and b else (a, b)
                )
                differences.append(f"{combo[0]}/{combo[1]} key {key}: dashboard vs direct {detail}")
    return differences


# --- main -----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        version = postgres_version(args.database_url)
    except PostgresUnavailable as error:
        print(f"supervision: {error}", file=sys.stderr)
        return 2
    summary: dict[str, Any] = {"bench": "supervision", "postgres": version, "commit": code_commit()}
    try:
        if args.reuse:
            manage("migrate", "--noinput", database_url=args.database_url, timeout_s=900)
            _setup_django(args.database_url)
            from yichuang.cases.models import Case

            summary["generation"] = {"reused": True, "cases": Case.objects.count()}
        else:
            print(f"supervision: generating {args.cases:,} cases up to {TODAY} …", flush=True)
            started = time.perf_counter()
            summary["generation"] = generate(args.database_url, args.cases)
            summary["generation"]["seconds"] = round(time.perf_counter() - started, 1)
        print(f"  generation: {summary['generation']}", flush=True)

        from yichuang.supervision.rollup import rollup, rollup_today

        started = time.perf_counter()
        rolled = rollup(today=TODAY)
        summary["rollup"] = {
            "seconds": round(time.perf_counter() - started, 1),
            "rows": rolled["rows"],
            "from": str(rolled["from"]),
            "to": str(rolled["to"]),
        }
        print(f"  roll-up: {summary['rollup']}", flush=True)
        started = time.perf_counter()
        partial = rollup_today(now=_now() - JOB_INTERVAL)
        summary["rollup_today"] = {
            "seconds": round(time.perf_counter() - started, 1),
            "rows": partial["rows"],
            "until": str(partial["partial_until"]),
            "live_events": _live_events(partial["partial_until"]),
        }
        print(f"  today's roll-up: {summary['rollup_today']}", flush=True)
        timings, shown = measure_dashboard(args.requests)
        summary["dashboard"] = timings
        direct_times, raw = direct(args.database_url)
        summary["direct"] = direct_times
        differences = compare(shown, raw)
        summary["differences"] = differences[:50]
        summary["difference_count"] = len(differences)
    except BenchError as error:
        print(f"supervision: {error}", file=sys.stderr)
        return 1
    finally:
        if not args.keep and not args.reuse and "generation" in summary:
            _drop(args.database_url)
    summary["python"] = platform.python_version()
    print(_table(summary))
    print(json.dumps(summary, ensure_ascii=False, default=str))
    worst = max(row["p95_ms"] for row in summary["dashboard"] if row["kind"] == "page_dashboard")
    if differences:
        for line in differences[:50]:
            print("  " + line)
        print(f"supervision: {len(differences)} differences between the dashboard and the direct aggregation")
        return 1
    print("supervision: match: exactly")
    within = worst < TARGET_P95_MS
    print(
        f"supervision: dashboard p95 {worst} ms — {'within' if within else 'OVER'} "
        f"the {TARGET_P95_MS:.0f} ms target"
    )
    return 0 if within else 1


def _table(summary: dict[str, Any]) -> str:
    generation = summary["generation"]
    lines = ["", "| step | figure |", "|---|---|"]
    if generation.get("reused"):
        lines.append(f"| generation | reused database, {generation['cases']:,} cases |")
    else:
        lines.append(
            f"| generation | {generation['seconds']} s ({generation['cases']:,} cases, "
            f"{generation['events']:,} events, {generation['materials']:,} materials; "
            f"COPY {generation['copy_s']} s of which Python {generation['python_s']} s) |"
        )
    rollup = summary["rollup"]
    lines.append(
        f"| roll-up {rollup['from']} … {rollup['to']} | {rollup['seconds']} s, {rollup['rows']:,} rows |"
    )
    today = summary["rollup_today"]
    lines.append(
        f"| today's roll-up up to {today['until']} | {today['seconds']} s, {today['rows']:,} rows; "
        f"live part from there: {today['live_events']:,} events |"
    )
    for row in summary["dashboard"]:
        spans = ", ".join(f"{p} {ms}" for p, ms in row["p95_by_period_ms"].items())
        lines.append(
            f"| {row['kind']} (n={row['requests']}) | p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms "
            f"(p95 ms by period: {spans}); first call, cache cold: p50 {row['cold_p50_ms']} ms, "
            f"max {row['cold_max_ms']} ms |"
        )
    by_period: dict[str, float] = {}
    for row in summary["direct"]:
        by_period[row["period"]] = by_period.get(row["period"], 0.0) + row["seconds"]
    for period, seconds in by_period.items():
        lines.append(f"| direct aggregation {period} (4 dimensions) | {seconds:.1f} s |")
    count = summary["difference_count"]
    lines.append(f"| match | {'exactly' if not count else f'{count} differences'} |")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
