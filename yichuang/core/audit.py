"""The append-only, hash-chained audit log: writing and verifying.

Every mutating service calls :func:`audit_record` inside its transaction, so an event exists exactly
when the change it describes was committed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from yichuang.core.masking import mask_id_number, mask_phone
from yichuang.core.models import AuditChainHead, AuditEvent

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


def _locked_head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        try:
            with transaction.atomic():
                AuditChainHead.objects.create(pk=1, seq=0, hash=GENESIS_HASH)
        except IntegrityError:
            pass  # another writer created it first
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. ``actor`` is a user, or None for the system (sweeps, imports)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    # Round-trip through JSON so the hashed value is exactly what the database will return.
    clean_data = json.loads(_canonical(_mask_personal(data or {})))
    actor_id = getattr(actor, "pk", None)
    actor_label = _actor_label(actor)
    occurred_at = timezone.now()
    with transaction.atomic():
        head = _locked_head()
        fields = {
            "seq": head.seq + 1,
            "occurred_at": occurred_at,
            "actor_id": actor_id,
            "actor_label": actor_label,
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id),
            "data": clean_data,
            "prev_hash": head.hash,
        }
        digest = compute_hash(**fields)
        event = AuditEvent.objects.create(**fields, hash=digest)
        seq = fields["seq"]
        head.seq, head.hash = seq, digest
        head.save(update_fields=["seq", "hash"])
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
