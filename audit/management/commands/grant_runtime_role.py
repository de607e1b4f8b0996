"""``manage.py grant_runtime_role ROLE``: give the portal's runtime database role what it needs, and
no more (PostgreSQL only).

Run it as the role that owns the tables (the one that ran ``migrate``), after every ``migrate``
(docker-compose's ``migrate`` service does). The runtime role — the one web and workers connect
as — then reads and writes every table but owns none, so it can't TRUNCATE, ALTER, DROP or disable
triggers anywhere; and on the audit events it may only SELECT and INSERT (through the partitioned
table: on its monthly partitions it gets nothing), and EXECUTE the function that creates the coming
months' partitions. ``docs/audit.md`` says what that guarantees.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from audit.models import AuditEvent

# Privileges beyond these are never granted; the append-only tables get only the first two.
TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
APPEND_ONLY_PRIVILEGES = "SELECT, INSERT"


def runtime_role_grant(*, role: str) -> list[str]:
    """Grant ``role`` the runtime privileges on the current database's ``public`` schema; return
    the statements run. Idempotent."""
    quote = connection.ops.quote_name
    database = connection.settings_dict["NAME"]
    audit_table = quote(AuditEvent._meta.db_table)
    statements = [
        f"GRANT CONNECT ON DATABASE {quote(database)} TO {quote(role)}",
        f"GRANT USAGE ON SCHEMA public TO {quote(role)}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {quote(role)}",
        f"GRANT {TABLE_PRIVILEGES} ON ALL TABLES IN SCHEMA public TO {quote(role)}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quote(role)}",
        f"REVOKE ALL ON {audit_table} FROM {quote(role)}",
        f"GRANT {APPEND_ONLY_PRIVILEGES} ON {audit_table} TO {quote(role)}",
        f"REVOKE ALL ON {audit_table} FROM PUBLIC",
    ]
    # PostgreSQL checks privileges on the partitioned table only; the partitions themselves (which
    # "ALL TABLES" just covered) are not the runtime role's to read or write directly.
    statements += [
        f"REVOKE ALL ON {quote(partition)} FROM {quote(role)}" for partition in _audit_partition_names()
    ]
    if _audit_partitions_ensure_exists():
        ensure = f"{AuditEvent._meta.db_table}_partitions_ensure(integer)"
        statements.append(f"GRANT EXECUTE ON FUNCTION {ensure} TO {quote(role)}")
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    return statements


def _audit_partition_names() -> list[str]:
    """The partitions of the audit table (none before migration ``audit/0004``)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass ORDER BY c.relname",
            [AuditEvent._meta.db_table],
        )
        return [name for (name,) in cursor.fetchall()]


def _audit_partitions_ensure_exists() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_regproc(%s) IS NOT NULL", [f"{AuditEvent._meta.db_table}_partitions_ensure"]
        )
        return cursor.fetchone()[0]


class Command(BaseCommand):
    help = "Grant the runtime database role read/write on every table but append-only on the audit events."

    def add_arguments(self, parser):
        parser.add_argument("role", help="the role web and workers connect as (it must exist)")

    def handle(self, *args, role: str, **options):
        if connection.vendor != "postgresql":
            raise CommandError("grant_runtime_role works on PostgreSQL only.")
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                raise CommandError(f"role: no database role named {role!r}; create it first.")
            cursor.execute(
                "SELECT tableowner FROM pg_tables WHERE tablename = %s", [AuditEvent._meta.db_table]
            )
            owner = cursor.fetchone()
        if owner and owner[0] == role:
            raise CommandError(f"role: {role!r} owns the tables; the runtime role must not (docs/audit.md).")
        for statement in runtime_role_grant(role=role):
            self.stdout.write(statement)
