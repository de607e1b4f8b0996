"""Writes for GDAP: every relationship and access-assignment transition of RULES.md.

Each function is keyword-only, runs under ``transaction.atomic`` with the row locked, enforces the
GDAP-* rules through the tables of ``gdap.rules`` (raising ``GdapRuleViolation`` naming the rule,
``GdapPermissionDenied``, ``GdapValidationError`` or ``GdapPreconditionFailed``; nothing is written
then), bumps ``version`` and ``last_modified_at``, and appends an audit event in the same
transaction. E-mail and follow-up Celery tasks are enqueued with ``transaction.on_commit``.

System transitions (``actor`` is None) are the ones the lifecycle sweeper runs; each re-checks its
condition under the row lock, so running it twice changes nothing the second time.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from audit.services import audit_event_record
from customers.models import Customer
from partners.choices import PartnerType
from partners.models import Partner, SecurityGroup
from webhooks.choices import EventName
from webhooks.services import webhook_event_emit

from . import notifications, permissions
from .choices import (
    APPROVAL_REQUEST_LIFETIME,
    AUTO_EXTEND_OFF,
    AUTO_EXTEND_ON,
    DISPLAY_NAME_MAX,
    EXPIRY_NOTICE_DAYS,
    MAX_DURATION,
    MIN_DURATION,
    AssignmentStatus,
    OperationStatus,
    OperationType,
    RelationshipStatus,
    RequestAction,
    RequestStatus,
)
from .durations import format_iso_duration
from .exceptions import GdapPermissionDenied, GdapPreconditionFailed, GdapRuleViolation, GdapValidationError
from .models import (
    AccessAssignment,
    EntraRole,
    ExpiryNotice,
    Operation,
    Relationship,
    RelationshipRequest,
    RoleTemplate,
)
from .roles import GLOBAL_ADMINISTRATOR
from .rules import ASSIGNMENT_TRANSITIONS, RELATIONSHIP_TRANSITIONS

S = RelationshipStatus

# ---------------------------------------------------------------------------------------------
# helpers


def invitation_path(relationship: Relationship) -> str:
    """GDAP-LOCK: the portal URL the customer's admin opens to approve (``/gdap/invitations/<id>/``)."""
    return reverse("gdap:invitation", args=[relationship.pk])


def relationship_snapshot(relationship: Relationship) -> dict:
    """The audited fields of a relationship, JSON-ready."""
    return {
        "status": relationship.status,
        "displayName": relationship.display_name,
        "duration": format_iso_duration(relationship.duration),
        "autoExtendDuration": format_iso_duration(relationship.auto_extend_duration),
        "endDateTime": relationship.end_at.isoformat() if relationship.end_at else None,
        "version": relationship.version,
    }


def assignment_snapshot(assignment: AccessAssignment, role_ids: Iterable[str] | None = None) -> dict:
    if role_ids is None:
        role_ids = [str(r.pk) for r in assignment.roles.all()]
    return {
        "status": assignment.status,
        "securityGroupId": str(assignment.security_group_id),
        "roles": sorted(str(r) for r in role_ids),
        "version": assignment.version,
    }


def _audit(action: str, *, actor, relationship: Relationship, obj=None, before=None, after=None, **extra):
    audit_event = audit_event_record(
        action=action,
        actor=actor,
        partner_id=relationship.partner_id,
        customer_id=relationship.customer_id,
        obj=obj if obj is not None else relationship,
        before=before,
        after=after,
        **extra,
    )
    if obj is None:  # a change of the relationship itself (not of one of its assignments)
        webhook_event_emit(
            event_name=EventName.GDAP_RELATIONSHIP_UPDATED, obj=relationship, audit_event=audit_event
        )


def _touch(obj, now: datetime) -> None:
    obj.version += 1
    obj.last_modified_at = now


def _check_version(obj, expected_version: int | None) -> None:
    if expected_version is not None and int(expected_version) != obj.version:
        raise GdapPreconditionFailed(
            f"the resource has changed (version {obj.version}, you sent {expected_version}); "
            "read it again and retry"
        )


def _lock_relationship(relationship_id) -> Relationship:
    return Relationship.objects.select_for_update().get(pk=relationship_id)


def _check_transition(action: str, relationship: Relationship, actor) -> str | None:
    """Enforce the status and actor columns of ``RELATIONSHIP_TRANSITIONS``; return the target status."""
    from_statuses, to_status, rule_id, actor_kinds = RELATIONSHIP_TRANSITIONS[action]
    if actor is not None and not permissions.may(actor, relationship, actor_kinds):
        if action in ("approve", "reject") and relationship.created_for_reseller_id is not None:
            raise GdapPermissionDenied(
                "GDAP-INDIRECT-RESELLER",
                "this relationship was created by an indirect provider for its reseller; "
                "only that reseller's admin agents may approve or reject it",
            )
        raise GdapPermissionDenied(rule_id, _WHO_MAY[actor_kinds])
    if relationship.status not in from_statuses:
        allowed = ", ".join(sorted(from_statuses))
        raise GdapRuleViolation(
            rule_id,
            f"'{action}' is not possible while the relationship is '{relationship.status}' "
            f"(only in: {allowed})",
            field="status",
        )
    return to_status


