"""Shared bench scaffolding: a fresh PostgreSQL database, the app under gunicorn, a token, a load driver.

Typical use::

    with running_app(workers=4) as base_url:
        token = issue_token("admin")
        figures = measure(base_url + "/api/v1/departments", headers=bearer(token), concurrency=8,
                          duration_s=10)
        print(figures.as_dict())

Everything here targets 127.0.0.1 only, and every loop is bounded in count and in time.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/yichuang_bench"
LOOPBACK = "127.0.0.1"

STARTUP_TIMEOUT_S = 60.0
COMMAND_TIMEOUT_S = 600.0
STOP_TIMEOUT_S = 15.0
REQUEST_TIMEOUT_S = 30.0
MAX_SECONDS = 3600.0  # hard ceiling for any single measure() call, whatever was asked
MAX_REQUESTS = 10_000_000

_DB_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class BenchError(RuntimeError):
    """A bench could not be set up; the message says why and what to do."""


class PostgresUnavailable(BenchError):
    """PostgreSQL does not answer at the configured address."""


# --- addresses ------------------------------------------------------------------------------------


def require_loopback(host: str | None, what: str) -> str:
    """Refuse anything but 127.0.0.1: benches never target another machine."""
    if host != LOOPBACK:
        raise BenchError(f"{what} must be on {LOOPBACK}, not {host!r}")
    return host


def resolve_database_url(database_url: str | None = None) -> str:
    """The bench database URL: the argument, else $BENCH_DATABASE_URL, else the local default."""
    return database_url or os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL


@dataclass(frozen=True)
class _PgTarget:
    host: str
    port: int
    user: str
    password: str | None
    dbname: str

    def connect_kwargs(self, dbname: str) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "dbname": dbname,
            "connect_timeout": 5,
        }
        if self.password:
            kwargs["password"] = self.password
        return kwargs


def _parse_database_url(url: str) -> _PgTarget:
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise BenchError(f"the bench database must be PostgreSQL, got scheme {parts.scheme!r}")
    host = require_loopback(parts.hostname, "the bench database")
    dbname = unquote(parts.path.lstrip("/"))
    if not _DB_NAME.match(dbname):
        raise BenchError(f"bench database name {dbname!r} must be a plain lower-case identifier")
    if dbname in {"postgres", "template0", "template1"}:
        raise BenchError(f"refusing to drop and recreate the system database {dbname!r}")
    return _PgTarget(
        host=host,
        port=parts.port or 5432,
        user=unquote(parts.username or "postgres"),
        password=unquote(parts.password) if parts.password else None,
        dbname=dbname,
    )


# --- PostgreSQL -----------------------------------------------------------------------------------


def postgres_version(database_url: str | None = None) -> str:
    """Server version string; raises PostgresUnavailable when nothing answers."""
    import psycopg

    target = _parse_database_url(resolve_database_url(database_url))
    try:
        with psycopg.connect(**target.connect_kwargs("postgres"), autocommit=True) as conn:
            row = conn.execute("SHOW server_version").fetchone()
    except psycopg.OperationalError as error:
        raise PostgresUnavailable(
            f"PostgreSQL is not reachable at {target.host}:{target.port} as {target.user!r}: "
            f"{str(error).strip()}"
        ) from error
    return str(row[0]) if row else "?"


def recreate_database(database_url: str | None = None) -> None:
    """DROP and CREATE the dedicated bench database (never FORCE: a live user makes this fail)."""
    import psycopg
    from psycopg import sql

    target = _parse_database_url(resolve_database_url(database_url))
    postgres_version(database_url)  # clear PostgresUnavailable before anything else
    with psycopg.connect(**target.connect_kwargs("postgres"), autocommit=True) as conn:
        name = sql.Identifier(target.dbname)
        try:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(name))
        except psycopg.errors.ObjectInUse as error:
            raise BenchError(
                f"database {target.dbname!r} is in use (another bench running, or a leftover server?); "
                "stop it or set BENCH_DATABASE_URL to another database name"
            ) from error
        conn.execute(sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0").format(name))


def fresh_demo_database(database_url: str) -> str:
    """Recreate the bench database, migrate it and load the demo centre (without the real catalogue);
    returns the PostgreSQL version. Raises ``PostgresUnavailable`` when nothing answers."""
    version = postgres_version(database_url)
    recreate_database(database_url)
    manage("migrate", "--noinput", database_url=database_url, timeout_s=900)
    manage("demo_load", "--without-real-catalogue", database_url=database_url, timeout_s=900)
    return version


# The demo centre without its simulated history (hall day, hotline year, ratings, supervision cards) and
# without the real catalogue: departments, staff, applicants, licence types, the demo catalogue, the hall and
# its windows, the 12345 classification. What load and fault benches need, built in a fraction of the time.
LIGHT_DEMO_SCRIPT = """
from yichuang.demo import loader
from yichuang.hall import demo as hall_demo
from yichuang.hotline import demo as hotline_demo
admin = loader.load_demo()
loader.load_demo_licences(admin=admin)
loader.load_demo_catalog(admin=admin)
hall_demo._define(admin)
hotline_demo._load_taxonomy(admin)
hotline_demo._load_directory(admin, hotline_demo._departments())
print("light demo loaded")
"""


def demo_fingerprint(extra: str = "") -> str:
    """A digest of what a migrated demo database holds: every migration file, the demo loaders' code,
    ``extra`` (the script that loads it) and the keys personal data is encrypted with (hashed, never
    stored). A template built with another digest is rebuilt."""
    digest = hashlib.sha256(extra.encode())
    paths = sorted(
        {
            *PROJECT_DIR.glob("yichuang/**/migrations/*.py"),
            *PROJECT_DIR.glob("yichuang/*/demo*.py"),
            *(PROJECT_DIR / "yichuang" / "demo").rglob("*.py"),
        }
    )
    for path in paths:
        digest.update(str(path.relative_to(PROJECT_DIR)).encode())
        digest.update(path.read_bytes())
    for name in ("YICHUANG_FIELD_KEYS", "YICHUANG_LOOKUP_KEY", "DJANGO_SECRET_KEY", "YICHUANG_SECRET_KEY"):
        digest.update(f"{name}={os.environ.get(name, '')}".encode())
    return digest.hexdigest()[:32]


def clone_demo_database(database_url: str, *, light: bool = True, timeout_s: float = 1800) -> bool:
    """Make the bench database a copy of ``<name>_template``: migrated, with the demo centre loaded
    (``light``: ``LIGHT_DEMO_SCRIPT``; else the whole ``demo_load``). The template is built first when it is
    missing or was built from other code (``demo_fingerprint``, kept as the template's comment); a copy then
    takes seconds where migrate + demo take minutes. Returns whether the template was (re)built. Raises
    ``PostgresUnavailable`` when nothing answers."""
    import psycopg
    from psycopg import sql

    url = resolve_database_url(database_url)
    target = _parse_database_url(url)
    template = f"{target.dbname[:50]}_template"
    template_url = url.rsplit("/", 1)[0] + "/" + template
    fingerprint = demo_fingerprint(LIGHT_DEMO_SCRIPT if light else "demo_load")
    postgres_version(url)
    with psycopg.connect(**target.connect_kwargs("postgres"), autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [template]
        ).fetchone()
    rebuilt = row is None or row[0] != fingerprint
    if rebuilt:
        recreate_database(template_url)
        manage("migrate", "--noinput", database_url=template_url, timeout_s=timeout_s)
        if light:
            manage("shell", "-c", LIGHT_DEMO_SCRIPT, database_url=template_url, timeout_s=timeout_s)
        else:
            manage("demo_load", database_url=template_url, timeout_s=timeout_s)
    with psycopg.connect(**target.connect_kwargs("postgres"), autocommit=True) as conn:
        if rebuilt:
            comment = sql.SQL("COMMENT ON DATABASE {} IS {}")
            conn.execute(comment.format(sql.Identifier(template), sql.Literal(fingerprint)))
        try:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(target.dbname)))
        except psycopg.errors.ObjectInUse as error:
            raise BenchError(f"database {target.dbname!r} is in use (another bench running?)") from error
        copy = sql.SQL("CREATE DATABASE {} TEMPLATE {}")
        conn.execute(copy.format(sql.Identifier(target.dbname), sql.Identifier(template)))
    return rebuilt


# --- manage.py ------------------------------------------------------------------------------------


def app_environment(database_url: str | None = None) -> dict[str, str]:
    """Environment for manage.py and gunicorn: production settings against the bench database."""
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": resolve_database_url(database_url),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "YICHUANG_DEBUG": "0",
            "YICHUANG_DB_CONN_MAX_AGE": "60",
            # All simulated clients come from 127.0.0.1: per-address limits would throttle the bench itself.
            "YICHUANG_RATE_LIMITS_ENABLED": "off",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def manage(*args: str, database_url: str | None = None, timeout_s: float = COMMAND_TIMEOUT_S) -> str:
    """Run ``manage.py <args>`` against the bench database and return its stdout."""
    command = [sys.executable, str(PROJECT_DIR / "manage.py"), *args]
    try:
        done = subprocess.run(
            command,
            cwd=PROJECT_DIR,
            env=app_environment(database_url),
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise BenchError(f"manage.py {' '.join(args)} did not finish within {timeout_s:.0f} s") from error
    if done.returncode != 0:
        raise BenchError(
            f"manage.py {' '.join(args)} failed (exit {done.returncode}):\n{_tail(done.stdout + done.stderr)}"
        )
    return done.stdout


def issue_token(username: str, *, database_url: str | None = None, name: str = "bench") -> str:
    """A fresh raw API bearer token for ``username`` (issued by the demo admin)."""
    output = manage("token_issue", username, "--name", name, database_url=database_url, timeout_s=120)
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    if not lines or not lines[-1].startswith("yc_"):
        raise BenchError(f"token_issue printed no token:\n{_tail(output)}")
    return lines[-1]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# --- gunicorn -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def _answers(port: int) -> bool:
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=5)
    try:
        # /healthz is answered by the first middleware in milliseconds; the OpenAPI schema asked for before
        # took 3-4 s on a busy box, longer than the timeout, so the server never seemed to answer.
        conn.request("GET", "/healthz")
        conn.getresponse().read()
        return True  # any HTTP answer, whatever the status, means the server is serving
    except OSError:
        return False
    finally:
        conn.close()


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the gunicorn master we started (graceful), then SIGKILL its own process group."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=STOP_TIMEOUT_S)
    # The master ran in a session of its own (start_new_session): its pid is the group id, and the
    # group holds only the master and its workers.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=STOP_TIMEOUT_S)


@contextlib.contextmanager
def running_app(
    *,
    workers: int = 4,
    threads: int = 1,
    database_url: str | None = None,
    load_demo: bool = True,
    extra_env: dict[str, str] | None = None,
) -> Iterator[str]:
    """Fresh bench database, migrated (and the demo loaded), served by gunicorn on 127.0.0.1.

    Yields the base URL (``http://127.0.0.1:<port>``, no trailing slash); the server is always
    stopped on exit. ``threads`` > 1 selects gunicorn's gthread worker (keep-alive connections);
    the default sync worker closes the connection after every response.
    """
    if not 1 <= workers <= 64 or not 1 <= threads <= 64:
        raise BenchError("workers and threads must be between 1 and 64")
    url = resolve_database_url(database_url)
    recreate_database(url)
    manage("migrate", "--noinput", database_url=url)
    if load_demo:
        manage("demo_load", database_url=url)

    with serve(url, workers=workers, threads=threads, extra_env=extra_env) as address:
        yield f"http://{address}"


@contextlib.contextmanager
def serve(
    database_url: str,
    *,
    workers: int,
    threads: int = 1,
    target: str = "config.wsgi:application",
    extra_env: dict[str, str] | None = None,
) -> Iterator[str]:
    """gunicorn serving ``target`` on 127.0.0.1 against ``database_url`` until the block ends.

    Yields ``127.0.0.1:<port>``; the gunicorn log is kept (and its path printed) only when the block
    fails."""
    port = free_port()
    log_dir = Path(tempfile.mkdtemp(prefix="yichuang-bench-"))
    log_path = log_dir / "gunicorn.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        target,
        "--bind",
        f"{LOOPBACK}:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--timeout",
        "60",
        "--graceful-timeout",
        "5",
        "--keep-alive",
        "5",
        "--log-level",
        "warning",
    ]
    failed = False
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=PROJECT_DIR,
            env={**app_environment(database_url), **(extra_env or {})},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT_S
            while not _answers(port):
                if process.poll() is not None:
                    raise BenchError(f"gunicorn exited with {process.returncode}:\n{_read_tail(log_path)}")
                if time.monotonic() > deadline:
                    raise BenchError(
                        f"gunicorn did not answer within {STARTUP_TIMEOUT_S:.0f} s:\n{_read_tail(log_path)}"
                    )
                time.sleep(0.2)
            yield f"{LOOPBACK}:{port}"
        except BaseException:
            failed = True
            raise
        finally:
            _stop(process)
            if failed:
                print(f"gunicorn log kept at {log_path}", file=sys.stderr)
            else:
                shutil.rmtree(log_dir, ignore_errors=True)


def gunicorn_pids(address: str) -> list[int]:
    """Every process (master and workers) of the gunicorn serving ``address`` (``host:port``), from /proc."""
    marker = address.encode()
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                arguments = handle.read().split(b"\0")
        except OSError:
            continue
        # The whole argument (``--bind 127.0.0.1:PORT``): port 8000 must not match 80001.
        if any(b"gunicorn" in argument for argument in arguments) and marker in arguments:
            pids.append(int(entry))
    return pids


def _tail(text: str, lines: int = 30) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _read_tail(path: Path) -> str:
    try:
        return _tail(path.read_text(errors="replace"))
    except OSError:
        return "(no log)"


# --- load driver ----------------------------------------------------------------------------------


@dataclass
class Figures:
    """What one measure() run saw. Latencies are per request, in milliseconds."""

    requests: int
    errors: int
    seconds: float
    concurrency: int
    latencies_ms: list[float] = field(repr=False, default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    error_sample: str = ""

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    def percentile(self, pct: float) -> float:
        """Nearest-rank percentile of the latencies (0.0 when nothing was measured)."""
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
        return ordered[rank - 1]

    def as_dict(self) -> dict[str, Any]:
        ordered = sorted(self.latencies_ms)
        return {
            "requests": self.requests,
            "errors": self.errors,
            "seconds": round(self.seconds, 3),
            "concurrency": self.concurrency,
            "rps": round(self.rps, 1),
            "p50_ms": round(self.percentile(50), 2),
            "p95_ms": round(self.percentile(95), 2),
            "p99_ms": round(self.percentile(99), 2),
            "mean_ms": round(sum(ordered) / len(ordered), 2) if ordered else 0.0,
            "max_ms": round(ordered[-1], 2) if ordered else 0.0,
            "statuses": dict(sorted(self.statuses.items())),
            **({"error_sample": self.error_sample} if self.error_sample else {}),
        }


_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


def measure(
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    concurrency: int = 8,
    duration_s: float | None = None,
    requests: int | None = None,
    method: str = "GET",
    timeout_s: float = REQUEST_TIMEOUT_S,
) -> Figures:
    """Hit ``url`` from ``concurrency`` threads, each on its own keep-alive connection.

    Stops after ``duration_s`` seconds or ``requests`` requests, whichever comes first (give at
    least one; never more than MAX_SECONDS / MAX_REQUESTS). A response with status >= 400 or a
    failed request counts as an error; errors are not timed.
    """
    if duration_s is None and requests is None:
        raise ValueError("give duration_s or requests")
    if not 1 <= concurrency <= 256:
        raise ValueError("concurrency must be between 1 and 256")
    parts = urlsplit(url)
    if parts.scheme != "http":
        raise BenchError(f"only plain http is measured, got {parts.scheme!r}")
    host = require_loopback(parts.hostname, "the measured URL")
    port = parts.port or 80
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    send_headers = {"Connection": "keep-alive", "Accept": "application/json", **(headers or {})}
    budget = min(requests if requests is not None else MAX_REQUESTS, MAX_REQUESTS)
    seconds = min(duration_s if duration_s is not None else MAX_SECONDS, MAX_SECONDS)

    lock = threading.Lock()
    issued = 0
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    statuses: Counter[str] = Counter()
    errors = 0
    error_sample = ""

    def take_ticket() -> bool:
        nonlocal issued
        with lock:
            if issued >= budget:
                return False
            issued += 1
            return True

    def note(status: str, failure: str = "") -> None:
        nonlocal errors, error_sample
        with lock:
            statuses[status] += 1
            if failure:
                errors += 1
                error_sample = error_sample or failure[:300]

    def one_request(conn: http.client.HTTPConnection) -> tuple[int, bytes]:
        conn.request(method, target, headers=send_headers)
        response = conn.getresponse()
        return response.status, response.read()

    def worker(slot: int, deadline: float) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=timeout_s)
        mine = latencies[slot]
        try:
            while time.perf_counter() < deadline and take_ticket():
                reused = conn.sock is not None
                started = time.perf_counter()
                try:
                    try:
                        status, body = one_request(conn)
                    except _STALE:
                        if not reused:
                            raise
                        # The server closed an idle keep-alive connection: reconnect once.
                        conn.close()
                        started = time.perf_counter()
                        status, body = one_request(conn)
                except (OSError, http.client.HTTPException) as error:
                    conn.close()
                    note(type(error).__name__, f"{type(error).__name__}: {error}")
                    continue
                elapsed_ms = (time.perf_counter() - started) * 1000
                if status >= 400:
                    note(str(status), f"HTTP {status}: {body[:200].decode(errors='replace')}")
                else:
                    note(str(status))
                    mine.append(elapsed_ms)
        finally:
            conn.close()

    started = time.perf_counter()
    deadline = started + seconds
    threads = [
        threading.Thread(target=worker, args=(slot, deadline), name=f"bench-{slot}", daemon=True)
        for slot in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        # A request in flight at the deadline may take up to timeout_s more; never wait longer.
        thread.join(timeout=max(0.0, deadline - time.perf_counter()) + timeout_s + 5)
    elapsed = time.perf_counter() - started
    with lock:
        return Figures(
            requests=sum(statuses.values()),
            errors=errors,
            seconds=elapsed,
            concurrency=concurrency,
            latencies_ms=[ms for chunk in latencies for ms in chunk],
            statuses=dict(statuses),
            error_sample=error_sample,
        )


def fetch(url: str, *, headers: Mapping[str, str] | None = None, timeout_s: float = 30) -> tuple[int, bytes]:
    """One GET on 127.0.0.1, for checking an endpoint before measuring it."""
    parts = urlsplit(url)
    host = require_loopback(parts.hostname, "the fetched URL")
    conn = http.client.HTTPConnection(host, parts.port or 80, timeout=timeout_s)
    try:
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        conn.request("GET", target, headers=dict(headers or {}))
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def code_commit() -> str:
    """Short commit of the code under test, "-dirty" when the tree has uncommitted edits."""
    try:
        done = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except OSError:
        return "?"
    return done.stdout.strip() or "?"
