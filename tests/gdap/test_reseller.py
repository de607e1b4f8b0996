"""GDAP-INDIRECT-RESELLER end to end over Graph: an indirect provider creates a relationship for its
reseller, the reseller consents, the customer approves, the reseller's admin agent assigns its own
group, and the reseller's user may file; the provider sees the relationship but gets nothing."""

import pytest
from django.core import mail

from customers.choices import Workload
from partners.choices import PartnerCenterRole, PartnerType
from servicerequests.eligibility import EligibilityRequest, evaluate
from servicerequests.services import service_request_file
from tests.factories import (
    CustomerFactory,
    CustomerPartnerRelationshipFactory,
    PartnerFactory,
    SecurityGroupFactory,
    SubscriptionFactory,
    UserFactory,
)
from tests.graph import assert_graph_error, client_for
from tests.servicerequests.test_services_file import in_request_context

from .conftest import GR, SSA

pytestmark = pytest.mark.django_db
BASE = "/graph/v1.0/tenantRelationships/delegatedAdminRelationships"
GDAP_RULES = ("SR-GDAP-ACTIVE", "SR-GDAP-ASSIGNMENT", "SR-GDAP-ROLE-TICKETS")


@pytest.fixture
def world(db):
    class World:
        pass

    w = World()
    w.provider = PartnerFactory(name="Northwind Distribution", type=PartnerType.INDIRECT_PROVIDER)
    w.reseller = PartnerFactory(
        name="Tailspin Resellers", type=PartnerType.INDIRECT_RESELLER, indirect_provider=w.provider
    )
    w.customer = CustomerFactory(name="Wide World Importers")
    CustomerPartnerRelationshipFactory(
        customer=w.customer, partner=w.reseller, relationship="indirect_reseller"
    )
    CustomerPartnerRelationshipFactory(customer=w.customer, partner=w.provider)
    SubscriptionFactory(customer=w.customer, workload=Workload.M365, provider=w.provider, reseller=w.reseller)
    w.provider_group = SecurityGroupFactory(partner=w.provider, name="Northwind desk")
    w.reseller_group = SecurityGroupFactory(partner=w.reseller, name="Tailspin desk")
    w.provider_agent = UserFactory(
        partner=w.provider,
        username="nw-admin",
        roles=[PartnerCenterRole.ADMIN_AGENT],
        groups_in=[w.provider_group],
    )
    w.reseller_agent = UserFactory(
        partner=w.reseller,
        username="ts-admin",
        roles=[PartnerCenterRole.ADMIN_AGENT],
        groups_in=[w.reseller_group],
    )
    w.customer_admin = UserFactory(partner=None, customer=w.customer, username="wwi-ga")
    w.provider_api = client_for(w.provider_agent)
    w.reseller_api = client_for(w.reseller_agent)
    w.customer_api = client_for(w.customer_admin)
    return w


def gdap_outcomes(user, customer):
    decision = evaluate(EligibilityRequest(user_id=user.pk, customer_id=customer.pk, workload="m365"))
    return decision, {rule: decision.outcome(rule).outcome for rule in GDAP_RULES}


