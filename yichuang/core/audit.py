"""The append-only, hash-chained audit log: writing and verifying.

Every mutating service calls :func:`audit_record` inside its transaction, so an event exists exactly
when the change it describes was committed.
"""

from __future__ import annotations

import functools
import hashlib
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ParamSpec, TypeVar

from django.db import models, transaction
from django.utils import timezone

from yichuang.core.masking import mask_id_number, mask_phone
from yichuang.core.models import AuditChainHead, AuditEvent

P = ParamSpec("P")
R = TypeVar("R")
M = TypeVar("M", bound=models.Model)

GENESIS_HASH = "0" * 64
_PERSONAL_KEYS = {"id_number": mask_id_number, "phone": mask_phone, "mobile": mask_phone}


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _mask_personal(data: Any) -> Any:
    if isinstance(data, dict):
        return {
            key: _PERSONAL_KEYS[key](val)
            if key in _PERSONAL_KEYS and isinstance(val, str)
            else _mask_personal(val)
            for key, val in data.items()
        }
    if isinstance(data, list):
        return [_mask_personal(item) for item in data]
    return data


def compute_hash(
    *,
    seq: int,
    occurred_at: datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    data: Any,
    prev_hash: str,
) -> str:
    payload = {
        "seq": seq,
        "at": occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "actor": actor_label,
        "action": action,
        "type": object_type,
        "id": object_id,
        "data": data,
        "prev": prev_hash,
    }
    return hashlib.sha256(_canonical(payload).encode("utf-8")).hexdigest()


def event_hash(event: AuditEvent) -> str:
    return compute_hash(
        seq=event.seq,
        occurred_at=event.occurred_at,
        actor_id=event.actor_id,
        actor_label=event.actor_label,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        data=event.data,
        prev_hash=event.prev_hash,
    )


def _head_advance(count: int) -> tuple[int, str]:
    """Lock the chain head and move it on by ``count`` events: returns (the first new seq, the hash the
    first new event links to). The lock is held until the transaction ends, so appends stay in order."""
    connection = transaction.get_connection()
    table = connection.ops.quote_name(AuditChainHead._meta.db_table)
    with connection.cursor() as cursor:
        for _attempt in range(2):
            cursor.execute(f"UPDATE {table} SET seq = seq + %s WHERE id = 1 RETURNING seq, hash", [count])
            row = cursor.fetchone()
            if row is not None:
                seq, prev_hash = row
                return int(seq) - count + 1, str(prev_hash)
            # The very first event: create the head (another writer may be doing the same).
            cursor.execute(
                f"INSERT INTO {table} (id, seq, hash) VALUES (1, 0, %s) ON CONFLICT (id) DO NOTHING",
                [GENESIS_HASH],
            )
    raise RuntimeError("audit chain head could not be created")


def _insert_fields(model: type[models.Model]) -> list[Any]:
    return [field for field in model._meta.concrete_fields if not field.primary_key]


def _values_sql(rows: list[models.Model], connection: Any) -> tuple[str, str, list[Any]]:
    """``(columns, VALUES list, params)`` of an INSERT of ``rows`` (all of one model)."""
    fields = _insert_fields(type(rows[0]))
    quote = connection.ops.quote_name
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    params: list[Any] = []
    for row in rows:
        params += [field.get_db_prep_save(field.pre_save(row, True), connection) for field in fields]
    return ", ".join(quote(field.column) for field in fields), ", ".join([placeholders] * len(rows)), params


def _by_model(rows: list[models.Model]) -> dict[type[models.Model], list[models.Model]]:
    groups: dict[type[models.Model], list[models.Model]] = {}
    for row in rows:
        groups.setdefault(type(row), []).append(row)
    return groups


def _write_sealed(events: list[AuditEvent], last_hash: str, rows: list[models.Model]) -> None:
    """Insert the chained events, the step's other records and the head's new hash. PostgreSQL does it all
    in one statement; elsewhere the rows and events are bulk-inserted and the head updated after them."""
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    head = quote(AuditChainHead._meta.db_table)
    if connection.vendor != "postgresql":
        for model, group in _by_model(rows).items():
            model._default_manager.bulk_create(group)
        AuditEvent.objects.bulk_create(events)
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {head} SET hash = %s WHERE id = 1", [last_hash])
        return
    ctes = [f"sealed AS (UPDATE {head} SET hash = %s WHERE id = 1)"]
    params: list[Any] = [last_hash]
    for number, (model, group) in enumerate(_by_model(rows).items()):
        columns, values, row_params = _values_sql(group, connection)
        ctes.append(
            f"rows{number} AS (INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES {values})"
        )
        params += row_params
    columns, values, event_params = _values_sql(events, connection)  # type: ignore[arg-type]
    params += event_params
    table, pk = quote(AuditEvent._meta.db_table), quote(AuditEvent._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH {', '.join(ctes)} INSERT INTO {table} ({columns}) VALUES {values} RETURNING {pk}", params
        )
        for event, (pk,) in zip(events, cursor.fetchall(), strict=True):
            event.pk = pk
            event._state.adding, event._state.db = False, connection.alias
    for row in rows:
        row._state.adding, row._state.db = False, connection.alias


