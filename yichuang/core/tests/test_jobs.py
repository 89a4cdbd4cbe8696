"""Background jobs (yichuang/core/jobs.py): a thread without a queue service, RQ in Redis when configured,
enqueued only when the transaction that made their data commits."""

from __future__ import annotations

import logging
import os
import signal
import time
from typing import Any

import django_rq.settings
import pytest
import redis
from django.db import transaction
from django_tasks import task
from django_tasks_rq import Job
from rq import SimpleWorker

from yichuang.catalog.importing import catalog_import_start
from yichuang.catalog.models import CatalogImport, ImportStatus, ServiceItem
from yichuang.catalog.tests.test_import import listing, row
from yichuang.core import jobs
from yichuang.core.models import AuditEvent

# A database of its own on the machine's Redis, emptied by each test that uses it.
REDIS_TEST_URL = os.environ.get("YICHUANG_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
RQ = "django_tasks_rq.backend.RQBackend"


@task()
def record_marker(text: str) -> int:
    """A job with a visible effect: one audit event carrying ``text``."""
    from yichuang.core.audit import audit_record

    with transaction.atomic():
        audit_record(actor=None, action="test.job", data={"text": text})
    return len(text)


@task()
def failing_job() -> None:
    raise RuntimeError("job went wrong")


class _Rollback(Exception):
    pass


def _in_a_failed_request(action: Any) -> None:
    """Run ``action`` in a transaction that then rolls back, as a request failing after it would."""
    try:
        with transaction.atomic():
            action()
            raise _Rollback
    except _Rollback:
        pass


def _wait_for(condition: Any, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_the_backend_follows_the_settings(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "yichuang.core.jobs.ThreadBackend"}}
    assert jobs.backend_name() == "thread"
    settings.TASKS = {"default": {"BACKEND": RQ}}
    assert jobs.backend_name() == "rq"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert jobs.backend_name() == "immediate"


@pytest.mark.django_db(transaction=True)
def test_a_thread_job_runs_after_commit_and_never_after_a_rollback(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "yichuang.core.jobs.ThreadBackend"}}
    _in_a_failed_request(lambda: jobs.enqueue_on_commit(record_marker, "rolled back"))
    with transaction.atomic():
        jobs.enqueue_on_commit(record_marker, "committed")
        assert not AuditEvent.objects.filter(action="test.job").exists()  # not before the commit
    assert _wait_for(lambda: AuditEvent.objects.filter(action="test.job").exists())
    assert [event.data["text"] for event in AuditEvent.objects.filter(action="test.job")] == ["committed"]


@pytest.mark.django_db(transaction=True)
def test_a_failing_thread_job_is_logged(settings: Any, caplog: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "yichuang.core.jobs.ThreadBackend"}}
    with caplog.at_level(logging.ERROR, logger="yichuang.jobs"):
        failing_job.enqueue()
        assert _wait_for(lambda: any("job went wrong" in r.getMessage() for r in caplog.records))


def _work(queue: Any) -> None:
    """Run a worker in this process until the queue is empty. RQ installs its own SIGINT/SIGTERM handlers
    (a warm shutdown that raises ``StopRequested``) and leaves them: put the test runner's back, or the
    suite could no longer be interrupted or stopped."""
    saved = {each: signal.getsignal(each) for each in (signal.SIGINT, signal.SIGTERM)}
    try:
        SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)
    finally:
        for each, handler in saved.items():
            signal.signal(each, handler)


@pytest.fixture
def rq_queue(settings: Any, monkeypatch: Any) -> Any:
    """RQ as the backend, its ``default`` queue in a Redis database of the tests' own."""
    connection = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no Redis at {REDIS_TEST_URL}")
    connection.flushdb()
    monkeypatch.setattr(django_rq.settings, "QUEUES", {"default": {"URL": REDIS_TEST_URL}})
    settings.TASKS = {"default": {"BACKEND": RQ, "QUEUES": ["default"]}}
    settings.YICHUANG_JOBS_EAGER = False
    yield django_rq.get_queue("default")
    connection.flushdb()


@pytest.mark.django_db(transaction=True)
def test_a_catalog_import_is_queued_in_redis_and_run_by_a_worker(org: Any, rq_queue: Any) -> None:
    assert jobs.backend_name() == "rq"
    record = catalog_import_start(actor=org.user("admin"), file_name="目录.csv", content=listing(row()))
    # Queued, not run: the web process has answered, the row waits for a worker.
    assert rq_queue.count == 1
    record.refresh_from_db()
    assert record.status == ImportStatus.PENDING
    _work(rq_queue)
    record.refresh_from_db()
    assert record.status == ImportStatus.SUCCEEDED, record.errors
    assert ServiceItem.objects.filter(basic_code="511Z07001006").count() == 1
    assert rq_queue.count == 0


