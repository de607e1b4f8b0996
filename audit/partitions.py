"""Monthly partitions of the audit events (PostgreSQL) and retention by dropping whole months.

Migration ``audit/0004`` made ``audit_auditevent`` a table partitioned by month of ``occurred_at``
(``audit_auditevent_y2026m12``, and ``audit_auditevent_default`` for rows outside the created
months). This module keeps it in shape; ``audit.tasks.maintain_partitions`` (beat, daily) and
``manage.py audit_partitions`` call it. On SQLite the table is a plain one and every function here
does nothing (``audit_partitions_supported``).

- ``audit_partitions_ensure`` creates this month's partition and the next ``MONTHS_AHEAD``, through
  the database function ``audit_auditevent_partitions_ensure`` (``SECURITY DEFINER``: the runtime
  role, which owns no table, may call it; it creates empty future partitions and nothing else).
- ``audit_partitions_drop_expired`` detaches and drops the months that ended more than
  ``AUDIT_RETENTION_DAYS`` ago (0, the default: none), each recorded as an
  ``audit.partition_dropped`` event. Only the table's owner may detach and drop a partition: run
  as the runtime role it drops nothing and says so (docs/audit.md, "Retention").
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from .models import AuditEvent
from .services import audit_event_record

logger = logging.getLogger(__name__)

TABLE = AuditEvent._meta.db_table
DEFAULT_PARTITION = f"{TABLE}_default"
#: Partitions kept ready beyond the current month.
MONTHS_AHEAD = 3
#: How long a drop waits for its lock on the table before giving up until the next run: while it
#: waits, every INSERT of an audit event queues behind it.
LOCK_TIMEOUT = "5s"
LOCK_NOT_AVAILABLE = "55P03"
PARTITION_NAME = re.compile(rf"^{TABLE}_y(\d{{4}})m(\d{{2}})$")


class AuditPartitionsNotOwner(Exception):
    """The database role in use does not own the audit table, so it can't detach or drop partitions."""


@dataclass(frozen=True)
class AuditPartition:
    """One monthly partition: its table name, first day (UTC) and, when counted, its rows."""

    name: str
    month: date
    rows: int | None = None

    @property
    def end(self) -> datetime:
        """The exclusive upper bound: midnight UTC on the first day of the next month."""
        return month_after(self.month)


def month_after(month: date) -> datetime:
    """Midnight UTC on the first day of the month after ``month``."""
    year, index = divmod(month.year * 12 + month.month, 12)
    return datetime(year, index + 1, 1, tzinfo=UTC)


def audit_partitions_supported() -> bool:
    """Whether the audit events are partitioned here (PostgreSQL; on SQLite they are one table)."""
    return connection.vendor == "postgresql"


def audit_partitions_list() -> list[AuditPartition]:
    """The monthly partitions, oldest first (the default partition is not one of them)."""
    if not audit_partitions_supported():
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [TABLE],
        )
        names = [name for (name,) in cursor.fetchall()]
    partitions = []
    for name in names:
        match = PARTITION_NAME.match(name)
        if match:
            partitions.append(AuditPartition(name=name, month=date(int(match[1]), int(match[2]), 1)))
    return sorted(partitions, key=lambda partition: partition.month)