def test_reseller_relationship_lifecycle_over_graph(world, django_capture_on_commit_callbacks):
    w = world
    created = w.provider_api.post(
        BASE,
        {
            "displayName": "Tailspin support for WWI",
            "duration": "P2Y",
            "customer": {"tenantId": str(w.customer.pk)},
            "accessDetails": {"unifiedRoles": [{"roleDefinitionId": SSA}, {"roleDefinitionId": GR}]},
            "createdForResellerTenantId": str(w.reseller.pk),
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    rel_id = body["id"]
    assert body["@odata.type"] == "#microsoft.graph.resellerDelegatedAdminRelationship"
    assert (body["indirectProviderTenantId"], body["isPartnerConsentPending"]) == (str(w.provider.pk), True)
    assert body["duration"] == "P2Y"  # echoed as sent

    # A draft is the provider's alone: neither the reseller nor the customer sees it.
    assert_graph_error(w.reseller_api.get(f"{BASE}/{rel_id}"), 404, "ResourceNotFound")
    assert_graph_error(w.customer_api.get(f"{BASE}/{rel_id}"), 404, "ResourceNotFound")

    lock = w.provider_api.post(f"{BASE}/{rel_id}/requests", {"action": "lockForApproval"}, format="json")
    assert (lock.status_code, lock.json()["status"]) == (201, "created")

    seen = w.reseller_api.get(f"{BASE}/{rel_id}").json()
    assert (seen["status"], seen["isPartnerConsentPending"]) == ("approvalPending", True)
    # Until the reseller consents the invitation has not reached the customer.
    assert_graph_error(w.customer_api.get(f"{BASE}/{rel_id}"), 404, "ResourceNotFound")
    assert w.customer_api.get(BASE).json()["value"] == []
    # Eligibility tells the reseller what is missing: its own approval.
    decision, outcomes = gdap_outcomes(w.reseller_agent, w.customer)
    assert outcomes["SR-GDAP-ACTIVE"] == "failed"
    assert decision.outcome("SR-GDAP-ACTIVE").remedy.startswith("Approve 'Tailspin support for WWI'")
    # The provider can't approve on the reseller's behalf.
    assert_graph_error(
        w.provider_api.post(f"{BASE}/{rel_id}/requests", {"action": "approve"}, format="json"),
        403,
        "GDAP-INDIRECT-RESELLER",
    )

    with django_capture_on_commit_callbacks(execute=True):
        consent = w.reseller_api.post(f"{BASE}/{rel_id}/requests", {"action": "approve"}, format="json")
    assert (consent.status_code, consent.json()["action"]) == (201, "approve")
    after_consent = w.reseller_api.get(f"{BASE}/{rel_id}").json()
    assert (after_consent["status"], after_consent["isPartnerConsentPending"]) == ("approvalPending", False)
    assert any(w.customer_admin.email in m.to for m in mail.outbox)

    # Not active before the customer's approval: nobody may assign yet.
    assert_graph_error(
        w.reseller_api.post(
            f"{BASE}/{rel_id}/accessAssignments",
            {
                "accessContainer": {"accessContainerId": str(w.reseller_group.pk)},
                "accessDetails": {"unifiedRoles": [{"roleDefinitionId": SSA}]},
            },
            format="json",
        ),
        400,
        "GDAP-ASSIGNMENT-SUBSET",
        target="status",
    )
    decision, outcomes = gdap_outcomes(w.reseller_agent, w.customer)
    assert outcomes["SR-GDAP-ACTIVE"] == "failed"
    assert (
        "Global Administrator to approve 'Tailspin support for WWI'"
        in decision.outcome("SR-GDAP-ACTIVE").remedy
    )

    customer_view = w.customer_api.get(f"{BASE}/{rel_id}")
    assert customer_view.json()["status"] == "approvalPending"
    approve = w.customer_api.post(f"{BASE}/{rel_id}/requests", {"action": "approve"}, format="json")
    assert approve.status_code == 201, approve.content
    assert w.reseller_api.get(f"{BASE}/{rel_id}").json()["status"] == "active"

    # The provider's admin agent may not assign (neither its own group nor the reseller's).
    for group in (w.provider_group, w.reseller_group):
        refused = w.provider_api.post(
            f"{BASE}/{rel_id}/accessAssignments",
            {
                "accessContainer": {"accessContainerId": str(group.pk)},
                "accessDetails": {"unifiedRoles": [{"roleDefinitionId": SSA}]},
            },
            format="json",
        )
        assert_graph_error(refused, 403, "GDAP-INDIRECT-RESELLER")

    with django_capture_on_commit_callbacks(execute=True):
        assigned = w.reseller_api.post(
            f"{BASE}/{rel_id}/accessAssignments",
            {
                "accessContainer": {"accessContainerId": str(w.reseller_group.pk)},
                "accessDetails": {"unifiedRoles": [{"roleDefinitionId": SSA}]},
            },
            format="json",
        )
    assert assigned.status_code == 201, assigned.content
    assert assigned.json()["accessContainer"]["accessContainerId"] == str(w.reseller_group.pk)

    # The provider and the customer read the assignment, but never the reseller's group id.
    for api in (w.provider_api, w.customer_api):
        listed = api.get(f"{BASE}/{rel_id}/accessAssignments").json()["value"]
        assert [a["status"] for a in listed] == ["active"]
        assert "accessContainer" not in listed[0]
        assert str(w.reseller_group.pk) not in str(listed)

    decision, outcomes = gdap_outcomes(w.reseller_agent, w.customer)
    assert outcomes == dict.fromkeys(GDAP_RULES, "passed"), decision.failed_rule_ids
    filed = in_request_context(
        lambda: service_request_file(
            actor=w.reseller_agent,
            customer_id=w.customer.pk,
            workload="m365",
            title="Mail flow stopped",
            description="No mail leaves the tenant since 09:00.",
            severity="moderate",
            support_topic_id=32444611,
        )
    )
    assert filed.pk and filed.customer_id == w.customer.pk

    # The provider, even in a group, gets nothing through the reseller's relationship.
    decision, outcomes = gdap_outcomes(w.provider_agent, w.customer)
    assert not decision.allowed
    active = decision.outcome("SR-GDAP-ACTIVE")
    assert active.outcome == "failed"
    assert "GDAP-INDIRECT-RESELLER" in active.message
    assert "Tailspin support for WWI" in active.message


def test_reseller_rejects_over_graph_and_it_never_activates(world):
    w = world
    rel = w.provider_api.post(
        BASE,
        {
            "displayName": "Rejected one",
            "duration": "P30D",
            "customer": {"tenantId": str(w.customer.pk)},
            "accessDetails": {"unifiedRoles": [{"roleDefinitionId": SSA}]},
            "createdForResellerTenantId": str(w.reseller.pk),
        },
        format="json",
    ).json()
    w.provider_api.post(f"{BASE}/{rel['id']}/requests", {"action": "lockForApproval"}, format="json")
    rejected = w.reseller_api.post(f"{BASE}/{rel['id']}/requests", {"action": "reject"}, format="json")
    assert rejected.status_code == 201
    body = w.provider_api.get(f"{BASE}/{rel['id']}").json()
    assert (body["status"], body["isPartnerConsentPending"], body["activatedDateTime"]) == (
        "terminated",
        False,
        None,
    )
    statuses = w.provider_api.get(f"{BASE}/{rel['id']}/requests").json()["value"]
    assert [(r["action"], r["status"]) for r in statuses] == [
        ("lockForApproval", "succeeded"),
        ("reject", "succeeded"),
    ]
