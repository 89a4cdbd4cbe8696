"""Log records that name their request and carry no personal data, written as one JSON object per line
when ``YICHUANG_LOG_FORMAT=json`` (docs/operations.md#logs).

Handlers take two filters: ``RequestContextFilter`` (request id, user id, route) and
``PersonalDataFilter`` (masks ID and phone numbers in the message, its arguments, extra fields and the
exception text), then either the plain formatter or ``JsonFormatter``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from yichuang.core.masking import PersonalDataLogFilter, mask_text
from yichuang.core.ops.context import known_user_id, request_id_var, request_var, route_of

# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}
_CONTEXT = ("request_id", "user_id", "route", "status", "duration_ms")
_PLAIN_TYPES = (str, int, float, bool)


class RequestContextFilter(logging.Filter):
    """Adds ``request_id``, ``user_id`` and ``route`` of the request being served (None outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get()
        request = request_var.get()
        if getattr(record, "user_id", None) is None:
            record.user_id = known_user_id(request) if request is not None else None
        if getattr(record, "route", None) is None:
            record.route = route_of(request) if request is not None else None
        return True


class PersonalDataFilter(PersonalDataLogFilter):
    """``PersonalDataLogFilter`` (the message with its arguments) extended to the extra fields, the
    exception text and the stack: no ID or phone number reaches a handler by any of them."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        super().filter(record)
        for key, value in record.__dict__.items():
            if key not in _STANDARD and isinstance(value, str):
                record.__dict__[key] = mask_text(value)
        if record.exc_info and not record.exc_text:
            # Formatted once here, masked, and kept: formatters use exc_text when it is set.
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request_id, user_id, route, status,
    duration_ms, exception, plus the plain (str/number/bool) extra fields. Every text is masked again, so
    a handler without ``PersonalDataFilter`` still writes no ID or phone number."""

    def format(self, record: logging.LogRecord) -> str:
        created = dt.datetime.fromtimestamp(record.created, tz=dt.UTC)
        payload: dict[str, Any] = {
            "time": created.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in _CONTEXT:
            payload[key] = getattr(record, key, None)
        status_code = getattr(record, "status_code", None)  # django.request's name for it
        if payload["status"] is None and isinstance(status_code, int):
            payload["status"] = status_code
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in payload and isinstance(value, _PLAIN_TYPES):
                payload[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            payload["exception"] = record.exc_text
        if record.stack_info:
            payload["stack"] = self.formatStack(record.stack_info)
        clean = {
            key: mask_text(value) if isinstance(value, str) else value
            for key, value in payload.items()
            if value is not None
        }
        return json.dumps(clean, ensure_ascii=False, default=str)