_WHO_MAY = {
    ("partner_admin_agent",): "only an admin agent of the relationship's partner may do this",
    ("approver",): "only the customer's Global Administrator may approve or reject this relationship",
    ("partner_admin_agent", "customer_admin"): (
        "only an admin agent of the partner or an admin of the customer may terminate this relationship"
    ),
}


def _uuid_or_none(value) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None


def _partner_customer(customer_id, partner_ids) -> Customer:
    """The customer if it is linked to one of ``partner_ids``; else a field error on ``customer``."""
    customer = (
        Customer.objects.filter(pk=_uuid_or_none(customer_id), partner_links__partner_id__in=partner_ids)
        .distinct()
        .first()
        if _uuid_or_none(customer_id)
        else None
    )
    if customer is None:
        raise GdapValidationError(f"customer '{customer_id}' is not one of your customers", field="customer")
    return customer


def _resolve_roles(role_ids: Iterable, *, field: str = "accessDetails") -> list[EntraRole]:
    """Entra roles by template id; unknown or malformed ids name the field."""
    wanted: list[uuid.UUID] = []
    for raw in role_ids:
        try:
            wanted.append(raw if isinstance(raw, uuid.UUID) else uuid.UUID(str(raw)))
        except ValueError:
            raise GdapValidationError(f"'{raw}' is not a role template id (a GUID)", field=field) from None
    if not wanted:
        raise GdapValidationError("at least one Entra role is required", field=field)
    roles = list(EntraRole.objects.filter(template_id__in=wanted))
    unknown = sorted({str(w) for w in wanted} - {str(r.template_id) for r in roles})
    if unknown:
        raise GdapValidationError(f"unknown Entra role template id(s): {', '.join(unknown)}", field=field)
    return roles


def _validate_duration(duration) -> timedelta:
    if not isinstance(duration, timedelta):
        raise GdapValidationError("duration must be an ISO 8601 duration such as P730D", field="duration")
    if not MIN_DURATION <= duration <= MAX_DURATION:
        raise GdapRuleViolation(
            "GDAP-DURATION",
            f"duration must be between P1D and P730D, not {format_iso_duration(duration)}",
            field="duration",
        )
    return duration


def _validate_display_name(display_name, *, partner_id, exclude_id=None) -> str:
    name = (display_name or "").strip()
    if not name:
        raise GdapValidationError("a display name is required", field="displayName")
    if len(name) > DISPLAY_NAME_MAX:
        raise GdapRuleViolation(
            "GDAP-NAME",
            f"the display name has {len(name)} characters; at most {DISPLAY_NAME_MAX} are allowed",
            field="displayName",
        )
    clash = Relationship.objects.filter(partner_id=partner_id, display_name=name)
    if exclude_id is not None:
        clash = clash.exclude(pk=exclude_id)
    if clash.exists():
        raise GdapRuleViolation(
            "GDAP-NAME", f"you already have a relationship named '{name}'", field="displayName"
        )
    return name


def _validate_auto_extend(auto_extend_duration, roles: Iterable[EntraRole]) -> timedelta:
    if auto_extend_duration not in (AUTO_EXTEND_OFF, AUTO_EXTEND_ON):
        shown = (
            format_iso_duration(auto_extend_duration)
            if isinstance(auto_extend_duration, timedelta)
            else auto_extend_duration
        )
        raise GdapRuleViolation(
            "GDAP-AUTO-EXTEND",
            f"auto-extend must be PT0S (off) or P180D, not {shown}",
            field="autoExtendDuration",
        )
    if auto_extend_duration == AUTO_EXTEND_ON and any(
        str(r.template_id) == GLOBAL_ADMINISTRATOR for r in roles
    ):
        raise GdapRuleViolation(
            "GDAP-AUTO-EXTEND-NO-GA",
            "a relationship that includes Global Administrator can't auto-extend",
            field="autoExtendDuration",
        )
    return auto_extend_duration


def _save_relationship(relationship: Relationship, **kwargs) -> None:
    try:
        with transaction.atomic():
            relationship.save(**kwargs)
    except IntegrityError as exc:  # a concurrent writer took the name between check and save
        if "gdap_rel_unique_name" in str(exc) or "display_name" in str(exc):
            raise GdapRuleViolation(
                "GDAP-NAME",
                f"you already have a relationship named '{relationship.display_name}'",
                field="displayName",
            ) from exc
        raise


# ---------------------------------------------------------------------------------------------
# relationships: partner side


