"""Settings → Applications: the browser page of app registrations (admin agents only)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from apiaccess.models import AppRegistration, AppSecret
from partners.choices import PartnerCenterRole
from tests.conftest import SIGN_IN_BACKEND
from tests.factories import UserFactory

from .conftest import register, request_token

URL = "/settings/applications/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user, backend=SIGN_IN_BACKEND)
    return client


def shown(response, testid: str) -> str:
    match = re.search(
        rf'data-testid="{testid}"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*data-testid="{testid}"',
        response.content.decode(),
    )
    assert match, testid
    return match.group(1) or match.group(2)


@pytest.mark.django_db
class TestApplicationsPage:
    def test_register_shows_client_id_and_secret_once(self, world):
        client = signed_in(world.admin)
        response = client.post(
            URL,
            {
                "action": "create",
                "display_name": "HaloPSA sync",
                "scopes": ["servicerequests.read", "servicerequests.write"],
                "security_groups": [str(world.group.pk)],
                "secret_expires_in_days": "90",
            },
        )
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"
        client_id, secret = shown(response, "new-client-id"), shown(response, "new-secret-value")
        registration = AppRegistration.objects.get(client_id=client_id)
        assert registration.scopes == ["servicerequests.read", "servicerequests.write"]
        assert list(registration.service_user.security_groups.all()) == [world.group]
        assert request_token(client_id, secret).status_code == 200
        again = client.get(URL).content.decode()
        assert "HaloPSA sync" in again and client_id in again
        assert secret not in again

    def test_bad_input_is_400_naming_the_field(self, world):
        response = signed_in(world.admin).post(
            URL, {"action": "create", "display_name": "", "secret_expires_in_days": "90"}
        )
        assert response.status_code == 400
        assert "This field is required." in response.content.decode()
        assert not AppRegistration.objects.exists()

    def test_add_and_revoke_a_secret_and_remove_the_app(self, world):
        registration, old = register(world.admin)
        client = signed_in(world.admin)
        response = client.post(
            URL,
            {
                "action": "add_secret",
                "registration_id": registration.pk,
                "description": "2027",
                "expires_in_days": "365",
            },
        )
        new = shown(response, "new-secret-value")
        assert request_token(registration.client_id, new).status_code == 200
        old_row = AppSecret.objects.get(registration=registration, description="Initial secret")
        response = client.post(
            URL,
            {"action": "revoke_secret", "registration_id": registration.pk, "secret_id": old_row.pk},
            follow=True,
        )
        assert "Secret revoked" in response.content.decode()
        assert request_token(registration.client_id, old).status_code == 401
        response = client.post(URL, {"action": "remove", "registration_id": registration.pk}, follow=True)
        assert "removed" in response.content.decode()
        assert request_token(registration.client_id, new).status_code == 401
        assert "No applications registered." in client.get(URL).content.decode()

    def test_another_partners_app_is_not_found(self, world):
        other_admin = UserFactory(partner=world.other_partner, roles=[PartnerCenterRole.ADMIN_AGENT])
        registration, secret = register(world.admin)
        client = signed_in(other_admin)
        assert registration.client_id not in client.get(URL).content.decode()
        response = client.post(URL, {"action": "remove", "registration_id": registration.pk}, follow=True)
        assert "No such application" in response.content.decode()
        assert request_token(registration.client_id, secret).status_code == 200

    def test_only_admin_agents_see_the_page_and_its_link(self, world):
        helpdesk = UserFactory(partner=world.partner, roles=[PartnerCenterRole.HELPDESK_AGENT])
        assert signed_in(helpdesk).get(URL).status_code == 403
        assert URL not in signed_in(helpdesk).get("/settings/api-access/").content.decode()
        assert URL in signed_in(world.admin).get("/settings/api-access/").content.decode()
