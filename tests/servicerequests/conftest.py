"""A small world for the eligibility and routing tests: one request that every rule allows.

Contoso Partners (direct bill) with admin agent alice (groups Admin agents,
Azure managers, Support desk); customer Fabrikam (fabrikam.onmicrosoft.com,
fabrikam.com) with the active GDAP relationship 'Fabrikam support'
(Service Support Administrator, Global Reader, Directory Readers) whose
assignment gives Support desk Service Support Administrator; an Azure plan
provided by Contoso with Support Request Contributor for Azure managers; an
M365 subscription; a Litware marketplace product; Contoso's entitlements
PREM-7781 (valid) and PREM-0001 (expired). Each test breaks one thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from customers.choices import AzureRole, Workload
from customers.models import CustomerDomain, Subscription
from gdap.models import AccessAssignment, Relationship
from partners.models import Partner, SecurityGroup, User
from servicerequests.eligibility import EligibilityRequest
from tests import catalogues
from tests.factories import (
    AccessAssignmentFactory,
    AzureRoleAssignmentFactory,
    CustomerFactory,
    CustomerPartnerRelationshipFactory,
    IsvPublisherFactory,
    PartnerFactory,
    RelationshipFactory,
    SecurityGroupFactory,
    SubscriptionFactory,
    SupportEntitlementFactory,
    UserFactory,
)


@dataclass
class World:
    partner: Partner
    alice: User
    customer: Any
    groups: dict[str, SecurityGroup]
    relationship: Relationship
    assignment: AccessAssignment
    azure: Subscription
    m365: Subscription
    marketplace: Subscription
    extra: dict[str, Any] = field(default_factory=dict)

    def request(self, **overrides) -> EligibilityRequest:
        values = {"user_id": self.alice.pk, "customer_id": self.customer.pk, "workload": "m365"}
        if overrides.get("workload") == "azure":
            values["subscription_id"] = self.azure.pk
        if overrides.get("workload") == "marketplace":
            values["subscription_id"] = self.marketplace.pk
        values.update(overrides)
        return EligibilityRequest(**values)


ensure_entra_roles = catalogues.ensure_entra_roles


@pytest.fixture
def world(db) -> World:
    ensure_entra_roles()
    now = timezone.now()
    partner = PartnerFactory(
        name="Contoso Partners",
        domains=["contosopartners.com"],
        support_email="help@contosopartners.com",
        support_phone="+1 425 555 0100",
    )
    groups = {
        name: SecurityGroupFactory(partner=partner, name=name)
        for name in ("Admin agents", "Support desk", "Azure managers")
    }
    alice = UserFactory(
        username="alice",
        email="alice@contosopartners.com",
        phone="+1 425 555 0101",
        partner=partner,
        roles=["admin_agent"],
        groups_in=list(groups.values()),
    )
    customer = CustomerFactory(name="Fabrikam", default_domain="fabrikam.onmicrosoft.com")
    CustomerDomain.objects.create(customer=customer, domain="fabrikam.com")
    CustomerPartnerRelationshipFactory(customer=customer, partner=partner, relationship="reseller")
    relationship = RelationshipFactory(
        partner=partner,
        customer=customer,
        display_name="Fabrikam support",
        activated_at=now - timedelta(days=30),
        role_names=["Service Support Administrator", "Global Reader", "Directory Readers"],
    )
    assignment = AccessAssignmentFactory(
        relationship=relationship,
        security_group=groups["Support desk"],
        role_names=["Service Support Administrator"],
    )
    azure = SubscriptionFactory(
        customer=customer, workload=Workload.AZURE, offer="Azure plan", provider=partner
    )
    AzureRoleAssignmentFactory(
        subscription=azure,
        role_definition_id=AzureRole.SUPPORT_REQUEST_CONTRIBUTOR,
        group=groups["Azure managers"],
    )
    m365 = SubscriptionFactory(
        customer=customer, workload=Workload.M365, offer="Microsoft 365 E3", provider=partner
    )
    isv = IsvPublisherFactory(
        name="Litware",
        support_url="https://support.litware.example",
        support_email="support@litware.example",
        support_phone="+1 800 555 0199",
    )
    marketplace = SubscriptionFactory(
        customer=customer, workload=Workload.MARKETPLACE, offer="Litware Backup", provider=partner, isv=isv
    )
    SupportEntitlementFactory(
        partner=partner, entitlement_id="PREM-7781", valid_until=now + timedelta(days=300)
    )
    SupportEntitlementFactory(
        partner=partner, entitlement_id="PREM-0001", valid_until=now - timedelta(days=3)
    )
    return World(
        partner=partner,
        alice=alice,
        customer=customer,
        groups=groups,
        relationship=relationship,
        assignment=assignment,
        azure=azure,
        m365=m365,
        marketplace=marketplace,
    )


@pytest.fixture
def handoff_world(world: World) -> World:
    """Contoso (direct bill) provides Fabrikam's Azure plan; Proseware (advisor of Fabrikam) may not
    file its billing requests; Litware (another advisor) and Adatum see nothing of theirs."""
    proseware = PartnerFactory(name="Proseware Advisors", type="advisor", domains=["proseware.example"])
    paula = UserFactory(
        username="paula",
        email="paula@proseware.example",
        phone="+1 555 0102",
        partner=proseware,
        roles=["admin_agent"],
    )
    CustomerPartnerRelationshipFactory(customer=world.customer, partner=proseware, relationship="advisor")
    maria = UserFactory(
        username="maria", email="maria@contosopartners.com", partner=world.partner, roles=["support_manager"]
    )
    hank = UserFactory(username="hank", partner=world.partner, roles=["helpdesk_agent"])
    litware = PartnerFactory(name="Litware Advisors", type="advisor")
    lena = UserFactory(username="lena", partner=litware, roles=["admin_agent", "support_manager"])
    CustomerPartnerRelationshipFactory(customer=world.customer, partner=litware, relationship="advisor")
    world.extra.update(proseware=proseware, paula=paula, maria=maria, hank=hank, litware=litware, lena=lena)
    return world


#: The modules that publish service request tasks (each binds ``core.queueing.enqueue``).
ENQUEUE_SITES = (
    "servicerequests.services.filing",
    "servicerequests.services.dispatch",
    "servicerequests.notifications",
    "servicerequests.tasks",
    "portals.tasks",
)


def patch_enqueue(monkeypatch, wrapper):
    """Route every service request enqueue through ``wrapper(task_name, real_enqueue, *args, **kwargs)``."""
    import importlib

    from core import queueing

    real = queueing.enqueue

    def patched(task, *args, **kwargs):
        name = task if isinstance(task, str) else task.name
        return wrapper(name, real, task, *args, **kwargs)

    for module in ENQUEUE_SITES:
        monkeypatch.setattr(importlib.import_module(module), "enqueue", patched)