@transaction.atomic
def relationship_create(
    *,
    actor,
    customer_id,
    display_name: str,
    duration: timedelta,
    role_ids: Iterable,
    auto_extend_duration: timedelta = AUTO_EXTEND_OFF,
    created_for_reseller_id=None,
) -> Relationship:
    """Create a relationship in status ``created`` for the actor's partner.

    Contract: the actor is an admin agent of a partner; the customer is one of the partner's
    customers (or of ``created_for_reseller``'s, which must be one of the actor's indirect resellers,
    GDAP-INDIRECT-RESELLER); GDAP-DURATION, GDAP-NAME, GDAP-AUTO-EXTEND, GDAP-AUTO-EXTEND-NO-GA hold.
    Side effects: the relationship and its roles, one audit event.
    """
    if actor.partner_id is None or not permissions.is_admin_agent_of(actor, actor.partner_id):
        raise GdapPermissionDenied("GDAP-LOCK", "only a partner's admin agents may create GDAP relationships")
    partner_ids = [actor.partner_id]
    if created_for_reseller_id is not None:
        reseller = Partner.objects.filter(pk=created_for_reseller_id).first()
        if (
            actor.partner.type != PartnerType.INDIRECT_PROVIDER
            or reseller is None
            or reseller.indirect_provider_id != actor.partner_id
        ):
            raise GdapRuleViolation(
                "GDAP-INDIRECT-RESELLER",
                "only an indirect provider may create a relationship for one of its own indirect resellers",
                field="createdForReseller",
            )
        partner_ids.append(reseller.pk)
    customer = _partner_customer(customer_id, partner_ids)
    name = _validate_display_name(display_name, partner_id=actor.partner_id)
    _validate_duration(duration)
    roles = _resolve_roles(role_ids)
    _validate_auto_extend(auto_extend_duration, roles)
    now = timezone.now()
    relationship = Relationship(
        partner_id=actor.partner_id,
        customer=customer,
        display_name=name,
        duration=duration,
        auto_extend_duration=auto_extend_duration,
        created_for_reseller_id=created_for_reseller_id,
        created_at=now,
        last_modified_at=now,
    )
    _save_relationship(relationship, force_insert=True)
    relationship.roles.set(roles)
    after = relationship_snapshot(relationship) | {"roles": sorted(str(r.pk) for r in roles)}
    _audit("gdap.relationship.created", actor=actor, relationship=relationship, after=after)
    return relationship


_UNSET = object()


@transaction.atomic
def relationship_update(
    *,
    actor,
    relationship_id,
    expected_version: int | None = None,
    display_name=_UNSET,
    duration=_UNSET,
    role_ids=_UNSET,
    customer_id=_UNSET,
    auto_extend_duration=_UNSET,
) -> Relationship:
    """Change a relationship's fields (only those passed).

    Contract: GDAP-EDIT-CREATED-ONLY (everything only in ``created``; ``auto_extend_duration`` alone
    also in ``active``), plus the field rules of ``relationship_create``. ``expected_version`` (from
    ``If-Match``) must be current. Side effects: one audit event when something changed.
    """
    relationship = _lock_relationship(relationship_id)
    _check_version(relationship, expected_version)
    only_auto_extend = all(v is _UNSET for v in (display_name, duration, role_ids, customer_id))
    _check_transition("set_auto_extend" if only_auto_extend else "update", relationship, actor)
    before = relationship_snapshot(relationship)
    roles = list(relationship.roles.all())
    if display_name is not _UNSET:
        relationship.display_name = _validate_display_name(
            display_name, partner_id=relationship.partner_id, exclude_id=relationship.pk
        )
    if duration is not _UNSET:
        relationship.duration = _validate_duration(duration)
    if role_ids is not _UNSET:
        roles = _resolve_roles(role_ids)
    if customer_id is not _UNSET and str(customer_id) != str(relationship.customer_id):
        partner_ids = [p for p in (relationship.partner_id, relationship.created_for_reseller_id) if p]
        relationship.customer = _partner_customer(customer_id, partner_ids)
    if auto_extend_duration is not _UNSET:
        relationship.auto_extend_duration = auto_extend_duration
    _validate_auto_extend(relationship.auto_extend_duration, roles)
    _touch(relationship, timezone.now())
    _save_relationship(relationship)
    if role_ids is not _UNSET:
        relationship.roles.set(roles)
    after = relationship_snapshot(relationship) | {"roles": sorted(str(r.pk) for r in roles)}
    _audit("gdap.relationship.updated", actor=actor, relationship=relationship, before=before, after=after)
    return relationship


def relationship_set_auto_extend(
    *, actor, relationship_id, enabled: bool, expected_version=None
) -> Relationship:
    """Turn auto-extend on (P180D) or off (PT0S): GDAP-AUTO-EXTEND, GDAP-AUTO-EXTEND-NO-GA, allowed in
    ``created`` and ``active`` (GDAP-EDIT-CREATED-ONLY). No e-mail (Partner Center sends none)."""
    return relationship_update(
        actor=actor,
        relationship_id=relationship_id,
        expected_version=expected_version,
        auto_extend_duration=AUTO_EXTEND_ON if enabled else AUTO_EXTEND_OFF,
    )


@transaction.atomic
def relationship_delete(*, actor, relationship_id, expected_version: int | None = None) -> None:
    """Delete a relationship, only while ``created`` (GDAP-EDIT-CREATED-ONLY).

    Side effects: the row (and its roles) is removed; one audit event keeps its last state.
    """
    relationship = _lock_relationship(relationship_id)
    _check_version(relationship, expected_version)
    _check_transition("delete", relationship, actor)
    before = relationship_snapshot(relationship)
    _audit("gdap.relationship.deleted", actor=actor, relationship=relationship, before=before)
    relationship.delete()


def _record_request(relationship, action, actor, status, now) -> RelationshipRequest:
    return RelationshipRequest.objects.create(
        relationship=relationship,
        action=action,
        status=status,
        requested_by=actor,
        created_at=now,
        last_modified_at=now,
    )


def _status_change(relationship, to_status, now) -> dict:
    before = relationship_snapshot(relationship)
    relationship.status = to_status
    _touch(relationship, now)
    return before


