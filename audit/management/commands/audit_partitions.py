"""``manage.py audit_partitions [--dry-run] [--retention-days N]``: create the coming months' audit
partitions and drop those past ``AUDIT_RETENTION_DAYS`` (PostgreSQL; docs/audit.md, "Retention").

Creating partitions works as any role the portal runs as; dropping needs the role that owns the
tables (the one that runs ``migrate``). The daily Celery task ``audit.maintain_partitions`` does
the same; this command is for operators: see what would happen (``--dry-run``), or apply the
retention as the owner when the workers run as the runtime role.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audit.partitions import (
    DEFAULT_PARTITION,
    MONTHS_AHEAD,
    AuditPartitionsNotOwner,
    audit_partitions_drop_expired,
    audit_partitions_ensure,
    audit_partitions_supported,
)


class Command(BaseCommand):
    help = "Create the coming months' audit event partitions and drop those past AUDIT_RETENTION_DAYS."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="say what would be done, change nothing")
        parser.add_argument(
            "--retention-days",
            type=int,
            default=None,
            help="override AUDIT_RETENTION_DAYS for this run (0: drop nothing)",
        )

    def handle(self, *args, dry_run: bool, retention_days: int | None, **options):
        if not audit_partitions_supported():
            self.stdout.write("SQLite: the audit events are not partitioned; nothing to do.")
            return
        would = "would be " if dry_run else ""
        for item in audit_partitions_ensure(months_ahead=MONTHS_AHEAD, dry_run=dry_run):
            outcome = {"missing": f"{would}created", "created": "created"}.get(item.outcome, item.outcome)
            if item.outcome == "blocked":
                outcome = f"not created: {DEFAULT_PARTITION} holds events of that month"
            self.stdout.write(f"{item.month:%Y-%m}: {outcome}")

        days = settings.AUDIT_RETENTION_DAYS if retention_days is None else retention_days
        if days <= 0:
            self.stdout.write(
                "Retention: AUDIT_RETENTION_DAYS is 0, events are kept for ever; nothing dropped."
            )
            return
        try:
            dropped = audit_partitions_drop_expired(retention_days=days, dry_run=dry_run)
        except AuditPartitionsNotOwner as exc:
            raise CommandError(str(exc)) from None
        if not dropped:
            self.stdout.write(f"Retention {days} days: no partition has expired.")
        for partition in dropped:
            self.stdout.write(
                f"{partition.name} ({partition.month:%Y-%m}, {partition.rows} events): {would}dropped"
            )
