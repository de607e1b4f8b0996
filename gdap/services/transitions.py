"""The one way a GDAP status changes: ``transition()`` locks the row, checks the transition against
the tables of ``gdap.rules`` (and, for a person, who may ask), applies its steps, records each step
in the audit trail and, after commit, sends its e-mails and follow-up tasks.

Also the locks and checks on their own, for the services that change a row without changing its
status (edits, role changes). Internal to ``gdap.services``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import notifications, permissions
from ..exceptions import GdapPermissionDenied, GdapRuleViolation
from ..models import AccessAssignment, Relationship
from ..rules import ASSIGNMENT_TRANSITIONS, RELATIONSHIP_TRANSITIONS
from .common import (
    assignment_snapshot,
    audit_change,
    check_version,
    enqueue_on_commit,
    relationship_snapshot,
    touch,
)

_WHO_MAY = {
    ("partner_admin_agent",): gettext_lazy("only an admin agent of the relationship's partner may do this"),
    ("manager",): gettext_lazy(
        "only an admin agent of the partner that manages this relationship may do this"
    ),
    ("holder_admin_agent",): gettext_lazy(
        "only an admin agent of the partner whose groups this relationship grants may do this"
    ),
    ("approver",): gettext_lazy(
        "only the customer's Global Administrator may approve or reject this relationship"
    ),
    ("reseller_admin_agent",): gettext_lazy(
        "only the reseller's admin agents may approve or reject this relationship"
    ),
    ("holder_admin_agent", "customer_admin"): gettext_lazy(
        "only an admin agent of the partner or an admin of the customer may terminate this relationship"
    ),
}


def _refusal(
    action: str, relationship: Relationship, actor, rule_id: str, actor_kinds
) -> GdapPermissionDenied:
    """The refusal for an actor who may not ask; GDAP-INDIRECT-RESELLER names who may instead."""
    if relationship.created_for_reseller_id is not None:
        if action in ("reseller_approve", "reseller_reject"):
            return GdapPermissionDenied(
                "GDAP-INDIRECT-RESELLER",
                _(
                    "this relationship was created by an indirect provider for its reseller; that "
                    "reseller's admin agents approve or reject it first, then the customer's Global "
                    "Administrator"
                ),
            )
        if (
            permissions.is_partner_admin_agent(actor, relationship)
            and "partner_admin_agent" not in actor_kinds
        ):
            return GdapPermissionDenied(
                "GDAP-INDIRECT-RESELLER",
                _(
                    "you created this relationship for your indirect reseller: it is theirs to use and "
                    "manage, you can only view it"
                ),
            )
    return GdapPermissionDenied(rule_id, str(_WHO_MAY[actor_kinds]))


def relationship_lock(relationship_id) -> Relationship:
    """The relationship row, locked for this transaction (``Relationship.DoesNotExist`` if none)."""
    return Relationship.objects.select_for_update().get(pk=relationship_id)


def assignment_lock(relationship_id, assignment_id) -> tuple[Relationship, AccessAssignment]:
    """The relationship and one of its access assignments, both locked (relationship first)."""
    relationship = relationship_lock(relationship_id)
    assignment = AccessAssignment.objects.select_for_update().get(pk=assignment_id, relationship=relationship)
    return relationship, assignment


def relationship_check(action: str, relationship: Relationship, actor) -> str | None:
    """Enforce the status and actor columns of ``RELATIONSHIP_TRANSITIONS``; return the target status.

    Raises ``GdapPermissionDenied`` (the actor may not ask) or ``GdapRuleViolation`` (not from this
    status), naming the rule."""
    from_statuses, to_status, rule_id, actor_kinds = RELATIONSHIP_TRANSITIONS[action]
    if actor is not None and not permissions.may(actor, relationship, actor_kinds):
        raise _refusal(action, relationship, actor, rule_id, actor_kinds)
    if relationship.status not in from_statuses:
        allowed = ", ".join(sorted(from_statuses))
        raise GdapRuleViolation(
            rule_id,
            _("'%(action)s' is not possible while the relationship is '%(status)s' (only in: %(allowed)s)")
            % {"action": action, "status": relationship.status, "allowed": allowed},
            field="status",
        )
    return to_status


def assignment_check(action: str, relationship: Relationship, assignment: AccessAssignment | None, actor):
    """Enforce ``ASSIGNMENT_TRANSITIONS`` (only the admin agents of the partner whose groups the
    relationship grants, GDAP-INDIRECT-RESELLER; the relationship's and the assignment's status);
    return the assignment's target status."""
    rel_statuses, assignment_statuses, to_status, rule_id = ASSIGNMENT_TRANSITIONS[action]
    if actor is not None and not permissions.is_holder_admin_agent(actor, relationship):
        if permissions.is_partner_admin_agent(actor, relationship):
            raise GdapPermissionDenied(
                "GDAP-INDIRECT-RESELLER",
                _(
                    "you created this relationship for your indirect reseller: its roles go to the "
                    "reseller's security groups, assigned by the reseller's admin agents"
                ),
            )
        raise GdapPermissionDenied(
            rule_id, _("only an admin agent of the relationship's partner may manage access")
        )
    if relationship.status not in rel_statuses:
        raise GdapRuleViolation(
            rule_id,
            _(
                "access assignments can't be changed while the relationship is '%(status)s' "
                "(it must be active)"
            )
            % {"status": relationship.status},
            field="status",
        )
    if assignment is not None and assignment.status not in assignment_statuses:
        raise GdapRuleViolation(
            rule_id,
            _("'%(action)s' is not possible while the access assignment is '%(status)s'")
            % {"action": action, "status": assignment.status},
            field="status",
        )
    return to_status


