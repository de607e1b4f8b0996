"""Validation: every problem of a document, as ``path.to.field: reason``, and nothing else."""

from __future__ import annotations

import pytest

from partners.models import User
from scenario.schema import ScenarioError, scenario_validate

from .conftest import NOW


def problems(document) -> list[str]:
    """The error lines of a document that must be refused."""
    with pytest.raises(ScenarioError) as exc:
        scenario_validate(document, now=NOW)
    assert str(exc.value) == "\n".join(exc.value.errors)
    return exc.value.errors


def _set(path: str, value):
    """A change to the good document: set the value at ``a.b[0].c`` (``DELETE`` removes the key)."""

    def change(doc):
        *parents, last = _steps(path)
        target = doc
        for step in parents:
            target = target[step]
        if value is DELETE:
            del target[last]
        elif last == "+":
            target.append(value)
        else:
            target[last] = value

    return change


def _steps(path: str) -> list:
    steps = []
    for part in path.split("."):
        name, *indexes = part.replace("]", "").split("[")
        steps.append(name)
        steps.extend(int(i) if i != "+" else "+" for i in indexes)
    return steps


DELETE = object()
SUBSCRIPTION_STATUSES = "active, suspended, deleted, expired"
PC_ROLES = "admin_agent, helpdesk_agent, sales_agent, billing_admin, global_admin, support_manager"
PARTNER_KEYS = (
    "name, id, type, cloud, mpn_id, indirect_provider, domains, support_contact, support_entitlements, "
    "security_groups, users"
)
TIME_HINT = "expected ISO 8601 or now, +7d, -30d, -2h, -15m"

