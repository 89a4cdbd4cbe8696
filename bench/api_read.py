"""Read-only API throughput and latency: ``python -m bench.api_read`` (or ``make bench``).

Starts the app under gunicorn against a fresh PostgreSQL database with the demo centre loaded,
issues a bearer token for ``admin`` and hammers four GET endpoints one after the other.
Exit status: 0 measured without errors, 1 some requests failed or setup failed, 2 no PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys

from bench.server import (
    BenchError,
    PostgresUnavailable,
    bearer,
    code_commit,
    fetch,
    issue_token,
    measure,
    postgres_version,
    resolve_database_url,
    running_app,
)

ENDPOINTS = [
    ("calendar year", "/api/v1/calendar/2026"),
    ("add working days", "/api/v1/calendar/add-working-days?start=2026-02-10&days=20"),
    ("departments", "/api/v1/departments"),
    ("applicants", "/api/v1/applicants?limit=50"),
]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.api_read", description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes (default 4)")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker; >1 = gthread (default 1)")
    parser.add_argument("--concurrency", type=int, default=8, help="client connections (default 8)")
    parser.add_argument(
        "--seconds", type=float, default=10.0, help="measured seconds per endpoint (default 10)"
    )
    parser.add_argument(
        "--warmup", type=float, default=1.0, help="unmeasured seconds per endpoint (default 1)"
    )
    parser.add_argument("--database-url", default=None, help="default: $BENCH_DATABASE_URL or the local one")
    args = parser.parse_args(argv)
    if not 0 < args.seconds <= 600 or not 0 <= args.warmup <= 60:
        parser.error("--seconds must be in (0, 600] and --warmup in [0, 60]")
    if not 1 <= args.concurrency <= 256:
        parser.error("--concurrency must be between 1 and 256")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    url = resolve_database_url(args.database_url)
    try:
        pg = postgres_version(url)
    except PostgresUnavailable as error:
        print(f"bench.api_read: {error}", file=sys.stderr)
        print(
            "Start PostgreSQL on 127.0.0.1 (or set BENCH_DATABASE_URL=postgres://USER@127.0.0.1:PORT/NAME) "
            "and run again.",
            file=sys.stderr,
        )
        return 2
    except BenchError as error:
        print(f"bench.api_read: {error}", file=sys.stderr)
        return 2

    print(
        f"api_read · commit {code_commit()} · PostgreSQL {pg} · Python {platform.python_version()} · "
        f"{os.cpu_count()} CPUs · gunicorn {args.workers} workers × {args.threads} threads · "
        f"concurrency {args.concurrency} · {args.seconds:g} s per endpoint",
        flush=True,
    )
    results: list[tuple[str, str, dict]] = []
    try:
        with running_app(workers=args.workers, threads=args.threads, database_url=url) as base:
            headers = bearer(issue_token("admin", database_url=url))
            for label, path in ENDPOINTS:
                status, body = fetch(base + path, headers=headers)
                if status != 200:
                    print(f"  ! {path} answered {status}: {body[:300].decode(errors='replace')}", flush=True)
                if args.warmup:
                    measure(
                        base + path, headers=headers, concurrency=args.concurrency, duration_s=args.warmup
                    )
                figures = measure(
                    base + path, headers=headers, concurrency=args.concurrency, duration_s=args.seconds
                )
                results.append((label, path, figures.as_dict()))
                print(f"  measured {label}: {figures.rps:.1f} req/s", flush=True)
    except BenchError as error:
        print(f"bench.api_read: {error}", file=sys.stderr)
        return 1

    print()
    print(_table(results))
    print()
    for _label, path, data in results:
        line = {
            "bench": "api_read",
            "endpoint": path,
            "workers": args.workers,
            "threads": args.threads,
            **data,
        }
        print(json.dumps(line, ensure_ascii=False))
    return 1 if any(data["errors"] for _label, _path, data in results) else 0


def _table(results: list[tuple[str, str, dict]]) -> str:
    header = ("endpoint", "requests", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms")
    rows = [
        (
            path,
            str(data["requests"]),
            str(data["errors"]),
            f"{data['rps']:.1f}",
            f"{data['p50_ms']:.1f}",
            f"{data['p95_ms']:.1f}",
            f"{data['p99_ms']:.1f}",
            f"{data['max_ms']:.1f}",
        )
        for _label, path, data in results
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def render(row: tuple[str, ...]) -> str:
        first = row[0].ljust(widths[0])
        rest = "  ".join(cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True))
        return f"{first}  {rest}"

    rule = "-" * len(render(header))
    return "\n".join([render(header), rule, *(render(row) for row in rows)])


if __name__ == "__main__":
    sys.exit(main())
