"""One interface to the workload portals, one stub implementation per portal.

The dispatch task hands a service request to ``adapter_for(portal).create_ticket(request)``
and gets back the portal's own ticket number. The stubs keep their tickets in
``portals.PortalTicket`` (one per service request), which plays the part of a
real portal's idempotency: asking twice for the same request returns the
ticket created the first time, never a second one.

Ticket number formats (see ``docs/async.md`` for sources and assumptions):

- Azure portal: 16 digits, ``yymmdd`` of the creation date then 10 digits
  (e.g. ``2611250010001234``), like real Azure support request numbers.
- Microsoft 365 admin center (m365, ems): an 8-digit service request number.
- Power Platform admin center (dynamics): ``CAS-<5 digits>-<6 letters/digits>``,
  the case-number shape of Dynamics 365.
"""

from __future__ import annotations

import secrets
import string
from abc import ABC, abstractmethod
from datetime import datetime

from django.db import transaction

from servicerequests.choices import Portal, Severity, Status
from servicerequests.eligibility.tables import PORTAL_FOR_WORKLOAD
from servicerequests.models import ServiceRequest

from .models import PortalTicket
from .services import TICKET_NUMBER_ATTEMPTS, TicketNumberExhausted, portal_ticket_create


class PortalUnavailable(Exception):
    """The portal could not take the ticket now; the dispatch task retries with backoff."""


#: Severity letters as the portals show them (SR-PRIORITY: critical A, moderate B, minimal C).
SEVERITY_LETTERS: dict[str, str] = {Severity.CRITICAL: "A", Severity.MODERATE: "B", Severity.MINIMAL: "C"}


class PortalAdapter(ABC):
    """A workload portal that accepts tickets."""

    portal: str

    def create_ticket(self, service_request: ServiceRequest) -> str:
        """File (or find) the portal ticket of ``service_request`` and return its ticket number.

        Idempotent: a second call for the same request returns the first ticket's number.
        Call inside the dispatch transaction. Raises :class:`PortalUnavailable` when the
        portal cannot take it now.
        """
        ticket, _created = portal_ticket_create(
            service_request=service_request,
            portal=self.portal,
            new_ticket_number=self.new_ticket_number,
            details=self.ticket_details(service_request),
        )
        return ticket.ticket_number

    def create_tickets(self, service_requests: list[ServiceRequest], *, now: datetime) -> list[PortalTicket]:
        """File the tickets of several requests that have none yet, in one INSERT, and return them.

        For the dispatch relay's batches (``portals.batch``), inside their transaction; the caller
        records their audit events. Raises ``IntegrityError`` when a ticket number is taken or a
        request got its ticket meanwhile (the caller then falls back to :meth:`create_ticket` one
        request at a time), :class:`PortalUnavailable` when the portal cannot take them now.
        """
        numbers = self.free_ticket_numbers(len(service_requests), now=now)
        tickets = [
            PortalTicket(
                portal=self.portal,
                ticket_number=number,
                customer_id=sr.customer_id,
                service_request=sr,
                title=sr.title,
                severity=sr.severity,
                status=Status.OPEN,
                details=self.ticket_details(sr),
                created_at=now,
                updated_at=now,
            )
            for sr, number in zip(service_requests, numbers, strict=True)
        ]
        with transaction.atomic():
            return PortalTicket.objects.bulk_create(tickets)

    def free_ticket_numbers(self, count: int, *, now: datetime) -> list[str]:
        """``count`` distinct fresh ticket numbers that no ticket of this portal has yet.

        Numbers are drawn at random (:meth:`new_ticket_number`), so the more tickets a portal holds,
        the likelier a draw is taken: at a million Microsoft 365 tickets (8 digits) about one batch
        of 100 in ten would draw a taken number and fail whole. Each draw is checked with one query
        and the taken ones drawn again, up to ``TICKET_NUMBER_ATTEMPTS`` times, else
        ``TicketNumberExhausted``. A number a concurrent writer takes between the check and the
        INSERT still fails the INSERT (``IntegrityError``), as before."""
        numbers: list[str] = []
        for _ in range(TICKET_NUMBER_ATTEMPTS):
            drawn = {self.new_ticket_number(now=now) for _ in range(count - len(numbers))} - set(numbers)
            taken = set(
                PortalTicket.objects.filter(portal=self.portal, ticket_number__in=drawn).values_list(
                    "ticket_number", flat=True
                )
            )
            numbers += sorted(drawn - taken)
            if len(numbers) == count:
                return numbers
        raise TicketNumberExhausted(
            f"no {count} free {self.portal} ticket numbers after {TICKET_NUMBER_ATTEMPTS} draws"
        )

    @abstractmethod
    def new_ticket_number(self, *, now: datetime) -> str:
        """A fresh ticket number in this portal's format (uniqueness is checked by the database)."""

    def ticket_details(self, service_request: ServiceRequest) -> dict:
        """The portal-specific fields of the ticket, as the portal's own pages show them."""
        return {
            "severityLetter": SEVERITY_LETTERS.get(service_request.severity, ""),
            "contact": {
                "firstName": service_request.contact_first_name,
                "lastName": service_request.contact_last_name,
                "email": service_request.contact_email,
                "phone": service_request.contact_phone,
            },
            "partnerCenterRequestId": service_request.id,
            "supportTopic": service_request.support_topic.name if service_request.support_topic_id else "",
            "notes": [],
        }


