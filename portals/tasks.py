"""Celery tasks of the stub workload portals: delivering a service request's dispatch (the
``servicerequests.dispatch`` task, named after the outbox it drains) and the simulated engineer's
progress on tickets."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from core.queueing import enqueue  # tests patch it here, as tasks.enqueue
from servicerequests.choices import DispatchStatus
from servicerequests.models import Dispatch
from servicerequests.notifications import SEND_TASK
from servicerequests.services import dispatch_record_failure
from servicerequests.tasks import retry_countdown, retry_later

from .dispatch import dispatch_deliver
from .services import portal_ticket_advance, portal_tickets_due_for_progress

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    name="servicerequests.dispatch",
    ignore_result=True,
    acks_late=True,
    soft_time_limit=20,
    time_limit=30,
    max_retries=None,  # the budget is settings.DISPATCH_MAX_RETRIES, checked below
)
def dispatch_service_request(self, dispatch_id: int, notify: list[int] | tuple[int, ...] = ()) -> str:
    """Deliver one dispatch to its workload portal (``portals.dispatch.dispatch_deliver``, which also
    records the filer's ``filed`` notification and enqueues its e-mail after commit).

    ``notify``: notification ids that messages of earlier versions carried (filing recorded the
    filer's notification itself then); they are enqueued first. Sending is idempotent and the
    notification sweeper covers a lost message.

    On an error the attempt is recorded and the task retries with exponential
    backoff and jitter; after ``DISPATCH_MAX_RETRIES`` retries the dispatch is
    ``failed`` with its ``last_error`` (a user can ``dispatch_retry`` it).
    """
    for notification_id in notify:
        enqueue(SEND_TASK, notification_id)
    try:
        dispatch = dispatch_deliver(dispatch_id=dispatch_id)
    except Dispatch.DoesNotExist:
        logger.info("dispatch %s no longer exists", dispatch_id)
        return "missing"
    except Exception as exc:
        final = self.request.retries >= settings.DISPATCH_MAX_RETRIES
        countdown = retry_countdown(
            self.request.retries,
            factor=settings.DISPATCH_RETRY_BACKOFF,
            maximum=settings.DISPATCH_RETRY_BACKOFF_MAX,
        )
        dispatch_record_failure(
            dispatch_id=dispatch_id, error=f"{type(exc).__name__}: {exc}", final=final, retry_in=countdown
        )
        if final:
            logger.error("dispatch %s failed for good: %s", dispatch_id, exc)
            return DispatchStatus.FAILED
        logger.warning("dispatch %s attempt failed (%s); retrying in %.1fs", dispatch_id, exc, countdown)
        return retry_later(self, exc=exc, countdown=countdown, args=(dispatch_id,))
    return dispatch.status


@shared_task(name="portals.progress_tickets", ignore_result=True, soft_time_limit=50, time_limit=60)
def progress_tickets() -> int:
    """When ``PORTAL_PROGRESS_ENABLED``: take every due step of the simulated engineer (note, then
    ``attention_needed``, then ``closed``), synced back to the service requests. Returns the number of
    tickets advanced; a second run at the same time advances none (each step is checked under a lock).
    """
    if not settings.PORTAL_PROGRESS_ENABLED:
        return 0
    now = timezone.now()
    advanced = 0
    for ticket_id in portal_tickets_due_for_progress(now=now):
        try:
            advanced += portal_ticket_advance(ticket_id=ticket_id, now=now) is not None
        except Exception:
            logger.exception("could not advance portal ticket %s", ticket_id)
    return advanced
