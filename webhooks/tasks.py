"""Celery tasks of webhook delivery.

``webhooks.deliver`` takes a delivery's primary key, makes one attempt
(``services.webhook_delivery_attempt``) and, when the attempt failed with retries left, enqueues
itself again with the backoff as countdown (in eager mode it runs again at once). The sweeper on
the beat schedule re-enqueues pending deliveries whose message was lost.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from core.queueing import enqueue

from .services import (
    ATTEMPT_TASK_TIME_LIMIT,
    webhook_deliveries_due,
    webhook_delivery_attempt,
    webhook_delivery_purge,
    webhook_delivery_record_interrupted,
)

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500
SWEEP_MIN_AGE_SECONDS = 60.0


@shared_task(
    name="webhooks.deliver",
    ignore_result=True,
    acks_late=True,
    soft_time_limit=ATTEMPT_TASK_TIME_LIMIT - 15,
    time_limit=ATTEMPT_TASK_TIME_LIMIT,
)
def deliver_webhook(delivery_pk: int) -> str | None:
    """One attempt at a delivery; re-enqueued with backoff while it has attempts left. An attempt
    that reaches the soft time limit (it should not: ``WEBHOOKS_ATTEMPT_DEADLINE`` ends it sooner)
    is counted as a failed attempt like any other."""
    try:
        outcome = webhook_delivery_attempt(delivery_pk=delivery_pk)
    except SoftTimeLimitExceeded:
        outcome = webhook_delivery_record_interrupted(
            delivery_pk=delivery_pk, reason="task time limit reached"
        )
    if outcome is None:
        return None
    if outcome.retry_in is not None:
        enqueue(deliver_webhook, delivery_pk, countdown=outcome.retry_in)
    return outcome.status


@shared_task(name="webhooks.sweep_deliveries", ignore_result=True, soft_time_limit=50, time_limit=60)
def sweep_deliveries(min_age_seconds: float = SWEEP_MIN_AGE_SECONDS) -> int:
    """Re-enqueue pending deliveries overdue by ``min_age_seconds``; returns how many. A duplicate is
    harmless: an attempt under way holds a lease, a finished delivery is left alone."""
    due = webhook_deliveries_due(min_age_seconds=min_age_seconds, limit=SWEEP_BATCH)
    return sum(enqueue(deliver_webhook, pk) for pk in due)


@shared_task(name="webhooks.purge_deliveries", ignore_result=True, soft_time_limit=240, time_limit=300)
def purge_deliveries() -> dict[str, int]:
    """Delete finished deliveries older than ``WEBHOOK_DELIVERY_RETENTION_DAYS`` and the events left
    without one (``services.webhook_delivery_purge``; beat, hourly, on the maintenance queue;
    nothing when the setting is 0). Idempotent; returns the counts."""
    purged = webhook_delivery_purge()
    return {"deliveries": purged.deliveries, "events": purged.events}
