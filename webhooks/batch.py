"""Webhook events for batch work (the dispatch relay's batches, ``portals.batch``): the result of
``services.webhook_event_emit`` once per object, in a fixed number of statements whatever the
number of objects."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import WebhookEvent, WebhookRegistration, WebhookSequence
from .payloads import RESOURCES, body_bytes, envelope
from .services import webhook_deliveries_create


def webhook_events_emit(*, event_name: str, changes: list[tuple]) -> list[WebhookEvent]:
    """Queue one event per ``(obj, audit_event)`` of ``changes`` (objects of one resource type, each
    once) for its partner's registrations that subscribe to ``event_name``; returns the events.

    Same rows as :func:`webhooks.services.webhook_event_emit` called once per change: the exact
    body, the object's next sequence number, one pending delivery per subscribing registration,
    the delivery tasks enqueued after commit. In at most six statements: the registrations of
    every partner concerned, the existing sequence counters (locked), their increment, the new
    counters, the events, the deliveries. Call inside the caller's transaction, which holds a lock
    on each object (as the relay holds the requests); a counter inserted meanwhile by a concurrent
    writer raises ``IntegrityError``, which rolls the caller back.
    """
    if not changes:
        return []
    spec = RESOURCES[changes[0][0]._meta.label]
    subscribed: dict = {}
    for registration in (
        WebhookRegistration.objects.filter(partner_id__in={obj.partner_id for obj, _ in changes})
        .order_by("id")
        .values("id", "partner_id", "url", "events")
    ):
        if event_name in (registration["events"] or ()):
            subscribed.setdefault(registration["partner_id"], []).append(registration)
    changes = [(obj, audit_event) for obj, audit_event in changes if obj.partner_id in subscribed]
    if not changes:
        return []
    keys = {(obj.partner_id, str(obj.pk)) for obj, _ in changes}
    partner_ids = {key[0] for key in keys}
    with transaction.atomic():
        counters = {
            (row.partner_id, row.resource_id): row
            for row in WebhookSequence.objects.select_for_update()
            .filter(
                partner_id__in=partner_ids,
                resource_name=spec.resource_name,
                resource_id__in=[key[1] for key in keys],
            )
            .only("pk", "partner_id", "resource_id", "last_value")
            if (row.partner_id, row.resource_id) in keys
        }
        if counters:
            WebhookSequence.objects.filter(pk__in=[row.pk for row in counters.values()]).update(
                last_value=F("last_value") + 1
            )
        sequence = {key: row.last_value + 1 for key, row in counters.items()}
        new = [
            WebhookSequence(
                partner_id=partner_id, resource_name=spec.resource_name, resource_id=resource_id, last_value=1
            )
            for partner_id, resource_id in keys
            if (partner_id, resource_id) not in counters
        ]
        if new:
            WebhookSequence.objects.bulk_create(new)
            sequence.update({(row.partner_id, row.resource_id): 1 for row in new})
        now = timezone.now()
        events = []
        for obj, audit_event in changes:
            number = sequence[(obj.partner_id, str(obj.pk))]
            payload = envelope(
                event_name=event_name,
                spec=spec,
                obj=obj,
                audit_event=audit_event,
                sequence_number=number,
                changed_at=audit_event.occurred_at if audit_event is not None else now,
            )
            events.append(
                WebhookEvent(
                    partner_id=obj.partner_id,
                    event_name=event_name,
                    resource_name=spec.resource_name,
                    resource_id=str(obj.pk),
                    sequence_number=number,
                    body=body_bytes(payload, limit=settings.WEBHOOKS_MAX_PAYLOAD_BYTES),
                    created_at=now,
                )
            )
        events = WebhookEvent.objects.bulk_create(events)
        webhook_deliveries_create(
            [(event, registration) for event in events for registration in subscribed[event.partner_id]],
            now=now,
        )
    return events
