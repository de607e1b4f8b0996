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


def customer_visible(qs: QuerySet[Relationship]) -> QuerySet[Relationship]:
    """What a customer sees of its relationships: from ``approvalPending`` on (a ``created`` one is the
    partner's draft, never sent), and a relationship created for a reseller only once the reseller
    consented (GDAP-INDIRECT-RESELLER: until then the invitation has not reached the customer)."""
    return qs.exclude(status=RelationshipStatus.CREATED).exclude(
        created_for_reseller__isnull=False, partner_consent_at__isnull=True
    )


def relationship_list(*, actor: User) -> QuerySet[Relationship]:
    """Relationships the actor may see. The one selector every page and Graph view reads them through.

    A partner: its own (drafts included), and those its indirect provider created for it once sent
    (``approvalPending`` on, GDAP-INDIRECT-RESELLER). A customer-side admin: its customer's, as
    ``customer_visible`` allows. Anyone else: none."""
    if actor.customer_id is not None:
        return customer_visible(Relationship.objects.filter(customer_id=actor.customer_id))
    if actor.partner_id is None:
        return Relationship.objects.none()
    return Relationship.objects.filter(
        Q(partner_id=actor.partner_id)
        | (Q(created_for_reseller_id=actor.partner_id) & ~Q(status=RelationshipStatus.CREATED))
    )


def held_by(partner_id, prefix: str = "") -> Q:
    """Relationships whose roles reach ``partner_id``'s security groups: its own, except those it
    created for a reseller, and those created for it (GDAP-INDIRECT-RESELLER). ``prefix`` is the
    lookup path to the relationship (``"relationship__"`` from an access assignment)."""
    return Q(**{f"{prefix}partner_id": partner_id, f"{prefix}created_for_reseller__isnull": True}) | Q(
        **{f"{prefix}created_for_reseller_id": partner_id}
    )


def active_relationships(*, partner_id, customer_id, at=None) -> QuerySet[Relationship]:
    """Relationships between partner and customer that are ``active`` with an end date in the future
    (SR-GDAP-ACTIVE) and grant the partner's groups (``held_by``)."""
    at = at or timezone.now()
    return Relationship.objects.filter(
        held_by(partner_id), customer_id=customer_id, status=RelationshipStatus.ACTIVE, end_at__gt=at
    )


def active_assignments(*, user: User, at=None) -> QuerySet[AccessAssignment]:
    """Active access assignments to the user's security groups in active relationships held by the
    user's partner (``held_by``: a provider gets nothing through one it created for a reseller)."""
    if user.partner_id is None:
        return AccessAssignment.objects.none()
    at = at or timezone.now()
    return AccessAssignment.objects.filter(
        held_by(user.partner_id, "relationship__"),
        status=AssignmentStatus.ACTIVE,
        security_group__members=user.pk,
        security_group__partner_id=user.partner_id,
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
    qs = relationship_list(actor=actor).select_related("customer", "partner", "created_for_reseller")
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
    """``approvalPending`` relationships waiting for the actor's answer: a reseller admin agent's
    consent to one its indirect provider created for it (GDAP-INDIRECT-RESELLER), or a customer
    admin's approval (of a reseller's relationship only after the reseller consented)."""
    pending = Relationship.objects.filter(status=RelationshipStatus.APPROVAL_PENDING).select_related(
        "partner", "customer", "created_for_reseller"
    )
    if actor.customer_id is not None:
        return customer_visible(pending.filter(customer_id=actor.customer_id))
    if actor.partner_id is not None and actor.has_role(PartnerCenterRole.ADMIN_AGENT):
        return pending.filter(created_for_reseller_id=actor.partner_id, partner_consent_at__isnull=True)
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
    """Graph ``delegatedAdminCustomers``: customers with at least one relationship the actor's
    partner sees (``relationship_list``) that is not yet expired or terminated."""
    if actor.partner_id is None:
        return Customer.objects.none()
    return Customer.objects.filter(
        pk__in=relationship_list(actor=actor).filter(status__in=LIVE_STATUSES).values("customer_id")
    ).order_by("name", "id")


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
