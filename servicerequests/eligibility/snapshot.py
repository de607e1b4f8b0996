"""Everything the eligibility rules need, loaded with a fixed number of queries.

``snapshot_build`` reads at most five queries whatever the number of
relationships, assignments, groups, roles or subscriptions (joins, no
per-row queries):

1. the user, their partner (and its indirect provider), Partner Center roles and security groups;
2. the customer with its domains, only if linked to the user's partner: in the statement of 1
   (``queries.user_and_customer_rows``), or, when the caller already read the customer for the
   user, only its domains;
3. the GDAP relationships with that customer the partner sees (its own, and those its indirect
   provider created for it: GDAP-INDIRECT-RESELLER), with their roles, and in the same statement
   the live access assignments of the user's groups inside the active ones, with their roles;
4. only when none of them is active: a few active assignments of other groups (to name in the remedy);
5. the chosen subscription with its provider, reseller, ISV and Azure RBAC assignments.

A request about the partner's own subscription reads 1 and the partner's
support entitlements instead. The snapshot is plain frozen dataclasses, so
the rule functions are pure and tests can build snapshots without a database.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q

from customers.models import Customer, Subscription
from gdap.choices import AssignmentStatus
from gdap.models import AccessAssignment
from gdap.selectors import held_by
from partners.models import SupportEntitlement, User

from . import queries, tables
from .facts import (
    AssignmentFacts,
    CustomerFacts,
    EntitlementFacts,
    PartnerFacts,
    RbacFacts,
    RelationshipFacts,
    RoleFacts,
    Snapshot,
    SubscriptionFacts,
    UserFacts,
)
from .types import CustomerNotVisible, EligibilityRequest

# --- Loading ---------------------------------------------------------------------------------


def _as_uuid(value: Any) -> uuid.UUID | None:
    if value is None or value == "":
        return None
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (ValueError, AttributeError, TypeError):
        return None


def _as_user_pk(value: Any) -> Any:
    try:
        return User._meta.pk.to_python(value)
    except (ValidationError, TypeError, ValueError):
        return None


def _role(row: dict[str, Any]) -> RoleFacts | None:
    if row["roles__template_id"] is None:
        return None
    return RoleFacts(
        template_id=str(row["roles__template_id"]),
        name=row["roles__name"],
        support_tickets=bool(row["roles__support_tickets"]),
        service_health=bool(row["roles__service_health"]),
    )


_ROLE_FIELDS = ("roles__template_id", "roles__name", "roles__support_tickets", "roles__service_health")


def _partner_ref(row: dict[str, Any], prefix: str) -> PartnerFacts | None:
    if row[f"{prefix}_id"] is None:
        return None
    return PartnerFacts(
        id=row[f"{prefix}_id"],
        name=row[f"{prefix}__name"],
        type=row[f"{prefix}__type"],
        support_email=row[f"{prefix}__support_email"] or "",
        support_phone=row[f"{prefix}__support_phone"] or "",
        support_url=row[f"{prefix}__support_url"] or "",
    )


def _partner_ref_fields(prefix: str) -> tuple[str, ...]:
    return tuple(
        f"{prefix}{suffix}"
        for suffix in ("_id", "__name", "__type", "__support_email", "__support_phone", "__support_url")
    )


# Queries 1 to 3 run on every decision: SQL written once (``queries``). The rarer ones below are
# ``values()`` joins (rows as dicts with the same keys). On PostgreSQL the driver prepares both kinds
# once per connection after a few runs (``DATABASES`` ``OPTIONS`` in the settings).


def _active_assignments_of(partner_id, customer_id, now):
    """Live assignments inside the active relationships held by the partner (``held_by``: not those
    it created for a reseller, but those created for it)."""
    return AccessAssignment.objects.filter(
        held_by(partner_id, "relationship__"),
        relationship__customer_id=customer_id,
        relationship__status=tables.ACTIVE_RELATIONSHIP_STATUS,
        relationship__end_at__gt=now,
    ).exclude(status=AssignmentStatus.DELETED)


OTHER_GROUPS_SAMPLE = 3


def _other_assignment_rows(*, partner_id, customer_id, now, group_ids) -> list[dict[str, Any]]:
    return list(
        _active_assignments_of(partner_id, customer_id, now)
        .filter(status=tables.ACTIVE_ASSIGNMENT_STATUS)
        .exclude(security_group_id__in=group_ids)
        .order_by("security_group__name", "id")
        .values("id", "relationship_id", "security_group_id", "security_group__name", "status")[
            :OTHER_GROUPS_SAMPLE
        ]
    )


def _subscription_rows(*, subscription_pk, customer_id) -> list[dict[str, Any]]:
    return list(
        Subscription.objects.filter(
            Q(pk=subscription_pk) | Q(azure_subscription_id=subscription_pk), customer_id=customer_id
        ).values(
            "id",
            "workload",
            "offer",
            "status",
            "channel",
            "azure_subscription_id",
            *_partner_ref_fields("provider"),
            *_partner_ref_fields("reseller"),
            "isv_id",
            "isv__name",
            "isv__support_url",
            "isv__support_email",
            "isv__support_phone",
            "azure_role_assignments__role_definition_id",
            "azure_role_assignments__user_id",
            "azure_role_assignments__group_id",
            "azure_role_assignments__group__name",
        )
    )


def _entitlement_rows(*, partner_id) -> list[dict[str, Any]]:
    return list(
        SupportEntitlement.objects.filter(partner_id=partner_id)
        .order_by("entitlement_id")
        .values("entitlement_id", "kind", "valid_until")
    )


def _load_user(user_pk: Any) -> tuple[UserFacts | None, PartnerFacts | None]:
    """Query 1: the user, the partner, its indirect provider, the user's roles and security groups.

    One row per (role, group) pair: both are a handful per user.
    """
    if user_pk is None:
        return None, None
    return _user_facts(queries.user_rows(user_pk=user_pk))


def _load_user_and_customer(
    user_pk: Any, customer_pk: uuid.UUID
) -> tuple[UserFacts | None, PartnerFacts | None, CustomerFacts | None]:
    """Queries 1 and 2 in one statement: ``_load_user``, and the customer and its domains (a row
    per domain), only if it is linked to the user's partner."""
    if user_pk is None:
        return None, None, None
    user_rows, customer_rows = queries.user_and_customer_rows(user_pk=user_pk, customer_id=customer_pk)
    return *_user_facts(user_rows), _customer_from_rows(customer_rows)