CASES = [
    # Unknown references, one kind each.
    (
        "customers[0].partners[0].partner",
        "Contso",
        "customers[0].partners[0].partner: unknown partner 'Contso'",
    ),
    (
        "gdap_relationships[0].customer",
        "Fabrikm",
        "gdap_relationships[0].customer: unknown customer 'Fabrikm'",
    ),
    (
        "service_requests[0].created_by",
        "alicia",
        "service_requests[0].created_by: unknown user 'alicia' in partner 'Contoso Partners'",
    ),
    (
        "customers[0].subscriptions[1].azure_rbac[1].user",
        "nora",
        "customers[0].subscriptions[1].azure_rbac[1].user: unknown user 'nora' in partner 'Contoso Partners'",
    ),
    (
        "partners[0].users[0].groups[1]",
        "Azure admins",
        "partners[0].users[0].groups[1]: unknown security group 'Azure admins' in partner 'Contoso Partners'",
    ),
    (
        "gdap_relationships[0].assignments[0].group",
        "Azure team",  # a group of another partner
        "gdap_relationships[0].assignments[0].group: unknown security group 'Azure team' in partner "
        "'Contoso Partners'",
    ),
    (
        "gdap_relationships[0].roles[2]",
        "Global Admn",
        "gdap_relationships[0].roles[2]: unknown Entra role 'Global Admn'",
    ),
    (
        "customers[0].subscriptions[1].azure_rbac[0].role",
        "Ownr",
        "customers[0].subscriptions[1].azure_rbac[0].role: unknown Azure role 'Ownr' "
        "(expected one of: Owner, Contributor, Support Request Contributor, Reader)",
    ),
    (
        "service_requests[2].entitlement",
        "PREM-0000",
        "service_requests[2].entitlement: unknown support entitlement 'PREM-0000' "
        "in partner 'Contoso Partners'",
    ),
    (
        "service_request_history[0].partner",
        "Fabrikam",
        "service_request_history[0].partner: unknown partner 'Fabrikam' (history needs a partner described "
        "in this file)",
    ),
    # Duplicates.
    (
        "partners[+]",
        {"name": "Contoso Partners", "type": "advisor"},
        "partners[3].name: duplicate name 'Contoso Partners'",
    ),
    ("customers[+]", {"name": "Fabrikam"}, "customers[2].name: duplicate name 'Fabrikam'"),
    ("partners[1].users[0].username", "alice", "partners[1].users[0].username: duplicate username 'alice'"),
    (
        "partners[0].security_groups[+]",
        "Support desk",
        "partners[0].security_groups[2].name: duplicate security group 'Support desk'",
    ),
    ("customers[1].domains[0]", "Fabrikam.com", "customers[1].domains[0]: duplicate domain 'fabrikam.com'"),
    (
        "gdap_relationships[+]",
        {
            "display_name": "Fabrikam support",
            "partner": "Contoso Partners",
            "customer": "Fabrikam",
            "roles": ["Global Reader"],
            "duration": "P30D",
            "status": "created",
        },
        "gdap_relationships[2].display_name: GDAP-NAME: duplicate display name 'Fabrikam support' "
        "for partner 'Contoso Partners'",
    ),
    (
        "customers[0].partners[+]",
        {"partner": "Contoso Partners", "relationship": "reseller"},
        "customers[0].partners[1].partner: duplicate partner 'Contoso Partners'",
    ),
    # Enumerations.
    (
        "partners[0].type",
        "distributor",
        "partners[0].type: unknown partner type 'distributor' "
        "(expected one of: direct_bill, indirect_provider, indirect_reseller, advisor)",
    ),
    (
        "partners[0].cloud",
        "gov",
        "partners[0].cloud: unknown partner cloud 'gov' (expected one of: commercial, us_government)",
    ),
    # GCC is a customer cloud only (served by commercial partners, RULES.md SR-CLOUD-MATCH).
    (
        "partners[0].cloud",
        "gcc",
        "partners[0].cloud: unknown partner cloud 'gcc' (expected one of: commercial, us_government)",
    ),
    (
        "customers[0].cloud",
        "gcc-high",
        "customers[0].cloud: unknown customer cloud 'gcc-high' "
        "(expected one of: commercial, gcc, us_government)",
    ),
    (
        "service_health[0].cloud",
        "dod",
        "service_health[0].cloud: unknown cloud 'dod' (expected one of: commercial, gcc, us_government)",
    ),
    (
        "service_health[1].cloud",
        "us_government",
        "service_health[1].cloud: must be the cloud of customer 'Fabrikam' (commercial), got 'us_government'",
    ),
    (
        "partners[0].users[1].roles[1]",
        "billing",
        f"partners[0].users[1].roles[1]: unknown Partner Center role 'billing' (expected one of: {PC_ROLES})",
    ),
    (
        "customers[0].subscriptions[0].status",
        "paused",
        f"customers[0].subscriptions[0].status: unknown subscription status 'paused' "
        f"(expected one of: {SUBSCRIPTION_STATUSES})",
    ),
    (
        "customers[0].partners[0].relationship",
        "distributor",
        "customers[0].partners[0].relationship: unknown relationship 'distributor' "
        "(expected one of: reseller, advisor, indirect_reseller)",
    ),
    (
        "service_requests[0].severity",
        "high",
        "service_requests[0].severity: unknown severity 'high' "
        "(expected one of: critical, moderate, minimal)",
    ),
    (
        "gdap_relationships[0].assignments[0].status",
        "enabled",
        "gdap_relationships[0].assignments[0].status: unknown assignment status 'enabled' "
        "(expected one of: pending, active, deleting, deleted, error)",
    ),
    # Times and durations.
    ("service_health[0].start", "-3x", f"service_health[0].start: bad time '-3x': {TIME_HINT}"),
    (
        "partners[0].support_entitlements[0].valid_until",
        "next year",
        f"partners[0].support_entitlements[0].valid_until: bad time 'next year': {TIME_HINT}",
    ),
    (
        "gdap_relationships[0].duration",
        "730 days",
        "gdap_relationships[0].duration: bad ISO 8601 duration '730 days': "
        "expected for example P730D or PT0S",
    ),
    ("service_health[1].end", "-3d", "service_health[1].end: must not be before start"),
    # GDAP rules.
    (
        "gdap_relationships[0].duration",
        "P800D",
        "gdap_relationships[0].duration: GDAP-DURATION: must be between P1D and P730D, got P800D",
    ),
    (
        "gdap_relationships[0].duration",
        "PT12H",
        "gdap_relationships[0].duration: GDAP-DURATION: must be between P1D and P730D, got PT12H",
    ),
    (
        "gdap_relationships[0].auto_extend",
        "P90D",
        "gdap_relationships[0].auto_extend: GDAP-AUTO-EXTEND: must be PT0S or P180D, got P90D",
    ),
    (
        "gdap_relationships[0].roles[+]",
        "Global Administrator",
        "gdap_relationships[0].auto_extend: GDAP-AUTO-EXTEND-NO-GA: a relationship that includes Global "
        "Administrator can't auto-extend",
    ),
    (
        "gdap_relationships[0].display_name",
        "x" * 51,
        "gdap_relationships[0].display_name: GDAP-NAME: at most 50 characters, got 51",
    ),
    (
        "gdap_relationships[0].assignments[1].roles[+]",
        "Global Administrator",
        "gdap_relationships[0].assignments[1].roles[1]: GDAP-ASSIGNMENT-SUBSET: "
        "'Global Administrator' is not one of the relationship's roles",
    ),
    (
        "gdap_relationships[0].activated",
        DELETE,
        "gdap_relationships[0].activated: required for status 'active'",
    ),
    (
        "gdap_relationships[1].activated",
        "-1d",
        "gdap_relationships[1].activated: not for status 'approvalPending' (never active yet)",
    ),
    (
        "gdap_relationships[1].created_for_reseller",
        "Contoso Partners",
        "gdap_relationships[1].created_for_reseller: GDAP-INDIRECT-RESELLER: 'Contoso Partners' is not an "
        "indirect reseller of 'Northwind Distribution'",
    ),
    (
        "gdap_relationships[0].reseller_approved",
        "-1d",
        "gdap_relationships[0].reseller_approved: only for a relationship created for a reseller "
        "(created_for_reseller)",
    ),
    (
        "gdap_relationships[1].reseller_approved",
        "-3d",
        "gdap_relationships[1].reseller_approved: must not be before locked",
    ),
    (
        "gdap_relationships[1].status",
        "created",
        "gdap_relationships[1].locked: not for status 'created' (not locked for approval yet)",
    ),
    # Pairings RULES.md and the models allow.
    (
        "customers[0].subscriptions[0].azure_rbac",
        [{"role": "Reader", "group": "Support desk"}],
        "customers[0].subscriptions[0].azure_rbac: only for azure subscriptions, this one is m365",
    ),
    (
        "customers[0].subscriptions[0].azure_subscription_id",
        "3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a",
        "customers[0].subscriptions[0].azure_subscription_id: only for azure subscriptions, this one is m365",
    ),
    (
        "partners[0].indirect_provider",
        "Northwind Distribution",
        "partners[0].indirect_provider: only for indirect_reseller partners, this one is direct_bill",
    ),
    (
        "customers[0].partners[0].relationship",
        "advisor",
        "customers[0].partners[0].relationship: relationship 'advisor' needs a partner of type advisor; "
        "'Contoso Partners' has type direct_bill",
    ),
    (
        "customers[1].subscriptions[0].provider",
        "Tailspin Resellers",
        "customers[1].subscriptions[0].provider: 'Tailspin Resellers' has type indirect_reseller; a provider "
        "has type direct_bill or indirect_provider",
    ),
    (
        "customers[0].subscriptions[0].provider",
        DELETE,
        "customers[0].subscriptions[0].provider: required for a csp subscription",
    ),
    (
        "customers[0].subscriptions[2].provider",
        "Contoso Partners",
        "customers[0].subscriptions[2].provider: a direct subscription has no provider or reseller",
    ),
    (
        "customers[0].subscriptions[3].isv",
        DELETE,
        "customers[0].subscriptions[3].isv: required for a marketplace subscription "
        "(the ISV's support contacts)",
    ),
    (
        "customers[0].subscriptions[3].isv",
        {"name": "Litware"},
        "customers[0].subscriptions[3].isv: SR-MARKETPLACE-ISV: give at least one of support_url, "
        "support_email, support_phone",
    ),
    (
        "customers[0].subscriptions[1].azure_rbac[0].user",
        "alice",
        "customers[0].subscriptions[1].azure_rbac[0]: give exactly one of user or group",
    ),
    (
        "service_requests[2].entitlement",
        DELETE,
        "service_requests[2].entitlement: SR-OWN-SUBSCRIPTION-ENTITLEMENT: required for a request without a "
        "customer",
    ),
    (
        "service_requests[0].closed",
        "-1h",
        "service_requests[0].closed: only for closed requests, this one is open",
    ),
    (
        "service_requests[0].issue_type",
        "billing",
        "service_requests[0].issue_type: only for azure requests, this one is m365",
    ),
    # Types, formats and missing fields.
    (
        "customers[0].subscriptions[2].is_trial",
        "yes",
        "customers[0].subscriptions[2].is_trial: expected true or false, got a string",
    ),
    ("customers[0].country", False, "customers[0].country: expected a string, got true/false"),
    (
        "customers[0].country",
        "USA",
        "customers[0].country: expected a two-letter country code such as US, got 'USA'",
    ),
    (
        "service_request_history[0].count",
        "five",
        "service_request_history[0].count: expected a whole number, got a string",
    ),
    (
        "service_request_history[0].count",
        0,
        "service_request_history[0].count: must be between 1 and 5000, got 0",
    ),
    (
        "partners[0].support_contact",
        "help@x",
        "partners[0].support_contact: expected a mapping, got a string",
    ),
    ("customers[0].domains", "fabrikam.com", "customers[0].domains: expected a list, got a string"),
    ("customers[0].domains[1]", "fabrikam", "customers[0].domains[1]: not a domain name: 'fabrikam'"),
    ("partners[0].id", "not-a-uuid", "partners[0].id: not a UUID: 'not-a-uuid'"),
    (
        "partners[0].users[1].email",
        "sam-at-contoso",
        "partners[0].users[1].email: not an e-mail address: 'sam-at-contoso'",
    ),
    (
        "partners[0].support_contact.url",
        "help.contoso",
        "partners[0].support_contact.url: not an http(s) URL: 'help.contoso'",
    ),
    (
        "partners[0].users[0].password",
        "password",
        "partners[0].users[0].password: This password is too common.",
    ),
    ("partners[1].type", DELETE, "partners[1].type: required"),
    ("customers[0].subscriptions[0].offer", DELETE, "customers[0].subscriptions[0].offer: required"),
    ("service_health[1].title", DELETE, "service_health[1].title: required"),
    ("gdap_relationships[0].status", DELETE, "gdap_relationships[0].status: required"),
    ("gdap_relationships[0].roles", [], "gdap_relationships[0].roles: required (a non-empty list)"),
    ("service_health[0].title", "  ", "service_health[0].title: must not be empty"),
    ("partners[0].nmae", "x", f"partners[0].nmae: unknown field (expected one of: {PARTNER_KEYS})"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "value", "expected"), CASES, ids=[f"{c[0]}={c[1]!r}"[:60] for c in CASES])
