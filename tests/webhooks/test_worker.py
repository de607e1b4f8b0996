"""One delivery end to end through a real Celery worker on Redis (skipped without REDIS_URL and
PostgreSQL; failed instead when CI=true)."""

from __future__ import annotations

import pytest

from partners.choices import PartnerCenterRole
from tests.factories import UserFactory
from tests.worker import celery_worker, wait_for  # noqa: F401  (celery_worker is a fixture)
from webhooks.choices import DeliveryStatus
from webhooks.models import WebhookDelivery
from webhooks.services import webhook_registration_create, webhook_test_send
from webhooks.signing import signature_valid

pytestmark = [
    pytest.mark.worker,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.usefixtures("celery_worker"),
]


def test_a_test_event_is_delivered_by_the_worker(receiver):
    admin = UserFactory(roles=[PartnerCenterRole.ADMIN_AGENT])
    _, secret = webhook_registration_create(actor=admin, url=receiver.url, events=["test-created"])

    webhook_test_send(actor=admin)  # commits; the delivery task goes through Redis to the worker

    delivered = wait_for(
        lambda: WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERED).first(), timeout=20
    )
    (received,) = receiver.requests
    assert received.delivery_id == str(delivered.delivery_id)
    assert signature_valid(secret, received.body, received.signature)
    assert received.payload["eventName"] == "test-created"
