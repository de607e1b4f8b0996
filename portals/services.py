"""Writes on the stub workload portals: creating a ticket once, and the simulated engineer's progress."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import audit_event_record
from servicerequests.choices import Portal, Status
from servicerequests.exceptions import AttachmentRefused
from servicerequests.models import AttachmentSource, ServiceRequest
from servicerequests.services import service_request_apply_portal_update
from servicerequests.services.attachments import IncomingFile, attachments_add

from .models import PortalTicket

logger = logging.getLogger(__name__)

TICKET_NUMBER_ATTEMPTS = 5


class TicketNumberExhausted(Exception):
    """No free ticket number after several draws (only ever seen with a broken number generator)."""


def portal_ticket_create(
    *,
    service_request: ServiceRequest,
    portal: str,
    new_ticket_number: Callable[..., str],
    details: dict | None = None,
) -> tuple[PortalTicket, bool]:
    """Create the portal ticket of ``service_request``, or return the one it already has.

    Returns ``(ticket, created)``. Safe under duplicates and races: the ticket
    is one-to-one with the request, so a concurrent second insert fails with
    an IntegrityError inside a savepoint and the existing ticket is returned.
    A ticket number collision draws a new number. Side effects: one INSERT into
    ``PortalTicket`` and an audit event ``portal.ticket_created`` when created.
    Call inside a transaction (the dispatch one).
    """
    existing = PortalTicket.objects.filter(service_request=service_request).first()
    if existing is not None:
        return existing, False
    now = timezone.now()
    for _ in range(TICKET_NUMBER_ATTEMPTS):
        try:
            with transaction.atomic():
                ticket = PortalTicket.objects.create(
                    portal=portal,
                    ticket_number=new_ticket_number(now=now),
                    customer_id=service_request.customer_id,
                    service_request=service_request,
                    title=service_request.title,
                    severity=service_request.severity,
                    status=Status.OPEN,
                    details=details or {},
                    created_at=now,
                    updated_at=now,
                )
        except IntegrityError:
            existing = PortalTicket.objects.filter(service_request=service_request).first()
            if existing is not None:
                return existing, False
            continue  # the number was taken: draw another
        audit_event_record(
            action="portal.ticket_created",
            partner_id=service_request.partner_id,
            customer_id=service_request.customer_id,
            obj=ticket,
            after={
                "portal": portal,
                "ticketNumber": ticket.ticket_number,
                "serviceRequestId": service_request.id,
            },
        )
        return ticket, True
    raise TicketNumberExhausted(f"no free {portal} ticket number after {TICKET_NUMBER_ATTEMPTS} draws")


@dataclass(frozen=True)
class ProgressStep:
    """One move of the simulated portal engineer: from a status to the next, after a delay, with a note."""

    from_status: str
    to_status: str
    delay_setting: str
    note: str
    #: A file the engineer attaches with the note (its name), written by ``diagnostic_results``.
    attachment: str = ""

    def delay(self) -> timedelta:
        return timedelta(seconds=getattr(settings, self.delay_setting))


#: The simulated engineer's script, measured from the ticket's creation.
PROGRESS_STEPS: tuple[ProgressStep, ...] = (
    ProgressStep(
        from_status=Status.OPEN,
        to_status=Status.ATTENTION_NEEDED,
        delay_setting="PORTAL_PROGRESS_ATTENTION_AFTER",
        note=(
            "I am the support engineer who owns this case. To continue, please send the exact error "
            "message, when it started and how many users are affected."
        ),
    ),
    ProgressStep(
        from_status=Status.ATTENTION_NEEDED,
        to_status=Status.CLOSED,
        delay_setting="PORTAL_PROGRESS_CLOSE_AFTER",
        note=(
            "The issue is mitigated and the service is healthy again; the diagnostic results are "
            "attached. Closing the case; thank you."
        ),
        attachment="diagnostic results.txt",
    ),
)


def diagnostic_results(*, ticket: PortalTicket, author: str, now: datetime) -> bytes:
    """The text file the simulated engineer attaches when closing a ticket."""
    lines = [
        f"Diagnostic results for ticket {ticket.ticket_number} (service request {ticket.service_request_id})",
        f"Collected {now.strftime('%Y-%m-%d %H:%M')} UTC by {author}",
        "",
        "Service health ........ healthy",
        "Tenant configuration .. no issue found",
        "Recent changes ........ mitigation deployed",
        "",
    ]
    return "\n".join(lines).encode("utf-8")


#: Who writes the notes, per portal.
ENGINEER_NAMES: dict[str, str] = {
    Portal.AZURE: "Azure support engineer",
    Portal.M365: "Microsoft 365 support engineer",
    Portal.DYNAMICS: "Dynamics 365 support engineer",
}


def progress_step_due(*, ticket: PortalTicket, now: datetime) -> ProgressStep | None:
    """The step the engineer should take on ``ticket`` at ``now``, if any (pure)."""
    for step in PROGRESS_STEPS:
        if ticket.status == step.from_status and now >= ticket.created_at + step.delay():
            return step
    return None


def portal_tickets_due_for_progress(*, now: datetime, limit: int = 200) -> list:
    """Ids of tickets (all partners: a system sweep) that have a progress step due at ``now``."""
    earliest = min(step.delay() for step in PROGRESS_STEPS)
    candidates = PortalTicket.objects.filter(
        status__in=[step.from_status for step in PROGRESS_STEPS], created_at__lte=now - earliest
    ).order_by("created_at")
    return [
        t.pk
        for t in candidates.only("pk", "status", "created_at")[:limit]
        if progress_step_due(ticket=t, now=now)
    ]


def portal_ticket_advance(*, ticket_id, now: datetime | None = None) -> PortalTicket | None:
    """Take the engineer's next step on one ticket, and sync it back to the service request.

    Idempotent: the ticket row is locked and the step re-checked, so a second
    run (or a concurrent one) finds nothing to do and returns None. Side
    effects, in one transaction: the ticket's status and note; through
    ``service_request_apply_portal_update`` the request's note, status, first
    response time, version, audit event and the notifications to send after
    commit. A request the partner already closed only closes the ticket.
    """
    now = now or timezone.now()
    with transaction.atomic():
        ticket = PortalTicket.objects.select_for_update().filter(pk=ticket_id).first()
        if ticket is None:
            return None
        step = progress_step_due(ticket=ticket, now=now)
        if step is None:
            return None
        service_request = ticket.service_request
        author = ENGINEER_NAMES.get(ticket.portal, "Support engineer")
        before = {"status": ticket.status}
        if service_request.status == Status.CLOSED:
            ticket.status = Status.CLOSED
        else:
            ticket.status = step.to_status
            ticket.details = {
                **ticket.details,
                "notes": [
                    *ticket.details.get("notes", []),
                    {"at": now.isoformat(), "by": author, "text": step.note},
                ],
            }
            service_request_apply_portal_update(
                service_request_id=service_request.pk,
                status=step.to_status,
                note_text=step.note,
                author_name=author,
                now=now,
            )
            if step.attachment:
                _engineer_attach(ticket, step.attachment, author=author, now=now)
        ticket.updated_at = now
        ticket.save(update_fields=["status", "details", "updated_at"])
        audit_event_record(
            action="portal.ticket_updated",
            partner_id=service_request.partner_id,
            customer_id=service_request.customer_id,
            obj=ticket,
            before=before,
            after={"status": ticket.status},
        )
    return ticket


def _engineer_attach(ticket: PortalTicket, file_name: str, *, author: str, now: datetime) -> None:
    """Attach the engineer's file to the request (audited, webhook event); a request already holding
    as many files as allowed gets the note without it."""
    content = diagnostic_results(ticket=ticket, author=author, now=now)
    try:
        attachments_add(
            actor=None,
            service_request=ticket.service_request,
            files=[IncomingFile(file_name, content, len(content))],
            source=AttachmentSource.PORTAL,
            author_name=author,
        )
    except AttachmentRefused as exc:
        logger.info("ticket %s: the engineer's file was not attached (%s)", ticket.pk, exc)
