"""The dispatch outbox of a service request, on this side of the portal boundary: recording a failed
delivery, a user's retry, and the retention purge of delivered dispatches. The delivery itself
(which talks to the portal adapters) is ``portals.dispatch.dispatch_deliver``, run by the
``servicerequests.dispatch`` task.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.services import audit_event_record
from core.maintenance import PURGE_BATCH, PURGE_RUN_LIMIT, purge_in_batches
from core.queueing import enqueue
from partners.models import User

from ..choices import DispatchStatus
from ..exceptions import DispatchNotRetryable
from ..models import Dispatch
from .common import require_write_role

#: The task that delivers a dispatch (registered by ``portals.tasks``).
DISPATCH_TASK = "servicerequests.dispatch"


def dispatch_record_failure(
    *, dispatch_id: int, error: str, final: bool, retry_in: float | None = None
) -> Dispatch | None:
    """Record a failed delivery attempt: one more attempt and ``last_error``.

    ``final``: no retry is left, the dispatch becomes ``failed`` (audit event
    ``dispatch.failed``); otherwise it stays ``pending`` with ``next_attempt_at``
    = now + ``retry_in``. A dispatch delivered meanwhile is left alone. Returns
    None for an unknown id.
    """
    with transaction.atomic():
        dispatch = (
            Dispatch.objects.select_for_update(of=("self",))
            .select_related("request")
            .filter(pk=dispatch_id)
            .first()
        )
        if dispatch is None or dispatch.status == DispatchStatus.DELIVERED:
            return dispatch
        now = timezone.now()
        before_status = dispatch.status
        dispatch.attempts += 1
        dispatch.last_error = error[:2000]
        dispatch.updated_at = now
        if final:
            dispatch.status = DispatchStatus.FAILED
            dispatch.next_attempt_at = None
        else:
            dispatch.next_attempt_at = now + timedelta(seconds=retry_in or 0)
        dispatch.save(update_fields=["attempts", "last_error", "updated_at", "status", "next_attempt_at"])
        if final:
            audit_event_record(
                action="dispatch.failed",
                partner_id=dispatch.request.partner_id,
                customer_id=dispatch.request.customer_id,
                obj=dispatch,
                before={"status": before_status},
                after={
                    "status": dispatch.status,
                    "attempts": dispatch.attempts,
                    "lastError": dispatch.last_error,
                },
            )
    return dispatch


def dispatch_retry(*, actor: User, dispatch: Dispatch) -> Dispatch:
    """Send a ``failed`` dispatch again: back to ``pending`` and enqueued after commit.

    Only an admin agent, helpdesk agent or support manager of the filing
    partner may (``PermissionDenied``); only a failed dispatch
    (:class:`DispatchNotRetryable`). Writes an audit event ``dispatch.retried``.
    The attempt counter keeps counting; the retry budget starts afresh.
    """
    with transaction.atomic():
        locked = (
            Dispatch.objects.select_for_update(of=("self",)).select_related("request").get(pk=dispatch.pk)
        )
        require_write_role(actor, locked.request)
        if locked.status != DispatchStatus.FAILED:
            raise DispatchNotRetryable(locked.status)
        now = timezone.now()
        locked.status = DispatchStatus.PENDING
        locked.next_attempt_at = now
        locked.updated_at = now
        locked.save(update_fields=["status", "next_attempt_at", "updated_at"])
        audit_event_record(
            action="dispatch.retried",
            actor=actor,
            customer_id=locked.request.customer_id,
            obj=locked,
            before={"status": DispatchStatus.FAILED, "lastError": locked.last_error},
            after={"status": locked.status},
        )
        transaction.on_commit(lambda: enqueue(DISPATCH_TASK, locked.pk), robust=True)
    for field in ("status", "next_attempt_at", "updated_at"):
        setattr(dispatch, field, getattr(locked, field))
    return dispatch


def dispatch_purge_delivered(
    *,
    now: datetime | None = None,
    retention_days: int | None = None,
    batch_size: int = PURGE_BATCH,
    limit: int | None = PURGE_RUN_LIMIT,
) -> int:
    """Delete the dispatches delivered more than ``retention_days`` days ago (default
    ``DISPATCH_RETENTION_DAYS``; 0 or less: nothing, the default) and return how many.

    Only ``delivered`` rows: a pending dispatch (the outbox) and a failed one (waiting for a user's
    retry) are never deleted, whatever their age, and a delivered one never becomes pending again,
    so deleting by id after the SELECT is safe. In batches of ``batch_size``, each its own
    transaction (``core.maintenance.purge_in_batches``), at most about ``limit`` rows a run (the
    next run goes on). The request keeps its portal ticket and its audit events
    (``servicerequest.dispatched``, ``dispatch.failed``, ``dispatch.retried``); its page no longer
    shows the dispatch's status and attempts. Side effects: when anything was deleted, one audit
    event ``dispatch.purged`` for the run (no actor, no partner: how many, the retention, the
    cut-off), after the deletes.
    """
    days = settings.DISPATCH_RETENTION_DAYS if retention_days is None else retention_days
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=days)
    delivered = Dispatch.objects.filter(status=DispatchStatus.DELIVERED, delivered_at__lt=cutoff)
    deleted = purge_in_batches(delivered, batch_size=batch_size, limit=limit)
    if deleted:
        audit_event_record(
            action="dispatch.purged",
            object_type=Dispatch._meta.label,
            after={"dispatches": deleted, "retentionDays": days, "deliveredBefore": cutoff.isoformat()},
        )
    return deleted
