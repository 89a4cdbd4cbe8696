"""The service hall under a rush: ``python -m bench.hall_rush`` (or ``make bench-hall`` if wired).

Recreates ``bench_hall`` on PostgreSQL (127.0.0.1) and migrates it, then:

(a) **burst** — starts the app under gunicorn and has 20 kiosks (threads, one keep-alive connection each)
    post 1,000 anonymous ``POST /api/v1/hall/tickets`` at once (``{"hall", "category", "source": "kiosk"}``)
    against the simulated day's hall (b) — regular windows signed in, reserve windows, tidal rules — open
    round the clock; prints the tickets issued, duplicates (numbers per category and
    day, and numbers per hall and day, counted in the database) and the p50/p95/max latency. Target p95
    < 100 ms. All kiosks share 127.0.0.1, so the per-address kiosk limit (30 a minute, meant for one
    device) is lifted through ``YICHUANG_KIOSK_TICKETS_PER_MINUTE``; the check itself still runs.
(b) **simulated day** — 2,000 visitors over one working day (arrivals with a morning peak around
    9:30–11:00 and an afternoon one around 14:30–16:00, fixed seed), each with a service time drawn from
    a log-normal distribution per category, served by a fixed set of regular windows plus reserve windows
    (潮汐窗口) that only the tidal rules open. A discrete-event simulation drives the real services with
    ``now=`` (``ticket_issue``, ``ticket_call_next``, ``ticket_finish``; and ``tidal_evaluate`` and
    ``tidal_after_issue``, which the services run after each commit at the step's time — wrapped here to
    learn what they opened or closed)
    — no sleeping — twice, on two identical halls: tidal rules active, and none. Prints the average and
    90th-percentile wait of each run (from ``yichuang.hall.figures``, i.e. computed by PostgreSQL,
    cross-checked against the simulation's own clock) and the tidal openings and closings.

Exit 1 when the burst misses its target or issues a duplicate, 2 without PostgreSQL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import heapq
import http.client
import json
import math
import os
import platform
import random
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from bench.server import (
    PostgresUnavailable,
    code_commit,
    manage,
    postgres_version,
    recreate_database,
    serve,
)

DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_hall"
TARGET_P95_MS = 100.0
DAY = dt.date(2026, 11, 23)  # a Monday, a working day in the national calendar
KIOSK_ENDPOINT = "/api/v1/hall/tickets"
DEFAULT_WORKERS = max(2, os.cpu_count() or 2)
WARM_UP = 50  # numbers per worker on another hall before the burst: a kiosk fleet meets running workers


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.hall_rush", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--tickets", type=int, default=1000, help="tickets of the burst (default 1000)")
    parser.add_argument("--kiosks", type=int, default=20, help="concurrent kiosks (default 20)")
    parser.add_argument(
        "--workers",
        type=int,
        default=DEFAULT_WORKERS,
        help=f"gunicorn sync workers (default one per CPU, here {DEFAULT_WORKERS}: a number is CPU work, and "
        "more workers than CPUs only take turns)",
    )
    parser.add_argument("--visitors", type=int, default=2000, help="visitors of the simulated day")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--skip-burst", action="store_true")
    parser.add_argument("--skip-day", action="store_true")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_HALL_DATABASE_URL", DATABASE_URL))
    args = parser.parse_args(argv)
    if not 1 <= args.tickets <= 100_000 or not 1 <= args.kiosks <= 200 or not 1 <= args.workers <= 32:
        parser.error("--tickets 1..100000, --kiosks 1..200, --workers 1..32")
    if not 1 <= args.visitors <= 20_000:
        parser.error("--visitors must be between 1 and 20000")
    return args


def _percentile(values: list[float], pct: float) -> float:
    """Nearest rank, as the other benches print latencies."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, math.ceil(pct / 100 * len(ordered)) - 1))]


# --- set-up ----------------------------------------------------------------------------------------


