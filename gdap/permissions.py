"""Who may act on a relationship (the actor kinds of ``gdap.rules``), as predicates.

For a relationship an indirect provider created for one of its resellers (GDAP-INDIRECT-RESELLER)
the provider is the *creator* (it edits and sends the draft) and the reseller the *holder* (it
consents, manages access and may terminate); for any other relationship both are its partner.
"""

from partners.choices import PartnerCenterRole

from .choices import RelationshipStatus
from .rules import (
    APPROVER,
    CUSTOMER_ADMIN,
    HOLDER_ADMIN_AGENT,
    MANAGER,
    PARTNER_ADMIN_AGENT,
    RELATIONSHIP_TRANSITIONS,
    RESELLER_ADMIN_AGENT,
)


def is_admin_agent_of(actor, partner_id) -> bool:
    """The actor is an admin agent of that partner."""
    return (
        partner_id is not None
        and actor.partner_id == partner_id
        and actor.has_role(PartnerCenterRole.ADMIN_AGENT)
    )


def is_partner_admin_agent(actor, relationship) -> bool:
    """An admin agent of the partner that created the relationship."""
    return is_admin_agent_of(actor, relationship.partner_id)


def is_holder_admin_agent(actor, relationship) -> bool:
    """An admin agent of the partner whose security groups the relationship grants."""
    return is_admin_agent_of(actor, relationship.holder_id)


def is_reseller_admin_agent(actor, relationship) -> bool:
    """An admin agent of the reseller an indirect provider created the relationship for."""
    return is_admin_agent_of(actor, relationship.created_for_reseller_id)


def is_manager(actor, relationship) -> bool:
    """The creator's admin agents while the relationship is a draft, the holder's afterwards."""
    if relationship.status == RelationshipStatus.CREATED:
        return is_partner_admin_agent(actor, relationship)
    return is_holder_admin_agent(actor, relationship)


def is_customer_admin(actor, relationship) -> bool:
    return actor.customer_id is not None and actor.customer_id == relationship.customer_id


def is_approver(actor, relationship) -> bool:
    """Who answers the relationship's pending approval now: the reseller's admin agents while a
    reseller's consent is pending (GDAP-INDIRECT-RESELLER), otherwise the customer's admin."""
    if relationship.is_partner_consent_pending:
        return is_reseller_admin_agent(actor, relationship)
    return is_customer_admin(actor, relationship)


ACTOR_PREDICATES = {
    PARTNER_ADMIN_AGENT: is_partner_admin_agent,
    HOLDER_ADMIN_AGENT: is_holder_admin_agent,
    MANAGER: is_manager,
    RESELLER_ADMIN_AGENT: is_reseller_admin_agent,
    APPROVER: is_customer_admin,
    CUSTOMER_ADMIN: is_customer_admin,
}


def may(actor, relationship, actor_kinds) -> bool:
    """Whether the actor is one of ``actor_kinds`` for this relationship."""
    return any(
        ACTOR_PREDICATES[kind](actor, relationship) for kind in actor_kinds if kind in ACTOR_PREDICATES
    )


def may_transition(actor, relationship, action: str) -> bool:
    """Whether ``action`` of ``RELATIONSHIP_TRANSITIONS`` is open to the actor on this relationship now:
    its status is one the action starts from and the actor is one of those who may ask (the check the
    services make, so a page offers the action only where it would be accepted)."""
    from_statuses, _to, _rule, actor_kinds = RELATIONSHIP_TRANSITIONS[action]
    return relationship.status in from_statuses and may(actor, relationship, actor_kinds)


def is_customer_side(actor) -> bool:
    """A customer's admin (not a partner's user): sees its own tenant's side of GDAP."""
    return actor.customer_id is not None
