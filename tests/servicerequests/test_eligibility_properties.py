"""Properties of the rule functions over generated snapshots (no database).

Whatever the snapshot, evaluating never raises, every rule is reported once
in RULES.md order, a failed outcome always carries a remedy (and only a
failed one does), ``allowed`` is true iff no outcome failed, and an allowed
decision always has a portal.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdap.roles import CATALOGUE
from servicerequests.eligibility import RULE_IDS, RULES, EligibilityRequest, decide
from servicerequests.eligibility.snapshot import (
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

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
WORKLOADS = ["azure", "m365", "dynamics", "ems", "marketplace", "xbox", ""]
PARTNER_TYPES = ["direct_bill", "indirect_provider", "indirect_reseller", "advisor", "distributor"]
CLOUDS = ["commercial", "us_government"]
PC_ROLES = [
    "admin_agent",
    "helpdesk_agent",
    "sales_agent",
    "billing_admin",
    "global_admin",
    "support_manager",
]
REL_STATUSES = ["created", "approvalPending", "approved", "activating", "active", "expiring", "expired",
                "terminationRequested", "terminating", "terminated"]  # fmt: skip
ASSIGNMENT_STATUSES = ["pending", "active", "deleting", "deleted", "error"]
AZURE_ROLES = [
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    "b24988ac-6180-42a0-ab88-20f7382dd24c",
    "cfd33db0-3dd1-45e3-aa9d-cdbdf3b6f24e",
    "acdd72a7-3385-48ef-bd42-f606fba81ae7",
]

ids = st.sampled_from([uuid.UUID(int=i) for i in range(1, 6)])
group_ids = st.sampled_from([uuid.UUID(int=100 + i) for i in range(4)])
rel_ids = st.sampled_from([f"rel-{i}" for i in range(4)])
names = st.text(min_size=1, max_size=12)
emails = st.one_of(
    st.just(""),
    st.emails(),
    st.sampled_from(["ga@fabrikam.com", "x@eu.fabrikam.com", "alice", "@", "a@b"]),
)
moments = st.one_of(st.none(), st.integers(-400, 400).map(lambda d: NOW + timedelta(days=d)))
roles = st.lists(
    st.sampled_from(CATALOGUE).map(
        lambda r: RoleFacts(
            template_id=r.template_id,
            name=r.name,
            support_tickets=r.support_tickets,
            service_health=r.service_health,
        )
    ),
    max_size=4,
    unique=True,
).map(tuple)
partners = st.builds(
    PartnerFacts,
    id=ids,
    name=names,
    type=st.sampled_from(PARTNER_TYPES),
    cloud=st.sampled_from(CLOUDS),
    domains=st.lists(st.sampled_from(["contoso.example", "partner.example"]), max_size=2).map(tuple),
    support_email=emails,
    support_phone=st.sampled_from(["", "+1 425 555 0100"]),
    indirect_provider=st.one_of(
        st.none(), st.builds(PartnerFacts, id=ids, name=names, type=st.just("indirect_provider"))
    ),
)
users = st.builds(
    UserFacts,
    id=st.integers(1, 3),
    username=names,
    email=emails,
    phone=st.sampled_from(["", "+1 425 555 0101"]),
    roles=st.frozensets(st.sampled_from(PC_ROLES)),
    groups=st.dictionaries(group_ids, names, max_size=3),
)
customers = st.builds(
    CustomerFacts,
    id=ids,
    name=names,
    cloud=st.sampled_from(CLOUDS),
    default_domain=st.sampled_from(["", "fabrikam.onmicrosoft.com"]),
    domains=st.lists(st.sampled_from(["fabrikam.com", "fabrikam.onmicrosoft.com"]), max_size=2).map(tuple),
)
relationships = st.builds(
    RelationshipFacts,
    id=rel_ids,
    display_name=names,
    status=st.sampled_from(REL_STATUSES),
    end_at=moments,
    roles=roles,
)
assignments = st.builds(
    AssignmentFacts,
    id=ids,
    relationship_id=rel_ids,
    group_id=group_ids,
    group_name=names,
    status=st.sampled_from(ASSIGNMENT_STATUSES),
    roles=roles,
)
isvs = st.fixed_dictionaries(
    {
        "name": names,
        "supportUrl": st.sampled_from(["", "https://isv.example"]),
        "supportEmail": st.sampled_from(["", "help@isv.example"]),
        "supportPhone": st.sampled_from(["", "+1 800 555 0199"]),
    }
)
subscriptions = st.builds(
    SubscriptionFacts,
    id=ids,
    workload=st.sampled_from(WORKLOADS[:5]),
    offer=names,
    status=st.sampled_from(["active", "suspended", "deleted", "expired"]),
    channel=st.sampled_from(["csp", "direct"]),
    azure_subscription_id=st.one_of(st.none(), ids),
    provider=st.one_of(st.none(), partners),
    isv=st.one_of(st.none(), isvs),
    rbac=st.lists(
        st.builds(
            RbacFacts,
            role_definition_id=st.sampled_from(AZURE_ROLES),
            user_id=st.one_of(st.none(), st.integers(1, 3)),
            group_id=st.one_of(st.none(), group_ids),
            group_name=names,
        ),
        max_size=3,
    ).map(tuple),
)
entitlements = st.builds(
    EntitlementFacts,
    entitlement_id=st.sampled_from(["PREM-1", "PREM-2", "AZ-9"]),
    kind=st.sampled_from(["partner_program", "premier_unified", "azure_support_plan"]),
    valid_until=moments,
)
requests = st.builds(
    EligibilityRequest,
    user_id=st.one_of(st.none(), st.integers(1, 3)),
    customer_id=st.one_of(st.none(), ids),
    workload=st.sampled_from(WORKLOADS),
    subscription_id=st.one_of(st.none(), ids, st.just("junk")),
    issue_type=st.sampled_from(["", "technical", "billing", "subscription_management", "quota", "refund"]),
    contact_email=emails,
    contact_phone=st.sampled_from(["", " ", "+1 425 555 0199"]),
    severity=st.sampled_from(["minimal", "moderate", "critical", "urgent", ""]),
    support_plan=st.sampled_from(["", "cloud_solution_provider", "partner_entitlement", "premier"]),
    support_entitlement_id=st.sampled_from(["", "PREM-1", "prem-2", "AZ-9", "nope"]),
)
snapshots = st.builds(
    Snapshot,
    request=requests,
    now=st.just(NOW),
    user=st.one_of(st.none(), users),
    partner=st.one_of(st.none(), partners),
    customer=st.one_of(st.none(), customers),
    relationships=st.lists(relationships, max_size=4).map(tuple),
    assignments=st.lists(assignments, max_size=6).map(tuple),
    subscription=st.one_of(st.none(), subscriptions),
    entitlements=st.lists(entitlements, max_size=3).map(tuple),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(snapshots)
def test_rules_never_raise_and_allowed_iff_nothing_failed(snapshot):
    decision = decide(snapshot)
    assert tuple(o.rule_id for o in decision.outcomes) == RULE_IDS
    assert decision.allowed == (not any(o.outcome == "failed" for o in decision.outcomes))
    assert decision.failed_rule_ids == [o.rule_id for o in decision.outcomes if o.outcome == "failed"]
    for outcome in decision.outcomes:
        assert outcome.outcome in {"passed", "failed", "not_applicable"}
        assert outcome.message
        assert bool(outcome.remedy) == (outcome.outcome == "failed")
    assert (decision.portal is not None) == decision.allowed
    json.dumps(decision.as_dict())


@settings(max_examples=200, deadline=None)
@given(snapshots)
def test_each_rule_function_alone_never_raises(snapshot):
    for rule_id, rule in RULES.items():
        assert rule(snapshot).rule_id == rule_id


@settings(max_examples=200, deadline=None)
@given(snapshots)
def test_rules_in_scope_only(snapshot):
    """Customer-only rules are not applicable to own-subscription requests, and the reverse."""
    decision = decide(snapshot)
    own = snapshot.request.customer_id is None
    customer_only = ["SR-PC-ROLE-ADMIN-AGENT", "SR-CLOUD-MATCH", "SR-GDAP-ACTIVE", "SR-GDAP-ASSIGNMENT"]
    if own:
        assert {decision.outcome(r).outcome for r in customer_only} == {"not_applicable"}
    else:
        assert decision.outcome("SR-OWN-SUBSCRIPTION-ENTITLEMENT").outcome == "not_applicable"
