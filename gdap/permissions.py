"""Who may act on a relationship (the actor kinds of ``gdap.rules``), as predicates."""

from partners.choices import PartnerCenterRole

from .rules import APPROVER, CUSTOMER_ADMIN, PARTNER_ADMIN_AGENT, RELATIONSHIP_TRANSITIONS


def is_admin_agent_of(actor, partner_id) -> bool:
    """The actor is an admin agent of that partner."""
    return (
        partner_id is not None
        and actor.partner_id == partner_id
        and actor.has_role(PartnerCenterRole.ADMIN_AGENT)
    )


def is_partner_admin_agent(actor, relationship) -> bool:
    return is_admin_agent_of(actor, relationship.partner_id)


def is_approver(actor, relationship) -> bool:
    """GDAP-APPROVE / GDAP-INDIRECT-RESELLER: the customer's admin approves, except for a relationship
    an indirect provider created for its reseller, which that reseller's admin agents approve."""
    if relationship.created_for_reseller_id is not None:
        return is_admin_agent_of(actor, relationship.created_for_reseller_id)
    return actor.customer_id is not None and actor.customer_id == relationship.customer_id


def is_customer_admin(actor, relationship) -> bool:
    return actor.customer_id is not None and actor.customer_id == relationship.customer_id


ACTOR_PREDICATES = {
    PARTNER_ADMIN_AGENT: is_partner_admin_agent,
    APPROVER: is_approver,
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
