"""The eligibility rules' data: every table the rule functions read, in one module.

A change of policy (a role that can open tickets, a partner type that may
file, a portal host) is a one-line diff here; the rule functions in
``rules.py`` only combine these tables with the snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy, gettext_noop

from customers.choices import AzureRole, Channel, CustomerCloud, SubscriptionStatus, Workload
from gdap.choices import RelationshipStatus
from gdap.roles import CATALOGUE, DIRECTORY_READERS, SERVICE_SUPPORT_ADMINISTRATOR
from partners.choices import Cloud, EntitlementKind, PartnerCenterRole, PartnerType
from servicerequests.choices import IssueType, Severity, SupportPlan

from .text import Joined, Text, pgettext_lazy
from .text import gettext_lazy as _

# --- The rules, in the order of RULES.md's "Eligibility rules" table -------------------------

RULE_IDS: tuple[str, ...] = (
    "SR-WORKLOAD-SUPPORTED",
    "SR-PARTNER-TYPE",
    "SR-PC-ROLE-ADMIN-AGENT",
    "SR-CLOUD-MATCH",
    "SR-GDAP-ACTIVE",
    "SR-GDAP-ASSIGNMENT",
    "SR-GDAP-ROLE-TICKETS",
    "SR-GDAP-ANY-ROLE",
    "SR-AZURE-RBAC",
    "SR-AZURE-SUBSCRIPTION",
    "SR-AZURE-NONTECH-PROVIDER-ONLY",
    "SR-AZURE-SUPPORT-PLAN",
    "SR-CONTACT-IS-PARTNER",
    "SR-CRITICAL-NEEDS-PHONE",
    "SR-OWN-SUBSCRIPTION-ENTITLEMENT",
    "SR-MARKETPLACE-ISV",
)

ANY_CONTEXT = "any"  # on behalf of a customer and own subscription
CUSTOMER_CONTEXT = "customer"  # only on behalf of a customer
OWN_CONTEXT = "own"  # only about the partner's own subscription


@dataclass(frozen=True)
class RuleScope:
    """Which requests a rule applies to (RULES.md's "applies to" column)."""

    context: str
    workloads: frozenset[str] | None = None  # None: every workload

    def not_applicable_reason(self, *, on_behalf_of_customer: bool, workload: str) -> Text | str:
        """Why the rule does not apply to such a request; "" when it does."""
        if self.context == CUSTOMER_CONTEXT and not on_behalf_of_customer:
            return _("Applies only to requests on behalf of a customer, not about your own subscription.")
        if self.context == OWN_CONTEXT and on_behalf_of_customer:
            return _("Applies only to requests about the partner's own subscription.")
        if self.workloads is not None and workload not in self.workloads:
            workloads = Joined(tuple(WORKLOAD_NAMES[w] for w in sorted(self.workloads)))
            return _("Applies only to %(workloads)s requests.", workloads=workloads)
        return ""


GDAP_TICKET_WORKLOADS = frozenset({Workload.M365, Workload.DYNAMICS, Workload.EMS})
AZURE_ONLY = frozenset({Workload.AZURE})

RULE_SCOPES: dict[str, RuleScope] = {
    "SR-WORKLOAD-SUPPORTED": RuleScope(ANY_CONTEXT),
    "SR-PARTNER-TYPE": RuleScope(ANY_CONTEXT),
    "SR-PC-ROLE-ADMIN-AGENT": RuleScope(CUSTOMER_CONTEXT),
    "SR-CLOUD-MATCH": RuleScope(CUSTOMER_CONTEXT),
    "SR-GDAP-ACTIVE": RuleScope(CUSTOMER_CONTEXT),
    "SR-GDAP-ASSIGNMENT": RuleScope(CUSTOMER_CONTEXT),
    "SR-GDAP-ROLE-TICKETS": RuleScope(CUSTOMER_CONTEXT, GDAP_TICKET_WORKLOADS),
    "SR-GDAP-ANY-ROLE": RuleScope(CUSTOMER_CONTEXT, AZURE_ONLY),
    "SR-AZURE-RBAC": RuleScope(CUSTOMER_CONTEXT, AZURE_ONLY),
    "SR-AZURE-SUBSCRIPTION": RuleScope(CUSTOMER_CONTEXT, AZURE_ONLY),
    "SR-AZURE-NONTECH-PROVIDER-ONLY": RuleScope(CUSTOMER_CONTEXT, AZURE_ONLY),
    "SR-AZURE-SUPPORT-PLAN": RuleScope(CUSTOMER_CONTEXT, AZURE_ONLY),
    "SR-CONTACT-IS-PARTNER": RuleScope(ANY_CONTEXT),
    "SR-CRITICAL-NEEDS-PHONE": RuleScope(ANY_CONTEXT),
    "SR-OWN-SUBSCRIPTION-ENTITLEMENT": RuleScope(OWN_CONTEXT),
    "SR-MARKETPLACE-ISV": RuleScope(ANY_CONTEXT, frozenset({Workload.MARKETPLACE})),
}

# --- Workloads -------------------------------------------------------------------------------

WORKLOAD_NAMES: dict[str, str] = {str(w): w.label for w in Workload}
# SR-WORKLOAD-SUPPORTED: what Microsoft supports through the CSP entitlement.
SUPPORTED_WORKLOADS = frozenset({Workload.AZURE, Workload.M365, Workload.DYNAMICS, Workload.EMS})

# --- Partners and Partner Center roles -------------------------------------------------------

PARTNER_TYPE_NAMES: dict[str, str] = {str(t): t.label for t in PartnerType}
# SR-PARTNER-TYPE: partner types that may file for customers.
FILING_PARTNER_TYPES = frozenset(
    {
        PartnerType.DIRECT_BILL,
        PartnerType.INDIRECT_PROVIDER,
        PartnerType.INDIRECT_RESELLER,
        PartnerType.ADVISOR,
    }
)
# SR-AZURE-NONTECH-PROVIDER-ONLY: partner types that can be the provider of an Azure subscription.
PROVIDER_PARTNER_TYPES = frozenset({PartnerType.DIRECT_BILL, PartnerType.INDIRECT_PROVIDER})

# SR-PC-ROLE-ADMIN-AGENT: the one Partner Center role that files on behalf of customers.
FILING_PC_ROLE = PartnerCenterRole.ADMIN_AGENT
PC_ROLE_NAMES: dict[str, str] = {str(r): r.label for r in PartnerCenterRole}
# What each other role may do instead (shown when SR-PC-ROLE-ADMIN-AGENT fails).
PC_ROLE_LIMITS: dict[str, str] = {
    PartnerCenterRole.SALES_AGENT: gettext_lazy("a sales agent may only view service requests"),
    PartnerCenterRole.HELPDESK_AGENT: gettext_lazy(
        "a helpdesk agent may view requests but not file them for customers"
    ),
    PartnerCenterRole.BILLING_ADMIN: gettext_lazy(
        "a billing admin manages billing and can't file for customers"
    ),
    PartnerCenterRole.GLOBAL_ADMIN: gettext_lazy(
        "a global admin manages the partner account; filing needs Admin agent"
    ),
    PartnerCenterRole.SUPPORT_MANAGER: gettext_lazy(
        "a support manager reviews queues and can't file for customers"
    ),
}

CLOUD_NAMES: dict[str, str] = {str(c): c.label for c in Cloud}
CUSTOMER_CLOUD_NAMES: dict[str, str] = {str(c): c.label for c in CustomerCloud}
# SR-CLOUD-MATCH: the customer clouds each partner cloud serves. GCC is sold and supported through
# the commercial Partner Center and administered in the commercial admin centers.
CLOUDS_SERVED: dict[str, frozenset[str]] = {
    Cloud.COMMERCIAL: frozenset({CustomerCloud.COMMERCIAL, CustomerCloud.GCC}),
    Cloud.US_GOVERNMENT: frozenset({CustomerCloud.US_GOVERNMENT}),
}
# The partner cloud that serves each customer cloud (the remedy of SR-CLOUD-MATCH).
PARTNER_CLOUD_SERVING: dict[str, str] = {
    customer_cloud: partner_cloud
    for partner_cloud, served in CLOUDS_SERVED.items()
    for customer_cloud in served
}

# --- GDAP ------------------------------------------------------------------------------------

ENTRA_ROLE_NAMES: dict[str, str] = {row.template_id: row.name for row in CATALOGUE}
# SR-GDAP-ROLE-TICKETS: the capability each workload needs, and the least privileged role that has it.
REQUIRED_CAPABILITY: dict[str, str] = dict.fromkeys(GDAP_TICKET_WORKLOADS, "support_tickets")
LEAST_PRIVILEGED_TICKET_ROLE = ENTRA_ROLE_NAMES[SERVICE_SUPPORT_ADMINISTRATOR]
# SR-GDAP-ANY-ROLE: any role does; this is the least privileged one to suggest.
LEAST_PRIVILEGED_ANY_ROLE = ENTRA_ROLE_NAMES[DIRECTORY_READERS]

ACTIVE_RELATIONSHIP_STATUS = RelationshipStatus.ACTIVE
ACTIVE_ASSIGNMENT_STATUS = "active"

RELATIONSHIP_APPROVAL_PENDING = RelationshipStatus.APPROVAL_PENDING
# GDAP-INDIRECT-RESELLER: the remedy for the reseller while its own consent is what is missing
# (msgids, translated when rendered: ``gdap_remedies``).
RESELLER_CONSENT_REMEDY = gettext_noop(
    "Approve '%(name)s', which your indirect provider created for you (Admin relationships › "
    "Invitations to review); then %(customer_s)s Global Administrator approves it."
)
# SR-GDAP-ACTIVE remedies per relationship status, best first (msgids); %(name)s is the relationship,
# %(customer)s the customer and %(customer_s)s its possessive.
GDAP_STATUS_REMEDIES: tuple[tuple[str, str], ...] = (
    (
        RelationshipStatus.APPROVED,
        gettext_noop("Wait a moment: '%(name)s' was approved and is being activated."),
    ),
    (RelationshipStatus.ACTIVATING, gettext_noop("Wait a moment: '%(name)s' is being activated.")),
    (
        RelationshipStatus.APPROVAL_PENDING,
        gettext_noop(
            "Ask %(customer_s)s Global Administrator to approve '%(name)s' through its invitation link."
        ),
    ),
    (
        RelationshipStatus.CREATED,
        gettext_noop(
            "Lock '%(name)s' for approval and send the "
            "invitation link to %(customer_s)s Global Administrator."
        ),
    ),
    (
        RelationshipStatus.ACTIVE,
        gettext_noop(
            "'%(name)s' has passed its end date: request a new GDAP relationship from %(customer)s."
        ),
    ),
    (
        RelationshipStatus.EXPIRING,
        gettext_noop(
            "'%(name)s' has expired and can't be restored: request a new GDAP relationship from %(customer)s."
        ),
    ),
    (
        RelationshipStatus.EXPIRED,
        gettext_noop(
            "'%(name)s' has expired and can't be restored: request a new GDAP relationship from %(customer)s."
        ),
    ),
    (
        RelationshipStatus.TERMINATION_REQUESTED,
        gettext_noop("'%(name)s' is being terminated: request a new GDAP relationship from %(customer)s."),
    ),
    (
        RelationshipStatus.TERMINATING,
        gettext_noop("'%(name)s' is being terminated: request a new GDAP relationship from %(customer)s."),
    ),
    (
        RelationshipStatus.TERMINATED,
        gettext_noop("'%(name)s' was terminated: request a new GDAP relationship from %(customer)s."),
    ),
)

# --- Azure -----------------------------------------------------------------------------------

AZURE_ROLE_NAMES: dict[str, str] = {str(r): r.label for r in AzureRole}
# SR-AZURE-RBAC: Azure RBAC roles that may create support tickets on a subscription (not Reader).
TICKET_RBAC_ROLES = frozenset({AzureRole.OWNER, AzureRole.CONTRIBUTOR, AzureRole.SUPPORT_REQUEST_CONTRIBUTOR})
LEAST_PRIVILEGED_RBAC_ROLE = AzureRole.SUPPORT_REQUEST_CONTRIBUTOR.label

# SR-AZURE-SUBSCRIPTION: subscription statuses that can get a support request.
ACTIVE_SUBSCRIPTION_STATUSES = frozenset({SubscriptionStatus.ACTIVE})

# SR-AZURE-NONTECH-PROVIDER-ONLY: issue types; an empty one means technical.
AZURE_ISSUE_TYPES: dict[str, str] = {str(t): t.label for t in IssueType}
# The issue types as a sentence names them ("only the provider may file billing requests").
ISSUE_TYPE_NOUNS: dict[str, Text] = {
    IssueType.TECHNICAL: pgettext_lazy("Azure issue type in a sentence", "technical"),
    IssueType.BILLING: pgettext_lazy("Azure issue type in a sentence", "billing"),
    IssueType.SUBSCRIPTION_MANAGEMENT: pgettext_lazy(
        "Azure issue type in a sentence", "subscription management"
    ),
    IssueType.QUOTA: pgettext_lazy(
        "Azure issue type in a sentence", "service and subscription limits (quotas)"
    ),
}
DEFAULT_AZURE_ISSUE_TYPE = IssueType.TECHNICAL
NON_TECHNICAL_ISSUE_TYPES = frozenset({IssueType.BILLING, IssueType.SUBSCRIPTION_MANAGEMENT, IssueType.QUOTA})

# SR-AZURE-SUPPORT-PLAN: the only plan that covers requests on behalf of customers; empty means it
# (on a CSP subscription). It exists only on subscriptions of these channels: any other (a direct
# pay-as-you-go subscription) has the customer's own Azure support plan, whatever the request says.
CSP_SUPPORT_PLAN = SupportPlan.CLOUD_SOLUTION_PROVIDER
CSP_SUPPORT_PLAN_CHANNELS = frozenset({Channel.CSP})
OWN_AZURE_SUPPORT_PLAN_NAME = _("the customer's own Azure support plan")
SUPPORT_PLAN_NAMES: dict[str, str] = {str(p): p.label for p in SupportPlan}

# --- Contact and severity --------------------------------------------------------------------

# SR-CRITICAL-NEEDS-PHONE: severities that need a phone number.
SEVERITIES_NEEDING_PHONE = frozenset({Severity.CRITICAL})
SEVERITY_NAMES: dict[str, str] = {str(s): s.label for s in Severity}

# --- Own subscription ------------------------------------------------------------------------

ENTITLEMENT_KIND_NAMES: dict[str, str] = {str(k): k.label for k in EntitlementKind}

# --- Portals (routing of an allowed request) -------------------------------------------------


@dataclass(frozen=True)
class PortalSpec:
    """One workload portal: its name, its real hosts per cloud and review list. The stub page here is
    the URL named ``portals:new`` (``engine.portal_route_for`` reverses it)."""

    portal: str
    display_name: str
    list_name: str
    hosts: dict[str, str]
    public_path: str  # appended to https://<host>; may use {domain} and {tenant}


#: The one workload → portal table (RULES.md's routing table): the portal that administers each
#: workload Microsoft supports through CSP and files its tickets, in the order the customer's
#: Service management tab lists them. Marketplace has none. Read by the routing
#: (``engine.portal_route_for``), the portal adapters and pages, and the customer pages.
PORTAL_FOR_WORKLOAD: dict[str, str] = {
    Workload.AZURE: "azure",
    Workload.M365: "m365",
    Workload.EMS: "m365",
    Workload.DYNAMICS: "dynamics",
}

PORTALS: dict[str, PortalSpec] = {
    "azure": PortalSpec(
        portal="azure",
        display_name="Azure portal",
        list_name="Manage support requests",
        hosts={Cloud.COMMERCIAL: "portal.azure.com", Cloud.US_GOVERNMENT: "portal.azure.us"},
        public_path="/#@{domain}/blade/Microsoft_Azure_Support/HelpAndSupportBlade/newsupportrequest",
    ),
    "m365": PortalSpec(
        portal="m365",
        display_name="Microsoft 365 admin center",
        list_name="View all support tickets",
        hosts={Cloud.COMMERCIAL: "admin.microsoft.com", Cloud.US_GOVERNMENT: "portal.office365.us"},
        public_path="/Partner/BeginClientSession.aspx?CTID={tenant}&CSDEST=o365admincenter",
    ),
    "dynamics": PortalSpec(
        portal="dynamics",
        display_name="Power Platform admin center",
        list_name="See all support requests",
        hosts={
            Cloud.COMMERCIAL: "admin.powerplatform.microsoft.com",
            Cloud.US_GOVERNMENT: "high.admin.powerplatform.microsoft.us",
        },
        public_path="/support?tenant={tenant}",
    ),
}
