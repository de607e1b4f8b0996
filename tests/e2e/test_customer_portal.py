"""The customer admin portal in a real browser, on the demo world (``scenarios/demo.yaml``):
cora follows the menu to Contoso's pending invitation and approves it; fiona reads the requests
Contoso filed for Fabrikam without any of the partner's notes or assignees."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from gdap.choices import RelationshipStatus
from gdap.models import Relationship
from partners.models import User
from scenario.loader import scenario_load
from servicerequests.models import Note, ServiceRequest
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DEMO = Path(settings.BASE_DIR) / "scenarios" / "demo.yaml"


@pytest.fixture
def demo(live_server):
    scenario_load(DEMO)


def main_menu(page):
    return page.get_by_role("navigation", name="Main")


def test_cora_follows_the_menu_to_the_pending_invitation_and_approves_it(page, demo):
    relationship = Relationship.objects.get(customer__name="Coho Winery", display_name="Coho Winery support")
    assert relationship.status == RelationshipStatus.APPROVAL_PENDING
    sign_in(page, "cora", "cora-demo-pass")
    # The menu entry counts the invitation (its accessible name says what the number is).
    entry = main_menu(page).get_by_role(
        "link", name=re.compile(r"^Partner relationships\s*\(\s*1\s+waiting for your approval\s*\)$")
    )
    entry.click()
    pending = page.get_by_test_id("pending-invitations")
    assert "Contoso Partners" in pending.inner_text()
    assert "Read service health and incidents" in pending.inner_text()  # what a role allows
    pending.get_by_role("link", name="Review and approve").click()
    page.get_by_role("button", name="Approve all").click()
    confirm = page.get_by_test_id("gdap-approve-confirm")
    assert "Approve all" in confirm.inner_text() and "Contoso Partners" in confirm.inner_text()
    page.get_by_role("button", name="Yes, approve all").click()
    assert page.get_by_test_id("gdap-status").inner_text() in {"Approved", "Active"}
    relationship.refresh_from_db()
    assert relationship.status in {RelationshipStatus.APPROVED, RelationshipStatus.ACTIVE}

    main_menu(page).get_by_role("link", name=re.compile(r"^Partner relationships")).click()
    assert "No invitation is waiting for you." in page.get_by_test_id("pending-invitations").inner_text()
    assert "Coho Winery support" in page.get_by_test_id("partner-relationships").inner_text()
    assert main_menu(page).get_by_role("link", name="Partner relationships", exact=True).count() == 1


def test_fiona_sees_the_requests_contoso_filed_for_fabrikam_and_none_of_its_notes(page, demo):
    filed = ServiceRequest.objects.filter(customer__name="Fabrikam").order_by("-created_at", "-id")
    assert filed.exists() and set(filed.values_list("partner__name", flat=True)) == {"Contoso Partners"}
    newest = filed.first()
    alice = User.objects.get(username="alice")
    Note.objects.create(
        request=newest,
        text="Internal: waiting on the customer's change window",
        created_by=alice,
        created_by_name="Alice Admin",
    )
    newest.assigned_to = User.objects.get(username="hank")
    newest.save(update_fields=["assigned_to"])

    sign_in(page, "fiona", "fiona-demo-pass")
    main_menu(page).get_by_role("link", name="Service requests filed for us").click()
    table = page.get_by_test_id("filed-for-us")
    text = table.inner_text()
    assert newest.title in text
    assert "Contoso Partners" in text
    rows = table.locator("tbody tr[data-request-id]")
    assert rows.count() == min(filed.count(), 25)
    content = page.content()
    assert "change window" not in content
    assert "Hank" not in content and "Alice Admin" not in content
    assert "eligib" not in content.lower()
    # Nothing links to the partner's own request page, which refuses a customer.
    assert page.locator(f"a[href*='/service-requests/{newest.pk}/']").count() == 0
