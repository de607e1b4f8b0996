"""Writes for webhooks: registrations, event emission (the outbox), delivery attempts, redelivery,
and the retention purge of finished deliveries.

Every function is keyword-only and transactional, writes an audit event for each state change in
the same transaction, and leaves the HTTP work to Celery after commit (``webhooks.tasks``). The one
function that talks to the network, ``webhook_delivery_attempt``, holds no transaction or row lock
while it waits for the receiver.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_event_record
from core.maintenance import PURGE_BATCH, PURGE_RUN_LIMIT, purge_in_batches
from core.queueing import enqueue
from partners.models import User

from . import signing
from .choices import DeliveryStatus, EventName
from .models import WebhookDelivery, WebhookEvent, WebhookRegistration, WebhookSequence
from .payloads import RESOURCES, body_bytes, envelope
from .selectors import WEBHOOK_ROLES
from .ssrf import WebhookUrlRefused, url_check

logger = logging.getLogger(__name__)

USER_AGENT = "PartnerCenterSimulator-Webhooks/1.0"
# The most of a response ever read (shown as the attempt's last error); the rest is never read.
RESPONSE_EXCERPT_BYTES = 512
# Hard time limit of the ``webhooks.deliver`` task (its soft limit is 15 s earlier). The lease of an
# attempt outlasts it, so the sweeper never re-sends a delivery whose attempt may still be running.
ATTEMPT_TASK_TIME_LIMIT = 60
LEASE_MARGIN_SECONDS = 30


class WebhookRegistrationExists(Exception):
    """The partner already has a registration (one per partner, as in Partner Center)."""


class WebhookRegistrationMissing(Exception):
    """The partner has no registration."""


class WebhookNotRedeliverable(Exception):
    """Only a delivered or failed delivery can be sent again."""


def _require_manager(actor: User) -> None:
    if actor.partner_id is None or not actor.role_codes.intersection(WEBHOOK_ROLES):
        raise PermissionDenied(_("Only the partner's admin agents and support managers manage webhooks."))


def _validated(url: str, events) -> tuple[str, list[str]]:
    errors: dict[str, list[str]] = {}
    url = (url or "").strip()
    try:
        url_check(url)
    except WebhookUrlRefused as exc:
        errors["url"] = [exc.reason]
    if not isinstance(events, list | tuple) or not events:
        errors["events"] = [_("name at least one of %(events)s.") % {"events": ", ".join(EventName.values)}]
        events = []
    else:
        unknown = [str(e) for e in events if e not in EventName.values]
        if unknown:
            errors["events"] = [
                _("%(unknown)s: not one of %(events)s.")
                % {"unknown": ", ".join(unknown), "events": ", ".join(EventName.values)}
            ]
    if errors:
        raise ValidationError(errors)
    return url, sorted(set(events))


def webhook_registration_create(*, actor: User, url: str, events) -> tuple[WebhookRegistration, str]:
    """Register the partner's webhook URL for ``events``; returns ``(registration, secret)``.

    The secret is returned here only (see ``webhooks.signing``). Raises ``PermissionDenied``
    (not an admin agent or support manager), ``ValidationError({"url"|"events": [...]})`` (not
    http/https, credentials, a private or unresolvable address unless
    ``WEBHOOKS_ALLOW_PRIVATE_ADDRESSES``; unknown events) and :class:`WebhookRegistrationExists`.
    Side effects: the row and an audit event ``webhook.registration_created``, in one transaction.
    """
    _require_manager(actor)
    url, events = _validated(url, events)
    salt = signing.secret_salt_new()
    secret = signing.secret_for(salt)
    try:
        with transaction.atomic():
            registration = WebhookRegistration.objects.create(
                partner_id=actor.partner_id,
                url=url,
                events=events,
                secret_salt=salt,
                secret_hint=secret[-4:],
                created_by=actor,
            )
            audit_event_record(
                action="webhook.registration_created",
                actor=actor,
                obj=registration,
                after={"url": url, "events": events},
            )
    except IntegrityError:
        raise WebhookRegistrationExists(
            _("The partner already has a webhook registration; delete it first.")
        ) from None
    return registration, secret


def webhook_registration_delete(*, actor: User) -> bool:
    """Delete the partner's registration; False when there is none.

    Side effects, in one transaction: pending deliveries to it become ``failed`` ("registration
    deleted"), the row is deleted (delivery history stays, without its registration), and an audit
    event ``webhook.registration_deleted`` keeps its last state.
    """
    _require_manager(actor)
    with transaction.atomic():
        registration = (
            WebhookRegistration.objects.select_for_update().filter(partner_id=actor.partner_id).first()
        )
        if registration is None:
            return False
        now = timezone.now()
        abandoned = WebhookDelivery.objects.filter(
            registration=registration, status=DeliveryStatus.PENDING
        ).update(
            status=DeliveryStatus.FAILED,
            last_error="registration deleted",
            next_attempt_at=None,
            updated_at=now,
        )
        audit_event_record(
            action="webhook.registration_deleted",
            actor=actor,
            obj=registration,
            before={"url": registration.url, "events": registration.events},
            after={"pendingDeliveriesFailed": abandoned},
        )
        registration.delete()
    return True


# Emission ----------------------------------------------------------------------------------------


def _next_sequence(*, partner_id, resource_name: str, resource_id: str) -> int:
    """Increment and return the object's sequence number. The UPDATE locks the counter row until
    the caller's transaction ends, so concurrent events about one object get increasing numbers in
    commit order."""
    key = {"partner_id": partner_id, "resource_name": resource_name, "resource_id": resource_id}
    if not WebhookSequence.objects.filter(**key).update(last_value=F("last_value") + 1):
        try:
            with transaction.atomic():
                WebhookSequence.objects.create(**key, last_value=1)
            return 1
        except IntegrityError:
            WebhookSequence.objects.filter(**key).update(last_value=F("last_value") + 1)
    return WebhookSequence.objects.filter(**key).values_list("last_value", flat=True).get()


def _enqueue_deliveries(delivery_pks: list[int]) -> None:
    for pk in delivery_pks:
        enqueue("webhooks.deliver", pk)


def webhook_deliveries_create(pairs: list[tuple[WebhookEvent, dict]], *, now) -> None:
    """One pending delivery per ``(event, registration)`` (a registration as ``{"id", "url"}``),
    in one INSERT, inside the caller's transaction; each is enqueued once that commits."""
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                partner_id=event.partner_id,
                registration_id=registration["id"],
                event=event,
                url=registration["url"],
                next_attempt_at=now,
                created_at=now,
                updated_at=now,
            )
            for event, registration in pairs
        ]
    )
    pks = [delivery.pk for delivery in deliveries]
    if None in pks:  # backends that don't return ids from a bulk INSERT
        events = {event.pk for event, _registration in pairs}
        pks = list(WebhookDelivery.objects.filter(event__in=events).values_list("pk", flat=True))
    transaction.on_commit(lambda: _enqueue_deliveries(pks), robust=True)


