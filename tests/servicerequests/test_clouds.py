"""Clouds (RULES.md SR-CLOUD-MATCH): commercial partners serve commercial and GCC customers, US
Government partners serve only US Government customers; service health issues are shown only to
customers of their cloud. The engine, the customer pages and the simulated portals agree."""

from __future__ import annotations

import pytest
from django.urls import reverse

from servicerequests.eligibility import evaluate
from tests.factories import ServiceHealthIssueFactory

pytestmark = pytest.mark.django_db

#: (partner cloud, customer cloud, served)
CLOUDS = [
    ("commercial", "commercial", True),
    ("commercial", "gcc", True),
    ("commercial", "us_government", False),
    ("us_government", "us_government", True),
    ("us_government", "gcc", False),
    ("us_government", "commercial", False),
]


def clouds(world, partner_cloud: str, customer_cloud: str) -> None:
    world.partner.cloud = partner_cloud
    world.partner.save()
    world.customer.cloud = customer_cloud
    world.customer.save()


@pytest.mark.parametrize(("partner_cloud", "customer_cloud", "served"), CLOUDS)
def test_eligibility(world, partner_cloud, customer_cloud, served):
    clouds(world, partner_cloud, customer_cloud)
    decision = evaluate(world.request(workload="m365"))
    assert decision.failed_rule_ids == ([] if served else ["SR-CLOUD-MATCH"])


@pytest.mark.parametrize(("partner_cloud", "customer_cloud", "served"), CLOUDS)
def test_new_request_page(client, world, partner_cloud, customer_cloud, served):
    clouds(world, partner_cloud, customer_cloud)
    client.force_login(world.alice)
    response = client.post(reverse("servicerequests:new", args=[world.customer.pk]), {"workload": "m365"})
    if served:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("portals:new", args=["m365"]))
    else:
        html = response.content.decode()
        assert response.status_code == 403
        assert 'data-rule-id="SR-CLOUD-MATCH" data-outcome="failed"' in html


def test_a_gcc_customer_is_tagged_on_its_pages(client, world):
    clouds(world, "commercial", "gcc")
    client.force_login(world.alice)
    for name in ("customers:detail", "customers:service_management"):
        html = client.get(reverse(name, args=[world.customer.pk])).content.decode()
        assert 'data-testid="gcc-tag"' in html, name
    listing = client.get(reverse("customers:list")).content.decode()
    assert "<td>GCC</td>" in listing


def test_a_commercial_customer_has_no_gcc_tag(client, world):
    client.force_login(world.alice)
    html = client.get(reverse("customers:detail", args=[world.customer.pk])).content.decode()
    assert 'data-testid="gcc-tag"' not in html


@pytest.mark.parametrize("portal", ["m365", "azure", "dynamics"])
def test_the_portal_banner_of_a_gcc_tenant_is_commercial_with_a_gcc_tag(client, world, portal):
    clouds(world, "commercial", "gcc")
    client.force_login(world.alice)
    html = client.get(reverse("portals:home", args=[portal, world.customer.pk])).content.decode()
    assert 'data-testid="gcc-tag"' in html
    assert 'data-testid="gov-banner"' not in html
    host = {"m365": "admin.microsoft.com", "azure": "portal.azure.com", "dynamics": "admin.powerplatform"}
    assert host[portal] in html


@pytest.mark.parametrize(
    ("customer_cloud", "shown", "hidden"),
    [
        ("commercial", {"AZ-WEU", "EX-OWN"}, {"EX-GOV", "TM-GCC"}),
        ("gcc", {"TM-GCC", "EX-OWN"}, {"AZ-WEU", "EX-GOV"}),
        ("us_government", {"EX-GOV", "EX-OWN"}, {"AZ-WEU", "TM-GCC"}),
    ],
)
def test_service_health_shows_only_issues_of_the_customers_cloud(
    client, world, customer_cloud, shown, hidden
):
    partner_cloud = "us_government" if customer_cloud == "us_government" else "commercial"
    clouds(world, partner_cloud, customer_cloud)
    ServiceHealthIssueFactory(
        issue_id="AZ-WEU", workload="azure", title="VMs in West Europe may fail to start"
    )
    ServiceHealthIssueFactory(issue_id="EX-GOV", cloud="us_government", title="GCC High message trace")
    ServiceHealthIssueFactory(issue_id="TM-GCC", cloud="gcc", title="GCC Teams notifications")
    ServiceHealthIssueFactory(customer=world.customer, issue_id="EX-OWN", title="Own issue")
    client.force_login(world.alice)
    pages = [
        client.get(reverse("customers:service_management", args=[world.customer.pk])).content.decode(),
        client.get(reverse("customers:service_health")).content.decode(),
    ]
    for html in pages:
        for issue_id in shown:
            assert f'data-issue-id="{issue_id}"' in html
        for issue_id in hidden:
            assert f'data-issue-id="{issue_id}"' not in html


def test_the_partner_wide_page_names_the_cloud_of_global_issues(client, world):
    clouds(world, "commercial", "gcc")
    ServiceHealthIssueFactory(issue_id="TM-GCC", cloud="gcc", title="GCC Teams notifications")
    client.force_login(world.alice)
    html = client.get(reverse("customers:service_health")).content.decode()
    assert "All GCC tenants" in html