@pytest.mark.django_db(transaction=True)
def test_a_job_of_a_rolled_back_request_is_never_queued(org: Any, rq_queue: Any) -> None:
    _in_a_failed_request(
        lambda: catalog_import_start(actor=org.user("admin"), file_name="目录.csv", content=listing(row()))
    )
    assert rq_queue.count == 0 and not CatalogImport.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_failed_rq_job_keeps_its_error(rq_queue: Any) -> None:
    result = failing_job.enqueue()
    _work(rq_queue)
    result.refresh()
    assert result.status == "FAILED"
    assert "job went wrong" in result.errors[-1].traceback
    assert rq_queue.failed_job_registry.count == 1


@pytest.mark.django_db(transaction=True)
def test_an_sms_is_delivered_by_a_queue_worker(rq_queue: Any, settings: Any, caplog: Any) -> None:
    from yichuang.core.notifications import notify, register_template

    settings.YICHUANG_NOTIFICATION_BACKEND = "yichuang.core.notifications.LogBackend"
    register_template("test.jobs.sms", "您的办件{number}已受理。", replace=True)
    with transaction.atomic():
        notify(channel="sms", to="13800138000", template="test.jobs.sms", context={"number": "A1"})
    assert rq_queue.count == 1  # after the commit, to the queue: nothing sent by the request itself
    with caplog.at_level(logging.INFO, logger="yichuang.notifications"):
        _work(rq_queue)
    assert rq_queue.count == 0 and rq_queue.failed_job_registry.count == 0
    sent = [r.getMessage() for r in caplog.records if r.name == "yichuang.notifications"]
    assert sent == ["notification sms to 138****8000 [test.jobs.sms]  您的办件A1已受理。"]


# ——— periodic jobs (yichuang/core/periodic.py, manage.py jobs_beat) ———

PROBE_RUNS: list[str] = []


def periodic_probe() -> dict[str, int]:
    PROBE_RUNS.append("probe")
    return {"runs": len(PROBE_RUNS)}


IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_the_beat_queues_each_interval_once_whatever_the_number_of_beats(settings: Any) -> None:
    from yichuang.core import periodic

    settings.TASKS = IMMEDIATE
    probe = "yichuang.core.tests.test_jobs.periodic_probe"
    settings.YICHUANG_PERIODIC_JOBS = {"often": (60, probe), "hourly": (3600, probe)}
    PROBE_RUNS.clear()
    start = 1_800_000_000.0  # on a full hour
    assert periodic.beat(now=start) == ["often", "hourly"]
    assert periodic.beat(now=start + 5) == []  # the same intervals: another beat, or the next tick
    assert periodic.beat(now=start + 59) == []
    assert periodic.beat(now=start + 60) == ["often"]
    assert periodic.beat(now=start + 3600) == ["often", "hourly"]
    assert len(PROBE_RUNS) == 5


@pytest.mark.django_db(transaction=True)  # the sweep closes stale connections, as a worker's job does
def test_every_configured_periodic_job_runs(settings: Any) -> None:
    from yichuang.core import periodic

    settings.TASKS = IMMEDIATE
    assert set(periodic.schedule()) == {"cases.sweep", "hall.sweep", "hotline.sweep", "ratings.sweep"}
    for name in periodic.schedule():
        result = periodic.periodic_run.enqueue(name)
        assert result.status == "SUCCESSFUL", result.errors
        assert isinstance(result.return_value, dict)


@pytest.mark.django_db
def test_jobs_beat_once_queues_the_jobs(settings: Any) -> None:
    from io import StringIO

    from django.core.management import call_command

    settings.TASKS = IMMEDIATE
    settings.YICHUANG_PERIODIC_JOBS = {"often": (60, "yichuang.core.tests.test_jobs.periodic_probe")}
    PROBE_RUNS.clear()
    out = StringIO()
    handlers = {each: signal.getsignal(each) for each in (signal.SIGINT, signal.SIGTERM)}
    call_command("jobs_beat", "--once", stdout=out)
    # Its stop-on-signal handlers are its own while it runs, and the caller's again afterwards.
    assert {each: signal.getsignal(each) for each in handlers} == handlers
    assert "often /60s" in out.getvalue() and "queued: often" in out.getvalue()
    assert PROBE_RUNS == ["probe"]
