"""A short fault run (``bench/faults.py``) against PostgreSQL on 127.0.0.1:5432: under a mixed load, one gunicorn
worker SIGKILLed and the bench database taken away for a few seconds (its sessions ended, new connections
refused: ``--outage block``; the PostgreSQL server itself is never restarted here), then everything acknowledged
must be in the database exactly once, nothing half-written, the audit chain whole, 503 (never 500) while the
database was away and recovery without help.

Runs only in the SQLite pass of the suite (skipped when DATABASE_URL names PostgreSQL, so it never disturbs the
PostgreSQL run) and only when PostgreSQL answers at 127.0.0.1:5432 (under CI=true an unreachable server fails
the test). The first run builds the kept template ``bench_faults_template`` (migrate + demo, minutes); later
runs copy it and take about a minute.
"""

from __future__ import annotations

import json
import os
import socket

import pytest

from bench import faults


def _postgres_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture
def postgres() -> None:
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://", "pgsql://")):
        pytest.skip("the fault run belongs to the SQLite pass: it must not disturb the PostgreSQL run")
    if not _postgres_answers():
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL is not reachable at 127.0.0.1:5432 (CI=true)")
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")


def test_short_fault_run_loses_nothing(postgres: None, capsys: pytest.CaptureFixture[str]) -> None:
    status = faults.main(
        [
            "--seconds", "14", "--clients", "8", "--workers", "2", "--kills", "1",
            "--outage", "block", "--outage-seconds", "3", "--seed", "12",
        ]
    )  # fmt: skip
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line.startswith('{"bench": "faults"')]
    assert lines, out
    summary = json.loads(lines[-1])
    assert status == 0, out
    # Work was done and acknowledged, and all of it is there once.
    assert summary["acknowledged"].get("case", 0) > 0, out
    assert summary["acknowledged"].get("hall", 0) > 0, out
    assert summary["acknowledged"].get("hotline", 0) > 0, out
    assert summary["found"] == summary["acknowledged"], out
    assert summary["missing"] == summary["duplicates"] == summary["wrong_number"] == 0, out
    assert summary["half_written"] == {}, out
    assert summary["audit_ok"] is True, out
    # The faults happened: a worker was killed and came back; the probes saw 503 and then 200 again.
    assert summary["kills"] == summary["kills_respawned"] == 1, out
    assert summary["window_503_s"] is not None, out
    assert summary["recovered_after_s"] is not None, out
    assert set(summary["server_errors"]) <= {"503"}, out
    assert summary["server_errors_outside_outage"] == 0, out
