"""Delivering a service request's dispatch to its workload portal (the outbox's consumer).

Here rather than in ``servicerequests`` because it talks to the portal adapters, and the portals
sit above the service requests: ``servicerequests`` records the dispatch and enqueues the
``servicerequests.dispatch`` task by name; ``portals.tasks`` runs it with :func:`dispatch_deliver`.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from audit.services import audit_event_record
from servicerequests.choices import DispatchStatus, Status
from servicerequests.models import Dispatch, NotificationKind, ServiceRequest
from servicerequests.notifications import notification_queue
from servicerequests.services.common import audit_value, service_request_bump
from servicerequests.sla import sla_due_at
from webhooks.choices import EventName
from webhooks.services import webhook_event_emit

from .adapters import adapter_for


def dispatch_deliver(*, dispatch_id: int) -> Dispatch:
    """Hand the request of a dispatch to its workload portal; idempotent.

    Locks the dispatch row, so concurrent runs for the same dispatch serialize;
    a delivered dispatch is returned unchanged. In one transaction: the portal
    ticket (one per request, see ``portals.adapters``), the request's
    ``external_ticket_id``, ``portal``, status ``open`` (when still ``none``),
    SLA clock (``sla_due_at`` = now + SR-PRIORITY target), version bump, an
    audit event ``servicerequest.dispatched``, the filer's ``filed``
    notification (with the portal's ticket number; once per request), and the
    dispatch marked ``delivered`` with one more attempt. Any error from the
    portal rolls all of it back and propagates (the task records it with
    ``dispatch_record_failure``). Raises ``Dispatch.DoesNotExist`` for an unknown id.
    """
    with transaction.atomic():
        dispatch = Dispatch.objects.select_for_update().get(pk=dispatch_id)
        if dispatch.status == DispatchStatus.DELIVERED:
            return dispatch
        service_request = (
            ServiceRequest.objects.select_for_update(of=("self",))
            .select_related("created_by")
            .get(pk=dispatch.request_id)
        )
        ticket_number = adapter_for(dispatch.portal).create_ticket(service_request)
        now = timezone.now()
        before = {
            "status": service_request.status,
            "externalTicketId": service_request.external_ticket_id,
            "slaDueAt": audit_value(service_request.sla_due_at),
        }
        service_request.external_ticket_id = ticket_number
        service_request.portal = dispatch.portal
        if service_request.status == Status.NONE:
            service_request.status = Status.OPEN
        if service_request.sla_due_at is None:
            service_request.sla_due_at = sla_due_at(severity=service_request.severity, started_at=now)
        service_request_bump(
            service_request, now=now, fields=["external_ticket_id", "portal", "status", "sla_due_at"]
        )
        dispatch.status = DispatchStatus.DELIVERED
        dispatch.attempts += 1
        dispatch.delivered_at = now
        dispatch.updated_at = now
        dispatch.next_attempt_at = None
        dispatch.last_error = ""
        dispatch.save(
            update_fields=[
                "status",
                "attempts",
                "delivered_at",
                "updated_at",
                "next_attempt_at",
                "last_error",
            ]
        )
        audit_event = audit_event_record(
            action="servicerequest.dispatched",
            partner_id=service_request.partner_id,
            customer_id=service_request.customer_id,
            obj=service_request,
            before=before,
            after={
                "status": service_request.status,
                "externalTicketId": ticket_number,
                "portal": dispatch.portal,
                "slaDueAt": audit_value(service_request.sla_due_at),
                "attempts": dispatch.attempts,
            },
        )
        webhook_event_emit(
            event_name=EventName.SERVICE_REQUEST_UPDATED, obj=service_request, audit_event=audit_event
        )
        if service_request.created_by is not None:
            notification_queue(
                kind=NotificationKind.FILED,
                service_request=service_request,
                recipients=[service_request.created_by],
                serialized=True,  # the dispatch row's lock: one delivery per request at a time
            )
    return dispatch
