"""Daily counters that never hand out the same value twice, on SQLite and PostgreSQL.

A counter is a row (key, day, last). One upsert creates it or moves it on and returns the new value; the
row stays locked until the transaction ends, so concurrent callers get consecutive values, never the same
one. Used for 办件编号 (cases), 一件事申请编号 (bundles) and the hall's queue numbers (A001 …).
"""

from __future__ import annotations

import datetime as dt

from django.db import models, transaction


def counter_next(*, model: type[models.Model], key_field: str, key: str, day: dt.date) -> int:
    """The next value of ``model``'s counter (key, day); call inside the writing transaction.

    ``model`` has fields ``<key_field>``, ``day`` and ``last`` with a unique constraint on (key, day)."""
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    key_column = quote(model._meta.get_field(key_field).column)  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_column}, day, last) VALUES (%s, %s, 1) "
            f"ON CONFLICT ({key_column}, day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [key, connection.ops.adapt_datefield_value(day)],
        )
        row = cursor.fetchone()
    return int(row[0])