@dataclass(frozen=True, slots=True)
class Step:
    """One status change of a transition.

    ``to_status``: the status it leads to (None: unchanged, e.g. an auto-extension). A step whose
    target is already the row's status is skipped, so a chain left half-way (``activating``,
    ``terminating``, ``expiring``) resumes where it stopped. ``apply(row, now)`` does the step's
    other changes before the row is saved and may return extra fields for the audit event's
    ``after``. ``system``: recorded without the actor (the system completes what a person started).
    ``notify`` (a ``gdap.notifications`` kind) and ``enqueue`` (a task name, called with the row's
    id) are sent after commit, once every step has run.
    """

    to_status: str | None
    audit_action: str
    apply: Callable[[object, datetime], dict | None] | None = None
    system: bool = False
    notify: str | None = None
    enqueue: str | None = None


Plan = Sequence[Step] | Callable[[object, datetime], Sequence[Step]]


def _lock_and_check(action, *, relationship_id, assignment_id, actor, expected_version):
    """(relationship, row that changes) locked and checked; None when a system transition no longer
    applies (missing row, status already moved on: idempotence)."""
    if assignment_id is None:
        if actor is None:
            relationship = Relationship.objects.select_for_update().filter(pk=relationship_id).first()
            if relationship is None or relationship.status not in RELATIONSHIP_TRANSITIONS[action][0]:
                return None
        else:
            relationship = relationship_lock(relationship_id)
            check_version(relationship, expected_version)
            relationship_check(action, relationship, actor)
        return relationship, relationship
    if actor is None:
        rel_statuses, from_statuses, _, _ = ASSIGNMENT_TRANSITIONS[action]
        assignment = AccessAssignment.objects.select_for_update().filter(pk=assignment_id).first()
        if assignment is None or assignment.status not in from_statuses:
            return None
        relationship = Relationship.objects.get(pk=assignment.relationship_id)
        if relationship.status not in rel_statuses:
            return None
        return relationship, assignment
    relationship, assignment = assignment_lock(relationship_id, assignment_id)
    check_version(assignment, expected_version)
    assignment_check(action, relationship, assignment, actor)
    return relationship, assignment


def transition(
    *,
    action: str,
    steps: Plan,
    actor=None,
    relationship_id=None,
    assignment_id=None,
    expected_version: int | None = None,
    now: datetime | None = None,
):
    """Run the transition ``action`` (a key of ``RELATIONSHIP_TRANSITIONS``, or of
    ``ASSIGNMENT_TRANSITIONS`` when ``assignment_id`` is given) as one sequence:

    1. lock the row (an assignment: its relationship first);
    2. check it: for a person (``actor``) the version, who may ask and the status, raising
       ``GdapPreconditionFailed``/``GdapPermissionDenied``/``GdapRuleViolation``; for the system
       (``actor`` None) only the status, returning None when it no longer applies;
    3. run ``steps`` (a list, or a function of the locked row and ``now`` returning one; an empty
       plan returns None): status, version and ``last_modified_at`` change and the row is saved;
    4. one audit event per step (a relationship's also a ``gdap.relationship.updated`` webhook);
    5. after commit, the steps' e-mails and tasks.

    Must run inside ``transaction.atomic``. Returns the changed row (relationship or assignment),
    or None when nothing was due.
    """
    locked = _lock_and_check(
        action,
        relationship_id=relationship_id,
        assignment_id=assignment_id,
        actor=actor,
        expected_version=expected_version,
    )
    if locked is None:
        return None
    relationship, row = locked
    now = now or timezone.now()
    plan = steps(row, now) if callable(steps) else steps
    is_assignment = row is not relationship
    snapshot = assignment_snapshot if is_assignment else relationship_snapshot
    done: list[Step] = []
    for step in plan:
        if step.to_status is not None and row.status == step.to_status:
            continue
        before = snapshot(row)
        if step.to_status is not None:
            row.status = step.to_status
        touch(row, now)
        extra = step.apply(row, now) if step.apply is not None else None
        row.save()
        audit_change(
            step.audit_action,
            actor=None if step.system else actor,
            relationship=relationship,
            obj=row if is_assignment else None,
            before=before,
            after=snapshot(row) | (extra or {}),
        )
        done.append(step)
    if not done:
        return None
    for step in done:
        if step.notify:
            notifications.notify_on_commit(step.notify, relationship.pk)
    for step in done:
        if step.enqueue:
            enqueue_on_commit(step.enqueue, str(row.pk))
    return row
