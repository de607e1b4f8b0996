"""Writes on service requests: filing, notes, updates, dispatch to the workload portal, SLA breaches.

Every function is keyword-only, runs in one transaction, writes an audit event
for each state change in that transaction, and leaves side effects (Celery
tasks, e-mail) to ``transaction.on_commit``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from audit.services import audit_event_record, audit_filing_denied
from core.prepared import PreparedValues
from customers.choices import Workload
from customers.models import Customer, Subscription
from partners.choices import PartnerCenterRole
from partners.models import SupportEntitlement, User
from portals.adapters import adapter_for
from webhooks.choices import EventName
from webhooks.services import webhook_event_emit

from .choices import DispatchStatus, IssueType, Severity, Status, SupportPlan
from .eligibility import EligibilityRequest, evaluate
from .exceptions import DispatchNotRetryable, EligibilityDenied, MarketplaceNotSupported, StaleVersion
from .models import Dispatch, Note, NotificationKind, ServiceRequest, SupportTopic
from .notifications import (
    STATUS_NOTIFICATION_KINDS,
    notification_queue,
    sla_breach_recipients,
    status_change_recipients,
)
from .sla import SLA_TARGETS, sla_due_at

logger = logging.getLogger(__name__)

#: Partner Center roles that may change a request (SR-VIEW: a sales agent only reads).
WRITE_ROLES = frozenset(
    {PartnerCenterRole.ADMIN_AGENT, PartnerCenterRole.HELPDESK_AGENT, PartnerCenterRole.SUPPORT_MANAGER}
)
#: Roles that may assign a request to someone.
ASSIGN_ROLES = frozenset({PartnerCenterRole.SUPPORT_MANAGER})
#: Roles a user must hold to be an assignee (they must be able to see it: SR-VIEW).
ASSIGNABLE_ROLES = WRITE_ROLES
#: Statuses a user may set (``none`` belongs to the time before dispatch).
SETTABLE_STATUSES = frozenset({Status.OPEN, Status.ATTENTION_NEEDED, Status.CLOSED})

TITLE_MAX = 200
TEXT_MAX = 10000
UNSET: Any = object()

#: The fields an audit event of filing records.
FILED_FIELDS = (
    "workload",
    "severity",
    "status",
    "title",
    "issue_type",
    "support_plan",
    "portal",
    "contact_email",
    "country_code",
)


def _require_write_role(actor: User, service_request: ServiceRequest) -> None:
    if actor.partner_id is None or actor.partner_id != service_request.partner_id:
        raise PermissionDenied("SR-VIEW: only users of the filing partner may act on this request.")
    if not actor.role_codes.intersection(WRITE_ROLES):
        raise PermissionDenied("SR-VIEW: your roles let you read this request, not change it.")


def _add_error(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


_TOPIC_FIELDS = ("id", "workload", "name", "description")
_TOPIC_QUERY = PreparedValues(
    lambda topic_id: SupportTopic.objects.filter(pk=topic_id).values(*_TOPIC_FIELDS),
    fields={"topic_id": SupportTopic._meta.pk},
)


def _support_topic(topic_id: int) -> SupportTopic | None:
    """The support topic with this id, or None (a query compiled once: filing runs it every time)."""
    if not 0 < topic_id < 2**31:  # the column's range: no topic outside it
        return None
    rows = _TOPIC_QUERY(topic_id=topic_id)
    if not rows:
        return None
    return SupportTopic.from_db("default", _TOPIC_FIELDS, [rows[0][f] for f in _TOPIC_FIELDS])


def _validate_filing(
    *,
    workload: str,
    title: str,
    description: str,
    severity: str,
    support_topic_id,
    contact_email: str,
    issue_type: str,
    support_plan: str,
) -> tuple[dict[str, list[str]], SupportTopic | None]:
    errors: dict[str, list[str]] = {}
    if workload not in Workload.values:
        _add_error(errors, "workload", f"must be one of {', '.join(Workload.values)}.")
    if not title:
        _add_error(errors, "title", "is required.")
    elif len(title) > TITLE_MAX:
        _add_error(errors, "title", f"must be at most {TITLE_MAX} characters (it has {len(title)}).")
    if not description:
        _add_error(errors, "description", "is required.")
    elif len(description) > TEXT_MAX:
        _add_error(errors, "description", f"must be at most {TEXT_MAX} characters.")
    if severity not in Severity.values:
        _add_error(errors, "severity", f"must be one of {', '.join(Severity.values)}.")
    if issue_type:
        if workload != Workload.AZURE:
            _add_error(errors, "issue_type", "is only for Azure requests.")
        elif issue_type not in IssueType.values:
            _add_error(errors, "issue_type", f"must be one of {', '.join(IssueType.values)}.")
    if support_plan and support_plan not in SupportPlan.values:
        _add_error(errors, "support_plan", f"must be one of {', '.join(SupportPlan.values)}.")
    if contact_email:
        try:
            validate_email(contact_email)
        except ValidationError:
            _add_error(errors, "contact_email", "is not a valid e-mail address.")
    topic = None
    if support_topic_id not in (None, ""):
        try:
            topic = _support_topic(int(support_topic_id))
        except (TypeError, ValueError, OverflowError):
            topic = None
        if topic is None:
            _add_error(errors, "support_topic_id", f"no support topic has id {support_topic_id}.")
        elif workload in Workload.values and topic.workload != workload:
            _add_error(
                errors,
                "support_topic_id",
                f"topic {topic.pk} ({topic.name}) is for {topic.workload}, not {workload}.",
            )
    return errors, topic


_DECIDED_CUSTOMER_FIELDS = ("id", "name", "cloud", "country", "default_domain")


def _decided_customer(decision) -> Customer:
    """The customer the eligibility decision read, as a model instance (its other fields deferred):
    the new request needs its id, name and country, not a second read of it."""
    facts = decision.customer
    return Customer.from_db(
        "default", _DECIDED_CUSTOMER_FIELDS, [getattr(facts, f) for f in _DECIDED_CUSTOMER_FIELDS]
    )


def _subscription_for(*, customer_id, subscription_id) -> Subscription | None:
    """The customer's subscription by its id or its Azure subscription id; None when absent."""
    if subscription_id in (None, "") or customer_id is None:
        return None
    qs = Subscription.objects.filter(customer_id=customer_id)
    for field in ("pk", "azure_subscription_id"):
        try:
            found = qs.filter(**{field: subscription_id}).first()
        except (ValidationError, ValueError):
            found = None
        if found is not None:
            return found
    return None


