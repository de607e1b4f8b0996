"""A trigram index for the list API's ``q`` (title search), PostgreSQL only.

``q`` filters ``title__icontains``, which Django writes as ``UPPER("title"::text) LIKE UPPER(%s)``:
no B-tree index serves a ``LIKE '%…%'``, so without this index the search reads every row of the
partner. The index is a GIN over ``(partner_id, UPPER(title::text) gin_trgm_ops)`` — the partner
through ``btree_gin`` — so one index scan finds the partner's rows that contain the words.

Both extensions are trusted (PostgreSQL 13+): the database owner can create them without being a
superuser. On other databases (SQLite in development) the migration does nothing and ``q`` scans.
The index is not in the model's ``Meta.indexes`` because Django cannot express it portably.
"""

from django.db import migrations

INDEX = "sr_partner_title_trgm_idx"
TABLE = "servicerequests_servicerequest"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON {TABLE} USING gin (partner_id, (UPPER(title::text)) gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("servicerequests", "0005_breached_index")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
