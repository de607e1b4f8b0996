"""The refusal page leads with the fix: one sentence per failed rule, with the action that leads to
it; every rule checked is folded below with its rule id."""

from __future__ import annotations

import re

import pytest

from gdap.models import EntraRole
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def file_m365_for_fabrikam(page, world):
    sign_in(page, "alice")
    page.goto(f"/customers/{world.customer.pk}/service-requests/new/")
    page.get_by_label("Microsoft 365", exact=True).check()
    page.get_by_role("button", name="Show service health and details").click()
    page.get_by_role("button", name="Check eligibility and continue").click()
    assert page.get_by_role("heading", level=1).inner_text() == "This request can't be filed"


def first_step(page, rule_id: str):
    """The first failed rule on the page, which must be ``rule_id``."""
    steps = page.get_by_test_id("fix-step")
    assert steps.first.get_attribute("data-rule-id") == rule_id
    return steps.first


def test_a_missing_ticket_role_leads_to_the_gdap_form_with_the_role(page, world):
    world.assignment.roles.set(EntraRole.objects.filter(name="Global Reader"))
    file_m365_for_fabrikam(page, world)

    step = first_step(page, "SR-GDAP-ROLE-TICKETS")
    assert page.get_by_test_id("fix-step").count() == 1
    assert page.get_by_test_id("fix-step").first.is_visible()
    assert "can open support tickets" in step.locator(".fix-problem").inner_text()
    assert "Service Support Administrator" in step.locator(".fix-remedy").inner_text()
    assert "SR-GDAP-ROLE-TICKETS" not in page.get_by_test_id("denied-summary").inner_text()
    rule_table = page.get_by_test_id("rule-table")
    assert not rule_table.is_visible()
    page.get_by_text("Show every rule checked").click()
    assert (
        rule_table.locator('tr[data-rule-id="SR-GDAP-ROLE-TICKETS"]').get_attribute("data-outcome")
        == "failed"
    )

    step.get_by_role("link", name="Request a GDAP relationship from Fabrikam").click()
    page.wait_for_url(re.compile(r"/gdap/relationships/new/\?"))
    assert page.locator('select[name="customer"]').input_value() == str(world.customer.pk)
    ssa = EntraRole.objects.get(name="Service Support Administrator").pk
    assert page.locator(f'input[name="roles"][value="{ssa}"]:checked').count() >= 1


def test_a_group_without_an_assignment_leads_to_the_customers_relationships(page, world):
    world.assignment.delete()
    file_m365_for_fabrikam(page, world)

    step = first_step(page, "SR-GDAP-ASSIGNMENT")
    step.get_by_role("link", name="Open Fabrikam's admin relationships").click()
    page.wait_for_url(re.compile(rf"/customers/{world.customer.pk}/relationships/$"))
    assert "Fabrikam support" in page.get_by_role("main").inner_text()


def test_no_active_relationship_leads_to_the_gdap_form(page, world):
    world.relationship.status = "terminated"
    world.relationship.save(update_fields=["status"])
    file_m365_for_fabrikam(page, world)

    steps = page.get_by_test_id("fix-step")
    assert steps.first.get_attribute("data-rule-id") == "SR-GDAP-ACTIVE"
    assert "Fabrikam" in steps.first.locator(".fix-problem").inner_text()
    steps.first.get_by_role("link", name="Request a GDAP relationship from Fabrikam").click()
    page.wait_for_url(re.compile(r"/gdap/relationships/new/\?"))
    assert page.locator('select[name="customer"]').input_value() == str(world.customer.pk)
