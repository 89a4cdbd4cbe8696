"""Fault run: ``python -m bench.faults [--seconds 60] [--clients 12] [--workers 4] [--kills 3] [--outage …]``.

A mixed load on PostgreSQL under gunicorn (sync workers, production settings) against a fresh copy of the
demo centre (database ``bench_faults``), while the bench SIGKILLs random gunicorn workers (the master respawns
them) and takes the database away once:

- ``--outage restart`` (default; ``--restart-postgres``): stop the PostgreSQL cluster, keep it down for
  ``--outage-seconds``, start it again (``pg_ctlcluster --skip-systemctl-redirect <version> main stop|start``;
  needs root and disturbs every other database of the server);
- ``--outage block``: only the bench database: terminate its backends and refuse new connections
  (``ALTER DATABASE … ALLOW_CONNECTIONS false``) for ``--outage-seconds``, then allow them again;
- ``--outage none`` (``--no-restart-postgres``): worker kills only.

Clients, each on its own thread, as real clients behave: window intake by clerks (submit with an
Idempotency-Key → materials checked → accept), online applications by applicants (submit with a key), kiosk
numbers in the hall (with a key), 12345 requests through Open311 (with a key), and the supervision dashboard.
A write is retried with the SAME key after a connection error or a 5xx, for up to ``RETRY_BUDGET_S``; every
acknowledgement (2xx with the case, ticket or request number) is recorded. A prober reads ``/readyz`` and a
page (``/guides/``) every ``PROBE_INTERVAL_S`` throughout.

Afterwards the database is checked: every acknowledged submission exists exactly once under its key and with
the acknowledged number; no duplicate case, hall or 12345 number; no half-written case (its submit event and
``case.submit`` audit event, one audit event per timeline event, the item version's materials, the status
its last event says, a number not beyond its daily counter), hall ticket or 12345 ticket; every acknowledged
acceptance is there once; ``manage.py audit_verify`` passes. Exit status: 0 when all holds, 1 on a loss,
duplicate, half-write, audit failure, a 5xx other than 503, a 503 outside the outage (and its
``RECOVERY_GRACE_S``) or an app that did not recover; 2 without PostgreSQL.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from bench.server import (
    BenchError,
    PostgresUnavailable,
    clone_demo_database,
    code_commit,
    gunicorn_pids,
    manage,
    postgres_version,
    require_loopback,
    serve,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_faults"
REQUEST_TIMEOUT_S = 20.0  # a request still unanswered after this is "hanging"
RETRY_BUDGET_S = 90.0  # how long a client keeps retrying one write with its key
PROBE_INTERVAL_S = 0.25
PROBE_TIMEOUT_S = 15.0
PRIME_TIMEOUT_S = 180.0
PROBE_TARGETS = ("/readyz", "/guides/")  # the readiness check, and a public page that reads the catalogue
RECOVERY_GRACE_S = 10.0  # 503s this long after the database is back still count as the outage's
RESPAWN_TIMEOUT_S = 30.0
PG_WAIT_S = 120.0
KINDS = ("window", "online", "hall", "hotline", "dashboard")
# Client shares, in this order of assignment: a dozen clients give 4 window, 3 online, 2 hall, 2 hotline,
# 1 dashboard.
_ASSIGNMENT: tuple[str, ...] = ("window", "online", "hall", "hotline", "window", "online", "dashboard")
_ASSIGNMENT += ("window", "hall", "hotline", "online", "window")
APPLICANT_ACCOUNTS = 12

# Run by ``manage.py shell`` against the bench database before gunicorn starts: applicant accounts for
# online applications, tokens, the items, the hall (open round the clock), the Open311 services.
SETUP_SCRIPT = """
import json
from yichuang.accounts.models import Applicant, User
from yichuang.accounts.policies import department_scope
from yichuang.accounts.roles import Role
from yichuang.accounts.services import api_token_issue
from yichuang.catalog.models import ServiceItem
from yichuang.hall import hours
from yichuang.hall.models import Hall, ServiceCategory
from yichuang.hotline import open311
import datetime as dt

admin = User.objects.get(username="admin")
def token(user):
    return api_token_issue(actor=admin, user=user, name="bench")[1]
reviewer = User.objects.get(username="reviewer")
window_items = list(
    ServiceItem.objects.filter(
        department__in=department_scope(reviewer), kind="handling", status="active",
        current_version__case_kind="2",
    ).exclude(current_version__implementation_code="").order_by("pk").values_list("pk", flat=True)
)
online_items = list(
    ServiceItem.objects.filter(kind="handling", status="active", current_version__online_depth__gte=3)
    .exclude(current_version__implementation_code="").order_by("pk").values_list("pk", flat=True)[:40]
)
applicants = list(Applicant.objects.order_by("pk").values_list("pk", flat=True))
accounts = []
people = Applicant.objects.filter(user__isnull=True, kind="natural").order_by("pk")[:%(accounts)d]
for index, person in enumerate(people):
    user = User(username=f"bench_applicant_{index}", full_name=person.name, role=Role.APPLICANT)
    user.set_unusable_password()
    user.save()
    Applicant.objects.filter(pk=person.pk).update(user=user)
    accounts.append(
        {"username": user.username, "user_id": user.pk, "applicant_id": person.pk, "token": token(user)}
    )
hall = Hall.objects.filter(is_active=True).order_by("pk").first()
always = {"opens_at": dt.time(0, 0), "closes_at": dt.time(23, 59, 59), "extended_closes_at": None,
          "weekend_opens_at": dt.time(0, 0), "weekend_closes_at": dt.time(23, 59, 59)}