@transaction.atomic
def relationship_lock_for_approval(
    *, actor, relationship_id, expected_version: int | None = None
) -> tuple[Relationship, RelationshipRequest]:
    """GDAP-LOCK: ``created`` → ``approvalPending`` by the partner's admin agent.

    Side effects: ``locked_at`` is set (GDAP-REQUEST-EXPIRY counts 90 days from it), a succeeded
    ``lockForApproval`` request row, one audit event. The invitation link is ``invitation_path()``.
    """
    relationship = _lock_relationship(relationship_id)
    _check_version(relationship, expected_version)
    to_status = _check_transition("lockForApproval", relationship, actor)
    now = timezone.now()
    before = _status_change(relationship, to_status, now)
    relationship.locked_at = now
    relationship.save()
    request = _record_request(
        relationship, RequestAction.LOCK_FOR_APPROVAL, actor, RequestStatus.SUCCEEDED, now
    )
    after = relationship_snapshot(relationship) | {"invitationLink": invitation_path(relationship)}
    _audit(
        "gdap.relationship.locked_for_approval",
        actor=actor,
        relationship=relationship,
        before=before,
        after=after,
    )
    return relationship, request


@transaction.atomic
def relationship_approve(
    *, actor, relationship_id, expected_version: int | None = None
) -> tuple[Relationship, RelationshipRequest]:
    """GDAP-APPROVE: the customer's admin (or, GDAP-INDIRECT-RESELLER, the reseller's admin agent)
    approves an ``approvalPending`` relationship, which then activates at once
    (``approved`` → ``activating`` → ``active``, ``end_at`` = activation + duration).

    Refused after 90 days (GDAP-REQUEST-EXPIRY). Side effects: a succeeded ``approve`` request row,
    audit events for approval and activation, an e-mail to the partner's admin agents and the
    customer's admins after commit.
    """
    relationship = _lock_relationship(relationship_id)
    _check_version(relationship, expected_version)
    to_status = _check_transition("approve", relationship, actor)
    now = timezone.now()
    if relationship.locked_at is not None and relationship.locked_at + APPROVAL_REQUEST_LIFETIME <= now:
        raise GdapRuleViolation(
            "GDAP-REQUEST-EXPIRY",
            "this request was not approved within 90 days and has expired; the partner must send a new one",
        )
    before = _status_change(relationship, to_status, now)
    relationship.save()
    request = _record_request(relationship, RequestAction.APPROVE, actor, RequestStatus.SUCCEEDED, now)
    _audit(
        "gdap.relationship.approved",
        actor=actor,
        relationship=relationship,
        before=before,
        after=relationship_snapshot(relationship),
    )
    _activate(relationship, now)
    notifications.notify_on_commit("approved", relationship.pk)
    return relationship, request


@transaction.atomic
def relationship_reject(
    *, actor, relationship_id, expected_version: int | None = None
) -> tuple[Relationship, RelationshipRequest]:
    """The approver rejects an ``approvalPending`` relationship; it ends as ``terminated`` without
    ever being active. Side effects: a succeeded ``reject`` request row, one audit event, an e-mail
    to the partner's admin agents after commit."""
    relationship = _lock_relationship(relationship_id)
    _check_version(relationship, expected_version)
    to_status = _check_transition("reject", relationship, actor)
    now = timezone.now()
    before = _status_change(relationship, to_status, now)
    relationship.save()
    request = _record_request(relationship, RequestAction.REJECT, actor, RequestStatus.SUCCEEDED, now)
    _audit(
        "gdap.relationship.rejected",
        actor=actor,
        relationship=relationship,
        before=before,
        after=relationship_snapshot(relationship),
    )
    notifications.notify_on_commit("rejected", relationship.pk)
    return relationship, request


@transaction.atomic
def relationship_terminate(
    *, actor, relationship_id, expected_version: int | None = None
) -> tuple[Relationship, RelationshipRequest]:
    """GDAP-TERMINATE: the partner's admin agent or the customer's admin asks to end an ``active``
    relationship: ``active`` → ``terminationRequested`` (no longer usable for eligibility at once).

    Side effects: a ``pending`` terminate request row, one audit event; after commit an e-mail to
    both sides and the task that completes ``terminating`` → ``terminated``.
    """
    relationship = _lock_relationship(relationship_id)
    _check_version(relationship, expected_version)
    to_status = _check_transition("terminate", relationship, actor)
    now = timezone.now()
    before = _status_change(relationship, to_status, now)
    relationship.save()
    request = _record_request(relationship, RequestAction.TERMINATE, actor, RequestStatus.PENDING, now)
    _audit(
        "gdap.relationship.termination_requested",
        actor=actor,
        relationship=relationship,
        before=before,
        after=relationship_snapshot(relationship),
    )
    notifications.notify_on_commit("termination_requested", relationship.pk)
    relationship_pk = relationship.pk

    _enqueue("complete_termination", relationship_pk)
    return relationship, request


# ---------------------------------------------------------------------------------------------
# relationships: system transitions (sweeper)


