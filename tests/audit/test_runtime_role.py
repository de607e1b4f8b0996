"""The runtime database role (web and workers) can't erase the audit trail (PostgreSQL).

``manage.py grant_runtime_role`` is what docker-compose's ``migrate`` service runs; this test runs
it against a fresh role, connects as that role and tries every way of changing or erasing audit
events that the table's owner would have.
"""

from __future__ import annotations

import os

import pytest
from django.core.management import call_command
from django.db import connection

from audit.models import AuditEvent
from audit.services import audit_event_record
from tests.conftest import require

TABLE = AuditEvent._meta.db_table
REFUSED = ("permission denied", "must be owner", "append-only", "months_ahead must be between")


@pytest.fixture
def runtime_role(transactional_db):
    require(connection.vendor == "postgresql", "this test needs PostgreSQL: set DATABASE_URL")
    role = f"pc_runtime_test_{os.getpid()}"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP ROLE IF EXISTS {role}")
        cursor.execute(f"CREATE ROLE {role} LOGIN")
    call_command("grant_runtime_role", role, stdout=open(os.devnull, "w"))  # noqa: SIM115
    params = {**connection.get_connection_params(), "user": role}
    raw = connection.get_new_connection(params)
    raw.autocommit = True
    try:
        yield role, raw
    finally:
        raw.close()
        with connection.cursor() as cursor:
            cursor.execute(f"DROP OWNED BY {role}")
            cursor.execute(f"DROP ROLE {role}")


def run(raw, sql: str, params=None):
    with raw.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def refused(raw, sql: str, params=None) -> str:
    with pytest.raises(Exception) as info:  # noqa: PT011 - the driver's error class differs (psycopg 2 or 3)
        run(raw, sql, params)
    message = str(info.value)
    assert any(reason in message for reason in REFUSED), message
    return message


def test_the_runtime_role_reads_and_appends_but_cannot_change_or_erase(runtime_role):
    role, raw = runtime_role
    event = audit_event_record(action="x.y")

    assert run(raw, f"SELECT action FROM {TABLE} WHERE id = %s", [event.pk]) == [("x.y",)]
    run(
        raw,
        f"INSERT INTO {TABLE} (occurred_at, actor_name, action, object_type, object_id, before, after, "
        "request_id, correlation_id) VALUES (now(), '', 'runtime.append', '', '', '{}', '{}', '', '')",
    )
    assert AuditEvent.objects.filter(action="runtime.append").count() == 1

    refused(raw, f"UPDATE {TABLE} SET action = 'tampered' WHERE id = %s", [event.pk])
    refused(raw, f"DELETE FROM {TABLE} WHERE id = %s", [event.pk])
    refused(raw, f"TRUNCATE {TABLE}")
    refused(raw, f"ALTER TABLE {TABLE} DISABLE TRIGGER ALL")
    refused(raw, f"ALTER TABLE {TABLE} DISABLE TRIGGER audit_auditevent_no_update_delete")
    refused(raw, f"DROP TRIGGER audit_auditevent_no_update_delete ON {TABLE}")
    refused(raw, f"DROP TRIGGER audit_auditevent_no_truncate ON {TABLE}")
    refused(raw, f"DROP TABLE {TABLE}")
    assert AuditEvent.objects.get(pk=event.pk).action == "x.y"
    assert AuditEvent.objects.count() == 2


def test_the_runtime_role_keeps_partitions_ready_but_cannot_detach_or_drop_them(runtime_role):
    """It may create the coming months' partitions (the SECURITY DEFINER function); reading or
    writing a partition directly, detaching or dropping one is the owner's alone."""
    role, raw = runtime_role
    event = audit_event_record(action="x.y")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {TABLE} WHERE id = %s", [event.pk])
        (partition,) = cursor.fetchone()

    outcomes = run(raw, f"SELECT partition_month, outcome FROM {TABLE}_partitions_ensure(5)")
    created = [month for month, outcome in outcomes if outcome == "created"]
    # Committed by the runtime role's own connection: the owner removes them again (a flush doesn't).
    with connection.cursor() as cursor:
        for month in created:
            name = f"{TABLE}_y{month:%Y}m{month:%m}"
            cursor.execute(f"ALTER TABLE {TABLE} DETACH PARTITION {name}")
            cursor.execute(f"DROP TABLE {name}")
    assert [outcome for month, outcome in outcomes] == ["exists"] * 4 + ["created"] * 2
    refused(raw, f"SELECT * FROM {TABLE}_partitions_ensure(25)")
    refused(raw, f"SELECT {TABLE}_partition_create('2020-01-01')")
    refused(raw, f"SELECT count(*) FROM {partition}")
    refused(raw, f"DELETE FROM {partition}")
    refused(raw, f"TRUNCATE {partition}")
    refused(raw, f"ALTER TABLE {TABLE} DETACH PARTITION {partition}")
    refused(raw, f"DROP TABLE {partition}")
    bounds = "FOR VALUES FROM ('2020-01-01') TO ('2020-02-01')"
    refused(raw, f"CREATE TABLE {TABLE}_y2020m01 PARTITION OF {TABLE} {bounds}")
    assert AuditEvent.objects.get(pk=event.pk).action == "x.y"


def test_the_runtime_role_works_on_the_other_tables(runtime_role):
    """Read/write everywhere else (the portal works as that role), but no table is its own."""
    role, raw = runtime_role
    assert run(raw, "SELECT count(*) FROM partners_partner") == [(0,)]
    run(raw, "UPDATE partners_partner SET name = name WHERE false")
    run(raw, "DELETE FROM customers_customer WHERE false")
    refused(raw, "TRUNCATE partners_partner")
    owned = run(raw, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = %s", [role])
    assert owned == [(0,)]


def test_truncate_granted_by_mistake_is_still_refused_by_the_trigger(runtime_role):
    role, raw = runtime_role
    audit_event_record(action="x.y")
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT TRUNCATE ON {TABLE} TO {role}")
    message = refused(raw, f"TRUNCATE {TABLE}")
    assert "append-only" in message
    assert AuditEvent.objects.count() == 1


def test_the_command_refuses_the_owner_and_unknown_roles(postgres_only):
    from django.core.management.base import CommandError

    with connection.cursor() as cursor:
        cursor.execute("SELECT tableowner FROM pg_tables WHERE tablename = %s", [TABLE])
        (owner,) = cursor.fetchone()
    with pytest.raises(CommandError, match="owns the tables"):
        call_command("grant_runtime_role", owner)
    with pytest.raises(CommandError, match="no database role"):
        call_command("grant_runtime_role", "no_such_role_anywhere")
