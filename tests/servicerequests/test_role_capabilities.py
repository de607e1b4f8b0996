"""Eligibility and service health per Entra role, with the capabilities of Microsoft's role
definitions (``reference/entra-roles.md``): roles whose capabilities differ get different answers
from SR-GDAP-ROLE-TICKETS and HEALTH-BEFORE-ESCALATION, in the engine and in the browser."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gdap.models import EntraRole
from servicerequests.eligibility import evaluate
from servicerequests.health import health_access
from tests.factories import ServiceHealthIssueFactory

pytestmark = pytest.mark.django_db

#: role → (may file M365 / Dynamics / EMS, may read service health)
ROLES = [
    ("Teams Administrator", True, True),
    ("SharePoint Administrator", True, True),
    ("Intune Administrator", True, False),
    ("Power Platform Administrator", True, True),
    ("Security Reader", False, True),
    ("License Administrator", False, True),
    ("Global Reader", False, True),
    ("Directory Readers", False, False),
    ("Message Center Reader", False, False),
]


def only_role(world, name: str) -> EntraRole:
    """Make ``name`` the one role alice's group gets in Fabrikam."""
    role = EntraRole.objects.get(name=name)
    world.relationship.roles.add(role)
    world.assignment.roles.set([role])
    return role


@pytest.mark.parametrize(("name", "tickets", "health"), ROLES)
@pytest.mark.parametrize("workload", ["m365", "dynamics", "ems"])
def test_filing_follows_the_support_tickets_capability(world, name, tickets, health, workload):
    only_role(world, name)
    decision = evaluate(world.request(workload=workload))
    assert decision.failed_rule_ids == ([] if tickets else ["SR-GDAP-ROLE-TICKETS"])
    if not tickets:
        outcome = decision.outcome("SR-GDAP-ROLE-TICKETS")
        assert name in outcome.message
        assert "Service Support Administrator" in outcome.remedy


@pytest.mark.parametrize(("name", "tickets", "health"), ROLES)
def test_any_role_is_enough_for_azure(world, name, tickets, health):
    only_role(world, name)
    world.assignment.security_group = world.groups["Azure managers"]
    world.assignment.save()
    decision = evaluate(world.request(workload="azure", issue_type="technical"))
    assert "SR-GDAP-ANY-ROLE" not in decision.failed_rule_ids


@pytest.mark.parametrize(("name", "tickets", "health"), ROLES)
def test_service_health_follows_the_service_health_capability(client, world, name, tickets, health):
    only_role(world, name)
    ServiceHealthIssueFactory(customer=world.customer, issue_id="EX42", title="Mail delays")
    assert health_access(user=world.alice, customer=world.customer).allowed is health

    client.force_login(world.alice)
    html = client.get(reverse("customers:service_management", args=[world.customer.pk])).content.decode()
    assert ('data-issue-id="EX42"' in html) is health
    assert ('data-testid="health-denied"' in html) is not health
    partner_wide = client.get(reverse("customers:service_health")).content.decode()
    assert ('data-issue-id="EX42"' in partner_wide) is health


def test_a_teams_administrator_only_relationship_files_through_the_browser(client, world):
    only_role(world, "Teams Administrator")
    client.force_login(world.alice)
    response = client.post(reverse("servicerequests:new", args=[world.customer.pk]), {"workload": "m365"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portals:new", args=["m365"]))


def test_a_security_reader_is_refused_in_the_browser_with_the_least_privileged_role(client, world):
    only_role(world, "Security Reader")
    client.force_login(world.alice)
    response = client.post(reverse("servicerequests:new", args=[world.customer.pk]), {"workload": "m365"})
    html = response.content.decode()
    assert response.status_code == 403
    assert 'data-rule-id="SR-GDAP-ROLE-TICKETS" data-outcome="failed"' in html
    assert "Service Support Administrator" in html
