"""Hot ``values()`` queries compiled once per process instead of on every call.

Django builds and compiles a query each time it runs: for the eligibility snapshot's joins over a
dozen related fields that was about half of a decision's CPU time, while only the parameters change
from one call to the next. :class:`PreparedValues` builds the query once with sentinel parameters,
compiles it, remembers where each sentinel landed in the parameter list, and from then on runs the
same SQL with the caller's values in those places. Rows go through the compiled query's own
converters (worked out once, with the compiled query), so they are exactly what ``list(queryset)``
would give.

A parameter that is a list (``__in``) compiles one statement per length. A query that can match
nothing (``__in`` an empty list) runs no SQL, as Django does.

On PostgreSQL the statement is also prepared on the server, once per database connection
(``PREPARE``, sent in the same round trip as its first ``EXECUTE``), so PostgreSQL stops planning
it again on every call: for the eligibility snapshot's joins, planning took three times as long as
running them. The constant parameters are written into the prepared text, the caller's become
``$1``, ``$2``, ... Prepared statements belong to a server session: behind a pooler that hands one
session to several clients (PgBouncer's transaction or statement mode) set
``DATABASE_PREPARED_STATEMENTS=false``.
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Field, QuerySet

_EMPTY = object()
_PLACEHOLDER = re.compile(r"%s|%%")
_statement_numbers = itertools.count(1)


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
        # What ``compiler.results_iter`` would work out on every call: the columns' converters.
        columns = [select[0] for select in compiler.select[: compiler.col_count]]
        if compiler.has_composite_fields(columns):
            raise TypeError("PreparedValues does not support composite primary keys")
        converters = compiler.get_converters(columns)
        prepared = None
        if connection.vendor == "postgresql" and settings.DATABASE_PREPARED_STATEMENTS:
            prepared = _server_statement(connection, sql, list(params), slots)
        return sql, list(params), slots, compiler, converters, names, prepared

    def __call__(self, *, using: str = "default", **values: Any) -> list[dict[str, Any]]:
        connection = connections[using]
        shape = tuple(len(values[name]) if name in self.many else None for name in self.fields)
        key = (connection.alias, connection.vendor, shape)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile(connection, shape)
        if compiled is _EMPTY:
            return []
        sql, template, slots, compiler, converters, names, prepared = compiled
        params = list(template)
        for i, slot in enumerate(slots):
            if slot is not None:
                name, index = slot
                value = values[name] if index is None else values[name][index]
                params[i] = self.fields[name].get_db_prep_value(value, connection)
        with connection.cursor() as cursor:
            if prepared is None:
                cursor.execute(sql, params)
            else:
                caller = [p for p, slot in zip(params, slots, strict=True) if slot is not None]
                prepared.execute(connection, cursor, caller)
            rows = cursor.fetchall()
        if converters:
            rows = compiler.apply_converters(rows, converters)
        return [dict(zip(names, row, strict=True)) for row in rows]


class _ServerStatement:
    """One compiled query as a PostgreSQL prepared statement: its ``PREPARE`` text (constants
    inlined, the caller's parameters as ``$n``). Which statements a server session holds is kept
    on the Django connection (``_prepared_statements``), reset when it reconnects."""

    def __init__(self, number: int, body: str, arity: int):
        self.number = number
        self.body = body
        self.execute_sql = "(" + ", ".join(["%s"] * arity) + ")" if arity else ""

    def execute(self, connection, cursor, params: list) -> None:
        """``EXECUTE`` it on ``cursor``, with ``PREPARE`` in the same round trip the first time on
        this server session. Any error forgets what the session holds: the next call prepares
        under a new name, so that a statement whose ``PREPARE`` went through before the error
        never collides with its own name."""
        state = getattr(connection, "_prepared_statements", None)
        if state is None or state["session"] is not connection.connection:
            state = connection._prepared_statements = {
                "session": connection.connection,
                "generation": (state["generation"] + 1) if state else 0,
                "names": set(),
            }
        name = f"pc_prepared_{self.number}_{state['generation']}"
        execute = f"EXECUTE {name}{self.execute_sql}"
        known = name in state["names"]
        try:
            cursor.execute(execute if known else f"PREPARE {name} AS {self.body}; {execute}", params)
        except Exception:
            state["generation"] += 1
            state["names"] = set()
            raise
        state["names"].add(name)


def _server_statement(connection, sql: str, params: list, slots: list) -> _ServerStatement:
    """The ``PREPARE`` body for ``sql``: constants inlined with the driver's own quoting, the
    caller's parameters numbered; ``%`` doubled as the combined ``PREPARE ...; EXECUTE`` needs."""
    constants = iter(zip(params, slots, strict=True))
    numbered = itertools.count(1)

    def replace(match: re.Match) -> str:
        if match.group() == "%%":
            return "%%"
        param, slot = next(constants)
        if slot is not None:
            return f"${next(numbered)}"
        with connection.cursor() as cursor:
            literal = cursor.mogrify("%s", [param]).decode()
        return literal.replace("%", "%%")

    body = _PLACEHOLDER.sub(replace, sql)
    return _ServerStatement(next(_statement_numbers), body, sum(slot is not None for slot in slots))