def _activate(relationship: Relationship, now: datetime) -> None:
    """``approved`` → ``activating`` → ``active`` on a locked row (two audit events)."""
    if relationship.status == S.APPROVED:
        before = _status_change(relationship, S.ACTIVATING, now)
        relationship.save()
        _audit(
            "gdap.relationship.activating",
            actor=None,
            relationship=relationship,
            before=before,
            after=relationship_snapshot(relationship),
        )
    before = _status_change(relationship, S.ACTIVE, now)
    relationship.activated_at = now
    relationship.end_at = now + relationship.duration
    relationship.save()
    _audit(
        "gdap.relationship.activated",
        actor=None,
        relationship=relationship,
        before=before,
        after=relationship_snapshot(relationship),
    )


def _system_lock(action: str, relationship_id) -> Relationship | None:
    """The locked row if the system transition still applies to its status, else None (idempotence)."""
    relationship = Relationship.objects.select_for_update().filter(pk=relationship_id).first()
    if relationship is None or relationship.status not in RELATIONSHIP_TRANSITIONS[action][0]:
        return None
    return relationship


@transaction.atomic
def relationship_activate(*, relationship_id, now: datetime | None = None) -> bool:
    """System: ``approved``/``activating`` → ``active`` (GDAP-APPROVE). Returns whether it changed."""
    relationship = _system_lock("activate", relationship_id)
    if relationship is None:
        return False
    _activate(relationship, now or timezone.now())
    return True


@transaction.atomic
def relationship_expire_request(*, relationship_id, now: datetime | None = None) -> bool:
    """System, GDAP-REQUEST-EXPIRY: an ``approvalPending`` relationship locked 90 days ago or more
    becomes ``expired`` (Graph has no separate status for an expired invitation). Side effects: the
    lock request is marked failed, one audit event, an e-mail to the partner's admin agents."""
    now = now or timezone.now()
    relationship = _system_lock("expire_request", relationship_id)
    if relationship is None or relationship.locked_at is None:
        return False
    if relationship.locked_at + APPROVAL_REQUEST_LIFETIME > now:
        return False
    before = _status_change(relationship, S.EXPIRED, now)
    relationship.save()
    relationship.requests.filter(action=RequestAction.LOCK_FOR_APPROVAL).update(
        status=RequestStatus.FAILED, last_modified_at=now
    )
    _audit(
        "gdap.relationship.request_expired",
        actor=None,
        relationship=relationship,
        before=before,
        after=relationship_snapshot(relationship),
    )
    notifications.notify_on_commit("request_expired", relationship.pk)
    return True


def _deprovision_assignments(relationship: Relationship, now: datetime) -> int:
    live = relationship.access_assignments.exclude(status=AssignmentStatus.DELETED)
    return live.update(status=AssignmentStatus.DELETED, last_modified_at=now)


@transaction.atomic
def relationship_reach_end_date(*, relationship_id, now: datetime | None = None) -> str | None:
    """System, at the end date of an ``active`` relationship: GDAP-AUTO-EXTEND rolls an auto-extending
    one forward by 180 days (as often as needed to pass ``now``); otherwise GDAP-EXPIRY takes it
    ``expiring`` → ``expired`` and its access assignments are deleted. Returns ``"extended"``,
    ``"expired"`` or None when nothing was due."""
    now = now or timezone.now()
    relationship = _system_lock("expire", relationship_id)
    if relationship is None or relationship.end_at is None or relationship.end_at > now:
        return None
    if relationship.status == S.ACTIVE and relationship.auto_extends:
        before = relationship_snapshot(relationship)
        while relationship.end_at <= now:
            relationship.end_at += AUTO_EXTEND_ON
        _touch(relationship, now)
        relationship.save()
        _audit(
            "gdap.relationship.auto_extended",
            actor=None,
            relationship=relationship,
            before=before,
            after=relationship_snapshot(relationship),
        )
        return "extended"
    if relationship.status == S.ACTIVE:
        before = _status_change(relationship, S.EXPIRING, now)
        relationship.save()
        _audit(
            "gdap.relationship.expiring",
            actor=None,
            relationship=relationship,
            before=before,
            after=relationship_snapshot(relationship),
        )
    before = _status_change(relationship, S.EXPIRED, now)
    relationship.save()
    removed = _deprovision_assignments(relationship, now)
    _audit(
        "gdap.relationship.expired",
        actor=None,
        relationship=relationship,
        before=before,
        after=relationship_snapshot(relationship) | {"assignmentsDeleted": removed},
    )
    notifications.notify_on_commit("expired", relationship.pk)
    return "expired"


@transaction.atomic
def relationship_complete_termination(*, relationship_id, now: datetime | None = None) -> bool:
    """System, GDAP-TERMINATE: ``terminationRequested`` → ``terminating`` → ``terminated``; access
    assignments are deleted, the terminate request succeeds, ``end_at`` becomes the termination
    time. Returns whether it changed."""
    now = now or timezone.now()
    relationship = _system_lock("complete_termination", relationship_id)
    if relationship is None:
        return False
    if relationship.status == S.TERMINATION_REQUESTED:
        before = _status_change(relationship, S.TERMINATING, now)
        relationship.save()
        _audit(
            "gdap.relationship.terminating",
            actor=None,
            relationship=relationship,
            before=before,
            after=relationship_snapshot(relationship),
        )
    before = _status_change(relationship, S.TERMINATED, now)
    if (
        relationship.end_at
        and relationship.activated_at
        and relationship.activated_at < now < relationship.end_at
    ):
        relationship.end_at = now
    relationship.save()
    removed = _deprovision_assignments(relationship, now)
    relationship.requests.filter(action=RequestAction.TERMINATE, status=RequestStatus.PENDING).update(
        status=RequestStatus.SUCCEEDED, last_modified_at=now
    )
    _audit(
        "gdap.relationship.terminated",
        actor=None,
        relationship=relationship,
        before=before,
        after=relationship_snapshot(relationship) | {"assignmentsDeleted": removed},
    )
    return True


