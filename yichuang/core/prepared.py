"""Reads compiled once: the hottest single-row reads skip Django's SQL compilation on every call.

Django rebuilds and recompiles a queryset's SQL each time it runs. For a read with a few joins and some
fifty columns — the case row every step of a case locks — that costs more CPU than the database spends
answering it. ``PreparedRead`` compiles such a queryset once per process and database, then runs the same
SQL with the new key and builds the objects exactly as the ORM's model iterable does (the converters of
each column, ``select_related`` objects included).

Only for querysets whose SQL depends on nothing but their keys (integers or strings, each used as a
plain value): no dates, no user, no settings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections, models, transaction
from django.db.models import QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]  # what ModelIterable uses

M = TypeVar("M", bound=models.Model)

# Stand for the keys while the SQL is compiled: no real key is a negative integer or has a NUL in it.
_INT_PLACEHOLDERS = (-987_654_321, -987_654_322, -987_654_323)
_STR_PLACEHOLDERS = ("\x00key-0", "\x00key-1", "\x00key-2")


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[int | None, ...]  # for each parameter: which key goes there (None: a constant)
    compiler: Any  # the SQLCompiler that made the SQL: it knows the columns and their converters
    init_list: list[str]
    model_slice: slice
    populators: list[Any]
    locking: bool


class PreparedRead(Generic[M]):
    """``build(*keys)`` returns the queryset for the keys; ``rows(*keys)`` / ``get(*keys)`` run it, compiled
    only the first time. ``key_types`` says which keys are integers and which strings (one integer key by
    default)."""

    def __init__(
        self,
        build: Callable[..., QuerySet[M]],
        *,
        key_types: tuple[type, ...] = (int,),
        using: str = "default",
    ) -> None:
        if not 1 <= len(key_types) <= len(_INT_PLACEHOLDERS) or not set(key_types) <= {int, str}:
            raise ValueError("PreparedRead takes one to three integer or string keys")
        self._build = build
        self._key_types = key_types
        self._using = using
        self._compiled: _Compiled | None = None

    def _compile(self) -> _Compiled:
        placeholders = [
            _INT_PLACEHOLDERS[n] if kind is int else _STR_PLACEHOLDERS[n]
            for n, kind in enumerate(self._key_types)
        ]
        queryset = self._build(*placeholders)
        if queryset.query.annotations or queryset._known_related_objects:  # type: ignore[attr-defined]
            raise ValueError("PreparedRead reads plain rows (and select_related ones) only")
        compiler = queryset.query.get_compiler(using=self._using)
        sql, params = compiler.as_sql()
        slots = tuple(
            placeholders.index(value) if isinstance(value, int | str) and value in placeholders else None
            for value in params
        )
        if set(range(len(placeholders))) - set(slots):
            raise ValueError("the queryset does not use each of its keys")
        klass_info, select = compiler.klass_info, compiler.select
        fields = klass_info["select_fields"]
        model_slice = slice(fields[0], fields[-1] + 1)
        return _Compiled(
            sql=sql,
            params=tuple(params),
            slots=slots,
            compiler=compiler,
            init_list=[column[0].target.attname for column in select[model_slice]],
            model_slice=model_slice,
            populators=get_related_populators(klass_info, select, self._using),
            locking=bool(queryset.query.select_for_update),
        )

    def rows(self, *keys: int | str) -> list[M]:
        """Every row for the keys (with its select_related rows), in the queryset's order. A locking read
        (select_for_update) must run inside a transaction, as with the ORM."""
        if len(keys) != len(self._key_types):
            raise TypeError(f"expected {len(self._key_types)} keys, got {len(keys)}")
        values = [kind(key) for kind, key in zip(self._key_types, keys, strict=True)]
        connection = connections[self._using]
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = self._compile()  # a locking read refuses to compile outside one
        if compiled.locking and connection.get_autocommit():
            raise transaction.TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        params = [
            value if slot is None else values[slot]
            for value, slot in zip(compiled.params, compiled.slots, strict=True)
        ]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            fetched = cursor.fetchall()
        model = compiled.compiler.klass_info["model"]
        found: list[M] = []
        for row in compiled.compiler.results_iter(results=[fetched]):
            obj = model.from_db(self._using, compiled.init_list, row[compiled.model_slice])
            for populator in compiled.populators:
                populator.populate(row, obj)
            found.append(obj)
        return found

    def get(self, *keys: int | str) -> M | None:
        """The row for the keys, or None (the queryset selects at most one)."""
        found = self.rows(*keys)
        return found[0] if found else None
