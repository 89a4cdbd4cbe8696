"""Reads of a person's full data (个人信息查阅留痕).

Lists show personal data masked (``yichuang.core.masking``). Where a staff member sees a natural person's
full ID number, phone number or address — a detail screen whose job needs it, a "显示完整信息" reveal, an
API detail asked for in full, the admin's change form, an export — the read is appended to the audit log
as one ``personal_data.read`` event (``personal_data.export`` for an export): who (the actor), when, whose
data (``object_type``/``object_id`` of the record holding it and ``data.person``), which fields, from
which screen or endpoint, and the purpose when one was given. The values themselves are never logged.

The event is written at once, outside any state change: a GET that shows the data appends it itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models
from django.http import HttpRequest

from yichuang.core.audit import audit_record
from yichuang.core.models import AuditEvent

READ = "personal_data.read"
EXPORT = "personal_data.export"
PURPOSE_MAX = 200
EXPORT_IDS_MAX = 1000  # an export of more rows logs the first ids and the count

# The query parameter (GET) or form field (POST) that names why the full data is needed.
PURPOSE_PARAM = "purpose"


def shown_fields(values: Mapping[str, Any]) -> list[str]:
    """The names of the fields that hold a value (a blank field reveals nothing)."""
    return sorted(name for name, value in values.items() if value not in (None, ""))


def _subject(obj: models.Model | None, subject_type: str, subject_id: str | int) -> tuple[str, str]:
    if obj is not None:
        return subject_type or obj._meta.label_lower, str(subject_id or obj.pk)
    return subject_type, str(subject_id)


def personal_data_read(
    *,
    actor: Any,
    fields: Iterable[str],
    screen: str,
    obj: models.Model | None = None,
    subject_type: str = "",
    subject_id: str | int = "",
    person: str = "",
    purpose: str = "",
) -> AuditEvent | None:
    """Log that ``actor`` saw the full ``fields`` of the person held by ``obj`` (or ``subject_type`` +
    ``subject_id``) on ``screen`` (a URL name or an API route). ``person`` says whose they are when the
    record is not the person himself (``caller`` of a hotline ticket, ``rater`` of a rating). Nothing is
    logged when no field holds a value."""
    names = sorted({name for name in fields if name})
    if not names:
        return None
    object_type, object_id = _subject(obj, subject_type, subject_id)
    data: dict[str, Any] = {"fields": names, "screen": screen}
    if person:
        data["person"] = person
    purpose = (purpose or "").strip()[:PURPOSE_MAX]
    if purpose:
        data["purpose"] = purpose
    return audit_record(actor=actor, action=READ, object_type=object_type, object_id=object_id, data=data)


def personal_data_export(
    *,
    actor: Any,
    subject_type: str,
    subject_ids: Iterable[str | int],
    fields: Iterable[str],
    screen: str,
    query: str = "",
    purpose: str = "",
) -> AuditEvent:
    """One event for an export carrying full personal data: the count and the subjects' ids (the first
    ``EXPORT_IDS_MAX``), the fields, and the query that selected them."""
    ids = [str(pk) for pk in subject_ids]
    data: dict[str, Any] = {
        "fields": sorted({name for name in fields if name}),
        "screen": screen,
        "count": len(ids),
        "subject_ids": ids[:EXPORT_IDS_MAX],
    }
    if query:
        data["query"] = query[:500]
    purpose = (purpose or "").strip()[:PURPOSE_MAX]
    if purpose:
        data["purpose"] = purpose
    return audit_record(actor=actor, action=EXPORT, object_type=subject_type, data=data)


def request_purpose(request: HttpRequest) -> str:
    """The purpose the user gave with the request (``?purpose=`` or a posted ``purpose``)."""
    value = request.POST.get(PURPOSE_PARAM) if request.method == "POST" else None
    return (value or request.GET.get(PURPOSE_PARAM, "")).strip()[:PURPOSE_MAX]


def screen_name(request: HttpRequest) -> str:
    """The URL name of the screen (``namespace:name``), else its path."""
    match = getattr(request, "resolver_match", None)
    return (match.view_name if match is not None and match.view_name else "") or request.path


def mask_address(value: str | None) -> str:
    """``巴音杭盖嘎查3组12号`` → ``巴音杭盖嘎***``: the first third stays (enough to tell the area), the rest
    goes."""
    if not value:
        return ""
    value = str(value).strip()
    keep = max(1, min(len(value) // 3, 10))
    return value[:keep] + "*" * min(len(value) - keep, 6)


class PersonalDataAdminMixin:
    """For a ``ModelAdmin`` whose change form shows a person's full data: each time the form is opened
    (GET), one read is logged with the fields listed in ``personal_data_fields`` that hold a value."""

    personal_data_fields: tuple[str, ...] = ()
    personal_data_person: str = ""

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> Any:
        response = super().change_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
        if request.method == "GET" and getattr(response, "status_code", 0) == 200:
            obj = getattr(response, "context_data", {}).get("original")
            if obj is not None:
                personal_data_read(
                    actor=request.user,
                    obj=obj,
                    fields=shown_fields({name: getattr(obj, name, "") for name in self.personal_data_fields}),
                    screen=screen_name(request),
                    person=self.personal_data_person,
                    purpose=request_purpose(request),
                )
        return response
