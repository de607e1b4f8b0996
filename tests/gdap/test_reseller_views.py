"""The browser pages of GDAP-INDIRECT-RESELLER: the reseller's invitations and approve/reject page,
the customer's approval after it, and the provider's read-only view."""

from datetime import timedelta

import pytest
from django.urls import reverse

from gdap import services
from gdap.choices import RelationshipStatus
from partners.choices import PartnerCenterRole, PartnerType
from tests.factories import (
    AccessAssignmentFactory,
    CustomerFactory,
    CustomerPartnerRelationshipFactory,
    PartnerFactory,
    SecurityGroupFactory,
    UserFactory,
)

from .conftest import GR, SSA

S = RelationshipStatus
pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(db):
    provider = PartnerFactory(name="Northwind Distribution", type=PartnerType.INDIRECT_PROVIDER)
    reseller = PartnerFactory(
        name="Tailspin Resellers", type=PartnerType.INDIRECT_RESELLER, indirect_provider=provider
    )
    customer = CustomerFactory(name="Lucerne Publishing")
    CustomerPartnerRelationshipFactory(customer=customer, partner=reseller, relationship="indirect_reseller")
    provider_agent = UserFactory(partner=provider, username="nora", roles=[PartnerCenterRole.ADMIN_AGENT])
    reseller_agent = UserFactory(partner=reseller, username="tom", roles=[PartnerCenterRole.ADMIN_AGENT])
    customer_admin = UserFactory(partner=None, customer=customer, username="lena")
    rel = services.relationship_create(
        actor=provider_agent,
        customer_id=customer.pk,
        display_name="Lucerne for Tailspin",
        duration=timedelta(days=365),
        role_ids=[SSA, GR],
        created_for_reseller_id=reseller.pk,
    )
    services.relationship_lock_for_approval(actor=provider_agent, relationship_id=rel.pk)
    return provider, reseller, customer, provider_agent, reseller_agent, customer_admin, rel


def test_reseller_approves_on_its_page_then_customer_approves(client, setup):
    provider, reseller, customer, provider_agent, reseller_agent, customer_admin, rel = setup
    invitation = reverse("gdap:invitation", args=[rel.pk])

    # The customer can't see it yet; the provider can't answer for the reseller.
    client.force_login(customer_admin)
    assert list(client.get(reverse("gdap:invitation_list")).context["page_obj"]) == []
    assert client.get(invitation).status_code == 404
    client.force_login(provider_agent)
    response = client.get(invitation)
    assert response.status_code == 403

    client.force_login(reseller_agent)
    listed = client.get(reverse("gdap:relationship_list"))
    assert b"Invitations to review (1)" in listed.content
    assert b"From Northwind Distribution" in listed.content
    assert [r.pk for r in client.get(reverse("gdap:invitation_list")).context["page_obj"]] == [rel.pk]
    page = client.get(invitation)
    assert page.status_code == 200
    assert b"Relationship created for you" in page.content
    assert b"You approve or reject it now." in page.content
    response = client.post(invitation, {"decision": "approve"}, follow=True)
    assert response.status_code == 200
    assert b"Lucerne Publishing&#x27;s Global Administrator approves it next." in response.content
    rel.refresh_from_db()
    assert (rel.status, rel.is_partner_consent_pending) == (S.APPROVAL_PENDING, False)
    assert b'name="decision"' not in response.content  # answered: no buttons any more

    client.force_login(customer_admin)
    assert [r.pk for r in client.get(reverse("gdap:invitation_list")).context["page_obj"]] == [rel.pk]
    page = client.get(invitation)
    assert b"Tailspin Resellers" in page.content and b"Approve all" in page.content
    client.post(invitation, {"decision": "approve"})
    rel.refresh_from_db()
    assert rel.status == S.ACTIVE


def test_reseller_rejects_on_its_page(client, setup):
    *_, reseller_agent, customer_admin, rel = setup
    client.force_login(reseller_agent)
    client.post(reverse("gdap:invitation", args=[rel.pk]), {"decision": "reject"})
    rel.refresh_from_db()
    assert rel.status == S.TERMINATED and rel.activated_at is None


def test_provider_sees_the_active_relationship_read_only(client, setup):
    provider, reseller, customer, provider_agent, reseller_agent, customer_admin, rel = setup
    services.relationship_approve(actor=reseller_agent, relationship_id=rel.pk)
    services.relationship_approve(actor=customer_admin, relationship_id=rel.pk)
    group = SecurityGroupFactory(partner=reseller, name="Tailspin secret desk")
    AccessAssignmentFactory(
        relationship=rel, security_group=group, role_names=["Service Support Administrator"]
    )
    detail = reverse("gdap:relationship_detail", args=[rel.pk])

    client.force_login(provider_agent)
    page = client.get(detail)
    assert page.status_code == 200
    assert b"it gives you no access (GDAP-INDIRECT-RESELLER)" in page.content
    assert b"Tailspin secret desk" not in page.content  # the reseller's group stays the reseller's
    assert b"Terminate" not in page.content and b"Add assignment" not in page.content
    provider_group = SecurityGroupFactory(partner=provider, name="Northwind desk")
    response = client.post(
        reverse("gdap:assignment_create", args=[rel.pk]),
        {"security_group": provider_group.pk, "roles": [SSA]},
    )
    assert response.status_code == 403

    client.force_login(reseller_agent)
    page = client.get(detail)
    assert b"Tailspin secret desk" in page.content
    assert b"Add assignment" in page.content and b"Terminate" in page.content
