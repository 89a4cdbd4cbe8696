"""Full case lifecycles over the HTTP API: ``python -m bench.case_lifecycle`` (or ``make bench-cases``).

Starts the app under gunicorn (several workers, production settings) against a fresh PostgreSQL database
(``bench_cases`` by default) with the demo centre loaded, issues bearer tokens for the window clerk, the
market-regulation reviewer and the issuance window, and lets ``--clients`` concurrent clients each drive
whole cases through the API, one after the other:

    submit at the window (clerk, with an Idempotency-Key) → materials checked → accept
    → start review (reviewer) → approve → result ready → deliver (issuer, pickup)

Every step runs the real services: the row lock, the timeline and audit events, the written notices
(受理通知书, 准予决定书, 送达回证) and the SMS/e-mail notifications on each status change.
Prints lifecycles per second and p50/p95 per call (per endpoint and overall); target p95 < 150 ms at
32 clients. Exit status: 0 on target without errors, 1 when a call failed, setup failed or p95 is over
the target, 2 without PostgreSQL.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from bench.server import (
    BenchError,
    Figures,
    PostgresUnavailable,
    bearer,
    code_commit,
    gunicorn_pids,
    issue_token,
    manage,
    postgres_version,
    require_loopback,
    running_app,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_cases"
TARGET_P95_MS = 150.0
STEPS = ("submit", "materials", "accept", "review", "decide", "result-ready", "deliver")
MAX_ERRORS = 200  # stop early rather than hammer a broken server
REQUEST_TIMEOUT_S = 30.0
_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)

# Run by ``manage.py shell`` against the bench database: the promised items the demo reviewer may review
# (his department's subtree, with a 实施编码) and the demo applicants.
_SETUP_SCRIPT = """
import json
from yichuang.accounts.models import Applicant, User
from yichuang.accounts.policies import department_scope
from yichuang.catalog.models import ServiceItem
reviewer = User.objects.get(username="reviewer")
items = (
    ServiceItem.objects.filter(
        department__in=department_scope(reviewer), kind="handling", status="active",
        current_version__case_kind="2",
    )
    .exclude(current_version__implementation_code="")
    .order_by("pk")
    .values_list("pk", flat=True)
)
applicants = Applicant.objects.order_by("pk").values_list("pk", flat=True)
print(json.dumps({"items": list(items), "applicants": list(applicants)}))
"""

_COUNT_SCRIPT = """
import json
from django.db.models import Count
from yichuang.cases.models import Case, CaseNotice
from yichuang.core.models import Notification
print(json.dumps({
    "cases": dict(Case.objects.values_list("status").annotate(n=Count("pk")).order_by()),
    "notices": CaseNotice.objects.count(),
    "notifications": Notification.objects.count(),
}))
"""


def resolve_database_url(database_url: str | None) -> str:
    return database_url or os.environ.get("BENCH_CASES_DATABASE_URL") or DEFAULT_DATABASE_URL


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.case_lifecycle", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients (default 32)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes (default 4)")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker; >1 = gthread (default 1)")
    parser.add_argument("--seconds", type=float, default=30.0, help="measured seconds (default 30)")
    parser.add_argument("--warmup", type=float, default=5.0, help="unmeasured seconds first (default 5)")
    parser.add_argument(
        "--database-url", default=None, help="default: $BENCH_CASES_DATABASE_URL or " + DEFAULT_DATABASE_URL
    )
    args = parser.parse_args(argv)
    if not 0 < args.seconds <= 600 or not 0 <= args.warmup <= 120:
        parser.error("--seconds must be in (0, 600] and --warmup in [0, 120]")
    if not 1 <= args.clients <= 256:
        parser.error("--clients must be between 1 and 256")
    return args


class CallFailed(Exception):
    pass


@dataclass
class Tally:
    """What all clients saw; one lock guards it."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict[str, list[float]] = field(default_factory=lambda: {step: [] for step in STEPS})
    statuses: dict[str, Counter[str]] = field(default_factory=lambda: {step: Counter() for step in STEPS})
    errors: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STEPS, 0))
    error_sample: str = ""
    lifecycles: int = 0
    window: tuple[float, float] = (0.0, 0.0)  # perf_counter() bounds of the measured window
    window_calls: int = 0  # calls answered inside it, errors included (for the CPU per call)
    cpu_samples: list[Any] = field(default_factory=list)  # server CPU at the window's start and end

    @property
    def error_total(self) -> int:
        return sum(self.errors.values())


