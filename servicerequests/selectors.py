"""Reads about service requests, always scoped to the acting user's partner (SR-VIEW)."""

from django.db.models import QuerySet

from partners.choices import PartnerCenterRole
from partners.models import User

from .models import ServiceRequest

VIEW_ROLES = frozenset(
    {
        PartnerCenterRole.ADMIN_AGENT,
        PartnerCenterRole.HELPDESK_AGENT,
        PartnerCenterRole.SALES_AGENT,
        PartnerCenterRole.SUPPORT_MANAGER,
    }
)


def service_request_list(*, actor: User) -> QuerySet[ServiceRequest]:
    """The requests of the actor's partner, if the actor holds a role of SR-VIEW; else none."""
    if actor.partner_id is None or not actor.role_codes.intersection(VIEW_ROLES):
        return ServiceRequest.objects.none()
    return ServiceRequest.objects.filter(partner_id=actor.partner_id)


def service_requests_filed_for_customer(*, actor: User) -> QuerySet[ServiceRequest]:
    """For a customer's admin: the requests partners filed on the customer's behalf, every partner's,
    newest first, partner loaded (none for anyone else). The caller shows only what a customer may
    read: no notes, assignees or eligibility details."""
    if actor.customer_id is None:
        return ServiceRequest.objects.none()
    return (
        ServiceRequest.objects.filter(customer_id=actor.customer_id)
        .select_related("partner")
        .order_by("-created_at", "-id")
    )
