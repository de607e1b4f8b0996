"""PostgreSQL only: a dispatch that becomes pending (a filing's insert, a user's retry) sends
``NOTIFY servicerequests_dispatch`` when its transaction commits, which wakes the dispatch relays
(``portals.relay``). The filing's web request publishes nothing to the broker; the trigger costs no
round trip. Other databases (SQLite in development and tests) have no trigger: the relay polls."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION servicerequests_dispatch_notify() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('servicerequests_dispatch', '');
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER servicerequests_dispatch_inserted
    AFTER INSERT ON servicerequests_dispatch
    FOR EACH STATEMENT EXECUTE FUNCTION servicerequests_dispatch_notify();
CREATE TRIGGER servicerequests_dispatch_pending_again
    AFTER UPDATE OF status ON servicerequests_dispatch
    FOR EACH ROW WHEN (NEW.status = 'pending' AND OLD.status <> 'pending')
    EXECUTE FUNCTION servicerequests_dispatch_notify();
"""

DROP = """
DROP TRIGGER IF EXISTS servicerequests_dispatch_pending_again ON servicerequests_dispatch;
DROP TRIGGER IF EXISTS servicerequests_dispatch_inserted ON servicerequests_dispatch;
DROP FUNCTION IF EXISTS servicerequests_dispatch_notify();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("servicerequests", "0010_general_support_topics"),
    ]

    operations = [migrations.RunPython(create, drop)]
