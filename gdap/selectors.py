"""Reads about GDAP, scoped to the acting user's partner."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from partners.models import User

from .choices import AssignmentStatus, RelationshipStatus
from .models import EntraRole, Relationship


def relationship_list(*, actor: User) -> QuerySet[Relationship]:
    """Relationships the actor may see: their partner's, those created for their partner by its
    indirect provider, or (for a customer-side admin) those with their customer."""
    if actor.customer_id is not None:
        return Relationship.objects.filter(customer_id=actor.customer_id)
    if actor.partner_id is None:
        return Relationship.objects.none()
    return Relationship.objects.filter(
        Q(partner_id=actor.partner_id) | Q(created_for_reseller_id=actor.partner_id)
    )


def active_relationships(*, partner_id, customer_id, at=None) -> QuerySet[Relationship]:
    """Relationships between partner and customer that are ``active`` with an end date in the future
    (SR-GDAP-ACTIVE)."""
    at = at or timezone.now()
    return Relationship.objects.filter(
        partner_id=partner_id, customer_id=customer_id, status=RelationshipStatus.ACTIVE, end_at__gt=at
    )


def effective_roles(*, user: User, customer_id, at=None) -> QuerySet[EntraRole]:
    """Entra roles the user holds in the customer's tenant: roles of ``active`` access assignments,
    to a security group the user belongs to, inside an active relationship (one query)."""
    if user.partner_id is None:
        return EntraRole.objects.none()
    at = at or timezone.now()
    return EntraRole.objects.filter(
        access_assignments__status=AssignmentStatus.ACTIVE,
        access_assignments__security_group__memberships__user_id=user.pk,
        access_assignments__relationship__partner_id=user.partner_id,
        access_assignments__relationship__customer_id=customer_id,
        access_assignments__relationship__status=RelationshipStatus.ACTIVE,
        access_assignments__relationship__end_at__gt=at,
    ).distinct()
