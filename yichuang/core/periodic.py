"""Periodic jobs (定时作业): the sweeps, queued by one beat on the job queue (yichuang/core/jobs.py).

``settings.YICHUANG_PERIODIC_JOBS`` names each job, its interval in seconds and its function (a dotted path,
so core needs no app). ``manage.py jobs_beat`` wakes every few seconds and queues each job once per interval:
the interval's slot is claimed in the shared cache (Redis), so several beats (one per server, for failover)
still queue every slot once. The sweeps are idempotent and set-based, so a slot run twice after a lost
claim changes nothing. Without a queue service the jobs run in threads of the beat process.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils.module_loading import import_string
from django_tasks import task

logger = logging.getLogger("yichuang.jobs.beat")


def schedule() -> dict[str, tuple[int, str]]:
    """``{name: (seconds, dotted path)}`` of the jobs to run, intervals of at least 10 s."""
    jobs = getattr(settings, "YICHUANG_PERIODIC_JOBS", {}) or {}
    return {name: (max(10, int(seconds)), path) for name, (seconds, path) in jobs.items()}


@task()
def periodic_run(name: str) -> Any:
    """Run one periodic job by its name (the queued job carries the name, not the function)."""
    seconds_path = schedule().get(name)
    if seconds_path is None:
        raise LookupError(f"unknown periodic job {name!r}")
    started = time.monotonic()
    report = import_string(seconds_path[1])()
    logger.info("periodic %s done in %.1f s: %s", name, time.monotonic() - started, report)
    return report if isinstance(report, dict | list | str | int | float | type(None)) else str(report)


def beat(now: float | None = None) -> list[str]:
    """Queue the jobs whose current interval has not been claimed yet; returns their names."""
    now = time.time() if now is None else now
    queued = []
    for name, (seconds, _path) in schedule().items():
        slot = int(now // seconds)
        if cache.add(f"yichuang:beat:{name}:{slot}", 1, timeout=seconds * 2):
            periodic_run.enqueue(name)
            queued.append(name)
    return queued