Hall.objects.filter(pk=hall.pk).update(**always)
hall.refresh_from_db()
categories = list(
    ServiceCategory.objects.filter(hall=hall, is_active=True).order_by("position")
    .values_list("code", flat=True)
)
staff = {name: User.objects.get(username=name) for name in ("clerk", "clerk2", "inspector")}
print(json.dumps({
    "window_items": window_items,
    "online_items": online_items,
    "applicants": applicants,
    "accounts": accounts,
    "clerks": [
        {"username": n, "user_id": staff[n].pk, "token": token(staff[n])} for n in ("clerk", "clerk2")
    ],
    "inspector": token(staff["inspector"]),
    "hall": hall.code,
    "hall_open": hours.is_open(hall),
    "categories": categories,
    "services": [s["service_code"] for s in open311.services_out()][:30],
}))
"""


def resolve_database_url(database_url: str | None) -> str:
    return database_url or os.environ.get("BENCH_FAULTS_DATABASE_URL") or DEFAULT_DATABASE_URL


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.faults", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument(
        "--seconds", type=float, default=60.0, help="load duration after the warm-up (default 60)"
    )
    parser.add_argument(
        "--warmup", type=float, default=5.0, help="seconds of load before the first fault (default 5)"
    )
    parser.add_argument("--clients", type=int, default=12, help="concurrent clients (default 12)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (default 4)")
    parser.add_argument("--kills", type=int, default=3, help="workers SIGKILLed during the run (default 3)")
    parser.add_argument(
        "--outage",
        choices=("restart", "block", "none"),
        default="restart",
        help="restart: PostgreSQL stopped and started; block: only the bench database refuses connections; "
        "none: no outage (default restart)",
    )
    parser.add_argument("--restart-postgres", dest="outage", action="store_const", const="restart")
    parser.add_argument("--no-restart-postgres", dest="outage", action="store_const", const="none")
    parser.add_argument(
        "--outage-seconds", type=float, default=5.0, help="how long the database stays away (default 5)"
    )
    parser.add_argument("--seed", type=int, default=None, help="random seed for the kills and the clients")
    parser.add_argument(
        "--database-url", default=None, help="default: $BENCH_FAULTS_DATABASE_URL or " + DEFAULT_DATABASE_URL
    )
    args = parser.parse_args(argv)
    if not 5 <= args.seconds <= 3600:
        parser.error("--seconds must be between 5 and 3600")
    if not 1 <= args.clients <= 128 or not 1 <= args.workers <= 32 or not 0 <= args.kills <= 100:
        parser.error("--clients 1..128, --workers 1..32, --kills 0..100")
    if not 0 <= args.warmup <= 120:
        parser.error("--warmup must be between 0 and 120")
    if not 0 <= args.outage_seconds <= 120:
        parser.error("--outage-seconds must be between 0 and 120")
    return args


# --- HTTP -----------------------------------------------------------------------------------------


class Http:
    """One request per connection (gunicorn's sync workers close it anyway), on 127.0.0.1 only."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.host = require_loopback(parts.hostname, "the bench server")
        self.port = parts.port or 80

    def send(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout_s: float = REQUEST_TIMEOUT_S,
    ) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout_s)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()


# --- what the clients saw -------------------------------------------------------------------------


@dataclass
class Ack:
    kind: str  # case · hall · hotline
    key: str
    number: str
    submitter: str  # username, or "" for the kiosk
    object_id: int | None = None


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    attempted: Counter[str] = field(default_factory=Counter)  # submissions started, by kind
    acks: list[Ack] = field(default_factory=list)
    gave_up: Counter[str] = field(default_factory=Counter)  # never acknowledged within the retry budget
    rejected: list[str] = field(default_factory=list)  # 4xx answers to writes (none expected)
    accepted_acks: list[int] = field(default_factory=list)  # case ids whose acceptance was acknowledged
    statuses: Counter[str] = field(default_factory=Counter)
    server_errors: list[tuple[float, int, str, str]] = field(default_factory=list)  # (t, status, what, body)
    connection_errors: Counter[str] = field(default_factory=Counter)
    timeouts: int = 0
    retries: int = 0
    reads: int = 0
    t0: float = field(default_factory=time.monotonic)  # the run's start: stamps are seconds from it

    def note(self, what: str, status: int, raw: bytes, at: float) -> None:
        with self.lock:
            self.statuses[f"{what} {status}"] += 1
            if status >= 500:
                self.server_errors.append((at - self.t0, status, what, raw[:200].decode(errors="replace")))

    def note_error(self, what: str, error: BaseException) -> None:
        with self.lock:
            name = type(error).__name__
            self.connection_errors[name] += 1
            if isinstance(error, TimeoutError):
                self.timeouts += 1


class Stop:
    """When clients stop starting new work (``soft``) and stop retrying (``hard``)."""

    def __init__(self) -> None:
        self.soft = threading.Event()
        self.hard = threading.Event()