def audit_partitions_owned() -> bool:
    """Whether the current database role may detach and drop partitions (it is, or is a member of,
    the audit table's owner)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_has_role(current_user, relowner, 'USAGE') FROM pg_class WHERE oid = %s::regclass",
            [TABLE],
        )
        (owned,) = cursor.fetchone()
    return bool(owned)


@dataclass(frozen=True)
class EnsuredMonth:
    """One month ``audit_partitions_ensure`` looked at: ``created``, ``exists``, or ``blocked`` (the
    default partition already holds rows of that month: they stay there, found as before)."""

    month: date
    outcome: str


def audit_partitions_ensure(*, months_ahead: int = MONTHS_AHEAD, dry_run: bool = False) -> list[EnsuredMonth]:
    """Create this month's partition and the next ``months_ahead`` (UTC months) where missing.

    Idempotent; any database role the portal runs as may call it. With ``dry_run``, only says which
    months would be created (``missing``) without creating them. Logs a warning for each
    ``blocked`` month. Side effects: DDL only (CREATE TABLE ... PARTITION OF), no audit event:
    nothing is recorded or removed. Returns ``[]`` on SQLite.
    """
    if not audit_partitions_supported():
        return []
    if dry_run:
        existing = {partition.month for partition in audit_partitions_list()}
        first = timezone.now().astimezone(UTC).date().replace(day=1)
        months = [first]
        for _ in range(months_ahead):
            months.append(month_after(months[-1]).date())
        return [EnsuredMonth(month, "exists" if month in existing else "missing") for month in months]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT partition_month, outcome FROM {TABLE}_partitions_ensure(%s)", [months_ahead])
        ensured = [EnsuredMonth(month, outcome) for month, outcome in cursor.fetchall()]
    for item in ensured:
        if item.outcome == "blocked":
            logger.warning(
                "audit partition for %s not created: %s already holds events of that month",
                f"{item.month:%Y-%m}",
                DEFAULT_PARTITION,
            )
    return ensured


def audit_partitions_expired(*, retention_days: int, now: datetime | None = None) -> list[AuditPartition]:
    """The monthly partitions that ended more than ``retention_days`` days before ``now``, oldest
    first (none when ``retention_days`` is 0 or less)."""
    if retention_days <= 0 or not audit_partitions_supported():
        return []
    cutoff = (now or timezone.now()) - timedelta(days=retention_days)
    return [partition for partition in audit_partitions_list() if partition.end <= cutoff]


def audit_partitions_drop_expired(
    *, retention_days: int | None = None, now: datetime | None = None, dry_run: bool = False
) -> list[AuditPartition]:
    """Detach and drop every monthly partition that ended more than ``retention_days`` days ago
    (default ``settings.AUDIT_RETENTION_DAYS``; 0 or less: nothing, the default). Returns the
    partitions dropped (or, with ``dry_run``, those that would be), each with its row count.

    Each month in its own transaction: count its rows, ``DETACH PARTITION``, ``DROP TABLE``, and
    record ``audit.partition_dropped`` (month, rows, retention; no actor, no partner). Rows are never
    deleted one by one, so the append-only trigger is not involved. A lock not obtained within
    ``LOCK_TIMEOUT`` (a long export reading the table) leaves that month and the later ones for the
    next run. Raises :class:`AuditPartitionsNotOwner` unless the role owns the table (the runtime
    role does not: docs/audit.md; a dry run only reads, as any role). The default partition is never dropped.
    """
    days = settings.AUDIT_RETENTION_DAYS if retention_days is None else retention_days
    expired = audit_partitions_expired(retention_days=days, now=now)
    if not expired:
        return []
    if not dry_run and not audit_partitions_owned():
        raise AuditPartitionsNotOwner(
            f"{len(expired)} audit partition(s) are past AUDIT_RETENTION_DAYS={days}, but the database "
            f"role {connection.settings_dict.get('USER') or '(default)'} does not own {TABLE}: "
            "run `manage.py audit_partitions` as the owner (docs/audit.md, Retention)."
        )
    quote = connection.ops.quote_name
    dropped = []
    for partition in expired:
        if dry_run:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT count(*) FROM {quote(partition.name)}")
                (rows,) = cursor.fetchone()
            dropped.append(AuditPartition(name=partition.name, month=partition.month, rows=rows))
            continue
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
                # No back-dated event slips in between the count and the drop.
                cursor.execute(f"LOCK TABLE {quote(partition.name)} IN SHARE MODE")
                cursor.execute(f"SELECT count(*) FROM {quote(partition.name)}")
                (rows,) = cursor.fetchone()
                cursor.execute(f"ALTER TABLE {quote(TABLE)} DETACH PARTITION {quote(partition.name)}")
                cursor.execute(f"DROP TABLE {quote(partition.name)}")
                audit_event_record(
                    action="audit.partition_dropped",
                    object_type="audit.AuditPartition",
                    object_id=f"{partition.month:%Y-%m}",
                    after={
                        "month": f"{partition.month:%Y-%m}",
                        "partition": partition.name,
                        "rows": rows,
                        "retentionDays": days,
                        "eventsBefore": partition.end.isoformat(),
                    },
                )
        except OperationalError as exc:
            if getattr(exc.__cause__, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                raise
            logger.warning(
                "audit partition %s not dropped (table busy); the next run tries again", partition.name
            )
            break
        logger.info("audit partition %s dropped (%s events)", partition.name, rows)
        dropped.append(AuditPartition(name=partition.name, month=partition.month, rows=rows))
    return dropped