def service_request_file(
    *,
    actor: User,
    customer_id,
    workload: str,
    title: str,
    description: str,
    severity: str,
    customer: Customer | None = None,
    support_topic_id=None,
    contact_first_name: str = "",
    contact_last_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    subscription_id=None,
    issue_type: str = "",
    support_plan: str = "",
    support_entitlement_id: str = "",
    request_id: str = "",
    correlation_id: str = "",
    ip_address: str | None = None,
) -> ServiceRequest:
    """File a service request on behalf of a customer (or, with ``customer_id`` None, about the partner's own
    subscription) and hand it to its workload portal.

    ``customer``: the customer object, when the caller has already loaded ``customer_id``'s (it is
    used for the new request's relation and country). Otherwise the customer the eligibility
    decision read is used: either way the customer is not read again.

    Contract:
    - Bad fields raise ``ValidationError({field: [reason, ...]})`` before anything else.
    - The eligibility engine then decides (RULES.md). A customer the actor's
      partner cannot see raises ``eligibility.CustomerNotVisible`` (a 404).
      A marketplace product raises :class:`MarketplaceNotSupported`
      (SR-MARKETPLACE-ISV); any other failed rule :class:`EligibilityDenied`.
      Nothing is written in any of these cases.
    - Allowed: in one transaction, the request (status ``none``, the decision as
      its eligibility snapshot, the portal, the customer's country, the contact
      defaulting to the actor's name, e-mail and phone), an audit event
      ``servicerequest.filed`` and a pending ``Dispatch`` row (the outbox of what
      follows: the portal ticket and the filer's ``filed`` notification, recorded
      by ``dispatch_deliver``).

    Side effects after commit: the ``servicerequests.dispatch`` task is enqueued.
    If the broker is down the request stays filed and its dispatch pending; the
    dispatch sweeper sends it later.
    """
    title = (title or "").strip()
    description = (description or "").strip()
    contact_first_name = (contact_first_name or "").strip() or actor.first_name
    contact_last_name = (contact_last_name or "").strip() or actor.last_name
    contact_email = (contact_email or "").strip() or actor.email
    contact_phone = (contact_phone or "").strip() or actor.phone
    if workload == Workload.AZURE:
        issue_type = issue_type or IssueType.TECHNICAL
        support_plan = support_plan or SupportPlan.CLOUD_SOLUTION_PROVIDER
    if customer_id is None:
        support_plan = support_plan or SupportPlan.PARTNER_ENTITLEMENT

    errors, topic = _validate_filing(
        workload=workload,
        title=title,
        description=description,
        severity=severity,
        support_topic_id=support_topic_id,
        contact_email=contact_email,
        issue_type=issue_type,
        support_plan=support_plan,
    )
    if errors:
        raise ValidationError(errors)

    decision = evaluate(
        EligibilityRequest(
            user_id=actor.pk,
            customer_id=customer_id,
            workload=workload,
            subscription_id=subscription_id,
            issue_type=issue_type,
            contact_email=contact_email,
            contact_phone=contact_phone,
            severity=severity,
            support_plan=support_plan,
            support_entitlement_id=support_entitlement_id,
        )
    )
    if workload == Workload.MARKETPLACE or not decision.allowed:
        audit_filing_denied(
            actor=actor,
            customer_id=customer_id,
            workload=workload,
            decision=decision,
            request_id=request_id,
            correlation_id=correlation_id,
            ip_address=ip_address,
        )
    if workload == Workload.MARKETPLACE or MarketplaceNotSupported.rule_id in decision.failed_rule_ids:
        raise MarketplaceNotSupported(decision)
    if not decision.allowed:
        raise EligibilityDenied(decision)

    if customer_id is None:
        customer = None
    elif customer is None or str(customer.pk) != str(customer_id):
        customer = _decided_customer(decision)
    subscription = _subscription_for(customer_id=customer_id, subscription_id=subscription_id)
    if subscription_id not in (None, "") and subscription is None:
        raise ValidationError({"subscription_id": [f"no subscription {subscription_id} of this customer."]})
    entitlement = None
    if support_entitlement_id:
        entitlement = SupportEntitlement.objects.filter(
            partner_id=actor.partner_id, entitlement_id=support_entitlement_id
        ).first()
        if entitlement is None:
            raise ValidationError(
                {
                    "support_entitlement_id": [
                        f"the partner has no support entitlement {support_entitlement_id}."
                    ]
                }
            )

    now = timezone.now()
    # No savepoint inside a caller's transaction (the API's idempotent POST, which answers an error
    # by rolling its whole transaction back): a database error here fails that transaction too.
    with transaction.atomic(savepoint=False):
        service_request = ServiceRequest.objects.create(
            partner_id=actor.partner_id,
            customer=customer,
            workload=workload,
            subscription=subscription,
            issue_type=issue_type if workload == Workload.AZURE else "",
            title=title,
            description=description,
            severity=severity,
            status=Status.NONE,
            support_topic=topic,
            support_plan=support_plan,
            support_entitlement=entitlement,
            contact_first_name=contact_first_name,
            contact_last_name=contact_last_name,
            contact_email=contact_email,
            contact_phone=contact_phone,
            country_code=customer.country if customer else "",
            created_by=actor,
            portal=decision.portal.portal,
            eligibility=decision.as_dict(),
            created_at=now,
            updated_at=now,
        )
        dispatch = Dispatch.objects.create(
            request=service_request,
            portal=service_request.portal,
            created_at=now,
            updated_at=now,
            next_attempt_at=now,
        )
        audit_event = audit_event_record(
            action="servicerequest.filed",
            actor=actor,
            customer_id=customer_id,
            obj=service_request,
            after={field: getattr(service_request, field) for field in FILED_FIELDS},
            request_id=request_id,
            correlation_id=correlation_id,
            ip_address=ip_address,
        )
        webhook_event_emit(
            event_name=EventName.SERVICE_REQUEST_CREATED, obj=service_request, audit_event=audit_event
        )
        # One message per filing; the delivery records the filer's notification (``dispatch_deliver``).
        transaction.on_commit(lambda: _enqueue_dispatch(dispatch.pk), robust=True)
    return service_request