def test_one_mistake_gives_exactly_its_line(good_document, path, value, expected):
    _set(path, value)(good_document)
    assert problems(good_document) == [expected]


def test_the_good_document_is_valid(good_document):
    plan = scenario_validate(good_document, now=NOW)
    assert plan.counts()["partners"] == 3


@pytest.mark.django_db
def test_gcc_customers_and_the_cloud_of_health_issues(good_document):
    good_document["customers"][0]["cloud"] = "gcc"
    good_document["service_health"][0]["cloud"] = "us_government"
    plan = scenario_validate(good_document, now=NOW)
    assert plan.customers[0].fields["cloud"] == "gcc"
    clouds = {(issue.customer, issue.issue_id): issue.fields["cloud"] for issue in plan.health_issues}
    assert clouds[(None, "EX738201")] == "us_government"
    assert clouds[("Fabrikam", "EX712345")] == "gcc"  # a customer's issue is in its cloud


def test_unknown_top_level_key(good_document):
    good_document["partner"] = []
    assert problems(good_document) == [
        "partner: unknown field (expected one of: partners, customers, gdap_relationships, service_health, "
        "service_requests, service_request_history, service_request_handoffs)"
    ]


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ([{"partners": []}], "(document): expected a mapping, got a list"),
        ("partners", "(document): expected a mapping, got a string"),
        ({"partners": {"name": "Contoso"}}, "partners: expected a list, got a mapping"),
        ({"partners": ["Contoso"]}, "partners[0]: expected a mapping, got a string"),
    ],
)
def test_document_shape(document, expected):
    assert problems(document) == [expected]