class Client:
    def __init__(
        self,
        kind: str,
        number: int,
        base_url: str,
        setup: dict[str, Any],
        tally: Tally,
        stop: Stop,
        seed: int,
    ) -> None:
        self.kind = kind
        self.number = number
        self.http = Http(base_url)
        self.setup = setup
        self.tally = tally
        self.stop = stop
        self.rng = random.Random(seed)
        self.serial = 0

    # One write, retried with the same body and key on a connection error or a 5xx.
    def write(self, what: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes] | None:
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            if attempt > 1:
                with self.tally.lock:
                    self.tally.retries += 1
            try:
                status, raw = self.http.send("POST", path, body=body, headers=headers)
            except (OSError, http.client.HTTPException) as error:
                self.tally.note_error(what, error)
            else:
                self.tally.note(what, status, raw, time.monotonic())
                if status < 500:
                    return status, raw
            if self.stop.hard.is_set() or time.monotonic() - started > RETRY_BUDGET_S:
                return None
            time.sleep(min(2.0, 0.1 * 2**attempt) * (0.5 + self.rng.random()))

    def read(self, what: str, path: str, headers: dict[str, str]) -> None:
        try:
            status, raw = self.http.send("GET", path, headers=headers)
        except (OSError, http.client.HTTPException) as error:
            self.tally.note_error(what, error)
            return
        self.tally.note(what, status, raw, time.monotonic())
        with self.tally.lock:
            self.tally.reads += 1

    def run(self) -> None:
        step = getattr(self, f"_{self.kind}")
        while not self.stop.soft.is_set():
            self.serial += 1
            try:
                step()
            except Exception as error:  # a bug in the bench itself: keep the others running, report it
                with self.tally.lock:
                    self.tally.rejected.append(f"{self.kind}: bench error {type(error).__name__}: {error}")
                time.sleep(0.5)

    def _json_headers(self, token: str, key: str | None = None) -> dict[str, str]:
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Authorization": f"Bearer {token}",
        }
        if key:
            headers["Idempotency-Key"] = key
        return headers

    def _acknowledge(self, kind: str, answer: tuple[int, bytes] | None, ack: Callable[[Any], Ack]) -> Any:
        if answer is None:
            with self.tally.lock:
                self.tally.gave_up[kind] += 1
            return None
        status, raw = answer
        if status >= 300:
            with self.tally.lock:
                self.tally.rejected.append(f"{kind}: HTTP {status}: {raw[:200].decode(errors='replace')}")
            return None
        data = json.loads(raw)
        with self.tally.lock:
            self.tally.acks.append(ack(data))
        return data

    def _submit_case(self, *, token: str, user: str, item: int, applicant: int, channel: str) -> Any:
        key = uuid.uuid4().hex
        with self.tally.lock:
            self.tally.attempted["case"] += 1
        body = json.dumps({"item_id": item, "applicant_id": applicant, "channel": channel}).encode()
        answer = self.write(f"submit-{channel}", "/api/v1/cases/", body, self._json_headers(token, key))
        return self._acknowledge(
            "case", answer, lambda d: Ack("case", key, str(d["number"]), user, int(d["id"]))
        )

    def _window(self) -> None:
        clerk = self.setup["clerks"][self.number % len(self.setup["clerks"])]
        items, applicants = self.setup["window_items"], self.setup["applicants"]
        case = self._submit_case(
            token=clerk["token"],
            user=clerk["username"],
            item=items[self.rng.randrange(len(items))],
            applicant=applicants[self.rng.randrange(len(applicants))],
            channel="window",
        )
        if case is None or self.stop.hard.is_set():
            return
        headers = self._json_headers(clerk["token"])
        findings = [{"case_material_id": m["id"], "state": "original_checked"} for m in case["materials"]]
        path = f"/api/v1/cases/{case['id']}"
        answer = self.write(
            "materials", f"{path}/materials", json.dumps({"findings": findings}).encode(), headers
        )
        if answer is None or answer[0] >= 300:
            # 409 after a retry: the first attempt had gone through and the case moved on; nothing to do.
            return
        answer = self.write("accept", f"{path}/accept", b"{}", headers)
        if answer is not None and answer[0] < 300:
            with self.tally.lock:
                self.tally.accepted_acks.append(int(case["id"]))

    def _online(self) -> None:
        accounts, items = self.setup["accounts"], self.setup["online_items"]
        account = accounts[(self.number * 7 + self.serial) % len(accounts)]
        self._submit_case(
            token=account["token"],
            user=account["username"],
            item=items[self.rng.randrange(len(items))],
            applicant=account["applicant_id"],
            channel="online",
        )

    def _hall(self) -> None:
        key = uuid.uuid4().hex
        with self.tally.lock:
            self.tally.attempted["hall"] += 1
        categories = self.setup["categories"]
        body = {"hall": self.setup["hall"], "category": categories[self.rng.randrange(len(categories))]}
        headers = {"Content-Type": "application/json", "Accept": "application/json", "Idempotency-Key": key}
        headers["X-Forwarded-For"] = (
            f"10.{self.number % 250}.{self.serial // 250 % 250}.{self.serial % 250 + 1}"
        )
        answer = self.write("hall-ticket", "/api/v1/hall/tickets", json.dumps(body).encode(), headers)
        self._acknowledge("hall", answer, lambda d: Ack("hall", key, str(d["number"]), "", int(d["id"])))
        time.sleep(self.rng.uniform(0.05, 0.3))  # a kiosk serves one visitor at a time

    def _hotline(self) -> None:
        key = uuid.uuid4().hex
        account = self.setup["accounts"][self.number % len(self.setup["accounts"])]
        services = self.setup["services"]
        with self.tally.lock:
            self.tally.attempted["hotline"] += 1
        address = f"10.{100 + self.number % 150}.{self.serial // 250 % 250}.{self.serial % 250 + 1}"
        body, headers = open311_request(self.rng, account, services, key, address)
        answer = self.write("open311", "/open311/v2/requests.json", body, headers)
        self._acknowledge(
            "hotline",
            answer,
            lambda d: Ack("hotline", key, str(d[0]["service_request_id"]), account["username"]),
        )
        time.sleep(self.rng.uniform(0.1, 0.5))  # an app files what its users send, not in a tight loop

    def _dashboard(self) -> None:
        headers = {"Accept": "application/json", "Authorization": f"Bearer {self.setup['inspector']}"}
        dimension = ("department", "item", "window", "staff")[self.serial % 4]
        self.read("dashboard", f"/api/v1/supervision/figures?dimension={dimension}", headers)
        time.sleep(self.rng.uniform(0.2, 0.6))


# --- faults ---------------------------------------------------------------------------------------