class LifecycleClient:
    """One client: its own HTTP connection, driving one case after another through the seven calls."""

    def __init__(
        self, base_url: str, tokens: dict[str, str], items: list[int], applicants: list[int]
    ) -> None:
        parts = urlsplit(base_url)
        self.host = require_loopback(parts.hostname, "the bench server")
        self.port = parts.port or 80
        self.tokens = tokens
        self.items = items
        self.applicants = applicants
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=REQUEST_TIMEOUT_S)

    def close(self) -> None:
        self.conn.close()

    def _send(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> tuple[int, bytes]:
        self.conn.request("POST", path, body=json.dumps(body).encode(), headers=headers)
        response = self.conn.getresponse()
        return response.status, response.read()

    def call(
        self, step: str, role: str, path: str, body: dict[str, Any], tally: Tally, measured: bool
    ) -> Any:
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Connection": "keep-alive",
            **bearer(self.tokens[role]),
        }
        if step == "submit":
            headers["Idempotency-Key"] = body.pop("idempotency_key")
        reused = self.conn.sock is not None
        started = time.perf_counter()
        try:
            try:
                status, raw = self._send(path, body, headers)
            except _STALE:
                if not reused:
                    raise
                # The server closed an idle keep-alive connection before reading: send once more.
                self.conn.close()
                started = time.perf_counter()
                status, raw = self._send(path, body, headers)
        except (OSError, http.client.HTTPException) as error:
            self.conn.close()
            self._fail(tally, step, type(error).__name__, f"{step}: {type(error).__name__}: {error}")
            raise CallFailed from error
        elapsed_ms = (time.perf_counter() - started) * 1000
        answered = time.perf_counter()
        with tally.lock:
            if tally.window[0] <= answered <= tally.window[1]:
                tally.window_calls += 1
        if status >= 400:
            sample = f"{step}: HTTP {status}: {raw[:300].decode(errors='replace')}"
            self._fail(tally, step, str(status), sample)
            raise CallFailed
        if measured:
            with tally.lock:
                tally.latencies[step].append(elapsed_ms)
                tally.statuses[step][str(status)] += 1
        return json.loads(raw)

    @staticmethod
    def _fail(tally: Tally, step: str, status: str, sample: str) -> None:
        with tally.lock:
            tally.errors[step] += 1
            tally.statuses[step][status] += 1
            tally.error_sample = tally.error_sample or sample

    def lifecycle(self, serial: int, tally: Tally, measured: bool) -> None:
        item = self.items[serial % len(self.items)]
        applicant = self.applicants[serial % len(self.applicants)]
        api = "/api/v1/cases"
        submit = {"item_id": item, "applicant_id": applicant, "channel": "window"}
        submit["idempotency_key"] = uuid.uuid4().hex
        case = self.call("submit", "clerk", f"{api}/", submit, tally, measured)
        case_id = case["id"]
        findings = [{"case_material_id": m["id"], "state": "original_checked"} for m in case["materials"]]
        self.call("materials", "clerk", f"{api}/{case_id}/materials", {"findings": findings}, tally, measured)
        self.call("accept", "clerk", f"{api}/{case_id}/accept", {}, tally, measured)
        self.call("review", "reviewer", f"{api}/{case_id}/review", {}, tally, measured)
        self.call("decide", "reviewer", f"{api}/{case_id}/decide", {"decision": "approve"}, tally, measured)
        self.call("result-ready", "reviewer", f"{api}/{case_id}/result-ready", {}, tally, measured)
        delivery = {"method": "pickup", "recipient": "王建国"}
        self.call("deliver", "issuer", f"{api}/{case_id}/deliver", delivery, tally, measured)


