"""The plan a valid scenario resolves into: checked values, field names as on the models, in writing
order. The validator builds it (:func:`scenario.schema.scenario_validate`); the loader writes it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any


@dataclass
class UserSpec:
    username: str
    fields: dict[str, Any]
    password: str | None
    roles: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)


@dataclass
class PartnerSpec:
    name: str
    id: uuid.UUID | None
    fields: dict[str, Any]
    indirect_provider: str | None
    groups: list[tuple[str, uuid.UUID | None, str]]  # (name, id, description)
    users: list[UserSpec]
    entitlements: list[dict[str, Any]]  # kind, entitlement_id, valid_until


@dataclass
class RbacSpec:
    role_definition_id: str
    partner: str
    user: str | None
    group: str | None


@dataclass
class SubscriptionSpec:
    id: uuid.UUID | None
    fields: dict[str, Any]  # workload, offer, channel, is_trial, status, azure_subscription_id
    provider: str | None
    reseller: str | None
    isv: dict[str, str] | None
    rbac: list[RbacSpec]


@dataclass
class CustomerSpec:
    name: str
    id: uuid.UUID | None
    fields: dict[str, Any]  # cloud, country, default_domain
    domains: list[str]
    links: list[tuple[str, str]]  # (partner name, relationship)
    admins: list[UserSpec]
    subscriptions: list[SubscriptionSpec]


@dataclass
class AssignmentSpec:
    group: str
    roles: list[str]  # template ids
    status: str


@dataclass
class RelationshipSpec:
    id: str | None
    partner: str
    customer: str
    fields: dict[str, Any]
    roles: list[str]  # template ids
    created_for_reseller: str | None
    assignments: list[AssignmentSpec]


@dataclass
class HealthSpec:
    customer: str | None
    issue_id: str
    fields: dict[str, Any]


@dataclass
class ServiceRequestSpec:
    id: str
    partner: str
    customer: str | None
    created_by: str
    assigned_to: str | None
    entitlement: str | None
    fields: dict[str, Any]


@dataclass
class HandoffNoteSpec:
    by: str
    partner: str  # the writer's partner
    text: str
    at: Any


@dataclass
class HandoffSpec:
    reseller: str
    provider: str
    customer: str
    subscription: str  # the offer of the customer's Azure subscription
    created_by: str
    issue_type: str
    title: str
    description: str
    severity: str
    status: str
    created: Any
    decline_reason: str
    service_request: str | None
    notes: list[HandoffNoteSpec] = field(default_factory=list)


@dataclass
class ScenarioPlan:
    """Everything a scenario says, checked and resolved, in writing order."""

    partners: list[PartnerSpec] = field(default_factory=list)
    customers: list[CustomerSpec] = field(default_factory=list)
    relationships: list[RelationshipSpec] = field(default_factory=list)
    health_issues: list[HealthSpec] = field(default_factory=list)
    service_requests: list[ServiceRequestSpec] = field(default_factory=list)
    handoffs: list[HandoffSpec] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """How many objects of each kind the scenario describes."""
        users = [u for p in self.partners for u in p.users]
        admins = [u for c in self.customers for u in c.admins]
        subscriptions = [s for c in self.customers for s in c.subscriptions]
        return {
            "partners": len(self.partners),
            "security_groups": sum(len(p.groups) for p in self.partners),
            "users": len(users) + len(admins),
            "user_roles": sum(len(u.roles) for u in users),
            "support_entitlements": sum(len(p.entitlements) for p in self.partners),
            "customers": len(self.customers),
            "customer_domains": sum(len(c.domains) for c in self.customers),
            "customer_partner_links": sum(len(c.links) for c in self.customers),
            "subscriptions": len(subscriptions),
            "azure_role_assignments": sum(len(s.rbac) for s in subscriptions),
            "gdap_relationships": len(self.relationships),
            "gdap_access_assignments": sum(len(r.assignments) for r in self.relationships),
            "service_health_issues": len(self.health_issues),
            "service_requests": len(self.service_requests),
            # a newer section: counted when the scenario stages any
            **({"service_request_handoffs": len(self.handoffs)} if self.handoffs else {}),
        }
