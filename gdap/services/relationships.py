"""Relationships, the partner's and the customer's side: create, edit, delete, lock for approval,
approve, reject, terminate (GDAP-LOCK, GDAP-APPROVE, GDAP-TERMINATE, GDAP-EDIT-CREATED-ONLY and the
field rules). Status changes go through ``transitions.transition``."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.choices import PartnerType
from partners.models import Partner

from .. import permissions
from ..choices import (
    APPROVAL_REQUEST_LIFETIME,
    AUTO_EXTEND_OFF,
    AUTO_EXTEND_ON,
    OperationStatus,
    OperationType,
    RelationshipStatus,
    RequestAction,
    RequestStatus,
)
from ..exceptions import GdapPermissionDenied, GdapRuleViolation
from ..models import Operation, Relationship, RelationshipRequest
from ..roles import GLOBAL_ADMINISTRATOR
from .common import (
    audit_change,
    check_version,
    duration_text,
    enqueue_on_commit,
    invitation_path,
    partner_customer,
    record_request,
    relationship_snapshot,
    resolve_roles,
    save_relationship,
    touch,
    validate_auto_extend,
    validate_display_name,
    validate_duration,
)
from .lifecycle import ACTIVATION_STEPS
from .transitions import Step, relationship_check, relationship_lock, transition

S = RelationshipStatus


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
        raise GdapPermissionDenied(
            "GDAP-LOCK", _("only a partner's admin agents may create GDAP relationships")
        )
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
                _(
                    "only an indirect provider may create a relationship for one of its own indirect "
                    "resellers"
                ),
                field="createdForReseller",
            )
        partner_ids.append(reseller.pk)
    customer = partner_customer(customer_id, partner_ids)
    name = validate_display_name(display_name, partner_id=actor.partner_id)
    validate_duration(duration)
    roles = resolve_roles(role_ids)
    validate_auto_extend(auto_extend_duration, roles)
    now = timezone.now()
    relationship = Relationship(
        partner_id=actor.partner_id,
        customer=customer,
        display_name=name,
        duration=duration,
        duration_iso=duration_text(duration),
        auto_extend_duration=auto_extend_duration,
        created_for_reseller_id=created_for_reseller_id,
        created_at=now,
        last_modified_at=now,
    )
    save_relationship(relationship, force_insert=True)
    relationship.roles.set(roles)
    after = relationship_snapshot(relationship) | {"roles": sorted(str(r.pk) for r in roles)}
    audit_change("gdap.relationship.created", actor=actor, relationship=relationship, after=after)
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
    relationship = relationship_lock(relationship_id)
    check_version(relationship, expected_version)
    only_auto_extend = all(v is _UNSET for v in (display_name, duration, role_ids, customer_id))
    relationship_check("set_auto_extend" if only_auto_extend else "update", relationship, actor)
    before = relationship_snapshot(relationship)
    roles = list(relationship.roles.all())
    if display_name is not _UNSET:
        relationship.display_name = validate_display_name(
            display_name, partner_id=relationship.partner_id, exclude_id=relationship.pk
        )
    if duration is not _UNSET:
        relationship.duration = validate_duration(duration)
        relationship.duration_iso = duration_text(duration)
    if role_ids is not _UNSET:
        roles = resolve_roles(role_ids)
    if customer_id is not _UNSET and str(customer_id) != str(relationship.customer_id):
        partner_ids = [p for p in (relationship.partner_id, relationship.created_for_reseller_id) if p]
        relationship.customer = partner_customer(customer_id, partner_ids)
    if auto_extend_duration is not _UNSET:
        relationship.auto_extend_duration = auto_extend_duration
    validate_auto_extend(relationship.auto_extend_duration, roles)
    touch(relationship, timezone.now())
    save_relationship(relationship)
    if role_ids is not _UNSET:
        relationship.roles.set(roles)
    after = relationship_snapshot(relationship) | {"roles": sorted(str(r.pk) for r in roles)}
    audit_change(
        "gdap.relationship.updated", actor=actor, relationship=relationship, before=before, after=after
    )
    return relationship


@transaction.atomic
def relationship_remove_roles(
    *, actor, relationship_id, role_ids, expected_version: int | None = None
) -> Operation | None:
    """Change the roles of an ``active`` relationship as Graph allows: only removing Global
    Administrator (a long-running ``delegatedAdminRelationshipUpdate`` operation, Graph's 202).

    Contract: the actor is an admin agent of the partner the relationship grants (the reseller's for
    a reseller relationship); ``role_ids`` is the current set without Global Administrator (the same
    set: nothing to do, returns None); anything else is GDAP-EDIT-CREATED-ONLY naming
    ``accessDetails``. Side effects: the operation row (``notStarted``), one audit event, and after
    commit the task that removes the role from the relationship and its access assignments.
    """
    relationship = relationship_lock(relationship_id)
    check_version(relationship, expected_version)
    relationship_check("remove_global_admin", relationship, actor)
    current = {str(r.pk) for r in relationship.roles.all()}
    wanted = {str(r.pk) for r in resolve_roles(role_ids)}
    if wanted == current:
        return None
    if wanted != current - {GLOBAL_ADMINISTRATOR} or GLOBAL_ADMINISTRATOR not in current:
        raise GdapRuleViolation(
            "GDAP-EDIT-CREATED-ONLY",
            _(
                "the roles of an active relationship can't be changed, except removing Global "
                "Administrator (send the current roles without it)"
            ),
            field="accessDetails",
        )
    now = timezone.now()
    operation = Operation.objects.create(
        relationship=relationship,
        operation_type=OperationType.RELATIONSHIP_UPDATE,
        data=json.dumps({"removedRoles": [GLOBAL_ADMINISTRATOR]}),
        status=OperationStatus.NOT_STARTED,
        created_at=now,
        last_modified_at=now,
    )
    audit_change(
        "gdap.relationship.role_removal_requested",
        actor=actor,
        relationship=relationship,
        before={"roles": sorted(current)},
        after={"roles": sorted(wanted), "operationId": str(operation.pk)},
    )
    enqueue_on_commit("gdap.run_operation", str(operation.pk))
    return operation


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
    relationship = relationship_lock(relationship_id)
    check_version(relationship, expected_version)
    relationship_check("delete", relationship, actor)
    before = relationship_snapshot(relationship)
    audit_change("gdap.relationship.deleted", actor=actor, relationship=relationship, before=before)
    relationship.delete()


def _lock_for_approval(relationship: Relationship, now) -> dict:
    relationship.locked_at = now
    return {"invitationLink": invitation_path(relationship)}


@transaction.atomic
def relationship_lock_for_approval(
    *, actor, relationship_id, expected_version: int | None = None
) -> tuple[Relationship, RelationshipRequest]:
    """GDAP-LOCK: ``created`` → ``approvalPending`` by the partner's admin agent.

    Side effects: ``locked_at`` is set (GDAP-REQUEST-EXPIRY counts 90 days from it), a
    ``lockForApproval`` request row (answered ``created`` as Graph does, stored ``succeeded``: the lock
    is applied at once), one audit event. The invitation link is ``invitation_path()``.
    """
    relationship = transition(
        action="lockForApproval",
        actor=actor,
        relationship_id=relationship_id,
        expected_version=expected_version,
        steps=[Step(S.APPROVAL_PENDING, "gdap.relationship.locked_for_approval", apply=_lock_for_approval)],
    )
    return _answered(relationship, RequestAction.LOCK_FOR_APPROVAL, actor)


def _approval_plan(relationship: Relationship, now) -> list[Step]:
    if relationship.locked_at is not None and relationship.locked_at + APPROVAL_REQUEST_LIFETIME <= now:
        raise GdapRuleViolation(
            "GDAP-REQUEST-EXPIRY",
            _(
                "this request was not approved within 90 days and has expired; the partner must "
                "send a new one"
            ),
        )
    return [Step(S.APPROVED, "gdap.relationship.approved", notify="approved"), *ACTIVATION_STEPS]


def _record_consent(relationship: Relationship, now) -> dict:
    relationship.partner_consent_at = now
    return {"isPartnerConsentPending": False}


def _reseller_approval_plan(relationship: Relationship, now) -> list[Step]:
    _approval_plan(relationship, now)  # the same 90 days (GDAP-REQUEST-EXPIRY)
    return [
        Step(None, "gdap.relationship.reseller_approved", apply=_record_consent, notify="reseller_approved")
    ]


def _answer_action(relationship_id, answer: str) -> str:
    """``approve``/``reject`` as the transition it is now: the reseller's consent while it is pending
    (GDAP-INDIRECT-RESELLER), else the customer's answer (GDAP-APPROVE)."""
    relationship = relationship_lock(relationship_id)
    return f"reseller_{answer}" if relationship.is_partner_consent_pending else answer


def _answered(
    relationship: Relationship, action: str, actor, outcome: str = RequestStatus.SUCCEEDED
) -> tuple[Relationship, RelationshipRequest]:
    """The request row of an action: created with status ``created`` (what Graph answers the POST
    with, and what is returned here); the action itself was applied at once, so the row then moves
    on to ``outcome`` (what a later GET shows)."""
    request = record_request(
        relationship, action, actor, RequestStatus.CREATED, relationship.last_modified_at
    )
    RelationshipRequest.objects.filter(pk=request.pk).update(status=outcome)
    return relationship, request


@transaction.atomic
def relationship_approve(
    *, actor, relationship_id, expected_version: int | None = None
) -> tuple[Relationship, RelationshipRequest]:
    """GDAP-APPROVE: the customer's admin approves an ``approvalPending`` relationship, which then
    activates at once (``approved`` → ``activating`` → ``active``, ``end_at`` = activation + duration).

    GDAP-INDIRECT-RESELLER: a relationship an indirect provider created for its reseller is first
    approved by the reseller's admin agent (``partner_consent_at`` is set, the status stays
    ``approvalPending``, ``isPartnerConsentPending`` turns false); only then may the customer approve.

    Refused after 90 days (GDAP-REQUEST-EXPIRY). Side effects: an ``approve`` request row (returned as
    Graph answers its creation, ``created``; stored ``succeeded``), audit events (and webhook events)
    for each step, e-mails after commit.
    """
    action = _answer_action(relationship_id, "approve")
    relationship = transition(
        action=action,
        actor=actor,
        relationship_id=relationship_id,
        expected_version=expected_version,
        steps=_reseller_approval_plan if action == "reseller_approve" else _approval_plan,
    )
    return _answered(relationship, RequestAction.APPROVE, actor)


@transaction.atomic
def relationship_reject(
    *, actor, relationship_id, expected_version: int | None = None
) -> tuple[Relationship, RelationshipRequest]:
    """The approver rejects an ``approvalPending`` relationship; it ends as ``terminated`` without
    ever being active. While a reseller's consent is pending (GDAP-INDIRECT-RESELLER) the approver
    is that reseller's admin agent, afterwards the customer's admin. Side effects: a ``reject``
    request row (answered ``created``, stored ``succeeded``), one audit event, an e-mail to the
    partners' admin agents after commit."""
    action = _answer_action(relationship_id, "reject")
    steps = [Step(S.TERMINATED, "gdap.relationship.rejected", notify="rejected")]
    if action == "reseller_reject":
        steps = [
            Step(
                S.TERMINATED, "gdap.relationship.reseller_rejected", apply=_record_consent, notify="rejected"
            )
        ]
    relationship = transition(
        action=action,
        actor=actor,
        relationship_id=relationship_id,
        expected_version=expected_version,
        steps=steps,
    )
    return _answered(relationship, RequestAction.REJECT, actor)


@transaction.atomic
def relationship_terminate(
    *, actor, relationship_id, expected_version: int | None = None
) -> tuple[Relationship, RelationshipRequest]:
    """GDAP-TERMINATE: the partner's admin agent (for a reseller's relationship, the reseller's:
    GDAP-INDIRECT-RESELLER) or the customer's admin asks to end an ``active``
    relationship: ``active`` → ``terminationRequested`` (no longer usable for eligibility at once).

    Side effects: a terminate request row (answered ``created``, stored ``pending`` until the
    termination completes, then ``succeeded``), one audit event; after commit an e-mail to
    both sides and the task that completes ``terminating`` → ``terminated``.
    """
    relationship = transition(
        action="terminate",
        actor=actor,
        relationship_id=relationship_id,
        expected_version=expected_version,
        steps=[
            Step(
                S.TERMINATION_REQUESTED,
                "gdap.relationship.termination_requested",
                notify="termination_requested",
                enqueue="gdap.complete_termination",
            )
        ],
    )
    return _answered(relationship, RequestAction.TERMINATE, actor, RequestStatus.PENDING)
