"""``/v1/webhooks``: input and output serializers (camelCase wire names, Partner Center's shape)."""

from __future__ import annotations

from rest_framework import serializers

from core.api.serializers import ResourceAttributesField

from ..choices import EventName


class WebhookRegistrationCreateSerializer(serializers.Serializer):
    """``{"webhookUrl": "...", "webhookEvents": ["servicerequest-created", ...]}`` (PascalCase too)."""

    webhookUrl = serializers.CharField(max_length=2000)
    webhookEvents = serializers.ListField(
        child=serializers.ChoiceField(choices=EventName.values), allow_empty=False
    )


class WebhookRegistrationSerializer(serializers.Serializer):
    """The registration. ``webhookSecret`` is present only in the answer to its creation."""

    subscriberId = serializers.UUIDField(source="partner_id")
    registrationId = serializers.UUIDField(source="pk")
    webhookUrl = serializers.CharField(source="url")
    webhookEvents = serializers.ListField(source="events", child=serializers.CharField())
    secretHint = serializers.SerializerMethodField()
    createdDate = serializers.DateTimeField(source="created_at")
    attributes = ResourceAttributesField("WebhookRegistration")

    def get_secretHint(self, registration) -> str:
        return f"…{registration.secret_hint}"


class WebhookRegistrationCreatedSerializer(WebhookRegistrationSerializer):
    webhookSecret = serializers.CharField(source="secret", help_text="Shown once: store it now.")


class WebhookTestEventSerializer(serializers.Serializer):
    eventName = serializers.CharField(source="event_name")
    sequenceNumber = serializers.IntegerField(source="sequence_number")
    deliveryIds = serializers.SerializerMethodField()
    attributes = ResourceAttributesField("WebhookTestEvent")

    def get_deliveryIds(self, event) -> list[str]:
        return [str(d.delivery_id) for d in event.deliveries.all()]
