"""The in-process schedule runs the sweep in a daemon thread of a serving process."""

from __future__ import annotations

import threading
import time

import pytest

from yichuang.cases import scheduler
from yichuang.core.models import AuditEvent


@pytest.mark.django_db(transaction=True)
def test_the_schedule_sweeps_repeatedly_until_stopped(monkeypatch) -> None:
    monkeypatch.setattr(scheduler, "_started", threading.Event())
    stop = threading.Event()
    thread = scheduler.start(0.05, stop)
    assert thread is not None and thread.daemon
    assert scheduler.start(0.05, stop) is None  # once per process
    deadline = time.monotonic() + 10
    while AuditEvent.objects.filter(action="case.sweep").count() < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join(timeout=5)
    assert AuditEvent.objects.filter(action="case.sweep").count() >= 2
    assert not thread.is_alive()


def test_a_zero_interval_schedules_nothing(monkeypatch) -> None:
    monkeypatch.setattr(scheduler, "_started", threading.Event())
    assert scheduler.start(0) is None
