"""Reads compiled once: the hottest single-row reads skip Django's SQL compilation on every call.

Django rebuilds and recompiles a queryset's SQL each time it runs. For a read with a few joins and some
fifty columns — the case row every step of a case locks — that costs more CPU than the database spends
answering it. ``PreparedRead`` compiles such a queryset once per process and database, then runs the same
SQL with the new key and builds the objects exactly as the ORM's model iterable does (the converters of
each column, ``select_related`` objects included).

Only for querysets whose SQL depends on nothing but one integer key: no dates, no user, no settings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections, models, transaction
from django.db.models import QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]  # what ModelIterable uses

M = TypeVar("M", bound=models.Model)

# Stands for the key while the SQL is compiled; keys of real rows are never negative.
_PLACEHOLDER = -987_654_321


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    compiler: Any  # the SQLCompiler that made the SQL: it knows the columns and their converters
    init_list: list[str]
    model_slice: slice
    populators: list[Any]
    locking: bool


class PreparedRead(Generic[M]):
    """``build(key)`` returns the queryset for one key; ``get(key)`` runs it, compiled only the first time."""

    def __init__(self, build: Callable[[int], QuerySet[M]], *, using: str = "default") -> None:
        self._build = build
        self._using = using
        self._compiled: _Compiled | None = None

    def _compile(self) -> _Compiled:
        queryset = self._build(_PLACEHOLDER)
        if queryset.query.annotations or queryset._known_related_objects:  # type: ignore[attr-defined]
            raise ValueError("PreparedRead reads plain rows (and select_related ones) only")
        compiler = queryset.query.get_compiler(using=self._using)
        sql, params = compiler.as_sql()
        if params.count(_PLACEHOLDER) < 1:
            raise ValueError("the queryset does not use its key")
        klass_info, select = compiler.klass_info, compiler.select
        fields = klass_info["select_fields"]
        model_slice = slice(fields[0], fields[-1] + 1)
        return _Compiled(
            sql=sql,
            params=tuple(params),
            compiler=compiler,
            init_list=[column[0].target.attname for column in select[model_slice]],
            model_slice=model_slice,
            populators=get_related_populators(klass_info, select, self._using),
            locking=bool(queryset.query.select_for_update),
        )

    def rows(self, key: int) -> list[M]:
        """Every row for ``key`` (with its select_related rows), in the queryset's order. A locking read
        (select_for_update) must run inside a transaction, as with the ORM."""
        connection = connections[self._using]
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = self._compile()  # a locking read refuses to compile outside one
        if compiled.locking and connection.get_autocommit():
            raise transaction.TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        params = [int(key) if value == _PLACEHOLDER else value for value in compiled.params]
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

    def get(self, key: int) -> M | None:
        """The row for ``key``, or None (the queryset selects at most one)."""
        found = self.rows(key)
        return found[0] if found else None
