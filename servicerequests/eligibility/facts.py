"""The facts the eligibility rules read: plain frozen dataclasses, built by ``snapshot.snapshot_build``
from a fixed number of queries (or by tests, without a database), so the rules stay pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from . import tables
from .types import EligibilityRequest


@dataclass(frozen=True)
class PartnerFacts:
    """A partner as the rules see it (the filing partner, a provider, a reseller)."""

    id: Any
    name: str
    type: str
    cloud: str = "commercial"
    domains: tuple[str, ...] = ()
    support_email: str = ""
    support_phone: str = ""
    support_url: str = ""
    indirect_provider: PartnerFacts | None = None
    #: Whether the partner has a webhook registration (read with the filing partner only; True,
    #: "look them up", when not known).
    has_webhook_registrations: bool = field(default=True, compare=False)

    @property
    def contact_line(self) -> str:
        parts = [p for p in (self.support_url, self.support_email, self.support_phone) if p]
        return f"{self.name} ({', '.join(parts)})" if parts else self.name


@dataclass(frozen=True)
class UserFacts:
    """The filing user: identity, Partner Center role codes and security groups (id → name)."""

    id: Any
    username: str
    email: str = ""
    phone: str = ""
    roles: frozenset[str] = frozenset()
    groups: dict[Any, str] = field(default_factory=dict)

    @property
    def group_names(self) -> list[str]:
        return sorted(self.groups.values())


@dataclass(frozen=True)
class CustomerFacts:
    """The customer tenant: id, name, cloud, country and its domains (lower case)."""

    id: Any
    name: str
    cloud: str
    default_domain: str = ""
    domains: tuple[str, ...] = ()
    country: str = ""


@dataclass(frozen=True)
class RoleFacts:
    """An Entra role with its capabilities (from a ``gdap.EntraRole`` row)."""

    template_id: str
    name: str
    support_tickets: bool = False
    service_health: bool = False


@dataclass(frozen=True)
class RelationshipFacts:
    """A GDAP relationship between the partner and the customer. ``for_reseller``: the name of the
    indirect reseller the partner (an indirect provider) created it for; such a relationship grants
    that reseller's groups, never the partner's (GDAP-INDIRECT-RESELLER). ``from_provider``: the
    name of the indirect provider that created it for the partner; ``partner_consent_pending``:
    that reseller has not answered it yet (Graph's ``isPartnerConsentPending``)."""

    id: str
    display_name: str
    status: str
    end_at: datetime | None
    roles: tuple[RoleFacts, ...] = ()
    for_reseller: str = ""
    from_provider: str = ""
    partner_consent_pending: bool = False

    def is_active_at(self, at: datetime) -> bool:
        return (
            self.status == tables.ACTIVE_RELATIONSHIP_STATUS and self.end_at is not None and self.end_at > at
        )


@dataclass(frozen=True)
class AssignmentFacts:
    """An access assignment: roles of a relationship granted to one of the partner's groups."""

    id: Any
    relationship_id: str
    group_id: Any
    group_name: str
    status: str
    roles: tuple[RoleFacts, ...] = ()


@dataclass(frozen=True)
class RbacFacts:
    """An Azure RBAC role on the chosen subscription, held by a user or a security group."""

    role_definition_id: str
    user_id: Any = None
    group_id: Any = None
    group_name: str = ""


@dataclass(frozen=True)
class SubscriptionFacts:
    """The chosen subscription of the customer, with its provider, reseller, ISV and RBAC."""

    id: Any
    workload: str
    offer: str
    status: str = "active"
    channel: str = "csp"
    azure_subscription_id: Any = None
    provider: PartnerFacts | None = None
    reseller: PartnerFacts | None = None
    isv: dict[str, str] | None = None
    rbac: tuple[RbacFacts, ...] = ()

    @property
    def label(self) -> str:
        ident = self.azure_subscription_id or self.id
        return f"'{self.offer}' ({ident})"


@dataclass(frozen=True)
class EntitlementFacts:
    """One of the partner's own support entitlements."""

    entitlement_id: str
    kind: str
    valid_until: datetime | None = None

    def is_valid_at(self, at: datetime) -> bool:
        return self.valid_until is None or self.valid_until > at

    @property
    def label(self) -> str:
        kind = tables.ENTITLEMENT_KIND_NAMES.get(self.kind, self.kind)
        return f"{self.entitlement_id} ({kind})"


@dataclass(frozen=True)
class Snapshot:
    """Everything the rules read for one request at one moment.

    ``user``/``partner`` are None for an unknown user or one without a
    partner; ``customer`` is None for an own-subscription request (or when
    there is no partner to see it through); ``subscription`` is None when
    none is chosen or it is not one of this customer's. ``assignments`` holds
    the live assignments of the user's groups in active relationships and,
    when none of those is active, a few active ones of other groups.
    """

    request: EligibilityRequest
    now: datetime
    user: UserFacts | None = None
    partner: PartnerFacts | None = None
    customer: CustomerFacts | None = None
    relationships: tuple[RelationshipFacts, ...] = ()
    assignments: tuple[AssignmentFacts, ...] = ()
    subscription: SubscriptionFacts | None = None
    entitlements: tuple[EntitlementFacts, ...] = ()

    @cached_property
    def held_relationships(self) -> tuple[RelationshipFacts, ...]:
        """The relationships whose roles can reach the partner's groups: all but those it created for
        one of its indirect resellers (GDAP-INDIRECT-RESELLER)."""
        return tuple(r for r in self.relationships if not r.for_reseller)

    @cached_property
    def reseller_relationships(self) -> tuple[RelationshipFacts, ...]:
        """Relationships the partner (an indirect provider) created for its resellers: visible to it,
        but they give it no access (GDAP-INDIRECT-RESELLER)."""
        return tuple(r for r in self.relationships if r.for_reseller)

    @cached_property
    def active_relationships(self) -> tuple[RelationshipFacts, ...]:
        """SR-GDAP-ACTIVE: status ``active``, end date in the future, and held by the partner."""
        return tuple(r for r in self.held_relationships if r.is_active_at(self.now))

    @cached_property
    def user_assignments(self) -> tuple[AssignmentFacts, ...]:
        """Assignments to one of the user's groups inside an active relationship (any status)."""
        active_ids = {r.id for r in self.active_relationships}
        groups = self.user.groups if self.user else {}
        return tuple(a for a in self.assignments if a.relationship_id in active_ids and a.group_id in groups)

    @cached_property
    def active_user_assignments(self) -> tuple[AssignmentFacts, ...]:
        """SR-GDAP-ASSIGNMENT: the user's groups' ``active`` assignments in active relationships."""
        return tuple(a for a in self.user_assignments if a.status == tables.ACTIVE_ASSIGNMENT_STATUS)

    @cached_property
    def effective_roles(self) -> dict[str, RoleFacts]:
        """Entra roles the user gets in the customer tenant (template id → role)."""
        roles: dict[str, RoleFacts] = {}
        for assignment in self.active_user_assignments:
            for role in assignment.roles:
                roles.setdefault(role.template_id, role)
        return roles

    def relationship_name(self, relationship_id: str) -> str:
        for r in self.relationships:
            if r.id == relationship_id:
                return r.display_name
        return relationship_id
