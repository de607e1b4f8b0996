"""E-mail notifications about service requests, each sent at most once per (kind, request, recipient).

``notification_queue`` writes the rows inside the transaction of the change
it reports and, after commit, enqueues one ``servicerequests.send_notification``
task per new row. ``notification_send`` renders the kind's templates
(``servicerequests/email/<kind>_subject.txt`` and ``<kind>_body.txt``) in the recipient's
language (``User.language``; English when blank), sends
through Django's e-mail backend and records ``sent_at``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection, send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from core.i18n import user_language
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


#: How long an attempt holds its notification (longer than the send task's hard time limit).
ATTEMPT_LEASE_SECONDS = 90


def _notification_claim(notification_id: int) -> Notification | None:
    """Count and stamp one attempt and take the row for it, in a committed transaction; None when
    it was sent already or another attempt holds it."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient", "request", "request__customer", "request__partner")
            .filter(pk=notification_id)
            .first()
        )
        now = timezone.now()
        if notification is None or notification.sent_at is not None:
            return None
        if notification.locked_until is not None and notification.locked_until > now:
            return None
        notification.attempts += 1
        notification.last_attempt_at = now
        notification.locked_until = now + timedelta(seconds=ATTEMPT_LEASE_SECONDS)
        notification.save(update_fields=["attempts", "last_attempt_at", "locked_until"])
    return notification


def recipient_language(user: User | None) -> str:
    """The language an e-mail to ``user`` is written in: their stored preference, else the site's."""
    return (user_language(user) if user is not None else None) or settings.LANGUAGE_CODE


def notification_render(notification: Notification) -> tuple[str, str]:
    """The (subject, body) of ``notification``'s e-mail, in its recipient's language (dates
    formatted for it too); English when the recipient is unknown or chose no language."""
    subject_template, body_template = TEMPLATES[notification.kind]
    context = {
        "request": notification.request,
        "notification": notification,
        "request_url": request_url(notification.request),
    }
    with translation.override(recipient_language(notification.recipient)):
        subject = " ".join(render_to_string(subject_template, context).split())
        body = render_to_string(body_template, context)
    return subject, body


def notification_send(*, notification_id: int) -> bool:
    """Send one notification unless it was already sent; returns whether an e-mail went out now.

    The attempt is recorded first (``attempts``, ``last_attempt_at``, a lease in ``locked_until``)
    and committed; then the e-mail is sent; then ``sent_at`` is recorded. So two concurrent runs
    send once (the second finds the lease), and an e-mail sent again because the database was lost
    before ``sent_at`` committed shows as a second attempt. If the e-mail backend fails, the error
    is recorded, nothing is marked sent, the lease is released and the exception propagates (the
    task retries it).
    """
    notification = _notification_claim(notification_id)
    if notification is None:
        return False
    subject, body = notification_render(notification)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [notification.recipient_email])
    except Exception as error:
        logger.warning("notification %s not sent: %s", notification_id, error)
        Notification.objects.filter(pk=notification_id).update(
            locked_until=None, last_error=f"{type(error).__name__}: {error}"[:2000]
        )
        raise
    _notification_record_sent(notification_id)
    return True


def _notification_record_sent(notification_id: int) -> None:
    Notification.objects.filter(pk=notification_id).update(
        sent_at=timezone.now(), locked_until=None, last_error=""
    )


def _notifications_claim_batch(notification_ids: list[int]) -> list[Notification]:
    """Count and stamp one attempt of each unsent, unleased notification of ``notification_ids`` and
    take them (one committed transaction); those sent already or held by another attempt are left."""
    now = timezone.now()
    with transaction.atomic():
        claimed = list(
            Notification.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related(
                "recipient", "request", "request__customer", "request__partner", "request__assigned_to"
            )
            .filter(pk__in=notification_ids, sent_at__isnull=True)
            .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
            .order_by("pk")
        )
        if claimed:
            Notification.objects.filter(pk__in=[n.pk for n in claimed]).update(
                attempts=F("attempts") + 1,
                last_attempt_at=now,
                locked_until=now + timedelta(seconds=ATTEMPT_LEASE_SECONDS),
            )
    for notification in claimed:
        notification.attempts += 1
        notification.last_attempt_at = now
    return claimed


def notifications_send_batch(notification_ids: list[int]) -> int:
    """Send several notifications with the guarantees of :func:`notification_send` (attempt recorded
    first, then the e-mails, then ``sent_at``), in three statements and one connection to the
    e-mail backend whatever their number. Returns how many e-mails went out.

    A notification the backend refuses keeps no ``sent_at``, records ``last_error``, loses its lease
    and is handed to the ``servicerequests.send_notification`` task, which retries it with backoff
    (the notification sweeper if the broker is down too).
    """
    claimed = _notifications_claim_batch(notification_ids)
    if not claimed:
        return 0
    sent: list[int] = []
    failed: dict[int, str] = {}
    with get_connection() as mail:
        for notification in claimed:
            subject, body = notification_render(notification)
            message = EmailMessage(
                subject,
                body,
                settings.DEFAULT_FROM_EMAIL,
                [notification.recipient_email],
                connection=mail,
            )
            try:
                message.send()
            except Exception as error:
                logger.warning("notification %s not sent: %s", notification.pk, error)
                failed[notification.pk] = f"{type(error).__name__}: {error}"[:2000]
            else:
                sent.append(notification.pk)
    if sent:
        Notification.objects.filter(pk__in=sent).update(
            sent_at=timezone.now(), locked_until=None, last_error=""
        )
    for notification_id, error in failed.items():
        Notification.objects.filter(pk=notification_id).update(locked_until=None, last_error=error)
        enqueue(SEND_TASK, notification_id)
    return len(sent)