def expiry_notice_due(*, end_at: datetime, now: datetime) -> int | None:
    """GDAP-EXPIRY-NOTICE: the notice threshold (30, 7 or 1 days) the relationship is inside now:
    the smallest threshold at least as large as the time left. None when none applies."""
    left = end_at - now
    if left <= timedelta(0):
        return None
    for days in sorted(EXPIRY_NOTICE_DAYS):
        if left <= timedelta(days=days):
            return days
    return None


@transaction.atomic
def expiry_notice_send(*, relationship_id, now: datetime | None = None) -> int | None:
    """System, GDAP-EXPIRY-NOTICE: record and e-mail (after commit) the due notice of an ``active``,
    non-extending relationship, once per threshold and end date. Returns the days of the notice sent,
    or None."""
    now = now or timezone.now()
    relationship = Relationship.objects.select_for_update().filter(pk=relationship_id).first()
    if (
        relationship is None
        or relationship.status != S.ACTIVE
        or relationship.auto_extends
        or relationship.end_at is None
    ):
        return None
    days = expiry_notice_due(end_at=relationship.end_at, now=now)
    if days is None:
        return None
    _, created = ExpiryNotice.objects.get_or_create(
        relationship=relationship, days_before=days, end_at=relationship.end_at, defaults={"sent_at": now}
    )
    if not created:
        return None
    _audit(
        "gdap.relationship.expiry_notice",
        actor=None,
        relationship=relationship,
        after={"daysBefore": days, "endDateTime": relationship.end_at.isoformat()},
    )
    notifications.notify_on_commit("expiry_notice", relationship.pk, days=days)
    return days


# ---------------------------------------------------------------------------------------------
# access assignments


def _check_assignment_action(
    action: str, relationship: Relationship, assignment: AccessAssignment | None, actor
):
    rel_statuses, assignment_statuses, to_status, rule_id = ASSIGNMENT_TRANSITIONS[action]
    if actor is not None and not permissions.is_partner_admin_agent(actor, relationship):
        raise GdapPermissionDenied(
            rule_id, "only an admin agent of the relationship's partner may manage access"
        )
    if relationship.status not in rel_statuses:
        raise GdapRuleViolation(
            rule_id,
            f"access assignments can't be changed while the relationship is '{relationship.status}' "
            "(it must be active)",
            field="status",
        )
    if assignment is not None and assignment.status not in assignment_statuses:
        raise GdapRuleViolation(
            rule_id,
            f"'{action}' is not possible while the access assignment is '{assignment.status}'",
            field="status",
        )
    return to_status


def _subset_roles(relationship: Relationship, role_ids) -> list[EntraRole]:
    roles = _resolve_roles(role_ids)
    granted = {r.pk for r in relationship.roles.all()}
    outside = sorted(r.name for r in roles if r.pk not in granted)
    if outside:
        raise GdapRuleViolation(
            "GDAP-ASSIGNMENT-SUBSET",
            f"the relationship does not grant: {', '.join(outside)}; an access assignment may only "
            "grant a subset of the relationship's roles",
            field="accessDetails",
        )
    return roles


def _enqueue(task_name: str, *args) -> None:
    """Send ``tasks.<task_name>(*args)`` after commit. A broker outage is logged, not raised: the
    lifecycle sweeper (beat) completes terminations, activations, deletions and operations whose
    message was lost."""

    def run():
        from core.queueing import enqueue

        from . import tasks

        enqueue(getattr(tasks, task_name), *args)

    transaction.on_commit(run, robust=True)


@transaction.atomic
def assignment_create(*, actor, relationship_id, security_group_id, role_ids) -> AccessAssignment:
    """GDAP-ASSIGNMENT-SUBSET: grant a subset of an ``active`` relationship's roles to one of the
    partner's security groups. Created ``pending``; after commit a task activates it (at once in
    eager mode; the sweeper catches any left behind). One live assignment per group.
    Side effects: the assignment and its roles, one audit event, the activation task."""
    relationship = _lock_relationship(relationship_id)
    _check_assignment_action("create", relationship, None, actor)
    group = SecurityGroup.objects.filter(
        pk=_uuid_or_none(security_group_id), partner_id=relationship.partner_id
    ).first()
    if group is None:
        raise GdapRuleViolation(
            "GDAP-ASSIGNMENT-SUBSET",
            f"'{security_group_id}' is not one of the partner's security groups",
            field="accessContainer",
        )
    roles = _subset_roles(relationship, role_ids)
    if (
        relationship.access_assignments.filter(security_group=group)
        .exclude(status=AssignmentStatus.DELETED)
        .exists()
    ):
        raise GdapValidationError(
            f"the security group '{group.name}' already has an access assignment in this relationship",
            field="accessContainer",
        )
    now = timezone.now()
    assignment = AccessAssignment.objects.create(
        relationship=relationship, security_group=group, created_at=now, last_modified_at=now
    )
    assignment.roles.set(roles)
    _audit(
        "gdap.assignment.created",
        actor=actor,
        relationship=relationship,
        obj=assignment,
        after=assignment_snapshot(assignment, [r.pk for r in roles]),
    )
    _enqueue("activate_assignment", str(assignment.pk))
    return assignment


