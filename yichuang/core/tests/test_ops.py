"""Operations (docs/operations.md): /healthz, /readyz, 503 while the database is down and recovery without a
restart, Prometheus metrics and who may read them."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.db import InterfaceError, OperationalError, connection, connections
from django.test import Client
from django.urls import reverse
from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric

from yichuang.accounts.tests.factories import ApplicantFactory
from yichuang.cases.tests.helpers import accepted_with_deferral, deferrable_item
from yichuang.core.ops import health
from yichuang.core.ops.database import API_MESSAGE
from yichuang.hall import tickets as hall_tickets
from yichuang.hall.models import TicketSource
from yichuang.hall.tests.helpers import make_hall, open_all_day
from yichuang.hotline import tickets as hotline_tickets
from yichuang.supervision import metrics as business_metrics


@pytest.fixture(autouse=True)
def _fresh_readiness() -> Iterator[None]:
    health.readiness_reset()
    yield
    health.readiness_reset()


@contextmanager
def database_down(error: type[Exception] = OperationalError) -> Iterator[None]:
    """Every new cursor on the default connection fails as it does when PostgreSQL is gone."""
    failure = error("server closed the connection unexpectedly")
    wrapper = connections["default"]
    with (
        mock.patch.object(wrapper, "cursor", side_effect=failure),
        mock.patch.object(wrapper, "chunked_cursor", side_effect=failure),
    ):
        yield


def unavailable_count() -> float:
    return REGISTRY.get_sample_value("yichuang_database_unavailable_total") or 0.0


def requests_count(route: str, status: str, method: str = "GET") -> float:
    labels = {"method": method, "route": route, "status": status}
    return REGISTRY.get_sample_value("yichuang_http_requests_total", labels) or 0.0


# --- /healthz and /readyz -------------------------------------------------------------------------------


def test_healthz_answers_without_database_session_language_or_host_check(client: Client) -> None:
    # No django_db mark: any query would fail the test. The host is not in ALLOWED_HOSTS (a probe by IP).
    response = client.get("/healthz?lang=mn-mong", HTTP_HOST="10.20.30.40:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies  # neither session nor language cookie
    assert "Content-Language" not in response and "Vary" not in response
    assert reverse("ops:healthz") == "/healthz"


@pytest.mark.django_db
def test_healthz_stays_up_while_the_database_is_down(client: Client) -> None:
    with database_down():
        assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_readyz_reports_each_check(client: Client, settings: Any) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "migrations"}  # no REDIS_URL: no shared cache to check
    assert all(check["ok"] for check in body["checks"].values())
    assert response["Cache-Control"] == "no-store"

    settings.REDIS_URL = "redis://127.0.0.1:6379/0"  # the locmem cache stands in for it
    body = client.get("/readyz").json()
    assert body["checks"]["cache"]["ok"] is True


@pytest.mark.django_db
def test_readyz_names_the_failed_database_without_its_error_text(client: Client) -> None:
    with database_down():
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["database", "migrations"]
    assert body["checks"]["database"] == {"ok": False, "error": "OperationalError", "ms": mock.ANY}
    assert body["checks"]["migrations"] == {"ok": False, "skipped": True}
    assert "server closed" not in response.content.decode()
    assert client.get("/readyz").status_code == 200  # back by itself


@pytest.mark.django_db
def test_readyz_refuses_while_migrations_are_pending_and_caches_a_clean_answer(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    pending = [(mock.sentinel.migration, False)]
    with mock.patch("django.db.migrations.executor.MigrationExecutor.migration_plan", return_value=pending):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["migrations"]

    health.readiness_reset()
    assert client.get("/readyz").status_code == 200
    with (
        mock.patch("yichuang.core.ops.health.MigrationExecutor") as executor,
        django_assert_max_num_queries(1),  # SELECT 1 only
    ):
        assert client.get("/readyz").status_code == 200
    executor.assert_not_called()


@pytest.mark.django_db
def test_readyz_reports_a_cache_that_loses_what_it_stored(client: Client, settings: Any) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    with mock.patch("yichuang.core.ops.health.cache.get", return_value=None):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["cache"]


# --- 503 while the database is down ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_view_meeting_a_dead_database_answers_503_and_the_next_request_recovers(client: Client) -> None:
    url = reverse("catalog:guide_index")
    before = unavailable_count()
    with database_down():
        response = client.get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert "系统暂时无法访问数据库" in page and "<html" in page
    assert unavailable_count() == before + 1
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_an_error_in_the_session_and_auth_middleware_is_503_too(client_for: Any) -> None:
    clerk = client_for("clerk")
    clerk.raise_request_exception = False  # the test client would re-raise what Django logged
    home = reverse("accounts:home")
    with database_down(InterfaceError):
        screen = clerk.get(home)
        api = clerk.get("/api/v1/cases/")
    assert screen.status_code == 503 and "系统暂时无法访问数据库" in screen.content.decode()
    assert api.status_code == 503 and api["Retry-After"] == "5"
    assert api.json() == {"error": {"code": "service_unavailable", "message": API_MESSAGE}}
    assert clerk.get(home).status_code == 200
    assert clerk.get("/api/v1/cases/").status_code == 200


@pytest.mark.django_db
def test_the_api_handler_answers_503_for_a_failure_inside_an_operation(client: Client) -> None:
    # A bearer token is checked inside ninja (no session: the middleware above needs no query), so the
    # error reaches the API's exception handler, which must not make it a 500.
    with database_down():
        response = client.get("/api/v1/cases/", HTTP_AUTHORIZATION="Bearer yc_not-a-real-token")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["error"]["code"] == "service_unavailable"


@pytest.mark.django_db(transaction=True)
def test_the_broken_connection_is_closed_so_the_next_request_reconnects(client: Client) -> None:
    wrapper = connections["default"]
    wrapper.ensure_connection()
    with mock.patch.object(wrapper, "close", wraps=wrapper.close) as close, database_down():
        assert client.get(reverse("catalog:guide_index")).status_code == 503
    close.assert_called()


@pytest.mark.django_db
def test_a_connection_inside_a_transaction_is_left_to_its_owner(client: Client) -> None:
    assert connection.in_atomic_block  # the test's own transaction
    with mock.patch.object(connections["default"], "close") as close, database_down():
        assert client.get(reverse("catalog:guide_index")).status_code == 503
    close.assert_not_called()


@pytest.mark.django_db
def test_other_errors_are_not_turned_into_503(client: Client) -> None:
    client.raise_request_exception = False
    with mock.patch.object(
        connections["default"], "cursor", side_effect=RuntimeError("not a database error")
    ):
        response = client.get(reverse("catalog:guide_index"))
    assert response.status_code == 500


@pytest.mark.skipif(connection.vendor != "postgresql", reason="terminates a real PostgreSQL backend")
@pytest.mark.django_db(transaction=True)
def test_postgresql_connection_terminated_by_the_server_recovers_without_restart(org: Any) -> None:
    import psycopg

    client = Client(raise_request_exception=False)
    client.force_login(org.user("clerk"))
    home = reverse("accounts:home")
    assert client.get(home).status_code == 200
    assert client.get("/api/v1/cases/").status_code == 200

    for url in (home, "/api/v1/cases/"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("prepare_threshold", None)
        with psycopg.connect(**params, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            for _ in range(100):  # the signal is asynchronous: wait until the backend is gone
                gone = admin.execute(
                    "SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = %s)", (pid,)
                )
                if gone.fetchone()[0]:  # type: ignore[index]
                    break
                time.sleep(0.05)
        statuses = [client.get(url).status_code for _ in range(3)]
        assert statuses == [
            503,
            200,
            200,
        ]  # never a 500; the first request after the kill reconnects the next
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            assert cursor.fetchone()[0] != pid  # a new backend: reconnected, no restart


# --- /metrics --------------------------------------------------------------------------------------------


def scrape(client: Client, **extra: Any) -> Any:
    return client.get("/metrics", **extra)


@pytest.mark.django_db
def test_metrics_count_requests_by_route_name_never_by_path(client: Client) -> None:
    before = requests_count("api/v1/cases/<case_id>", "4xx")
    client.get("/api/v1/cases/987654321")  # anonymous: 401
    assert requests_count("api/v1/cases/<case_id>", "4xx") == before + 1
    client.get("/no-such-page-4711/")
    response = scrape(client)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert 'yichuang_http_requests_total{method="GET",route="api/v1/cases/<case_id>",status="4xx"}' in text
    assert (
        'yichuang_http_request_duration_seconds_bucket{le="0.005",method="GET",route="api/v1/cases/<case_id>"'
        in text
    )
    assert 'route="unmatched"' in text
    labels = " ".join(re.findall(r"\{[^}]*\}", text))  # a value may hold any digits; a label never a path
    assert "987654321" not in labels and "4711" not in labels
    assert "yichuang_database_unavailable_total" in text


@pytest.mark.django_db
def test_an_unknown_method_is_labelled_other(client: Client) -> None:
    before = requests_count("catalog:guide_index", "4xx", method="other")
    client.generic("BREW", reverse("catalog:guide_index"))
    client.generic("BREW", reverse("catalog:guide_index"))
    after = requests_count("catalog:guide_index", "4xx", method="other") + requests_count(
        "catalog:guide_index", "2xx", method="other"
    )
    assert after >= before + 2
    assert "BREW" not in scrape(client).content.decode()


@pytest.mark.django_db
def test_business_gauges_count_open_and_overdue_work(org: Any, client: Client, settings: Any) -> None:
    settings.YICHUANG_METRICS_CACHE_SECONDS = 0
    item = deferrable_item(org, "11A000100071")
    accepted_with_deferral(org, item, ApplicantFactory())
    from yichuang.cases import services as case_services

    case_services.case_submit(
        actor=org.user("clerk"), item=item, applicant=ApplicantFactory(), channel="window"
    )
    setup = make_hall(org)
    open_all_day(setup.hall)
    hall_tickets.ticket_issue(hall=setup.hall, category=setup.general, source=TicketSource.KIOSK)
    hotline_tickets.ticket_intake(
        actor=org.user("operator"), channel="web", nature="report", content="夜间噪声扰民", anonymous=True
    )

    values = business_metrics.gauge_values()
    assert values == {
        "yichuang_cases_open": 2,
        "yichuang_cases_overdue": 0,
        "yichuang_hall_tickets_waiting": 1,
        "yichuang_hotline_tickets_open": 1,
    }
    text = scrape(client).content.decode()
    assert "yichuang_cases_open 2.0" in text
    assert "yichuang_business_metrics_up 1.0" in text

    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=120)):
        later = business_metrics.gauge_values()
    assert later["yichuang_cases_overdue"] == 1  # the accepted case is past its due date
    assert later["yichuang_hall_tickets_waiting"] == 0  # yesterday's tickets no longer wait


@pytest.mark.django_db
def test_business_gauges_are_cached_one_query_each_at_most(
    client: Client, settings: Any, django_assert_num_queries: Any
) -> None:
    settings.YICHUANG_METRICS_CACHE_SECONDS = 30
    with django_assert_num_queries(4):
        assert scrape(client).status_code == 200
    with django_assert_num_queries(0):
        assert scrape(client).status_code == 200
    with (
        time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(seconds=31)),
        django_assert_num_queries(4),
    ):
        assert scrape(client).status_code == 200


@pytest.mark.django_db
def test_a_scrape_while_the_database_is_down_still_answers(client: Client, settings: Any) -> None:
    settings.YICHUANG_METRICS_CACHE_SECONDS = 0
    with database_down():
        response = scrape(client)
    assert response.status_code == 200
    text = response.content.decode()
    assert "yichuang_business_metrics_up 0.0" in text
    assert "yichuang_cases_open" not in text
    assert "yichuang_http_requests_total" in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("extra", "token", "allowed", "status"),
    [
        ({"REMOTE_ADDR": "10.1.2.3"}, "", ["127.0.0.1", "::1"], 403),
        ({"REMOTE_ADDR": "::1"}, "", ["127.0.0.1", "::1"], 200),
        ({"REMOTE_ADDR": "10.1.2.3"}, "", ["10.0.0.0/8"], 200),
        # Behind nginx every request comes from 127.0.0.1: a forwarded one is not local.
        ({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}, "", ["127.0.0.1"], 403),
        ({"REMOTE_ADDR": "10.1.2.3", "HTTP_AUTHORIZATION": "Bearer s3cret-token"}, "s3cret-token", [], 200),
        (
            {"REMOTE_ADDR": "127.0.0.1", "HTTP_AUTHORIZATION": "Bearer wrong"},
            "s3cret-token",
            ["127.0.0.1"],
            403,
        ),
        ({"REMOTE_ADDR": "10.1.2.3", "HTTP_AUTHORIZATION": "Bearer anything"}, "", [], 403),
    ],
)
def test_metrics_access(
    client: Client, settings: Any, extra: dict[str, str], token: str, allowed: list[str], status: int
) -> None:
    settings.YICHUANG_METRICS_TOKEN = token
    settings.YICHUANG_METRICS_ALLOWED = allowed
    response = scrape(client, **extra)
    assert response.status_code == status
    if status == 403:
        assert b"yichuang_" not in response.content and b"python_" not in response.content


@pytest.mark.django_db
def test_multiprocess_mode_reads_the_workers_directory(
    client: Client, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    with mock.patch(
        "prometheus_client.multiprocess.MultiProcessCollector.collect", return_value=iter([])
    ) as read:
        text = scrape(client).content.decode()
    read.assert_called_once()
    assert "yichuang_business_metrics_up" in text
    assert "python_gc_objects_collected_total" not in text  # this process's own figures are not the sum


def test_gunicorn_hooks_clear_the_directory_and_mark_dead_workers(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    from yichuang.core.ops import gunicorn_conf

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    (tmp_path / "counter_123.db").write_bytes(b"stale")
    gunicorn_conf.on_starting(server=None)
    assert not list(tmp_path.iterdir())
    with mock.patch("prometheus_client.multiprocess.mark_process_dead") as dead:
        gunicorn_conf.child_exit(server=None, worker=mock.Mock(pid=4321))
    dead.assert_called_once_with(4321)


class _FixedCollector:
    def collect(self) -> Iterator[Metric]:
        yield GaugeMetricFamily("yichuang_test_fixed", "A figure for the test.", value=7)


FIXED_COLLECTOR = _FixedCollector()


def test_business_collectors_come_from_the_setting(client: Client, settings: Any) -> None:
    settings.YICHUANG_METRICS_COLLECTORS = ["yichuang.core.tests.test_ops.FIXED_COLLECTOR"]
    text = scrape(client).content.decode()
    assert "yichuang_test_fixed 7.0" in text
    assert "yichuang_business_metrics_up" not in text  # supervision's collector is no longer named
