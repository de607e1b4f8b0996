"""End-to-end journeys of a partner admin in a real browser (Chromium through Playwright)."""

from __future__ import annotations

import os
import re

import pytest

from customers.models import Subscription
from partners.choices import PartnerType
from partners.models import Partner
from servicerequests.models import ServiceRequest
from tests.e2e.conftest import sign_in
from tests.factories import PartnerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = os.environ.get("E2E_SCREENSHOTS", "")


def shot(page, name: str) -> None:
    """Development aid: save a screenshot when E2E_SCREENSHOTS names a folder."""
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_admin_agent_files_an_azure_request_through_the_azure_portal(page, world):
    sign_in(page, "alice")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Customers").click()
    page.get_by_role("link", name="Fabrikam").click()
    shot(page, "customer")
    page.get_by_role("link", name="New request").click()
    page.get_by_label("Azure", exact=True).check()
    page.get_by_role("button", name="Show service health and details").click()
    page.get_by_label("Azure subscription").select_option(str(world.azure.pk))
    page.get_by_label("Issue type").select_option("technical")
    shot(page, "new-request")
    page.get_by_role("button", name="Check eligibility and continue").click()

    page.wait_for_url(re.compile(r"/portals/azure/new-support-request\?ctx="))
    banner = page.get_by_test_id("tenant-banner")
    assert (
        "Acting in Fabrikam (fabrikam.onmicrosoft.com) on behalf of Contoso Partners" in banner.inner_text()
    )
    assert page.get_by_test_id("support-plan").inner_text() == "Cloud Solution Provider"
    assert page.get_by_label("E-mail address").input_value() == "alice@contosopartners.com"
    page.get_by_label("Service / support topic").select_option(label="Virtual Machines")
    page.get_by_label("Summary").fill("VM does not start")
    page.get_by_label("Description").fill("The VM web-01 is stuck in 'starting' since 09:00.")
    page.get_by_label("B – Moderate impact: business is affected").check()
    shot(page, "azure-form")
    page.get_by_role("button", name="Review + create").click()
    assert "VM does not start" in page.get_by_test_id("review").inner_text()
    shot(page, "azure-review")
    page.get_by_role("button", name="Create").click()

    page.wait_for_url(re.compile(r"/portals/azure/.+/requests/\d{15}/$"))
    ticket_number = page.get_by_test_id("ticket-number").inner_text()
    assert re.fullmatch(r"\d{16}", ticket_number)
    shot(page, "azure-ticket")
    request = ServiceRequest.objects.get()
    assert (request.title, request.workload, request.issue_type, request.severity) == (
        "VM does not start",
        "azure",
        "technical",
        "moderate",
    )
    assert request.external_ticket_id == ticket_number

    page.get_by_test_id("partner-request-link").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Service requests").click()
    row = page.locator(f'tr[data-request-id="{request.pk}"]')
    assert row.get_by_test_id("ticket-id").inner_text() == ticket_number
    assert "VM does not start" in row.inner_text()
    shot(page, "request-list")


def _start_new_request(page, workload_label: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Customers").click()
    page.get_by_role("link", name="Fabrikam").click()
    page.get_by_role("link", name="New request").click()
    page.get_by_label(workload_label, exact=True).check()
    page.get_by_role("button", name="Show service health and details").click()


def test_indirect_reseller_asking_for_azure_billing_is_told_which_provider_to_contact(page, world):
    distributor = PartnerFactory(
        name="Northwind Distribution",
        type=PartnerType.INDIRECT_PROVIDER,
        support_email="csp@northwind.example",
        support_phone="+1 800 555 0142",
    )
    Partner.objects.filter(pk=world.partner.pk).update(
        type=PartnerType.INDIRECT_RESELLER, indirect_provider=distributor
    )
    Subscription.objects.filter(pk=world.azure.pk).update(provider=distributor, reseller=world.partner)

    sign_in(page, "alice")
    _start_new_request(page, "Azure")
    page.get_by_label("Azure subscription").select_option(str(world.azure.pk))
    page.get_by_label("Issue type").select_option("billing")
    page.get_by_role("button", name="Check eligibility and continue").click()

    assert page.get_by_role("heading", level=1).inner_text() == "This request can't be filed"
    step = page.get_by_test_id("fix-step").first
    assert step.get_attribute("data-rule-id") == "SR-AZURE-NONTECH-PROVIDER-ONLY"
    text = step.inner_text()
    assert "Only the provider of" in text
    assert "Contact Northwind Distribution (csp@northwind.example, +1 800 555 0142)" in text
    page.get_by_text("Show every rule checked").click()
    row = page.locator('tr[data-rule-id="SR-AZURE-NONTECH-PROVIDER-ONLY"]')
    assert row.get_attribute("data-outcome") == "failed"
    assert page.locator('tr[data-rule-id="SR-GDAP-ACTIVE"]').get_attribute("data-outcome") == "passed"
    shot(page, "denied-nontech")
    assert ServiceRequest.objects.count() == 0


def test_admin_agent_files_a_microsoft_365_request_end_to_end(page, world):
    sign_in(page, "alice")
    _start_new_request(page, "Microsoft 365")
    assert "No open incidents" in page.get_by_test_id("health-panel").inner_text()
    page.get_by_role("button", name="Check eligibility and continue").click()

    page.wait_for_url(re.compile(r"/portals/m365/new-support-request\?ctx="))
    assert page.get_by_test_id("portal-brand").inner_text() == "Microsoft 365 admin center"
    page.get_by_role("link", name=re.compile("^Exchange Online")).click()
    shot(page, "m365-form")
    page.get_by_label("Summary").fill("Mail to partners bounces")
    page.get_by_label("Description").fill("NDR 5.7.1 for every external recipient since this morning.")
    page.get_by_label("Critical (A)").check()
    page.get_by_label("Phone number").fill("+1 425 555 0101")
    page.get_by_role("button", name="Submit").click()

    page.wait_for_url(re.compile(r"/portals/m365/.+/requests/\d{15}/$"))
    ticket_number = page.get_by_test_id("ticket-number").inner_text()
    assert re.fullmatch(r"[1-9]\d{7}", ticket_number)
    shot(page, "m365-ticket")
    request = ServiceRequest.objects.get()
    assert (request.workload, request.severity, request.support_topic.name, request.contact_phone) == (
        "m365",
        "critical",
        "Exchange Online",
        "+1 425 555 0101",
    )

    page.get_by_role("navigation", name="Microsoft 365 admin center").get_by_role(
        "link", name="View all support tickets"
    ).click()
    assert ticket_number in page.get_by_test_id("ticket-table").inner_text()
    page.get_by_role("link", name=ticket_number).click()
    page.get_by_test_id("partner-request-link").click()
    assert page.get_by_test_id("portal-ticket").inner_text() == ticket_number
    assert page.get_by_test_id("request-status").inner_text() == "Open"


def test_marketplace_product_shows_the_isv_contacts_and_files_nothing(page, world):
    sign_in(page, "alice")
    _start_new_request(page, "Marketplace (third-party ISV)")
    page.get_by_label("Marketplace product").select_option(str(world.marketplace.pk))
    page.get_by_role("button", name="Show publisher support contacts").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Contact Litware for support"
    contacts = page.get_by_test_id("isv-contact").inner_text()
    assert "Support site: https://support.litware.example" in contacts
    assert "E-mail: support@litware.example" in contacts
    assert "Phone: +1 800 555 0199" in contacts
    shot(page, "marketplace")
    assert ServiceRequest.objects.count() == 0
