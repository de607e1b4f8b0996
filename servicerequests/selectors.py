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
