"""Writing audit events. Call ``audit_event_record`` inside the transaction of the change being recorded.

Besides that writer, this module records the security events that are not state changes of a
domain object: sign-in success, failure and sign-out (Django's auth signals, connected in
``audit.apps``: the one place a signal is the right tool, since the auth views are Django's), a
denied eligibility check at filing time, and permission denials (403) in the API and the browser.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError, transaction

from core.context import RequestContext, request_context, request_context_of
from partners.models import User

from .models import AuditEvent

logger = logging.getLogger(__name__)

#: Actions that record a refusal rather than a change (``operationStatus: failed`` on ``/v1``).
REFUSAL_ACTIONS = frozenset(
    {
        "auth.sign_in_failed",
        "auth.permission_denied",
        "servicerequest.filing_denied",
    }
)


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
    context: RequestContext | None = None,
) -> AuditEvent:
    """Append one audit event and return it. ``obj`` fills object type and id when given; the
    actor's partner is the event's partner unless ``partner_id`` is given.

    The event's request id, correlation id and client address come from ``context``, by default
    ``core.context.request_context()`` (the request or task being handled), so services never pass
    them; a receiver handed a request explicitly (Django's auth signals) passes
    ``request_context_of(request)``.

    Side effects: one INSERT. Never updates anything.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or str(obj.pk)
    if actor is not None and partner_id is None:
        partner_id = getattr(actor, "partner_id", None)
    context = context or request_context()
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
        request_id=context.request_id,
        correlation_id=context.correlation_id,
        ip_address=context.client_ip,
    )


def audit_events_record(events: list[dict[str, Any]]) -> list[AuditEvent]:
    """Append several audit events in one INSERT and return them (with their ids on PostgreSQL).

    Each item takes the keyword arguments of :func:`audit_event_record` (``action``, ``actor``,
    ``partner_id``, ``customer_id``, ``obj``, ``before``, ``after``); the request context is the
    current one for all of them. For batch work (the dispatch relay) that records one event per
    object it changed. Side effects: one INSERT. Never updates anything.
    """
    context = request_context()
    rows = []
    for event in events:
        obj = event.get("obj")
        actor = event.get("actor")
        partner_id = event.get("partner_id")
        if actor is not None and partner_id is None:
            partner_id = getattr(actor, "partner_id", None)
        rows.append(
            AuditEvent(
                action=event["action"],
                actor_id=getattr(actor, "pk", None),
                actor_name=getattr(actor, "username", "") if actor is not None else "",
                partner_id=partner_id,
                customer_id=event.get("customer_id"),
                object_type=obj._meta.label if obj is not None else event.get("object_type", ""),
                object_id=str(obj.pk) if obj is not None else event.get("object_id", ""),
                before=event.get("before") or {},
                after=event.get("after") or {},
                request_id=context.request_id,
                correlation_id=context.correlation_id,
                ip_address=context.client_ip,
            )
        )
    return AuditEvent.objects.bulk_create(rows) if rows else []


def audit_filing_denied(*, actor, customer_id, workload: str, decision) -> AuditEvent:
    """Record a refused filing (``servicerequest.filing_denied``) with the failed rule ids.

    Written in its own transaction, before the caller raises its refusal, so the record survives
    the denial (a caller that wraps the filing in an outer transaction and rolls it back takes the
    record with it: the API's idempotency wrapper commits 4xx answers, the browser has no outer
    transaction). Object type is the service request model with an empty id: nothing was filed.
    """
    with transaction.atomic():
        return audit_event_record(
            action="servicerequest.filing_denied",
            actor=actor,
            customer_id=customer_id,
            object_type="servicerequests.ServiceRequest",
            after={
                "workload": workload,
                "failedRuleIds": list(decision.failed_rule_ids),
                "allowed": False,
            },
        )


def audit_permission_denied_received(sender, *, request, reason: str, surface: str, **kwargs) -> None:
    """Receiver of ``core.signals.permission_denied``: ``audit_permission_denied`` for that 403."""
    audit_permission_denied(request=request, reason=reason, surface=surface)


def audit_permission_denied(*, request, reason: str, surface: str) -> AuditEvent | None:
    """Record a 403 (``auth.permission_denied``): who, which method and path, and why.

    ``surface`` is ``"api"``, ``"graph"`` or ``"browser"``. Never raises: a failure to record (a broken
    transaction, a database outage) is logged and the 403 is answered anyway. Written in a savepoint
    so that a failed INSERT leaves the caller's transaction usable.
    """
    django_request = getattr(request, "_request", request)
    user = getattr(django_request, "user", None)
    actor = user if user is not None and getattr(user, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            return audit_event_record(
                action="auth.permission_denied",
                actor=actor,
                object_type="http.request",
                object_id=django_request.path[-80:],
                after={"method": django_request.method, "reason": str(reason)[:500], "surface": surface},
                context=request_context_of(django_request),
            )
    except DatabaseError:
        logger.exception("could not record a permission denial on %s", django_request.path)
        return None


def _partner_of_username(username: str):
    user = User.objects.filter(username=username).only("pk", "partner_id").first() if username else None
    return user


def audit_signed_in(sender, request=None, user=None, **kwargs) -> None:
    """``user_logged_in`` receiver: ``auth.signed_in`` with the client address."""
    audit_event_record(
        action="auth.signed_in",
        actor=user,
        object_type="partners.User",
        object_id=str(user.pk) if user is not None else "",
        context=request_context_of(request),
    )


def audit_sign_in_failed(sender, credentials=None, request=None, **kwargs) -> None:
    """``user_login_failed`` receiver: ``auth.sign_in_failed`` with the username tried (never the
    password: Django has already masked it) and the client address. When the username exists the
    event belongs to that user's partner, so the partner's admins see attempts on their accounts."""
    username = str((credentials or {}).get("username", ""))[:150]
    user = _partner_of_username(username)
    audit_event_record(
        action="auth.sign_in_failed",
        partner_id=getattr(user, "partner_id", None),
        object_type="partners.User",
        object_id=str(user.pk) if user is not None else "",
        after={"username": username},
        context=request_context_of(request),
    )


def audit_signed_out(sender, request=None, user=None, **kwargs) -> None:
    """``user_logged_out`` receiver: ``auth.signed_out``."""
    if user is None:
        return
    audit_event_record(
        action="auth.signed_out",
        actor=user,
        object_type="partners.User",
        object_id=str(user.pk),
        context=request_context_of(request),
    )
