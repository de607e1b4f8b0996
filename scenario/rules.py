"""What a scenario file may say, as data: allowed fields, enumerations and the pairings RULES.md allows.

The validator (:mod:`scenario.schema`) reads these tables; a
format change is an edit here, not a new ``if`` in the validator.
"""

from __future__ import annotations

from customers.choices import (
    AzureRole,
    Channel,
    CustomerCloud,
    HealthClassification,
    HealthStatus,
    RelationshipToPartner,
    SubscriptionStatus,
    Workload,
)
from gdap.choices import AssignmentStatus, RelationshipStatus
from partners.choices import Cloud, EntitlementKind, PartnerCenterRole, PartnerType
from servicerequests.choices import IssueType, Portal, Severity, Status

# Allowed keys of each kind of mapping (an unknown key is reported, so a typo never goes unnoticed).
TOP_LEVEL_KEYS = (
    "partners",
    "customers",
    "gdap_relationships",
    "service_health",
    "service_requests",
    "service_request_history",
    "service_request_handoffs",
)
PARTNER_KEYS = (
    "name",
    "id",
    "type",
    "cloud",
    "mpn_id",
    "indirect_provider",
    "domains",
    "support_contact",
    "support_entitlements",
    "security_groups",
    "users",
)
SUPPORT_CONTACT_KEYS = ("email", "phone", "url")
ENTITLEMENT_KEYS = ("kind", "id", "valid_until")
GROUP_KEYS = ("name", "id", "description")
PARTNER_USER_KEYS = ("username", "email", "password", "first_name", "last_name", "phone", "roles", "groups")
CUSTOMER_ADMIN_KEYS = ("username", "email", "password", "first_name", "last_name", "phone")
CUSTOMER_KEYS = ("name", "id", "cloud", "country", "domains", "partners", "admins", "subscriptions")
CUSTOMER_LINK_KEYS = ("partner", "relationship")
SUBSCRIPTION_KEYS = (
    "id",
    "workload",
    "offer",
    "channel",
    "is_trial",
    "status",
    "provider",
    "reseller",
    "azure_subscription_id",
    "azure_rbac",
    "isv",
)
AZURE_RBAC_KEYS = ("role", "group", "user", "partner")
ISV_KEYS = ("name", "support_url", "support_email", "support_phone")
RELATIONSHIP_KEYS = (
    "display_name",
    "id",
    "partner",
    "customer",
    "roles",
    "duration",
    "auto_extend",
    "status",
    "created",
    "locked",
    "activated",
    "created_for_reseller",
    "reseller_approved",
    "assignments",
)
ASSIGNMENT_KEYS = ("group", "roles", "status")
HEALTH_KEYS = (
    "customer",
    "cloud",
    "id",
    "service",
    "workload",
    "feature",
    "feature_group",
    "classification",
    "status",
    "title",
    "impact",
    "start",
    "end",
    "resolved",
    "posts",
)
HEALTH_POST_KEYS = ("at", "text", "type")
SERVICE_REQUEST_KEYS = (
    "id",
    "partner",
    "customer",
    "created_by",
    "assigned_to",
    "workload",
    "issue_type",
    "title",
    "description",
    "severity",
    "status",
    "created",
    "first_response",
    "closed",
    "entitlement",
    "external_ticket_id",
    "portal",
)
HISTORY_KEYS = ("partner", "count", "seed", "days", "customers")
HANDOFF_KEYS = (
    "reseller",
    "customer",
    "subscription",
    "created_by",
    "issue_type",
    "title",
    "description",
    "severity",
    "status",
    "created",
    "decline_reason",
    "service_request",
    "notes",
)
HANDOFF_NOTE_KEYS = ("by", "text", "at")

# Enumerations, by the label the error message uses.
PARTNER_TYPES = tuple(PartnerType.values)
#: A partner is in the commercial or the US Government cloud; a customer may also be in GCC.
PARTNER_CLOUDS = tuple(Cloud.values)
CUSTOMER_CLOUDS = tuple(CustomerCloud.values)
PARTNER_CENTER_ROLES = tuple(PartnerCenterRole.values)
ENTITLEMENT_KINDS = tuple(EntitlementKind.values)
CUSTOMER_RELATIONSHIPS = tuple(RelationshipToPartner.values)
WORKLOADS = tuple(Workload.values)
CHANNELS = tuple(Channel.values)
SUBSCRIPTION_STATUSES = tuple(SubscriptionStatus.values)
GDAP_STATUSES = tuple(RelationshipStatus.values)
ASSIGNMENT_STATUSES = tuple(AssignmentStatus.values)
HEALTH_CLASSIFICATIONS = tuple(HealthClassification.values)
HEALTH_STATUSES = tuple(HealthStatus.values)
HEALTH_POST_TYPES = ("regular", "quick", "strategic")
SEVERITIES = tuple(Severity.values)
SR_STATUSES = tuple(Status.values)
ISSUE_TYPES = tuple(IssueType.values)
PORTALS = tuple(Portal.values)