def drive(
    base_url: str,
    *,
    tokens: dict[str, str],
    items: list[int],
    applicants: list[int],
    clients: int,
    warmup_s: float,
    seconds: float,
    sample: Callable[[], Any] | None = None,
) -> tuple[Tally, float]:
    """Run ``clients`` threads: lifecycles during the warm-up are not measured; a lifecycle counts when
    it starts and ends inside the measured window. ``sample()`` (the server's CPU counters) is taken at
    the window's start and end. Returns the tally and the measured wall time."""
    tally = Tally()
    start = time.perf_counter()
    window_start = start + warmup_s
    window_end = window_start + seconds
    tally.window = (window_start, window_end)
    serials = iter(range(10**9))
    serial_lock = threading.Lock()

    def run() -> None:
        client = LifecycleClient(base_url, tokens, items, applicants)
        try:
            while time.perf_counter() < window_end and tally.error_total < MAX_ERRORS:
                with serial_lock:
                    serial = next(serials)
                began = time.perf_counter()
                measured = began >= window_start
                try:
                    client.lifecycle(serial, tally, measured)
                except CallFailed:
                    continue
                if measured and time.perf_counter() <= window_end:
                    with tally.lock:
                        tally.lifecycles += 1
        finally:
            client.close()

    def sampler() -> None:
        for moment in (window_start, window_end):
            time.sleep(max(0.0, moment - time.perf_counter()))
            tally.cpu_samples.append(sample() if sample else None)

    threads = [threading.Thread(target=run, name=f"lifecycle-{n}", daemon=True) for n in range(clients)]
    threads.append(threading.Thread(target=sampler, name="cpu-sampler", daemon=True))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=warmup_s + seconds + 8 * REQUEST_TIMEOUT_S)
    return tally, max(0.0, min(time.perf_counter(), window_end) - window_start)


def figures_of(tally: Tally, seconds: float, clients: int) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for step in STEPS:
        latencies = tally.latencies[step]
        rows[step] = Figures(
            requests=len(latencies) + tally.errors[step],
            errors=tally.errors[step],
            seconds=seconds,
            concurrency=clients,
            latencies_ms=latencies,
            statuses=dict(tally.statuses[step]),
        ).as_dict()
    everything = [ms for step in STEPS for ms in tally.latencies[step]]
    rows["all calls"] = Figures(
        requests=len(everything) + tally.error_total,
        errors=tally.error_total,
        seconds=seconds,
        concurrency=clients,
        latencies_ms=everything,
        statuses=dict(sum((tally.statuses[step] for step in STEPS), Counter())),
        error_sample=tally.error_sample,
    ).as_dict()
    return rows


def _table(rows: dict[str, dict[str, Any]]) -> str:
    header = ("call", "calls", "errors", "calls/s", "p50 ms", "p95 ms", "p99 ms", "max ms")
    lines = [
        (
            name,
            str(data["requests"]),
            str(data["errors"]),
            f"{data['rps']:.1f}",
            f"{data['p50_ms']:.1f}",
            f"{data['p95_ms']:.1f}",
            f"{data['p99_ms']:.1f}",
            f"{data['max_ms']:.1f}",
        )
        for name, data in rows.items()
    ]
    widths = [max(len(row[i]) for row in [header, *lines]) for i in range(len(header))]

    def render(row: tuple[str, ...]) -> str:
        rest = "  ".join(cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True))
        return f"{row[0].ljust(widths[0])}  {rest}"

    rule = "-" * len(render(header))
    return "\n".join([render(header), rule, *(render(row) for row in lines[:-1]), rule, render(lines[-1])])


def _process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a local process (Linux /proc), 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_cpu_s(base_url: str, database_url: str) -> tuple[float, float, float] | None:
    """CPU seconds used so far by the gunicorn processes serving ``base_url``, by the PostgreSQL
    backends connected to the bench database and by this client process; None where /proc is not
    available. Taken before and after the run, they give the CPU one call costs on each side."""
    if not os.path.isdir("/proc"):
        return None
    import psycopg

    address = f"{urlsplit(base_url).hostname}:{urlsplit(base_url).port}"
    app = sum(_process_cpu_s(pid) for pid in gunicorn_pids(address))
    dbname = urlsplit(database_url).path.lstrip("/")
    with psycopg.connect(database_url, autocommit=True) as conn:
        pids = [
            row[0] for row in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [dbname])
        ]
        own = conn.execute("SELECT pg_backend_pid()").fetchone()
    database = sum(_process_cpu_s(pid) for pid in pids if not own or pid != own[0])
    return app, database, _process_cpu_s(os.getpid())


