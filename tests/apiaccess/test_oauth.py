"""App registrations: token issuance and refusal, what an app token may do, and how it is
throttled, audited and deduplicated exactly like a person's token."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from apiaccess.applications import application_remove, application_secret_add, application_secret_revoke
from apiaccess.models import AppSecret
from audit.models import AuditEvent
from core.models import IdempotencyRecord
from partners.choices import PartnerCenterRole
from servicerequests.models import ServiceRequest
from tests.factories import UserFactory

from .conftest import ALL_SCOPES, app_client, register, request_token

FILING = {
    "title": "Mail stuck in the outbox",
    "description": "Since this morning mail to external recipients stays in the outbox.",
    "severity": "moderate",
    "workload": "m365",
    "supportTopicId": 32444611,
}


def file_url(world):
    return f"/v1/customers/{world.customer.id}/servicerequests"


@pytest.mark.django_db
class TestTokenEndpoint:
    def test_issues_a_short_lived_token_with_the_requested_scopes(self, world):
        registration, secret = register(world.admin, scopes=["servicerequests.read", "customers.read"])
        response = request_token(registration.client_id, secret, "customers.read")
        assert response.status_code == 200
        body = response.json()
        assert body["token_type"] == "Bearer"
        assert body["expires_in"] == 3600
        assert body["scope"] == "customers.read"
        assert body["access_token"].startswith("pca_")
        assert "refresh_token" not in body
        assert response["Cache-Control"] == "no-store"
        registration.refresh_from_db()
        assert registration.last_used_at is not None
        event = AuditEvent.objects.get(action="application.token_issued")
        assert event.actor_name == f"app:{registration.client_id}"
        assert event.after["clientId"] == registration.client_id
        assert event.after["scopes"] == ["customers.read"]

    def test_no_scope_or_dot_default_gives_every_granted_scope(self, world):
        registration, secret = register(world.admin, scopes=["servicerequests.read", "customers.read"])
        for scope in (None, ".default", "https://api.partnercenter.microsoft.com/.default"):
            body = request_token(registration.client_id, secret, scope).json()
            assert sorted(body["scope"].split()) == ["customers.read", "servicerequests.read"], scope

    def test_credentials_in_the_body_work_too(self, world):
        registration, secret = register(world.admin)
        assert request_token(registration.client_id, secret, in_body=True).status_code == 200

    def test_bad_secret_is_invalid_client(self, world):
        registration, secret = register(world.admin)
        response = request_token(registration.client_id, secret + "x")
        assert response.status_code == 401
        assert response.json()["error"] == "invalid_client"
        assert request_token(str(uuid.uuid4()), secret).status_code == 401

    def test_expired_secret_is_invalid_client(self, world):
        registration, secret = register(world.admin, secret_expires_in_days=30)
        with time_machine.travel(timezone.now() + timedelta(days=31)):
            response = request_token(registration.client_id, secret)
        assert response.status_code == 401
        assert response.json()["error"] == "invalid_client"

    def test_revoked_secret_is_refused_and_rotation_overlaps(self, world):
        registration, old = register(world.admin)
        new_row, new = application_secret_add(actor=world.admin, registration_id=registration.pk)
        # Both work during the rollover …
        assert request_token(registration.client_id, old).status_code == 200
        assert request_token(registration.client_id, new).status_code == 200
        old_row = AppSecret.objects.exclude(pk=new_row.pk).get(registration=registration)
        application_secret_revoke(actor=world.admin, registration_id=registration.pk, secret_id=old_row.pk)
        # … then only the new one.
        assert request_token(registration.client_id, old).status_code == 401
        assert request_token(registration.client_id, new).status_code == 200

    def test_removed_app_gets_no_token_and_its_tokens_stop_working(self, world):
        registration, secret = register(world.admin)
        client = app_client(registration, secret)
        assert client.get("/v1/servicerequests").status_code == 200
        application_remove(actor=world.admin, registration_id=registration.pk)
        assert client.get("/v1/servicerequests").status_code == 401
        assert request_token(registration.client_id, secret).status_code == 401

    def test_unknown_or_ungranted_scope_is_invalid_scope(self, world):
        registration, secret = register(world.admin, scopes=["servicerequests.read"])
        for scope in ("servicerequests.admin", "audit.read", "servicerequests.read audit.read"):
            response = request_token(registration.client_id, secret, scope)
            assert response.status_code == 400, scope
            assert response.json()["error"] == "invalid_scope"

    def test_only_client_credentials(self, world):
        registration, secret = register(world.admin)
        from rest_framework.test import APIClient

        from .conftest import basic

        response = APIClient().post(
            "/oauth2/token",
            {"grant_type": "password", "username": "contoso-alice", "password": "x"},
            HTTP_AUTHORIZATION=basic(registration.client_id, secret),
        )
        assert response.status_code == 400
        assert response.json()["error"] == "unsupported_grant_type"
        assert not AuditEvent.objects.filter(action="auth.sign_in_failed").exists()

    def test_expired_token_is_401(self, world):
        registration, secret = register(world.admin)
        client = app_client(registration, secret)
        with time_machine.travel(timezone.now() + timedelta(seconds=3601)):
            response = client.get("/v1/servicerequests")
        assert response.status_code == 401
        assert response.json()["code"] == 400  # Partner Center's "Access denied." for a bad token

    def test_unknown_app_token_is_401_in_each_shape(self, world):
        from rest_framework.test import APIClient

        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Bearer pca_not-a-token")
        assert client.get("/v1/servicerequests").status_code == 401
        graph = client.get("/graph/v1.0/groups")
        assert graph.status_code == 401
        assert graph.json()["error"]["code"] == "InvalidAuthenticationToken"


@pytest.mark.django_db
class TestActingAsThePartner:
    def test_files_a_request_as_its_service_identity_with_audit(self, world):
        registration, secret = register(world.admin, scopes=ALL_SCOPES, groups=[world.group])
        response = app_client(registration, secret).post(file_url(world), FILING, format="json")
        assert response.status_code == 201, response.content
        request = ServiceRequest.objects.get()
        assert request.created_by_id == registration.service_user_id
        event = AuditEvent.objects.filter(action__startswith="servicerequest.").order_by("id").first()
        assert event.actor_name == f"app:{registration.client_id}"
        assert event.partner_id == world.partner.pk

    def test_without_the_security_group_gdap_eligibility_fails(self, world):
        """Group-based GDAP access applies to the app only through its own memberships."""
        registration, secret = register(world.admin, scopes=ALL_SCOPES, groups=[])
        body = (
            app_client(registration, secret)
            .post(
                f"{file_url(world)}/eligibility", {"workload": "m365", "severity": "moderate"}, format="json"
            )
            .json()
        )
        assert body["allowed"] is False
        failed = [o["ruleId"] for o in body["outcomes"] if o["outcome"] == "failed"]
        assert failed, body
        with_group, secret2 = register(
            world.admin, scopes=ALL_SCOPES, groups=[world.group], name="With group"
        )
        body = (
            app_client(with_group, secret2)
            .post(
                f"{file_url(world)}/eligibility", {"workload": "m365", "severity": "moderate"}, format="json"
            )
            .json()
        )
        assert body["allowed"] is True, body

    def test_idempotent_retry_is_replayed_per_app(self, world):
        registration, secret = register(world.admin, scopes=ALL_SCOPES, groups=[world.group])
        client = app_client(registration, secret)
        request_id = str(uuid.uuid4())
        first = client.post(file_url(world), FILING, format="json", HTTP_MS_REQUESTID=request_id)
        second = client.post(file_url(world), FILING, format="json", HTTP_MS_REQUESTID=request_id)
        assert first.status_code == second.status_code == 201
        assert second["Idempotent-Replayed"] == "true"
        assert second.json() == first.json()
        assert ServiceRequest.objects.count() == 1
        assert IdempotencyRecord.objects.get().user_id == registration.service_user_id

    def test_throttled_per_app_and_per_partner(self, world, settings):
        settings.API_THROTTLE_RATES = {"user": "2/min", "partner": "100/min"}
        registration, secret = register(world.admin, scopes=ALL_SCOPES)
        client = app_client(registration, secret)
        assert [client.get("/v1/customers").status_code for _ in range(3)] == [200, 200, 429]
        settings.API_THROTTLE_RATES = {"user": "100/min", "partner": "2/min"}
        from django.core.cache import caches

        caches["api"].clear()
        colleague_app, colleague_secret = register(world.admin, scopes=ALL_SCOPES, name="Other app")
        other = app_client(colleague_app, colleague_secret)
        assert [c.get("/v1/customers").status_code for c in (client, other, client)] == [200, 200, 429]

    def test_scope_refusal_is_on_record(self, world):
        registration, secret = register(world.admin, scopes=["servicerequests.read"])
        response = app_client(registration, secret).get("/v1/auditrecords")
        assert response.status_code == 403
        assert response.json()["description"] == (
            "Access denied: the application's token lacks the scope audit.read, "
            "which GET /v1/auditrecords needs."
        )
        event = AuditEvent.objects.get(action="auth.permission_denied")
        assert event.actor_name == f"app:{registration.client_id}"

    def test_personal_tokens_are_not_scoped(self, world):
        from tests.api.conftest import client_for

        assert client_for(world.admin).get("/v1/auditrecords").status_code == 200


@pytest.mark.django_db
class TestApplicationsApi:
    def test_create_shows_the_secret_once(self, world):
        from tests.api.conftest import client_for

        api = client_for(world.admin)
        response = api.post(
            "/v1/applications",
            {
                "displayName": "HaloPSA sync",
                "scopes": ["servicerequests.read"],
                "securityGroupIds": [str(world.group.pk)],
            },
            format="json",
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert response["Cache-Control"] == "no-store"
        assert body["displayName"] == "HaloPSA sync"
        assert body["scopes"] == ["servicerequests.read"]
        assert body["securityGroupIds"] == [str(world.group.pk)]
        assert body["owner"] == world.admin.username
        assert body["servicePrincipal"] == f"app:{body['clientId']}"
        assert [c["hint"] for c in body["passwordCredentials"]] == [body["clientSecret"][:3]]
        assert request_token(body["clientId"], body["clientSecret"]).status_code == 200
        again = api.get(f"/v1/applications/{body['id']}").json()
        assert "clientSecret" not in again
        assert "secretText" not in again["passwordCredentials"][0]
        listed = api.get("/v1/applications").json()
        assert [a["clientId"] for a in listed["items"]] == [body["clientId"]]

    def test_bad_input_names_the_field(self, world):
        from tests.api.conftest import client_for

        api = client_for(world.admin)
        response = api.post("/v1/applications", {"displayName": "", "scopes": ["nope"]}, format="json")
        assert response.status_code == 400
        fields = {d["field"] for d in response.json()["data"]}
        assert {"displayName", "scopes[0]"} <= fields or {"displayName", "scopes.0"} <= fields, fields
        other_group = str(uuid.uuid4())
        response = api.post(
            "/v1/applications",
            {"displayName": "x", "scopes": ["audit.read"], "securityGroupIds": [other_group]},
            format="json",
        )
        assert response.status_code == 400
        assert response.json()["data"][0]["field"] == "securityGroupIds"
        assert not AppSecret.objects.exists()

    def test_rotate_and_revoke_secret(self, world):
        from tests.api.conftest import client_for

        api = client_for(world.admin)
        registration, old = register(world.admin)
        added = api.post(
            f"/v1/applications/{registration.pk}/secrets",
            {"displayName": "2027", "expiresInDays": 90},
            format="json",
        )
        assert added.status_code == 201
        new = added.json()
        assert new["displayName"] == "2027"
        assert request_token(registration.client_id, new["secretText"]).status_code == 200
        old_key = AppSecret.objects.exclude(pk=new["keyId"]).get().pk
        assert api.delete(f"/v1/applications/{registration.pk}/secrets/{old_key}").status_code == 204
        assert api.delete(f"/v1/applications/{registration.pk}/secrets/{old_key}").status_code == 404
        assert request_token(registration.client_id, old).status_code == 401
        actions = list(
            AuditEvent.objects.filter(action__startswith="application.").values_list("action", flat=True)
        )
        assert "application.secret_added" in actions and "application.secret_revoked" in actions

    def test_delete_removes_the_app(self, world):
        from tests.api.conftest import client_for

        api = client_for(world.admin)
        registration, secret = register(world.admin)
        assert api.delete(f"/v1/applications/{registration.pk}").status_code == 204
        assert api.get(f"/v1/applications/{registration.pk}").status_code == 404
        assert api.get("/v1/applications").json()["totalCount"] == 0
        assert request_token(registration.client_id, secret).status_code == 401

    def test_only_admin_agents(self, world):
        from tests.api.conftest import client_for

        helpdesk = UserFactory(partner=world.partner, roles=[PartnerCenterRole.HELPDESK_AGENT])
        response = client_for(helpdesk).post(
            "/v1/applications", {"displayName": "x", "scopes": ["audit.read"]}, format="json"
        )
        assert response.status_code == 403
        assert response.json()["code"] == 2032

    def test_an_app_cannot_manage_apps(self, world):
        registration, secret = register(world.admin, scopes=ALL_SCOPES)
        response = app_client(registration, secret).get("/v1/applications")
        assert response.status_code == 403
        assert "needs a user's token" in response.json()["description"]


@pytest.mark.django_db
def test_expired_app_tokens_are_purged_hourly(world):
    from oauth2_provider.models import AccessToken

    from core import tasks

    registration, secret = register(world.admin)
    app_client(registration, secret)
    app_client(registration, secret)
    assert tasks.purge_expired.delay().get()["app_tokens"] == 0
    with time_machine.travel(timezone.now() + timedelta(seconds=3601)):
        assert tasks.purge_expired.delay().get()["app_tokens"] == 2
    assert not AccessToken.objects.exists()


@pytest.mark.django_db
def test_token_requests_are_rate_limited_per_address(world, settings):
    settings.API_THROTTLE_RATES = {"user": "100/min", "partner": "100/min", "token": "2/min"}
    registration, secret = register(world.admin)
    statuses = [request_token(registration.client_id, secret).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    refused = request_token(registration.client_id, secret)
    assert refused.json()["error"] == "temporarily_unavailable"
    assert 1 <= int(refused["Retry-After"]) <= 60
