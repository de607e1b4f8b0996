"""End-to-end journeys of a partner admin in a real browser (Chromium through Playwright)."""

from __future__ import annotations

import os
import re

import pytest

from servicerequests.models import ServiceRequest
from tests.e2e.conftest import sign_in

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
