"""GDAP in a real browser: the partner requests a relationship, the customer's Global Administrator
approves it through the invitation link, the partner assigns Service Support Administrator to a
group, and the admin agent can then file a Microsoft 365 request."""

from __future__ import annotations

import re

import pytest

from gdap.choices import AssignmentStatus, RelationshipStatus
from gdap.models import Relationship
from servicerequests.models import ServiceRequest
from tests.e2e.conftest import sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/signin/"))


def test_partner_requests_customer_approves_partner_assigns_agent_files_m365(page, world):
    world.relationship.delete()  # start without GDAP: nobody may file for Fabrikam yet
    UserFactory(username="fabrikam-ga", partner=None, customer=world.customer, email="ga@fabrikam.com")

    sign_in(page, "alice")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin relationships").click()
    page.get_by_role("link", name="Request relationship").click()
    page.get_by_role("link", name="Service desk").click()
    create = page.get_by_test_id("gdap-create-form")
    assert create.get_by_label("Service Support Administrator").is_checked()
    assert create.get_by_label("Global Reader").is_checked()
    assert not create.get_by_label("Global Administrator").is_checked()
    create.get_by_label("Relationship name").fill("Fabrikam service desk")
    create.get_by_role("combobox", name="Customer").select_option(label="Fabrikam")
    create.get_by_label("Duration (days)").fill("365")
    create.get_by_role("button", name="Create relationship").click()
    assert page.get_by_test_id("gdap-status").inner_text() == "Created"

    page.get_by_role("button", name="Lock for approval").click()
    assert page.get_by_test_id("gdap-status").inner_text() == "Approval pending"
    # The partner can't open the link itself: it is shown as text to send to the customer.
    invitation = page.get_by_test_id("gdap-invitation-link").inner_text()
    relationship = Relationship.objects.get(display_name="Fabrikam service desk")
    assert invitation.endswith(f"/gdap/invitations/{relationship.pk}/")
    sign_out(page)

    sign_in(page, "fabrikam-ga")
    page.goto(invitation)
    card = page.get_by_test_id("gdap-invitation")
    assert "Contoso Partners" in card.inner_text()
    assert "Service Support Administrator" in card.inner_text()
    page.get_by_role("button", name="Approve all").click()
    page.get_by_role("button", name="Yes, approve all").click()
    assert page.get_by_test_id("gdap-status").inner_text() == "Active"
    sign_out(page)

    sign_in(page, "alice")
    page.goto(f"/gdap/relationships/{relationship.pk}/")
    form = page.get_by_test_id("gdap-assignment-form")
    form.get_by_label("Security group").select_option(label="Support desk")
    form.get_by_label("Service Support Administrator").check()
    form.get_by_role("button", name="Add assignment").click()
    assert "Active" in page.get_by_test_id("gdap-assignments").inner_text()
    assert relationship.access_assignments.get().status == AssignmentStatus.ACTIVE

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Customers").click()
    page.get_by_role("link", name="Fabrikam").click()
    page.get_by_role("link", name="New request").click()
    page.get_by_label("Microsoft 365", exact=True).check()
    page.get_by_role("button", name="Show service health and details").click()
    page.get_by_role("button", name="Check eligibility and continue").click()
    page.wait_for_url(re.compile(r"/portals/m365/new-support-request\?ctx="))
    page.get_by_role("link", name=re.compile("^Exchange Online")).click()
    page.get_by_label("Summary").fill("Shared mailbox not visible")
    page.get_by_label("Description").fill(
        "The shared mailbox 'sales' disappeared from Outlook for all users."
    )
    page.get_by_label("Minimal (C)").check()
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(re.compile(r"/portals/m365/.+/requests/\d{15}/$"))
    request = ServiceRequest.objects.get()
    assert (request.workload, request.title, request.customer_id) == (
        "m365",
        "Shared mailbox not visible",
        world.customer.pk,
    )
    relationship.refresh_from_db()
    assert relationship.status == RelationshipStatus.ACTIVE
