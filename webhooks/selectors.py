"""Reads about webhooks, scoped to the acting user's partner; only admin agents and support
managers see them (others get nothing, and the views answer 403)."""

from __future__ import annotations

from django.db.models import QuerySet

from partners.choices import PartnerCenterRole
from partners.models import User

from .models import WebhookDelivery, WebhookRegistration

#: Partner Center roles that see and manage the partner's webhooks.
WEBHOOK_ROLES = frozenset({PartnerCenterRole.ADMIN_AGENT, PartnerCenterRole.SUPPORT_MANAGER})


def webhooks_visible(*, actor: User) -> bool:
    """Whether the actor may see and manage the partner's webhooks."""
    return actor.partner_id is not None and bool(actor.role_codes.intersection(WEBHOOK_ROLES))


def webhook_registration_get(*, actor: User) -> WebhookRegistration | None:
    """The actor's partner's registration, or None (also for users who may not see it)."""
    if not webhooks_visible(actor=actor):
        return None
    return WebhookRegistration.objects.filter(partner_id=actor.partner_id).first()


def webhook_delivery_list(*, actor: User) -> QuerySet[WebhookDelivery]:
    """The partner's deliveries, newest first, with their events (index ``webhookdelivery_partner_idx``)."""
    if not webhooks_visible(actor=actor):
        return WebhookDelivery.objects.none()
    return (
        WebhookDelivery.objects.filter(partner_id=actor.partner_id)
        .select_related("event")
        .order_by("-created_at", "-id")
    )


def webhook_delivery_get(*, actor: User, delivery_id) -> WebhookDelivery:
    """One of the partner's deliveries by its ``delivery_id``; ``WebhookDelivery.DoesNotExist`` otherwise."""
    return webhook_delivery_list(actor=actor).get(delivery_id=delivery_id)
