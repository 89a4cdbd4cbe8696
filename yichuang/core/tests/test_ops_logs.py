"""Request ids, the access log and structured logs without personal data (docs/operations.md#logs)."""

from __future__ import annotations

import io
import json
import logging
import runpy
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from yichuang.core.ops.logs import JsonFormatter, PersonalDataFilter, RequestContextFilter

ID_NUMBER = "150824199001011234"
PHONE = "13812345678"


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """What the console handler writes with YICHUANG_LOG_FORMAT=json: the same filters, the JSON formatter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.addFilter(PersonalDataFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)


def lines(stream: io.StringIO, logger: str | None = None) -> list[dict[str, Any]]:
    parsed = [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    return [entry for entry in parsed if logger is None or entry["logger"] == logger]


# --- request ids -----------------------------------------------------------------------------------------


def test_a_request_without_an_id_gets_a_new_one(client: Client) -> None:
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert uuid.UUID(first) and uuid.UUID(second) and first != second


@pytest.mark.parametrize(
    ("incoming", "kept"),
    [
        ("0f8fad5b-d9cb-469f-a165-70867728950e", True),
        ("a3c5e0d8f6b14e2a9c7d1b0e8f6a4c2d", True),  # nginx's $request_id
        ("lb:2026-11-22:000017", True),
        ("short", False),
        ("has space in it 1234", False),
        ("x" * 129, False),
        ('abc"; drop table', False),
        (ID_NUMBER, False),  # would reach the logs masked: not an id
        (f"req-{PHONE}", False),
    ],
)
def test_an_incoming_request_id_is_kept_only_when_well_formed(
    client: Client, incoming: str, kept: bool
) -> None:
    answered = client.get("/healthz", HTTP_X_REQUEST_ID=incoming)["X-Request-ID"]
    assert (answered == incoming) is kept
    if not kept:
        assert uuid.UUID(answered)


# --- the access log --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_one_access_line_per_request_with_route_status_duration_and_id(
    org: Any, client_for: Any, json_lines: io.StringIO
) -> None:
    clerk = client_for("clerk")
    url = reverse("catalog:guide_index") + f"?q={ID_NUMBER}&phone={PHONE}"
    response = clerk.get(url, HTTP_X_REQUEST_ID="trace-0001-abcd")
    assert response.status_code == 200
    access = lines(json_lines, "yichuang.request")
    assert len(access) == 1
    line = access[0]
    assert line["request_id"] == "trace-0001-abcd" == response["X-Request-ID"]
    assert line["route"] == "catalog:guide_index"
    assert line["status"] == 200
    assert line["method"] == "GET"
    assert isinstance(line["duration_ms"], float)
    assert line["user_id"] == org.user("clerk").pk
    assert line["level"] == "INFO" and line["time"].endswith("Z")
    written = json_lines.getvalue()
    assert "q=" not in written and "phone" not in written  # no query string at all
    assert ID_NUMBER not in written and PHONE not in written
    assert "clerk" not in line["message"]  # the user's id, never the name


@pytest.mark.django_db
def test_logs_inside_a_request_carry_its_id(client: Client, json_lines: io.StringIO) -> None:
    from unittest import mock

    from django.db import OperationalError, connections

    failure = OperationalError("server closed the connection unexpectedly")
    with mock.patch.object(connections["default"], "cursor", side_effect=failure):
        response = client.get(reverse("catalog:guide_index"), HTTP_X_REQUEST_ID="trace-0002-abcd")
    assert response.status_code == 503
    warning = [line for line in lines(json_lines, "yichuang.ops") if line["level"] == "WARNING"]
    assert warning and warning[0]["request_id"] == "trace-0002-abcd"
    assert warning[0]["route"] == "catalog:guide_index"
    (access,) = lines(json_lines, "yichuang.request")
    assert access["status"] == 503 and access["request_id"] == "trace-0002-abcd"


def test_probes_are_logged_at_debug_only(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="yichuang.request"):
        client.get("/healthz")
    assert not [record for record in caplog.records if record.name == "yichuang.request"]


def test_outside_a_request_the_context_is_empty(json_lines: io.StringIO) -> None:
    logging.getLogger("yichuang.test").warning("sweep finished")
    (line,) = lines(json_lines, "yichuang.test")
    assert line == {
        "time": line["time"],
        "level": "WARNING",
        "logger": "yichuang.test",
        "message": "sweep finished",
    }


# --- masking ---------------------------------------------------------------------------------------------


def test_personal_data_is_masked_in_message_args_extra_and_exception(json_lines: io.StringIO) -> None:
    logger = logging.getLogger("yichuang.test")
    try:
        raise ValueError(f"duplicate key (id_number)=({ID_NUMBER}) phone {PHONE}")
    except ValueError:
        logger.exception(
            "申请人 %s 电话 %s 提交失败",
            ID_NUMBER,
            PHONE,
            extra={"holder": f"身份证 {ID_NUMBER}", "attempts": 3, "request": object()},
        )
    written = json_lines.getvalue()
    assert ID_NUMBER not in written and PHONE not in written
    (line,) = lines(json_lines, "yichuang.test")
    assert line["message"] == "申请人 1508**********1234 电话 138****5678 提交失败"
    assert line["holder"] == "身份证 1508**********1234"
    assert line["attempts"] == 3
    assert "request" not in line  # objects are not dumped (their repr may hold a query string)
    assert "ValueError: duplicate key (id_number)=(1508**********1234) phone 138****5678" in line["exception"]
    assert "Traceback" in line["exception"]


def test_the_plain_format_masks_the_exception_text_too() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(PersonalDataFilter())
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("yichuang.test.plain")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        try:
            raise RuntimeError(f"lookup {ID_NUMBER}")
        except RuntimeError:
            logger.exception("lookup failed for %s", PHONE)
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    written = stream.getvalue()
    assert ID_NUMBER not in written and PHONE not in written
    assert "RuntimeError: lookup 1508**********1234" in written
    assert "lookup failed for 138****5678" in written


def test_the_json_formatter_masks_even_without_the_filter() -> None:
    record = logging.LogRecord("yichuang.x", logging.INFO, __file__, 1, "call %s", (PHONE,), None)
    record.caller = f"tel {PHONE}"
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "call 138****5678" and line["caller"] == "tel 138****5678"


# --- configuration ---------------------------------------------------------------------------------------


def test_the_console_handler_has_both_filters() -> None:
    handler = logging.getLogger().handlers
    console = [h for h in handler if any(isinstance(f, PersonalDataFilter) for f in h.filters)]
    assert console, "the console handler lost the personal-data filter"
    assert any(isinstance(f, RequestContextFilter) for f in console[0].filters)


@pytest.mark.parametrize(("value", "formatter"), [(None, "plain"), ("plain", "plain"), ("json", "json")])
def test_log_format_is_chosen_by_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str | None, formatter: str
) -> None:
    if value is None:
        monkeypatch.delenv("YICHUANG_LOG_FORMAT", raising=False)
    else:
        monkeypatch.setenv("YICHUANG_LOG_FORMAT", value)
    namespace = runpy.run_path(str(django_settings.BASE_DIR / "config" / "settings.py"))
    assert namespace["LOGGING"]["handlers"]["console"]["formatter"] == formatter
