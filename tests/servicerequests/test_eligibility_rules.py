"""Each eligibility rule of RULES.md: a passing and a failing case, with the exact message and remedy.

The ``world`` fixture (conftest) is a request every rule allows; each case
breaks one thing and checks the one rule it is about.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from customers.choices import AzureRole, Workload
from customers.models import AzureRoleAssignment
from gdap.models import EntraRole
from partners.models import UserRole
from servicerequests.eligibility import RULE_IDS, RULES, CustomerNotVisible, evaluate
from tests.factories import (
    AccessAssignmentFactory,
    CustomerFactory,
    PartnerFactory,
    SecurityGroupFactory,
    SubscriptionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _roles(*names):
    return EntraRole.objects.filter(name__in=names)


# --- Setups: each takes the world and returns the request to evaluate -------------------------


def baseline_m365(w):
    return w.request(workload="m365")


def baseline_azure(w):
    return w.request(workload="azure")


def marketplace(w):
    return w.request(workload="marketplace")


def unknown_workload(w):
    return w.request(workload="xbox")


def unknown_user(w):
    return w.request(user_id=987654321)


def customer_side_user(w):
    ga = UserFactory(username="fabrikam-ga", partner=None, customer=w.customer)
    return w.request(user_id=ga.pk)


def sales_agent(w):
    bob = UserFactory(username="bob", partner=w.partner, roles=["sales_agent"])
    return w.request(user_id=bob.pk)


def no_pc_role(w):
    UserRole.objects.filter(user=w.alice).delete()
    return w.request()


def customer_in_us_government(w):
    w.customer.cloud = "us_government"
    w.customer.save()
    return w.request()


def customer_in_gcc(w):
    w.customer.cloud = "gcc"
    w.customer.save()
    return w.request()


def partner_in_us_government(w):
    w.partner.cloud = "us_government"
    w.partner.save()
    return w.request()


def both_in_us_government(w):
    customer_in_us_government(w)
    return partner_in_us_government(w)


def us_government_partner_gcc_customer(w):
    customer_in_gcc(w)
    return partner_in_us_government(w)


def no_relationship(w):
    w.relationship.delete()
    return w.request()


def relationship_status(status, *, end_in_days=700):
    def setup(w):
        w.relationship.status = status
        w.relationship.end_at = timezone.now() + timedelta(days=end_in_days)
        w.relationship.save()
        return w.request()

    return setup


def relationship_past_end(w):
    w.relationship.end_at = timezone.now() - timedelta(hours=1)
    w.relationship.activated_at = w.relationship.end_at - timedelta(days=730)
    w.relationship.save()
    return w.request()


def assignment_to_other_group(w):
    w.assignment.security_group = SecurityGroupFactory(partner=w.partner, name="Tier 2")
    w.assignment.save()
    return w.request()


def assignment_pending(w):
    w.assignment.status = "pending"
    w.assignment.save()
    return w.request()


def alice_in_no_group(w):
    w.alice.memberships.all().delete()
    return w.request()


def assignment_only_global_reader(w):
    w.assignment.roles.set(_roles("Global Reader"))
    return w.request()


def relationship_without_ticket_role(w):
    w.relationship.roles.set(_roles("Global Reader", "Directory Readers"))
    w.assignment.roles.set(_roles("Global Reader"))
    return w.request(workload="dynamics")


def azure_assignment_without_roles(w):
    w.assignment.roles.clear()
    return w.request(workload="azure")


def azure_directory_readers_only(w):
    w.assignment.roles.set(_roles("Directory Readers"))
    return w.request(workload="azure")


def azure_reader_only(w):
    AzureRoleAssignment.objects.filter(subscription=w.azure).update(role_definition_id=AzureRole.READER)
    return w.request(workload="azure")


def azure_contributor_directly(w):
    AzureRoleAssignment.objects.filter(subscription=w.azure).delete()
    AzureRoleAssignment.objects.create(
        subscription=w.azure, role_definition_id=AzureRole.CONTRIBUTOR, user=w.alice
    )
    return w.request(workload="azure")


def azure_no_subscription(w):
    return w.request(workload="azure", subscription_id=None)


def azure_unknown_subscription(w):
    return w.request(workload="azure", subscription_id="00000000-0000-0000-0000-000000000001")


def azure_by_azure_subscription_id(w):
    return w.request(workload="azure", subscription_id=w.azure.azure_subscription_id)


def azure_suspended(w):
    w.azure.status = "suspended"
    w.azure.save()
    return w.request(workload="azure")


def azure_with_m365_subscription(w):
    return w.request(workload="azure", subscription_id=w.m365.pk)


def azure_billing_by_provider(w):
    return w.request(workload="azure", issue_type="billing")


def azure_bad_issue_type(w):
    return w.request(workload="azure", issue_type="refund")


def azure_billing_by_indirect_reseller(w):
    """Tailspin (reseller under Northwind) files billing for an Azure plan Northwind provides."""
    northwind = PartnerFactory(
        name="Northwind Distribution",
        type="indirect_provider",
        support_email="csp@northwind.example",
        support_phone="+1 206 555 0100",
        support_url="https://partners.northwind.example",
    )
    w.partner.type = "indirect_reseller"
    w.partner.indirect_provider = northwind
    w.partner.save()
    w.azure.provider = northwind
    w.azure.reseller = w.partner
    w.azure.save()
    return w.request(workload="azure", issue_type="billing")


def azure_quota_by_advisor_without_subscription(w):
    w.partner.type = "advisor"
    w.partner.save()
    return w.request(workload="azure", issue_type="quota", subscription_id=None)


def azure_direct_subscription(w):
    direct = SubscriptionFactory(
        customer=w.customer, workload=Workload.AZURE, offer="Pay-as-you-go", channel="direct", provider=None
    )
    w.extra["direct"] = direct
    return w.request(workload="azure", subscription_id=direct.pk, issue_type="subscription_management")


def azure_other_support_plan(w):
    return w.request(workload="azure", support_plan="partner_entitlement")


def contact_customer_domain(w):
    return w.request(contact_email="ga@fabrikam.com")


def contact_customer_subdomain(w):
    return w.request(contact_email="it@eu.Fabrikam.com")


def contact_not_an_email(w):
    return w.request(contact_email="alice")


def contact_partner_other_address(w):
    return w.request(contact_email="support@contosopartners.com")


def critical_without_phone(w):
    return w.request(severity="critical")


def critical_with_phone(w):
    return w.request(severity="critical", contact_phone="+1 425 555 0199")


def own_without_entitlement(w):
    return w.request(customer_id=None, workload="azure")


def own_with_valid_entitlement(w):
    return w.request(customer_id=None, workload="m365", support_entitlement_id="prem-7781")


def own_with_expired_entitlement(w):
    return w.request(customer_id=None, workload="m365", support_entitlement_id="PREM-0001")


def own_with_unknown_entitlement(w):
    return w.request(customer_id=None, workload="m365", support_entitlement_id="PREM-9999")


def marketplace_without_product(w):
    return w.request(workload="marketplace", subscription_id=None)


# --- The cases -------------------------------------------------------------------------------

NA_AZURE = ("not_applicable", "Applies only to Azure requests.", "")

CASES = [
    # SR-WORKLOAD-SUPPORTED
    (
        "SR-WORKLOAD-SUPPORTED",
        baseline_m365,
        ("passed", "Microsoft 365 is supported by Microsoft through the CSP entitlement.", ""),
    ),
    (
        "SR-WORKLOAD-SUPPORTED",
        marketplace,
        (
            "failed",
            "Marketplace (third-party ISV) products are not supported by Microsoft: no Microsoft ticket is "
            "created.",
            "Contact Litware for support (see SR-MARKETPLACE-ISV).",
        ),
    ),
    (
        "SR-WORKLOAD-SUPPORTED",
        unknown_workload,
        (
            "failed",
            "'xbox' is not a workload Microsoft supports through CSP.",
            "Choose one of the supported workloads: azure, dynamics, ems, m365.",
        ),
    ),
    # SR-PARTNER-TYPE
    (
        "SR-PARTNER-TYPE",
        baseline_m365,
        (
            "passed",
            "Contoso Partners is a Direct bill partner (CSP direct provider), a partner type that may file "
            "service requests.",
            "",
        ),
    ),
    (
        "SR-PARTNER-TYPE",
        unknown_user,
        ("failed", "The filing user does not exist.", "Sign in as a user of a CSP partner."),
    ),
    (
        "SR-PARTNER-TYPE",
        customer_side_user,
        (
            "failed",
            "fabrikam-ga does not belong to a CSP partner.",
            "Sign in with your partner organization's account: only partner users file service requests.",
        ),
    ),
    # SR-PC-ROLE-ADMIN-AGENT
    (
        "SR-PC-ROLE-ADMIN-AGENT",
        baseline_m365,
        ("passed", "alice holds the Partner Center Admin agent role.", ""),
    ),
    (
        "SR-PC-ROLE-ADMIN-AGENT",
        sales_agent,
        (
            "failed",
            "bob holds Sales agent, not Admin agent: a sales agent may only view service requests.",
            "Ask a global admin of Contoso Partners to give bob the Admin agent role (Partner Center → User "
            "management), or have an admin agent file the request.",
        ),
    ),
    (
        "SR-PC-ROLE-ADMIN-AGENT",
        no_pc_role,
        (
            "failed",
            "alice holds no Partner Center role; filing for a customer needs Admin agent.",
            "Ask a global admin of Contoso Partners to give alice the Admin agent role (Partner Center → "
            "User management), or have an admin agent file the request.",
        ),
    ),
    (
        "SR-PC-ROLE-ADMIN-AGENT",
        own_with_valid_entitlement,
        (
            "not_applicable",
            "Applies only to requests on behalf of a customer, not about your own subscription.",
            "",
        ),
    ),
    # SR-CLOUD-MATCH
    (
        "SR-CLOUD-MATCH",
        baseline_m365,
        ("passed", "Contoso Partners and Fabrikam are both in the Commercial cloud.", ""),
    ),
    (
        "SR-CLOUD-MATCH",
        customer_in_us_government,
        (
            "failed",
            "Contoso Partners is a Commercial partner; Fabrikam is a US Government customer, which only "
            "a US Government partner serves.",
            "A US Government customer is served from a US Government Partner Center account: have "
            "Fabrikam's partner in that cloud file the request.",
        ),
    ),
    (
        "SR-CLOUD-MATCH",
        customer_in_gcc,
        (
            "passed",
            "Fabrikam is a GCC customer; a Commercial partner such as Contoso Partners serves it through "
            "the Commercial Partner Center and admin centers.",
            "",
        ),
    ),
    (
        "SR-CLOUD-MATCH",
        both_in_us_government,
        ("passed", "Contoso Partners and Fabrikam are both in the US Government cloud.", ""),
    ),
    (
        "SR-CLOUD-MATCH",
        us_government_partner_gcc_customer,
        (
            "failed",
            "Contoso Partners is a US Government partner; Fabrikam is a GCC customer, which only a "
            "Commercial partner serves.",
            "A GCC customer is served from a Commercial Partner Center account: have Fabrikam's partner "
            "in that cloud file the request.",
        ),
    ),
    (
        "SR-CLOUD-MATCH",
        partner_in_us_government,
        (
            "failed",
            "Contoso Partners is a US Government partner; Fabrikam is a Commercial customer, which only "
            "a Commercial partner serves.",
            "A Commercial customer is served from a Commercial Partner Center account: have Fabrikam's "
            "partner in that cloud file the request.",
        ),
    ),
    # SR-GDAP-ACTIVE
    (
        "SR-GDAP-ACTIVE",
        no_relationship,
        (
            "failed",
            "Contoso Partners has no GDAP relationship with Fabrikam.",
            "Create a GDAP relationship with Fabrikam that includes Service Support Administrator, lock it "
            "for approval and have Fabrikam's Global Administrator approve it.",
        ),
    ),
    (
        "SR-GDAP-ACTIVE",
        relationship_status("expired"),
        (
            "failed",
            "No GDAP relationship with Fabrikam is active: 'Fabrikam support' is expired.",
            "'Fabrikam support' has expired and can't be restored: request a new GDAP relationship from "
            "Fabrikam.",
        ),
    ),
    (
        "SR-GDAP-ACTIVE",
        relationship_status("approvalPending"),
        (
            "failed",
            "No GDAP relationship with Fabrikam is active: 'Fabrikam support' is approvalPending.",
            "Ask Fabrikam's Global Administrator to approve 'Fabrikam support' through its invitation link.",
        ),
    ),
    (
        "SR-GDAP-ACTIVE",
        relationship_status("terminated"),
        (
            "failed",
            "No GDAP relationship with Fabrikam is active: 'Fabrikam support' is terminated.",
            "'Fabrikam support' was terminated: request a new GDAP relationship from Fabrikam.",
        ),
    ),
    # SR-GDAP-ASSIGNMENT
    (
        "SR-GDAP-ASSIGNMENT",
        baseline_m365,
        ("passed", "Your group has an active access assignment: 'Support desk' in 'Fabrikam support'.", ""),
    ),
    (
        "SR-GDAP-ASSIGNMENT",
        assignment_to_other_group,
        (
            "failed",
            "None of your security groups (Admin agents, Azure managers, Support desk) has an active access "
            "assignment in an active relationship with Fabrikam.",
            "Ask an admin to add you to 'Tier 2' (it has an active access assignment in 'Fabrikam support'), "
            "or create an access assignment for one of your security groups (Admin agents, Azure managers, "
            "Support desk) in 'Fabrikam support'.",
        ),
    ),
    (
        "SR-GDAP-ASSIGNMENT",
        assignment_pending,
        (
            "failed",
            "The access assignment of 'Support desk' in 'Fabrikam support' is pending, not active.",
            "Wait until it becomes active.",
        ),
    ),
    (
        "SR-GDAP-ASSIGNMENT",
        alice_in_no_group,
        (
            "failed",
            "You are not a member of any security group of Contoso Partners, so no access assignment in a "
            "relationship with Fabrikam reaches you.",
            "Ask an admin to add you to 'Support desk' (it has an active access assignment in 'Fabrikam "
            "support'), or create an access assignment for a security group you belong to in 'Fabrikam "
            "support'.",
        ),
    ),
    # SR-GDAP-ROLE-TICKETS
    (
        "SR-GDAP-ROLE-TICKETS",
        baseline_m365,
        (
            "passed",
            "You get Service Support Administrator through 'Support desk' in 'Fabrikam support', which can "
            "open support tickets.",
            "",
        ),
    ),
    (
        "SR-GDAP-ROLE-TICKETS",
        assignment_only_global_reader,
        (
            "failed",
            "None of the roles you get in Fabrikam (Global Reader) can open support tickets.",
            "Add Service Support Administrator to an active access assignment for one of your security "
            "groups (Admin agents, Azure managers, Support desk) in the relationship 'Fabrikam support'.",
        ),
    ),
    (
        "SR-GDAP-ROLE-TICKETS",
        relationship_without_ticket_role,
        (
            "failed",
            "None of the roles you get in Fabrikam (Global Reader) can open support tickets.",
            "No active relationship with Fabrikam ('Fabrikam support') includes a suitable role: request a "
            "new GDAP relationship from Fabrikam that includes Service Support Administrator.",
        ),
    ),
    (
        "SR-GDAP-ROLE-TICKETS",
        baseline_azure,
        (
            "not_applicable",
            "Applies only to Dynamics 365, Enterprise Mobility + Security, Microsoft 365 requests.",
            "",
        ),
    ),
    # SR-GDAP-ANY-ROLE
    (
        "SR-GDAP-ANY-ROLE",
        azure_directory_readers_only,
        (
            "passed",
            "You get Directory Readers in Fabrikam (through 'Support desk' in 'Fabrikam support' for "
            "Directory Readers).",
            "",
        ),
    ),
    (
        "SR-GDAP-ANY-ROLE",
        azure_assignment_without_roles,
        (
            "failed",
            "You get no Entra role in Fabrikam through an active access assignment.",
            "Add Directory Readers to an active access assignment for one of your security groups (Admin "
            "agents, Azure managers, Support desk) in the relationship 'Fabrikam support'.",
        ),
    ),
    ("SR-GDAP-ANY-ROLE", baseline_m365, NA_AZURE),
    # SR-AZURE-SUPPORT-PLAN
    ("SR-AZURE-SUPPORT-PLAN", baseline_azure, ("passed", "The support plan is Cloud Solution Provider.", "")),
    (
        "SR-AZURE-SUPPORT-PLAN",
        azure_other_support_plan,
        (
            "failed",
            "The support plan 'Partner's own entitlement' is not Cloud Solution Provider.",
            "Choose the support plan 'Cloud Solution Provider' in the Azure portal's Basics step: the CSP "
            "support entitlement covers requests on behalf of customers.",
        ),
    ),
    ("SR-AZURE-SUPPORT-PLAN", baseline_m365, NA_AZURE),
    # SR-CONTACT-IS-PARTNER
    (
        "SR-CONTACT-IS-PARTNER",
        baseline_m365,
        ("passed", "The contact alice@contosopartners.com is not at a domain of Fabrikam.", ""),
    ),
    (
        "SR-CONTACT-IS-PARTNER",
        contact_partner_other_address,
        ("passed", "The contact support@contosopartners.com is not at a domain of Fabrikam.", ""),
    ),
    (
        "SR-CONTACT-IS-PARTNER",
        contact_customer_domain,
        (
            "failed",
            "The contact ga@fabrikam.com is the customer's person: fabrikam.com is a domain of Fabrikam.",
            "Enter your own contact details (for example alice@contosopartners.com), not your customer's: "
            "Microsoft contacts the partner.",
        ),
    ),
    (
        "SR-CONTACT-IS-PARTNER",
        contact_customer_subdomain,
        (
            "failed",
            "The contact it@eu.Fabrikam.com is the customer's person: fabrikam.com is a domain of Fabrikam.",
            "Enter your own contact details (for example alice@contosopartners.com), not your customer's: "
            "Microsoft contacts the partner.",
        ),
    ),
    (
        "SR-CONTACT-IS-PARTNER",
        contact_not_an_email,
        (
            "failed",
            "'alice' is not an e-mail address.",
            "Enter your own e-mail address (for example alice@contosopartners.com).",
        ),
    ),
    # SR-CRITICAL-NEEDS-PHONE
    (
        "SR-CRITICAL-NEEDS-PHONE",
        baseline_m365,
        ("passed", "A Minimal (C) request needs no phone number.", ""),
    ),
    (
        "SR-CRITICAL-NEEDS-PHONE",
        critical_with_phone,
        ("passed", "The Critical (A) request carries the contact phone +1 425 555 0199.", ""),
    ),
    (
        "SR-CRITICAL-NEEDS-PHONE",
        critical_without_phone,
        (
            "failed",
            "A Critical (A) request must carry a contact phone number.",
            "Add a phone number where you can be reached (for example yours: +1 425 555 0101), or choose a "
            "lower severity.",
        ),
    ),
    # SR-OWN-SUBSCRIPTION-ENTITLEMENT
    (
        "SR-OWN-SUBSCRIPTION-ENTITLEMENT",
        own_with_valid_entitlement,
        (
            "passed",
            "PREM-7781 (Premier / Unified contract ID) is valid until {valid_until}; the request is filed "
            "in Contoso Partners' own context, not a customer's.",
            "",
        ),
    ),
    (
        "SR-OWN-SUBSCRIPTION-ENTITLEMENT",
        own_without_entitlement,
        (
            "failed",
            "A request about Contoso Partners' own subscription is not covered by the CSP entitlement and "
            "names no support entitlement.",
            "Enter one of Contoso Partners' valid support entitlements: PREM-7781 (Premier / Unified "
            "contract ID).",
        ),
    ),
    (
        "SR-OWN-SUBSCRIPTION-ENTITLEMENT",
        own_with_expired_entitlement,
        (
            "failed",
            "PREM-0001 (Premier / Unified contract ID) expired on {expired_on}.",
            "Renew PREM-0001, or enter one of Contoso Partners' valid support entitlements: PREM-7781 "
            "(Premier / Unified contract ID).",
        ),
    ),
    (
        "SR-OWN-SUBSCRIPTION-ENTITLEMENT",
        own_with_unknown_entitlement,
        (
            "failed",
            "'PREM-9999' is not a support entitlement of Contoso Partners.",
            "Enter one of Contoso Partners' valid support entitlements: PREM-7781 (Premier / Unified "
            "contract ID).",
        ),
    ),
    (
        "SR-OWN-SUBSCRIPTION-ENTITLEMENT",
        baseline_m365,
        ("not_applicable", "Applies only to requests about the partner's own subscription.", ""),
    ),
    # SR-MARKETPLACE-ISV
    (
        "SR-MARKETPLACE-ISV",
        marketplace,
        (
            "failed",
            "'Litware Backup' is a product of Litware: Microsoft doesn't support it and no ticket is "
            "created.",
            "Contact Litware support: site https://support.litware.example, e-mail support@litware.example, "
            "phone +1 800 555 0199.",
        ),
    ),
    (
        "SR-MARKETPLACE-ISV",
        marketplace_without_product,
        (
            "failed",
            "Marketplace products are supported by their publisher, not Microsoft: no ticket is created.",
            "Choose the product to see its publisher's support contact, then contact the publisher.",
        ),
    ),
    (
        "SR-MARKETPLACE-ISV",
        baseline_m365,
        ("not_applicable", "Applies only to Marketplace (third-party ISV) requests.", ""),
    ),
]


@pytest.mark.parametrize(
    ("rule_id", "setup", "expected"), CASES, ids=[f"{c[0]}-{c[1].__name__}" for c in CASES]
)
def test_rule_outcome_message_and_remedy(world, rule_id, setup, expected):
    decision = evaluate(setup(world))
    outcome = decision.outcome(rule_id)
    now = timezone.now()
    dates = {
        "valid_until": f"{now + timedelta(days=300):%Y-%m-%d}",
        "expired_on": f"{now - timedelta(days=3):%Y-%m-%d}",
    }
    assert (outcome.outcome, outcome.message, outcome.remedy) == tuple(e.format(**dates) for e in expected)
    assert (rule_id in decision.failed_rule_ids) == (expected[0] == "failed")


# Azure cases whose text carries the subscription's ids: checked against the world's values.


def test_azure_rbac_passes_through_group_and_directly(world):
    sub = f"'Azure plan' ({world.azure.azure_subscription_id})"
    outcome = evaluate(baseline_azure(world)).outcome("SR-AZURE-RBAC")
    assert (outcome.outcome, outcome.message) == (
        "passed",
        f"You hold Support Request Contributor on {sub} through 'Azure managers', which can create support "
        "tickets.",
    )
    outcome = evaluate(azure_contributor_directly(world)).outcome("SR-AZURE-RBAC")
    assert (outcome.outcome, outcome.message) == (
        "passed",
        f"You hold Contributor on {sub} directly, which can create support tickets.",
    )


def test_azure_rbac_reader_is_refused_and_told_which_role_to_ask_for_on_which_subscription(world):
    sub = f"'Azure plan' ({world.azure.azure_subscription_id})"
    outcome = evaluate(azure_reader_only(world)).outcome("SR-AZURE-RBAC")
    assert (outcome.outcome, outcome.message, outcome.remedy) == (
        "failed",
        f"You hold Reader on {sub}, which can't create support tickets.",
        f"Ask Fabrikam's subscription owner to grant Support Request Contributor on {sub} to you or to one "
        "of your security groups (Admin agents, Azure managers, Support desk) (any of Owner, Contributor, "
        "Support Request Contributor works).",
    )


def test_azure_rbac_without_subscription_fails(world):
    outcome = evaluate(azure_no_subscription(world)).outcome("SR-AZURE-RBAC")
    assert (outcome.outcome, outcome.message, outcome.remedy) == (
        "failed",
        "No Azure subscription is chosen. No Azure role can be checked.",
        "Choose one of Fabrikam's Azure subscriptions (see SR-AZURE-SUBSCRIPTION).",
    )


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        (baseline_azure, ("passed", "{sub} is an active Azure subscription of Fabrikam.", "")),
        (
            azure_by_azure_subscription_id,
            ("passed", "{sub} is an active Azure subscription of Fabrikam.", ""),
        ),
        (
            azure_no_subscription,
            (
                "failed",
                "No Azure subscription is chosen.",
                "Choose one of Fabrikam's active Azure subscriptions.",
            ),
        ),
        (
            azure_unknown_subscription,
            (
                "failed",
                "Subscription 00000000-0000-0000-0000-000000000001 is not a subscription of Fabrikam.",
                "Choose one of Fabrikam's active Azure subscriptions.",
            ),
        ),
        (
            azure_suspended,
            (
                "failed",
                "{sub} is suspended.",
                "Choose an active Azure subscription of Fabrikam, or have Contoso Partners reactivate this "
                "one.",
            ),
        ),
        (
            azure_with_m365_subscription,
            (
                "failed",
                "'Microsoft 365 E3' ({m365}) is a Microsoft 365 subscription, not an Azure one.",
                "Choose one of Fabrikam's active Azure subscriptions.",
            ),
        ),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_azure_subscription(world, setup, expected):
    outcome = evaluate(setup(world)).outcome("SR-AZURE-SUBSCRIPTION")
    values = {"sub": f"'Azure plan' ({world.azure.azure_subscription_id})", "m365": world.m365.pk}
    assert (outcome.outcome, outcome.message, outcome.remedy) == tuple(e.format(**values) for e in expected)


def test_nontech_passes_for_the_provider_and_is_not_applicable_for_technical(world):
    sub = f"'Azure plan' ({world.azure.azure_subscription_id})"
    outcome = evaluate(azure_billing_by_provider(world)).outcome("SR-AZURE-NONTECH-PROVIDER-ONLY")
    assert (outcome.outcome, outcome.message) == (
        "passed",
        f"Contoso Partners is the provider of {sub}, so it may file billing requests.",
    )
    outcome = evaluate(baseline_azure(world)).outcome("SR-AZURE-NONTECH-PROVIDER-ONLY")
    assert (outcome.outcome, outcome.message) == (
        "not_applicable",
        "Technical issues are not reserved to the subscription's provider.",
    )


def test_nontech_refuses_an_indirect_reseller_and_names_the_provider_to_contact(world):
    decision = evaluate(azure_billing_by_indirect_reseller(world))
    sub = f"'Azure plan' ({world.azure.azure_subscription_id})"
    outcome = decision.outcome("SR-AZURE-NONTECH-PROVIDER-ONLY")
    assert (outcome.outcome, outcome.message, outcome.remedy) == (
        "failed",
        f"Only the provider of {sub}, Northwind Distribution, may file billing requests; Contoso Partners "
        "(Indirect reseller) may not even with a support contract.",
        "Contact Northwind Distribution (https://partners.northwind.example, csp@northwind.example, "
        "+1 206 555 0100), the provider of this subscription, and ask them to file the billing request.",
    )
    assert decision.failed_rule_ids == ["SR-AZURE-NONTECH-PROVIDER-ONLY"]


def test_nontech_refuses_an_advisor_without_subscription(world):
    outcome = evaluate(azure_quota_by_advisor_without_subscription(world)).outcome(
        "SR-AZURE-NONTECH-PROVIDER-ONLY"
    )
    assert (outcome.outcome, outcome.message, outcome.remedy) == (
        "failed",
        "Only the provider of an Azure subscription may file service and subscription limits (quotas) "
        "requests; Contoso Partners is an Advisor.",
        "Contact the provider of the customer's Azure subscription and ask them to file it.",
    )


def test_nontech_on_a_direct_subscription_sends_the_customer_to_microsoft(world):
    request = azure_direct_subscription(world)
    direct = world.extra["direct"]
    outcome = evaluate(request).outcome("SR-AZURE-NONTECH-PROVIDER-ONLY")
    assert (outcome.outcome, outcome.message, outcome.remedy) == (
        "failed",
        f"'Pay-as-you-go' ({direct.azure_subscription_id}) is bought directly from Microsoft: no CSP partner "
        "is its provider.",
        "Fabrikam opens subscription management requests with Microsoft directly.",
    )


DIRECT_PLAN_MESSAGE = (
    "'Pay-as-you-go' ({id}) is bought directly from Microsoft: its support plan is the customer's own "
    "Azure support plan, and the 'Cloud Solution Provider' plan exists only on CSP subscriptions."
)
DIRECT_PLAN_REMEDY = (
    "Fabrikam opens this request with Microsoft under the customer's own Azure support plan; a partner "
    "files under the 'Cloud Solution Provider' plan only for an Azure subscription bought through CSP."
)


@pytest.mark.parametrize("partner_type", ["advisor", "indirect_reseller", "direct_bill"])
@pytest.mark.parametrize("support_plan", ["", "cloud_solution_provider"])
def test_a_direct_subscription_follows_its_own_support_plan_not_csp(world, partner_type, support_plan):
    """A technical Azure request on a direct pay-as-you-go subscription: the CSP plan does not exist
    there, whether the request names it or leaves the plan to its default."""
    world.partner.type = partner_type
    world.partner.save()
    direct = SubscriptionFactory(
        customer=world.customer,
        workload=Workload.AZURE,
        offer="Pay-as-you-go",
        channel="direct",
        provider=None,
    )
    AzureRoleAssignment.objects.create(
        subscription=direct, role_definition_id=AzureRole.OWNER, user=world.alice
    )
    request = world.request(
        workload="azure", subscription_id=direct.pk, issue_type="technical", support_plan=support_plan
    )
    decision = evaluate(request)
    outcome = decision.outcome("SR-AZURE-SUPPORT-PLAN")
    assert (outcome.outcome, outcome.message, outcome.remedy) == (
        "failed",
        DIRECT_PLAN_MESSAGE.format(id=direct.azure_subscription_id),
        DIRECT_PLAN_REMEDY,
    )
    assert list(decision.failed_rule_ids) == ["SR-AZURE-SUPPORT-PLAN"]


def test_the_csp_plan_passes_on_a_csp_subscription_for_an_advisor(world):
    world.partner.type = "advisor"
    world.partner.save()
    outcome = evaluate(world.request(workload="azure", issue_type="technical")).outcome(
        "SR-AZURE-SUPPORT-PLAN"
    )
    assert (outcome.outcome, outcome.message) == ("passed", "The support plan is Cloud Solution Provider.")


def test_nontech_unknown_issue_type(world):
    outcome = evaluate(azure_bad_issue_type(world)).outcome("SR-AZURE-NONTECH-PROVIDER-ONLY")
    assert (outcome.outcome, outcome.message, outcome.remedy) == (
        "failed",
        "'refund' is not an Azure issue type.",
        "Choose one of: technical, billing, subscription_management, quota.",
    )


@pytest.mark.parametrize(
    ("setup", "hint"),
    [
        (
            relationship_status("created"),
            "Lock 'Fabrikam support' for approval and send the invitation link "
            "to Fabrikam's Global Administrator.",
        ),
        (relationship_status("activating"), "Wait a moment: 'Fabrikam support' is being activated."),
        (
            relationship_past_end,
            "'Fabrikam support' has passed its end date: request a new GDAP relationship from Fabrikam.",
        ),
    ],
)
def test_gdap_active_remedy_follows_the_relationship_status(world, setup, hint):
    outcome = evaluate(setup(world)).outcome("SR-GDAP-ACTIVE")
    assert (outcome.outcome, outcome.remedy) == ("failed", hint)


# --- The decision as a whole ------------------------------------------------------------------


def test_allowed_m365_decision_in_api_shape(world):
    decision = evaluate(world.request(workload="m365"))
    data = decision.as_dict()
    assert data["allowed"] is True
    assert [o["ruleId"] for o in data["outcomes"]] == [
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
    ]
    assert {o["outcome"] for o in data["outcomes"]} == {"passed", "not_applicable"}
    assert all(set(o) == {"ruleId", "outcome", "message", "remedy"} for o in data["outcomes"])
    assert data["portal"] == {
        "portal": "m365",
        "cloud": "commercial",
        "displayName": "Microsoft 365 admin center",
        "url": "/portals/m365/new-support-request",
        "publicUrl": "https://admin.microsoft.com/Partner/BeginClientSession.aspx?"
        f"CTID={world.customer.pk}&CSDEST=o365admincenter",
        "host": "admin.microsoft.com",
        "listName": "View all support tickets",
        "government": False,
    }
    assert data["isvContact"] is None


@pytest.mark.parametrize(
    ("workload", "cloud", "portal", "url", "host"),
    [
        ("azure", "commercial", "azure", "/portals/azure/new-support-request", "portal.azure.com"),
        ("azure", "us_government", "azure", "/portals/azure/new-support-request", "portal.azure.us"),
        ("m365", "commercial", "m365", "/portals/m365/new-support-request", "admin.microsoft.com"),
        ("ems", "commercial", "m365", "/portals/m365/new-support-request", "admin.microsoft.com"),
        ("m365", "us_government", "m365", "/portals/m365/new-support-request", "portal.office365.us"),
        (
            "dynamics",
            "commercial",
            "dynamics",
            "/portals/dynamics/new-support-request",
            "admin.powerplatform.microsoft.com",
        ),
        (
            "dynamics",
            "us_government",
            "dynamics",
            "/portals/dynamics/new-support-request",
            "high.admin.powerplatform.microsoft.us",
        ),
    ],
)
def test_allowed_requests_route_to_the_workload_portal_of_the_partner_cloud(
    world, workload, cloud, portal, url, host
):
    world.partner.cloud = cloud
    world.partner.save()
    world.customer.cloud = cloud
    world.customer.save()
    decision = evaluate(world.request(workload=workload))
    assert decision.allowed
    route = decision.portal
    assert (route.portal, route.cloud, route.url, route.host, route.government) == (
        portal,
        cloud,
        url,
        host,
        cloud == "us_government",
    )
    assert route.public_url.startswith(f"https://{host}/")


def test_azure_public_url_is_in_the_customer_tenant(world):
    route = evaluate(world.request(workload="azure")).portal
    assert route.public_url == (
        "https://portal.azure.com/#@fabrikam.onmicrosoft.com/blade/Microsoft_Azure_Support/"
        "HelpAndSupportBlade/newsupportrequest"
    )


def test_own_subscription_routes_in_the_partner_own_context(world):
    route = evaluate(own_with_valid_entitlement(world)).portal
    assert route.public_url == (
        f"https://admin.microsoft.com/Partner/BeginClientSession.aspx?CTID={world.partner.pk}"
        "&CSDEST=o365admincenter"
    )


def test_marketplace_decision_carries_the_isv_contact_and_no_portal(world):
    decision = evaluate(marketplace(world))
    assert decision.failed_rule_ids == ["SR-WORKLOAD-SUPPORTED", "SR-MARKETPLACE-ISV"]
    assert decision.portal is None
    assert decision.as_dict()["isvContact"] == {
        "name": "Litware",
        "supportUrl": "https://support.litware.example",
        "supportEmail": "support@litware.example",
        "supportPhone": "+1 800 555 0199",
    }


def test_every_failing_rule_is_reported_not_just_the_first(world):
    world.relationship.delete()
    bob = UserFactory(username="bob", partner=world.partner, roles=["sales_agent"])
    decision = evaluate(
        world.request(user_id=bob.pk, workload="m365", severity="critical", contact_email="x@fabrikam.com")
    )
    assert decision.failed_rule_ids == [
        "SR-PC-ROLE-ADMIN-AGENT",
        "SR-GDAP-ACTIVE",
        "SR-GDAP-ASSIGNMENT",
        "SR-GDAP-ROLE-TICKETS",
        "SR-CONTACT-IS-PARTNER",
        "SR-CRITICAL-NEEDS-PHONE",
    ]
    assert decision.allowed is False
    assert decision.portal is None


def test_unknown_user_never_raises_and_fails(world):
    decision = evaluate(unknown_user(world))
    assert decision.failed_rule_ids == [
        "SR-PARTNER-TYPE",
        "SR-PC-ROLE-ADMIN-AGENT",
        "SR-CLOUD-MATCH",
        "SR-GDAP-ACTIVE",
        "SR-GDAP-ASSIGNMENT",
        "SR-GDAP-ROLE-TICKETS",
        "SR-CONTACT-IS-PARTNER",
    ]


def test_another_partners_customer_is_not_visible(world):
    other = CustomerFactory(name="Wingtip")
    with pytest.raises(CustomerNotVisible):
        evaluate(world.request(customer_id=other.pk))


@pytest.mark.parametrize("customer_id", ["00000000-0000-0000-0000-000000000000", "not-a-uuid"])
def test_unknown_customer_is_not_visible(world, customer_id):
    with pytest.raises(CustomerNotVisible) as excinfo:
        evaluate(world.request(customer_id=customer_id))
    assert excinfo.value.customer_id == customer_id


def test_another_partners_gdap_does_not_count(world):
    """GDAP of another partner with the same customer grants nothing to Contoso's users."""
    world.relationship.delete()
    other = PartnerFactory(name="Wingtip Partners")
    group = SecurityGroupFactory(partner=other, name="Support desk")
    AccessAssignmentFactory(
        relationship__partner=other,
        relationship__customer=world.customer,
        security_group=group,
        role_names=["Service Support Administrator"],
    )
    decision = evaluate(world.request())
    assert (
        decision.outcome("SR-GDAP-ACTIVE").message
        == "Contoso Partners has no GDAP relationship with Fabrikam."
    )


def test_relationship_expiring_between_evaluations_is_refused_at_the_later_time(world):
    later = world.relationship.end_at + timedelta(minutes=1)
    assert evaluate(world.request()).allowed
    decision = evaluate(world.request(), now=later)
    assert decision.failed_rule_ids == ["SR-GDAP-ACTIVE", "SR-GDAP-ASSIGNMENT", "SR-GDAP-ROLE-TICKETS"]


def test_rules_follow_the_eligibility_table_of_the_rules_catalogue():
    """RULES and tables.RULE_IDS list exactly the rules of docs/rules.md's eligibility table, in order."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "rules.md").read_text()
    section = text.split("## Eligibility rules", 1)[1].split("\n## ", 1)[0]
    documented = tuple(re.findall(r"^\| (SR-[A-Z0-9-]+) \|", section, flags=re.MULTILINE))
    assert documented == RULE_IDS == tuple(RULES)
    assert len(RULE_IDS) == 16
