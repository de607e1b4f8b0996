"""Celery tasks of the support managers' queues: the sidebar counts, the reports' rollup and the
background CSV exports.

Each task has an explicit name (kept from when they lived in ``servicerequests``: the beat schedule
and queued messages use it) and time limits, and is idempotent. The beat schedule is in
``partnercenter/celery.py``.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from core.maintenance import fan_out
from partners.models import Partner

from .exports import (
    EXPORT_RETENTION,
    EXPORT_TIME_LIMIT,
    queue_export_purge,
    queue_export_run,
    queue_export_sweep,
)
from .reports import queue_counts_refresh, report_rollup_refresh

# Queues and reports -------------------------------------------------------------------------------

REFRESH_QUEUE_COUNTS = "servicerequests.refresh_queue_counts"
REFRESH_REPORT_ROLLUP = "servicerequests.refresh_report_rollup"


def _every_partner() -> list:
    return list(Partner.objects.order_by("pk").values_list("pk", flat=True))


@shared_task(name=REFRESH_QUEUE_COUNTS, ignore_result=True, soft_time_limit=50, time_limit=60)
def refresh_queue_counts(partner_id: str | None = None) -> int:
    """Recount the queues of one partner (after a bulk action, or one of the beat's fan-out) and
    return the counts written. Without a partner (beat, every minute: the SLA queues change as time
    passes) enqueue this task once per partner (``core.maintenance.fan_out``) and return how many
    were enqueued, so that no run's length grows with the number of partners. Idempotent."""
    if partner_id is None:
        return fan_out(REFRESH_QUEUE_COUNTS, _every_partner())
    return queue_counts_refresh(partner_id=partner_id)


@shared_task(name=REFRESH_REPORT_ROLLUP, ignore_result=True, soft_time_limit=240, time_limit=300)
def refresh_report_rollup(partner_id: str | None = None) -> int:
    """Recompute one partner's reporting rollup of the report window and its backlog snapshot;
    returns the rollup rows written. Without a partner (beat, every five minutes) enqueue this task
    once per partner and return how many were enqueued. Idempotent."""
    if partner_id is None:
        return fan_out(REFRESH_REPORT_ROLLUP, _every_partner())
    return report_rollup_refresh(partner_id=partner_id)


# Background queue exports -------------------------------------------------------------------------


@shared_task(
    name="servicerequests.export_queue",
    ignore_result=True,
    soft_time_limit=int(EXPORT_TIME_LIMIT.total_seconds()),
    time_limit=int(EXPORT_TIME_LIMIT.total_seconds()) + 60,
)
def export_queue(export_id: str) -> str | None:
    """Write one queue export's CSV file (``exports.queue_export_run``): claims it once, so a
    duplicated message does nothing; a failure is recorded on the export, never retried.
    Returns the export's status."""
    export = queue_export_run(export_id=export_id)
    return export.status if export is not None else None


@shared_task(name="servicerequests.sweep_exports", ignore_result=True, soft_time_limit=50, time_limit=60)
def sweep_exports() -> int:
    """Re-send exports whose message was lost, fail those no worker picked up or whose worker was
    lost (``exports.queue_export_sweep``; beat, every minute). Returns how many were re-sent."""
    return queue_export_sweep().requeued


@shared_task(name="servicerequests.purge_exports", ignore_result=True, soft_time_limit=240, time_limit=300)
def purge_exports() -> int:
    """Remove export files and rows older than ``EXPORT_RETENTION`` (``exports.queue_export_purge``;
    beat, every hour). Idempotent; returns how many exports were removed."""
    return queue_export_purge(older_than=timezone.now() - EXPORT_RETENTION)
