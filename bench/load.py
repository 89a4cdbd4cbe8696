"""A region's busiest day: ``python -m bench.load [--seconds 60] [--workers N] [--clients N]``.

A mixed workload against the app under gunicorn (sync workers, production settings) on PostgreSQL (a
fresh copy of the demo centre, database ``bench_load``), then raw ``pgbench`` on the same server in the same
run, so the app's case-write throughput can be read against what the database alone does on this machine.

**The model** — one banner (旗县) at the busiest hour of its busiest day, per hour:

============================  ====  ==========================================================================
operation                     /h    where the figure comes from
============================  ====  ==========================================================================
window intake (综窗接件受理)     86    seed 004 (乌审旗, 2024 H1): 47,000 一件事 cases in the first half year
                                    ≈ 400 applications a working day (taken as the banner's total: a floor);
                                    busiest day × 2 (assumed), busiest hour 18 % of the day (assumed, the
                                    hall's morning peak 9:30–11:00 as in ``bench.hall_rush``); 60 % at a
                                    window (window 55 %, kiosk 3 %, proxy 2 %: ``bench.supervision_data``)
online applications (网办)      58    the same, the other 40 % (online 35 % + mobile 5 %)
12345 tickets (工单)            10    seed 004: 5,278 tickets in Jan–Jun = 32 a day; busiest day × 3 and
                                    busiest hour 10.1 % of the day, both from the 6,500 timestamped messages
                                    of ``/work/shared/data/hotline`` (2019: 4.5 a day, at most 14; 10–11 h
                                    holds 10.1 % of all messages)
dashboard reads (效能监察)       80    assumed: the centre's screen refreshing every minute (60) and 20 views
                                    by the inspector and department heads
============================  ====  ==========================================================================

A region here is a league (盟) of 12 banners, as ``bench.supervision`` generates: 12 × the table. The clients
are closed-loop, one set per operation type, as many of each as its share of the model's operations (at least
one): 16 clients give 5 window, 4 online, 2 hotline, 5 dashboard. Window intake is three calls as at a real
window — submit (with an Idempotency-Key), materials checked, accept; an online application is one submit by
the applicant (12 applicant accounts); a 12345 ticket is an Open311 POST; a dashboard read is
``GET /api/v1/supervision/figures`` (this month, by department) as the inspector.

Printed: per operation the operations per second, p50/p95/max and errors, the achieved mix against the
model, how many banners' busiest hour the run carried (per operation: its rate over the banner's), and the
case writes per second (submissions + acceptances) against ``pgbench``'s TPS — ``pgbench -i -s 10`` on the
scratch database ``bench_pgbench``, then ``pgbench -c <clients> -j 2 -T <seconds>`` (the default TPC-B-like
transaction). The app is stopped before pgbench runs. Exit 1 when a request failed or setup failed, 2
without PostgreSQL.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from bench.faults import (
    APPLICANT_ACCOUNTS,
    SETUP_SCRIPT,
    Http,
    _shell_json,
    open311_request,
    prime_workers,
)
from bench.server import (
    BenchError,
    Figures,
    PostgresUnavailable,
    clone_demo_database,
    code_commit,
    postgres_version,
    recreate_database,
    require_loopback,
    serve,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_load"
PGBENCH_DATABASE = "bench_pgbench"
BANNERS_PER_REGION = 12
# Operations per banner in the busiest hour (see the module's docstring for where each comes from).
MODEL_PER_HOUR = {"window": 86, "online": 58, "hotline": 10, "dashboard": 80}
OPERATIONS = tuple(MODEL_PER_HOUR)
CALLS = {"window": ("submit", "materials", "accept"), "online": ("submit",), "hotline": ("open311",)}
CALLS["dashboard"] = ("figures",)
MAX_ERRORS = 200


def resolve_database_url(database_url: str | None) -> str:
    return database_url or os.environ.get("BENCH_LOAD_DATABASE_URL") or DEFAULT_DATABASE_URL


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--seconds", type=float, default=60.0, help="measured seconds, app and pgbench (default 60)"
    )
    parser.add_argument("--warmup", type=float, default=5.0, help="unmeasured seconds first (default 5)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (default 4)")
    parser.add_argument(
        "--clients", type=int, default=16, help="closed-loop clients, and pgbench's (default 16)"
    )
    parser.add_argument("--pgbench-scale", type=int, default=10, help="pgbench -i -s (default 10)")
    parser.add_argument("--skip-pgbench", action="store_true", help="only the app's workload")
    parser.add_argument(
        "--database-url", default=None, help="default: $BENCH_LOAD_DATABASE_URL or " + DEFAULT_DATABASE_URL
    )
    args = parser.parse_args(argv)
    if not 1 <= args.seconds <= 3600 or not 0 <= args.warmup <= 120:
        parser.error("--seconds must be in [1, 3600] and --warmup in [0, 120]")
    if not len(OPERATIONS) <= args.clients <= 256 or not 1 <= args.workers <= 64:
        parser.error(f"--clients must be between {len(OPERATIONS)} and 256, --workers between 1 and 64")
    if not 1 <= args.pgbench_scale <= 1000:
        parser.error("--pgbench-scale must be between 1 and 1000")
    return args


def allocate(clients: int) -> dict[str, int]:
    """Clients per operation in proportion to the model's operations (largest remainder), one at least."""
    total = sum(MODEL_PER_HOUR.values())
    spare = clients - len(OPERATIONS)
    exact = {op: spare * rate / total for op, rate in MODEL_PER_HOUR.items()}
    counts = {op: 1 + math.floor(value) for op, value in exact.items()}
    left = clients - sum(counts.values())
    for op in sorted(OPERATIONS, key=lambda op: exact[op] - math.floor(exact[op]), reverse=True)[:left]:
        counts[op] += 1
    return counts


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict[str, list[float]] = field(default_factory=lambda: {op: [] for op in OPERATIONS})
    call_latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)
    calls: Counter[str] = field(default_factory=Counter)  # measured successful calls, "op/call"
    statuses: Counter[str] = field(default_factory=Counter)
    error_sample: str = ""

    @property
    def error_total(self) -> int:
        return sum(self.errors.values())


