"""The dispatch outbox of a service request, on this side of the portal boundary: recording a failed
delivery and a user's retry. The delivery itself (which talks to the portal adapters) is
``portals.dispatch.dispatch_deliver``, run by the ``servicerequests.dispatch`` task.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from audit.services import audit_event_record
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
