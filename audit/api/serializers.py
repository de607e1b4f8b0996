"""``/v1/auditrecords``: Partner Center's ``AuditRecord`` shape (camelCase), output only."""

from __future__ import annotations

import json

from rest_framework import serializers

from core.api.serializers import ResourceAttributesField

from ..services import REFUSAL_ACTIONS

#: Object types of this portal → Partner Center's ``resourceType`` values (its own where it has one).
RESOURCE_TYPES: dict[str, str] = {
    "servicerequests.ServiceRequest": "service_request",
    "servicerequests.Dispatch": "service_request_dispatch",
    "gdap.Relationship": "granular_admin_relationship",
    "gdap.AccessAssignment": "granular_admin_access_assignment",
    "gdap.RoleTemplate": "granular_admin_role_template",
    "partnercenter.ApiToken": "application_credential",
    "partners.User": "partner_user",
    "portals.PortalTicket": "portal_ticket",
    "webhooks.WebhookRegistration": "webhook_registration",
    "webhooks.WebhookDelivery": "webhook_delivery",
    "http.request": "request",
    "scenario": "scenario",
}


def _json_or_none(value) -> str | None:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str) if value else None


class AuditRecordSerializer(serializers.Serializer):
    """One audit event as a Partner Center ``AuditRecord``; this portal's extra fields are in
    ``customizedData`` (``Action``, ``ObjectType``, ``ResourceId``, ``RequestId``, ``IpAddress``)."""

    id = serializers.CharField(source="pk")
    partnerId = serializers.UUIDField(source="partner_id", allow_null=True)
    customerId = serializers.UUIDField(source="customer_id", allow_null=True)
    customerName = serializers.SerializerMethodField()
    userPrincipalName = serializers.CharField(source="actor_name")
    applicationId = serializers.SerializerMethodField()
    resourceType = serializers.SerializerMethodField()
    resourceOldValue = serializers.SerializerMethodField()
    resourceNewValue = serializers.SerializerMethodField()
    operationType = serializers.CharField(source="action")
    operationStatus = serializers.SerializerMethodField()
    operationDate = serializers.DateTimeField(source="occurred_at")
    originalCorrelationId = serializers.CharField(source="correlation_id")
    customizedData = serializers.SerializerMethodField()
    attributes = ResourceAttributesField("AuditRecord")

    def get_customerName(self, event) -> str | None:
        return self.context.get("customer_names", {}).get(event.customer_id)

    def get_applicationId(self, event) -> str:
        return ""

    def get_resourceType(self, event) -> str:
        return RESOURCE_TYPES.get(event.object_type, event.object_type.rsplit(".", 1)[-1].lower())

    def get_resourceOldValue(self, event) -> str | None:
        return _json_or_none(event.before)

    def get_resourceNewValue(self, event) -> str | None:
        return _json_or_none(event.after)

    def get_operationStatus(self, event) -> str:
        return "failed" if event.action in REFUSAL_ACTIONS else "succeeded"

    def get_customizedData(self, event) -> list[dict[str, str]]:
        pairs = [
            ("Action", event.action),
            ("ObjectType", event.object_type),
            ("ResourceId", event.object_id),
            ("RequestId", event.request_id),
            ("IpAddress", event.ip_address or ""),
        ]
        return [{"key": key, "value": str(value)} for key, value in pairs if value]
