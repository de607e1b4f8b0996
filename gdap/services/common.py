"""What every GDAP service shares: audit snapshots, the audit-and-webhook record of a change, version
checks, after-commit task sending and the field rules of relationships (GDAP-DURATION, GDAP-NAME,
GDAP-AUTO-EXTEND, GDAP-AUTO-EXTEND-NO-GA) and their roles. Internal to ``gdap.services``."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from audit.services import audit_event_record
from core.queueing import enqueue
from customers.models import Customer
from webhooks.choices import EventName
from webhooks.services import webhook_event_emit

from ..choices import AUTO_EXTEND_OFF, AUTO_EXTEND_ON, DISPLAY_NAME_MAX, MAX_DURATION, MIN_DURATION
from ..durations import format_iso_duration
from ..exceptions import GdapPreconditionFailed, GdapRuleViolation, GdapValidationError
from ..models import AccessAssignment, EntraRole, Relationship, RelationshipRequest
from ..roles import GLOBAL_ADMINISTRATOR


def invitation_path(relationship: Relationship) -> str:
    """GDAP-LOCK: the portal URL the customer's admin opens to approve (``/gdap/invitations/<id>/``)."""
    return reverse("gdap:invitation", args=[relationship.pk])


def relationship_snapshot(relationship: Relationship) -> dict:
    """The audited fields of a relationship, JSON-ready."""
    return {
        "status": relationship.status,
        "displayName": relationship.display_name,
        "duration": relationship.duration_iso or format_iso_duration(relationship.duration),
        "autoExtendDuration": format_iso_duration(relationship.auto_extend_duration),
        "endDateTime": relationship.end_at.isoformat() if relationship.end_at else None,
        "version": relationship.version,
    }


def assignment_snapshot(assignment: AccessAssignment, role_ids: Iterable[str] | None = None) -> dict:
    """The audited fields of an access assignment (``role_ids``: its roles, when not yet saved)."""
    if role_ids is None:
        role_ids = [str(r.pk) for r in assignment.roles.all()]
    return {
        "status": assignment.status,
        "securityGroupId": str(assignment.security_group_id),
        "roles": sorted(str(r) for r in role_ids),
        "version": assignment.version,
    }


def audit_partner_id(relationship: Relationship, actor, *, about_assignment: bool):
    """Whose audit trail an event about the relationship goes to: the acting partner's when it is one
    of the relationship's partners; otherwise (customer, system), and always for access assignments
    (they name security groups), the partner whose groups it grants. For any relationship but one an
    indirect provider created for a reseller (GDAP-INDIRECT-RESELLER) that is simply its partner."""
    acting = getattr(actor, "partner_id", None)
    if not about_assignment and acting in (relationship.partner_id, relationship.created_for_reseller_id):
        return acting
    return relationship.holder_id


def audit_change(
    action: str, *, actor, relationship: Relationship, obj=None, before=None, after=None
) -> None:
    """Record one audit event about the relationship (or ``obj``, one of its assignments) in the
    current transaction (``audit_partner_id`` says whose trail); a change of the relationship itself
    also emits the ``gdap.relationship.updated`` webhook event, to its partner and, for one created
    for a reseller, to the reseller too."""
    audit_event = audit_event_record(
        action=action,
        actor=actor,
        partner_id=audit_partner_id(relationship, actor, about_assignment=obj is not None),
        customer_id=relationship.customer_id,
        obj=obj if obj is not None else relationship,
        before=before,
        after=after,
    )
    if obj is None:
        for partner_id in filter(None, (relationship.partner_id, relationship.created_for_reseller_id)):
            webhook_event_emit(
                event_name=EventName.GDAP_RELATIONSHIP_UPDATED,
                obj=relationship,
                partner_id=partner_id,
                audit_event=audit_event,
            )


def touch(obj, now: datetime) -> None:
    """A new version of ``obj`` (relationship or assignment), modified ``now``."""
    obj.version += 1
    obj.last_modified_at = now


def check_version(obj, expected_version: int | None) -> None:
    """``GdapPreconditionFailed`` unless ``expected_version`` (from ``If-Match``) is None or current."""
    if expected_version is not None and int(expected_version) != obj.version:
        raise GdapPreconditionFailed(
            _("the resource has changed (version %(current)s, you sent %(sent)s); read it again and retry")
            % {"current": obj.version, "sent": expected_version}
        )


def enqueue_on_commit(task_name: str, *args) -> None:
    """Send the task named ``task_name`` with ``args`` after commit. A broker outage is logged, not
    raised: the lifecycle sweeper (beat) completes terminations, activations, deletions and
    operations whose message was lost."""
    transaction.on_commit(lambda: enqueue(task_name, *args), robust=True)


def record_request(relationship: Relationship, action: str, actor, status: str, now) -> RelationshipRequest:
    """The Graph ``requests`` row of an action asked for on the relationship."""
    return RelationshipRequest.objects.create(
        relationship=relationship,
        action=action,
        status=status,
        requested_by=actor,
        created_at=now,
        last_modified_at=now,
    )


