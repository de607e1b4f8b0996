"""Dropping indexes nothing reads, from a migration, without touching the constraints around them.

- :func:`foreign_key_indexes_dropped`: a foreign key's own index, where a composite index or unique
  constraint starts with the key (the model says ``db_index=False``). Django's ``AlterField`` for
  that change drops and re-adds the key's foreign key constraint, and re-adding it reads every row
  of the table under a lock that blocks writes (longer as the table grows); the migration pairs the
  ``AlterField`` (state only) with this operation (``SeparateDatabaseAndState``), which drops the
  index and nothing else.
- :func:`like_indexes_dropped`: on PostgreSQL, Django gives every indexed or unique ``CharField`` (a
  foreign key or one-to-one to a string primary key included) a second index with
  ``varchar_pattern_ops``, for ``LIKE 'abc%'`` lookups. A key column is only ever compared for
  equality, which its plain index (or unique constraint) serves: the twin is written on every
  insert and never read.

``tests/ops/test_indexes.py`` holds that no such index is back, and that every foreign key keeps
an index of its own or as a composite's first column.
"""

from __future__ import annotations

from django.db import migrations


def foreign_key_indexes_dropped(*indexes: tuple[str, str, str]) -> migrations.RunSQL:
    """An operation that drops each ``(index name, table, column)`` (and recreates it when the
    migration is reversed), on any database; for ``SeparateDatabaseAndState``'s database side."""
    return migrations.RunSQL(
        [f'DROP INDEX IF EXISTS "{name}"' for name, _table, _column in indexes],
        reverse_sql=[
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")'
            for name, table, column in indexes
        ],
        elidable=False,
    )


def like_indexes_dropped(*indexes: tuple[str, str, str]) -> migrations.RunPython:
    """An operation that drops each ``(index name, table, column)`` on PostgreSQL (and recreates it
    when the migration is reversed); nothing on other databases."""

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
