"""The remedies of the GDAP rules (SR-GDAP-ACTIVE, SR-GDAP-ASSIGNMENT, SR-GDAP-ROLE-TICKETS,
SR-GDAP-ANY-ROLE): which relationship or role to ask for, in words (pure functions of a snapshot)."""

from __future__ import annotations

from collections.abc import Callable

from . import tables
from .facts import RelationshipFacts, Snapshot
from .text import Text, ngettext_lazy
from .text import gettext_lazy as _
from .wording import Words, customer_name, customer_owner, names, quoted, your_groups


def best_inactive_hint(snapshot: Snapshot) -> Text | str:
    """What to do about the partner's relationships with the customer that grant nothing yet
    (awaiting the reseller's consent, pending, expired, ...), or "" when there are none."""
    by_status: dict[str, RelationshipFacts] = {}
    for r in snapshot.held_relationships:
        by_status.setdefault(r.status, r)
    waiting = by_status.get(tables.RELATIONSHIP_APPROVAL_PENDING)
    if waiting is not None and waiting.partner_consent_pending and waiting.from_provider:
        return _(
            tables.RESELLER_CONSENT_REMEDY,
            name=waiting.display_name,
            customer=customer_name(snapshot),
            customer_s=customer_owner(snapshot),
        )
    for status, template in tables.GDAP_STATUS_REMEDIES:
        if status in by_status:
            return _(
                template,
                name=by_status[status].display_name,
                customer=customer_name(snapshot),
                customer_s=customer_owner(snapshot),
            )
    return ""


def new_relationship_remedy(snapshot: Snapshot) -> Text:
    """Ask the customer for a new relationship with the least-privileged role for the workload."""
    role = (
        tables.LEAST_PRIVILEGED_ANY_ROLE
        if snapshot.request.workload == "azure"
        else tables.LEAST_PRIVILEGED_TICKET_ROLE
    )
    return _(
        "Create a GDAP relationship with %(customer)s that includes %(role)s, lock it for approval and have "
        "%(customer_s)s Global Administrator approve it.",
        customer=customer_name(snapshot),
        customer_s=customer_owner(snapshot),
        role=role,
    )


def for_resellers(snapshot: Snapshot) -> Words:
    """A sentence on the relationships the partner created for its resellers: they give it no access
    (with a leading space: it follows another sentence)."""
    mine = snapshot.reseller_relationships
    if not mine:
        return ""
    listed = names(
        _(
            "'%(relationship)s' (%(status)s, created for %(reseller)s)",
            relationship=r.display_name,
            status=r.status,
            reseller=r.for_reseller,
        )
        for r in mine
    )
    return ngettext_lazy(
        " Under GDAP-INDIRECT-RESELLER, %(relationships)s grants your indirect reseller's security groups, "
        "never yours.",
        " Under GDAP-INDIRECT-RESELLER, %(relationships)s grant your indirect reseller's security groups, "
        "never yours.",
        len(mine),
        relationships=listed,
    )


def role_source(snapshot: Snapshot, template_id: str) -> Words:
    """Through which group and relationship the user holds the role, or ""."""
    for a in snapshot.active_user_assignments:
        if any(r.template_id == template_id for r in a.roles):
            return _(
                "through '%(group)s' in '%(relationship)s'",
                group=a.group_name,
                relationship=snapshot.relationship_name(a.relationship_id),
            )
    return ""


def grant_role_remedy(snapshot: Snapshot, role_name: str, *, has_role: Callable) -> Text:
    """How to get a role matching ``has_role``: into an assignment, or into a new relationship."""
    customer = customer_name(snapshot)
    active = snapshot.active_relationships
    if not active:
        return _(
            "First get an active GDAP relationship with %(customer)s that includes %(role)s (see "
            "SR-GDAP-ACTIVE), then assign it to %(groups)s.",
            customer=customer,
            role=role_name,
            groups=your_groups(snapshot),
        )
    carrying = [r for r in active if any(has_role(role) for role in r.roles)]
    if not carrying:
        return _(
            "No active relationship with %(customer)s (%(relationships)s) includes a suitable role: request "
            "a new GDAP relationship from %(customer)s that includes %(role)s.",
            customer=customer,
            relationships=quoted(r.display_name for r in active),
            role=role_name,
        )
    relationship = carrying[0]
    suggested = next(
        (role.name for role in relationship.roles if role.name == role_name),
        next(role.name for role in relationship.roles if has_role(role)),
    )
    return _(
        "Add %(role)s to an active access assignment for %(groups)s in the relationship '%(relationship)s'.",
        role=suggested,
        groups=your_groups(snapshot),
        relationship=relationship.display_name,
    )