def test_an_empty_document_is_valid():
    assert set(scenario_validate(None, now=NOW).counts().values()) == {0}


def test_every_problem_is_listed_not_just_the_first(good_document):
    good_document["partners"][0]["type"] = "distributor"
    good_document["customers"][0]["partners"][0]["partner"] = "Contso"
    good_document["gdap_relationships"][0]["roles"][0] = "Global Admn"
    assert problems(good_document) == [
        "partners[0].type: unknown partner type 'distributor' "
        "(expected one of: direct_bill, indirect_provider, indirect_reseller, advisor)",
        "customers[0].partners[0].partner: unknown partner 'Contso'",
        "gdap_relationships[0].roles[0]: unknown Entra role 'Global Admn'",
    ]


def _reseller_relationship_active(document, group):
    rel = document["gdap_relationships"][1]
    rel.update(status="active", locked="-5d", activated="-1d", duration="P2Y")
    rel["assignments"] = [{"group": group, "roles": ["Service Support Administrator"]}]


def test_reseller_relationship_grants_the_resellers_groups(good_document):
    _reseller_relationship_active(good_document, "Azure team")  # Tailspin's group
    plan = scenario_validate(good_document, now=NOW)
    spec = next(r for r in plan.relationships if r.created_for_reseller == "Tailspin Resellers")
    assert [a.group for a in spec.assignments] == ["Azure team"]
    # Active without an explicit reseller_approved: the reseller consented when it was locked.
    assert spec.fields["partner_consent_at"] == spec.fields["locked_at"]
    assert spec.fields["duration_iso"] == "P2Y"


