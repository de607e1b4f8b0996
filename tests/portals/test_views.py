"""The stub workload portals: routing context checks, Azure's steps, the admin centers' form,
ticket pages with HTMX polling, tenant-scoped lists and the US Government variant."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from portals.models import PortalTicket
from servicerequests.eligibility import EligibilityRequest
from servicerequests.models import Dispatch, ServiceRequest, SupportTopic
from servicerequests.routing import routing_context_issue
from tests.factories import CustomerPartnerRelationshipFactory, ServiceRequestFactory
from tests.servicerequests import conftest as eligibility_world

pytestmark = pytest.mark.django_db

world = eligibility_world.world  # the fixture: Contoso Partners, alice, Fabrikam, allowed for every workload

AZURE_NEW = reverse("portals:new", kwargs={"portal": "azure"})
M365_NEW = reverse("portals:new", kwargs={"portal": "m365"})


@pytest.fixture
def alice_client(client, world):
    client.force_login(world.alice)
    return client


def _token(world, **overrides):
    values = {"user_id": world.alice.pk, "customer_id": world.customer.pk, "workload": "azure"}
    if values["workload"] == "azure" and "subscription_id" not in overrides:
        values["subscription_id"] = world.azure.pk
    values.update(overrides)
    return routing_context_issue(user=world.alice, request=EligibilityRequest(**values))


def _azure_data(world, token, **overrides):
    data = {
        "ctx": token,
        "issue_type": "technical",
        "support_topic_id": SupportTopic.objects.get(name="Virtual Machines").pk,
        "title": "VM does not start",
        "description": "Stuck in starting.",
        "severity": "moderate",
        "contact_method": "email",
        "contact_first_name": "Alice",
        "contact_last_name": "Admin",
        "contact_email": "alice@contosopartners.com",
        "contact_phone": "",
        "step": "review",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("ctx", "message"),
    [
        ("", "This page needs a portal link from the partner portal"),
        ("not-a-token", "The portal link is invalid: it was altered"),
    ],
)
def test_new_support_request_needs_a_valid_routing_context(alice_client, ctx, message):
    response = alice_client.get(AZURE_NEW, {"ctx": ctx} if ctx else {})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_an_expired_routing_context_is_refused(alice_client, world, settings):
    token = _token(world)
    settings.ROUTING_CONTEXT_MAX_AGE = -1
    response = alice_client.get(AZURE_NEW, {"ctx": token})
    assert response.status_code == 400
    assert "The portal link has expired" in response.content.decode()


def test_a_tampered_routing_context_is_refused_on_submit(alice_client, world):
    token = _token(world)
    payload = signing.loads(token, salt="servicerequests.routing.context")
    forged = signing.dumps(
        {**payload, "c": str(CustomerPartnerRelationshipFactory().customer.pk)}, salt="other"
    )
    response = alice_client.post(AZURE_NEW, _azure_data(world, forged, step="create"))
    assert response.status_code == 400
    assert "The portal link is invalid" in response.content.decode()
    assert ServiceRequest.objects.count() == 0


def test_a_routing_context_for_another_portal_is_refused(alice_client, world):
    response = alice_client.get(M365_NEW, {"ctx": _token(world)})
    assert response.status_code == 400
    assert "This portal link is for another portal" in response.content.decode()


def test_azure_form_prefills_the_partner_contact_and_fixes_the_support_plan(alice_client, world):
    html = alice_client.get(AZURE_NEW, {"ctx": _token(world, issue_type="quota")}).content.decode()
    assert (
        "Acting in <strong>Fabrikam</strong> (fabrikam.onmicrosoft.com) on behalf of <strong>Contoso Partners"
        in html
    )
    assert 'data-testid="support-plan">Cloud Solution Provider<' in html
    assert 'value="alice@contosopartners.com"' in html
    assert '<option value="quota" selected>' in html
    assert str(world.azure.azure_subscription_id) in html
    assert "portal.azure.com" in html


def test_azure_review_then_create_files_the_request_and_lands_on_the_ticket(
    alice_client,
    world,
    django_capture_on_commit_callbacks,
):
    token = _token(world)
    review = alice_client.post(AZURE_NEW, _azure_data(world, token))
    assert review.status_code == 200
    assert 'data-testid="review"' in review.content.decode()
    assert ServiceRequest.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        created = alice_client.post(AZURE_NEW, _azure_data(world, token, step="create"))
    request = ServiceRequest.objects.get()
    assert created.status_code == 302
    assert created["Location"] == reverse("portals:request", args=["azure", world.customer.pk, request.pk])
    assert (
        request.support_plan,
        request.issue_type,
        request.subscription_id,
        request.support_topic.name,
    ) == (
        "cloud_solution_provider",
        "technical",
        world.azure.pk,
        "Virtual Machines",
    )
    ticket = PortalTicket.objects.get()
    assert len(ticket.ticket_number) == 16 and ticket.ticket_number.isdigit()
    html = alice_client.get(created["Location"]).content.decode()
    assert f'data-testid="ticket-number">{ticket.ticket_number}<' in html
    assert "hx-get" not in html
    assert reverse("servicerequests:detail", args=[request.pk]) in html


def test_a_customer_domain_email_is_refused_inline(alice_client, world):
    response = alice_client.post(
        AZURE_NEW, _azure_data(world, _token(world), contact_email="it@fabrikam.com")
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_contact_email_error"' in html
    assert "SR-CONTACT-IS-PARTNER:" in html
    assert ServiceRequest.objects.count() == 0


def test_a_critical_request_without_phone_is_refused_inline(alice_client, world):
    response = alice_client.post(
        AZURE_NEW, _azure_data(world, _token(world), severity="critical", step="create")
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_contact_phone_error"' in html
    assert "SR-CRITICAL-NEEDS-PHONE" in html
    assert ServiceRequest.objects.count() == 0


def test_gdap_that_expired_after_routing_is_refused_with_the_rule_table(alice_client, world):
    token = _token(world)
    world.relationship.end_at = timezone.now() - timedelta(minutes=1)
    world.relationship.save()
    response = alice_client.post(AZURE_NEW, _azure_data(world, token, step="create"))
    html = response.content.decode()
    assert response.status_code == 403
    assert 'data-rule-id="SR-GDAP-ACTIVE" data-outcome="failed"' in html
    assert ServiceRequest.objects.count() == 0


def test_m365_shows_support_categories_then_files(alice_client, world):
    token = _token(world, workload="m365", subscription_id=None)
    categories = alice_client.get(M365_NEW, {"ctx": token}).content.decode()
    exchange = SupportTopic.objects.get(name="Exchange Online")
    assert "<strong>Exchange Online</strong>" in categories
    assert "Microsoft Intune" not in categories  # an EMS topic
    form = alice_client.get(M365_NEW, {"ctx": token, "category": exchange.pk}).content.decode()
    assert "New service request: Exchange Online" in form
    response = alice_client.post(
        M365_NEW,
        {
            "ctx": token,
            "support_topic_id": exchange.pk,
            "title": "Mail bounces",
            "description": "NDR 5.7.1",
            "severity": "minimal",
            "contact_method": "email",
            "contact_first_name": "Alice",
            "contact_last_name": "Admin",
            "contact_email": "alice@contosopartners.com",
        },
    )
    request = ServiceRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portals:request", args=["m365", world.customer.pk, request.pk])
    assert request.support_topic == exchange


def test_pending_ticket_page_polls_with_htmx_and_has_a_plain_refresh_link(alice_client, world):
    request = ServiceRequestFactory(
        partner=world.partner, customer=world.customer, portal="azure", workload="azure", status="none"
    )
    Dispatch.objects.create(request=request, portal="azure")
    url = reverse("portals:request", args=["azure", world.customer.pk, request.pk])
    html = alice_client.get(url).content.decode()
    status_url = reverse("portals:request_status", args=["azure", world.customer.pk, request.pk])
    assert f'hx-get="{status_url}" hx-trigger="every 2s" hx-swap="outerHTML"' in html
    assert "Creating ticket…" in html
    assert f'<a href="{url}">Refresh</a>' in html

    PortalTicket.objects.create(
        portal="azure",
        ticket_number="2611250012345678",
        customer=world.customer,
        service_request=request,
        title=request.title,
        severity=request.severity,
    )
    fragment = alice_client.get(status_url).content.decode()
    assert fragment.startswith('<div id="ticket-status" aria-live="polite">')
    assert 'data-testid="ticket-number">2611250012345678<' in fragment


def test_failed_dispatch_is_shown_on_the_ticket_page(alice_client, world):
    request = ServiceRequestFactory(
        partner=world.partner, customer=world.customer, portal="m365", status="none"
    )
    Dispatch.objects.create(
        request=request, portal="m365", status="failed", attempts=5, last_error="portal down"
    )
    html = alice_client.get(
        reverse("portals:request", args=["m365", world.customer.pk, request.pk])
    ).content.decode()
    assert "could not be created after 5 attempts: portal down" in html
    assert "hx-get" not in html


def test_ticket_list_shows_this_partners_tickets_in_this_tenant(
    alice_client,
    world,
    django_assert_max_num_queries,
):
    for n in range(30):
        request = ServiceRequestFactory(partner=world.partner, customer=world.customer, portal="azure")
        PortalTicket.objects.create(
            portal="azure",
            ticket_number=f"26112500{n:08d}",
            customer=world.customer,
            service_request=request,
            title=request.title,
            severity="moderate",
        )
    stranger = ServiceRequestFactory(customer=world.customer, portal="azure")
    PortalTicket.objects.create(
        portal="azure",
        ticket_number="9999999999999999",
        customer=world.customer,
        service_request=stranger,
        title="Another partner's",
        severity="moderate",
    )
    with django_assert_max_num_queries(7):
        html = alice_client.get(
            reverse("portals:tickets", args=["azure", world.customer.pk])
        ).content.decode()
    assert "<h1>Manage support requests</h1>" in html
    assert html.count('<td class="mono"><a href="/portals/azure/') == 25
    assert "9999999999999999" not in html


@pytest.mark.parametrize("name", ["home", "tickets"])
def test_another_partners_customer_is_a_404_in_the_portals(alice_client, name):
    stranger = CustomerPartnerRelationshipFactory().customer
    assert alice_client.get(reverse(f"portals:{name}", args=["azure", stranger.pk])).status_code == 404


def test_another_partners_request_is_a_404_on_the_ticket_page(alice_client, world):
    stranger = ServiceRequestFactory(customer=world.customer, portal="azure")
    url = reverse("portals:request", args=["azure", world.customer.pk, stranger.pk])
    assert alice_client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("portal", "brand", "host"),
    [
        ("azure", "Microsoft Azure Government", "portal.azure.us"),
        ("m365", "Microsoft 365 admin center (US Government)", "portal.office365.us"),
        ("dynamics", "Power Platform admin center (US Government)", "high.admin.powerplatform.microsoft.us"),
    ],
)
def test_us_government_customers_get_the_government_banner_and_hosts(
    alice_client,
    world,
    portal,
    brand,
    host,
):
    world.customer.cloud = "us_government"
    world.customer.save()
    html = alice_client.get(reverse("portals:home", args=[portal, world.customer.pk])).content.decode()
    assert f'data-testid="portal-brand">{brand}<' in html
    banner = f'data-testid="gov-banner">US Government cloud · <span class="mono" translate="no">{host}</span>'
    assert banner in html


def test_a_routing_context_files_once_and_a_second_submit_shows_the_first_request(
    alice_client, world, django_capture_on_commit_callbacks
):
    token = _token(world)
    with django_capture_on_commit_callbacks(execute=True):
        first = alice_client.post(AZURE_NEW, _azure_data(world, token, step="create"))
    filed = ServiceRequest.objects.get()
    ticket_page = reverse("portals:request", args=["azure", world.customer.pk, filed.pk])
    assert first["Location"] == ticket_page

    again = alice_client.post(AZURE_NEW, _azure_data(world, token, step="create", title="Submitted twice"))
    assert again.status_code == 302
    assert again["Location"] == ticket_page
    assert list(ServiceRequest.objects.values_list("pk", "title")) == [(filed.pk, "VM does not start")]
    html = alice_client.get(again["Location"]).content.decode()
    assert f"This request was already submitted as {filed.pk}; it was not filed a second time." in html
    # A new routing context (the user starts again from the partner portal) files a new request.
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(AZURE_NEW, _azure_data(world, _token(world), step="create", title="Another one"))
    assert ServiceRequest.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_filing_service_refuses_a_used_routing_context_digest(world):
    """Outside any transaction of the test's, as in the browser: the second filing rolls back whole."""
    from django.db import IntegrityError

    from servicerequests.models import RoutingContextUse
    from servicerequests.services import service_request_file

    fields = {
        "actor": world.alice,
        "customer_id": world.customer.pk,
        "workload": "m365",
        "title": "Mail delayed",
        "description": "Since this morning.",
        "severity": "minimal",
        "support_topic_id": SupportTopic.objects.filter(workload="m365").values_list("pk", flat=True)[0],
        "routing_context_digest": "a" * 64,
    }
    first = service_request_file(**fields)
    with pytest.raises(IntegrityError):
        service_request_file(**fields)
    assert list(ServiceRequest.objects.values_list("pk", flat=True)) == [first.pk]
    assert RoutingContextUse.objects.get().service_request_id == first.pk
