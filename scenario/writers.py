"""Writing the parts of a scenario that follow its service requests: the portal tickets of seeded
requests and the staged hand-offs (``service_request_handoffs``). Called by ``loader._Writer``."""

from __future__ import annotations

import hashlib
import string
from datetime import datetime
from typing import Any

from customers.models import Subscription
from portals.models import PortalTicket
from servicerequests.choices import Portal, Severity
from servicerequests.handoffs.models import (
    HandoffNote,
    HandoffStatus,
    ServiceRequestHandoff,
    handoff_due_at,
)
from servicerequests.models import ServiceRequest

from . import rules
from .schema.plan import HandoffSpec

SEVERITY_LETTERS = {Severity.CRITICAL: "A", Severity.MODERATE: "B", Severity.MINIMAL: "C"}


def _number(request_id: str, digits: int) -> int:
    return int(hashlib.sha256(f"ticket\x1f{request_id}".encode()).hexdigest(), 16) % 10**digits


def seeded_ticket_number(portal: str, request_id: str, created_at: datetime) -> str:
    """A ticket number in the portal's own format, derived from the request (a reload finds the same)."""
    if portal == Portal.AZURE:
        return created_at.strftime("%y%m%d") + "00" + f"{_number(request_id, 8):08d}"
    if portal == Portal.DYNAMICS:
        n = _number(request_id, 12)
        alphabet = string.ascii_uppercase + string.digits
        suffix = "".join(alphabet[(n >> (6 * i)) % len(alphabet)] for i in range(6))
        return f"CAS-{n % 10**5:05d}-{suffix}"
    return str(10**7 + _number(request_id, 7) % (9 * 10**7))


def seeded_portal_fields(fields: dict[str, Any], *, request_id: str, has_customer: bool) -> dict[str, Any]:
    """A seeded request that reached its portal (open, attention needed, closed) without a ticket
    number gets its portal and a ticket number, as the dispatch would have given it."""
    workload = fields["workload"]
    if (
        not has_customer
        or fields["status"] not in rules.SLA_STARTED_STATUSES
        or workload not in rules.PORTAL_BY_WORKLOAD
        or fields.get("external_ticket_id")
    ):
        return fields
    portal = fields.get("portal") or rules.PORTAL_BY_WORKLOAD[workload]
    return {
        **fields,
        "portal": portal,
        "external_ticket_id": seeded_ticket_number(portal, request_id, fields["created_at"]),
    }


def seeded_portal_tickets(rows: list[ServiceRequest]) -> int:
    """The portal's ``PortalTicket`` of each new seeded request with a ticket number (bulk)."""
    tickets = [
        PortalTicket(
            portal=sr.portal,
            ticket_number=sr.external_ticket_id,
            customer_id=sr.customer_id,
            service_request=sr,
            title=sr.title,
            severity=sr.severity,
            status="closed" if sr.status == "closed" else "open",
            details={
                "severityLetter": SEVERITY_LETTERS.get(sr.severity, ""),
                "contact": {
                    "firstName": sr.contact_first_name,
                    "lastName": sr.contact_last_name,
                    "email": sr.contact_email,
                    "phone": sr.contact_phone,
                },
                "partnerCenterRequestId": sr.id,
                "notes": [],
            },
            created_at=sr.created_at,
            updated_at=sr.updated_at,
        )
        for sr in rows
        if sr.customer_id and sr.portal and sr.external_ticket_id
    ]
    PortalTicket.objects.bulk_create(tickets, batch_size=500, ignore_conflicts=True)
    return len(tickets)


def handoffs_write(writer, specs: list[HandoffSpec]) -> int:
    """Create the staged hand-offs not present yet (matched by reseller, customer and title) with
    their notes; existing ones are left as they are. Returns how many were created."""
    created = 0
    for spec in specs:
        reseller = writer.partner_named(spec.reseller)
        customer = writer.customer_named(spec.customer)
        if ServiceRequestHandoff.objects.filter(
            reseller=reseller, customer=customer, title=spec.title
        ).exists():
            continue
        subscription = Subscription.objects.get(customer=customer, workload="azure", offer=spec.subscription)
        filer = writer.user_named(spec.created_by)
        decided = spec.status != HandoffStatus.PENDING
        service_request = (
            ServiceRequest.objects.filter(pk=spec.service_request).first() if spec.service_request else None
        )
        last_note = max((n.at for n in spec.notes), default=spec.created)
        handoff = ServiceRequestHandoff.objects.create(
            reseller=reseller,
            provider=writer.partner_named(spec.provider),
            customer=customer,
            subscription=subscription,
            issue_type=spec.issue_type,
            title=spec.title,
            description=spec.description,
            severity=spec.severity,
            contact_first_name=filer.first_name,
            contact_last_name=filer.last_name,
            contact_email=filer.email,
            contact_phone=filer.phone,
            status=spec.status,
            created_by=filer,
            due_at=handoff_due_at(severity=spec.severity, created_at=spec.created),
            decided_at=(service_request.created_at if service_request else last_note) if decided else None,
            decline_reason=spec.decline_reason,
            service_request=service_request,
            notified_at=spec.created,
            created_at=spec.created,
            updated_at=max(last_note, spec.created),
        )
        HandoffNote.objects.bulk_create(
            [
                HandoffNote(
                    handoff=handoff,
                    partner=writer.partner_named(note.partner),
                    text=note.text,
                    created_by=writer.user_named(note.by),
                    created_by_name=writer.user_named(note.by).get_full_name() or note.by,
                    created_at=note.at,
                )
                for note in spec.notes
            ]
        )
        created += 1
    return created
