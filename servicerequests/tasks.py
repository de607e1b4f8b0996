"""Celery tasks of the service request lifecycle.

Each task takes ids, calls one service, has an explicit name and time limits,
owns its retries and is idempotent, so a duplicated or re-delivered message
changes nothing the first run did not. The sweepers run on the beat schedule
in ``partnercenter/celery.py`` and re-send whatever a broker outage left behind.

The delivery task ``servicerequests.dispatch`` talks to the workload portals, so it lives
in ``portals.tasks`` (above this app); it is enqueued here by name.
"""

from __future__ import annotations

import logging
import random
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from core.maintenance import chunks
from core.queueing import enqueue  # tests patch it here, as tasks.enqueue

from .choices import DispatchStatus, Status
from .handoffs.notifications import handoff_notify
from .models import Dispatch, Notification, ServiceRequest
from .notifications import notification_send
from .services import DISPATCH_TASK, dispatch_purge_delivered, service_request_mark_sla_breached
from .services.attachments import attachment_purge

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500

#: Requests one ``servicerequests.mark_sla_breaches`` task marks at most (the SLA sweeper's fan-out).
SLA_CHUNK = 50
MARK_SLA_BREACHES = "servicerequests.mark_sla_breaches"


def retry_countdown(retries: int, *, factor: float, maximum: float) -> float:
    """Exponential backoff with equal jitter.

    Half of ``min(maximum, factor * 2**retries)`` plus a random part of the other half.
    """
    ceiling = min(maximum, factor * (2**retries))
    return ceiling / 2 + random.uniform(0, ceiling / 2)


def retry_later(task, *, exc: Exception, countdown: float, args: tuple):
    """Retry ``task`` after ``countdown`` seconds on a worker; in eager mode (no broker: development and
    tests) run the retry in-process at once, since an eager retry cannot be scheduled."""
    if task.request.is_eager:
        return task.apply(args=args, retries=task.request.retries + 1).result
    raise task.retry(exc=exc, countdown=countdown, args=args, kwargs={}) from exc


