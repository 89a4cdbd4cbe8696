"""Gunicorn hooks for Prometheus's multiprocess mode: ``gunicorn -c python:yichuang.core.ops.gunicorn_conf``
(or import these two functions into your own gunicorn config file). Without ``PROMETHEUS_MULTIPROC_DIR``
they do nothing."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def on_starting(server: Any) -> None:
    """Start from an empty directory: values left by the workers of an earlier run would be added in."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        for stale in Path(directory).glob("*.db"):
            stale.unlink()


def child_exit(server: Any, worker: Any) -> None:
    """A worker that exits leaves its counters to be summed, but its live gauges must go."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
