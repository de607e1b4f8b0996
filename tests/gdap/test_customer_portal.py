"""The customer admin portal: "Partner relationships", "Service requests filed for us", "Support
options", the customer's home page, and what a customer never sees (a partner's draft, its notes)."""

import pytest
from django.urls import reverse

from gdap.choices import AUTO_EXTEND_ON
from gdap.choices import RelationshipStatus as S
from gdap.models import Relationship
from gdap.selectors import relationship_list
from servicerequests.models import Note
from tests.factories import (
    CustomerPartnerRelationshipFactory,
    PartnerFactory,
    ServiceRequestFactory,
    SubscriptionFactory,
    UserFactory,
)
from tests.graph import client_for

pytestmark = pytest.mark.django_db


def test_partner_relationships_lists_pending_with_what_each_role_allows(
    client, customer_admin, make_relationship
):
    pending = make_relationship(status=S.APPROVAL_PENDING, display_name="Please approve")
    make_relationship(status=S.ACTIVE, display_name="Service desk", auto_extend_duration=AUTO_EXTEND_ON)
    client.force_login(customer_admin)
    response = client.get(reverse("gdap:partner_relationships"))
    assert response.status_code == 200
    assert [r.pk for r in response.context["pending"]] == [pending.pk]
    html = response.content.decode()
    assert "Waiting for your approval (1)" in html
    # capabilities in words, from the role catalogue
    assert "File and manage Microsoft 365, EMS and Dynamics 365 support requests" in html  # SSA
    assert "<td>Read service health and incidents</td>" in html  # Global Reader
    assert reverse("gdap:invitation", args=[pending.pk]) in html
    table = html.split('data-testid="partner-relationships"', 1)[1]
    assert "Contoso Partners" in table and "Service desk" in table
    assert "180 days" in table and "P180D" not in html
    assert "Global Reader, Service Support Administrator" in table
    assert "Please approve" not in table  # the pending one is above, not in the table


def test_the_menu_counts_pending_invitations(client, customer_admin, make_relationship):
    make_relationship(status=S.APPROVAL_PENDING)
    make_relationship(status=S.APPROVAL_PENDING, display_name="Second")
    client.force_login(customer_admin)
    html = client.get(reverse("home")).content.decode()
    assert 'Partner relationships <span class="nav-count"' in html
    assert '>2<span class="visually-hidden"> waiting for your approval)' in html
    assert 'data-testid="invitation-count">2<' in html


def test_a_customer_never_sees_a_partner_draft(client, customer_admin, make_relationship):
    draft = make_relationship(status=S.CREATED, display_name="Draft not sent")
    client.force_login(customer_admin)
    assert "Draft not sent" not in client.get(reverse("gdap:partner_relationships")).content.decode()
    assert "Draft not sent" not in client.get(reverse("gdap:relationship_list")).content.decode()
    assert client.get(reverse("gdap:relationship_detail", args=[draft.pk])).status_code == 404
    assert not relationship_list(actor=customer_admin).filter(pk=draft.pk).exists()


def test_terminate_asks_for_confirmation_then_ends_the_relationship(
    client, customer_admin, make_relationship
):
    rel = make_relationship(status=S.ACTIVE)
    client.force_login(customer_admin)
    url = reverse("gdap:relationship_terminate", args=[rel.pk])
    assert url in client.get(reverse("gdap:partner_relationships")).content.decode()
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Terminate relationship" in confirm.content.decode()
    assert Relationship.objects.get(pk=rel.pk).status == S.ACTIVE  # the GET changes nothing
    response = client.post(url)
    # the relationship's page follows, its title naming the new state
    assert response.status_code == 302
    assert response["Location"] == reverse("gdap:relationship_detail", args=[rel.pk])
    assert Relationship.objects.get(pk=rel.pk).status == S.TERMINATION_REQUESTED
    after = client.get(response["Location"]).content.decode()
    assert f"<title>{rel.display_name} · Termination requested · GDAP" in after
    assert "Termination requested: the partner&#x27;s access ends now." in after


def test_terminate_is_offered_only_where_it_is_accepted(client, customer_admin, make_relationship):
    rel = make_relationship(status=S.EXPIRED)
    client.force_login(customer_admin)
    html = client.get(reverse("gdap:partner_relationships")).content.decode()
    assert reverse("gdap:relationship_terminate", args=[rel.pk]) not in html
    assert client.get(reverse("gdap:relationship_terminate", args=[rel.pk])).status_code == 403


def test_approve_all_asks_for_confirmation(client, customer_admin, make_relationship):
    rel = make_relationship(status=S.APPROVAL_PENDING)
    client.force_login(customer_admin)
    url = reverse("gdap:invitation", args=[rel.pk])
    first = client.get(url).content.decode()
    assert "Approve all" in first and "Yes, approve all" not in first
    confirm = client.get(url, {"confirm": "approve"}).content.decode()
    assert "Yes, approve all" in confirm and "Approve all 2 roles for Contoso Partners?" in confirm
    assert Relationship.objects.get(pk=rel.pk).status == S.APPROVAL_PENDING


def test_partner_pages_of_the_customer_portal_are_refused(client, admin_agent):
    client.force_login(admin_agent)
    for name in (
        "gdap:partner_relationships",
        "servicerequests:filed_for_us",
        "customers:own_support_options",
    ):
        assert client.get(reverse(name)).status_code == 403, name