def _enqueue_dispatch(dispatch_id: int) -> None:
    from .tasks import dispatch_service_request, enqueue

    enqueue(dispatch_service_request, dispatch_id)


def service_request_add_note(
    *,
    actor: User,
    service_request: ServiceRequest,
    text: str,
    request_id: str = "",
    correlation_id: str = "",
    ip_address: str | None = None,
) -> Note:
    """Add a note by ``actor`` (admin agent, helpdesk agent or support manager of the filing partner).

    Raises ``PermissionDenied`` for anyone else (SR-VIEW) and
    ``ValidationError({"text": [...]})`` for an empty or too long text.
    Side effects: the note, a version bump and an audit event
    ``servicerequest.note_added``, in one transaction.
    """
    _require_write_role(actor, service_request)
    text = _validated_note_text(text)
    with transaction.atomic():
        locked = ServiceRequest.objects.select_for_update().get(pk=service_request.pk)
        note = _add_note(locked, text=text, author=actor)
        _bump(locked, now=note.created_at, fields=[])
        audit_event = audit_event_record(
            action="servicerequest.note_added",
            actor=actor,
            customer_id=locked.customer_id,
            obj=locked,
            after={"noteId": note.pk, "text": text},
            request_id=request_id,
            correlation_id=correlation_id,
            ip_address=ip_address,
        )
        webhook_event_emit(event_name=EventName.SERVICE_REQUEST_UPDATED, obj=locked, audit_event=audit_event)
    _refresh(service_request, locked)
    return note