def uuid_or_none(value) -> uuid.UUID | None:
    """``value`` as a UUID, or None when it is not one."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None


def partner_customer(customer_id, partner_ids) -> Customer:
    """The customer if it is linked to one of ``partner_ids``; else a field error on ``customer``."""
    customer = (
        Customer.objects.filter(pk=uuid_or_none(customer_id), partner_links__partner_id__in=partner_ids)
        .distinct()
        .first()
        if uuid_or_none(customer_id)
        else None
    )
    if customer is None:
        raise GdapValidationError(
            _("customer '%(customer)s' is not one of your customers") % {"customer": customer_id},
            field="customer",
        )
    return customer


def resolve_roles(role_ids: Iterable, *, field: str = "accessDetails") -> list[EntraRole]:
    """Entra roles by template id; unknown or malformed ids name the field."""
    wanted: list[uuid.UUID] = []
    for raw in role_ids:
        try:
            wanted.append(raw if isinstance(raw, uuid.UUID) else uuid.UUID(str(raw)))
        except ValueError:
            raise GdapValidationError(
                _("'%(id)s' is not a role template id (a GUID)") % {"id": raw}, field=field
            ) from None
    if not wanted:
        raise GdapValidationError(_("at least one Entra role is required"), field=field)
    roles = list(EntraRole.objects.filter(template_id__in=wanted))
    unknown = sorted({str(w) for w in wanted} - {str(r.template_id) for r in roles})
    if unknown:
        raise GdapValidationError(
            _("unknown Entra role template id(s): %(ids)s") % {"ids": ", ".join(unknown)}, field=field
        )
    return roles


def duration_text(duration) -> str:
    """The ISO 8601 text a duration was given as (``P2Y``), to echo back; "" when it came as days."""
    return getattr(duration, "iso", "") or ""


def validate_duration(duration) -> timedelta:
    """GDAP-DURATION: between P1D and P730D."""
    if not isinstance(duration, timedelta):
        raise GdapValidationError(_("duration must be an ISO 8601 duration such as P730D"), field="duration")
    if not MIN_DURATION <= duration <= MAX_DURATION:
        raise GdapRuleViolation(
            "GDAP-DURATION",
            _("duration must be between P1D and P730D, not %(duration)s")
            % {"duration": format_iso_duration(duration)},
            field="duration",
        )
    return duration


def validate_display_name(display_name, *, partner_id, exclude_id=None) -> str:
    """GDAP-NAME: non-empty, at most ``DISPLAY_NAME_MAX`` characters, unique for the partner."""
    name = (display_name or "").strip()
    if not name:
        raise GdapValidationError(_("a display name is required"), field="displayName")
    if len(name) > DISPLAY_NAME_MAX:
        raise GdapRuleViolation(
            "GDAP-NAME",
            _("the display name has %(length)s characters; at most %(max)s are allowed")
            % {"length": len(name), "max": DISPLAY_NAME_MAX},
            field="displayName",
        )
    clash = Relationship.objects.filter(partner_id=partner_id, display_name=name)
    if exclude_id is not None:
        clash = clash.exclude(pk=exclude_id)
    if clash.exists():
        raise GdapRuleViolation(
            "GDAP-NAME",
            _("you already have a relationship named '%(name)s'") % {"name": name},
            field="displayName",
        )
    return name


def validate_auto_extend(auto_extend_duration, roles: Iterable[EntraRole]) -> timedelta:
    """GDAP-AUTO-EXTEND (PT0S or P180D) and GDAP-AUTO-EXTEND-NO-GA (never with Global Administrator)."""
    if auto_extend_duration not in (AUTO_EXTEND_OFF, AUTO_EXTEND_ON):
        shown = (
            format_iso_duration(auto_extend_duration)
            if isinstance(auto_extend_duration, timedelta)
            else auto_extend_duration
        )
        raise GdapRuleViolation(
            "GDAP-AUTO-EXTEND",
            _("auto-extend must be PT0S (off) or P180D, not %(shown)s") % {"shown": shown},
            field="autoExtendDuration",
        )
    if auto_extend_duration == AUTO_EXTEND_ON and any(
        str(r.template_id) == GLOBAL_ADMINISTRATOR for r in roles
    ):
        raise GdapRuleViolation(
            "GDAP-AUTO-EXTEND-NO-GA",
            _("a relationship that includes Global Administrator can't auto-extend"),
            field="autoExtendDuration",
        )
    return auto_extend_duration


def save_relationship(relationship: Relationship, **kwargs) -> None:
    """Save, turning a concurrent writer's clash on the name into GDAP-NAME."""
    try:
        with transaction.atomic():
            relationship.save(**kwargs)
    except IntegrityError as exc:  # a concurrent writer took the name between check and save
        if "gdap_rel_unique_name" in str(exc) or "display_name" in str(exc):
            raise GdapRuleViolation(
                "GDAP-NAME",
                _("you already have a relationship named '%(name)s'") % {"name": relationship.display_name},
                field="displayName",
            ) from exc
        raise