def test_reseller_relationship_refuses_the_providers_groups(good_document):
    _reseller_relationship_active(good_document, "Support desk")  # Northwind's group, not Tailspin's
    assert problems(good_document) == [
        "gdap_relationships[1].assignments[0].group: unknown security group 'Support desk' in partner "
        "'Tailspin Resellers'"
    ]


def test_indirect_provider_of_the_wrong_type(good_document):
    good_document["partners"][2]["indirect_provider"] = "Contoso Partners"
    good_document["gdap_relationships"].pop(1)
    assert problems(good_document) == [
        "partners[2].indirect_provider: 'Contoso Partners' has type direct_bill, not indirect_provider"
    ]


def test_username_of_a_platform_user_is_refused(good_document):
    User.objects.create_user(username="alice", password="platform-pass-123")
    assert problems(good_document) == [
        "partners[0].users[0].username: username 'alice' belongs to a platform user"
    ]


@pytest.mark.parametrize("reset", [False, True])
def test_username_of_another_partners_user(good_document, reset):
    from partners.models import Partner

    User.objects.create_user(username="alice", partner=Partner.objects.create(name="Litware", type="advisor"))
    if reset:  # the other partner is wiped before loading: no conflict
        assert scenario_validate(good_document, now=NOW, reset=True).counts()["users"] == 5
    else:
        assert problems(good_document) == [
            "partners[0].users[0].username: username 'alice' already belongs to partner 'Litware'"
        ]


def test_roles_by_template_id_and_name_resolve_to_the_same_rows(good_document):
    plan = scenario_validate(good_document, now=NOW)
    assert plan.relationships[0].roles == [
        "f023fd81-a637-4b56-95fd-791ac0226033",
        "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
        "88d8e3e3-8f55-4a1e-953a-9b9898b8876b",
    ]
    assert plan.relationships[0].assignments[0].roles == [
        "f023fd81-a637-4b56-95fd-791ac0226033",
        "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
    ]
