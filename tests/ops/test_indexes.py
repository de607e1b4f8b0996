"""No index is written on every insert and never read: a foreign key's own index when a composite
index or unique constraint already starts with it, and PostgreSQL's ``LIKE`` twin of an index on a
key column (``core.indexes``); and no foreign key is left without an index."""

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, models

from tests.conftest import require

pytestmark = pytest.mark.django_db


def project_models() -> list[type[models.Model]]:
    """The concrete tables this project's apps declare (not those of Django or other libraries, not
    automatic many-to-many ones)."""
    base = Path(settings.BASE_DIR).resolve()
    ours = {
        config.label
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(base) and "site-packages" not in config.path
    }
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label in ours and not model._meta.auto_created and model._meta.managed
    ]


def leading_columns(model) -> set[str]:
    """Fields that lead a full (non-partial, non-expression) index or unique constraint."""
    leads = set()
    for index in model._meta.indexes:
        if index.fields and index.condition is None:
            leads.add(index.fields[0].lstrip("-"))
    for constraint in model._meta.constraints:
        if (
            isinstance(constraint, models.UniqueConstraint)
            and constraint.fields
            and constraint.condition is None
        ):
            leads.add(constraint.fields[0])
    leads.update(fields[0] for fields in model._meta.unique_together)
    return leads


def test_the_project_declares_the_tables_it_checks():
    names = {model._meta.db_table for model in project_models()}
    assert {"servicerequests_servicerequest", "partnercenter_idempotencyrecord", "gdap_relationship"} <= names
    assert "partners_user_groups" not in names  # an automatic many-to-many table, Django's
    assert "auth_permission" not in names and "axes_accessattempt" not in names  # libraries' tables


def test_no_foreign_key_has_an_index_that_a_composite_one_already_starts_with():
    redundant = [
        f"{model._meta.label}.{field.name}"
        for model in project_models()
        for field in model._meta.local_fields
        if isinstance(field, models.ForeignKey)
        and field.db_index
        and not field.unique
        and field.name in leading_columns(model)
    ]
    assert redundant == [], "set db_index=False: a composite index or unique constraint leads with it"


def test_every_foreign_key_is_indexed_by_its_own_index_or_a_composite_one():
    """The other side of the check above: a key that gives up its own index relies on a composite
    one, and dropping that would leave its joins and cascades scanning the table."""
    unindexed = [
        f"{model._meta.label}.{field.name}"
        for model in project_models()
        for field in model._meta.local_fields
        if isinstance(field, models.ForeignKey)
        and not (field.db_index or field.unique or field.name in leading_columns(model))
    ]
    assert unindexed == []


REDUNDANT_BTREE_SQL = """
WITH idx AS (
  SELECT i.indrelid::regclass::text AS tbl, i.indexrelid::regclass::text AS name,
         array_to_string(i.indkey::int2[], ' ') AS keys, array_to_string(i.indclass::oid[], ' ') AS ops,
         i.indnkeyatts AS n, i.indisunique AS uniq, i.indpred IS NULL AS full_index,
         i.indexprs IS NULL AS plain, am.amname
  FROM pg_index i
  JOIN pg_class c ON c.oid = i.indexrelid
  JOIN pg_am am ON am.oid = c.relam
  WHERE i.indrelid::regclass::text = ANY(%s)
)
SELECT a.tbl, a.name, b.name
FROM idx a JOIN idx b ON a.tbl = b.tbl AND a.name <> b.name
WHERE a.amname = 'btree' AND b.amname = 'btree' AND a.full_index AND b.full_index
  AND a.plain AND b.plain AND NOT a.uniq AND a.n <= b.n
  AND (b.keys || ' ') LIKE (a.keys || ' %%') AND (b.ops || ' ') LIKE (a.ops || ' %%')
ORDER BY 1, 2
"""

KEY_LIKE_INDEXES_SQL = """
SELECT c.relname, a.attname
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_opclass o ON o.oid = i.indclass[0]
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
WHERE i.indrelid::regclass::text = %s AND o.opcname IN ('varchar_pattern_ops', 'text_pattern_ops')
"""


@pytest.mark.postgres
def test_no_btree_index_is_the_leading_part_of_another_on_postgresql():
    require(connection.vendor == "postgresql", "this test needs PostgreSQL: set DATABASE_URL")
    tables = [model._meta.db_table for model in project_models()]
    with connection.cursor() as cursor:
        cursor.execute(REDUNDANT_BTREE_SQL, [tables])
        redundant = cursor.fetchall()
    assert redundant == []


@pytest.mark.postgres
def test_no_key_column_keeps_a_like_index_on_postgresql():
    require(connection.vendor == "postgresql", "this test needs PostgreSQL: set DATABASE_URL")
    found = []
    with connection.cursor() as cursor:
        for model in project_models():
            keys = {
                field.column
                for field in model._meta.local_fields
                if isinstance(field, models.ForeignKey)  # one-to-one included
            }
            cursor.execute(KEY_LIKE_INDEXES_SQL, [model._meta.db_table])
            found += [(name, column) for name, column in cursor.fetchall() if column in keys]
    assert found == [], "drop them in a migration with core.indexes.like_indexes_dropped"


@pytest.mark.postgres
def test_the_checks_see_an_index_they_must_refuse():
    """The two queries find what they look for: a redundant index and a ``LIKE`` twin, made here."""
    require(connection.vendor == "postgresql", "this test needs PostgreSQL: set DATABASE_URL")
    table = "servicerequests_note"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE INDEX test_note_request_idx ON {table} (request_id)")
        cursor.execute(f"CREATE INDEX test_note_request_like ON {table} (request_id varchar_pattern_ops)")
        cursor.execute(REDUNDANT_BTREE_SQL, [[table]])
        assert ("servicerequests_note", "test_note_request_idx", "note_request_idx") in cursor.fetchall()
        cursor.execute(KEY_LIKE_INDEXES_SQL, [table])
        assert ("test_note_request_like", "request_id") in cursor.fetchall()


REDUNDANT_INDEX_MIGRATIONS = [
    ("partners", "0003_redundant_fk_indexes"),
    ("customers", "0005_redundant_fk_indexes"),
    ("gdap", "0008_redundant_fk_indexes"),
    ("partnercenter", "0004_redundant_fk_indexes"),
    ("servicerequests", "0016_redundant_fk_indexes"),
    ("webhooks", "0003_redundant_fk_indexes"),
    ("apiaccess", "0002_redundant_fk_indexes"),
]


@pytest.mark.postgres
@pytest.mark.parametrize(("app", "migration"), REDUNDANT_INDEX_MIGRATIONS)
def test_dropping_an_index_leaves_the_foreign_key_constraints_alone(app, migration):
    """Re-adding a foreign key constraint checks every row while the table's writes wait: on
    PostgreSQL these migrations drop indexes only (``core.indexes``)."""
    require(connection.vendor == "postgresql", "this test needs PostgreSQL: set DATABASE_URL")
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("sqlmigrate", app, migration, stdout=out)
    sql = out.getvalue()
    assert "DROP INDEX" in sql
    assert "CONSTRAINT" not in sql