def _lock_assignment(relationship_id, assignment_id) -> tuple[Relationship, AccessAssignment]:
    relationship = _lock_relationship(relationship_id)
    assignment = AccessAssignment.objects.select_for_update().get(pk=assignment_id, relationship=relationship)
    return relationship, assignment


@transaction.atomic
def assignment_update(
    *, actor, relationship_id, assignment_id, role_ids, expected_version: int | None = None
) -> tuple[AccessAssignment, Operation | None]:
    """Change the roles of an access assignment (still a subset, GDAP-ASSIGNMENT-SUBSET).

    Unchanged roles: nothing happens, returns ``(assignment, None)`` (Graph's 200). Otherwise a
    ``delegatedAdminAccessAssignmentUpdate`` operation is recorded ``notStarted`` and run after commit
    (Graph's 202 with its ``Location``). Side effects: the operation row, one audit event, the task.
    """
    relationship, assignment = _lock_assignment(relationship_id, assignment_id)
    _check_version(assignment, expected_version)
    _check_assignment_action("update", relationship, assignment, actor)
    roles = _subset_roles(relationship, role_ids)
    current = {r.pk for r in assignment.roles.all()}
    wanted = {r.pk for r in roles}
    if current == wanted:
        return assignment, None
    now = timezone.now()
    operation = Operation.objects.create(
        relationship=relationship,
        operation_type=OperationType.ACCESS_ASSIGNMENT_UPDATE,
        data=json.dumps({"accessAssignmentId": str(assignment.pk), "roles": sorted(str(p) for p in wanted)}),
        status=OperationStatus.NOT_STARTED,
        created_at=now,
        last_modified_at=now,
    )
    before = assignment_snapshot(assignment, current)
    _touch(assignment, now)
    assignment.save()
    _audit(
        "gdap.assignment.update_requested",
        actor=actor,
        relationship=relationship,
        obj=assignment,
        before=before,
        after=assignment_snapshot(assignment, wanted) | {"operationId": str(operation.pk)},
    )
    _enqueue("run_operation", str(operation.pk))
    return assignment, operation


@transaction.atomic
def operation_run(*, operation_id, now: datetime | None = None) -> bool:
    """System: apply a ``notStarted`` access-assignment update operation; it ``succeeded`` when the
    assignment and relationship are still live and the roles still a subset, else ``failed``.
    Returns whether it ran (False when already done: idempotent)."""
    now = now or timezone.now()
    operation = Operation.objects.select_for_update().filter(pk=operation_id).first()
    if operation is None or operation.status not in (OperationStatus.NOT_STARTED, OperationStatus.RUNNING):
        return False
    payload = json.loads(operation.data or "{}")
    relationship = _lock_relationship(operation.relationship_id)
    assignment = (
        AccessAssignment.objects.select_for_update()
        .filter(pk=payload.get("accessAssignmentId"), relationship=relationship)
        .first()
    )
    status = OperationStatus.FAILED
    if (
        assignment is not None
        and relationship.status == S.ACTIVE
        and assignment.status in (AssignmentStatus.PENDING, AssignmentStatus.ACTIVE)
    ):
        granted = {str(r.pk) for r in relationship.roles.all()}
        if set(payload.get("roles", [])) <= granted:
            before = assignment_snapshot(assignment)
            assignment.roles.set(EntraRole.objects.filter(template_id__in=payload["roles"]))
            _touch(assignment, now)
            assignment.save()
            status = OperationStatus.SUCCEEDED
            _audit(
                "gdap.assignment.updated",
                actor=None,
                relationship=relationship,
                obj=assignment,
                before=before,
                after=assignment_snapshot(assignment, payload["roles"]),
            )
    operation.status = status
    operation.last_modified_at = now
    operation.save()
    return True


@transaction.atomic
def assignment_delete(
    *, actor, relationship_id, assignment_id, expected_version: int | None = None
) -> AccessAssignment:
    """Remove an access assignment: ``pending``/``active``/``error`` → ``deleting`` (its roles stop
    counting at once); after commit a task completes ``deleting`` → ``deleted``.
    Side effects: one audit event, the task."""
    relationship, assignment = _lock_assignment(relationship_id, assignment_id)
    _check_version(assignment, expected_version)
    to_status = _check_assignment_action("delete", relationship, assignment, actor)
    now = timezone.now()
    before = assignment_snapshot(assignment)
    assignment.status = to_status
    _touch(assignment, now)
    assignment.save()
    _audit(
        "gdap.assignment.deleting",
        actor=actor,
        relationship=relationship,
        obj=assignment,
        before=before,
        after=assignment_snapshot(assignment),
    )
    _enqueue("complete_assignment_deletion", str(assignment.pk))
    return assignment