def _user_facts(rows: list[dict[str, Any]]) -> tuple[UserFacts | None, PartnerFacts | None]:
    if not rows:
        return None, None
    first = rows[0]
    user = UserFacts(
        id=first["id"],
        username=first["username"],
        email=first["email"] or "",
        phone=first["phone"] or "",
        roles=frozenset(r["roles__role"] for r in rows if r["roles__role"]),
        groups={
            r["memberships__group_id"]: r["memberships__group__name"]
            for r in sorted(rows, key=lambda r: r["memberships__group__name"] or "")
            if r["memberships__group_id"] is not None
            and r["memberships__group__partner_id"] == first["partner_id"]
        },
    )
    partner = None
    if first["partner_id"] is not None:
        partner = PartnerFacts(
            id=first["partner_id"],
            name=first["partner__name"],
            type=first["partner__type"],
            cloud=first["partner__cloud"],
            domains=tuple(first["partner__domains"] or ()),
            support_email=first["partner__support_email"] or "",
            support_phone=first["partner__support_phone"] or "",
            support_url=first["partner__support_url"] or "",
            indirect_provider=_partner_ref(first, "partner__indirect_provider"),
            has_webhook_registrations=first["partner__has_webhook_registrations"],
        )
    return user, partner


def _customer_from_rows(rows: list[dict[str, Any]]) -> CustomerFacts | None:
    if not rows:
        return None
    first = rows[0]
    domains = {r["domains__domain"].lower() for r in rows if r["domains__domain"]}
    if first["default_domain"]:
        domains.add(first["default_domain"].lower())
    return CustomerFacts(
        id=first["id"],
        name=first["name"],
        cloud=first["cloud"],
        default_domain=first["default_domain"] or "",
        domains=tuple(sorted(domains)),
        country=first["country"] or "",
    )