def webhook_event_emit(
    *, event_name: str, obj=None, partner_id=None, audit_event=None, force: bool = False
) -> WebhookEvent | None:
    """Queue one event about ``obj`` (a service request, a GDAP relationship; None for the test
    event) for the partner's registration, inside the caller's transaction.

    Returns None and writes nothing when the partner's registration does not subscribe to
    ``event_name`` (``force`` sends to the registration anyway: the test event). Otherwise writes the
    event (exact body, next per-object sequence number, ``auditUri`` from ``audit_event``) and one
    pending delivery. Side effect after commit: the delivery task is enqueued; if the caller's
    transaction rolls back, neither rows nor task exist.
    """
    spec = RESOURCES[obj._meta.label if obj is not None else None]
    partner_id = partner_id or obj.partner_id
    registrations = [
        r
        for r in WebhookRegistration.objects.filter(partner_id=partner_id)
        .order_by("id")
        .values("id", "url", "events")
        if force or event_name in (r["events"] or ())
    ]
    if not registrations:
        return None
    now = timezone.now()
    resource_id = str(obj.pk) if obj is not None else str(registrations[0]["id"])
    with transaction.atomic():
        sequence = _next_sequence(
            partner_id=partner_id, resource_name=spec.resource_name, resource_id=resource_id
        )
        payload = envelope(
            event_name=event_name,
            spec=spec,
            obj=obj,
            audit_event=audit_event,
            sequence_number=sequence,
            changed_at=audit_event.occurred_at if audit_event is not None else now,
        )
        event = WebhookEvent.objects.create(
            partner_id=partner_id,
            event_name=event_name,
            resource_name=spec.resource_name,
            resource_id=resource_id,
            sequence_number=sequence,
            body=body_bytes(payload, limit=settings.WEBHOOKS_MAX_PAYLOAD_BYTES),
            created_at=now,
        )
        webhook_deliveries_create([(event, registration) for registration in registrations], now=now)
    return event