def _append(events: list[AuditEvent], rows: list[models.Model] | None = None) -> None:
    """Chain ``events`` after the head and write them with ``rows`` (the step's other append-only records):
    two statements on PostgreSQL however many there are."""
    with transaction.atomic(savepoint=False):
        if not events:
            for model, group in _by_model(rows or []).items():
                model._default_manager.bulk_create(group)
            return
        seq, prev_hash = _head_advance(len(events))
        for event in events:
            event.seq, event.prev_hash = seq, prev_hash
            event.hash = event_hash(event)
            seq, prev_hash = seq + 1, event.hash
        _write_sealed(events, prev_hash, rows or [])


# ---------------------------------------------------------------- batches (one append per step)


@dataclass
class _Batch:
    depth: int  # the atomic nesting depth the batch was opened at
    events: list[AuditEvent] = field(default_factory=list)
    rows: list[models.Model] = field(default_factory=list)


_batches = threading.local()  # Django's connections are per thread, and so are the open batches


def _open_batches() -> list[_Batch]:
    stack: list[_Batch] | None = getattr(_batches, "stack", None)
    if stack is None:
        stack = _batches.stack = []
    return stack


def _atomic_depth() -> int:
    connection = transaction.get_connection()
    return len(connection.savepoint_ids) if connection.in_atomic_block else -1


@contextmanager
def audit_batch() -> Iterator[None]:
    """Collect the audit events recorded in this block and append them together when it ends.

    Use inside a transaction (``audited_atomic`` does both): the chain head is then locked only for the
    last three statements before the commit instead of from the first event on, and a step that records
    several events (a transition and its notice) appends them at once. Events recorded inside a nested
    ``atomic`` block are written at once instead, since that block may roll back on its own. A block that
    raises drops its events: its transaction or savepoint is rolled back with them.
    """
    depth = _atomic_depth()
    if depth < 0:
        raise transaction.TransactionManagementError("audit_batch() must be used inside a transaction")
    stack = _open_batches()
    batch = _Batch(depth=depth)
    stack.append(batch)
    try:
        yield
    finally:
        stack.remove(batch)
    if not batch.events and not batch.rows:
        return
    outer = stack[-1] if stack else None
    if outer is not None and outer.depth == depth:
        outer.events.extend(batch.events)  # same transaction level: the outer batch appends them
        outer.rows.extend(batch.rows)
    else:
        _append(batch.events, batch.rows)


def step_record(row: M) -> M:
    """Write an append-only record of the step (a timeline event, a message, a notice) with the step's
    audit events when an ``audit_batch`` is open at this level — then it has no primary key — or at once."""
    stack = _open_batches()
    if stack and stack[-1].depth == _atomic_depth():
        stack[-1].rows.append(row)
    else:
        row.save(force_insert=True)
    return row


def audited_atomic(func: Callable[P, R]) -> Callable[P, R]:
    """``transaction.atomic`` whose audit events are appended together just before it ends."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with transaction.atomic(), audit_batch():
            return func(*args, **kwargs)

    return wrapper


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. ``actor`` is a user, or None for the system (sweeps, imports).

    Inside an ``audit_batch`` the event is appended when the batch ends (its ``seq`` and ``hash`` are set
    then); otherwise at once."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    event = AuditEvent(
        occurred_at=timezone.now(),
        actor_id=getattr(actor, "pk", None),
        actor_label=_actor_label(actor),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        # Round-trip through JSON so the hashed value is exactly what the database will return.
        data=json.loads(_canonical(_mask_personal(data or {}))),
    )
    stack = _open_batches()
    if stack and stack[-1].depth == _atomic_depth():
        stack[-1].events.append(event)
    else:
        _append([event])
    return event


def _actor_label(actor: Any) -> str:
    if actor is None:
        return "系统"
    label = getattr(actor, "username", "") or str(actor)
    return label[:150]


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    event_id: int | None
    reason: str

    def __str__(self) -> str:
        return f"审计事件 #{self.seq}（id={self.event_id}）：{self.reason}"


@dataclass(frozen=True)
class ChainReport:
    checked: int
    last_seq: int
    first_break: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.first_break is None


def _events_in_order(batch: int = 2000) -> Iterator[AuditEvent]:
    last = 0
    while True:
        chunk = list(AuditEvent.objects.filter(seq__gt=last).order_by("seq")[:batch])
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].seq


def audit_verify_chain() -> ChainReport:
    """Walk the chain from the start and return the first broken link, if any."""
    prev_hash, expected_seq, checked = GENESIS_HASH, 1, 0
    for event in _events_in_order():
        if event.seq != expected_seq:
            return ChainReport(
                checked, expected_seq - 1, ChainBreak(expected_seq, None, "该序号的事件缺失（被删除）")
            )
        if event.prev_hash != prev_hash:
            reason = "上一条哈希与前一事件不一致（链接断开）"
            return ChainReport(checked, event.seq - 1, ChainBreak(event.seq, event.pk, reason))
        if event_hash(event) != event.hash:
            reason = "内容与存储的哈希不符（记录被篡改）"
            return ChainReport(checked, event.seq - 1, ChainBreak(event.seq, event.pk, reason))
        prev_hash, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.seq != expected_seq - 1:
        reason = f"链头记录到第 {head.seq} 条，但日志只到第 {expected_seq - 1} 条（末尾被删除）"
        return ChainReport(checked, expected_seq - 1, ChainBreak(expected_seq, None, reason))
    if head is not None and head.seq and head.hash != prev_hash:
        reason = "链头哈希与最后一条事件不符"
        return ChainReport(checked, expected_seq - 1, ChainBreak(head.seq, None, reason))
    return ChainReport(checked, expected_seq - 1, None)