def _load_relationships_and_assignments(
    partner: PartnerFacts, customer: CustomerFacts, user: UserFacts, now: datetime
) -> tuple[tuple[RelationshipFacts, ...], list[dict[str, Any]]]:
    """Query 3: the GDAP relationships with the customer the partner sees, with their roles; and,
    in the same statement, the rows of the live access assignments of the user's groups inside the
    active ones (``_assignments``)."""
    relationship_rows, assignment_rows = queries.relationship_and_assignment_rows(
        partner_id=partner.id,
        customer_id=customer.id,
        now=now,
        group_ids=list(user.groups),
        relationship_status=tables.ACTIVE_RELATIONSHIP_STATUS,
        deleted_status=AssignmentStatus.DELETED,
    )
    return _relationships(partner, relationship_rows), assignment_rows


def _with_roles(rows: list[dict[str, Any]]) -> list[tuple[dict[str, Any], tuple[RoleFacts, ...]]]:
    """Rows of a row per (object, role), in order: each object's first row and its roles."""
    grouped: dict[Any, tuple[dict[str, Any], list[RoleFacts]]] = {}
    for row in rows:
        _first, roles = grouped.setdefault(row["id"], (row, []))
        role = _role(row)
        if role is not None:
            roles.append(role)
    return [(row, tuple(roles)) for row, roles in grouped.values()]


def _relationships(partner: PartnerFacts, rows: list[dict[str, Any]]) -> tuple[RelationshipFacts, ...]:
    """The relationships of ``queries.relationship_rows``' rows (a row per role)."""
    return tuple(
        RelationshipFacts(
            id=row["id"],
            display_name=row["display_name"],
            status=row["status"],
            end_at=row["end_at"],
            roles=roles,
            for_reseller=row["created_for_reseller__name"] or "" if row["partner_id"] == partner.id else "",
            from_provider=row["partner__name"] if row["created_for_reseller_id"] == partner.id else "",
            partner_consent_pending=(
                row["created_for_reseller_id"] is not None and row["partner_consent_at"] is None
            ),
        )
        for row, roles in _with_roles(rows)
    )


def _assignments(rows: list[dict[str, Any]]) -> tuple[AssignmentFacts, ...]:
    """The assignments of ``queries.relationship_and_assignment_rows``' rows (a row per role)."""
    return tuple(
        AssignmentFacts(
            id=row["id"],
            relationship_id=row["relationship_id"],
            group_id=row["security_group_id"],
            group_name=row["security_group__name"],
            status=row["status"],
            roles=roles,
        )
        for row, roles in _with_roles(rows)
    )


def _load_other_group_assignments(
    partner: PartnerFacts, customer: CustomerFacts, user: UserFacts, now: datetime
) -> tuple[AssignmentFacts, ...]:
    """Query 4: a few active assignments of groups the user is not in (their roles are not needed)."""
    rows = _other_assignment_rows(
        partner_id=partner.id, customer_id=customer.id, now=now, group_ids=list(user.groups)
    )
    return tuple(
        AssignmentFacts(
            id=r["id"],
            relationship_id=r["relationship_id"],
            group_id=r["security_group_id"],
            group_name=r["security_group__name"],
            status=r["status"],
        )
        for r in rows
    )