def _digits(count: int) -> str:
    return "".join(secrets.choice(string.digits) for _ in range(count))


class AzurePortalAdapter(PortalAdapter):
    """Azure portal: "New support request" with support plan Cloud Solution Provider."""

    portal = Portal.AZURE

    def new_ticket_number(self, *, now: datetime) -> str:
        return now.strftime("%y%m%d") + "00" + _digits(8)

    def ticket_details(self, service_request: ServiceRequest) -> dict:
        details = super().ticket_details(service_request)
        details.update(
            {
                "supportPlan": "Cloud Solution Provider",
                "issueType": service_request.issue_type,
                "subscriptionId": (
                    str(service_request.subscription.azure_subscription_id or service_request.subscription_id)
                    if service_request.subscription_id
                    else ""
                ),
            }
        )
        return details


class Microsoft365AdminCenterAdapter(PortalAdapter):
    """Microsoft 365 admin center (m365 and ems): support category, then the form."""

    portal = Portal.M365

    def new_ticket_number(self, *, now: datetime) -> str:
        return str(secrets.choice(range(1, 10))) + _digits(7)

    def ticket_details(self, service_request: ServiceRequest) -> dict:
        details = super().ticket_details(service_request)
        details["supportCategory"] = service_request.get_workload_display()
        return details


class PowerPlatformAdminCenterAdapter(PortalAdapter):
    """Power Platform admin center (Dynamics 365): same shape as the Microsoft 365 admin center."""

    portal = Portal.DYNAMICS

    def new_ticket_number(self, *, now: datetime) -> str:
        suffix = "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(6))
        return f"CAS-{_digits(5)}-{suffix}"

    def ticket_details(self, service_request: ServiceRequest) -> dict:
        details = super().ticket_details(service_request)
        details["supportCategory"] = "Dynamics 365"
        return details


ADAPTERS: dict[str, PortalAdapter] = {
    Portal.AZURE: AzurePortalAdapter(),
    Portal.M365: Microsoft365AdminCenterAdapter(),
    Portal.DYNAMICS: PowerPlatformAdminCenterAdapter(),
}


def adapter_for(portal: str) -> PortalAdapter:
    """The adapter of a portal (``azure``, ``m365``, ``dynamics``); ``KeyError`` for anything else."""
    return ADAPTERS[portal]


def portal_for_workload(workload: str) -> str:
    """The portal that files tickets for a workload (``eligibility.tables.PORTAL_FOR_WORKLOAD``);
    ``KeyError`` for marketplace."""
    return PORTAL_FOR_WORKLOAD[workload]