def _shell_json(script: str, database_url: str) -> Any:
    """Run ``script`` in ``manage.py shell`` against the bench database; it prints one JSON line last."""
    output = manage("shell", "-c", script, database_url=database_url).strip().splitlines()
    if not output:
        raise BenchError("manage.py shell printed nothing")
    return json.loads(output[-1])


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    url = resolve_database_url(args.database_url)
    try:
        pg = postgres_version(url)
    except (PostgresUnavailable, BenchError) as error:
        print(f"bench.case_lifecycle: {error}", file=sys.stderr)
        print(
            "Start PostgreSQL on 127.0.0.1 (or set "
            "BENCH_CASES_DATABASE_URL=postgres://USER@127.0.0.1:PORT/NAME) and run again.",
            file=sys.stderr,
        )
        return 2

    print(
        f"case_lifecycle · commit {code_commit()} · PostgreSQL {pg} · Python {platform.python_version()} · "
        f"{os.cpu_count()} CPUs · gunicorn {args.workers} workers × {args.threads} threads · "
        f"{args.clients} clients · {args.warmup:g} s warm-up + {args.seconds:g} s measured",
        flush=True,
    )
    load_before = os.getloadavg()[0]
    try:
        with running_app(workers=args.workers, threads=args.threads, database_url=url) as base:
            setup = _shell_json(_SETUP_SCRIPT, url)
            if not setup["items"] or not setup["applicants"]:
                raise BenchError(f"the demo has no reviewable promised items or no applicants: {setup}")
            tokens = {role: issue_token(role, database_url=url) for role in ("clerk", "reviewer", "issuer")}
            print(
                f"  {len(setup['items'])} items of the reviewer's department, "
                f"{len(setup['applicants'])} applicants; driving…",
                flush=True,
            )
            tally, seconds = drive(
                base,
                tokens=tokens,
                items=setup["items"],
                applicants=setup["applicants"],
                clients=args.clients,
                warmup_s=args.warmup,
                seconds=args.seconds,
                sample=lambda: server_cpu_s(base, url),
            )
            counts = _shell_json(_COUNT_SCRIPT, url)
    except BenchError as error:
        print(f"bench.case_lifecycle: {error}", file=sys.stderr)
        return 1

    rows = figures_of(tally, seconds, args.clients)
    overall = rows["all calls"]
    rate = tally.lifecycles / seconds if seconds > 0 else 0.0
    print()
    print(_table(rows))
    print()
    print(
        f"lifecycles: {tally.lifecycles} completed in {seconds:.1f} s = {rate:.2f} per second "
        f"({len(STEPS)} calls each); overall p50 {overall['p50_ms']:.1f} ms, p95 {overall['p95_ms']:.1f} ms "
        f"(target p95 < {TARGET_P95_MS:g} ms: {'met' if overall['p95_ms'] < TARGET_P95_MS else 'NOT met'})"
    )
    print(
        f"database afterwards: cases by status {counts['cases']}, {counts['notices']} notices, "
        f"{counts['notifications']} notifications"
    )
    cpu: dict[str, float] = {}
    if len(tally.cpu_samples) == 2 and all(tally.cpu_samples) and tally.window_calls:
        (app_before, db_before, own_before), (app_after, db_after, own_after) = tally.cpu_samples
        cpu = {
            "app_cpu_ms_per_call": round((app_after - app_before) * 1000 / tally.window_calls, 1),
            "db_cpu_ms_per_call": round((db_after - db_before) * 1000 / tally.window_calls, 1),
            "client_cpu_ms_per_call": round((own_after - own_before) * 1000 / tally.window_calls, 1),
        }
        print(
            f"CPU per call ({tally.window_calls} calls answered in the window): gunicorn "
            f"{cpu['app_cpu_ms_per_call']:.1f} ms, PostgreSQL {cpu['db_cpu_ms_per_call']:.1f} ms, "
            f"this client {cpu['client_cpu_ms_per_call']:.1f} ms; "
            f"load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after"
        )
    if tally.error_sample:
        print(f"first error: {tally.error_sample}")
    print()
    common = {
        "bench": "case_lifecycle",
        "clients": args.clients,
        "workers": args.workers,
        "threads": args.threads,
    }
    for name, data in rows.items():
        print(json.dumps({**common, "call": name, **data}, ensure_ascii=False))
    print(json.dumps({**common, "lifecycles": tally.lifecycles, "lifecycles_per_s": round(rate, 2), **cpu}))
    failed = tally.error_total > 0 or overall["p95_ms"] >= TARGET_P95_MS
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
