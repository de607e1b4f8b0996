"""Browser pages: the registration (secret shown once) and the deliveries (redeliver)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from partners.choices import PartnerCenterRole
from tests.factories import UserFactory
from webhooks.choices import DeliveryStatus
from webhooks.models import WebhookDelivery, WebhookEvent, WebhookRegistration
from webhooks.services import webhook_registration_create
from webhooks.signing import secret_for

REGISTRATION = reverse("webhooks:registration")
DELIVERIES = reverse("webhooks:deliveries")


@pytest.fixture
def browser(client, world):
    client.force_login(world.admin)
    return client


def test_create_shows_the_secret_once(browser, receiver):
    response = browser.post(
        REGISTRATION, {"action": "create", "url": receiver.url, "events": ["servicerequest-created"]}
    )
    assert response.status_code == 200
    registration = WebhookRegistration.objects.get()
    secret = secret_for(registration.secret_salt)
    assert secret in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    again = browser.get(REGISTRATION).content.decode()
    assert secret not in again
    assert f"…{secret[-4:]}" in again
    assert receiver.url in again


def test_a_private_url_is_refused_with_the_reason(browser, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    response = browser.post(
        REGISTRATION, {"action": "create", "url": "http://localhost/", "events": ["test-created"]}
    )
    assert response.status_code == 400
    assert "webhooks are only sent to public addresses" in response.content.decode()
    assert WebhookRegistration.objects.count() == 0


def test_delete_removes_the_registration(browser, world, receiver):
    webhook_registration_create(actor=world.admin, url=receiver.url, events=["test-created"])
    response = browser.post(REGISTRATION, {"action": "delete"})
    assert response.status_code == 302
    assert WebhookRegistration.objects.count() == 0


def test_test_event_then_deliveries_page_then_redeliver(
    browser, world, receiver, django_capture_on_commit_callbacks
):
    webhook_registration_create(actor=world.admin, url=receiver.url, events=["test-created"])
    with django_capture_on_commit_callbacks(execute=True):
        assert browser.post(REGISTRATION, {"action": "test"}).status_code == 302
    delivery = WebhookDelivery.objects.get()
    page = browser.get(DELIVERIES).content.decode()
    assert str(delivery.delivery_id) in page
    assert "Delivered" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(reverse("webhooks:redeliver", args=[delivery.delivery_id]))
    assert response.status_code == 302
    assert WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 2
    assert len(receiver.requests) == 2


def test_deliveries_page_queries_do_not_grow_with_rows(
    browser, world, receiver, django_assert_max_num_queries
):
    registration, _ = webhook_registration_create(
        actor=world.admin, url=receiver.url, events=["test-created"]
    )
    for n in range(30):
        event = WebhookEvent.objects.create(
            partner=world.partner,
            event_name="test-created",
            resource_name="test",
            resource_id="x",
            sequence_number=n + 1,
            body="{}",
        )
        WebhookDelivery.objects.create(partner=world.partner, registration=registration, event=event, url="u")
    with django_assert_max_num_queries(8):
        response = browser.get(DELIVERIES)
    assert response.content.decode().count("data-delivery-id=") == 25


def test_another_partners_delivery_is_404(browser, receiver):
    from tests.api.conftest import make_partner_world

    other = make_partner_world("Tailspin")
    registration, _ = webhook_registration_create(
        actor=other.admin, url=receiver.url, events=["test-created"]
    )
    event = WebhookEvent.objects.create(
        partner=other.partner,
        event_name="test-created",
        resource_name="test",
        resource_id="x",
        sequence_number=1,
        body="{}",
    )
    delivery = WebhookDelivery.objects.create(
        partner=other.partner, registration=registration, event=event, url="u", status=DeliveryStatus.FAILED
    )
    assert browser.post(reverse("webhooks:redeliver", args=[delivery.delivery_id])).status_code == 404
    assert str(delivery.delivery_id) not in browser.get(DELIVERIES).content.decode()


@pytest.mark.parametrize("url", [REGISTRATION, DELIVERIES])
def test_a_sales_agent_gets_403_and_it_is_audited(client, world, url):
    user = UserFactory(partner=world.partner, roles=[PartnerCenterRole.SALES_AGENT])
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 403
    denial = AuditEvent.objects.get(action="auth.permission_denied")
    assert (denial.actor_id, denial.object_id, denial.after["surface"]) == (user.pk, url, "browser")
