"""Queues in a real browser: a support manager opens Breaching soon, assigns three requests in bulk
to a helpdesk agent, and the agent finds exactly those in My requests."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from servicerequests.models import ServiceRequest
from tests.e2e.conftest import sign_in
from tests.factories import ServiceRequestFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_manager_bulk_assigns_breaching_requests_and_the_agent_sees_them(page, world):
    UserFactory(
        username="mia",
        first_name="Mia",
        last_name="Manager",
        partner=world.partner,
        roles=["support_manager"],
    )
    hugo = UserFactory(
        username="hugo", first_name="Hugo", last_name="Help", partner=world.partner, roles=["helpdesk_agent"]
    )
    now = timezone.now()
    soon = [
        ServiceRequestFactory(
            id=f"10000000000010{i}",
            partner=world.partner,
            customer=world.customer,
            title=f"Mail delayed {i}",
            severity="critical",
            created_at=now - timedelta(minutes=100 + i),
            sla_due_at=now + timedelta(minutes=20 + i),
        ).pk
        for i in range(4)
    ]
    later = ServiceRequestFactory(
        partner=world.partner, customer=world.customer, sla_due_at=now + timedelta(hours=5)
    ).pk

    sign_in(page, "mia")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Queues").click()
    page.locator('[data-queue="breaching_soon"]').click()
    assert page.get_by_test_id("queue-name").inner_text() == "Breaching soon"
    table = page.get_by_test_id("queue-table")
    assert table.locator("tbody tr").evaluate_all("rows => rows.map(r => r.dataset.requestId)") == soon
    assert later not in table.inner_text()
    for request_id in soon[:3]:
        page.get_by_label(f"Select {request_id}").check()
    page.get_by_label("With the selected requests").select_option("assign")
    page.get_by_label("Assignee").select_option(label="Hugo Help")
    page.get_by_role("button", name="Apply to selected").click()
    page.wait_for_url(re.compile(r"/queues/breaching_soon/"))
    assert "Assign to: done for 3 of 3 request(s)." in page.locator(".messages").inner_text()
    assignees = page.get_by_test_id("assignee").all_inner_texts()
    assert assignees == ["Hugo Help", "Hugo Help", "Hugo Help", "Unassigned"]
    assert set(ServiceRequest.objects.filter(pk__in=soon[:3]).values_list("assigned_to", flat=True)) == {
        hugo.pk
    }

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/signin/"))
    sign_in(page, "hugo")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My requests").click()
    assert page.get_by_test_id("queue-name").inner_text() == "My requests"
    rows = page.get_by_test_id("queue-table").locator("tbody tr")
    assert rows.evaluate_all("rows => rows.map(r => r.dataset.requestId)") == soon[:3]
    assert page.get_by_test_id("queue-list").locator("a").all_inner_texts()[0].startswith("My requests")
