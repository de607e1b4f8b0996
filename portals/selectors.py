"""Reads for the stub workload portals, scoped to the acting user's partner (SR-VIEW).

A portal shows a customer tenant's tickets, but only those the signed-in
partner filed: another partner's tickets in the same tenant stay invisible.
"""

from __future__ import annotations

from django.db.models import QuerySet

from partners.models import User
from servicerequests.models import ServiceRequest
from servicerequests.selectors import service_request_list

from .models import PortalTicket


def portal_ticket_list(*, actor: User, portal: str, customer_id) -> QuerySet[PortalTicket]:
    """Tickets of one portal in one customer tenant that the actor's partner filed, newest first."""
    visible = service_request_list(actor=actor).filter(customer_id=customer_id).values("pk")
    return (
        PortalTicket.objects.filter(portal=portal, customer_id=customer_id, service_request_id__in=visible)
        .select_related("service_request", "service_request__created_by")
        .order_by("-created_at", "-id")
    )


def portal_request_get(*, actor: User, portal: str, customer_id, request_id: str) -> ServiceRequest:
    """One request filed through ``portal`` for the customer, with its ticket and dispatch loaded.

    Raises ``ServiceRequest.DoesNotExist`` for anything the actor may not see.
    """
    return (
        service_request_list(actor=actor)
        .select_related("customer", "partner", "dispatch", "portal_ticket", "support_topic", "subscription")
        .get(pk=request_id, portal=portal, customer_id=customer_id)
    )
