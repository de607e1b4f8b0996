"""Reads about GDAP, scoped to the acting user's partner."""

from datetime import timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from customers.models import Customer
from partners.choices import PartnerCenterRole
from partners.models import User

from .choices import AUTO_EXTEND_OFF, AssignmentStatus, RelationshipStatus
from .models import AccessAssignment, EntraRole, Operation, Relationship, RelationshipRequest, RoleTemplate
from .rules import LIVE_STATUSES

EXPIRING_WITHIN_DAYS = (30, 7, 1)  # the Partner Center expiry views (GDAP-EXPIRY-NOTICE)


def relationship_list(*, actor: User) -> QuerySet[Relationship]:
    """Relationships the actor may see: their partner's, those created for their partner by its
    indirect provider, or (for a customer-side admin) those with their customer that the partner has
    sent (a ``created`` draft is the partner's alone until it is locked for approval)."""
    if actor.customer_id is not None:
        return Relationship.objects.filter(customer_id=actor.customer_id).exclude(
            status=RelationshipStatus.CREATED
        )
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


def active_assignments(*, user: User, at=None) -> QuerySet[AccessAssignment]:
    """Active access assignments to the user's security groups in the partner's active relationships."""
    if user.partner_id is None:
        return AccessAssignment.objects.none()
    at = at or timezone.now()
    return AccessAssignment.objects.filter(
        status=AssignmentStatus.ACTIVE,
        security_group__members=user.pk,
        relationship__partner_id=user.partner_id,
        relationship__status=RelationshipStatus.ACTIVE,
        relationship__end_at__gt=at,
    )


def effective_roles(*, user: User, customer_id, at=None) -> QuerySet[EntraRole]:
    """Entra roles the user holds in the customer's tenant: roles of ``active`` access assignments,
    to a security group the user belongs to, inside an active relationship (one query)."""
    if user.partner_id is None:
        return EntraRole.objects.none()
    return EntraRole.objects.filter(
        access_assignments__in=active_assignments(user=user, at=at).filter(
            relationship__customer_id=customer_id
        )
    ).distinct()


def health_visible_customer_ids(*, user: User, at=None) -> QuerySet:
    """Ids of customers in whose tenant the user holds an Entra role with the ``service_health``
    capability (HEALTH-BEFORE-ESCALATION), as a subquery."""
    return (
        active_assignments(user=user, at=at)
        .filter(roles__service_health=True)
        .values("relationship__customer_id")
    )


def relationship_get(*, actor: User, relationship_id) -> Relationship:
    """One relationship the actor may see, with partner, customer and roles loaded; raises
    ``Relationship.DoesNotExist`` otherwise (another partner's relationship is a 404)."""
    return (
        relationship_list(actor=actor)
        .select_related("partner", "customer", "created_for_reseller")
        .prefetch_related("roles")
        .get(pk=str(relationship_id))
    )


def relationship_page_list(
    *, actor: User, status: str = "", expiring_within_days: int | None = None, at=None
) -> QuerySet[Relationship]:
    """The relationships page: optionally one status, or the active non-extending ones ending within
    30 / 7 / 1 days (the Partner Center expiry views), soonest first; customer loaded."""
    qs = relationship_list(actor=actor).select_related("customer", "partner")
    if expiring_within_days:
        at = at or timezone.now()
        qs = qs.filter(
            status=RelationshipStatus.ACTIVE,
            auto_extend_duration=AUTO_EXTEND_OFF,
            end_at__gt=at,
            end_at__lte=at + timedelta(days=expiring_within_days),
        ).order_by("end_at", "id")
    else:
        qs = qs.order_by("-created_at", "-id")
    if status:
        qs = qs.filter(status=status)
    return qs.annotate(role_count=Count("roles", distinct=True))


def assignment_list(
    *, relationship: Relationship, include_deleted: bool = False
) -> QuerySet[AccessAssignment]:
    """Access assignments of a relationship the caller already obtained through a selector."""
    qs = relationship.access_assignments.select_related("security_group").prefetch_related("roles")
    if not include_deleted:
        qs = qs.exclude(status=AssignmentStatus.DELETED)
    return qs.order_by("created_at", "id")


def assignment_get(*, relationship: Relationship, assignment_id) -> AccessAssignment:
    """One assignment of the relationship; raises ``AccessAssignment.DoesNotExist``."""
    return assignment_list(relationship=relationship, include_deleted=True).get(pk=assignment_id)


def request_list(*, relationship: Relationship) -> QuerySet[RelationshipRequest]:
    return relationship.requests.order_by("created_at", "id")


def operation_list(*, relationship: Relationship) -> QuerySet[Operation]:
    return relationship.operations.order_by("created_at", "id")


def pending_invitations(*, actor: User) -> QuerySet[Relationship]:
    """``approvalPending`` relationships the actor may approve: a customer admin's (not those an
    indirect provider created for a reseller), or a reseller admin agent's (GDAP-INDIRECT-RESELLER)."""
    pending = Relationship.objects.filter(status=RelationshipStatus.APPROVAL_PENDING).select_related(
        "partner", "customer"
    )
    if actor.customer_id is not None:
        return pending.filter(customer_id=actor.customer_id, created_for_reseller__isnull=True)
    if actor.partner_id is not None and actor.has_role(PartnerCenterRole.ADMIN_AGENT):
        return pending.filter(created_for_reseller_id=actor.partner_id)
    return Relationship.objects.none()


def role_catalogue() -> QuerySet[EntraRole]:
    """Every Entra role, ordered by name, for the role picker."""
    return EntraRole.objects.order_by("name")


def role_template_list(*, actor: User) -> QuerySet[RoleTemplate]:
    """The actor's partner's saved role templates, roles loaded."""
    if actor.partner_id is None:
        return RoleTemplate.objects.none()
    return RoleTemplate.objects.filter(partner_id=actor.partner_id).prefetch_related(
        Prefetch("roles", queryset=EntraRole.objects.order_by("name"))
    )


def delegated_admin_customer_list(*, actor: User) -> QuerySet[Customer]:
    """Graph ``delegatedAdminCustomers``: customers with at least one relationship of the actor's
    partner that is not yet expired or terminated."""
    if actor.partner_id is None:
        return Customer.objects.none()
    return (
        Customer.objects.filter(
            gdap_relationships__partner_id=actor.partner_id, gdap_relationships__status__in=LIVE_STATUSES
        )
        .distinct()
        .order_by("name", "id")
    )


def customer_relationship_list(*, actor: User) -> QuerySet[Relationship]:
    """A customer's admin's "Partner relationships": every relationship a partner sent to the actor's
    customer (never a ``created`` draft), partner and roles loaded, pending ones first, then newest."""
    if actor.customer_id is None:
        return Relationship.objects.none()
    return (
        relationship_list(actor=actor)
        .select_related("partner", "created_for_reseller")
        .prefetch_related(Prefetch("roles", queryset=EntraRole.objects.order_by("name")))
        .order_by("-created_at", "-id")
    )