def _validated_note_text(text: str, field: str = "text") -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: ["is required."]})
    if len(text) > TEXT_MAX:
        raise ValidationError({field: [f"must be at most {TEXT_MAX} characters."]})
    return text


def _add_note(
    service_request: ServiceRequest, *, text: str, author: User | None, author_name: str = ""
) -> Note:
    name = author_name or ((author.get_full_name() or author.username) if author else "")
    return Note.objects.create(
        request=service_request, text=text, created_by=author, created_by_name=name, created_at=timezone.now()
    )


def _bump(service_request: ServiceRequest, *, now: datetime, fields: list[str]) -> None:
    service_request.version += 1
    service_request.updated_at = now
    service_request.save(update_fields=[*fields, "version", "updated_at"])


def _refresh(stale: ServiceRequest, fresh: ServiceRequest) -> None:
    """Copy the fresh row's field values onto the caller's instance."""
    for field in ServiceRequest._meta.concrete_fields:
        setattr(stale, field.attname, getattr(fresh, field.attname))


def _audit_value(value):
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def service_request_update(
    *,
    actor: User,
    service_request: ServiceRequest,
    status: str | None = None,
    severity: str | None = None,
    assigned_to: User | None = UNSET,
    note_text: str | None = None,
    expected_version: int | None = None,
    request_id: str = "",
    correlation_id: str = "",
    ip_address: str | None = None,
) -> ServiceRequest:
    """Change status, severity, assignee and/or add a note, all or nothing.

    Contract:
    - ``PermissionDenied``: the actor is not an admin agent, helpdesk agent or
      support manager of the filing partner (SR-VIEW: a sales agent only reads),
      or sets ``assigned_to`` without being a support manager.
    - ``StaleVersion``: ``expected_version`` (If-Match) is not the current version.
    - ``ValidationError({field: [...]})``: unknown status or severity, ``none`` as
      a status, an assignee outside the partner or without a role that can act.
    - ``None`` for status/severity and an omitted ``assigned_to`` mean "no change";
      ``assigned_to=None`` unassigns.

    Side effects, in one transaction, only when something changes: the row, a
    version bump, an audit event ``servicerequest.updated`` with before/after of
    the changed fields (and the note). Closing sets ``closed_at``. A severity
    change on a running SLA clock moves ``sla_due_at`` by the difference of the
    SR-PRIORITY targets.
    """
    _require_write_role(actor, service_request)
    errors: dict[str, list[str]] = {}
    if status is not None and status not in SETTABLE_STATUSES:
        _add_error(errors, "status", f"must be one of {', '.join(sorted(SETTABLE_STATUSES))}.")
    if severity is not None and severity not in Severity.values:
        _add_error(errors, "severity", f"must be one of {', '.join(Severity.values)}.")
    if assigned_to is not UNSET:
        if not actor.role_codes.intersection(ASSIGN_ROLES):
            raise PermissionDenied("Only a support manager may assign a service request.")
        if assigned_to is not None and (
            assigned_to.partner_id != service_request.partner_id
            or not assigned_to.is_active
            or not assigned_to.role_codes.intersection(ASSIGNABLE_ROLES)
        ):
            _add_error(
                errors,
                "assigned_to",
                "must be an active user of the same partner who is an admin agent, helpdesk agent "
                "or support manager.",
            )
    if note_text is not None:
        try:
            note_text = _validated_note_text(note_text, field="note_text")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    with transaction.atomic():
        locked = ServiceRequest.objects.select_for_update().get(pk=service_request.pk)
        if expected_version is not None and int(expected_version) != locked.version:
            raise StaleVersion(expected=int(expected_version), current=locked.version)
        changes: dict[str, Any] = {}
        if status is not None and status != locked.status:
            changes["status"] = status
            if status == Status.CLOSED:
                changes["closed_at"] = now
        if severity is not None and severity != locked.severity:
            changes["severity"] = severity
            if locked.sla_due_at and not locked.sla_breached and locked.first_response_at is None:
                changes["sla_due_at"] = (
                    locked.sla_due_at - SLA_TARGETS[locked.severity] + SLA_TARGETS[severity]
                )
        if assigned_to is not UNSET and (assigned_to.pk if assigned_to else None) != locked.assigned_to_id:
            changes["assigned_to_id"] = assigned_to.pk if assigned_to else None
        if not changes and note_text is None:
            _refresh(service_request, locked)
            return service_request
        before = {field: _audit_value(getattr(locked, field)) for field in changes}
        for field, value in changes.items():
            setattr(locked, field, value)
        after = {field: _audit_value(value) for field, value in changes.items()}
        if note_text is not None:
            note = _add_note(locked, text=note_text, author=actor)
            after["note"] = {"id": note.pk, "text": note_text}
        _bump(locked, now=now, fields=list(changes))
        audit_event = audit_event_record(
            action="servicerequest.updated",
            actor=actor,
            customer_id=locked.customer_id,
            obj=locked,
            before=before,
            after=after,
            request_id=request_id,
            correlation_id=correlation_id,
            ip_address=ip_address,
        )
        webhook_event_emit(event_name=EventName.SERVICE_REQUEST_UPDATED, obj=locked, audit_event=audit_event)
    _refresh(service_request, locked)
    return service_request


