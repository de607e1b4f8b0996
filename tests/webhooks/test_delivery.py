"""Emission and delivery: signed POSTs to a real receiver on 127.0.0.1, retries, rollback, redelivery."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent
from servicerequests.services import service_request_add_note
from webhooks.choices import DeliveryStatus, EventName
from webhooks.models import WebhookDelivery, WebhookEvent
from webhooks.services import (
    WebhookNotRedeliverable,
    webhook_delivery_attempt,
    webhook_delivery_redeliver,
    webhook_registration_create,
    webhook_test_send,
)
from webhooks.signing import signature_valid
from webhooks.tasks import sweep_deliveries

from .conftest import file_m365

ALL_EVENTS = [e.value for e in EventName]


def register(world, receiver, events=None):
    registration, secret = webhook_registration_create(
        actor=world.admin, url=receiver.url, events=events or ALL_EVENTS
    )
    return registration, secret


def test_service_request_events_arrive_signed_with_unique_ids_and_increasing_sequence(
    world, receiver, django_capture_on_commit_callbacks
):
    _, secret = register(world, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        request = file_m365(world)  # created, then dispatched by the eager task (updated)
    with django_capture_on_commit_callbacks(execute=True):
        service_request_add_note(actor=world.admin, service_request=request, text="Any news?")

    received = receiver.requests
    assert [r.payload["eventName"] for r in received] == [
        "servicerequest-created",
        "servicerequest-updated",
        "servicerequest-updated",
    ]
    assert [r.payload["sequenceNumber"] for r in received] == [1, 2, 3]
    assert [r.payload["data"]["action"] for r in received] == [
        "servicerequest.filed",
        "servicerequest.dispatched",
        "servicerequest.note_added",
    ]
    assert all(signature_valid(secret, r.body, r.signature) for r in received)
    assert len({r.delivery_id for r in received}) == 3
    first = received[0].payload
    assert first["resourceUri"] == f"https://portal.example/v1/servicerequests/{request.pk}"
    assert first["resourceName"] == "servicerequest"
    filed = AuditEvent.objects.get(action="servicerequest.filed")
    assert first["auditUri"] == f"https://portal.example/v1/auditrecords/{filed.pk}"
    assert first["data"]["id"] == request.pk
    assert first["data"]["customerId"] == str(world.customer.pk)
    assert first["data"]["status"] == "none"
    assert received[1].payload["data"]["status"] == "open"
    assert received[0].headers["X-Event-Name"] == "servicerequest-created"
    assert received[0].headers["Content-Type"] == "application/json; charset=utf-8"
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.DELIVERED}
    assert AuditEvent.objects.filter(action="webhook.delivered").count() == 3


def test_a_signature_does_not_verify_with_another_secret_or_another_body(world, receiver):
    _, secret = register(world, receiver)
    with transaction.atomic():
        webhook_test_send(actor=world.admin)
    delivery = WebhookDelivery.objects.get()
    webhook_delivery_attempt(delivery_pk=delivery.pk)
    (received,) = receiver.requests
    assert signature_valid(secret, received.body, received.signature)
    assert not signature_valid(secret + "x", received.body, received.signature)
    assert not signature_valid(secret, received.body + b" ", received.signature)


def test_only_subscribed_events_are_sent(world, receiver, django_capture_on_commit_callbacks):
    register(world, receiver, events=[EventName.GDAP_RELATIONSHIP_UPDATED])
    with django_capture_on_commit_callbacks(execute=True):
        file_m365(world)
    assert receiver.requests == []
    assert WebhookEvent.objects.count() == 0


def test_a_receiver_answering_500_is_retried_then_the_delivery_fails(
    world, receiver, django_capture_on_commit_callbacks
):
    receiver.status = 500
    register(world, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        webhook_test_send(actor=world.admin)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.FAILED, 3, 500)
    assert delivery.last_error == "HTTP 500: ok"
    assert len(receiver.requests) == 3
    assert {r.delivery_id for r in receiver.requests} == {str(delivery.delivery_id)}
    failed = AuditEvent.objects.get(action="webhook.delivery_failed")
    assert failed.after["attempts"] == 3
    assert failed.object_id == str(delivery.pk)


def test_a_redirect_is_not_followed(world, receiver, django_capture_on_commit_callbacks, settings):
    settings.WEBHOOKS_MAX_ATTEMPTS = 1
    receiver.status = 302
    receiver.extra_headers = {"Location": "http://169.254.169.254/latest/meta-data/"}
    register(world, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        webhook_test_send(actor=world.admin)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_status_code) == (DeliveryStatus.FAILED, 302)
    assert delivery.last_error.startswith("HTTP 302: redirect to 'http://169.254.169.254/latest/meta-data/'")
    assert len(receiver.requests) == 1


def test_no_webhook_is_sent_for_a_transaction_that_rolled_back(
    world, receiver, django_capture_on_commit_callbacks
):
    register(world, receiver)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        file_m365(world)
        raise RuntimeError("something after the filing failed")
    assert callbacks == []
    assert receiver.requests == []
    assert WebhookEvent.objects.count() == 0
    assert WebhookDelivery.objects.count() == 0


def test_a_private_address_is_refused_again_at_delivery_time(
    world, receiver, django_capture_on_commit_callbacks, settings
):
    register(world, receiver)  # allowed while the setting is on
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False  # e.g. the name now resolves to a private address
    with django_capture_on_commit_callbacks(execute=True):
        webhook_test_send(actor=world.admin)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error.startswith("refused: resolves to a loopback address (127.0.0.1)")
    assert delivery.last_status_code is None
    assert receiver.requests == []


def test_redelivery_sends_the_same_body_with_a_new_delivery_id(
    world, receiver, django_capture_on_commit_callbacks
):
    register(world, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        webhook_test_send(actor=world.admin)
    original = WebhookDelivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        again = webhook_delivery_redeliver(actor=world.admin, delivery=original)
    assert [r.body for r in receiver.requests] == [receiver.requests[0].body] * 2
    assert [r.delivery_id for r in receiver.requests] == [str(original.delivery_id), str(again.delivery_id)]
    again.refresh_from_db()
    assert (again.status, again.redelivery_of_id) == (DeliveryStatus.DELIVERED, original.pk)
    assert AuditEvent.objects.filter(action="webhook.redelivered", object_id=str(again.pk)).count() == 1


def test_a_pending_delivery_is_not_redelivered(world, receiver):
    register(world, receiver)
    with transaction.atomic():
        webhook_test_send(actor=world.admin)  # on_commit never runs in this test: stays pending
    with pytest.raises(WebhookNotRedeliverable):
        webhook_delivery_redeliver(actor=world.admin, delivery=WebhookDelivery.objects.get())


def test_an_attempt_on_a_finished_delivery_does_nothing(world, receiver, django_capture_on_commit_callbacks):
    register(world, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        webhook_test_send(actor=world.admin)
    delivery = WebhookDelivery.objects.get()
    assert webhook_delivery_attempt(delivery_pk=delivery.pk) is None
    assert len(receiver.requests) == 1


def test_a_large_payload_is_truncated_to_the_limit(
    world, receiver, django_capture_on_commit_callbacks, settings
):
    settings.WEBHOOKS_MAX_PAYLOAD_BYTES = 600
    register(world, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        file_m365(world, title="x" * 190, description="y" * 5000)
    payload = receiver.requests[0].payload
    assert payload["data"] == {"truncated": True, "action": "servicerequest.filed"}
    assert payload["resourceUri"].endswith(WebhookEvent.objects.order_by("pk").first().resource_id)


def test_sweeper_re_enqueues_overdue_pending_deliveries(world, receiver):
    register(world, receiver)
    with transaction.atomic():
        webhook_test_send(actor=world.admin)  # the message was "lost": on_commit never ran
    WebhookDelivery.objects.update(next_attempt_at=timezone.now() - timedelta(minutes=5))
    assert sweep_deliveries(min_age_seconds=60) == 1
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED
    assert len(receiver.requests) == 1
    assert sweep_deliveries(min_age_seconds=60) == 0


def test_gdap_relationship_changes_are_sent_in_sequence(world, receiver, django_capture_on_commit_callbacks):
    from gdap.services import relationship_create, relationship_lock_for_approval

    register(world, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        relationship = relationship_create(
            actor=world.admin,
            customer_id=world.customer.pk,
            display_name="Webhook me",
            duration=timedelta(days=30),
            role_ids=["f023fd81-a637-4b56-95fd-791ac0226033"],
        )
    with django_capture_on_commit_callbacks(execute=True):
        relationship_lock_for_approval(actor=world.admin, relationship_id=relationship.pk)
    payloads = [r.payload for r in receiver.requests]
    assert [
        (p["eventName"], p["sequenceNumber"], p["data"]["action"], p["data"]["status"]) for p in payloads
    ] == [
        ("gdap-relationship-updated", 1, "gdap.relationship.created", "created"),
        ("gdap-relationship-updated", 2, "gdap.relationship.locked_for_approval", "approvalPending"),
    ]
    assert payloads[0]["resourceUri"] == (
        f"https://portal.example/graph/v1.0/tenantRelationships/delegatedAdminRelationships/{relationship.pk}"
    )
    assert payloads[0]["resourceName"] == "delegatedAdminRelationship"
