"""Celery tasks of the stub workload portals: the simulated engineer's progress on tickets."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .services import portal_ticket_advance, portal_tickets_due_for_progress

logger = logging.getLogger(__name__)


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