def _load_subscription(subscription_pk: uuid.UUID, customer: CustomerFacts) -> SubscriptionFacts | None:
    """Query 5: the customer's subscription (by id or Azure subscription id) and its RBAC."""
    rows = _subscription_rows(subscription_pk=subscription_pk, customer_id=customer.id)
    if not rows:
        return None
    chosen_id = next((r["id"] for r in rows if r["id"] == subscription_pk), rows[0]["id"])
    rows = [r for r in rows if r["id"] == chosen_id]
    first = rows[0]
    isv = None
    if first["isv_id"] is not None:
        isv = {
            "name": first["isv__name"],
            "supportUrl": first["isv__support_url"] or "",
            "supportEmail": first["isv__support_email"] or "",
            "supportPhone": first["isv__support_phone"] or "",
        }
    rbac = tuple(
        RbacFacts(
            role_definition_id=r["azure_role_assignments__role_definition_id"],
            user_id=r["azure_role_assignments__user_id"],
            group_id=r["azure_role_assignments__group_id"],
            group_name=r["azure_role_assignments__group__name"] or "",
        )
        for r in rows
        if r["azure_role_assignments__role_definition_id"]
    )
    return SubscriptionFacts(
        id=first["id"],
        workload=first["workload"],
        offer=first["offer"],
        status=first["status"],
        channel=first["channel"],
        azure_subscription_id=first["azure_subscription_id"],
        provider=_partner_ref(first, "provider"),
        reseller=_partner_ref(first, "reseller"),
        isv=isv,
        rbac=rbac,
    )


def _load_entitlements(partner: PartnerFacts) -> tuple[EntitlementFacts, ...]:
    """The partner's own support entitlements (own-subscription requests only)."""
    return tuple(
        EntitlementFacts(entitlement_id=r["entitlement_id"], kind=r["kind"], valid_until=r["valid_until"])
        for r in _entitlement_rows(partner_id=partner.id)
    )


def _customer_facts(customer: Customer) -> CustomerFacts:
    """Query 2 when the caller already read the customer: only its domains."""
    domains = {d.lower() for d in customer.domains.values_list("domain", flat=True)}
    if customer.default_domain:
        domains.add(customer.default_domain.lower())
    return CustomerFacts(
        id=customer.pk,
        name=customer.name,
        cloud=customer.cloud,
        default_domain=customer.default_domain or "",
        domains=tuple(sorted(domains)),
        country=customer.country or "",
    )


def snapshot_build(
    request: EligibilityRequest, *, now: datetime, customer: Customer | None = None
) -> Snapshot:
    """Load the snapshot for ``request`` at ``now`` (at most five queries).

    ``customer``: the customer of ``request.customer_id`` as the caller already read it for the
    requesting partner user (``customers.selectors.customer_get``, which checks the same link to
    the user's partner); then only its domains are read, not the customer again.

    Never raises for an unknown user or subscription: they are simply absent
    from the snapshot and the rules report them. Raises
    :class:`CustomerNotVisible` when a customer is given that does not exist
    or is not linked to the user's partner (callers answer 404). A user
    without a partner sees no customer at all: nothing is loaded for it.
    """
    customer_pk = _as_uuid(request.customer_id) if request.customer_id is not None else None
    known = customer is not None and customer_pk is not None and customer.pk == customer_pk
    if customer_pk is not None and not known:
        # The customer is read with the user, for the user's partner (one statement).
        user, partner, customer = _load_user_and_customer(_as_user_pk(request.user_id), customer_pk)
    else:
        user, partner = _load_user(_as_user_pk(request.user_id))
        customer = _customer_facts(customer) if known else None
    if user is None or partner is None:
        return Snapshot(request=request, now=now, user=user, partner=partner)

    if request.customer_id is None:
        return Snapshot(
            request=request, now=now, user=user, partner=partner, entitlements=_load_entitlements(partner)
        )

    if customer is None:
        raise CustomerNotVisible(request.customer_id)

    relationships, assignment_rows = _load_relationships_and_assignments(partner, customer, user, now)
    assignments: tuple[AssignmentFacts, ...] = ()
    if any(r.is_active_at(now) and not r.for_reseller for r in relationships):
        assignments = _assignments(assignment_rows)
        if not any(a.status == tables.ACTIVE_ASSIGNMENT_STATUS for a in assignments):
            assignments += _load_other_group_assignments(partner, customer, user, now)
    subscription = None
    subscription_pk = _as_uuid(request.subscription_id)
    if subscription_pk is not None:
        subscription = _load_subscription(subscription_pk, customer)
    return Snapshot(
        request=request,
        now=now,
        user=user,
        partner=partner,
        customer=customer,
        relationships=relationships,
        assignments=assignments,
        subscription=subscription,
    )
