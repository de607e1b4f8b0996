"""The reseller → provider hand-off in a real browser, with the demo's personas: tom (Tailspin,
indirect reseller) is refused a Lamna Healthcare billing request (SR-AZURE-NONTECH-PROVIDER-ONLY),
asks Northwind to file it; nora (Northwind) finds it in "Hand-offs from resellers" and files it
with one click; tom sees the filed request and its status."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.conf import settings

from customers.models import Subscription
from scenario.loader import scenario_load
from servicerequests.handoffs.models import HandoffStatus, ServiceRequestHandoff
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DEMO = Path(settings.BASE_DIR) / "scenarios" / "demo.yaml"
SHOTS = os.environ.get("E2E_SCREENSHOTS", "")
TITLE = "Invoice charges the Azure plan twice"


def shot(page, name: str) -> None:
    """Development aid: save a screenshot when E2E_SCREENSHOTS names a folder."""
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/signin/"))


def test_tom_hands_a_billing_request_off_nora_files_it_and_tom_sees_its_status(page):
    scenario_load(DEMO)
    plan = Subscription.objects.get(customer__name="Lamna Healthcare", workload="azure")

    sign_in(page, "tom", "tom-demo-pass")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Customers").click()
    page.get_by_role("link", name="Lamna Healthcare").click()
    page.get_by_role("link", name="New request").click()
    page.get_by_label("Azure", exact=True).check()
    page.get_by_role("button", name="Show service health and details").click()
    page.get_by_label("Azure subscription").select_option(str(plan.pk))
    page.get_by_label("Issue type").select_option("billing")
    page.get_by_role("button", name="Check eligibility and continue").click()

    assert page.get_by_role("heading", level=1).inner_text() == "This request can't be filed"
    step = page.get_by_test_id("fix-step").first
    assert step.get_attribute("data-rule-id") == "SR-AZURE-NONTECH-PROVIDER-ONLY"
    step.get_by_role("link", name="Ask Northwind Distribution to file this").click()
    offer = page.get_by_test_id("handoff-offer")
    assert offer.get_by_label("Your e-mail address").input_value() == "tom@tailspinresellers.com"
    offer.get_by_label("Summary").fill(TITLE)
    offer.get_by_label("Description").fill("The March invoice charges Lamna's Azure plan twice.")
    offer.get_by_label("Severity").select_option("moderate")
    shot(page, "handoff-offer")
    offer.get_by_role("button", name="Ask Northwind Distribution to file this").click()

    page.wait_for_url(re.compile(r"/service-requests/handoffs/[0-9a-f-]{36}/$"))
    assert page.get_by_test_id("handoff-status").inner_text() == "Waiting for the provider"
    assert "Not filed yet" in page.get_by_test_id("filed-request").inner_text()
    handoff = ServiceRequestHandoff.objects.get(title=TITLE)
    sign_out(page)

    sign_in(page, "nora", "nora-demo-pass")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Queues").click()
    page.locator('[data-queue="handoffs"]').click()
    assert page.get_by_test_id("queue-name").inner_text() == "Hand-offs from resellers"
    queue = page.get_by_test_id("handoff-queue")
    assert "Tailspin Resellers" in queue.inner_text()
    shot(page, "handoff-queue")
    queue.get_by_role("link", name=TITLE).click()
    assert page.get_by_label("Summary").input_value() == TITLE
    assert "Handed off by Tailspin Resellers" in page.get_by_label("Description").input_value()
    shot(page, "handoff-provider")
    page.get_by_role("button", name="File this request").click()
    assert page.get_by_test_id("handoff-status").inner_text() == "Filed by the provider"
    handoff.refresh_from_db()
    assert handoff.status == HandoffStatus.ACCEPTED
    filed = handoff.service_request
    assert (filed.partner.name, filed.issue_type, filed.title) == ("Northwind Distribution", "billing", TITLE)
    sign_out(page)

    sign_in(page, "tom", "tom-demo-pass")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Hand-offs").click()
    page.get_by_test_id("handoffs-sent").get_by_role("link", name=TITLE).click()
    assert page.get_by_test_id("filed-request-id").inner_text() == filed.pk
    filed.refresh_from_db()
    assert page.get_by_test_id("filed-status").inner_text() == filed.get_status_display() == "Open"
    shot(page, "handoff-reseller-filed")
