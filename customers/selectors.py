"""Reads about customers, always scoped to what the acting user's partner may see."""

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from partners.models import User

from .choices import RelationshipToPartner
from .models import Customer, CustomerPartnerRelationship, ServiceHealthIssue
from .support_options import SupportOptions, support_options_for


def customer_list(*, actor: User, search: str = "") -> QuerySet[Customer]:
    """The customers linked to the actor's partner, optionally searched by name or domain prefix.

    A customer-side admin sees only their own customer.
    """
    if actor.customer_id is not None:
        qs = Customer.objects.filter(pk=actor.customer_id)
    elif actor.partner_id is not None:
        qs = Customer.objects.filter(partner_links__partner_id=actor.partner_id)
    else:
        return Customer.objects.none()
    search = search.strip()
    if search:
        qs = qs.filter(
            Q(name__istartswith=search) | Q(domains__domain__istartswith=search.lower())
        ).distinct()
    return qs.order_by("name", "id")


#: ``gdap.choices.RelationshipStatus.ACTIVE``: the one GDAP status this app reads, through the
#: ``gdap_relationships`` reverse relation (gdap sits above customers, so no import).
GDAP_ACTIVE_STATUS = "active"


def customer_list_with_relationship(*, actor: User, search: str = "") -> QuerySet[Customer]:
    """``customer_list`` with two annotations about the actor's partner, for lists of customers:
    ``relationship_to_partner`` (its ``RelationshipToPartner`` value, None without a link) and
    ``allow_delegated_access`` (an active GDAP relationship whose end date is still ahead, granting
    the partner's groups; for a customer's own admin, with any partner).

    Both are subqueries: a page costs one query whatever its length.
    """
    partner_id = getattr(actor, "partner_id", None)
    relationship = CustomerPartnerRelationship.objects.filter(
        partner_id=partner_id, customer_id=OuterRef("pk")
    ).values("relationship")[:1]
    # A relationship grants the groups of its partner, or (GDAP-INDIRECT-RESELLER) of the reseller an
    # indirect provider created it for: never the provider's (``gdap.selectors.held_by``).
    # A customer's own admin: an active relationship with any partner.
    active_gdap = Customer.objects.filter(
        pk=OuterRef("pk"),
        gdap_relationships__status=GDAP_ACTIVE_STATUS,
        gdap_relationships__end_at__gt=timezone.now(),
    )
    if sees_customers_through_partner(actor):
        active_gdap = Customer.objects.filter(
            Q(
                gdap_relationships__partner_id=partner_id,
                gdap_relationships__created_for_reseller__isnull=True,
            )
            | Q(gdap_relationships__created_for_reseller_id=partner_id),
            pk=OuterRef("pk"),
            gdap_relationships__status=GDAP_ACTIVE_STATUS,
            gdap_relationships__end_at__gt=timezone.now(),
        )
    return customer_list(actor=actor, search=search).annotate(
        relationship_to_partner=Subquery(relationship), allow_delegated_access=Exists(active_gdap)
    )


def customer_relationship_to_partner(*, customer: Customer, partner_id) -> str:
    """The label of the customer's relationship to the partner ("Reseller", …), or "" without one."""
    value = (
        CustomerPartnerRelationship.objects.filter(customer=customer, partner_id=partner_id)
        .values_list("relationship", flat=True)
        .first()
    )
    return RelationshipToPartner(value).label if value in RelationshipToPartner.values else ""


def sees_customers_through_partner(actor: User) -> bool:
    """Whether the actor sees customers as a partner's user (those linked to its partner), rather
    than as a customer-side user or a user of no partner."""
    return actor.partner_id is not None and actor.customer_id is None


def customer_get(*, actor: User, customer_id) -> Customer:
    """One customer the actor may see; raises ``Customer.DoesNotExist`` otherwise (and
    ``ValidationError`` for an id that is not a UUID)."""
    if not sees_customers_through_partner(actor):
        return customer_list(actor=actor).get(pk=customer_id)
    return Customer.objects.get(pk=customer_id, partner_links__partner_id=actor.partner_id)


def service_health_issues(*, customer: Customer, workload: str = "", open_only: bool = True):
    """Service health issues that concern the customer: its own plus the global ones of its cloud
    (an incident of the commercial cloud is never shown to a US Government or GCC customer)."""
    qs = ServiceHealthIssue.objects.filter(
        Q(customer=customer) | Q(customer__isnull=True), cloud=customer.cloud
    )
    if workload:
        qs = qs.filter(workload=workload)
    if open_only:
        qs = qs.filter(is_resolved=False)
    return qs.order_by("-start_at")


def customer_support_options(*, customer: Customer) -> SupportOptions:
    """SUPPORT-OPTIONS-* for the customer, from its subscriptions (one query)."""
    return support_options_for(customer.subscriptions.only("channel", "is_trial", "status"))


def customer_partner_contacts(*, customer: Customer) -> list[dict]:
    """The partners linked to the customer with their support contact, for the customer's admin:
    ``{"name", "relationship", "email", "phone", "url"}`` by partner name (one query)."""
    links = (
        CustomerPartnerRelationship.objects.filter(customer=customer)
        .select_related("partner")
        .order_by("partner__name")
    )
    labels = dict(RelationshipToPartner.choices)
    return [
        {
            "name": link.partner.name,
            "relationship": labels.get(link.relationship, ""),
            "email": link.partner.support_email,
            "phone": link.partner.support_phone,
            "url": link.partner.support_url,
        }
        for link in links
    ]
