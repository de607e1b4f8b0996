"""``/v1/webhooks/registration`` and ``/v1/webhooks/test``."""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from partners.choices import PartnerCenterRole
from tests.api.conftest import client_for
from tests.factories import UserFactory
from webhooks.models import WebhookDelivery, WebhookRegistration
from webhooks.signing import secret_for, signature_valid

URL = "/v1/webhooks/registration"


@pytest.fixture
def api(world):
    return client_for(world.admin)


def register(api, receiver, events=("servicerequest-created", "test-created")):
    return api.post(URL, {"WebhookUrl": receiver.url, "WebhookEvents": list(events)}, format="json")


def test_create_returns_the_secret_once_then_get_never_shows_it(api, world, receiver):
    created = register(api, receiver)
    assert created.status_code == 201
    body = created.json()
    registration = WebhookRegistration.objects.get()
    assert body == {
        "subscriberId": str(world.partner.pk),
        "registrationId": str(registration.pk),
        "webhookUrl": receiver.url,
        "webhookEvents": ["servicerequest-created", "test-created"],
        "secretHint": f"…{body['webhookSecret'][-4:]}",
        "createdDate": body["createdDate"],
        "webhookSecret": secret_for(registration.secret_salt),
        "attributes": {"objectType": "WebhookRegistration"},
    }
    assert body["webhookSecret"].startswith("whsec_")
    assert created["Cache-Control"] == "no-store"
    shown = api.get(URL).json()
    assert "webhookSecret" not in shown
    assert shown["webhookUrl"] == receiver.url
    assert body["webhookSecret"] not in str(list(WebhookRegistration.objects.values()))


def test_a_second_registration_is_a_conflict(api, receiver):
    register(api, receiver)
    again = register(api, receiver)
    assert again.status_code == 409
    assert again.json()["code"] == 800014
    assert WebhookRegistration.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        (
            {"webhookUrl": "http://10.0.0.1/", "webhookEvents": ["test-created"]},
            "webhookUrl",
            "resolves to a private address (10.0.0.1): webhooks are only sent to public addresses",
        ),
        (
            {"webhookUrl": "gopher://hooks.example.com/", "webhookEvents": ["test-created"]},
            "webhookUrl",
            "must be an http or https URL",
        ),
        (
            {"webhookUrl": "https://93.184.216.34/", "webhookEvents": ["customer-created"]},
            "webhookEvents.0",
            '"customer-created" is not a valid choice.',
        ),
        (
            {"webhookUrl": "https://93.184.216.34/", "webhookEvents": []},
            "webhookEvents",
            "This list may not be empty.",
        ),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, settings, body, field, reason):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    response = api.post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["data"] == [{"field": field, "reason": reason}]
    assert WebhookRegistration.objects.count() == 0


def test_get_and_delete_without_a_registration_are_404(api):
    assert api.get(URL).status_code == 404
    assert api.delete(URL).status_code == 404


def test_delete_removes_the_registration_and_is_audited(api, world, receiver):
    register(api, receiver)
    response = api.delete(URL, HTTP_MS_CORRELATIONID="5c1e5c6f-2b1d-4a9e-9a5e-0f1e2d3c4b5a")
    assert response.status_code == 204
    assert WebhookRegistration.objects.count() == 0
    event = AuditEvent.objects.get(action="webhook.registration_deleted")
    assert (event.actor_id, event.partner_id, event.correlation_id, event.ip_address) == (
        world.admin.pk,
        world.partner.pk,
        "5c1e5c6f-2b1d-4a9e-9a5e-0f1e2d3c4b5a",
        "127.0.0.1",
    )
    assert event.before == {"url": receiver.url, "events": ["servicerequest-created", "test-created"]}


@pytest.mark.parametrize("given", ["", "0f8fad5b-d9cb-469f-a165-70867728950e"])
def test_the_audit_event_records_the_request_id_the_answer_carries(api, receiver, given):
    headers = {"HTTP_MS_REQUESTID": given} if given else {}
    response = api.post(
        URL, {"WebhookUrl": receiver.url, "WebhookEvents": ["test-created"]}, format="json", **headers
    )
    assert response.status_code == 201
    event = AuditEvent.objects.get(action="webhook.registration_created")
    assert event.request_id == response["MS-RequestId"] == (given or event.request_id)
    assert event.request_id


def test_the_test_event_is_delivered_signed(api, receiver, django_capture_on_commit_callbacks):
    secret = register(api, receiver).json()["webhookSecret"]
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/v1/webhooks/test")
    assert response.status_code == 202
    delivery = WebhookDelivery.objects.get()
    assert response.json() == {
        "eventName": "test-created",
        "sequenceNumber": 1,
        "deliveryIds": [str(delivery.delivery_id)],
        "attributes": {"objectType": "WebhookTestEvent"},
    }
    (received,) = receiver.requests
    assert signature_valid(secret, received.body, received.signature)
    payload = received.payload
    assert (payload["eventName"], payload["resourceName"], payload["sequenceNumber"]) == (
        "test-created",
        "test",
        1,
    )
    test_requested = AuditEvent.objects.get(action="webhook.test_requested")
    assert payload["auditUri"] == f"https://portal.example/v1/auditrecords/{test_requested.pk}"


def test_the_test_event_without_a_registration_is_404(api):
    assert api.post("/v1/webhooks/test").status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", URL), ("post", URL), ("delete", URL), ("post", "/v1/webhooks/test")],
)
@pytest.mark.parametrize("role", [PartnerCenterRole.SALES_AGENT, PartnerCenterRole.HELPDESK_AGENT])
def test_other_roles_get_403_and_the_denial_is_audited(world, method, path, role):
    user = UserFactory(partner=world.partner, roles=[role])
    response = getattr(client_for(user), method)(path, {}, format="json")
    assert response.status_code == 403
    denial = AuditEvent.objects.get(action="auth.permission_denied")
    assert (denial.actor_id, denial.partner_id, denial.object_id) == (user.pk, world.partner.pk, path)
    assert denial.after["surface"] == "api"
    assert denial.after["method"] == method.upper()


def test_another_partners_registration_is_invisible(world, receiver):
    from tests.api.conftest import make_partner_world

    other = make_partner_world("Tailspin")
    register(client_for(other.admin), receiver)
    assert client_for(world.admin).get(URL).status_code == 404
    assert client_for(world.admin).post("/v1/webhooks/test").status_code == 404