class CallFailed(Exception):
    pass


class LoadClient:
    def __init__(self, op: str, number: int, base_url: str, setup: dict[str, Any], tally: Tally) -> None:
        self.op = op
        self.number = number
        self.http = Http(base_url)
        self.setup = setup
        self.tally = tally
        self.rng = random.Random(number)
        self.serial = 0
        self.measured = False

    def call(self, name: str, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> Any:
        started = time.perf_counter()
        try:
            status, raw = self.http.send(method, path, body=body, headers=headers)
        except (OSError, http.client.HTTPException) as error:
            self._fail(name, type(error).__name__, f"{self.op}/{name}: {type(error).__name__}: {error}")
            raise CallFailed from error
        elapsed = (time.perf_counter() - started) * 1000
        if status >= 400:
            self._fail(
                name, str(status), f"{self.op}/{name}: HTTP {status}: {raw[:300].decode(errors='replace')}"
            )
            raise CallFailed
        if self.measured:
            with self.tally.lock:
                self.tally.call_latencies.setdefault(f"{self.op}/{name}", []).append(elapsed)
                self.tally.calls[f"{self.op}/{name}"] += 1
                self.tally.statuses[str(status)] += 1
        return json.loads(raw) if raw else None

    def _fail(self, name: str, status: str, sample: str) -> None:
        with self.tally.lock:
            self.tally.statuses[status] += 1
            if self.measured:
                self.tally.errors[f"{self.op}/{name}"] += 1
                self.tally.error_sample = self.tally.error_sample or sample[:400]

    def _headers(self, token: str, key: str | None = None) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        headers["Authorization"] = f"Bearer {token}"
        if key:
            headers["Idempotency-Key"] = key
        return headers

    def window(self) -> None:
        clerk = self.setup["clerks"][self.number % len(self.setup["clerks"])]
        items, applicants = self.setup["window_items"], self.setup["applicants"]
        body = {
            "item_id": items[self.rng.randrange(len(items))],
            "applicant_id": applicants[self.rng.randrange(len(applicants))],
            "channel": "window",
        }
        headers = self._headers(clerk["token"])
        case = self.call("submit", "POST", "/api/v1/cases/", json.dumps(body).encode(), {
            **headers, "Idempotency-Key": uuid.uuid4().hex})  # fmt: skip
        findings = [{"case_material_id": m["id"], "state": "original_checked"} for m in case["materials"]]
        path = f"/api/v1/cases/{case['id']}"
        self.call(
            "materials", "POST", f"{path}/materials", json.dumps({"findings": findings}).encode(), headers
        )
        self.call("accept", "POST", f"{path}/accept", b"{}", headers)

    def online(self) -> None:
        accounts, items = self.setup["accounts"], self.setup["online_items"]
        account = accounts[(self.number * 5 + self.serial) % len(accounts)]
        body = {
            "item_id": items[self.rng.randrange(len(items))],
            "applicant_id": account["applicant_id"],
            "channel": "online",
        }
        self.call(
            "submit",
            "POST",
            "/api/v1/cases/",
            json.dumps(body).encode(),
            self._headers(account["token"], uuid.uuid4().hex),
        )

    def hotline(self) -> None:
        account = self.setup["accounts"][self.number % len(self.setup["accounts"])]
        services = self.setup["services"]
        address = f"10.{self.number % 250}.{self.serial // 250 % 250}.{self.serial % 250 + 1}"
        body, headers = open311_request(self.rng, account, services, uuid.uuid4().hex, address)
        self.call("open311", "POST", "/open311/v2/requests.json", body, headers)

    def dashboard(self) -> None:
        headers = {"Accept": "application/json", "Authorization": f"Bearer {self.setup['inspector']}"}
        self.call("figures", "GET", "/api/v1/supervision/figures?dimension=department", None, headers)

    def run(self, window_start: float, window_end: float) -> None:
        step = getattr(self, self.op)
        while time.perf_counter() < window_end and self.tally.error_total < MAX_ERRORS:
            self.serial += 1
            began = time.perf_counter()
            self.measured = began >= window_start
            try:
                step()
            except CallFailed:
                continue
            if self.measured and time.perf_counter() <= window_end:
                with self.tally.lock:
                    self.tally.latencies[self.op].append((time.perf_counter() - began) * 1000)


def drive(base: str, setup: dict[str, Any], counts: dict[str, int], warmup: float, seconds: float) -> Tally:
    tally = Tally()
    start = time.perf_counter()
    window_start, window_end = start + warmup, start + warmup + seconds
    clients = [
        LoadClient(op, number, base, setup, tally)
        for number, op in enumerate(op for op in OPERATIONS for _ in range(counts[op]))
    ]
    threads = [
        threading.Thread(
            target=c.run, args=(window_start, window_end), name=f"{c.op}-{c.number}", daemon=True
        )
        for c in clients
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=warmup + seconds + 120)
    return tally


# --- pgbench --------------------------------------------------------------------------------------


def run_pgbench(database_url: str, *, scale: int, clients: int, seconds: float) -> dict[str, Any]:
    """``pgbench -i -s <scale>`` on a scratch database next to the bench one, then the default TPC-B-like
    run; the scratch database is dropped afterwards."""
    if shutil.which("pgbench") is None:
        raise BenchError("pgbench is not installed (apt-get install postgresql-client)")
    parts = urlsplit(database_url)
    host = require_loopback(parts.hostname, "pgbench's server")
    scratch = database_url.rsplit("/", 1)[0] + "/" + PGBENCH_DATABASE
    recreate_database(scratch)
    base = ["pgbench", "-h", host, "-p", str(parts.port or 5432), "-U", parts.username or "postgres"]
    env = {**os.environ, **({"PGPASSWORD": parts.password} if parts.password else {})}
    started = time.perf_counter()
    init = subprocess.run(
        [*base, "-i", "-q", "-s", str(scale), PGBENCH_DATABASE],
        capture_output=True, text=True, env=env, timeout=1800, check=False,
    )  # fmt: skip
    if init.returncode != 0:
        raise BenchError(f"pgbench -i failed: {(init.stdout + init.stderr)[-800:]}")
    init_s = time.perf_counter() - started
    jobs = min(2, clients)
    done = subprocess.run(
        [*base, "-c", str(clients), "-j", str(jobs), "-T", str(max(1, round(seconds))), PGBENCH_DATABASE],
        capture_output=True, text=True, env=env, timeout=seconds + 600, check=False,
    )  # fmt: skip
    output = done.stdout + done.stderr
    if done.returncode != 0:
        raise BenchError(f"pgbench failed: {output[-800:]}")
    match = re.search(r"tps = ([0-9.]+) \((?:without|excluding)", output)
    latency = re.search(r"latency average = ([0-9.]+) ms", output)
    if match is None:
        raise BenchError(f"pgbench printed no tps:\n{output[-800:]}")
    with _maintenance(database_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PGBENCH_DATABASE}"')
    return {
        "tps": float(match.group(1)),
        "latency_ms": float(latency.group(1)) if latency else None,
        "clients": clients,
        "jobs": jobs,
        "scale": scale,
        "init_s": round(init_s, 1),
    }


def _maintenance(database_url: str) -> Any:
    import psycopg

    parts = urlsplit(database_url)
    kwargs: dict[str, Any] = {"host": parts.hostname, "port": parts.port or 5432, "dbname": "postgres"}
    kwargs.update({"user": parts.username or "postgres", "autocommit": True, "connect_timeout": 5})
    if parts.password:
        kwargs["password"] = parts.password
    return psycopg.connect(**kwargs)


# --- report ---------------------------------------------------------------------------------------


def _figures(latencies: list[float], errors: int, seconds: float, concurrency: int) -> Figures:
    return Figures(
        requests=len(latencies) + errors, errors=errors, seconds=seconds, concurrency=concurrency,
        latencies_ms=latencies,
    )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    url = resolve_database_url(args.database_url)
    try:
        pg = postgres_version(url)
    except (PostgresUnavailable, BenchError) as error:
        print(f"bench.load: {error}", file=sys.stderr)
        return 2
    counts = allocate(args.clients)
    print(
        f"load · commit {code_commit()} · PostgreSQL {pg} · Python {platform.python_version()} · "
        f"{os.cpu_count()} CPUs · gunicorn {args.workers} sync workers · clients "
        + ", ".join(f"{op} {n}" for op, n in counts.items())
        + f" · {args.warmup:g} s warm-up + {args.seconds:g} s",
        flush=True,
    )
    region = {op: rate * BANNERS_PER_REGION for op, rate in MODEL_PER_HOUR.items()}
    print(
        "model, busiest hour per banner: "
        + ", ".join(f"{op} {rate}/h" for op, rate in MODEL_PER_HOUR.items())
        + f"; a league of {BANNERS_PER_REGION} banners: "
        + ", ".join(f"{op} {rate / 3600:.2f}/s" for op, rate in region.items()),
        flush=True,
    )
    load_before = os.getloadavg()[0]
    extra_env = {
        "YICHUANG_TRUSTED_PROXIES": "127.0.0.1",
        "YICHUANG_KIOSK_TICKETS_PER_MINUTE": "100000",
        "YICHUANG_RATE_LIMITS_ENABLED": "off",
    }
    try:
        clone_demo_database(url)
        setup = _shell_json(SETUP_SCRIPT % {"accounts": APPLICANT_ACCOUNTS}, url)
        with serve(url, workers=args.workers, extra_env=extra_env) as address:
            print(f"  workers primed in {prime_workers(f'http://{address}', args.workers):.1f} s", flush=True)
            tally = drive(f"http://{address}", setup, counts, args.warmup, args.seconds)
        load_after = os.getloadavg()[0]
        bench = (
            None
            if args.skip_pgbench
            else run_pgbench(url, scale=args.pgbench_scale, clients=args.clients, seconds=args.seconds)
        )
    except BenchError as error:
        print(f"bench.load: {error}", file=sys.stderr)
        return 1

    seconds = args.seconds
    print()
    header = f"{'operation':<22}{'clients':>8}{'ops':>7}{'errors':>8}{'ops/s':>8}"
    header += f"{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}"
    print(header)
    print("-" * len(header))
    rows: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        errors = sum(n for name, n in tally.errors.items() if name.startswith(f"{op}/"))
        rows[op] = _figures(tally.latencies[op], errors, seconds, counts[op]).as_dict()
    for name, latencies in sorted(tally.call_latencies.items()):
        op = name.split("/")[0]
        if len(CALLS[op]) > 1:
            rows[name] = _figures(latencies, tally.errors[name], seconds, counts[op]).as_dict()
    for name, data in rows.items():
        ops = data["requests"] - data["errors"]
        label = name if "/" not in name else f"  {name}"
        print(
            f"{label:<22}{data['concurrency']:>8}{ops:>7}{data['errors']:>8}{ops / seconds:>8.2f}"
            f"{data['p50_ms']:>9.1f}{data['p95_ms']:>9.1f}{data['max_ms']:>9.1f}"
        )
    done = {op: len(tally.latencies[op]) for op in OPERATIONS}
    total_done = sum(done.values()) or 1
    model_total = sum(MODEL_PER_HOUR.values())
    print()
    print(
        "mix achieved (model): "
        + ", ".join(
            f"{op} {100 * done[op] / total_done:.0f} % ({100 * MODEL_PER_HOUR[op] / model_total:.0f} %)"
            for op in OPERATIONS
        )
    )
    banners = {op: done[op] / seconds * 3600 / MODEL_PER_HOUR[op] for op in OPERATIONS}
    binding = min(banners, key=lambda op: banners[op])
    print(
        "banners' busiest hour carried, per operation: "
        + ", ".join(f"{op} {value:,.0f}" for op, value in banners.items())
        + f" → {banners[binding]:,.0f} banners ({banners[binding] / BANNERS_PER_REGION:,.1f} leagues), "
        + f"bound by {binding}"
    )
    writes = tally.calls["window/submit"] + tally.calls["online/submit"] + tally.calls["window/accept"]
    write_rate = writes / seconds
    print(
        f"case writes: {writes} ({tally.calls['window/submit'] + tally.calls['online/submit']} submissions + "
        f"{tally.calls['window/accept']} acceptances) = {write_rate:.2f}/s; materials checks "
        f"{tally.calls['window/materials'] / seconds:.2f}/s more"
    )
    ratio = None
    if bench is not None:
        ratio = write_rate / bench["tps"] if bench["tps"] else None
        print(
            f"pgbench -s {bench['scale']} -c {bench['clients']} -j {bench['jobs']} -T {round(seconds)}: "
            f"{bench['tps']:.1f} TPS (latency {bench['latency_ms']} ms; init {bench['init_s']} s) → "
            f"case writes / pgbench TPS = {ratio:.3f}" + (f" (1 : {1 / ratio:.0f})" if ratio else "")
        )
    print(f"load average {load_before:.2f} before, {load_after:.2f} after the app's run")
    if tally.error_sample:
        print(f"first error: {tally.error_sample}")
    print()
    common = {"bench": "load", "workers": args.workers, "clients": args.clients}
    for name, data in rows.items():
        print(json.dumps({**common, "operation": name, **data}, ensure_ascii=False))
    print(
        json.dumps(
            {
                **common,
                "case_writes_per_s": round(write_rate, 2),
                "pgbench_tps": bench["tps"] if bench else None,
                "ratio": round(ratio, 4) if ratio is not None else None,
                "banners": round(banners[binding], 1),
                "bound_by": binding,
                "errors": tally.error_total,
            }
        )
    )
    return 1 if tally.error_total else 0


if __name__ == "__main__":
    sys.exit(main())
