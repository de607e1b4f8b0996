"""``/v1/applications``: input and output serializers (camelCase wire names; a secret's fields are
named as Entra's ``passwordCredential``)."""

from __future__ import annotations

from rest_framework import serializers

from core.api.scopes import SCOPES
from core.api.serializers import ResourceAttributesField

from ..applications import SECRET_LIFETIME_CHOICES


class ApplicationCreateSerializer(serializers.Serializer):
    """``{"displayName": "PSA sync", "scopes": ["servicerequests.read", ...]}``."""

    displayName = serializers.CharField(max_length=100)
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=list(SCOPES)), allow_empty=False)
    securityGroupIds = serializers.ListField(child=serializers.UUIDField(), required=False, default=list)
    secretDisplayName = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    secretExpiresInDays = serializers.ChoiceField(
        choices=SECRET_LIFETIME_CHOICES, required=False, default=None, allow_null=True
    )


class SecretCreateSerializer(serializers.Serializer):
    displayName = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    expiresInDays = serializers.ChoiceField(
        choices=SECRET_LIFETIME_CHOICES, required=False, default=None, allow_null=True
    )


class SecretSerializer(serializers.Serializer):
    """A client secret, without the secret itself (only its first characters, ``hint``)."""

    keyId = serializers.UUIDField(source="pk")
    displayName = serializers.CharField(source="description")
    hint = serializers.CharField()
    startDateTime = serializers.DateTimeField(source="created_at")
    endDateTime = serializers.DateTimeField(source="expires_at")
    revokedDateTime = serializers.DateTimeField(source="revoked_at", allow_null=True)
    lastUsedDateTime = serializers.DateTimeField(source="last_used_at", allow_null=True)
    attributes = ResourceAttributesField("ApplicationSecret")


class SecretCreatedSerializer(SecretSerializer):
    secretText = serializers.CharField(source="secret", help_text="Shown once: store it now.")


class ApplicationSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="pk")
    clientId = serializers.CharField(source="client_id")
    displayName = serializers.CharField(source="display_name")
    scopes = serializers.ListField(child=serializers.CharField())
    securityGroupIds = serializers.SerializerMethodField()
    servicePrincipal = serializers.CharField(source="service_user.username")
    owner = serializers.CharField(source="created_by.username", default=None, allow_null=True)
    createdDateTime = serializers.DateTimeField(source="created_at")
    lastUsedDateTime = serializers.DateTimeField(source="last_used_at", allow_null=True)
    passwordCredentials = SecretSerializer(source="secrets.all", many=True)
    attributes = ResourceAttributesField("Application")

    def get_securityGroupIds(self, registration) -> list[str]:
        return sorted(str(group.pk) for group in registration.service_user.security_groups.all())


class ApplicationCreatedSerializer(ApplicationSerializer):
    clientSecret = serializers.CharField(source="secret", help_text="Shown once: store it now.")
