"""Words the GDAP pages show about a relationship's state: the invitation page's heading (its
``<title>`` after Approve all or Reject), the message after a decision, the days left before the
end date. Pure functions of a ``Relationship``, in the active language."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from core.text import possessive_here

from .choices import RelationshipStatus as S
from .models import Relationship

#: Statuses of a relationship the customer has approved (activation may still be running).
APPROVED_STATUSES = frozenset({S.APPROVED, S.ACTIVATING, S.ACTIVE, S.EXPIRING})


def invitation_heading(relationship: Relationship, *, reseller_view: bool) -> str:
    """The heading and ``<title>`` of the invitation page: what the approver is asked, or, once
    answered, what happened ("Relationship approved", "Relationship rejected", …).

    ``reseller_view``: the page is seen by the reseller a provider created it for (not the customer).
    """
    if relationship.status in APPROVED_STATUSES:
        return _("Relationship approved")
    if relationship.status == S.TERMINATED and relationship.activated_at is None:
        return _("Relationship rejected")
    if relationship.status in {S.TERMINATED, S.TERMINATION_REQUESTED, S.TERMINATING}:
        return _("Relationship terminated")
    if relationship.status == S.EXPIRED:
        return _("Relationship expired") if relationship.activated_at else _("Invitation expired")
    if reseller_view and relationship.created_for_reseller_id:
        if relationship.partner_consent_at:
            return _("Approved: waiting for the customer")
        return _("Relationship created for you")
    return _("Approve partner roles")


def decision_message(relationship: Relationship, *, approved: bool, reseller_step: bool) -> str:
    """The message after Approve all / Reject: what the actor did and what happens next."""
    values = {"name": relationship.display_name, "partner": relationship.partner.name}
    if not approved:
        return _("You rejected the relationship “%(name)s”: %(partner)s gets no access.") % values
    if reseller_step:
        return _(
            "You approved the relationship “%(name)s”. %(owner)s Global Administrator approves it next."
        ) % {
            **values,
            "customer": relationship.customer.name,
            "owner": possessive_here(relationship.customer.name),
        }
    return (
        _(
            "You approved the relationship “%(name)s”. %(partner)s can now assign its roles to its "
            "security groups."
        )
        % values
    )


def days_left(relationship: Relationship, *, now=None) -> int:
    """Whole days until the relationship's end date (0 when it has none or it has passed)."""
    if relationship.end_at is None:
        return 0
    return max((relationship.end_at - (now or timezone.now())).days, 0)