def _django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("YICHUANG_DEBUG", "0")
    import django

    django.setup()


def _centre() -> Any:
    from yichuang.accounts.models import Department, DepartmentKind

    existing = Department.objects.filter(name="政务服务中心（压测）").first()
    if existing is not None:
        return existing
    centre = Department(name="政务服务中心（压测）", kind=DepartmentKind.CENTRE, division_code="150824")
    return Department.objects.add_root(instance=centre)


def _clerk(username: str, centre: Any) -> Any:
    from yichuang.accounts.models import User
    from yichuang.accounts.roles import Role

    return User.objects.create(username=username, full_name=username, role=Role.CLERK, department=centre)


# --- (a) the burst ---------------------------------------------------------------------------------


def _burst_hall(code: str) -> Any:
    """The simulated day's hall (windows, reserve windows and tidal rules), open round the clock, with
    every regular window signed in: a kiosk's number runs what it runs in a working hall."""
    from yichuang.hall.models import Window
    from yichuang.hall.windows import window_sign_in

    hall = _day_hall(code, tidal=True, round_the_clock=True)
    for window in Window.objects.filter(hall=hall, is_reserve=False).select_related("hall"):
        window_sign_in(window=window, actor=window_clerk(window))
    return hall


@dataclass
class BurstResult:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    numbers: list[tuple[str, str]] = field(default_factory=list)  # (category, number) answered
    error_sample: str = ""
    seconds: float = 0.0


def _kiosks(address: str, hall_code: str, *, tickets: int, kiosks: int, seed: int) -> BurstResult:
    host, port = address.split(":")
    rng = random.Random(seed)
    plan = [rng.choice(DAY_PLAN).code for _ in range(tickets)]
    shares = [plan[k::kiosks] for k in range(kiosks)]
    result = BurstResult()
    lock = threading.Lock()
    start = threading.Barrier(kiosks + 1)

    def kiosk(categories: list[str]) -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        mine: list[float] = []
        try:
            start.wait(timeout=60)
            for category in categories:
                body = json.dumps({"hall": hall_code, "category": category, "source": "kiosk"})
                began = time.perf_counter()
                try:
                    conn.request(
                        "POST", KIOSK_ENDPOINT, body=body, headers={"Content-Type": "application/json"}
                    )
                    response = conn.getresponse()
                    payload = response.read()
                except (OSError, http.client.HTTPException) as error:
                    conn.close()
                    with lock:
                        result.statuses[type(error).__name__] += 1
                        result.error_sample = result.error_sample or repr(error)[:300]
                    continue
                elapsed = (time.perf_counter() - began) * 1000
                with lock:
                    result.statuses[str(response.status)] += 1
                    if response.status == 201:
                        mine.append(elapsed)
                        result.numbers.append((category, json.loads(payload)["number"]))
                    else:
                        result.error_sample = result.error_sample or payload[:300].decode(errors="replace")
        finally:
            conn.close()
            with lock:
                result.latencies_ms.extend(mine)

    threads = [threading.Thread(target=kiosk, args=(share,), daemon=True) for share in shares]
    for thread in threads:
        thread.start()
    start.wait(timeout=60)
    began = time.perf_counter()
    for thread in threads:
        thread.join(timeout=600)
    result.seconds = time.perf_counter() - began
    return result


