"""Re-encrypt every encrypted column under the current first key of YICHUANG_FIELD_KEYS.

Works in batches by primary key, each batch one transaction; rows already under the current key are
skipped, so an interrupted run is resumed by running it again. ``--rehash`` also recomputes every keyed
hash (after YICHUANG_LOOKUP_KEY changed). See docs/encryption.md.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, models, transaction

from yichuang.core.audit import audit_record
from yichuang.core.crypto_fields import current_key_id, decrypt, encrypted_fields, key_id_of, keyed_hash


def _rotate_model(model: type[models.Model], *, batch: int, rehash: bool, write: Any) -> tuple[int, int]:
    """(rows re-encrypted or re-hashed, rows looked at) for one model."""
    fields = encrypted_fields(model)
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    columns = ", ".join(quote(field.column) for field, _hash in fields)
    target = current_key_id()
    changed = seen = 0
    last: Any = 0
    while True:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {pk}, {columns} FROM {table} WHERE {pk} > %s ORDER BY {pk} LIMIT {int(batch)}",
                    [last],
                )
                rows = cursor.fetchall()
            if not rows:
                return changed, seen
            for row_pk, *stored_values in rows:
                values: dict[str, Any] = {}
                for (field, hash_field), stored in zip(fields, stored_values, strict=True):
                    if not stored or (key_id_of(stored) == target and not rehash):
                        continue
                    plaintext = decrypt(stored)
                    values[field.attname] = plaintext  # the update encrypts it under the first key
                    if hash_field is not None:
                        values[hash_field.attname] = keyed_hash(plaintext)
                if values:
                    model._default_manager.filter(pk=row_pk).update(**values)
                    changed += 1
            seen += len(rows)
            last = rows[-1][0]
        write(f"  {model._meta.label}: {seen} rows looked at, {changed} rewritten")


class Command(BaseCommand):
    help = (
        "Re-encrypt ID numbers under the current field key (resumable; --rehash after a lookup-key change)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=500, help="rows per transaction (default 500)")
        parser.add_argument("--rehash", action="store_true", help="recompute every keyed hash too")

    def handle(self, *args: Any, batch: int, rehash: bool, **options: Any) -> None:
        target = current_key_id()
        self.stdout.write(
            f"Re-encrypting under key {target!r}" + (" and recomputing hashes" if rehash else "")
        )
        totals: dict[str, int] = {}
        for model in apps.get_models():
            if model._meta.proxy or not encrypted_fields(model):
                continue
            changed, _seen = _rotate_model(model, batch=max(batch, 1), rehash=rehash, write=self.stdout.write)
            totals[model._meta.label] = changed
        with transaction.atomic():
            audit_record(
                actor=None,
                action="field_keys.rotated",
                object_type="core.field_keys",
                object_id=target,
                data={"key_id": target, "rehash": rehash, "rows": totals},
            )
        self.stdout.write(self.style.SUCCESS(f"Done: {sum(totals.values())} rows rewritten."))