# Dispatch to the workload portal -----------------------------------------------------------------


def dispatch_deliver(*, dispatch_id: int) -> Dispatch:
    """Hand the request of a dispatch to its workload portal; idempotent.

    Locks the dispatch row, so concurrent runs for the same dispatch serialize;
    a delivered dispatch is returned unchanged. In one transaction: the portal
    ticket (one per request, see ``portals.adapters``), the request's
    ``external_ticket_id``, ``portal``, status ``open`` (when still ``none``),
    SLA clock (``sla_due_at`` = now + SR-PRIORITY target), version bump, an
    audit event ``servicerequest.dispatched``, the filer's ``filed``
    notification (with the portal's ticket number; once per request), and the
    dispatch marked ``delivered`` with one more attempt. Any error from the
    portal rolls all of it back and propagates (the task records it with
    ``dispatch_record_failure``). Raises ``Dispatch.DoesNotExist`` for an unknown id.
    """
    with transaction.atomic():
        dispatch = Dispatch.objects.select_for_update().get(pk=dispatch_id)
        if dispatch.status == DispatchStatus.DELIVERED:
            return dispatch
        service_request = (
            ServiceRequest.objects.select_for_update(of=("self",))
            .select_related("created_by")
            .get(pk=dispatch.request_id)
        )
        ticket_number = adapter_for(dispatch.portal).create_ticket(service_request)
        now = timezone.now()
        before = {
            "status": service_request.status,
            "externalTicketId": service_request.external_ticket_id,
            "slaDueAt": _audit_value(service_request.sla_due_at),
        }
        service_request.external_ticket_id = ticket_number
        service_request.portal = dispatch.portal
        if service_request.status == Status.NONE:
            service_request.status = Status.OPEN
        if service_request.sla_due_at is None:
            service_request.sla_due_at = sla_due_at(severity=service_request.severity, started_at=now)
        _bump(service_request, now=now, fields=["external_ticket_id", "portal", "status", "sla_due_at"])
        dispatch.status = DispatchStatus.DELIVERED
        dispatch.attempts += 1
        dispatch.delivered_at = now
        dispatch.updated_at = now
        dispatch.next_attempt_at = None
        dispatch.last_error = ""
        dispatch.save(
            update_fields=[
                "status",
                "attempts",
                "delivered_at",
                "updated_at",
                "next_attempt_at",
                "last_error",
            ]
        )
        audit_event = audit_event_record(
            action="servicerequest.dispatched",
            partner_id=service_request.partner_id,
            customer_id=service_request.customer_id,
            obj=service_request,
            before=before,
            after={
                "status": service_request.status,
                "externalTicketId": ticket_number,
                "portal": dispatch.portal,
                "slaDueAt": _audit_value(service_request.sla_due_at),
                "attempts": dispatch.attempts,
            },
        )
        webhook_event_emit(
            event_name=EventName.SERVICE_REQUEST_UPDATED, obj=service_request, audit_event=audit_event
        )
        if service_request.created_by is not None:
            notification_queue(
                kind=NotificationKind.FILED,
                service_request=service_request,
                recipients=[service_request.created_by],
                serialized=True,  # the dispatch row's lock: one delivery per request at a time
            )
    return dispatch


