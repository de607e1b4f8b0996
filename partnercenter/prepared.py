"""Hot ``values()`` queries compiled once per process instead of on every call.

Django builds and compiles a query each time it runs: for the eligibility snapshot's joins over a
dozen related fields that was about half of a decision's CPU time, while only the parameters change
from one call to the next. :class:`PreparedValues` builds the query once with sentinel parameters,
compiles it, remembers where each sentinel landed in the parameter list, and from then on runs the
same SQL with the caller's values in those places. Rows go through the compiled query's own
converters, so they are exactly what ``list(queryset)`` would give.

A parameter that is a list (``__in``) compiles one statement per length. A query that can match
nothing (``__in`` an empty list) runs no SQL, as Django does.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Field, QuerySet

_EMPTY = object()


def _sentinel(field: Field, index: int) -> Any:
    """A value of ``field``'s type that no real parameter has (told apart by ``index``)."""
    kind = field.get_internal_type()
    if kind == "UUIDField":
        return uuid.UUID(int=0xC0FFEE << 64 | index)
    if kind in ("AutoField", "BigAutoField", "IntegerField", "BigIntegerField", "PositiveIntegerField"):
        return 2_000_000_000 + index  # inside every integer column's range (Django drops the others)
    if kind == "DateTimeField":
        return datetime(1901, 2, 3, 4, 5, 6, 100_000 + index, tzinfo=UTC)
    if kind in ("CharField", "TextField"):
        return f"\x1fsentinel-{index}\x1f"
    raise TypeError(f"PreparedValues has no sentinel for a {kind}")


class PreparedValues:
    """``build(**params)`` returns a ``values()`` queryset; ``fields`` names, for each parameter,
    the model field that prepares its value for the database (its type and conversion); ``many``
    names the parameters that are lists. Call the instance with the parameters to get the rows
    (dicts), as ``list(build(**params))`` would."""

    def __init__(
        self, build: Callable[..., QuerySet], *, fields: dict[str, Field], many: tuple[str, ...] = ()
    ):
        self.build = build
        self.fields = fields
        self.many = frozenset(many)
        self._compiled: dict[tuple, Any] = {}

    def _compile(self, connection, shape: tuple) -> Any:
        sentinels: dict[str, Any] = {}
        positions: dict[Any, tuple[str, int | None]] = {}
        counter = 0
        for name, length in zip(self.fields, shape, strict=True):
            field = self.fields[name]
            if length is None:
                counter += 1
                sentinels[name] = _sentinel(field, counter)
                positions[field.get_db_prep_value(sentinels[name], connection)] = (name, None)
            else:
                values = []
                for i in range(length):
                    counter += 1
                    values.append(_sentinel(field, counter))
                    positions[field.get_db_prep_value(values[-1], connection)] = (name, i)
                sentinels[name] = values
        queryset = self.build(**sentinels)
        query = queryset.query
        compiler = query.get_compiler(connection=connection)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            if 0 in shape:  # an empty ``__in`` list: nothing can match, as Django decides
                return _EMPTY
            raise ValueError("the query compiled to nothing with its sentinel parameters") from None
        slots = [positions.get(p) if isinstance(p, (str, int, uuid.UUID, datetime)) else None for p in params]
        found = {slot for slot in slots if slot is not None}
        missing = set(positions.values()) - found
        if missing:
            raise ValueError(f"parameters not found in the compiled query: {sorted(map(str, missing))}")
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
        return sql, list(params), slots, compiler, names

    def __call__(self, *, using: str = "default", **values: Any) -> list[dict[str, Any]]:
        connection = connections[using]
        shape = tuple(len(values[name]) if name in self.many else None for name in self.fields)
        key = (connection.alias, connection.vendor, shape)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile(connection, shape)
        if compiled is _EMPTY:
            return []
        sql, template, slots, compiler, names = compiled
        params = list(template)
        for i, slot in enumerate(slots):
            if slot is not None:
                name, index = slot
                value = values[name] if index is None else values[name][index]
                params[i] = self.fields[name].get_db_prep_value(value, connection)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return [dict(zip(names, row, strict=True)) for row in compiler.results_iter(results=[rows])]
