"""Background jobs (后台作业) through Django's tasks interface (``django-tasks``, the backport of Django 6's
``django.tasks``), on one of three backends chosen by the settings (``config/settings.py`` ``TASKS``):

- ``rq`` — a real queue in Redis (``REDIS_URL``): jobs survive the web process, run on any number of
  worker processes (``manage.py rqworker --job-class django_tasks_rq.Job default``), and a failed job keeps
  its traceback in RQ's failed-job registry. The default whenever ``REDIS_URL`` is set.
- ``thread`` — no queue service (the demo, one small machine): each job runs in a daemon thread of the
  process that enqueued it. A job lost with its process is lost; that is why production uses ``rq``.
- ``immediate`` (``YICHUANG_JOBS_EAGER``) — in the caller, at once (tests, single-process tools).

A job is a module-level function decorated with ``@task()``; its arguments must be JSON (ids, not rows).
Enqueue after the transaction that created its data has committed: ``enqueue_on_commit(job, pk)``.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.db import close_old_connections, connection, transaction
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks.base import Task, TaskResult, TaskResultStatus
from django_tasks.utils import get_random_id

logger = logging.getLogger("yichuang.jobs")

BACKENDS = {
    "rq": "django_tasks_rq.backend.RQBackend",
    "thread": "yichuang.core.jobs.ThreadBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}


class ThreadBackend(ImmediateBackend):
    """Each job in its own daemon thread, with its own database connection."""

    def enqueue(self, task: Task[Any, Any], args: Any, kwargs: Any) -> TaskResult[Any]:
        self.validate_task(task)
        result: TaskResult[Any] = TaskResult(
            task=task,
            id=get_random_id(),
            status=TaskResultStatus.READY,
            enqueued_at=None,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        threading.Thread(
            target=self._run, args=(result,), name=f"job-{task.name}-{result.id[:8]}", daemon=True
        ).start()
        return result

    def _run(self, result: TaskResult[Any]) -> None:
        close_old_connections()
        try:
            self._execute_task(result)
            if result.status == TaskResultStatus.FAILED:
                logger.error("job %s failed: %s", result.task.name, result.errors[-1].traceback)
        finally:
            connection.close()


def backend_name() -> str:
    """``rq``, ``thread`` or ``immediate``: what the running configuration uses."""
    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    path = f"{type(backend).__module__}.{type(backend).__qualname__}"
    for name, backend_path in BACKENDS.items():
        if path == backend_path:
            return name
    return path


def enqueue_on_commit(job: Task[Any, Any], *args: Any, **kwargs: Any) -> None:
    """Queue ``job`` once the current transaction commits (at once outside one), so a worker never looks
    for a row that is not there yet, and a rolled-back request queues nothing."""
    transaction.on_commit(lambda: job.enqueue(*args, **kwargs), robust=True)
