"""Webhook registrations, the events sent to them, and their signed, retried deliveries.

An event is written in the transaction of the change it reports (an outbox row): if that
transaction rolls back, no event exists and nothing is sent. Deliveries are attempted by Celery
after commit (``webhooks.tasks``), retried with exponential backoff, then ``failed``.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .choices import DeliveryStatus, EventName


class WebhookRegistration(models.Model):
    """Where a partner wants its events POSTed, and which events.

    One registration per partner, as in Partner Center. The signing secret is never stored: it is
    derived from ``WEBHOOKS_SECRET_KEY`` and ``secret_salt`` (``webhooks.signing``), shown once at
    creation, and re-derived to sign each delivery. A database dump alone can't forge signatures.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.CASCADE,
        related_name="webhook_registrations",
        db_index=False,
    )
    url = models.CharField("URL", max_length=2000)
    events = models.JSONField(default=list)
    secret_salt = models.CharField(max_length=64)
    secret_hint = models.CharField(
        max_length=16, blank=True, help_text="Last characters of the secret, to recognise it."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner"], name="webhookregistration_one_per_partner")
        ]

    def __str__(self) -> str:
        return f"{self.url} ({', '.join(self.events)})"


class WebhookSequence(models.Model):
    """The last sequence number given to an event about one object of a partner (per-object order)."""

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    resource_name = models.CharField(max_length=40)
    resource_id = models.CharField(max_length=80)
    last_value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "resource_name", "resource_id"], name="webhooksequence_unique_object"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resource_name}/{self.resource_id}: {self.last_value}"


class WebhookEvent(models.Model):
    """One event as it is sent: the exact JSON body (signed as is) and its sequence number."""

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    event_name = models.CharField(max_length=40, choices=EventName.choices)
    resource_name = models.CharField(max_length=40)
    resource_id = models.CharField(max_length=80)
    sequence_number = models.BigIntegerField()
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["partner", "-created_at"], name="webhookevent_partner_time_idx")]

    def __str__(self) -> str:
        return f"{self.event_name} {self.resource_name}/{self.resource_id} #{self.sequence_number}"


class WebhookDelivery(models.Model):
    """The delivery of one event to one registration: retried with the same ``delivery_id``.

    ``url`` is the registration's URL when the event was emitted. A redelivery (a user's action) is
    a new row with a new ``delivery_id`` pointing at the original through ``redelivery_of``.
    """

    delivery_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    registration = models.ForeignKey(
        WebhookRegistration, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    redelivery_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    url = models.CharField(max_length=2000)
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True, help_text="Set while an attempt is under way.")
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["partner", "-created_at", "-id"], name="webhookdelivery_partner_idx"),
            models.Index(
                fields=["next_attempt_at"],
                name="webhookdelivery_due_idx",
                condition=Q(status="pending"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="webhookdelivery_status_valid", condition=Q(status__in=DeliveryStatus.values)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.status}"
