"""Enumerations of the webhooks app (values are the wire values of API.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EventName(models.TextChoices):
    SERVICE_REQUEST_CREATED = "servicerequest-created", _("Service request created")
    SERVICE_REQUEST_UPDATED = "servicerequest-updated", _("Service request updated")
    SERVICE_REQUEST_HANDOFF_CREATED = "servicerequest-handoff-created", _("Hand-off to the provider created")
    SERVICE_REQUEST_HANDOFF_ACCEPTED = "servicerequest-handoff-accepted", _("Hand-off filed by the provider")
    SERVICE_REQUEST_HANDOFF_DECLINED = (
        "servicerequest-handoff-declined",
        _("Hand-off declined by the provider"),
    )
    GDAP_RELATIONSHIP_UPDATED = "gdap-relationship-updated", _("GDAP relationship updated")
    TEST_CREATED = "test-created", _("Test event")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("webhook delivery", "Pending")
    DELIVERED = "delivered", pgettext_lazy("webhook delivery", "Delivered")
    FAILED = "failed", pgettext_lazy("webhook delivery", "Failed")
