"""The remedies of the GDAP rules (SR-GDAP-ACTIVE, SR-GDAP-ASSIGNMENT, SR-GDAP-ROLE-TICKETS,
SR-GDAP-ANY-ROLE): which relationship or role to ask for, in words (pure functions of a snapshot)."""

from __future__ import annotations

from collections.abc import Callable

from . import tables
from .facts import RelationshipFacts, Snapshot
from .wording import customer_name, names, possessive, quoted, your_groups


def best_inactive_hint(snapshot: Snapshot) -> str:
    """What to do about the partner's relationships with the customer that grant nothing yet
    (awaiting the reseller's consent, pending, expired, ...), or "" when there are none."""
    by_status: dict[str, RelationshipFacts] = {}
    for r in snapshot.held_relationships:
        by_status.setdefault(r.status, r)
    waiting = by_status.get(tables.RELATIONSHIP_APPROVAL_PENDING)
    if waiting is not None and waiting.partner_consent_pending and waiting.from_provider:
        return tables.RESELLER_CONSENT_REMEDY.format(
            name=waiting.display_name, customer_s=possessive(customer_name(snapshot))
        )
    for status, template in tables.GDAP_STATUS_REMEDIES:
        if status in by_status:
            customer = customer_name(snapshot)
            return template.format(
                name=by_status[status].display_name, customer=customer, customer_s=possessive(customer)
            )
    return ""


def new_relationship_remedy(snapshot: Snapshot) -> str:
    """Ask the customer for a new relationship with the least-privileged role for the workload."""
    customer = customer_name(snapshot)
    role = (
        tables.LEAST_PRIVILEGED_ANY_ROLE
        if snapshot.request.workload == "azure"
        else tables.LEAST_PRIVILEGED_TICKET_ROLE
    )
    return (
        f"Create a GDAP relationship with {customer} that includes {role}, lock it for approval and have "
        f"{possessive(customer)} Global Administrator approve it."
    )


def for_resellers(snapshot: Snapshot) -> str:
    """A sentence on the relationships the partner created for its resellers: they give it no access."""
    mine = snapshot.reseller_relationships
    if not mine:
        return ""
    listed = names(f"'{r.display_name}' ({r.status}, created for {r.for_reseller})" for r in mine)
    verb = "grants" if len(mine) == 1 else "grant"
    return (
        f" Under GDAP-INDIRECT-RESELLER, {listed} {verb} your indirect reseller's security groups, "
        "never yours."
    )


def role_source(snapshot: Snapshot, template_id: str) -> str:
    """Through which group and relationship the user holds the role, or ""."""
    for a in snapshot.active_user_assignments:
        if any(r.template_id == template_id for r in a.roles):
            return f"through '{a.group_name}' in '{snapshot.relationship_name(a.relationship_id)}'"
    return ""


def grant_role_remedy(snapshot: Snapshot, role_name: str, *, has_role: Callable) -> str:
    """How to get a role matching ``has_role``: into an assignment, or into a new relationship."""
    customer = customer_name(snapshot)
    active = snapshot.active_relationships
    if not active:
        return (
            f"First get an active GDAP relationship with {customer} that includes {role_name} "
            f"(see SR-GDAP-ACTIVE), then assign it to {your_groups(snapshot)}."
        )
    carrying = [r for r in active if any(has_role(role) for role in r.roles)]
    if not carrying:
        return (
            f"No active relationship with {customer} ({quoted(r.display_name for r in active)}) includes "
            f"a suitable role: request a new GDAP relationship from {customer} that includes {role_name}."
        )
    relationship = carrying[0]
    suggested = next(
        (role.name for role in relationship.roles if role.name == role_name),
        next(role.name for role in relationship.roles if has_role(role)),
    )
    return (
        f"Add {suggested} to an active access assignment for {your_groups(snapshot)} in the relationship "
        f"'{relationship.display_name}'."
    )
