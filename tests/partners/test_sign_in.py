"""Signing in: the sign-in page, wrong passwords, the session's user."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_sign_in_page_renders(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content


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
