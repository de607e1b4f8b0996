"""Periodic upkeep of the audit events' monthly partitions (docs/audit.md, "Retention")."""

from __future__ import annotations

import logging

from celery import shared_task

from .partitions import (
    AuditPartitionsNotOwner,
    audit_partitions_drop_expired,
    audit_partitions_ensure,
    audit_partitions_supported,
)

logger = logging.getLogger(__name__)


@shared_task(name="audit.maintain_partitions", ignore_result=True, soft_time_limit=240, time_limit=300)
def maintain_partitions() -> dict:
    """Create the coming months' audit partitions, then drop those past ``AUDIT_RETENTION_DAYS``
    (``audit.partitions``; beat, daily, on the maintenance queue). Idempotent.

    Returns what it did: the months created, the partitions dropped (name: rows), and a ``skipped``
    reason when it could not drop (SQLite: nothing is partitioned; the runtime role: not the
    table's owner, logged as a warning so that the operator runs ``manage.py audit_partitions`` as
    the owner).
    """
    if not audit_partitions_supported():
        logger.info("audit partitions: SQLite, the audit events are not partitioned; nothing to do")
        return {"created": [], "dropped": {}, "skipped": "not partitioned (SQLite)"}
    created = [f"{item.month:%Y-%m}" for item in audit_partitions_ensure() if item.outcome == "created"]
    try:
        dropped = {partition.name: partition.rows for partition in audit_partitions_drop_expired()}
    except AuditPartitionsNotOwner as exc:
        logger.warning("audit partitions: %s", exc)
        return {"created": created, "dropped": {}, "skipped": "not the table's owner"}
    return {"created": created, "dropped": dropped, "skipped": ""}
