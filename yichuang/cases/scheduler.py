"""The deadline sweep scheduled inside the application process (for a one-machine centre without cron).

Started from ``CasesConfig.ready`` when ``YICHUANG_SWEEP_INTERVAL_SECONDS`` > 0 and the process serves
requests (runserver, gunicorn); never in tests or other management commands. Several processes may run
it: the sweep is idempotent and its updates are set-based, so a second run in the same minute changes
nothing. A deployment with a task queue or cron runs ``manage.py cases_sweep`` instead (docs/cases.md).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from django.db import close_old_connections

logger = logging.getLogger("yichuang.cases.sweep")
_started = threading.Event()
# Periodic jobs of the apps built on cases (the supervision cards and roll-up), run after each sweep.
_JOBS: list[Callable[[], Any]] = []


def register(job: Callable[[], Any]) -> Callable[[], Any]:
    if job not in _JOBS:
        _JOBS.append(job)
    return job


def sweep_once() -> dict[str, int] | None:
    from yichuang.cases.timing import cases_sweep

    close_old_connections()
    try:
        report = cases_sweep()
    except Exception:  # a failed run is logged and retried at the next interval
        logger.exception("cases_sweep failed")
        return None
    finally:
        close_old_connections()
    logger.info("cases_sweep %s", report)
    for job in _JOBS:
        try:
            logger.info("%s %s", job.__name__, job())
        except Exception:
            logger.exception("%s failed", job.__name__)
        finally:
            close_old_connections()
    return report


def _loop(interval: float, stop: threading.Event) -> None:
    while not stop.wait(interval):
        sweep_once()


def start(interval: float, stop: threading.Event | None = None) -> threading.Thread | None:
    """Run the sweep every ``interval`` seconds in a daemon thread (once per process)."""
    if interval <= 0 or _started.is_set():
        return None
    _started.set()
    thread = threading.Thread(
        target=_loop, args=(interval, stop or threading.Event()), name="cases-sweep", daemon=True
    )
    thread.start()
    return thread
