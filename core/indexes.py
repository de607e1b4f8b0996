"""Dropping PostgreSQL's ``LIKE`` twin of an index on a key column, from a migration.

On PostgreSQL, Django gives every indexed or unique ``CharField`` (a foreign key or one-to-one to a
string primary key included) a second index with ``varchar_pattern_ops``, for ``LIKE 'abc%'``
lookups. A key column is only ever compared for equality, which its plain index (or unique
constraint) serves: the twin is written on every insert and never read. ``tests/ops/test_indexes.py``
holds that no key column of this project keeps one.
"""

from __future__ import annotations

from django.db import migrations


def like_indexes_dropped(*indexes: tuple[str, str, str]) -> migrations.RunPython:
    """A migration operation that drops each ``(index name, table, column)`` on PostgreSQL (and
    recreates it when the migration is reversed); nothing on other databases."""

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name, _table, _column in indexes:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')

    def create(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name, table, column in indexes:
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}" varchar_pattern_ops)'
            )

    return migrations.RunPython(drop, create, elidable=False)
