"""Changes to a filed service request: notes, status, severity and assignment by the partner's users;
the SR-PRIORITY breach found by the SLA sweep; the portal engineer's updates synced back.

Every function is keyword-only, runs in one transaction, writes an audit event (and a webhook
event) for each change in that transaction, and leaves e-mail to ``transaction.on_commit``. The
acting request's id, correlation id and client address reach the audit trail through
``core.context``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_event_record
from partners.models import User
from webhooks.choices import EventName
from webhooks.services import webhook_event_emit

from ..choices import Severity, Status
from ..exceptions import StaleVersion
from ..models import Note, NotificationKind, ServiceRequest
from ..notifications import (
    STATUS_NOTIFICATION_KINDS,
    notification_queue,
    sla_breach_recipients,
    status_change_recipients,
)
from ..sla import SLA_TARGETS
from .common import (
    ASSIGN_ROLES,
    ASSIGNABLE_ROLES,
    SETTABLE_STATUSES,
    UNSET,
    add_error,
    audit_value,
    note_add,
    require_write_role,
    service_request_bump,
    service_request_refresh,
    validated_note_text,
)


def service_request_add_note(
    *,
    actor: User,
    service_request: ServiceRequest,
    text: str,
) -> Note:
    """Add a note by ``actor`` (admin agent, helpdesk agent or support manager of the filing partner).

    Raises ``PermissionDenied`` for anyone else (SR-VIEW) and
    ``ValidationError({"text": [...]})`` for an empty or too long text.
    Side effects: the note, a version bump and an audit event
    ``servicerequest.note_added``, in one transaction.
    """
    require_write_role(actor, service_request)
    text = validated_note_text(text)
    with transaction.atomic():
        locked = ServiceRequest.objects.select_for_update().get(pk=service_request.pk)
        note = note_add(locked, text=text, author=actor)
        service_request_bump(locked, now=note.created_at, fields=[])
        audit_event = audit_event_record(
            action="servicerequest.note_added",
            actor=actor,
            customer_id=locked.customer_id,
            obj=locked,
            after={"noteId": note.pk, "text": text},
        )
        webhook_event_emit(event_name=EventName.SERVICE_REQUEST_UPDATED, obj=locked, audit_event=audit_event)
    service_request_refresh(service_request, locked)
    return note


def service_request_update(
    *,
    actor: User,
    service_request: ServiceRequest,
    status: str | None = None,
    severity: str | None = None,
    assigned_to: User | None = UNSET,
    note_text: str | None = None,
    expected_version: int | None = None,
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
    assigning = assigned_to is not UNSET
    if assigning and actor.partner_id == service_request.partner_id and not actor.role_codes & ASSIGN_ROLES:
        # The specific answer for an attempt to assign (before the general write check).
        raise PermissionDenied(_("Only a support manager may assign a service request."))
    require_write_role(actor, service_request)
    errors: dict[str, list[str]] = {}
    if status is not None and status not in SETTABLE_STATUSES:
        add_error(
            errors,
            "status",
            _("must be one of %(values)s.") % {"values": ", ".join(sorted(SETTABLE_STATUSES))},
        )
    if severity is not None and severity not in Severity.values:
        add_error(
            errors, "severity", _("must be one of %(values)s.") % {"values": ", ".join(Severity.values)}
        )
    if assigning:
        if not actor.role_codes.intersection(ASSIGN_ROLES):
            raise PermissionDenied(_("Only a support manager may assign a service request."))
        if assigned_to is not None and (
            assigned_to.partner_id != service_request.partner_id
            or not assigned_to.is_active
            or not assigned_to.role_codes.intersection(ASSIGNABLE_ROLES)
        ):
            add_error(
                errors,
                "assigned_to",
                _(
                    "must be an active user of the same partner who is an admin agent, helpdesk agent "
                    "or support manager."
                ),
            )
    if note_text is not None:
        try:
            note_text = validated_note_text(note_text, field="note_text")
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
            service_request_refresh(service_request, locked)
            return service_request
        before = {field: audit_value(getattr(locked, field)) for field in changes}
        for field, value in changes.items():
            setattr(locked, field, value)
        after = {field: audit_value(value) for field, value in changes.items()}
        if note_text is not None:
            note = note_add(locked, text=note_text, author=actor)
            after["note"] = {"id": note.pk, "text": note_text}
        service_request_bump(locked, now=now, fields=list(changes))
        audit_event = audit_event_record(
            action="servicerequest.updated",
            actor=actor,
            customer_id=locked.customer_id,
            obj=locked,
            before=before,
            after=after,
        )
        webhook_event_emit(event_name=EventName.SERVICE_REQUEST_UPDATED, obj=locked, audit_event=audit_event)
    service_request_refresh(service_request, locked)
    return service_request


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
        service_request_bump(service_request, now=now, fields=["sla_breached"])
        audit_event = audit_event_record(
            action="servicerequest.sla_breached",
            partner_id=service_request.partner_id,
            customer_id=service_request.customer_id,
            obj=service_request,
            before={"slaBreached": False},
            after={
                "slaBreached": True,
                "slaDueAt": audit_value(service_request.sla_due_at),
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
        raise ValidationError(
            {"status": [_("must be one of %(values)s.") % {"values": ", ".join(sorted(SETTABLE_STATUSES))}]}
        )
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
        note = note_add(service_request, text=note_text, author=None, author_name=author_name)
        service_request_bump(service_request, now=now, fields=fields)
        audit_event = audit_event_record(
            action="servicerequest.portal_updated",
            partner_id=service_request.partner_id,
            customer_id=service_request.customer_id,
            obj=service_request,
            before=before,
            after={
                "status": status,
                "firstResponseAt": audit_value(service_request.first_response_at),
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