def test_requests_filed_for_us_show_partner_and_ticket_but_nothing_internal(
    client, customer_admin, customer, partner, admin_agent
):
    other_partner = PartnerFactory(name="Northwind Distribution")
    CustomerPartnerRelationshipFactory(customer=customer, partner=other_partner)
    sr = ServiceRequestFactory(
        partner=partner,
        customer=customer,
        title="Mailbox quota",
        status="open",
        external_ticket_id="M365-7777",
        portal="m365",
        assigned_to=admin_agent,
    )
    Note.objects.create(
        request=sr, text="internal: customer is grumpy", created_by=admin_agent, created_by_name="Alice"
    )
    ServiceRequestFactory(partner=other_partner, customer=customer, title="Azure billing question")
    ServiceRequestFactory(partner=partner, title="Someone else's request")  # another customer
    client.force_login(customer_admin)
    response = client.get(reverse("servicerequests:filed_for_us"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mailbox quota" in html and "Azure billing question" in html
    assert "Someone else&#x27;s request" not in html and "Someone else's request" not in html
    assert "Contoso Partners" in html and "Northwind Distribution" in html
    assert "M365-7777" in html
    assert "grumpy" not in html and admin_agent.username not in html
    assert reverse("servicerequests:detail", args=[sr.pk]) not in html  # the partner's page is not linked


def test_support_options_paid_offers_microsoft_and_the_partner_contact(
    client, customer_admin, customer, partner
):
    partner.support_email = "help@contoso.example"
    partner.support_phone = "+1 425 555 0100"
    partner.save()
    SubscriptionFactory(customer=customer, channel="csp", is_trial=False, status="active")
    SubscriptionFactory(customer=customer, channel="direct", provider=None, is_trial=False, status="active")
    client.force_login(customer_admin)
    html = client.get(reverse("customers:own_support_options")).content.decode()
    assert "SUPPORT-OPTIONS-PAID" in html
    assert "Or open a request with Microsoft" in html
    assert "help@contoso.example" in html and "+1 425 555 0100" in html


def test_support_options_trial_is_contact_your_partner_only(client, customer_admin, customer):
    SubscriptionFactory(customer=customer, channel="csp", is_trial=False, status="active")
    SubscriptionFactory(customer=customer, channel="direct", provider=None, is_trial=True, status="active")
    client.force_login(customer_admin)
    html = client.get(reverse("customers:own_support_options")).content.decode()
    assert "SUPPORT-OPTIONS-TRIAL" in html
    assert "Contact your partner." in html
    assert "Or open a request with Microsoft" not in html


def test_customer_list_of_a_customer_admin(client, customer_admin, make_relationship):
    make_relationship(status=S.ACTIVE)
    client.force_login(customer_admin)
    html = client.get(reverse("customers:list")).content.decode()
    assert "None active" not in html and '<span class="badge badge-active">Active</span>' in html
    assert "Request about your own subscription" not in html


def test_customer_admin_is_not_offered_new_request(client, customer_admin, customer):
    client.force_login(customer_admin)
    html = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert reverse("servicerequests:new", args=[customer.pk]) not in html


def test_customer_home_counts(client, customer_admin, customer, partner, make_relationship):
    make_relationship(status=S.ACTIVE)
    make_relationship(status=S.APPROVAL_PENDING)
    ServiceRequestFactory(partner=partner, customer=customer, status="open")
    ServiceRequestFactory(
        partner=partner, customer=customer, status="closed", closed_at="2026-01-01T00:00:00Z"
    )
    client.force_login(customer_admin)
    html = client.get(reverse("home")).content.decode()
    assert 'data-testid="invitation-count">1<' in html
    assert 'data-testid="active-relationship-count">1<' in html
    assert 'data-testid="open-filed-count">1<' in html
    assert "customer-count" not in html


def test_a_user_of_no_customer_gets_no_customer_pages(client):
    user = UserFactory(partner=None, customer=None)
    client.force_login(user)
    assert client.get(reverse("servicerequests:filed_for_us")).status_code == 403


def test_the_relationship_list_names_the_partner_to_a_customer_and_extends_in_days(
    client, customer_admin, make_relationship
):
    make_relationship(status=S.ACTIVE, auto_extend_duration=AUTO_EXTEND_ON)
    client.force_login(customer_admin)
    html = client.get(reverse("gdap:relationship_list")).content.decode()
    assert '<th scope="col">Partner</th>' in html and "Contoso Partners" in html
    assert "180 days" in html and "P180D" not in html


def test_graph_never_shows_a_customer_a_partner_draft(customer_admin, make_relationship):
    base = "/graph/v1.0/tenantRelationships/delegatedAdminRelationships"
    draft = make_relationship(status=S.CREATED, display_name="Draft")
    sent = make_relationship(status=S.APPROVAL_PENDING, display_name="Sent")
    api = client_for(customer_admin)
    listed = [r["id"] for r in api.get(base).json()["value"]]
    assert listed == [sent.pk]
    assert api.get(f"{base}/{draft.pk}").status_code == 404


def test_the_header_names_a_customer_admin_as_the_tenants_global_administrator(client, customer_admin):
    client.force_login(customer_admin)
    html = client.get("/").content.decode()
    assert 'data-testid="whoami-roles">Global Administrator</span>' in html
    assert "no Partner Center role" not in html
