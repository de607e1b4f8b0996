"""Access assignments: grant a subset of an active relationship's roles to one of the security
groups of the partner it grants (GDAP-ASSIGNMENT-SUBSET; the reseller's for a relationship an
indirect provider created for it, GDAP-INDIRECT-RESELLER), change those roles through a Graph
operation, remove the grant; and the system steps that complete them (activation, deletion,
running an operation).
Status changes go through ``transitions.transition``."""

from __future__ import annotations

import json
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import SecurityGroup

from ..choices import AssignmentStatus, OperationStatus, OperationType, RelationshipStatus
from ..exceptions import GdapRuleViolation, GdapValidationError
from ..models import AccessAssignment, EntraRole, Operation, Relationship
from .common import (
    assignment_snapshot,
    audit_change,
    check_version,
    enqueue_on_commit,
    relationship_snapshot,
    resolve_roles,
    touch,
    uuid_or_none,
)
from .transitions import Step, assignment_check, assignment_lock, relationship_lock, transition

A = AssignmentStatus


def _subset_roles(relationship: Relationship, role_ids) -> list[EntraRole]:
    roles = resolve_roles(role_ids)
    granted = {r.pk for r in relationship.roles.all()}
    outside = sorted(r.name for r in roles if r.pk not in granted)
    if outside:
        raise GdapRuleViolation(
            "GDAP-ASSIGNMENT-SUBSET",
            _(
                "the relationship does not grant: %(roles)s; an access assignment may only grant a "
                "subset of the relationship's roles"
            )
            % {"roles": ", ".join(outside)},
            field="accessDetails",
        )
    return roles


@transaction.atomic
def assignment_create(*, actor, relationship_id, security_group_id, role_ids) -> AccessAssignment:
    """GDAP-ASSIGNMENT-SUBSET: grant a subset of an ``active`` relationship's roles to one of the
    partner's security groups. Created ``pending``; after commit a task activates it (at once in
    eager mode; the sweeper catches any left behind). One live assignment per group.
    Side effects: the assignment and its roles, one audit event, the activation task."""
    relationship = relationship_lock(relationship_id)
    assignment_check("create", relationship, None, actor)
    group = SecurityGroup.objects.filter(
        pk=uuid_or_none(security_group_id), partner_id=relationship.holder_id
    ).first()
    if group is None:
        raise GdapRuleViolation(
            "GDAP-ASSIGNMENT-SUBSET",
            _("'%(group)s' is not one of the partner's security groups") % {"group": security_group_id},
            field="accessContainer",
        )
    roles = _subset_roles(relationship, role_ids)
    if relationship.access_assignments.filter(security_group=group).exclude(status=A.DELETED).exists():
        raise GdapValidationError(
            _("the security group '%(group)s' already has an access assignment in this relationship")
            % {"group": group.name},
            field="accessContainer",
        )
    now = timezone.now()
    assignment = AccessAssignment.objects.create(
        relationship=relationship, security_group=group, created_at=now, last_modified_at=now
    )
    assignment.roles.set(roles)
    audit_change(
        "gdap.assignment.created",
        actor=actor,
        relationship=relationship,
        obj=assignment,
        after=assignment_snapshot(assignment, [r.pk for r in roles]),
    )
    enqueue_on_commit("gdap.activate_assignment", str(assignment.pk))
    return assignment


@transaction.atomic
def assignment_update(
    *, actor, relationship_id, assignment_id, role_ids, expected_version: int | None = None
) -> tuple[AccessAssignment, Operation | None]:
    """Change the roles of an access assignment (still a subset, GDAP-ASSIGNMENT-SUBSET).

    Unchanged roles: nothing happens, returns ``(assignment, None)`` (Graph's 200). Otherwise a
    ``delegatedAdminAccessAssignmentUpdate`` operation is recorded ``notStarted`` and run after commit
    (Graph's 202 with its ``Location``). Side effects: the operation row, one audit event, the task.
    """
    relationship, assignment = assignment_lock(relationship_id, assignment_id)
    check_version(assignment, expected_version)
    assignment_check("update", relationship, assignment, actor)
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
    touch(assignment, now)
    assignment.save()
    audit_change(
        "gdap.assignment.update_requested",
        actor=actor,
        relationship=relationship,
        obj=assignment,
        before=before,
        after=assignment_snapshot(assignment, wanted) | {"operationId": str(operation.pk)},
    )
    enqueue_on_commit("gdap.run_operation", str(operation.pk))
    return assignment, operation


