"""Browser pages of the servicerequests app: list with filters, request page and notes, New request,
and requests about the partner's own subscription."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from servicerequests.models import Dispatch, Note, ServiceRequest
from servicerequests.routing import routing_context_read
from tests.factories import (
    CustomerFactory,
    CustomerPartnerRelationshipFactory,
    ServiceHealthIssueFactory,
    ServiceRequestFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_client(client, world):
    client.force_login(world.alice)
    return client


def _new_url(world):
    return reverse("servicerequests:new", args=[world.customer.pk])


# The list -----------------------------------------------------------------------------------------


def test_list_shows_only_the_partners_requests_with_their_ticket_ids(alice_client, world):
    mine = ServiceRequestFactory(
        partner=world.partner, customer=world.customer, title="Mailbox stuck", external_ticket_id="12345678"
    )
    ServiceRequestFactory(title="Another partner's request")
    html = alice_client.get(reverse("servicerequests:list")).content.decode()
    assert f'data-request-id="{mine.pk}"' in html
    assert '<td class="mono" data-testid="ticket-id">12345678</td>' in html
    assert "Another partner" not in html
    assert 'data-testid="result-count">1 result<' in html


@pytest.mark.parametrize(
    ("filters", "expected_titles"),
    [
        ({"status": "closed"}, ["Closed one"]),
        ({"severity": "critical"}, ["Critical one"]),
        ({"workload": "azure"}, ["Azure one"]),
        ({"status": "open", "severity": "moderate"}, ["Azure one", "Bob's"]),
    ],
)
def test_list_filters(alice_client, world, filters, expected_titles):
    base = {"partner": world.partner, "customer": world.customer}
    ServiceRequestFactory(**base, title="Closed one", status="closed", closed_at="2026-01-01T00:00:00Z")
    ServiceRequestFactory(**base, title="Critical one", severity="critical")
    ServiceRequestFactory(**base, title="Azure one", workload="azure")
    bob = UserFactory(partner=world.partner, roles=["admin_agent"])
    ServiceRequestFactory(**base, title="Bob's", created_by=bob)
    html = alice_client.get(reverse("servicerequests:list"), filters).content.decode()
    shown = sorted(
        t for t in ("Closed one", "Critical one", "Azure one", "Bob&#x27;s") if f"<td>{t}</td>" in html
    )
    assert shown == sorted(t.replace("'", "&#x27;") for t in expected_titles)


@pytest.mark.parametrize(("field", "who"), [("customer", "customer"), ("created_by", "bob")])
def test_list_filters_by_customer_and_creator(alice_client, world, field, who):
    other = CustomerFactory(name="Trey")
    CustomerPartnerRelationshipFactory(customer=other, partner=world.partner)
    bob = UserFactory(partner=world.partner, roles=["admin_agent"])
    expected = ServiceRequestFactory(
        partner=world.partner, customer=world.customer, created_by=bob, title="Hit"
    )
    ServiceRequestFactory(partner=world.partner, customer=other, created_by=world.alice, title="Miss")
    value = world.customer.pk if who == "customer" else bob.pk
    html = alice_client.get(reverse("servicerequests:list"), {field: value}).content.decode()
    assert f'data-request-id="{expected.pk}"' in html
    assert "<td>Miss</td>" not in html


def test_list_pages_with_a_constant_number_of_queries(alice_client, world, django_assert_max_num_queries):
    for n in range(40):
        ServiceRequestFactory(
            partner=world.partner, customer=world.customer, title=f"R{n}", created_by=world.alice
        )
    with django_assert_max_num_queries(9):
        html = alice_client.get(reverse("servicerequests:list")).content.decode()
    assert html.count("data-request-id=") == 25
    assert "Page 1 of 2" in html


def test_a_user_without_a_view_role_sees_no_requests(client, world):
    ServiceRequestFactory(partner=world.partner, customer=world.customer)
    client.force_login(UserFactory(partner=world.partner, roles=["billing_admin"]))
    html = client.get(reverse("servicerequests:list")).content.decode()
    assert "No service requests." in html


# The request page and notes --------------------------------------------------------------------


@pytest.fixture
def filed(world):
    request = ServiceRequestFactory(
        partner=world.partner,
        customer=world.customer,
        title="Mailbox stuck",
        created_by=world.alice,
        eligibility={
            "allowed": True,
            "outcomes": [
                {"ruleId": "SR-GDAP-ACTIVE", "outcome": "passed", "message": "GDAP is active.", "remedy": ""},
                {
                    "ruleId": "SR-AZURE-RBAC",
                    "outcome": "not_applicable",
                    "message": "Azure only.",
                    "remedy": "",
                },
            ],
        },
    )
    Dispatch.objects.create(
        request=request, portal="m365", status="pending", attempts=2, last_error="timeout"
    )
    Note.objects.create(request=request, text="First note", created_by_name="Alice Admin")
    return request


def test_request_page_shows_details_dispatch_notes_and_eligibility(alice_client, filed):
    html = alice_client.get(reverse("servicerequests:detail", args=[filed.pk])).content.decode()
    assert "<h1>Mailbox stuck</h1>" in html
    assert 'data-testid="dispatch-status">Pending<' in html
    assert "<dd>2</dd>" in html
    assert "timeout" in html
    assert "First note" in html
    assert 'data-rule-id="SR-GDAP-ACTIVE" data-outcome="passed"' in html
    assert 'data-rule-id="SR-AZURE-RBAC" data-outcome="not_applicable"' in html
    assert 'data-testid="portal-ticket">Not created yet<' in html
    assert 'action="/service-requests/' in html  # the add-note form


def test_another_partners_request_is_a_404(alice_client):
    stranger = ServiceRequestFactory()
    assert alice_client.get(reverse("servicerequests:detail", args=[stranger.pk])).status_code == 404
    response = alice_client.post(reverse("servicerequests:note_add", args=[stranger.pk]), {"text": "hi"})
    assert response.status_code == 404
    assert Note.objects.count() == 0


def test_adding_a_note_records_it_and_an_audit_event(alice_client, filed):
    response = alice_client.post(
        reverse("servicerequests:note_add", args=[filed.pk]), {"text": "Called the user"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("servicerequests:detail", args=[filed.pk]) + "#notes"
    assert list(filed.notes.values_list("text", flat=True)) == ["First note", "Called the user"]
    assert AuditEvent.objects.filter(action="servicerequest.note_added", object_id=filed.pk).count() == 1
    page = alice_client.get(response["Location"]).content.decode()
    assert "Your note was added." in page
    assert f"<title>Service request {filed.pk} ({filed.get_status_display()}) · " in page


def test_an_empty_note_is_refused_inline(alice_client, filed):
    response = alice_client.post(reverse("servicerequests:note_add", args=[filed.pk]), {"text": "  "})
    assert response.status_code == 400
    html = response.content.decode()
    assert "This field is required." in html
    assert f"<title>Error: Service request {filed.pk} (" in html
    assert filed.notes.count() == 1


def test_a_helpdesk_agent_adds_notes_only_to_requests_assigned_to_them(client, world, filed):
    hank = UserFactory(partner=world.partner, roles=["helpdesk_agent"])
    client.force_login(hank)
    page = reverse("servicerequests:detail", args=[filed.pk])
    html = client.get(page).content.decode()
    assert "As a helpdesk agent you change only the requests assigned to you" in html
    assert 'name="text"' not in html
    refused = client.post(reverse("servicerequests:note_add", args=[filed.pk]), {"text": "hi"})
    assert refused.status_code == 403

    ServiceRequest.objects.filter(pk=filed.pk).update(assigned_to=hank)
    html = client.get(page).content.decode()
    assert 'name="text"' in html and "As a helpdesk agent" not in html
    response = client.post(reverse("servicerequests:note_add", args=[filed.pk]), {"text": "On it."})
    assert response.status_code == 302
    assert filed.notes.filter(text="On it.").exists()


def test_a_sales_agent_reads_but_cannot_add_notes(client, world, filed):
    client.force_login(UserFactory(partner=world.partner, roles=["sales_agent"]))
    html = client.get(reverse("servicerequests:detail", args=[filed.pk])).content.decode()
    assert "Your roles let you read this request, not change it (SR-VIEW)." in html
    assert 'name="text"' not in html
    response = client.post(reverse("servicerequests:note_add", args=[filed.pk]), {"text": "hi"})
    assert response.status_code == 403
    assert filed.notes.count() == 1


# New request ------------------------------------------------------------------------------------


def test_new_request_shows_the_workloads_health_first(alice_client, world):
    ServiceHealthIssueFactory(customer=world.customer, issue_id="EX9", title="Mail delays", workload="m365")
    ServiceHealthIssueFactory(customer=world.customer, issue_id="AZ9", title="VM slow", workload="azure")
    html = alice_client.get(_new_url(world), {"workload": "m365"}).content.decode()
    assert "Current service health: Microsoft 365" in html
    assert 'data-issue-id="EX9"' in html
    assert 'data-issue-id="AZ9"' not in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_new_request_answers_htmx_with_the_details_fragment_only(alice_client, world):
    response = alice_client.get(_new_url(world), {"workload": "azure"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.startswith('<div id="new-request-details">')
    assert "<html" not in html
    assert "Azure subscription" in html


def test_new_request_details_open_with_their_heading_and_mark_every_required_field(alice_client, world):
    html = alice_client.get(_new_url(world), {"workload": "azure"}).content.decode()
    details = html[html.index('class="card request-details"') :]
    # The heading is the card's first element (no empty band above it).
    assert details.index('<h2 id="request-details-title">') < details.index("csrfmiddlewaretoken")
    assert 'Azure subscription <span aria-hidden="true">*</span>' in details
    assert 'Issue type <span aria-hidden="true">*</span>' in details


def test_new_request_explains_health_before_escalation_without_a_health_role(client, world):
    world.assignment.roles.set(world.relationship.roles.filter(name="Directory Readers"))
    client.force_login(world.alice)
    html = client.get(_new_url(world), {"workload": "m365"}).content.decode()
    assert 'data-testid="health-denied"' in html
    assert "HEALTH-BEFORE-ESCALATION" in html


def test_a_sales_agent_cannot_file(client, world):
    sales = UserFactory(partner=world.partner, roles=["sales_agent"])
    client.force_login(sales)
    for response in (
        client.get(_new_url(world)),
        client.post(_new_url(world), {"workload": "m365"}),
    ):
        html = response.content.decode()
        assert response.status_code == 403
        assert '<span class="rule-id">SR-PC-ROLE-ADMIN-AGENT</span>' in html
        assert "A sales agent may only view service requests." in html
    denials = AuditEvent.objects.filter(action="auth.permission_denied", actor_id=sales.pk)
    assert denials.count() == 2
    assert all(event.after["surface"] == "browser" for event in denials)


def test_new_request_for_another_partners_customer_is_a_404(alice_client):
    stranger = CustomerPartnerRelationshipFactory().customer
    url = reverse("servicerequests:new", args=[stranger.pk])
    assert alice_client.get(url).status_code == 404
    assert alice_client.post(url, {"workload": "m365"}).status_code == 404


def test_allowed_request_redirects_to_the_portal_in_the_customers_tenant(alice_client, world):
    response = alice_client.post(
        _new_url(world), {"workload": "azure", "subscription": world.azure.pk, "issue_type": "technical"}
    )
    assert response.status_code == 302
    location = urlparse(response["Location"])
    assert location.path == "/portals/azure/new-support-request"
    context = routing_context_read(parse_qs(location.query)["ctx"][0], user=world.alice)
    assert (context.customer_id, context.workload, context.subscription_id, context.issue_type) == (
        str(world.customer.pk),
        "azure",
        str(world.azure.pk),
        "technical",
    )
    assert ServiceRequest.objects.count() == 0


def test_denied_request_shows_every_rule_with_http_403(alice_client, world):
    world.relationship.status = "expired"
    world.relationship.save()
    response = alice_client.post(_new_url(world), {"workload": "m365"})
    html = response.content.decode()
    assert response.status_code == 403
    # The failed rule's fix first (data-testid="fix-step"), then the 16 rules in the folded table.
    assert html.count('data-testid="fix-step" data-rule-id="SR-GDAP-ACTIVE"') == 1
    assert html.count("data-outcome=") == 16
    assert html.count('data-testid="fix-step"') == html.count('data-outcome="failed"') >= 1
    assert html.index('data-testid="fix-step"') < html.index('data-testid="rule-table"')
    assert 'data-rule-id="SR-GDAP-ACTIVE" data-outcome="failed"' in html
    assert 'data-rule-id="SR-PC-ROLE-ADMIN-AGENT" data-outcome="passed"' in html
    assert 'data-rule-id="SR-AZURE-RBAC" data-outcome="not_applicable"' in html
    for mark in ("✗</span> Failed", "✓</span> Passed", "–</span> Not applicable"):
        assert f'<span class="outcome-mark" aria-hidden="true">{mark}' in html
    assert "request a new GDAP relationship from Fabrikam" in html
    event = AuditEvent.objects.get(action="servicerequest.filing_denied")
    assert event.actor_id == world.alice.pk
    assert event.customer_id == world.customer.pk
    assert "SR-GDAP-ACTIVE" in event.after["failedRuleIds"]


def test_request_page_shows_its_own_audit_history(alice_client, filed):
    from audit.services import audit_event_record

    audit_event_record(action="servicerequest.note_added", obj=filed, partner_id=filed.partner_id)
    audit_event_record(
        action="servicerequest.note_added",
        object_type="servicerequests.ServiceRequest",
        object_id="999999999999999",
        partner_id=filed.partner_id,
    )
    html = alice_client.get(reverse("servicerequests:detail", args=[filed.pk])).content.decode()
    assert 'data-testid="audit-history"' in html
    assert html.count('<span class="mono">servicerequest.note_added</span>') == 1


def test_marketplace_shows_the_isv_contacts(alice_client, world):
    response = alice_client.post(
        _new_url(world), {"workload": "marketplace", "subscription": world.marketplace.pk}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Contact Litware for support</h1>" in html
    assert "https://support.litware.example" in html
    assert "support@litware.example" in html
    assert "+1 800 555 0199" in html
    assert ServiceRequest.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"workload": "azure", "issue_type": "technical"}, "subscription", "Choose one of this customer"),
        ({"workload": "azure", "subscription": "x"}, "issue_type", "Choose the issue type."),
    ],
)
def test_new_request_shows_bad_input_inline(alice_client, world, data, field, message):
    if data.get("subscription") == "x":
        data["subscription"] = world.azure.pk
    response = alice_client.post(_new_url(world), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in html
    assert message in html


# Own subscription --------------------------------------------------------------------------------


def _own_data(**overrides):
    data = {
        "workload": "azure",
        "support_entitlement_id": "PREM-7781",
        "title": "Our own VM",
        "description": "Down.",
        "severity": "minimal",
        "contact_first_name": "Alice",
        "contact_last_name": "Admin",
        "contact_email": "alice@contosopartners.com",
        "contact_phone": "",
    }
    data.update(overrides)
    return data


def test_own_subscription_request_with_a_valid_entitlement_is_filed(alice_client, world):
    response = alice_client.post(reverse("servicerequests:new_own"), _own_data())
    request = ServiceRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("servicerequests:detail", args=[request.pk])
    assert (
        f"Service request {request.pk} was filed;" in alice_client.get(response["Location"]).content.decode()
    )
    assert (request.customer, request.support_entitlement.entitlement_id, request.support_plan) == (
        None,
        "PREM-7781",
        "partner_entitlement",
    )


@pytest.mark.parametrize("entitlement", ["", "PREM-0001"])
def test_own_subscription_request_without_a_valid_entitlement_is_explained(alice_client, entitlement):
    response = alice_client.post(
        reverse("servicerequests:new_own"), _own_data(support_entitlement_id=entitlement)
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_support_entitlement_id_error"' in html
    assert "SR-OWN-SUBSCRIPTION-ENTITLEMENT:" in html
    assert ServiceRequest.objects.count() == 0


def test_own_subscription_page_warns_when_every_entitlement_expired(alice_client, world):
    world.partner.support_entitlements.filter(entitlement_id="PREM-7781").delete()
    html = alice_client.get(reverse("servicerequests:new_own")).content.decode()
    assert "Every support entitlement of Contoso Partners has expired" in html
    assert "PREM-0001 (expired" in html
