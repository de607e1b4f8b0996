"""Enumerations of the webhooks app (values are the wire values of API.md)."""

from django.db import models


class EventName(models.TextChoices):
    SERVICE_REQUEST_CREATED = "servicerequest-created", "Service request created"
    SERVICE_REQUEST_UPDATED = "servicerequest-updated", "Service request updated"
    SERVICE_REQUEST_HANDOFF_CREATED = "servicerequest-handoff-created", "Hand-off to the provider created"
    SERVICE_REQUEST_HANDOFF_ACCEPTED = "servicerequest-handoff-accepted", "Hand-off filed by the provider"
    SERVICE_REQUEST_HANDOFF_DECLINED = "servicerequest-handoff-declined", "Hand-off declined by the provider"
    GDAP_RELATIONSHIP_UPDATED = "gdap-relationship-updated", "GDAP relationship updated"
    TEST_CREATED = "test-created", "Test event"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"