def webhook_test_send(*, actor: User) -> WebhookEvent:
    """Send a ``test-created`` event to the partner's registration now (after commit).

    Raises ``PermissionDenied`` and :class:`WebhookRegistrationMissing`. Side effects: an audit
    event ``webhook.test_requested``, the event and its delivery, in one transaction.
    """
    _require_manager(actor)
    with transaction.atomic():
        registration = WebhookRegistration.objects.filter(partner_id=actor.partner_id).first()
        if registration is None:
            raise WebhookRegistrationMissing(_("Register a webhook URL first."))
        audit_event = audit_event_record(
            action="webhook.test_requested",
            actor=actor,
            obj=registration,
            after={"url": registration.url, "eventName": EventName.TEST_CREATED},
        )
        return webhook_event_emit(
            event_name=EventName.TEST_CREATED,
            partner_id=actor.partner_id,
            audit_event=audit_event,
            force=True,
        )


def webhook_delivery_redeliver(*, actor: User, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivered or failed delivery's event again, as a new delivery (new ``X-Delivery-Id``,
    same body and sequence number) to the registration's current URL.

    Raises ``PermissionDenied``, :class:`WebhookRegistrationMissing` (registration deleted) and
    :class:`WebhookNotRedeliverable` (still pending). Side effects: the new delivery and an audit event
    ``webhook.redelivered``, in one transaction; the delivery task after commit.
    """
    _require_manager(actor)
    if delivery.partner_id != actor.partner_id:
        raise PermissionDenied(_("This delivery belongs to another partner."))
    with transaction.atomic():
        original = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        if original.status == DeliveryStatus.PENDING:
            raise WebhookNotRedeliverable(_("This delivery is still pending: wait for its outcome."))
        registration = WebhookRegistration.objects.filter(partner_id=actor.partner_id).first()
        if registration is None:
            raise WebhookRegistrationMissing(_("The registration was deleted; register a URL first."))
        now = timezone.now()
        new = WebhookDelivery.objects.create(
            partner_id=actor.partner_id,
            registration=registration,
            event_id=original.event_id,
            redelivery_of=original,
            url=registration.url,
            next_attempt_at=now,
            created_at=now,
            updated_at=now,
        )
        audit_event_record(
            action="webhook.redelivered",
            actor=actor,
            obj=new,
            before={"deliveryId": str(original.delivery_id), "status": original.status},
            after={"deliveryId": str(new.delivery_id), "status": new.status, "url": new.url},
        )
        transaction.on_commit(lambda: _enqueue_deliveries([new.pk]), robust=True)
    return new


# Delivery ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttemptOutcome:
    """What one attempt did: the delivery's status after it, and when to try again (None: don't)."""

    status: str
    retry_in: float | None = None


def retry_delay(attempts: int) -> float:
    """Exponential backoff: ``WEBHOOKS_RETRY_BACKOFF * 2**(attempts-1)``, at most
    ``WEBHOOKS_RETRY_BACKOFF_MAX`` seconds."""
    return min(
        settings.WEBHOOKS_RETRY_BACKOFF_MAX, settings.WEBHOOKS_RETRY_BACKOFF * (2 ** max(0, attempts - 1))
    )


def _lease_seconds() -> float:
    return max(ATTEMPT_TASK_TIME_LIMIT, settings.WEBHOOKS_ATTEMPT_DEADLINE) + LEASE_MARGIN_SECONDS


def _claim(delivery_pk: int):
    """Take a pending delivery for one attempt: ``locked_until`` past the attempt's longest duration,
    so a duplicate message or the sweeper leaves it alone meanwhile. Returns (delivery, secret, body)
    or None."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("event", "registration")
            .filter(pk=delivery_pk)
            .first()
        )
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return None
        now = timezone.now()
        if delivery.locked_until is not None and delivery.locked_until > now:
            return None  # another worker is attempting it right now
        delivery.last_attempt_at = now
        delivery.locked_until = now + timedelta(seconds=_lease_seconds())
        delivery.updated_at = now
        delivery.save(update_fields=["last_attempt_at", "locked_until", "updated_at"])
        registration = delivery.registration
        secret = signing.secret_for(registration.secret_salt) if registration is not None else None
        return delivery, secret, delivery.event.body.encode()


class AttemptDeadlineExceeded(httpx.TimeoutException):
    """The endpoint did not give a complete answer within ``WEBHOOKS_ATTEMPT_DEADLINE``."""


