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


@dataclass
class _Writes:
    """What a step leaves to its end: audit events, append-only records, and row updates."""

    events: list[AuditEvent] = field(default_factory=list)
    rows: list[models.Model] = field(default_factory=list)
    updates: dict[int, tuple[models.Model, set[str]]] = field(default_factory=dict)  # by id() of the row

    def __bool__(self) -> bool:
        return bool(self.events or self.rows or self.updates)

    def update(self, row: models.Model, fields: set[str]) -> None:
        """A row updated twice in a step is written once, with every field (its values as at the end)."""
        _row, known = self.updates.setdefault(id(row), (row, set()))
        known |= fields

    def extend(self, other: _Writes) -> None:
        self.events += other.events
        self.rows += other.rows
        for row, fields in other.updates.values():
            self.update(row, fields)


def _update_sql(row: models.Model, names: set[str], connection: Any) -> tuple[str, list[Any]]:
    meta = row._meta
    fields: list[Any] = [meta.get_field(name) for name in sorted(names)]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    params = [field.get_db_prep_save(field.pre_save(row, False), connection) for field in fields]
    pk_column = quote(meta.pk.column)
    return f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {pk_column} = %s", [*params, row.pk]


def _write_one_statement(writes: _Writes, last_hash: str) -> None:
    """PostgreSQL: the updates, the records, the events and the head's new hash in one statement."""
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    ctes = [f"sealed AS (UPDATE {quote(AuditChainHead._meta.db_table)} SET hash = %s WHERE id = 1)"]
    params: list[Any] = [last_hash]
    for number, (row, names) in enumerate(writes.updates.values()):
        sql, update_params = _update_sql(row, names, connection)
        ctes.append(f"updated{number} AS ({sql})")
        params += update_params
    for number, (model, group) in enumerate(_by_model(writes.rows).items()):
        columns, values, row_params = _values_sql(group, connection)
        ctes.append(
            f"rows{number} AS (INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES {values})"
        )
        params += row_params
    columns, values, event_params = _values_sql(writes.events, connection)  # type: ignore[arg-type]
    params += event_params
    table, pk = quote(AuditEvent._meta.db_table), quote(AuditEvent._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH {', '.join(ctes)} INSERT INTO {table} ({columns}) VALUES {values} RETURNING {pk}", params
        )
        for event, (pk,) in zip(writes.events, cursor.fetchall(), strict=True):
            event.pk = pk
            event._state.adding, event._state.db = False, connection.alias
    for row in writes.rows:
        row._state.adding, row._state.db = False, connection.alias


def _append(writes: _Writes) -> None:
    """Write a step's updates and records and chain its events after the head: two statements on
    PostgreSQL however many there are; elsewhere the updates, the records (bulk), the events (bulk) and
    the head one after the other."""
    with transaction.atomic(savepoint=False):
        if writes.events:
            seq, prev_hash = _head_advance(len(writes.events))
            for event in writes.events:
                event.seq, event.prev_hash = seq, prev_hash
                event.hash = event_hash(event)
                seq, prev_hash = seq + 1, event.hash
            if transaction.get_connection().vendor == "postgresql":
                _write_one_statement(writes, prev_hash)
                return
        for row, names in writes.updates.values():
            row.save(update_fields=sorted(names))
        for model, group in _by_model(writes.rows).items():
            model._default_manager.bulk_create(group)
        if writes.events:
            AuditEvent.objects.bulk_create(writes.events)
            connection = transaction.get_connection()
            head = connection.ops.quote_name(AuditChainHead._meta.db_table)
            with connection.cursor() as cursor:
                cursor.execute(f"UPDATE {head} SET hash = %s WHERE id = 1", [prev_hash])


# ---------------------------------------------------------------- batches (one append per step)


@dataclass
class _Batch:
    depth: int  # the atomic nesting depth the batch was opened at
    writes: _Writes = field(default_factory=_Writes)


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
    if not batch.writes:
        return
    outer = stack[-1] if stack else None
    if outer is not None and outer.depth == depth:
        outer.writes.extend(batch.writes)  # same transaction level: the outer batch writes them
    else:
        _append(batch.writes)


def step_record(row: M) -> M:
    """Write an append-only record of the step (a timeline event, a message, a notice) with the step's
    audit events when an ``audit_batch`` is open at this level — then it has no primary key — or at once."""
    stack = _open_batches()
    if stack and stack[-1].depth == _atomic_depth():
        stack[-1].writes.rows.append(row)
    else:
        row.save(force_insert=True)
    return row


def step_update(row: models.Model, fields: set[str] | list[str]) -> None:
    """Write ``fields`` of ``row`` (locked by the step) with the step's audit events when an
    ``audit_batch`` is open at this level, else at once. Until then the database still holds the old
    values: read them from ``row``."""
    stack = _open_batches()
    if stack and stack[-1].depth == _atomic_depth():
        stack[-1].writes.update(row, set(fields))
    else:
        row.save(update_fields=sorted(fields))


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
        stack[-1].writes.events.append(event)
    else:
        _append(_Writes(events=[event]))
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