def _run_relationship_update(operation: Operation, payload: dict, now: datetime) -> str:
    """A ``delegatedAdminRelationshipUpdate``: remove ``removedRoles`` from the still-active
    relationship and from each of its live access assignments."""
    relationship = relationship_lock(operation.relationship_id)
    if relationship.status != RelationshipStatus.ACTIVE:
        return OperationStatus.FAILED
    removed = list(EntraRole.objects.filter(template_id__in=payload.get("removedRoles", [])))
    before = relationship_snapshot(relationship) | {
        "roles": sorted(str(r.pk) for r in relationship.roles.all())
    }
    relationship.roles.remove(*removed)
    for assignment in relationship.access_assignments.exclude(status=A.DELETED).select_for_update():
        assignment.roles.remove(*removed)
    touch(relationship, now)
    relationship.save()
    audit_change(
        "gdap.relationship.roles_removed",
        actor=None,
        relationship=relationship,
        before=before,
        after=relationship_snapshot(relationship)
        | {"roles": sorted(str(r.pk) for r in relationship.roles.all()), "operationId": str(operation.pk)},
    )
    return OperationStatus.SUCCEEDED


def _run_assignment_update(operation: Operation, payload: dict, now: datetime) -> str:
    relationship = relationship_lock(operation.relationship_id)
    assignment = (
        AccessAssignment.objects.select_for_update()
        .filter(pk=payload.get("accessAssignmentId"), relationship=relationship)
        .first()
    )
    if (
        assignment is None
        or relationship.status != RelationshipStatus.ACTIVE
        or assignment.status not in (A.PENDING, A.ACTIVE)
    ):
        return OperationStatus.FAILED
    granted = {str(r.pk) for r in relationship.roles.all()}
    if not set(payload.get("roles", [])) <= granted:
        return OperationStatus.FAILED
    before = assignment_snapshot(assignment)
    assignment.roles.set(EntraRole.objects.filter(template_id__in=payload["roles"]))
    touch(assignment, now)
    assignment.save()
    audit_change(
        "gdap.assignment.updated",
        actor=None,
        relationship=relationship,
        obj=assignment,
        before=before,
        after=assignment_snapshot(assignment, payload["roles"]),
    )
    return OperationStatus.SUCCEEDED


@transaction.atomic
def operation_run(*, operation_id, now: datetime | None = None) -> bool:
    """System: apply a ``notStarted`` operation. An access-assignment update ``succeeded`` when the
    assignment and relationship are still live and the roles still a subset; a relationship update
    (removing Global Administrator) when the relationship is still active; else ``failed``.
    Returns whether it ran (False when already done: idempotent)."""
    now = now or timezone.now()
    operation = Operation.objects.select_for_update().filter(pk=operation_id).first()
    if operation is None or operation.status not in (OperationStatus.NOT_STARTED, OperationStatus.RUNNING):
        return False
    payload = json.loads(operation.data or "{}")
    run = (
        _run_relationship_update
        if operation.operation_type == OperationType.RELATIONSHIP_UPDATE
        else _run_assignment_update
    )
    operation.status = run(operation, payload, now)
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
    return transition(
        action="delete",
        actor=actor,
        relationship_id=relationship_id,
        assignment_id=assignment_id,
        expected_version=expected_version,
        steps=[Step(A.DELETING, "gdap.assignment.deleting", enqueue="gdap.complete_assignment_deletion")],
    )


@transaction.atomic
def assignment_activate(*, assignment_id, now: datetime | None = None) -> bool:
    """System: ``pending`` → ``active`` while the relationship is active. Returns whether it changed."""
    steps = [Step(A.ACTIVE, "gdap.assignment.active")]
    return transition(action="activate", assignment_id=assignment_id, now=now, steps=steps) is not None


@transaction.atomic
def assignment_complete_deletion(*, assignment_id, now: datetime | None = None) -> bool:
    """System: ``deleting`` → ``deleted``. Returns whether it changed."""
    steps = [Step(A.DELETED, "gdap.assignment.deleted")]
    return (
        transition(action="complete_deletion", assignment_id=assignment_id, now=now, steps=steps) is not None
    )