def run_burst(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection
    from django.db.models import Count, Max

    from yichuang.hall.models import Ticket

    hall = _burst_hall("BENCH-BURST")
    warm_up = _burst_hall("BENCH-WARMUP")
    connection.close()  # the served app and this process must not share a connection
    print(
        f"burst: {args.kiosks} kiosks post {args.tickets:,} tickets to {KIOSK_ENDPOINT} (HTTP, gunicorn "
        f"{args.workers} sync workers) …",
        flush=True,
    )
    # All kiosks share 127.0.0.1: lift the per-address limit (meant for one device); the check still runs.
    lifted = {"YICHUANG_KIOSK_TICKETS_PER_MINUTE": "1000000"}
    with serve(args.database_url, workers=args.workers, extra_env=lifted) as address:
        # Every worker's first requests import and connect: take them on another hall, not measured.
        _kiosks(address, warm_up.code, tickets=WARM_UP * args.workers, kiosks=args.workers, seed=args.seed)
        result = _kiosks(address, hall.code, tickets=args.tickets, kiosks=args.kiosks, seed=args.seed)
    tickets = Ticket.objects.filter(hall=hall)
    duplicate_seqs = (
        tickets.values("category_id", "day", "seq").annotate(n=Count("id")).filter(n__gt=1).count()
    )
    duplicate_numbers = tickets.values("day", "number").annotate(n=Count("id")).filter(n__gt=1).count()
    per_category = list(tickets.values("category__prefix").annotate(n=Count("id"), last=Max("seq")))
    gaps = sum(row["last"] - row["n"] for row in per_category)
    answered_twice = sum(n - 1 for n in Counter(result.numbers).values() if n > 1)
    latencies = result.latencies_ms
    return {
        "path": "HTTP POST " + KIOSK_ENDPOINT,
        "kiosks": args.kiosks,
        "requested": args.tickets,
        "issued": tickets.count(),
        "answered_201": result.statuses.get("201", 0),
        "statuses": dict(sorted(result.statuses.items())),
        "duplicates_in_db": duplicate_seqs + duplicate_numbers,
        "duplicates_answered": answered_twice,
        "sequence_gaps": gaps,
        "per_category": {row["category__prefix"]: row["n"] for row in per_category},
        "seconds": round(result.seconds, 2),
        "tickets_per_s": round(len(latencies) / result.seconds, 1) if result.seconds else 0.0,
        "p50_ms": round(_percentile(latencies, 50), 1),
        "p95_ms": round(_percentile(latencies, 95), 1),
        "max_ms": round(max(latencies, default=0.0), 1),
        **({"error_sample": result.error_sample} if result.error_sample else {}),
    }


# --- (b) the simulated day -------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryPlan:
    code: str
    name: str
    prefix: str
    share: float
    service_minutes: float  # mean of the log-normal service time
    regular: int  # windows open all day
    reserve: int  # 潮汐 windows, opened only by the rule
    rule: tuple[int, int, int, int] | None  # open waiting/minutes, close waiting/minutes


DAY_PLAN = (
    CategoryPlan("general", "综合受理", "A", 0.50, 5.0, 12, 4, (10, 15, 2, 5)),
    CategoryPlan("estate", "不动产登记", "B", 0.25, 10.0, 12, 4, (8, 20, 2, 8)),
    CategoryPlan("social", "社保医保", "C", 0.25, 4.0, 7, 0, None),
)
SERVICE_SIGMA = 0.6  # log-normal spread of service times
OPENS, CLOSES = dt.time(9, 0), dt.time(17, 0)


def arrival_weight(minute: float) -> float:
    """Relative arrivals at ``minute`` after midnight: a base, a morning peak (≈ 9:30–11:00), a dip at
    lunch, and an afternoon peak (≈ 14:30–16:00)."""

    def bump(centre_h: float, height: float, spread_min: float = 35.0) -> float:
        return height * math.exp(-(((minute - centre_h * 60) / spread_min) ** 2) / 2)

    weight = 1.0 + bump(10.25, 2.4) + bump(15.25, 2.0)
    if 12 * 60 <= minute < 13.5 * 60:
        weight *= 0.6
    return weight


@dataclass(frozen=True)
class Visitor:
    arrives: dt.datetime
    category: str
    service: dt.timedelta


def visitors_of_the_day(count: int, seed: int) -> list[Visitor]:
    from django.utils import timezone

    rng = random.Random(seed)
    minutes = list(range(OPENS.hour * 60, CLOSES.hour * 60))
    weights = [arrival_weight(m + 0.5) for m in minutes]
    start = timezone.make_aware(dt.datetime.combine(DAY, dt.time(0, 0)))
    people = []
    for minute in rng.choices(minutes, weights=weights, k=count):
        category = rng.choices(DAY_PLAN, weights=[plan.share for plan in DAY_PLAN])[0]
        mu = math.log(category.service_minutes) - SERVICE_SIGMA**2 / 2
        service = max(0.5, rng.lognormvariate(mu, SERVICE_SIGMA))
        people.append(
            Visitor(
                arrives=start + dt.timedelta(minutes=minute, seconds=rng.randrange(60)),
                category=category.code,
                service=dt.timedelta(seconds=round(service * 60)),
            )
        )
    people.sort(key=lambda visitor: visitor.arrives)
    return people


def _day_hall(code: str, *, tidal: bool, round_the_clock: bool = False) -> Any:
    from yichuang.hall.models import Hall, ServiceCategory, TidalRule, Window, WindowKind

    centre = _centre()
    if round_the_clock:
        midnight, last = dt.time(0, 0), dt.time(23, 59, 59)
        hours = {
            "opens_at": midnight,
            "closes_at": last,
            "weekend_opens_at": midnight,
            "weekend_closes_at": last,
        }
    else:
        hours = {"opens_at": OPENS, "closes_at": CLOSES}
    hall = Hall.objects.create(code=code, name=f"模拟大厅 {code}", department=centre, **hours)
    number = 0
    for position, plan in enumerate(DAY_PLAN):
        category = ServiceCategory.objects.create(
            hall=hall,
            code=plan.code,
            name=plan.name,
            prefix=plan.prefix,
            position=position,
            service_minutes=round(plan.service_minutes),
        )
        for reserve in [False] * plan.regular + [True] * plan.reserve:
            number += 1
            clerk = _clerk(f"{code.lower()}-{number:02d}", centre)
            window = Window.objects.create(
                hall=hall,
                number=f"{number:02d}",
                name=("潮汐窗口" if reserve else plan.name),
                kind=WindowKind.COMPREHENSIVE,
                department=centre,
                is_reserve=reserve,
                standby_clerk=clerk if reserve else None,
                position=number,
            )
            window.categories.set([category])
        if tidal and plan.rule:
            open_waiting, open_minutes, close_waiting, close_minutes = plan.rule
            TidalRule.objects.create(
                category=category,
                open_waiting=open_waiting,
                open_wait_minutes=open_minutes,
                close_waiting=close_waiting,
                close_wait_minutes=close_minutes,
            )
    return hall


@dataclass
class DayResult:
    label: str
    wait_avg: float | None
    wait_p90: float | None
    sim_wait_avg: float
    sim_wait_p90: float
    served: int
    openings: int
    closings: int
    most_reserves_open: int
    last_finish: str
    by_category: dict[str, tuple[float | None, float | None]]
    seconds: float


def simulate_day(hall: Any, visitors: list[Visitor], label: str) -> DayResult:
    """Discrete events (arrival, end of a service) on the simulated clock; every step a real service."""
    from yichuang.hall import calling, tickets
    from yichuang.hall.figures import hall_figures, percentile
    from yichuang.hall.models import TicketSource, Window, WindowEvent, WindowStatus
    from yichuang.hall.tidal import tidal_after_issue, tidal_evaluate
    from yichuang.hall.windows import window_sign_in

    began = time.perf_counter()
    categories = {category.code: category for category in hall.categories.all()}
    windows = list(Window.objects.filter(hall=hall).prefetch_related("categories").order_by("position"))
    serves = {window.pk: {category.code for category in window.categories.all()} for window in windows}
    by_number = {window.number: window for window in windows}
    by_pk = {window.pk: window for window in windows}
    real_after_queue_change, real_after_issue = tickets.after_queue_change, tickets.after_issue
    clerks = {window.pk: window.standby_clerk for window in windows if window.is_reserve}
    idle: set[int] = set()
    sign_in = dt.datetime.combine(DAY, dt.time(8, 55), tzinfo=visitors[0].arrives.tzinfo)
    for window in windows:
        if not window.is_reserve:
            clerks[window.pk] = window_clerk(window)
            window_sign_in(window=window, actor=clerks[window.pk], now=sign_in)
            idle.add(window.pk)

    events: list[tuple[dt.datetime, int, str, int]] = []  # (when, order, kind, visitor index or window)
    order = 0
    for index, visitor in enumerate(visitors):
        order += 1
        heapq.heappush(events, (visitor.arrives, order, "arrive", index))
    visitor_of: dict[int, int] = {}  # ticket id → visitor
    waits: dict[str, list[float]] = defaultdict(list)
    openings = closings = reserves_open = most_open = served = 0
    last_finish = sign_in

    open_now = set(idle)  # windows with a clerk signed in
    pending: list[Any] = []  # tidal changes the services' evaluations made, not yet seen here

    def observe(hall_id: int, now: dt.datetime) -> None:
        # The services' own after-commit step (``after_queue_change``) on the simulated clock, wrapped so
        # the simulation learns which reserve windows it opened or closed.
        pending.extend(tidal_evaluate(hall_id=hall_id, now=now))

    def observe_issue(ticket: Any, now: dt.datetime) -> None:
        change = tidal_after_issue(ticket, now)  # what ``after_issue`` runs
        if change is not None:
            pending.append(change)

    def settle(now: dt.datetime) -> None:
        nonlocal openings, closings, reserves_open, most_open
        while pending:
            change = pending.pop(0)
            window = by_number[change.window]
            if change.opened:
                openings += 1
                reserves_open += 1
                most_open = max(most_open, reserves_open)
                open_now.add(window.pk)
                call(window, now)
            else:
                closings += 1
                reserves_open -= 1
                open_now.discard(window.pk)
                idle.discard(window.pk)

    def call(window: Window, now: dt.datetime) -> None:
        nonlocal order
        if window.pk not in open_now:
            return
        ticket = calling.ticket_call_next(window=window, actor=clerks[window.pk], now=now)
        if ticket is None:
            idle.add(window.pk)
        else:
            idle.discard(window.pk)
            visitor = visitors[visitor_of[ticket.pk]]
            waits[visitor.category].append((now - visitor.arrives).total_seconds() / 60)
            order += 1
            heapq.heappush(events, (now + visitor.service, order, "finish", window.pk))
        settle(now)

    tickets.after_queue_change = calling.after_queue_change = observe
    tickets.after_issue = observe_issue
    step = max(1, len(visitors) // 4)
    try:
        while events:
            now, _order, kind, subject = heapq.heappop(events)
            if kind == "arrive":
                visitor = visitors[subject]
                ticket = tickets.ticket_issue(
                    hall=hall, category=categories[visitor.category], source=TicketSource.KIOSK, now=now
                )
                visitor_of[ticket.pk] = subject
                settle(now)
                for window in windows:
                    if window.pk in idle and visitor.category in serves[window.pk]:
                        call(window, now)
                        break
                if (subject + 1) % step == 0:
                    print(f"  {label}: {subject + 1:,} visitors arrived by {now:%H:%M}", flush=True)
            else:
                window = by_pk[subject]
                calling.ticket_finish(window=window, actor=clerks[subject], now=now)
                served += 1
                last_finish = max(last_finish, now)
                settle(now)  # the evaluation after the finish may have closed this reserve window
                call(window, now)
    finally:
        tickets.after_queue_change = calling.after_queue_change = real_after_queue_change
        tickets.after_issue = real_after_issue

    figures = hall_figures(hall=hall, start=DAY, end=DAY)
    every_wait = [value for values in waits.values() for value in values]
    still_open = Window.objects.filter(hall=hall, is_reserve=True).exclude(status=WindowStatus.CLOSED).count()
    assert still_open == reserves_open, (still_open, reserves_open)
    logged = Counter(WindowEvent.objects.filter(window__hall=hall).values_list("kind", flat=True))
    assert logged[WindowEvent.Kind.TIDAL_OPENED] == openings, logged
    return DayResult(
        label=label,
        wait_avg=figures.total.wait_avg,
        wait_p90=figures.total.wait_p90,
        sim_wait_avg=round(sum(every_wait) / len(every_wait), 1),
        sim_wait_p90=round(percentile(every_wait) or 0.0, 1),
        served=served,
        openings=openings,
        closings=closings,
        most_reserves_open=most_open,
        last_finish=f"{last_finish.astimezone(visitors[0].arrives.tzinfo):%H:%M}",
        by_category={row.label: (row.wait_avg, row.wait_p90) for row in figures.by_category},
        seconds=time.perf_counter() - began,
    )


def window_clerk(window: Any) -> Any:
    from yichuang.accounts.models import User

    return User.objects.get(username=f"{window.hall.code.lower()}-{window.number}")


def run_day(args: argparse.Namespace) -> list[DayResult]:
    from django.utils import timezone

    with timezone.override("Asia/Shanghai"):
        visitors = visitors_of_the_day(args.visitors, args.seed)
        results = []
        for code, tidal, label in (("SIM-TIDAL", True, "tidal on"), ("SIM-PLAIN", False, "tidal off")):
            print(f"day: {label} — {len(visitors):,} visitors …", flush=True)
            hall = _day_hall(code, tidal=tidal)
            results.append(simulate_day(hall, visitors, label))
    return results


# --- main ------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        version = postgres_version(args.database_url)
        recreate_database(args.database_url)
    except PostgresUnavailable as error:
        print(f"hall_rush: {error}", file=sys.stderr)
        return 2
    manage("migrate", "--noinput", database_url=args.database_url, timeout_s=900)
    _django(args.database_url)
    report: dict[str, Any] = {
        "bench": "hall_rush",
        "postgres": version,
        "python": platform.python_version(),
        "commit": code_commit(),
    }
    ok = True
    if not args.skip_burst:
        burst = run_burst(args)
        report["burst"] = burst
        met = burst["p95_ms"] < TARGET_P95_MS
        clean = burst["duplicates_in_db"] == 0 and burst["duplicates_answered"] == 0
        ok = ok and met and clean and burst["issued"] == args.tickets
        print(
            f"burst ({burst['path']}): {burst['issued']:,} issued of {args.tickets:,} "
            f"in {burst['seconds']} s ({burst['tickets_per_s']}/s), statuses {burst['statuses']}; "
            f"duplicates {burst['duplicates_in_db']} in the database, {burst['duplicates_answered']} "
            f"answered; sequence gaps {burst['sequence_gaps']}; latency p50 {burst['p50_ms']} ms, "
            f"p95 {burst['p95_ms']} ms, max {burst['max_ms']} ms — "
            f"{'within' if met else 'OVER'} the {TARGET_P95_MS:.0f} ms target"
        )
    if not args.skip_day:
        days = run_day(args)
        report["day"] = [vars(day) | {"seconds": round(day.seconds, 1)} for day in days]
        for day in days:
            print(
                f"day, {day.label}: wait average {day.wait_avg} min, p90 {day.wait_p90} min "
                f"(simulation's own clock: {day.sim_wait_avg} / {day.sim_wait_p90}); served {day.served:,}, "
                f"last at {day.last_finish}; tidal openings {day.openings}, closings {day.closings}, "
                f"at most {day.most_reserves_open} reserve windows open; {day.seconds:.0f} s"
            )
            print(
                "    by category (average / p90 min): "
                + ", ".join(f"{name} {avg}/{p90}" for name, (avg, p90) in day.by_category.items())
            )
    print(json.dumps(report, ensure_ascii=False, default=str))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
