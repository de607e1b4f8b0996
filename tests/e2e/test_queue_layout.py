"""Queue pages in a real browser, issue #21: a bulk action over more than ten requests asks first
(the count and the action) and then says what it did; report charts' labels are at least 12 px
and the report cards of a row start on the same line; "Hand-offs from resellers" fits a 390 px
phone (cards, no sideways scrolling)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from queues.bulk import CONFIRM_ABOVE
from queues.reports import report_rollup_refresh
from servicerequests.handoffs.services import handoff_create
from servicerequests.models import ServiceRequest
from tests.e2e.conftest import sign_in
from tests.factories import ServiceRequestFactory, UserFactory
from tests.servicerequests.conftest import handoff_world  # noqa: F401  (the fixture below uses it)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def _unassigned_requests(world, n: int) -> list[str]:
    now = timezone.now()
    return [
        ServiceRequestFactory(
            id=f"30000000000{i:04d}",
            partner=world.partner,
            customer=world.customer,
            title=f"Sync stops {i}",
            created_at=now - timedelta(minutes=60 + i),
            sla_due_at=now + timedelta(hours=3, minutes=i),
        ).pk
        for i in range(n)
    ]


def test_a_bulk_action_over_ten_requests_is_confirmed_then_reported(page, world):
    UserFactory(username="mia", partner=world.partner, roles=["support_manager"])
    hugo = UserFactory(
        username="hugo", first_name="Hugo", last_name="Help", partner=world.partner, roles=["helpdesk_agent"]
    )
    ids = _unassigned_requests(world, CONFIRM_ABOVE + 2)
    sign_in(page, "mia")
    page.goto("/queues/unassigned/")
    for request_id in ids:
        page.get_by_label(f"Select {request_id}").check()
    page.get_by_label("With the selected requests").select_option("assign")
    page.get_by_label("Assignee").select_option(label="Hugo Help")
    page.get_by_role("button", name="Apply to selected").click()

    assert page.get_by_test_id("bulk-question").inner_text() == "Assign 12 requests to Hugo Help?"
    assert not ServiceRequest.objects.filter(assigned_to=hugo).exists()  # nothing yet
    page.get_by_test_id("bulk-confirm-button").click()
    page.wait_for_url(re.compile(r"/queues/unassigned/"))
    assert "12 requests assigned to Hugo Help." in page.locator(".messages").inner_text()
    assert ServiceRequest.objects.filter(assigned_to=hugo).count() == 12
    assert page.get_by_test_id("queue-table").locator("tbody tr[data-request-id]").count() == 0


def test_cancelling_the_confirmation_changes_nothing(page, world):
    UserFactory(username="mia", partner=world.partner, roles=["support_manager"])
    ids = _unassigned_requests(world, CONFIRM_ABOVE + 1)
    sign_in(page, "mia")
    page.goto("/queues/unassigned/")
    for request_id in ids:
        page.get_by_label(f"Select {request_id}").check()
    page.get_by_label("With the selected requests").select_option("set_severity")
    page.get_by_label("Severity").last.select_option("critical")
    page.get_by_role("button", name="Apply to selected").click()
    assert page.get_by_test_id("bulk-question").inner_text() == (
        "Change the severity of 11 requests to “Critical (A)”?"
    )
    page.get_by_test_id("bulk-cancel").click()
    page.wait_for_url(re.compile(r"/queues/unassigned/"))
    assert not ServiceRequest.objects.filter(pk__in=ids, severity="critical").exists()


# HTML text, never scaled with an SVG's view box: the computed size is the size on screen.
LABEL_SIZES = """() => [...document.querySelectorAll('.hbar-label, .hbar-value, .chart-axis, .legend li')]
  .map(e => parseFloat(getComputedStyle(e).fontSize))"""
CARD_TOPS = """() => [...document.querySelectorAll('.report-card')].map(e => {
  const r = e.getBoundingClientRect(); return [Math.round(r.top), Math.round(r.left)]; })"""


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_report_labels_are_readable_and_cards_line_up(page, world, viewport):
    UserFactory(username="mia", partner=world.partner, roles=["support_manager"])
    _unassigned_requests(world, 5)
    report_rollup_refresh(partner_id=world.partner.pk)
    page.set_viewport_size(viewport)
    sign_in(page, "mia")
    page.goto("/queues/reports/")
    sizes = page.evaluate(LABEL_SIZES)
    assert sizes and min(sizes) >= 12
    tops = page.evaluate(CARD_TOPS)
    # Cards side by side start on the same line: every card of the second column starts level
    # with a card of the first.
    first_left = min(left for _top, left in tops)
    first_column = {top for top, left in tops if left == first_left}
    assert all(top in first_column for top, left in tops if left != first_left)
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")


def test_the_handoff_queue_fits_a_phone(page, handoff_world):  # noqa: F811
    w = handoff_world
    for title in ("Invoice charges the plan twice", "Credit for the outage of the West Europe region"):
        handoff_create(
            actor=w.extra["paula"],
            customer_id=w.customer.pk,
            subscription_id=w.azure.pk,
            issue_type="billing",
            title=title,
            description="The March invoice charges the Azure plan twice.",
            severity="moderate",
        )
    page.set_viewport_size(PHONE)
    sign_in(page, "maria")
    page.goto("/queues/handoffs/")
    table = page.get_by_test_id("handoff-queue")
    assert table.locator("tbody tr[data-handoff-id]").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    # Nor does the table scroll inside its wrapper: each hand-off is a card.
    assert table.evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth")
    assert table.locator("thead").evaluate("h => getComputedStyle(h).position") == "absolute"
    row = table.locator("tbody tr").first
    assert row.evaluate("r => getComputedStyle(r).display") == "grid"
    assert row.locator("td.cell-reseller").get_attribute("data-label") == "Reseller"