#: Azure RBAC role names → role definition GUIDs (RULES.md).
AZURE_ROLES_BY_NAME: dict[str, str] = {label: value for value, label in AzureRole.choices}

#: Which partner types a customer relationship row may name.
LINK_PARTNER_TYPES: dict[str, frozenset[str]] = {
    RelationshipToPartner.RESELLER: frozenset({PartnerType.DIRECT_BILL, PartnerType.INDIRECT_PROVIDER}),
    RelationshipToPartner.INDIRECT_RESELLER: frozenset({PartnerType.INDIRECT_RESELLER}),
    RelationshipToPartner.ADVISOR: frozenset({PartnerType.ADVISOR}),
}

#: Which partner types may be a subscription's provider / reseller (SR-AZURE-NONTECH-PROVIDER-ONLY).
SUBSCRIPTION_PARTY_TYPES: dict[str, frozenset[str]] = {
    "provider": frozenset({PartnerType.DIRECT_BILL, PartnerType.INDIRECT_PROVIDER}),
    "reseller": frozenset({PartnerType.INDIRECT_RESELLER}),
}

#: GDAP status → whether ``activated`` is required, optional (expired or terminated before or
#: after activation) or forbidden (never active yet). end_at = activated + duration (GDAP-APPROVE).
ACTIVATION_BY_STATUS: dict[str, str] = {
    RelationshipStatus.CREATED: "forbidden",
    RelationshipStatus.APPROVAL_PENDING: "forbidden",
    RelationshipStatus.APPROVED: "forbidden",
    RelationshipStatus.ACTIVATING: "forbidden",
    RelationshipStatus.ACTIVE: "required",
    RelationshipStatus.EXPIRING: "required",
    RelationshipStatus.TERMINATION_REQUESTED: "required",
    RelationshipStatus.TERMINATING: "required",
    RelationshipStatus.EXPIRED: "optional",
    RelationshipStatus.TERMINATED: "optional",
}
#: GDAP statuses a relationship created for a reseller reaches only with the reseller's consent
#: (GDAP-INDIRECT-RESELLER): ``reseller_approved`` defaults to the lock time for them.
RESELLER_CONSENTED_STATUSES = frozenset(
    {
        RelationshipStatus.APPROVED,
        RelationshipStatus.ACTIVATING,
        RelationshipStatus.ACTIVE,
        RelationshipStatus.EXPIRING,
        RelationshipStatus.TERMINATION_REQUESTED,
        RelationshipStatus.TERMINATING,
    }
)
#: GDAP statuses that come after GDAP-LOCK (they carry ``locked_at``).
LOCKED_STATUSES = frozenset(set(RelationshipStatus.values) - {RelationshipStatus.CREATED})

#: Service request statuses whose SR-PRIORITY clock has started (dispatched to a portal).
SLA_STARTED_STATUSES = frozenset({Status.OPEN, Status.ATTENTION_NEEDED, Status.CLOSED})
#: Where a workload's requests go (RULES.md routing table); marketplace never gets a ticket.
PORTAL_BY_WORKLOAD: dict[str, str] = {
    Workload.AZURE: Portal.AZURE,
    Workload.M365: Portal.M365,
    Workload.EMS: Portal.M365,
    Workload.DYNAMICS: Portal.DYNAMICS,
}

#: SR-AZURE-NONTECH-PROVIDER-ONLY hand-offs: who hands off, who files, and which issue types.
HANDING_OFF_PARTNER_TYPES = (PartnerType.INDIRECT_RESELLER, PartnerType.ADVISOR)
PROVIDER_PARTNER_TYPES = (PartnerType.DIRECT_BILL, PartnerType.INDIRECT_PROVIDER)
NON_TECHNICAL_ISSUE_TYPES = (IssueType.BILLING, IssueType.SUBSCRIPTION_MANAGEMENT, IssueType.QUOTA)