def dispatch_record_failure(
    *, dispatch_id: int, error: str, final: bool, retry_in: float | None = None
) -> Dispatch | None:
    """Record a failed delivery attempt: one more attempt and ``last_error``.

    ``final``: no retry is left, the dispatch becomes ``failed`` (audit event
    ``dispatch.failed``); otherwise it stays ``pending`` with ``next_attempt_at``
    = now + ``retry_in``. A dispatch delivered meanwhile is left alone. Returns
    None for an unknown id.
    """
    with transaction.atomic():
        dispatch = (
            Dispatch.objects.select_for_update(of=("self",))
            .select_related("request")
            .filter(pk=dispatch_id)
            .first()
        )
        if dispatch is None or dispatch.status == DispatchStatus.DELIVERED:
            return dispatch
        now = timezone.now()
        before_status = dispatch.status
        dispatch.attempts += 1
        dispatch.last_error = error[:2000]
        dispatch.updated_at = now
        if final:
            dispatch.status = DispatchStatus.FAILED
            dispatch.next_attempt_at = None
        else:
            dispatch.next_attempt_at = now + timedelta(seconds=retry_in or 0)
        dispatch.save(update_fields=["attempts", "last_error", "updated_at", "status", "next_attempt_at"])
        if final:
            audit_event_record(
                action="dispatch.failed",
                partner_id=dispatch.request.partner_id,
                customer_id=dispatch.request.customer_id,
                obj=dispatch,
                before={"status": before_status},
                after={
                    "status": dispatch.status,
                    "attempts": dispatch.attempts,
                    "lastError": dispatch.last_error,
                },
            )
    return dispatch


def dispatch_retry(
    *, actor: User, dispatch: Dispatch, request_id: str = "", correlation_id: str = "", ip_address=None
) -> Dispatch:
    """Send a ``failed`` dispatch again: back to ``pending`` and enqueued after commit.

    Only an admin agent, helpdesk agent or support manager of the filing
    partner may (``PermissionDenied``); only a failed dispatch
    (:class:`DispatchNotRetryable`). Writes an audit event ``dispatch.retried``.
    The attempt counter keeps counting; the retry budget starts afresh.
    """
    with transaction.atomic():
        locked = (
            Dispatch.objects.select_for_update(of=("self",)).select_related("request").get(pk=dispatch.pk)
        )
        _require_write_role(actor, locked.request)
        if locked.status != DispatchStatus.FAILED:
            raise DispatchNotRetryable(locked.status)
        now = timezone.now()
        locked.status = DispatchStatus.PENDING
        locked.next_attempt_at = now
        locked.updated_at = now
        locked.save(update_fields=["status", "next_attempt_at", "updated_at"])
        audit_event_record(
            action="dispatch.retried",
            actor=actor,
            customer_id=locked.request.customer_id,
            obj=locked,
            before={"status": DispatchStatus.FAILED, "lastError": locked.last_error},
            after={"status": locked.status},
            request_id=request_id,
            correlation_id=correlation_id,
            ip_address=ip_address,
        )
        transaction.on_commit(lambda: _enqueue_dispatch(locked.pk), robust=True)
    for field in ("status", "next_attempt_at", "updated_at"):
        setattr(dispatch, field, getattr(locked, field))
    return dispatch


