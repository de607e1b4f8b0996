"""The stable JSON payload of each event, as data: one entry per resource the webhooks report.

Every body has the same envelope (shaped like Partner Center's webhook events, in camelCase)::

    {"eventName": "servicerequest-updated",
     "resourceUri": "<SITE_URL>/v1/servicerequests/616122292874576",
     "resourceName": "servicerequest",
     "auditUri": "<SITE_URL>/v1/auditrecords/4711",
     "resourceChangeUtcDate": "2026-03-01T10:15:30.123456Z",
     "sequenceNumber": 3,
     "data": {...}}

``data`` depends on the resource (``RESOURCES``); docs/webhooks.md lists its fields. Adding a field
is a compatible change; removing or renaming one is not.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def _changes(audit_event) -> dict[str, Any]:
    if audit_event is None:
        return {"action": "", "before": {}, "after": {}}
    return {"action": audit_event.action, "before": audit_event.before, "after": audit_event.after}


def service_request_data(service_request, audit_event) -> dict[str, Any]:
    """``data`` of ``servicerequest-created`` / ``servicerequest-updated``."""
    return {
        "id": str(service_request.pk),
        "customerId": str(service_request.customer_id) if service_request.customer_id else None,
        "workload": service_request.workload,
        "title": service_request.title,
        "severity": service_request.severity,
        "status": service_request.status,
        "externalTicketId": service_request.external_ticket_id or None,
        "portal": service_request.portal or None,
        "assignedToId": service_request.assigned_to_id,
        "slaDueDate": _iso(service_request.sla_due_at),
        "slaBreached": service_request.sla_breached,
        "version": service_request.version,
        "lastModifiedDate": _iso(service_request.updated_at),
        **_changes(audit_event),
    }


def relationship_data(relationship, audit_event) -> dict[str, Any]:
    """``data`` of ``gdap-relationship-updated`` (Graph's field names)."""
    return {
        "id": str(relationship.pk),
        "displayName": relationship.display_name,
        "status": relationship.status,
        "customerId": str(relationship.customer_id),
        "endDateTime": _iso(relationship.end_at),
        "version": relationship.version,
        **_changes(audit_event),
    }


def handoff_data(handoff, audit_event) -> dict[str, Any]:
    """``data`` of ``servicerequest-handoff-created`` / ``-accepted`` / ``-declined``."""
    return {
        "id": str(handoff.pk),
        "resellerId": str(handoff.reseller_id),
        "providerId": str(handoff.provider_id),
        "customerId": str(handoff.customer_id),
        "subscriptionId": str(handoff.subscription_id),
        "issueType": handoff.issue_type,
        "title": handoff.title,
        "severity": handoff.severity,
        "status": handoff.status,
        "serviceRequestId": handoff.service_request_id,
        "declineReason": handoff.decline_reason or None,
        "dueDate": _iso(handoff.due_at),
        "lastModifiedDate": _iso(handoff.updated_at),
        **_changes(audit_event),
    }


def test_data(obj, audit_event) -> dict[str, Any]:
    """``data`` of ``test-created``."""
    return {"message": "Test event from the Partner Center support portal.", **_changes(audit_event)}


@dataclass(frozen=True)
class ResourceSpec:
    """How events about one kind of object are named, addressed and described."""

    resource_name: str
    uri: Callable[[Any], str]
    data: Callable[[Any, Any], dict[str, Any]]


#: Model label (``None`` for the test event) → how its events look.
RESOURCES: dict[str | None, ResourceSpec] = {
    "servicerequests.ServiceRequest": ResourceSpec(
        "servicerequest", lambda o: f"/v1/servicerequests/{o.pk}", service_request_data
    ),
    "gdap.Relationship": ResourceSpec(
        "delegatedAdminRelationship",
        lambda o: f"/graph/v1.0/tenantRelationships/delegatedAdminRelationships/{o.pk}",
        relationship_data,
    ),
    "servicerequests.ServiceRequestHandoff": ResourceSpec(
        "servicerequesthandoff", lambda o: f"/v1/servicerequests/handoffs/{o.pk}", handoff_data
    ),
    None: ResourceSpec("test", lambda o: "/v1/webhooks/registration", test_data),
}


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def envelope(
    *,
    event_name: str,
    spec: ResourceSpec,
    obj,
    audit_event,
    sequence_number: int,
    changed_at: datetime,
) -> dict[str, Any]:
    """The whole body of one event."""
    return {
        "eventName": event_name,
        "resourceUri": absolute(spec.uri(obj)),
        "resourceName": spec.resource_name,
        "auditUri": absolute(f"/v1/auditrecords/{audit_event.pk}") if audit_event is not None else None,
        "resourceChangeUtcDate": _iso(changed_at),
        "sequenceNumber": sequence_number,
        "data": spec.data(obj, audit_event),
    }


def body_bytes(payload: dict[str, Any], *, limit: int) -> str:
    """The payload as compact JSON; when longer than ``limit`` bytes, ``data`` is replaced by
    ``{"truncated": true}`` (the receiver reads the resource at ``resourceUri``)."""
    body = json.dumps(payload, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False)
    if len(body.encode()) > limit:
        payload = {**payload, "data": {"truncated": True, "action": payload["data"].get("action", "")}}
        body = json.dumps(payload, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False)
    return body
