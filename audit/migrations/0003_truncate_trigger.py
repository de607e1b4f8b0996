"""On PostgreSQL, refuse TRUNCATE of the audit events as well (UPDATE and DELETE: 0002).

The table's owner may still truncate (the test suite's flush, an operator's deliberate
maintenance): an owner can drop the trigger anyway, so the guard is aimed at every other role.
The portal's runtime role is not the owner (``manage.py grant_runtime_role``, docs/audit.md)."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION audit_auditevent_no_truncate() RETURNS trigger AS $$
BEGIN
    IF pg_has_role(current_user, (SELECT tableowner FROM pg_tables
                                  WHERE schemaname = TG_TABLE_SCHEMA AND tablename = TG_TABLE_NAME),
                   'USAGE') THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit_auditevent is append-only: TRUNCATE refused'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_auditevent_no_truncate
    BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_auditevent_no_truncate();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_auditevent_no_truncate();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]
    operations = [migrations.RunPython(forward, backward)]
