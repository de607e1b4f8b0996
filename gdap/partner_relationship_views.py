"""A customer admin's "Partner relationships" page (their side of the Microsoft 365 admin center):
the invitations waiting for their approval, with what each requested role allows, and every
relationship a partner sent them, with Terminate where GDAP-TERMINATE lets them end it.

A ``created`` relationship is the partner's draft and never shown here (``relationship_list``).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .choices import RelationshipStatus
from .permissions import is_customer_side, may_transition
from .selectors import customer_relationship_list

#: What an Entra role's capabilities (the role catalogue, ``gdap.roles``) let a partner do in the tenant.
CAPABILITY_WORDS = (
    ("support_tickets", gettext_lazy("file and manage Microsoft 365, EMS and Dynamics 365 support requests")),
    ("service_health", gettext_lazy("read service health and incidents")),
)
NO_CAPABILITY = gettext_lazy("neither support requests nor service health (other administration only)")


def role_allows(role) -> str:
    """What the role lets the partner do, in words, from its capabilities."""
    words = [str(text) for field, text in CAPABILITY_WORDS if getattr(role, field)]
    return "; ".join(words) if words else str(NO_CAPABILITY)


def auto_extend_label(relationship) -> str:
    """GDAP-AUTO-EXTEND in days ("180 days", "180 dias"), or "Off", in the active language."""
    days = relationship.auto_extend_duration.days
    if not days:
        return _("Off")
    return ngettext("%(days)s day", "%(days)s days", days) % {"days": days}


@login_required
def partner_relationships(request):
    """Pending invitations (Review → Approve all / Reject) and the partners' relationships."""
    if not is_customer_side(request.user):
        raise PermissionDenied(_("This page is for a customer's administrators."))
    pending, others = [], []
    for relationship in customer_relationship_list(actor=request.user):
        relationship.role_rows = [
            {"name": role.name, "allows": role_allows(role)} for role in relationship.roles.all()
        ]
        relationship.auto_extend_label = auto_extend_label(relationship)
        relationship.can_terminate = may_transition(request.user, relationship, "terminate")
        relationship.can_answer = may_transition(request.user, relationship, "approve")
        if relationship.status == RelationshipStatus.APPROVAL_PENDING and relationship.can_answer:
            pending.append(relationship)
        else:
            others.append(relationship)
    return render(
        request,
        "gdap/partner_relationships.html",
        {"pending": pending, "relationships": others},
    )
