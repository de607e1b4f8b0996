"""E-mail notifications about service requests, each sent at most once per (kind, request, recipient).

``notification_queue`` writes the rows inside the transaction of the change
it reports and, after commit, enqueues one ``servicerequests.send_notification``
task per new row. ``notification_send`` renders the kind's templates
(``servicerequests/email/<kind>_subject.txt`` and ``<kind>_body.txt``), sends
through Django's e-mail backend and records ``sent_at``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from core.queueing import enqueue
from partners.choices import PartnerCenterRole
from partners.models import User

from .models import Notification, NotificationKind, ServiceRequest

logger = logging.getLogger(__name__)

#: The task that e-mails one notification (``servicerequests.tasks.send_notification``).
SEND_TASK = "servicerequests.send_notification"

#: Templates per kind: (subject, body).
TEMPLATES: dict[str, tuple[str, str]] = {
    kind: (f"servicerequests/email/{kind}_subject.txt", f"servicerequests/email/{kind}_body.txt")
    for kind in NotificationKind.values
}

#: The notification sent when the portal moves a request to a status.
STATUS_NOTIFICATION_KINDS: dict[str, str] = {
    "attention_needed": NotificationKind.STATUS_ATTENTION_NEEDED,
    "closed": NotificationKind.STATUS_CLOSED,
}


def sla_breach_recipients(service_request: ServiceRequest) -> list[User]:
    """The assignee and the partner's active support managers (SR-PRIORITY breach notice)."""
    managers = list(
        User.objects.filter(
            partner_id=service_request.partner_id,
            is_active=True,
            roles__role=PartnerCenterRole.SUPPORT_MANAGER,
        ).order_by("pk")
    )
    assignee = [service_request.assigned_to] if service_request.assigned_to_id else []
    return assignee + managers


def status_change_recipients(service_request: ServiceRequest) -> list[User]:
    """The filer and the assignee."""
    return [u for u in (service_request.created_by, service_request.assigned_to) if u is not None]


#: The URL name of the request page (the browser app's); the site root when it is not routed.
REQUEST_URL_NAME = "servicerequests:detail"


def request_url(service_request: ServiceRequest) -> str:
    """Absolute link to the request's page, for e-mails."""
    try:
        path = reverse(REQUEST_URL_NAME, args=[service_request.pk])
    except NoReverseMatch:
        path = "/"
    return settings.SITE_URL.rstrip("/") + path


def notification_queue(
    *,
    kind: str,
    service_request: ServiceRequest,
    recipients: Iterable[User],
    serialized: bool = False,
) -> list[Notification]:
    """Record one notification per distinct recipient e-mail and send them after commit.

    Recipients without an e-mail address, and those already notified of this
    kind about this request, are skipped. Returns the new rows. Call inside
    the transaction of the change being reported. ``serialized``: the caller
    holds a lock that serializes every writer of this kind for this request
    (the delivery holds its dispatch row), so one query finds those already
    notified and one statement inserts the others; otherwise each recipient's
    row is written in its own savepoint, a concurrent writer's row winning.
    """
    wanted: dict[str, User] = {}
    for user in recipients:
        email = (user.email or "").strip().lower()
        if email and email not in wanted and user.is_active:
            wanted[email] = user
    created: list[Notification] = []
    if serialized and wanted:
        notified = Notification.objects.filter(
            kind=kind, request=service_request, recipient_email__in=list(wanted)
        ).values_list("recipient_email", flat=True)
        for email in notified:
            wanted.pop(email, None)
        new = [
            Notification(kind=kind, request=service_request, recipient_email=email, recipient=user)
            for email, user in wanted.items()
        ]
        created = Notification.objects.bulk_create(new) if new else []
    else:
        for email, user in wanted.items():
            try:
                with transaction.atomic():
                    notification, is_new = Notification.objects.get_or_create(
                        kind=kind,
                        request=service_request,
                        recipient_email=email,
                        defaults={"recipient": user},
                    )
            except IntegrityError:  # a concurrent writer recorded it first
                continue
            if is_new:
                created.append(notification)
    if created:
        ids = [n.pk for n in created]
        transaction.on_commit(lambda: _enqueue_sends(ids), robust=True)
    return created


def _enqueue_sends(notification_ids: list[int]) -> None:
    for notification_id in notification_ids:
        enqueue(SEND_TASK, notification_id)


def notification_send(*, notification_id: int) -> bool:
    """Send one notification unless it was already sent; returns whether an e-mail went out now.

    The row is locked while sending, so two concurrent runs send once. If the
    e-mail backend fails, the error is recorded, nothing is marked sent and
    the exception propagates (the task retries it).
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("request", "request__customer", "request__partner")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.sent_at is not None:
            return False
        subject_template, body_template = TEMPLATES[notification.kind]
        context = {
            "request": notification.request,
            "notification": notification,
            "request_url": request_url(notification.request),
        }
        subject = " ".join(render_to_string(subject_template, context).split())
        body = render_to_string(body_template, context)
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [notification.recipient_email])
        except Exception as exc:
            error = exc
        else:
            notification.attempts += 1
            notification.sent_at = timezone.now()
            notification.last_error = ""
            notification.save(update_fields=["attempts", "sent_at", "last_error"])
            return True
    logger.warning("notification %s not sent: %s", notification_id, error)
    Notification.objects.filter(pk=notification_id).update(
        attempts=F("attempts") + 1, last_error=f"{type(error).__name__}: {error}"[:2000]
    )
    raise error
