import pytest
from django.urls import reverse

from tests.factories import CustomerPartnerRelationshipFactory, ServiceRequestFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_sign_in_page_renders(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content


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


def test_wrong_password_is_refused(client):
    UserFactory(username="bob")
    response = client.post(reverse("login"), {"username": "bob", "password": "nope"})
    assert response.status_code == 200
    assert b"Please enter a correct" in response.content


def test_a_signed_in_session_reads_its_user_with_the_partner_in_one_query(client, django_assert_num_queries):
    from django.contrib.auth import BACKEND_SESSION_KEY

    from partners.backends import ModelBackend

    user = UserFactory(username="carol", roles=["admin_agent"])
    response = client.post(reverse("login"), {"username": "carol", "password": "pass-word-123"})
    assert response.status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == "partners.backends.ModelBackend"
    with django_assert_num_queries(1):
        loaded = ModelBackend().get_user(user.pk)
        assert (loaded.partner.name, loaded.customer) == (user.partner.name, None)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert ModelBackend().get_user(user.pk) is None
    assert ModelBackend().get_user(10**9) is None