def _system_assignment_step(action: str, assignment_id, now: datetime | None) -> bool:
    rel_statuses, from_statuses, to_status, _ = ASSIGNMENT_TRANSITIONS[action]
    assignment = AccessAssignment.objects.select_for_update().filter(pk=assignment_id).first()
    if assignment is None or assignment.status not in from_statuses:
        return False
    relationship = Relationship.objects.get(pk=assignment.relationship_id)
    if relationship.status not in rel_statuses:
        return False
    now = now or timezone.now()
    before = assignment_snapshot(assignment)
    assignment.status = to_status
    _touch(assignment, now)
    assignment.save()
    _audit(
        f"gdap.assignment.{to_status}",
        actor=None,
        relationship=relationship,
        obj=assignment,
        before=before,
        after=assignment_snapshot(assignment),
    )
    return True


@transaction.atomic
def assignment_activate(*, assignment_id, now: datetime | None = None) -> bool:
    """System: ``pending`` → ``active`` while the relationship is active. Returns whether it changed."""
    return _system_assignment_step("activate", assignment_id, now)


@transaction.atomic
def assignment_complete_deletion(*, assignment_id, now: datetime | None = None) -> bool:
    """System: ``deleting`` → ``deleted``. Returns whether it changed."""
    return _system_assignment_step("complete_deletion", assignment_id, now)


# ---------------------------------------------------------------------------------------------
# role templates


@transaction.atomic
def role_template_create(*, actor, name: str, role_ids) -> RoleTemplate:
    """Save a named set of Entra roles for the actor's partner's role picker.

    Contract: actor is an admin agent; the name is non-empty, at most 80 characters and unique for
    the partner. Side effects: the template row and its roles, one audit event."""
    if actor.partner_id is None or not permissions.is_admin_agent_of(actor, actor.partner_id):
        raise GdapPermissionDenied("", "only a partner's admin agents may save role templates")
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise GdapValidationError("a template name of 1 to 80 characters is required", field="name")
    if RoleTemplate.objects.filter(partner_id=actor.partner_id, name=name).exists():
        raise GdapValidationError(f"you already have a template named '{name}'", field="name")
    roles = _resolve_roles(role_ids, field="roles")
    template = RoleTemplate.objects.create(partner_id=actor.partner_id, name=name)
    template.roles.set(roles)
    audit_event_record(
        action="gdap.role_template.created",
        actor=actor,
        obj=template,
        after={"name": name, "roles": sorted(str(r.pk) for r in roles)},
    )
    return template


# ---------------------------------------------------------------------------------------------
# the lifecycle sweep


def lifecycle_sweep(*, now: datetime | None = None, batch_size: int = 500) -> dict[str, int]:
    """Run every due system transition once (idempotent; each row in its own transaction):
    expire 90-day-old approval requests, activate approved relationships, roll forward or expire
    relationships past their end date, send due expiry notices, complete terminations, activate
    pending assignments, complete assignment deletions, run waiting operations.
    Returns the number of rows changed per step."""
    now = now or timezone.now()
    counts = dict.fromkeys(
        (
            "requests_expired",
            "activated",
            "extended",
            "expired",
            "notices",
            "terminated",
            "assignments_activated",
            "assignments_deleted",
            "operations_run",
        ),
        0,
    )

    def ids(qs):
        return list(qs.order_by().values_list("pk", flat=True)[:batch_size])

    for pk in ids(
        Relationship.objects.filter(status=S.APPROVAL_PENDING, locked_at__lte=now - APPROVAL_REQUEST_LIFETIME)
    ):
        counts["requests_expired"] += relationship_expire_request(relationship_id=pk, now=now)
    for pk in ids(Relationship.objects.filter(status__in=[S.APPROVED, S.ACTIVATING])):
        counts["activated"] += relationship_activate(relationship_id=pk, now=now)
    for pk in ids(Relationship.objects.filter(status__in=[S.ACTIVE, S.EXPIRING], end_at__lte=now)):
        outcome = relationship_reach_end_date(relationship_id=pk, now=now)
        if outcome:
            counts[outcome] += 1
    horizon = now + timedelta(days=max(EXPIRY_NOTICE_DAYS))
    for pk in ids(
        Relationship.objects.filter(
            status=S.ACTIVE, auto_extend_duration=AUTO_EXTEND_OFF, end_at__gt=now, end_at__lte=horizon
        )
    ):
        counts["notices"] += expiry_notice_send(relationship_id=pk, now=now) is not None
    for pk in ids(Relationship.objects.filter(status__in=[S.TERMINATION_REQUESTED, S.TERMINATING])):
        counts["terminated"] += relationship_complete_termination(relationship_id=pk, now=now)
    for pk in ids(
        AccessAssignment.objects.filter(status=AssignmentStatus.PENDING, relationship__status=S.ACTIVE)
    ):
        counts["assignments_activated"] += assignment_activate(assignment_id=pk, now=now)
    for pk in ids(AccessAssignment.objects.filter(status=AssignmentStatus.DELETING)):
        counts["assignments_deleted"] += assignment_complete_deletion(assignment_id=pk, now=now)
    for pk in ids(
        Operation.objects.filter(status__in=[OperationStatus.NOT_STARTED, OperationStatus.RUNNING])
    ):
        counts["operations_run"] += operation_run(operation_id=pk, now=now)
    return counts
