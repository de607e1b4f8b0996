"""Writing audit events. Call inside the transaction of the change being recorded."""

from __future__ import annotations

from typing import Any

from .models import AuditEvent


def audit_event_record(
    *,
    action: str,
    actor=None,
    partner_id=None,
    customer_id=None,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    request_id: str = "",
    correlation_id: str = "",
    ip_address: str | None = None,
) -> AuditEvent:
    """Append one audit event. ``obj`` fills object type and id when given.

    Side effects: one INSERT. Never updates anything.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or str(obj.pk)
    if actor is not None and partner_id is None:
        partner_id = getattr(actor, "partner_id", None)
    return AuditEvent.objects.create(
        action=action,
        actor_id=getattr(actor, "pk", None),
        actor_name=getattr(actor, "username", "") if actor is not None else "",
        partner_id=partner_id,
        customer_id=customer_id,
        object_type=object_type,
        object_id=object_id,
        before=before or {},
        after=after or {},
        request_id=request_id,
        correlation_id=correlation_id,
        ip_address=ip_address,
    )
