"""Reads of hand-offs, scoped to the actor's partner: the reseller that sent one and the provider
that received it read it; no other partner does (nor a user without a role of SR-VIEW)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from partners.models import User

from ..selectors import VIEW_ROLES
from .models import HandoffStatus, ServiceRequestHandoff


def handoff_list(*, actor: User) -> QuerySet[ServiceRequestHandoff]:
    """The hand-offs the actor's partner sent or received."""
    if actor.partner_id is None or not actor.role_codes.intersection(VIEW_ROLES):
        return ServiceRequestHandoff.objects.none()
    return ServiceRequestHandoff.objects.filter(
        Q(reseller_id=actor.partner_id) | Q(provider_id=actor.partner_id)
    )


def handoffs_received(*, actor: User, pending_only: bool = True) -> QuerySet[ServiceRequestHandoff]:
    """The hand-offs sent to the actor's partner, answer due soonest first."""
    qs = handoff_list(actor=actor).filter(provider_id=actor.partner_id)
    if pending_only:
        qs = qs.filter(status=HandoffStatus.PENDING)
    return qs.order_by("due_at", "id")


def handoff_pending_count(*, actor: User) -> int:
    """How many hand-offs wait for the actor's partner (one indexed count)."""
    return handoffs_received(actor=actor).count()


def handoff_with_relations(queryset: QuerySet[ServiceRequestHandoff]) -> QuerySet[ServiceRequestHandoff]:
    return queryset.select_related(
        "reseller",
        "provider",
        "customer",
        "subscription",
        "created_by",
        "decided_by",
        "service_request",
        "service_request__portal_ticket",
    )
