"""Delivering the dispatch outbox in batches: what the dispatch relay (``manage.py dispatch_relay``)
runs, and what several relay processes on several hosts may run at the same time.

One batch is one transaction that claims up to ``limit`` due ``pending`` dispatches with
``SELECT … FOR UPDATE SKIP LOCKED`` (a dispatch another relay holds is skipped, never waited for,
never delivered twice), and writes for all of them at once, in a fixed number of statements: the
portal tickets, the requests (``external_ticket_id``, ``portal``, ``open``, SLA clock, version), the
dispatches (``delivered``), the audit events (``portal.ticket_created`` and
``servicerequest.dispatched``), the webhook events of the partners that subscribe to them, and the
filers' ``filed`` notifications. After commit the batch's e-mails are sent by the same process
(``notifications_send_batch``): the e-mail rides with its delivery instead of being a second task.

The result is the same as ``portals.dispatch.dispatch_deliver`` run once per dispatch, which stays
the path of the ``servicerequests.dispatch`` task (retries, the sweeper, eager development). If
anything in a batch fails (a portal that refuses, a ticket number already taken, a concurrent
delivery that inserted a ticket first), the batch rolls back and each of its dispatches is
delivered on its own through ``dispatch_deliver``; a failure there is recorded on that dispatch
(``dispatch_record_failure``) with its backoff in ``next_attempt_at``, where the next batch finds
it once it is due.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, F, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from audit.services import audit_events_record
from servicerequests.choices import DispatchStatus, Status
from servicerequests.models import Dispatch, Notification, NotificationKind, ServiceRequest
from servicerequests.notifications import notifications_send_batch
from servicerequests.services import dispatch_record_failure
from servicerequests.services.common import audit_value
from servicerequests.sla import SLA_TARGETS, sla_due_at
from servicerequests.tasks import retry_countdown
from webhooks.batch import webhook_events_emit
from webhooks.choices import EventName

from .adapters import adapter_for
from .dispatch import dispatch_deliver
from .models import PortalTicket

logger = logging.getLogger(__name__)

#: Dispatches claimed per batch (one transaction).
DEFAULT_BATCH = 100


class BatchConflict(Exception):
    """Something in the batch needs the one-by-one path (a ticket insert conflicted)."""


@dataclass
class BatchResult:
    """What one call of :func:`dispatch_deliver_batch` did."""

    claimed: int = 0
    delivered: int = 0
    failed: int = 0
    emails_sent: int = 0
    one_by_one: bool = False
    notification_ids: list[int] = field(default_factory=list)


def _claim(limit: int, now) -> list[Dispatch]:
    return list(
        Dispatch.objects.select_for_update(skip_locked=True)
        .filter(status=DispatchStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")[:limit]
    )


def _deliver_claimed(dispatches: list[Dispatch], now) -> list[int]:
    """Write every delivery of ``dispatches`` (claimed in this transaction); returns the ids of
    the new notifications. Raises :class:`BatchConflict` (or the portal's error) to roll back."""
    by_request = {d.request_id: d for d in dispatches}
    requests = list(
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("created_by", "support_topic", "subscription")
        .filter(pk__in=list(by_request))
        .order_by("pk")
    )
    existing = dict(
        PortalTicket.objects.filter(service_request_id__in=list(by_request)).values_list(
            "service_request_id", "ticket_number"
        )
    )
    ticket_numbers: dict[str, str] = dict(existing)
    without: dict[str, list[ServiceRequest]] = {}
    for sr in requests:
        if sr.pk not in existing:
            without.setdefault(by_request[sr.pk].portal, []).append(sr)
    tickets: list[PortalTicket] = []
    for portal, service_requests in without.items():
        try:
            tickets += adapter_for(portal).create_tickets(service_requests, now=now)
        except IntegrityError as exc:  # a number taken, or a ticket inserted meanwhile
            raise BatchConflict(str(exc)) from exc
    for ticket in tickets:
        ticket_numbers[ticket.service_request_id] = ticket.ticket_number
    events: list[dict] = [
        {
            "action": "portal.ticket_created",
            "partner_id": t.service_request.partner_id,
            "customer_id": t.customer_id,
            "obj": t,
            "after": {
                "portal": t.portal,
                "ticketNumber": t.ticket_number,
                "serviceRequestId": t.service_request_id,
            },
        }
        for t in tickets
    ]
    for sr in requests:
        dispatch = by_request[sr.pk]
        before = {
            "status": sr.status,
            "externalTicketId": sr.external_ticket_id,
            "slaDueAt": audit_value(sr.sla_due_at),
        }
        sr.external_ticket_id = ticket_numbers[sr.pk]
        sr.portal = dispatch.portal
        if sr.status == Status.NONE:
            sr.status = Status.OPEN
        if sr.sla_due_at is None:
            sr.sla_due_at = sla_due_at(severity=sr.severity, started_at=now)
        sr.version += 1
        sr.updated_at = now
        events.append(
            {
                "action": "servicerequest.dispatched",
                "partner_id": sr.partner_id,
                "customer_id": sr.customer_id,
                "obj": sr,
                "before": before,
                "after": {
                    "status": sr.status,
                    "externalTicketId": sr.external_ticket_id,
                    "portal": dispatch.portal,
                    "slaDueAt": audit_value(sr.sla_due_at),
                    "attempts": dispatch.attempts + 1,
                },
            }
        )
    _requests_mark_dispatched(list(by_request), now)
    Dispatch.objects.filter(pk__in=[d.pk for d in dispatches]).update(
        status=DispatchStatus.DELIVERED,
        attempts=F("attempts") + 1,
        delivered_at=now,
        updated_at=now,
        next_attempt_at=None,
        last_error="",
    )
    audit_rows = audit_events_record(events)
    dispatched_events = {
        row.object_id: row for row in audit_rows if row.action == "servicerequest.dispatched"
    }
    webhook_events_emit(
        event_name=EventName.SERVICE_REQUEST_UPDATED,
        changes=[(sr, dispatched_events[str(sr.pk)]) for sr in requests],
    )
    return _filed_notifications(requests)


def _requests_mark_dispatched(request_ids: list[str], now) -> None:
    """One UPDATE of the claimed dispatches' requests, the same values the loop above computed in
    Python: each request's ticket number and its dispatch's portal (read by index in the
    statement), ``none`` → ``open``, an SLA clock started now where none runs (SR-PRIORITY, per
    severity), the version bumped. Its cost does not grow with the batch the way a per-row
    ``CASE`` (``bulk_update``) does, in Django or in PostgreSQL."""
    ServiceRequest.objects.filter(pk__in=request_ids).update(
        external_ticket_id=Subquery(
            PortalTicket.objects.filter(service_request_id=OuterRef("pk")).values("ticket_number")[:1]
        ),
        portal=Subquery(Dispatch.objects.filter(request_id=OuterRef("pk")).values("portal")[:1]),
        status=Case(When(status=Status.NONE, then=Value(Status.OPEN)), default=F("status")),
        sla_due_at=Coalesce(
            F("sla_due_at"),
            Case(
                *[
                    When(severity=severity, then=Value(sla_due_at(severity=severity, started_at=now)))
                    for severity in SLA_TARGETS
                ]
            ),
        ),
        version=F("version") + 1,
        updated_at=now,
    )


def _filed_notifications(requests: list[ServiceRequest]) -> list[int]:
    """The filers' ``filed`` notifications, once per request (the dispatch rows' locks serialize
    every writer of this kind for these requests, as in ``notification_queue(serialized=True)``)."""
    wanted: dict[tuple[str, str], Notification] = {}
    for sr in requests:
        user = sr.created_by
        email = ((user.email if user else "") or "").strip().lower()
        if user is None or not email or not user.is_active:
            continue
        wanted[(sr.pk, email)] = Notification(
            kind=NotificationKind.FILED, request=sr, recipient_email=email, recipient=user
        )
    if not wanted:
        return []
    notified = Notification.objects.filter(
        kind=NotificationKind.FILED, request_id__in=[key[0] for key in wanted]
    ).values_list("request_id", "recipient_email")
    for key in notified:
        wanted.pop(key, None)
    return [n.pk for n in Notification.objects.bulk_create(list(wanted.values()))]


def _deliver_one(dispatch_id: int, attempts: int) -> bool:
    """The one-by-one path of a dispatch whose batch failed: ``dispatch_deliver``, and on an error
    the attempt recorded with its backoff (``failed`` after ``DISPATCH_MAX_RETRIES`` retries)."""
    try:
        dispatch_deliver(dispatch_id=dispatch_id)
        return True
    except Dispatch.DoesNotExist:
        return False
    except Exception as exc:
        final = attempts >= settings.DISPATCH_MAX_RETRIES
        countdown = retry_countdown(
            attempts, factor=settings.DISPATCH_RETRY_BACKOFF, maximum=settings.DISPATCH_RETRY_BACKOFF_MAX
        )
        dispatch_record_failure(
            dispatch_id=dispatch_id, error=f"{type(exc).__name__}: {exc}", final=final, retry_in=countdown
        )
        logger.warning("dispatch %s attempt failed (%s)", dispatch_id, exc)
        return False


def dispatch_deliver_batch(*, limit: int = DEFAULT_BATCH, send_emails: bool = True) -> BatchResult:
    """Claim up to ``limit`` due pending dispatches and deliver them (see the module docstring).

    Returns what was done; ``claimed`` 0 means nothing was due (or every due one is held by
    another relay). Exactly once per request: a dispatch is claimed under its row lock and only
    while still ``pending``; the ticket is one-to-one with its request. ``send_emails``: send the
    batch's ``filed`` e-mails after commit (else the notification sweeper does).
    """
    result = BatchResult()
    now = timezone.now()
    pending_alone: list[tuple[int, int]] = []
    dispatches: list[Dispatch] = []
    try:
        with transaction.atomic():
            dispatches = _claim(limit, now)
            result.claimed = len(dispatches)
            if not dispatches:
                return result
            result.notification_ids = _deliver_claimed(dispatches, now)
            result.delivered = len(dispatches)
    except Exception as exc:
        logger.warning("dispatch batch of %s rolled back (%s); delivering one by one", result.claimed, exc)
        result.one_by_one = True
        result.delivered = 0
        result.notification_ids = []
        pending_alone = [(d.pk, d.attempts) for d in dispatches]
    for dispatch_id, attempts in pending_alone:
        if _deliver_one(dispatch_id, attempts):
            result.delivered += 1
        else:
            result.failed += 1
    if send_emails and result.notification_ids:
        result.emails_sent = notifications_send_batch(result.notification_ids)
    return result


def dispatch_drain(*, limit: int = DEFAULT_BATCH, max_batches: int | None = None) -> BatchResult:
    """Deliver batches until none is full (nothing more is due) or ``max_batches`` ran; the totals."""
    total = BatchResult()
    batches = 0
    while True:
        result = dispatch_deliver_batch(limit=limit)
        batches += 1
        total.claimed += result.claimed
        total.delivered += result.delivered
        total.failed += result.failed
        total.emails_sent += result.emails_sent
        if result.claimed < limit or (max_batches is not None and batches >= max_batches):
            return total
