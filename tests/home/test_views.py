"""The signed-in home page (``home``): who you are, and counts of customers and open requests."""

import pytest
from django.urls import reverse

from tests.factories import CustomerPartnerRelationshipFactory, ServiceRequestFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_home_requires_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_sign_in_then_home_shows_partner_roles_and_counts(client):
    user = UserFactory(username="alice", roles=["admin_agent"])
    link = CustomerPartnerRelationshipFactory(partner=user.partner)
    CustomerPartnerRelationshipFactory()  # another partner's customer: not counted
    ServiceRequestFactory(partner=user.partner, customer=link.customer, status="open")
    ServiceRequestFactory(
        partner=user.partner, customer=link.customer, status="closed", closed_at="2026-01-01T00:00:00Z"
    )
    ServiceRequestFactory(status="open")  # another partner's request: not counted

    response = client.post(reverse("login"), {"username": "alice", "password": "pass-word-123"})
    assert response.status_code == 302
    page = client.get(reverse("home"))
    html = page.content.decode()
    assert user.partner.name in html
    assert "Admin agent" in html
    assert 'data-testid="customer-count">1<' in html
    assert 'data-testid="open-request-count">1<' in html


def test_the_favicon_is_served_at_the_site_root(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file