@shared_task(name="servicerequests.sweep_dispatches", ignore_result=True, soft_time_limit=50, time_limit=60)
def sweep_dispatches(min_age_seconds: float | None = None) -> int:
    """Re-enqueue pending dispatches whose attempt is overdue by ``min_age_seconds`` (default
    ``DISPATCH_SWEEP_MIN_AGE``): their message was lost (broker down at filing, worker lost).
    Returns how many were enqueued. Duplicates are harmless: delivery is idempotent.
    """
    min_age = settings.DISPATCH_SWEEP_MIN_AGE if min_age_seconds is None else min_age_seconds
    cutoff = timezone.now() - timedelta(seconds=min_age)
    due = (
        Dispatch.objects.filter(status=DispatchStatus.PENDING)
        .filter(Q(next_attempt_at__lte=cutoff) | Q(next_attempt_at__isnull=True, created_at__lte=cutoff))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    return sum(enqueue(DISPATCH_TASK, dispatch_id) for dispatch_id in due)


@shared_task(name="servicerequests.sweep_sla", ignore_result=True, soft_time_limit=50, time_limit=60)
def sweep_sla() -> int:
    """Find the requests past their SR-PRIORITY initial response target not yet marked (at most
    ``SWEEP_BATCH`` a run, the most overdue first) and hand them to ``mark_sla_breaches`` in chunks of
    ``SLA_CHUNK``, one task per chunk. Returns how many requests were handed out; a second run hands
    out none of those marked meanwhile, and a request handed out twice is marked once."""
    due = (
        ServiceRequest.objects.filter(
            sla_breached=False,
            status__in=[Status.OPEN, Status.ATTENTION_NEEDED],
            sla_due_at__lte=timezone.now(),
            first_response_at__isnull=True,
        )
        .order_by("sla_due_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    return sum(len(chunk) for chunk in chunks(list(due), SLA_CHUNK) if enqueue(MARK_SLA_BREACHES, chunk))


@shared_task(name=MARK_SLA_BREACHES, ignore_result=True, soft_time_limit=50, time_limit=60)
def mark_sla_breaches(service_request_ids: list[str]) -> int:
    """Mark each request's SR-PRIORITY breach once and notify (``service_request_mark_sla_breached``,
    one transaction per request; a request that is no longer due is left alone). Returns how many
    were marked now; an error on one request is logged and the others are still marked."""
    now = timezone.now()
    marked = 0
    for service_request_id in service_request_ids:
        try:
            marked += service_request_mark_sla_breached(service_request_id=service_request_id, now=now)
        except Exception:
            logger.exception("could not mark the SLA breach of %s", service_request_id)
    return marked


@shared_task(
    bind=True,
    name="servicerequests.send_notification",
    ignore_result=True,
    acks_late=True,
    soft_time_limit=20,
    time_limit=30,
    max_retries=None,
)
def send_notification(self, notification_id: int) -> bool:
    """E-mail one notification unless it was sent already; retries the e-mail backend with backoff."""
    try:
        return notification_send(notification_id=notification_id)
    except Exception as exc:
        if self.request.retries >= settings.NOTIFICATION_MAX_RETRIES:
            logger.error(
                "notification %s not sent after %s retries: %s", notification_id, self.request.retries, exc
            )
            return False
        countdown = retry_countdown(
            self.request.retries,
            factor=settings.DISPATCH_RETRY_BACKOFF,
            maximum=settings.DISPATCH_RETRY_BACKOFF_MAX,
        )
        return retry_later(self, exc=exc, countdown=countdown, args=(notification_id,))


@shared_task(
    name="servicerequests.sweep_notifications", ignore_result=True, soft_time_limit=50, time_limit=60
)
def sweep_notifications(min_age_seconds: float | None = None) -> int:
    """Re-enqueue unsent notifications older than ``min_age_seconds`` (default ``DISPATCH_SWEEP_MIN_AGE``)
    that have retries left. Sending is once-only, so a duplicate is harmless.
    """
    min_age = settings.DISPATCH_SWEEP_MIN_AGE if min_age_seconds is None else min_age_seconds
    due = (
        Notification.objects.filter(
            sent_at__isnull=True,
            created_at__lte=timezone.now() - timedelta(seconds=min_age),
            attempts__lte=settings.NOTIFICATION_MAX_RETRIES,
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    return sum(enqueue(send_notification, notification_id) for notification_id in due)


@shared_task(
    name="servicerequests.purge_attachments", ignore_result=True, soft_time_limit=240, time_limit=300
)
def purge_attachments() -> int:
    """Delete the attachments of requests closed more than ``ATTACHMENT_RETENTION_DAYS`` days ago
    (``services.attachments.attachment_purge``; beat, hourly, on the maintenance queue; nothing when
    the setting is 0, the default). Idempotent; returns how many attachments were removed."""
    return attachment_purge()


@shared_task(name="servicerequests.purge_dispatches", ignore_result=True, soft_time_limit=240, time_limit=300)
def purge_dispatches() -> dict[str, int]:
    """Delete the dispatches delivered more than ``DISPATCH_RETENTION_DAYS`` days ago
    (``services.dispatch_purge_delivered``; beat, hourly, on the maintenance queue; nothing when the
    setting is 0, the default). Idempotent; returns the count."""
    return {"dispatches": dispatch_purge_delivered()}


@shared_task(
    bind=True,
    name="servicerequests.notify_handoff",
    ignore_result=True,
    soft_time_limit=20,
    time_limit=30,
    max_retries=None,
)
def notify_handoff(self, handoff_id: str) -> int:
    """E-mail the provider's support managers about a new hand-off, once; retries the e-mail
    backend with backoff."""
    try:
        return handoff_notify(handoff_id=handoff_id)
    except Exception as exc:
        if self.request.retries >= settings.NOTIFICATION_MAX_RETRIES:
            logger.error(
                "hand-off %s: notification not sent after %s retries: %s",
                handoff_id,
                self.request.retries,
                exc,
            )
            return 0
        countdown = retry_countdown(
            self.request.retries,
            factor=settings.DISPATCH_RETRY_BACKOFF,
            maximum=settings.DISPATCH_RETRY_BACKOFF_MAX,
        )
        return retry_later(self, exc=exc, countdown=countdown, args=(handoff_id,))
