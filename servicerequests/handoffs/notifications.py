"""The e-mail to the provider's support managers about a new hand-off (task
``servicerequests.notify_handoff``), sent at most once per hand-off."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from partners.choices import PartnerCenterRole
from partners.models import User

from ..notifications import recipient_language
from .models import ServiceRequestHandoff

logger = logging.getLogger(__name__)

SUBJECT_TEMPLATE = "servicerequests/email/handoff_created_subject.txt"
BODY_TEMPLATE = "servicerequests/email/handoff_created_body.txt"


def handoff_recipients(handoff: ServiceRequestHandoff) -> list[User]:
    """The provider's active support managers with an e-mail address."""
    return list(
        User.objects.filter(
            partner_id=handoff.provider_id, is_active=True, roles__role=PartnerCenterRole.SUPPORT_MANAGER
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def handoff_url(handoff: ServiceRequestHandoff) -> str:
    try:
        path = reverse("servicerequests:handoff_detail", args=[handoff.pk])
    except NoReverseMatch:
        path = "/"
    return settings.SITE_URL.rstrip("/") + path


def handoff_notify(*, handoff_id) -> int:
    """E-mail the provider's support managers about a pending hand-off, once, each in their own
    language (``notifications.recipient_language``): the hand-off is
    claimed by stamping ``notified_at`` (a second run finds it stamped and sends nothing). If the
    e-mail backend fails, the stamp is removed and the error propagates (the task retries).
    Returns the number of e-mails sent."""
    claimed = ServiceRequestHandoff.objects.filter(pk=handoff_id, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    if not claimed:
        return 0
    handoff = ServiceRequestHandoff.objects.select_related(
        "reseller", "provider", "customer", "subscription"
    ).get(pk=handoff_id)
    sent = 0
    try:
        for user in handoff_recipients(handoff):
            context = {"handoff": handoff, "recipient": user, "handoff_url": handoff_url(handoff)}
            with translation.override(recipient_language(user)):
                subject = " ".join(render_to_string(SUBJECT_TEMPLATE, context).split())
                body = render_to_string(BODY_TEMPLATE, context)
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
            sent += 1
    except Exception:
        logger.warning("hand-off %s: notification not sent", handoff_id, exc_info=True)
        ServiceRequestHandoff.objects.filter(pk=handoff_id).update(notified_at=None)
        raise
    return sent
