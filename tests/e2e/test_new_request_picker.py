"""Service requests › New request: the customer picker, by keyboard alone (as the seed files it)."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import sign_in
from tests.factories import CustomerFactory, CustomerPartnerRelationshipFactory

expect = pytest.importorskip("playwright.sync_api", reason="make install-dev installs Playwright").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def active_element(page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.name")


def test_a_customer_and_a_workload_chosen_with_the_keyboard(page, world):
    for name in ("Fourth Coffee", "Fabrikam Retail"):
        CustomerPartnerRelationshipFactory(customer=CustomerFactory(name=name), partner=world.partner)
    sign_in(page, "alice")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Service requests").click()
    page.get_by_role("link", name="New request", exact=True).click()
    page.wait_for_url(re.compile(r"/service-requests/new/$"))

    page.get_by_label("Search your customers by name or domain").focus()
    page.keyboard.type("fabrikam")
    results = page.get_by_test_id("customer-results")
    expect(results).not_to_contain_text("Fourth Coffee")  # the type-ahead narrowed the list
    assert results.get_by_role("radio").count() == 2

    page.keyboard.press("Tab")  # the Search button
    page.keyboard.press("Tab")  # into the customers' radio group
    assert active_element(page) == f"customer-{world.customer.pk}"
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # into the workloads' radio group
    assert active_element(page).startswith("id_workload_")
    while page.evaluate("document.activeElement.value") != "m365":
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(rf"/customers/{world.customer.pk}/service-requests/new/\?workload=m365$"))
    assert page.get_by_label("Microsoft 365", exact=True).is_checked()
    assert page.get_by_test_id("health-panel").is_visible()
