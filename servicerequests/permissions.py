"""Who may do what with service requests in the browser, as predicates.

The views refuse with these and the navigation (``home.navigation``) offers a link or a button only
where they allow, so no link leads to a refusal.
"""

from partners.choices import PartnerCenterRole
from partners.models import User

from .health import HEALTH_VIEW_PC_ROLES
from .selectors import VIEW_ROLES

#: SR-PC-ROLE-ADMIN-AGENT: the Partner Center roles that may file a new request.
FILE_ROLES = frozenset({PartnerCenterRole.ADMIN_AGENT})


def may_view_partner_requests(actor: User) -> bool:
    """SR-VIEW: a partner's user holding a role that reads the partner's service requests."""
    return actor.partner_id is not None and bool(actor.role_codes.intersection(VIEW_ROLES))


def may_file_requests(actor: User) -> bool:
    """SR-PC-ROLE-ADMIN-AGENT: a partner's admin agent may start a new request (the eligibility engine
    still decides each one)."""
    return actor.partner_id is not None and bool(actor.role_codes.intersection(FILE_ROLES))


def may_view_partner_health(actor: User) -> bool:
    """HEALTH-BEFORE-ESCALATION, its Partner Center half: the partner-wide service health page."""
    return actor.partner_id is not None and bool(actor.role_codes.intersection(HEALTH_VIEW_PC_ROLES))


def may_view_requests_filed_for_customer(actor: User) -> bool:
    """A customer's admin reads the requests that partners filed on the customer's behalf."""
    return actor.customer_id is not None


#: Partners that send hand-offs (indirect resellers, advisors) or receive them (indirect providers):
#: SR-AZURE-NONTECH-PROVIDER-ONLY only ever refuses a partner that is not the subscription's provider.
HANDOFF_PARTNER_TYPES = frozenset({"indirect_reseller", "advisor", "indirect_provider"})
HANDOFF_ROLES = frozenset({PartnerCenterRole.ADMIN_AGENT, PartnerCenterRole.SUPPORT_MANAGER})


def may_work_handoffs(actor: User) -> bool:
    """The "Hand-offs" page is worth offering: the actor's partner sends or receives hand-offs and the
    actor may file, decline or annotate them (admin agents, support managers)."""
    partner = actor.partner
    return (
        partner is not None
        and partner.type in HANDOFF_PARTNER_TYPES
        and bool(actor.role_codes.intersection(HANDOFF_ROLES))
    )