def _proc_ppid(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return int(handle.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def open311_request(
    rng: random.Random, account: dict[str, Any], services: list[str], key: str, address: str
) -> tuple[bytes, dict[str, str]]:
    """A citizen's 12345 ticket through Open311 (body, headers), sent from ``address`` with ``key``."""
    params = {
        "api_key": account["token"],
        "service_code": services[rng.randrange(len(services))],
        "attribute[nature]": rng.choice(["consult", "help", "complaint", "suggest"]),
        "description": f"海流图镇小区门口路灯不亮已经一周，夜间出行不便，请尽快维修（压测 {key[:8]}）",
        "address_string": "乌拉特中旗海流图镇团结社区",
        "first_name": "建国",
        "last_name": "王",
        "phone": "13904789999",
    }
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/json",
        "Idempotency-Key": key,
        "X-Forwarded-For": address,
    }
    return urlencode(params).encode(), headers


def gunicorn_processes(address: str) -> tuple[int | None, list[int]]:
    """(master pid, worker pids) of the gunicorn serving ``address`` (``127.0.0.1:port``), from /proc."""
    pids = gunicorn_pids(address)
    ours = set(pids)
    masters = [pid for pid in pids if _proc_ppid(pid) not in ours]
    master = masters[0] if len(masters) == 1 else None
    workers = [pid for pid in pids if master is not None and _proc_ppid(pid) == master]
    return master, sorted(workers)


@dataclass
class Kill:
    at: float
    pid: int
    respawned_s: float | None = None


def kill_worker(address: str, workers: int, rng: random.Random, started: float) -> Kill | None:
    master, pids = gunicorn_processes(address)
    if master is None or not pids:
        return None
    victim = rng.choice(pids)
    with contextlib.suppress(ProcessLookupError):
        os.kill(victim, signal.SIGKILL)
    kill = Kill(at=time.monotonic() - started, pid=victim)
    deadline = time.monotonic() + RESPAWN_TIMEOUT_S
    while time.monotonic() < deadline:
        _master, now = gunicorn_processes(address)
        if victim not in now and len(now) >= workers:
            kill.respawned_s = round(time.monotonic() - started - kill.at, 2)
            break
        time.sleep(0.1)
    return kill


def _pg_connect(database_url: str, dbname: str = "postgres") -> Any:
    import psycopg

    parts = urlsplit(database_url)
    kwargs: dict[str, Any] = {
        "host": require_loopback(parts.hostname, "the bench database"),
        "port": parts.port or 5432,
        "user": parts.username or "postgres",
        "dbname": dbname,
        "connect_timeout": 3,
        "autocommit": True,
    }
    if parts.password:
        kwargs["password"] = parts.password
    return psycopg.connect(**kwargs)


def _dbname(database_url: str) -> str:
    return urlsplit(database_url).path.lstrip("/")


def wait_for_postgres(database_url: str, timeout_s: float = PG_WAIT_S) -> bool:
    """Until the bench database accepts a connection and answers ``SELECT 1``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with _pg_connect(database_url, _dbname(database_url)) as conn:
                conn.execute("SELECT 1")
            return True
        except Exception:
            time.sleep(0.2)
    return False


def _cluster() -> tuple[str, str]:
    versions = sorted(Path("/etc/postgresql").iterdir()) if Path("/etc/postgresql").is_dir() else []
    if not versions:
        raise BenchError("no /etc/postgresql/<version>: --outage restart needs a Debian-style cluster")
    return versions[-1].name, "main"


def _pg_ctlcluster(action: str) -> None:
    version, cluster = _cluster()
    done = subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, action],
        capture_output=True,
        text=True,
        timeout=PG_WAIT_S,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"pg_ctlcluster {action} failed: {(done.stdout + done.stderr).strip()}")


@contextlib.contextmanager
def _blocked(database_url: str) -> Iterator[None]:
    """The bench database refuses new connections and its sessions are ended, until the block ends."""
    from psycopg import sql

    name = sql.Identifier(_dbname(database_url))
    with _pg_connect(database_url) as conn:
        conn.execute(sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS false").format(name))
        try:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [_dbname(database_url)],
            )
            yield
        finally:
            conn.execute(sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS true").format(name))


@dataclass
class Outage:
    mode: str
    started: float | None = None
    database_back: float | None = None  # PostgreSQL answered again
    error: str = ""


def take_database_away(mode: str, database_url: str, seconds: float, started: float) -> Outage:
    outage = Outage(mode=mode, started=time.monotonic() - started)
    try:
        if mode == "block":
            with _blocked(database_url):
                time.sleep(seconds)
        else:
            if seconds > 0:
                _pg_ctlcluster("stop")
                time.sleep(seconds)
                _pg_ctlcluster("start")
            else:
                _pg_ctlcluster("restart")
    except Exception as error:  # the run goes on; the report names it
        outage.error = f"{type(error).__name__}: {error}"
    if wait_for_postgres(database_url):
        outage.database_back = time.monotonic() - started
    return outage


@dataclass
class Probe:
    at: float
    target: str
    status: int  # 0 = no answer (connection refused or timed out)
    ms: float
    error: str = ""


def probe_loop(
    base_url: str, target: str, stop: threading.Event, started: float, probes: list[Probe]
) -> None:
    client = Http(base_url)
    while not stop.is_set():
        began = time.monotonic()
        try:
            status, _raw = client.send("GET", target, timeout_s=PROBE_TIMEOUT_S)
            error = ""
        except (OSError, http.client.HTTPException) as exc:
            status, error = 0, type(exc).__name__
        probes.append(Probe(began - started, target, status, (time.monotonic() - began) * 1000, error))
        stop.wait(PROBE_INTERVAL_S)


def fault_schedule(warmup: float, seconds: float, kills: int, outage: str) -> list[tuple[float, str]]:
    """After the warm-up: the outage at 25 % of the run, the kills spread over 45–95 %. A respawned worker
    answers its first request only once it has imported the whole URL configuration, so the kills come after
    the outage, where that wait cannot be taken for the outage's."""
    events = [(warmup + seconds * (0.45 + 0.5 * (index + 0.5) / kills), "kill") for index in range(kills)]
    if outage != "none":
        events.append((warmup + seconds * 0.25, "outage"))
    return sorted(events)


def prime_workers(base_url: str, workers: int) -> float:
    """One request per worker at once, until each has answered: a fresh worker imports the URL configuration
    (every app's API, scikit-learn) on its first request. Returns the seconds it took."""
    started = time.monotonic()
    client = Http(base_url)

    def hit() -> None:
        with contextlib.suppress(OSError, http.client.HTTPException):
            client.send("GET", PROBE_TARGETS[1], timeout_s=PRIME_TIMEOUT_S)

    threads = [threading.Thread(target=hit, daemon=True) for _ in range(2 * workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=PRIME_TIMEOUT_S + 5)
    return time.monotonic() - started


# --- checks ---------------------------------------------------------------------------------------

_CASE_CHECKS = {
    "case without its submit event": """
        SELECT c.id FROM cases_case c WHERE c.id > %(floor)s AND (
            SELECT count(*) FROM cases_caseevent e WHERE e.case_id = c.id AND e.action = 'submit') <> 1""",
    "case without one case.submit audit event": """
        SELECT c.id FROM cases_case c WHERE c.id > %(floor)s AND (
            SELECT count(*) FROM core_auditevent a WHERE a.object_type = 'cases.case'
            AND a.object_id = c.id::text AND a.action = 'case.submit') <> 1""",
    "timeline event without its audit event": """
        SELECT e.case_id FROM (
            SELECT case_id, action, count(*) AS n FROM cases_caseevent WHERE case_id > %(floor)s GROUP BY 1, 2
        ) e LEFT JOIN (
            SELECT object_id, action, count(*) AS n FROM core_auditevent WHERE object_type = 'cases.case'
            GROUP BY 1, 2
        ) a ON a.object_id = e.case_id::text AND a.action = 'case.' || e.action
        WHERE a.n IS DISTINCT FROM e.n""",
    "audit event of a step without its timeline event": """
        SELECT a.object_id FROM (
            SELECT object_id, action, count(*) AS n FROM core_auditevent WHERE object_type = 'cases.case'
            AND action IN (SELECT DISTINCT 'case.' || action FROM cases_caseevent) GROUP BY 1, 2
        ) a LEFT JOIN (
            SELECT case_id, action, count(*) AS n FROM cases_caseevent GROUP BY 1, 2
        ) e ON a.object_id = e.case_id::text AND a.action = 'case.' || e.action
        WHERE a.object_id ~ '^[0-9]+$' AND a.object_id::bigint > %(floor)s AND e.n IS DISTINCT FROM a.n""",
    "materials not as the item version lists them": """
        SELECT c.id FROM cases_case c WHERE c.id > %(floor)s AND
            (SELECT count(*) FROM cases_casematerial m WHERE m.case_id = c.id)
            <> (SELECT count(*) FROM catalog_material m WHERE m.version_id = c.item_version_id)""",
    "status other than its last event's": """
        SELECT c.id FROM cases_case c WHERE c.id > %(floor)s AND c.status IS DISTINCT FROM (
            SELECT e.to_status FROM cases_caseevent e WHERE e.case_id = c.id AND e.to_status <> ''
            ORDER BY e.at DESC, e.id DESC LIMIT 1)""",
    "accepted without acceptance time or clerk": """
        SELECT c.id FROM cases_case c WHERE c.id > %(floor)s AND c.status = 'accepted'
            AND (c.accepted_at IS NULL OR c.accepted_by_id IS NULL)""",
    "number not from its item's daily counter": """
        SELECT c.id FROM cases_case c JOIN catalog_itemversion v ON v.id = c.item_version_id
        WHERE c.id > %(floor)s AND (left(c.number, 31) <> v.implementation_code OR NOT EXISTS (
            SELECT 1 FROM cases_casesequence s WHERE s.implementation_code = left(c.number, 31)
            AND to_char(s.day, 'YYYYMMDD') = substr(c.number, 32, 8)
            AND s.last >= substr(c.number, 40)::int))""",
}
_OTHER_CHECKS = {
    "hall ticket without its issue event or audit event": """
        SELECT t.id FROM hall_ticket t WHERE t.id > %(hall_floor)s AND (
            NOT EXISTS (SELECT 1 FROM hall_ticketevent e WHERE e.ticket_id = t.id AND e.kind = 'issued')
            OR (SELECT count(*) FROM core_auditevent a WHERE a.object_type = 'hall.ticket'
                AND a.object_id = t.id::text AND a.action = 'hall.ticket_issued') <> 1)""",
    "12345 ticket without its intake step, audit event or Open311 request": """
        SELECT t.id FROM hotline_hotlineticket t WHERE t.id > %(hotline_floor)s AND (
            (SELECT count(*) FROM hotline_ticketstep s WHERE s.ticket_id = t.id AND s.action = 'intake') <> 1
            OR (SELECT count(*) FROM core_auditevent a WHERE a.object_type = 'hotline.hotlineticket'
                AND a.object_id = t.id::text AND a.action = 'hotline.ticket_intake') <> 1
            OR (t.channel = 'open311' AND (SELECT count(*) FROM hotline_open311request r
                WHERE r.ticket_id = t.id) <> 1))""",
}
_DUPLICATES = {
    "case numbers": "SELECT number FROM cases_case GROUP BY number HAVING count(*) > 1",
    "case keys": "SELECT submitted_by_id || ':' || idempotency_key FROM cases_case "
    "WHERE idempotency_key IS NOT NULL GROUP BY submitted_by_id, idempotency_key HAVING count(*) > 1",
    "hall numbers": "SELECT hall_id || ':' || day || ':' || number FROM hall_ticket "
    "GROUP BY hall_id, day, number HAVING count(*) > 1",
    "12345 numbers": "SELECT number FROM hotline_hotlineticket GROUP BY number HAVING count(*) > 1",
}


def floors(database_url: str) -> dict[str, int]:
    """The highest ids before the run: the checks look at what the run wrote."""
    with _pg_connect(database_url, _dbname(database_url)) as conn:
        row = conn.execute(
            "SELECT (SELECT coalesce(max(id), 0) FROM cases_case),"
            " (SELECT coalesce(max(id), 0) FROM hall_ticket),"
            " (SELECT coalesce(max(id), 0) FROM hotline_hotlineticket)"
        ).fetchone()
    assert row is not None
    return {"floor": int(row[0]), "hall_floor": int(row[1]), "hotline_floor": int(row[2])}


@dataclass
class Verdict:
    found: Counter[str] = field(default_factory=Counter)
    missing: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    wrong_number: list[str] = field(default_factory=list)
    half_written: dict[str, list[int]] = field(default_factory=dict)
    accept_missing: list[int] = field(default_factory=list)
    unacknowledged_written: Counter[str] = field(default_factory=Counter)
    written: Counter[str] = field(default_factory=Counter)
    audit_ok: bool = False
    audit_message: str = ""

    @property
    def failed(self) -> bool:
        return bool(
            self.missing
            or self.duplicates
            or self.wrong_number
            or self.half_written
            or self.accept_missing
            or not self.audit_ok
        )


def verify(database_url: str, tally: Tally, setup: dict[str, Any], floor: dict[str, int]) -> Verdict:
    verdict = Verdict()
    users = {c["username"]: c["user_id"] for c in setup["clerks"]}
    users.update({a["username"]: a["user_id"] for a in setup["accounts"]})
    with _pg_connect(database_url, _dbname(database_url)) as conn:
        cases: dict[tuple[int, str], list[str]] = defaultdict(list)
        for submitter, key, number in conn.execute(
            "SELECT submitted_by_id, idempotency_key, number FROM cases_case WHERE id > %s", [floor["floor"]]
        ):
            cases[(submitter, key)].append(number)
        halls: dict[str, list[str]] = defaultdict(list)
        for key, number in conn.execute(
            "SELECT idempotency_key, number FROM hall_ticket WHERE id > %s", [floor["hall_floor"]]
        ):
            halls[key].append(number)
        hotline: dict[str, list[str]] = defaultdict(list)
        for key, number in conn.execute(
            "SELECT external_id, number FROM hotline_hotlineticket WHERE id > %s", [floor["hotline_floor"]]
        ):
            hotline[key].append(number)
        verdict.written.update({"case": sum(map(len, cases.values())), "hall": sum(map(len, halls.values()))})
        verdict.written["hotline"] = sum(map(len, hotline.values()))
        acknowledged: set[tuple[str, Any]] = set()
        for ack in tally.acks:
            rows: list[str]
            if ack.kind == "case":
                lookup: Any = (users[ack.submitter], ack.key)
                rows = cases.get(lookup, [])
            elif ack.kind == "hall":
                lookup = ack.key
                rows = halls.get(lookup, [])
            else:
                lookup = ack.key
                rows = hotline.get(lookup, [])
            label = f"{ack.kind} {ack.number} (key {ack.key})"
            if (ack.kind, lookup) in acknowledged:
                continue  # the same key acknowledged twice: a retry answered with the first submission
            acknowledged.add((ack.kind, lookup))
            if not rows:
                verdict.missing.append(label)
            elif len(rows) > 1:
                verdict.duplicates.append(f"{label}: {len(rows)} rows")
            elif rows[0] != ack.number:
                verdict.wrong_number.append(f"{label}: the database has {rows[0]}")
            else:
                verdict.found[ack.kind] += 1
        for kind, table in (("case", cases), ("hall", halls), ("hotline", hotline)):
            keys = {lookup for k, lookup in acknowledged if k == kind}
            verdict.unacknowledged_written[kind] = sum(len(v) for k, v in table.items() if k not in keys)
        for what, query in _DUPLICATES.items():
            for (value,) in conn.execute(query):
                verdict.duplicates.append(f"duplicate {what}: {value}")
        for what, query in {**_CASE_CHECKS, **_OTHER_CHECKS}.items():
            ids = [row[0] for row in conn.execute(query, floor)]
            if ids:
                verdict.half_written[what] = ids[:20]
        if tally.accepted_acks:
            accepted = {
                row[0]: row[1]
                for row in conn.execute(
                    "SELECT case_id, count(*) FROM cases_caseevent"
                    " WHERE action = 'accept' AND case_id = ANY(%s) GROUP BY case_id",
                    [tally.accepted_acks],
                )
            }
            verdict.accept_missing = [pk for pk in tally.accepted_acks if accepted.get(pk) != 1]
    try:
        verdict.audit_message = manage("audit_verify", database_url=database_url, timeout_s=600).strip()
        verdict.audit_ok = True
    except BenchError as error:
        verdict.audit_message = str(error).strip()
    return verdict


# --- the 503 window -------------------------------------------------------------------------------


@dataclass
class Availability:
    window: tuple[float, float] | None  # first and last 503 answer (probes and clients) of the outage
    statuses: dict[str, Counter[str]]
    recovered_s: float | None  # from PostgreSQL answering again to /readyz and the page both answering 200
    probe_max_ms: float
    unanswered: int  # probes without any answer (refused, reset or over PROBE_TIMEOUT_S)
    bad_probe_statuses: Counter[str]  # 5xx other than 503, 503 outside the outage, no answer during it


def availability(probes: list[Probe], outage: Outage | None, client_503s: list[float]) -> Availability:
    """Probe times are when the probe was sent; a probe's answer came ``ms`` later."""
    statuses: dict[str, Counter[str]] = defaultdict(Counter)
    for probe in probes:
        statuses[probe.target][str(probe.status) if probe.status else probe.error or "no answer"] += 1
    start = outage.started if outage else None
    back = outage.database_back if outage else None
    late = (back if back is not None else float("inf")) + RECOVERY_GRACE_S

    def in_outage(moment: float) -> bool:
        return start is not None and start <= moment <= late

    def down(moment: float) -> bool:  # the database away: every probe must be answered, with 503
        return start is not None and start <= moment <= (back if back is not None else float("inf"))

    unavailable = [p.at + p.ms / 1000 for p in probes if p.status == 503 and in_outage(p.at + p.ms / 1000)]
    unavailable += [moment for moment in client_503s if in_outage(moment)]
    window = (min(unavailable), max(unavailable)) if unavailable else None
    recovered = None
    if back is not None:
        ok_after: dict[str, float] = {}
        for probe in sorted(probes, key=lambda p: p.at):
            if probe.at >= back and probe.status == 200 and probe.target not in ok_after:
                ok_after[probe.target] = probe.at + probe.ms / 1000
        if len(ok_after) == len(PROBE_TARGETS):
            recovered = max(ok_after.values()) - back
    bad: Counter[str] = Counter()
    for probe in probes:
        answered_in_time = probe.status != 0 or not down(probe.at)  # a queue while all is well is only load
        answered_at = probe.at + probe.ms / 1000  # a probe in flight when the database went away may get 503
        if (probe.status < 500 and answered_in_time) or (probe.status == 503 and in_outage(answered_at)):
            continue
        bad[f"{probe.target} {probe.status or probe.error} at {probe.at:.1f}s"] += 1
    return Availability(
        window=window,
        statuses=dict(statuses),
        recovered_s=recovered,
        probe_max_ms=max((p.ms for p in probes), default=0.0),
        unanswered=sum(1 for p in probes if p.status == 0),
        bad_probe_statuses=bad,
    )


# --- the run --------------------------------------------------------------------------------------


def _shell_json(script: str, database_url: str) -> Any:
    output = manage("shell", "-c", script, database_url=database_url).strip().splitlines()
    if not output:
        raise BenchError("manage.py shell printed nothing")
    return json.loads(output[-1])


@dataclass
class Run:
    tally: Tally
    kills: list[Kill]
    outage: Outage | None
    probes: list[Probe]
    seconds: float
    setup: dict[str, Any]
    floor: dict[str, int]


def run_faults(args: argparse.Namespace, url: str) -> Run:
    rng = random.Random(args.seed)
    clone_demo_database(url)
    setup = _shell_json(SETUP_SCRIPT % {"accounts": APPLICANT_ACCOUNTS}, url)
    for need in ("window_items", "online_items", "applicants", "accounts", "categories", "services"):
        if not setup[need]:
            raise BenchError(f"the demo gave no {need.replace('_', ' ')}: {setup}")
    if not setup["hall_open"]:
        print("  note: the hall is closed today (a holiday?): hall tickets will be refused", flush=True)
    floor = floors(url)
    extra_env = {
        # All clients come from 127.0.0.1: per-address budgets are counted by the address each client gives
        # (X-Forwarded-For from a trusted proxy, as behind nginx), and the kiosk's budget is lifted.
        "YICHUANG_TRUSTED_PROXIES": "127.0.0.1",
        "YICHUANG_KIOSK_TICKETS_PER_MINUTE": "100000",
        "YICHUANG_RATE_LIMITS_ENABLED": "off",
    }
    tally = Tally()
    stop = Stop()
    probes: list[Probe] = []
    kills: list[Kill] = []
    outage: Outage | None = None
    with serve(url, workers=args.workers, extra_env=extra_env) as address:
        base = f"http://{address}"
        print(f"  workers primed in {prime_workers(base, args.workers):.1f} s", flush=True)
        kinds = [_ASSIGNMENT[index % len(_ASSIGNMENT)] for index in range(args.clients)]
        clients = [
            Client(kind, index, base, setup, tally, stop, rng.randrange(2**31))
            for index, kind in enumerate(kinds)
        ]
        started = time.monotonic()
        tally.t0 = started
        probe_stop = threading.Event()
        probers = [
            threading.Thread(target=probe_loop, args=(base, target, probe_stop, started, probes), daemon=True)
            for target in PROBE_TARGETS
        ]
        threads = [threading.Thread(target=c.run, name=f"{c.kind}-{c.number}", daemon=True) for c in clients]
        for thread in probers + threads:
            thread.start()
        for at, event in fault_schedule(args.warmup, args.seconds, args.kills, args.outage):
            time.sleep(max(0.0, at - (time.monotonic() - started)))
            if event == "kill":
                kill = kill_worker(address, args.workers, rng, started)
                if kill is not None:
                    kills.append(kill)
                    print(
                        f"  {kill.at:5.1f} s  SIGKILL worker {kill.pid}; respawned after {kill.respawned_s} s"
                    )
            else:
                print(f"  {time.monotonic() - started:5.1f} s  outage ({args.outage}) begins", flush=True)
                outage = take_database_away(args.outage, url, args.outage_seconds, started)
                print(
                    f"  {time.monotonic() - started:5.1f} s  database back at {outage.database_back} s"
                    + (f" ({outage.error})" if outage.error else ""),
                    flush=True,
                )
        time.sleep(max(0.0, args.warmup + args.seconds - (time.monotonic() - started)))
        stop.soft.set()
        for thread in threads:
            thread.join(timeout=RETRY_BUDGET_S + REQUEST_TIMEOUT_S + 10)
        stop.hard.set()
        for thread in threads:
            thread.join(timeout=REQUEST_TIMEOUT_S + 5)
        probe_stop.set()
        for thread in probers:
            thread.join(timeout=PROBE_TIMEOUT_S + 5)
        seconds = time.monotonic() - started
    return Run(tally, kills, outage, list(probes), seconds, setup, floor)


def report(args: argparse.Namespace, run: Run, verdict: Verdict, avail: Availability) -> dict[str, Any]:
    tally = run.tally
    acks = Counter(ack.kind for ack in tally.acks)
    fives = Counter(str(status) for _at, status, _what, _body in tally.server_errors)
    start = run.outage.started if run.outage else None
    back = run.outage.database_back if run.outage else None
    late_until = (back if back is not None else float("inf")) + RECOVERY_GRACE_S
    outside = [
        (at, status, what, body)
        for at, status, what, body in tally.server_errors
        if status != 503 or start is None or not start <= at <= late_until
    ]
    summary = {
        "bench": "faults",
        "outage": args.outage,
        "seconds": round(run.seconds, 1),
        "clients": args.clients,
        "workers": args.workers,
        "attempted": dict(tally.attempted),
        "acknowledged": dict(acks),
        "found": dict(verdict.found),
        "missing": len(verdict.missing),
        "duplicates": len(verdict.duplicates),
        "wrong_number": len(verdict.wrong_number),
        "half_written": {k: len(v) for k, v in verdict.half_written.items()},
        "gave_up": dict(tally.gave_up),
        "written_unacknowledged": dict(verdict.unacknowledged_written),
        "accepts_acknowledged": len(tally.accepted_acks),
        "accepts_missing": len(verdict.accept_missing),
        "retries": tally.retries,
        "reads": tally.reads,
        "server_errors": dict(fives),
        "server_errors_outside_outage": len(outside),
        "connection_errors": dict(tally.connection_errors),
        "timeouts": tally.timeouts,
        "kills": len(run.kills),
        "kills_respawned": sum(1 for k in run.kills if k.respawned_s is not None),
        "outage_started_s": round(start, 2) if start is not None else None,
        "database_back_s": round(back, 2) if back is not None else None,
        "window_503_s": [round(x, 2) for x in avail.window] if avail.window else None,
        "recovered_after_s": round(avail.recovered_s, 2) if avail.recovered_s is not None else None,
        "probe_max_ms": round(avail.probe_max_ms, 1),
        "probes_unanswered": avail.unanswered,
        "probe_bad": sum(avail.bad_probe_statuses.values()),
        "audit_ok": verdict.audit_ok,
        "rejected": len(tally.rejected),
    }
    return {"summary": summary, "outside": outside}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    url = resolve_database_url(args.database_url)
    try:
        pg = postgres_version(url)
    except (PostgresUnavailable, BenchError) as error:
        print(f"bench.faults: {error}", file=sys.stderr)
        return 2
    if args.outage == "restart":
        try:
            _cluster()
        except BenchError as error:
            print(f"bench.faults: {error}", file=sys.stderr)
            return 2
    print(
        f"faults · commit {code_commit()} · PostgreSQL {pg} · Python {platform.python_version()} · "
        f"{os.cpu_count()} CPUs · gunicorn {args.workers} sync workers · {args.clients} clients · "
        f"{args.seconds:g} s · {args.kills} kills · outage {args.outage} ({args.outage_seconds:g} s)",
        flush=True,
    )
    try:
        run = run_faults(args, url)
        verdict = verify(url, run.tally, run.setup, run.floor)
    except BenchError as error:
        print(f"bench.faults: {error}", file=sys.stderr)
        return 1
    client_503s = [at for at, status, _what, _body in run.tally.server_errors if status == 503]
    avail = availability(run.probes, run.outage, client_503s)
    result = report(args, run, verdict, avail)
    summary = result["summary"]
    print()
    print(f"{'':16}{'attempted':>10}{'acknowledged':>14}{'found':>7}{'gave up':>9}{'written, no ack':>17}")
    for kind in ("case", "hall", "hotline"):
        print(
            f"{kind:16}{run.tally.attempted[kind]:>10}{summary['acknowledged'].get(kind, 0):>14}"
            f"{verdict.found[kind]:>7}{run.tally.gave_up[kind]:>9}{verdict.unacknowledged_written[kind]:>17}"
        )
    print(
        f"missing {len(verdict.missing)} · duplicates {len(verdict.duplicates)} · wrong numbers "
        f"{len(verdict.wrong_number)} · half-written {sum(summary['half_written'].values())} · acceptances "
        f"acknowledged {summary['accepts_acknowledged']}, missing {summary['accepts_missing']}"
    )
    print(
        f"5xx answers {summary['server_errors'] or 'none'} "
        f"({summary['server_errors_outside_outage']} outside the outage) · connection errors "
        f"{summary['connection_errors'] or 'none'} · timeouts {summary['timeouts']} · "
        f"retries {summary['retries']} · dashboard reads {summary['reads']}"
    )
    print(
        f"kills {summary['kills']} (respawned {summary['kills_respawned']}: "
        + ", ".join(f"{k.pid} at {k.at:.1f} s → {k.respawned_s} s" for k in run.kills)
        + ")"
    )
    if run.outage:
        window = summary["window_503_s"]
        print(
            f"outage {args.outage} from {summary['outage_started_s']} s, database back at "
            f"{summary['database_back_s']} s; 503 answers (probes and clients) from "
            f"{window[0] if window else '-'} to {window[1] if window else '-'} s; /readyz and the page 200 "
            "again "
            f"{summary['recovered_after_s']} s after the database; slowest probe "
            f"{summary['probe_max_ms']:.0f} ms; unanswered probes {summary['probes_unanswered']}"
            + (f"; outage error: {run.outage.error}" if run.outage.error else "")
        )
    print(
        "probes: "
        + "; ".join(f"{target} {dict(counts)}" for target, counts in sorted(avail.statuses.items()))
    )
    print(
        f"audit_verify: {'ok' if verdict.audit_ok else 'FAILED'} — {verdict.audit_message.splitlines()[-1:]}"
    )
    for label, rows in (
        ("missing", verdict.missing),
        ("duplicate", verdict.duplicates),
        ("wrong number", verdict.wrong_number),
        ("rejected write", run.tally.rejected),
    ):
        for row in rows[:10]:
            print(f"  {label}: {row}")
    for what, ids in verdict.half_written.items():
        print(f"  half-written: {what}: ids {ids}")
    for _at, status, what, body in result["outside"][:10]:
        print(f"  {status} outside the outage on {what}: {body}")
    for line in list(avail.bad_probe_statuses)[:10]:
        print(f"  probe answer out of place: {line}")
    print()
    print(json.dumps(summary, ensure_ascii=False))
    recovered = run.outage is None or (
        run.outage.database_back is not None and avail.recovered_s is not None and not run.outage.error
    )
    failed = (
        verdict.failed
        or bool(result["outside"])
        or bool(avail.bad_probe_statuses)
        or not recovered
        or (run.outage is not None and avail.window is None and args.outage_seconds >= 1)
        or len(run.kills) < args.kills
        or any(k.respawned_s is None for k in run.kills)
        or bool(run.tally.rejected)
    )
    print("RESULT: " + ("FAILED" if failed else "ok: nothing lost, nothing doubled, nothing half-written"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
