"""GDAP-INDIRECT-RESELLER in a real browser: the indirect provider requests a relationship for its
reseller and locks it, the reseller approves it from its invitations, the customer's Global
Administrator approves it, and the reseller's admin agent assigns its own group; the provider keeps
a read-only view."""

from __future__ import annotations

import re

import pytest

from gdap.choices import AssignmentStatus, RelationshipStatus
from gdap.models import Relationship
from partners.choices import PartnerCenterRole, PartnerType
from tests.e2e.conftest import sign_in
from tests.factories import (
    CustomerFactory,
    CustomerPartnerRelationshipFactory,
    PartnerFactory,
    SecurityGroupFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/signin/"))


def test_provider_creates_reseller_then_customer_approve_reseller_assigns(page):
    provider = PartnerFactory(name="Northwind Distribution", type=PartnerType.INDIRECT_PROVIDER)
    reseller = PartnerFactory(
        name="Tailspin Resellers", type=PartnerType.INDIRECT_RESELLER, indirect_provider=provider
    )
    customer = CustomerFactory(name="Lucerne Publishing")
    CustomerPartnerRelationshipFactory(customer=customer, partner=reseller, relationship="indirect_reseller")
    CustomerPartnerRelationshipFactory(customer=customer, partner=provider)
    UserFactory(partner=provider, username="nora", roles=[PartnerCenterRole.ADMIN_AGENT])
    team = SecurityGroupFactory(partner=reseller, name="Azure team")
    UserFactory(partner=reseller, username="tom", roles=[PartnerCenterRole.ADMIN_AGENT], groups_in=[team])
    UserFactory(partner=None, customer=customer, username="lena", email="lena@lucerne.example")

    sign_in(page, "nora")
    page.goto("/gdap/relationships/new/")
    page.get_by_role("link", name="Service desk").click()
    create = page.get_by_test_id("gdap-create-form")
    create.get_by_label("Relationship name").fill("Lucerne for Tailspin")
    create.locator('select[name="customer"]').select_option(label="Lucerne Publishing")
    create.get_by_label("For indirect reseller").select_option(label="Tailspin Resellers")
    create.get_by_role("button", name="Create relationship").click()
    page.get_by_role("button", name="Lock for approval").click()
    assert page.get_by_test_id("gdap-status").inner_text() == "Approval pending"
    panel = page.get_by_test_id("gdap-reseller-panel").inner_text()
    assert "it gives you no access" in panel and "pending" in panel
    relationship = Relationship.objects.get(display_name="Lucerne for Tailspin")
    sign_out(page)

    sign_in(page, "tom")
    page.goto("/gdap/relationships/")
    page.get_by_role("link", name="Invitations to review (1)").click()
    page.get_by_role("link", name="Lucerne for Tailspin").click()
    assert "You approve or reject it now." in page.get_by_test_id("gdap-reseller-steps").inner_text()
    page.get_by_role("button", name="Approve all").click()
    page.get_by_role("button", name="Yes, approve all").click()
    page.locator(".messages").get_by_text("You approved the relationship").wait_for()
    relationship.refresh_from_db()
    assert (relationship.status, relationship.is_partner_consent_pending) == (
        RelationshipStatus.APPROVAL_PENDING,
        False,
    )
    sign_out(page)

    sign_in(page, "lena")
    page.goto(f"/gdap/invitations/{relationship.pk}/")
    assert "Tailspin Resellers" in page.get_by_test_id("gdap-invitation").inner_text()
    page.get_by_role("button", name="Approve all").click()
    page.get_by_role("button", name="Yes, approve all").click()
    assert page.get_by_test_id("gdap-status").inner_text() == "Active"
    sign_out(page)

    sign_in(page, "tom")
    page.goto(f"/gdap/relationships/{relationship.pk}/")
    form = page.get_by_test_id("gdap-assignment-form")
    form.get_by_label("Security group").select_option(label="Azure team")
    form.get_by_label("Service Support Administrator").check()
    form.get_by_role("button", name="Add assignment").click()
    assert "Azure team" in page.get_by_test_id("gdap-assignments").inner_text()
    assert relationship.access_assignments.get().status == AssignmentStatus.ACTIVE
    sign_out(page)

    sign_in(page, "nora")
    page.goto(f"/gdap/relationships/{relationship.pk}/")
    assignments = page.get_by_test_id("gdap-assignments").inner_text()
    assert "Azure team" not in assignments and "A security group of Tailspin Resellers" in assignments
    assert page.get_by_test_id("gdap-assignment-form").count() == 0
