"""A customer's pages in the browser: the list, every tab (customers' own, GDAP's, service requests'),
service management and partner-wide service health (HEALTH-BEFORE-ESCALATION)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from customers.models import CustomerDomain
from tests.factories import (
    CustomerFactory,
    CustomerPartnerRelationshipFactory,
    ServiceHealthIssueFactory,
    ServiceRequestFactory,
    SubscriptionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TABS = ("detail", "relationships", "service_management", "service_requests", "support_options")


@pytest.fixture
def alice_client(client, world):
    client.force_login(world.alice)
    return client


def test_customer_list_needs_sign_in(client):
    response = client.get(reverse("customers:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_customer_list_shows_only_the_partners_customers(alice_client, world):
    CustomerPartnerRelationshipFactory(customer=CustomerFactory(name="Other partner's customer"))
    html = alice_client.get(reverse("customers:list")).content.decode()
    assert ">Fabrikam</a>" in html
    assert "fabrikam.onmicrosoft.com" in html
    assert "Other partner&#x27;s customer" not in html
    assert 'data-testid="result-count">1 result<' in html
    assert '<span class="badge badge-active">Active</span>' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [("fab", ["Fabrikam"]), ("FABRIKAM.COM", ["Fabrikam"]), ("trey", ["Trey Research"]), ("nothing", [])],
)
def test_customer_list_searches_by_name_or_domain_prefix(alice_client, world, query, expected):
    trey = CustomerFactory(name="Trey Research", default_domain="treyresearch.onmicrosoft.com")
    CustomerPartnerRelationshipFactory(customer=trey, partner=world.partner)
    html = alice_client.get(reverse("customers:list"), {"q": query}).content.decode()
    shown = [name for name in ("Fabrikam", "Trey Research") if f">{name}</a>" in html]
    assert shown == expected


def test_customer_list_pages_by_25_with_a_constant_number_of_queries(
    alice_client, world, django_assert_max_num_queries
):
    for n in range(30):
        CustomerPartnerRelationshipFactory(
            customer=CustomerFactory(name=f"Tenant {n:02d}"), partner=world.partner
        )
    with django_assert_max_num_queries(8):
        first = alice_client.get(reverse("customers:list")).content.decode()
    assert first.count('<td><a href="/customers/') == 25
    assert "Page 1 of 2" in first
    second = alice_client.get(reverse("customers:list"), {"page": 2}).content.decode()
    assert second.count('<td><a href="/customers/') == 6
    assert ">Tenant 29</a>" in second


@pytest.mark.parametrize("tab", TABS)
def test_another_partners_customer_is_a_404_on_every_tab(alice_client, tab):
    stranger = CustomerPartnerRelationshipFactory().customer
    response = alice_client.get(reverse(f"customers:{tab}", args=[stranger.pk]))
    assert response.status_code == 404
    assert b"We couldn't find that page" in response.content


@pytest.mark.parametrize("tab", TABS)
def test_every_tab_renders_the_customer_header_and_marks_itself_current(alice_client, world, tab):
    response = alice_client.get(reverse(f"customers:{tab}", args=[world.customer.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Fabrikam</h1>" in html
    assert str(world.customer.pk) in html
    assert html.count('aria-current="page"') == 2  # the side navigation's Customers and this tab
    assert f'href="{reverse(f"customers:{tab}", args=[world.customer.pk])}" aria-current="page"' in html


def test_subscriptions_tab_lists_each_subscription(alice_client, world):
    html = alice_client.get(reverse("customers:detail", args=[world.customer.pk])).content.decode()
    assert "<td>Azure plan</td>" in html
    assert str(world.azure.azure_subscription_id) in html
    assert "<td>Litware Backup</td>" in html
    assert "<td>Litware</td>" in html


def test_relationships_tab_shows_roles_status_and_expiry(alice_client, world):
    html = alice_client.get(reverse("customers:relationships", args=[world.customer.pk])).content.decode()
    assert "<td>Fabrikam support</td>" in html
    assert '<span class="badge badge-active">Active</span>' in html
    assert "Directory Readers, Global Reader, Service Support Administrator" in html
    assert date_format(world.relationship.end_at, "SHORT_DATETIME_FORMAT") in html


def test_service_management_shows_open_incidents_per_workload_and_portal_links(alice_client, world):
    ServiceHealthIssueFactory(customer=world.customer, issue_id="EX1", title="Mail delays", workload="m365")
    ServiceHealthIssueFactory(customer=None, issue_id="AZ2", title="VM starts slow", workload="azure")
    ServiceHealthIssueFactory(customer=world.customer, issue_id="EX3", title="Old", is_resolved=True)
    ServiceHealthIssueFactory(customer=CustomerFactory(), issue_id="EX4", title="Someone else's")
    html = alice_client.get(
        reverse("customers:service_management", args=[world.customer.pk])
    ).content.decode()
    assert 'data-issue-id="EX1"' in html
    assert 'data-issue-id="AZ2"' in html
    assert 'data-issue-id="EX3"' not in html
    assert 'data-issue-id="EX4"' not in html
    for portal in ("azure", "m365", "dynamics"):
        assert reverse("portals:home", args=[portal, world.customer.pk]) in html


@pytest.mark.parametrize(
    ("roles", "assignment_roles", "reason"),
    [
        (["sales_agent"], ["Service Support Administrator"], "You need the Partner Center Admin agent role"),
        (["admin_agent"], ["Directory Readers"], "Through GDAP you hold Directory Readers in Fabrikam"),
    ],
)
def test_service_health_is_hidden_without_health_before_escalation_rights(
    client, world, roles, assignment_roles, reason
):
    world.assignment.roles.set(world.relationship.roles.filter(name__in=assignment_roles))
    user = UserFactory(partner=world.partner, roles=roles, groups_in=[world.groups["Support desk"]])
    ServiceHealthIssueFactory(customer=world.customer, issue_id="EX1", title="Mail delays")
    client.force_login(user)
    html = client.get(reverse("customers:service_management", args=[world.customer.pk])).content.decode()
    assert 'data-testid="health-denied"' in html
    assert "HEALTH-BEFORE-ESCALATION" in html
    assert reason in html
    assert 'data-issue-id="EX1"' not in html


@pytest.mark.parametrize(
    ("subscriptions", "rule", "words"),
    [
        (
            [{"channel": "direct", "is_trial": True, "provider": None}],
            "SUPPORT-OPTIONS-TRIAL",
            "can only contact",
        ),
        (
            [{"channel": "direct", "is_trial": False, "provider": None}],
            "SUPPORT-OPTIONS-PAID",
            "can open a request",
        ),
    ],
)
def test_support_options_tab_explains_the_rule_in_words(alice_client, world, subscriptions, rule, words):
    for values in subscriptions:
        SubscriptionFactory(customer=world.customer, workload="m365", offer="Direct", **values)
    html = alice_client.get(reverse("customers:support_options", args=[world.customer.pk])).content.decode()
    assert f'<span class="rule-id">{rule}</span>' in html
    assert words in html
    assert "help@contosopartners.com" in html


def test_service_requests_tab_lists_this_customers_requests_only(alice_client, world):
    mine = ServiceRequestFactory(partner=world.partner, customer=world.customer, title="Fabrikam mail")
    other_customer = CustomerFactory()
    CustomerPartnerRelationshipFactory(customer=other_customer, partner=world.partner)
    ServiceRequestFactory(partner=world.partner, customer=other_customer, title="Other tenant")
    ServiceRequestFactory(customer=world.customer, title="Another partner's request")
    html = alice_client.get(reverse("customers:service_requests", args=[world.customer.pk])).content.decode()
    assert f'data-request-id="{mine.pk}"' in html
    assert "Other tenant" not in html
    assert "Another partner" not in html


def test_partner_wide_service_health_lists_visible_customers_and_global_issues(
    alice_client, world, django_assert_max_num_queries
):
    hidden = CustomerFactory(name="No GDAP")
    CustomerPartnerRelationshipFactory(customer=hidden, partner=world.partner)
    CustomerDomain.objects.filter(customer=hidden).delete()
    ServiceHealthIssueFactory(customer=world.customer, issue_id="EX1", title="Mail delays")
    ServiceHealthIssueFactory(
        customer=None, issue_id="GL2", title="Global advisory", classification="advisory"
    )
    ServiceHealthIssueFactory(customer=hidden, issue_id="EX3", title="Hidden tenant")
    ServiceHealthIssueFactory(
        customer=world.customer, issue_id="EX4", start_at=timezone.now() - timedelta(days=3), is_resolved=True
    )
    with django_assert_max_num_queries(6):
        response = alice_client.get(reverse("customers:service_health"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-issue-id="EX1"' in html
    assert 'data-issue-id="GL2"' in html
    assert "All commercial tenants" in html
    assert 'data-issue-id="EX3"' not in html
    assert 'data-issue-id="EX4"' not in html


def test_partner_wide_service_health_refuses_a_user_without_admin_agent(client, world):
    client.force_login(UserFactory(partner=world.partner, roles=["sales_agent"]))
    response = client.get(reverse("customers:service_health"))
    assert response.status_code == 403
    assert b"HEALTH-BEFORE-ESCALATION" in response.content


def test_layout_shows_user_partner_and_roles_with_a_fixed_number_of_queries(
    alice_client, world, django_assert_max_num_queries
):
    with django_assert_max_num_queries(7):
        html = alice_client.get(reverse("customers:detail", args=[world.customer.pk])).content.decode()
    assert 'data-testid="whoami-partner">Contoso Partners<' in html
    assert 'data-testid="whoami-roles">Admin agent<' in html
    assert f'href="{reverse("gdap:relationship_list")}"' in html
    assert f'href="{reverse("api_access")}"' in html