# SLA and portal-side changes ---------------------------------------------------------------------


def service_request_mark_sla_breached(*, service_request_id: str, now: datetime | None = None) -> bool:
    """Mark a request's SR-PRIORITY initial response target as missed, once.

    Re-checks under a row lock that the clock is running and past due
    (status open or attention needed, no first response, not yet breached);
    returns False and does nothing otherwise. Side effects, in one
    transaction: ``sla_breached`` True, a version bump, an audit event
    ``servicerequest.sla_breached``, and ``sla_breached`` notifications to the
    assignee and the partner's support managers, e-mailed after commit.
    """
    now = now or timezone.now()
    with transaction.atomic():
        service_request = (
            ServiceRequest.objects.select_for_update(of=("self",))
            .select_related("assigned_to")
            .filter(pk=service_request_id)
            .first()
        )
        if (
            service_request is None
            or service_request.sla_breached
            or service_request.status not in (Status.OPEN, Status.ATTENTION_NEEDED)
            or service_request.first_response_at is not None
            or service_request.sla_due_at is None
            or service_request.sla_due_at > now
        ):
            return False
        service_request.sla_breached = True
        _bump(service_request, now=now, fields=["sla_breached"])
        audit_event = audit_event_record(
            action="servicerequest.sla_breached",
            partner_id=service_request.partner_id,
            customer_id=service_request.customer_id,
            obj=service_request,
            before={"slaBreached": False},
            after={
                "slaBreached": True,
                "slaDueAt": _audit_value(service_request.sla_due_at),
                "severity": service_request.severity,
                "ruleId": "SR-PRIORITY",
            },
        )
        webhook_event_emit(
            event_name=EventName.SERVICE_REQUEST_UPDATED, obj=service_request, audit_event=audit_event
        )
        notification_queue(
            kind=NotificationKind.SLA_BREACHED,
            service_request=service_request,
            recipients=sla_breach_recipients(service_request),
        )
    return True


def service_request_apply_portal_update(
    *, service_request_id: str, status: str, note_text: str, author_name: str, now: datetime | None = None
) -> ServiceRequest:
    """Sync a change made in the workload portal (by its engineer) back to the request.

    In the caller's transaction (or its own): a note by ``author_name``, the new
    status (closing sets ``closed_at``), ``first_response_at`` when it is the
    first response, a version bump, an audit event
    ``servicerequest.portal_updated``, and for ``attention_needed``/``closed``
    a notification to the filer and the assignee, e-mailed after commit.
    """
    if status not in SETTABLE_STATUSES:
        raise ValidationError({"status": [f"must be one of {', '.join(sorted(SETTABLE_STATUSES))}."]})
    now = now or timezone.now()
    with transaction.atomic():
        service_request = (
            ServiceRequest.objects.select_for_update(of=("self",))
            .select_related("created_by", "assigned_to")
            .get(pk=service_request_id)
        )
        before = {"status": service_request.status}
        fields = ["status"]
        service_request.status = status
        if status == Status.CLOSED:
            service_request.closed_at = now
            fields.append("closed_at")
        if service_request.first_response_at is None:
            service_request.first_response_at = now
            fields.append("first_response_at")
            before["firstResponseAt"] = None
        note = _add_note(service_request, text=note_text, author=None, author_name=author_name)
        _bump(service_request, now=now, fields=fields)
        audit_event = audit_event_record(
            action="servicerequest.portal_updated",
            partner_id=service_request.partner_id,
            customer_id=service_request.customer_id,
            obj=service_request,
            before=before,
            after={
                "status": status,
                "firstResponseAt": _audit_value(service_request.first_response_at),
                "note": {"id": note.pk, "by": author_name, "text": note_text},
            },
        )
        webhook_event_emit(
            event_name=EventName.SERVICE_REQUEST_UPDATED, obj=service_request, audit_event=audit_event
        )
        kind = STATUS_NOTIFICATION_KINDS.get(status)
        if kind:
            notification_queue(
                kind=kind,
                service_request=service_request,
                recipients=status_change_recipients(service_request),
            )
    return service_request