async def _post_async(target, *, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    timeout = httpx.Timeout(
        settings.WEBHOOKS_READ_TIMEOUT,
        connect=settings.WEBHOOKS_CONNECT_TIMEOUT,
        read=settings.WEBHOOKS_READ_TIMEOUT,
    )
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    async with (
        httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False) as client,
        client.stream(
            "POST",
            target.connect_url,
            content=body,
            headers={**headers, "Host": target.host_header},
            extensions=extensions,
        ) as response,
    ):
        excerpt = b""
        async for chunk in response.aiter_raw():
            excerpt += chunk
            if len(excerpt) >= RESPONSE_EXCERPT_BYTES:
                break
        if 300 <= response.status_code < 400:
            location = response.headers.get("Location", "")
            return response.status_code, f"redirect to {location[:200]!r} not followed"
        return response.status_code, excerpt[:RESPONSE_EXCERPT_BYTES].decode("utf-8", "replace")


def _post(*, url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    """POST ``body`` to the checked address of ``url`` (no redirects, no proxies) and read at most
    ``RESPONSE_EXCERPT_BYTES`` of the answer. Returns (status code, those bytes as text).

    The whole attempt — connect, send, status line and headers, the excerpt — must end within
    ``WEBHOOKS_ATTEMPT_DEADLINE`` seconds of wall-clock time, whatever the endpoint does (one byte
    every few seconds resets a read timeout, not this deadline). Raises ``WebhookUrlRefused`` and
    ``httpx.HTTPError`` (``AttemptDeadlineExceeded`` at the deadline).
    """
    target = url_check(url)
    deadline = settings.WEBHOOKS_ATTEMPT_DEADLINE
    try:
        return asyncio.run(asyncio.wait_for(_post_async(target, body=body, headers=headers), deadline))
    except TimeoutError:
        raise AttemptDeadlineExceeded(f"no complete answer within {deadline:g} s") from None


def _record(delivery_pk: int, *, status_code: int | None, error: str, final: bool = False) -> AttemptOutcome:
    """Record one attempt's result under the row lock (see ``webhook_delivery_attempt``)."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("event")
            .get(pk=delivery_pk)
        )
        if delivery.status != DeliveryStatus.PENDING:
            return AttemptOutcome(delivery.status)
        now = timezone.now()
        delivery.attempts += 1
        delivery.last_status_code = status_code
        delivery.last_error = error[:2000]
        delivery.updated_at = now
        delivery.locked_until = None
        retry_in = None
        if not error:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
        elif final or delivery.attempts >= settings.WEBHOOKS_MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
        else:
            retry_in = retry_delay(delivery.attempts)
            delivery.next_attempt_at = now + timedelta(seconds=retry_in)
        delivery.save(
            update_fields=[
                "attempts",
                "last_status_code",
                "last_error",
                "updated_at",
                "status",
                "delivered_at",
                "next_attempt_at",
                "locked_until",
            ]
        )
        if delivery.status != DeliveryStatus.PENDING:
            audit_event_record(
                action="webhook.delivered"
                if delivery.status == DeliveryStatus.DELIVERED
                else "webhook.delivery_failed",
                partner_id=delivery.partner_id,
                obj=delivery,
                before={"status": DeliveryStatus.PENDING},
                after={
                    "status": delivery.status,
                    "deliveryId": str(delivery.delivery_id),
                    "eventName": delivery.event.event_name,
                    "attempts": delivery.attempts,
                    "statusCode": status_code,
                    "lastError": delivery.last_error,
                },
            )
    return AttemptOutcome(delivery.status, retry_in)


def webhook_delivery_attempt(*, delivery_pk: int) -> AttemptOutcome | None:
    """Attempt one pending delivery once; idempotent for delivered and failed ones (None).

    Claims the delivery (a lease, committed), re-checks the URL against the SSRF rules (DNS
    rebinding), POSTs the stored body signed as Standard Webhooks (``webhook-id``,
    ``webhook-timestamp``, ``webhook-signature``) and with the deprecated ``X-Signature-SHA256``,
    plus ``X-Delivery-Id`` and ``X-Event-Name``, outside any transaction, then records the result: a
    2xx is ``delivered``; anything else (3xx included: redirects are not followed), a timeout, the
    attempt's deadline or a refused address is a failed attempt, retried after ``retry_delay`` until
    ``WEBHOOKS_MAX_ATTEMPTS``, then ``failed``. The final outcome writes an audit event
    (``webhook.delivered`` / ``webhook.delivery_failed``).
    """
    claimed = _claim(delivery_pk)
    if claimed is None:
        return None
    delivery, secret, body = claimed
    if secret is None:
        return _record(delivery_pk, status_code=None, error="registration deleted", final=True)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        **signing.standard_headers(
            secret, message_id=str(delivery.delivery_id), timestamp=timezone.now(), body=body
        ),
        signing.SIGNATURE_HEADER: signing.signature(secret, body),
        signing.DELIVERY_ID_HEADER: str(delivery.delivery_id),
        signing.EVENT_NAME_HEADER: delivery.event.event_name,
    }
    status_code: int | None = None
    try:
        status_code, excerpt = _post(url=delivery.url, body=body, headers=headers)
        error = "" if 200 <= status_code < 300 else f"HTTP {status_code}: {excerpt}"
    except WebhookUrlRefused as exc:
        error = f"refused: {exc.reason}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"
    if error:
        logger.warning("webhook delivery %s attempt failed: %s", delivery.delivery_id, error[:200])
    return _record(delivery_pk, status_code=status_code, error=error)


def webhook_delivery_record_interrupted(*, delivery_pk: int, reason: str) -> AttemptOutcome:
    """Count an attempt that its task's time limit interrupted as a failed attempt (retried, or
    ``failed`` at the attempt limit), so that no endpoint can keep a delivery pending forever."""
    return _record(delivery_pk, status_code=None, error=f"attempt interrupted: {reason}")


def webhook_deliveries_due(*, min_age_seconds: float, limit: int) -> list[int]:
    """Pending deliveries whose next attempt is overdue by ``min_age_seconds`` (lost messages)."""
    cutoff = timezone.now() - timedelta(seconds=min_age_seconds)
    return list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING)
        .filter(Q(next_attempt_at__lte=cutoff) | Q(next_attempt_at__isnull=True))
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=timezone.now()))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


# Retention ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WebhookPurge:
    """What one run of ``webhook_delivery_purge`` deleted."""

    deliveries: int = 0
    events: int = 0


def webhook_delivery_purge(
    *,
    now: datetime | None = None,
    retention_days: int | None = None,
    batch_size: int = PURGE_BATCH,
    limit: int | None = PURGE_RUN_LIMIT,
) -> WebhookPurge:
    """Delete the finished deliveries (``delivered`` or ``failed``) created more than
    ``retention_days`` days ago (default ``WEBHOOK_DELIVERY_RETENTION_DAYS``; 0 or less: nothing),
    then the events that old left without any delivery; returns how many of each.

    A pending delivery (retrying, or a redelivery under way) is never deleted, whatever its age, and
    neither is its event; a finished delivery never becomes pending again (a redelivery is a new
    row), so deleting by id after the SELECT is safe. A redelivery whose original is deleted keeps
    its own row and loses only its link (``redelivery_of`` is ``SET NULL``). In batches of
    ``batch_size``, each its own transaction (``core.maintenance.purge_in_batches``; Django deletes
    the deliveries of a batch 100 ids a statement, after clearing the links of their
    redeliveries), at most about ``limit`` rows of each a run (the next run goes on). Side effects:
    when anything was deleted, one audit event ``webhook.deliveries_purged`` for the run (no actor,
    no partner: the counts, the retention, the cut-off), after the deletes. The outcome of each
    delivery stays in the audit trail (``webhook.delivered``, ``webhook.delivery_failed``).
    """
    days = settings.WEBHOOK_DELIVERY_RETENTION_DAYS if retention_days is None else retention_days
    if days <= 0:
        return WebhookPurge()
    cutoff = (now or timezone.now()) - timedelta(days=days)
    finished = WebhookDelivery.objects.filter(
        status__in=[DeliveryStatus.DELIVERED, DeliveryStatus.FAILED], created_at__lt=cutoff
    )
    deliveries = purge_in_batches(finished, batch_size=batch_size, limit=limit)
    orphaned = WebhookEvent.objects.filter(created_at__lt=cutoff).filter(
        ~Exists(WebhookDelivery.objects.filter(event_id=OuterRef("pk")))
    )
    events = purge_in_batches(orphaned, batch_size=batch_size, limit=limit)
    if deliveries or events:
        audit_event_record(
            action="webhook.deliveries_purged",
            object_type=WebhookDelivery._meta.label,
            after={
                "deliveries": deliveries,
                "events": events,
                "retentionDays": days,
                "createdBefore": cutoff.isoformat(),
            },
        )
    return WebhookPurge(deliveries=deliveries, events=events)
