"""The system side of the GDAP lifecycle: activation, request expiry, auto-extension and expiry at
the end date, completion of terminations, expiry notices, and the sweep that runs whatever is due.

Every function here is a system transition (no actor): it re-checks its condition under the row
lock, so running it twice changes nothing the second time (the sweeper and on-commit tasks may
both reach the same row).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from .. import notifications
from ..choices import (
    APPROVAL_REQUEST_LIFETIME,
    AUTO_EXTEND_OFF,
    AUTO_EXTEND_ON,
    EXPIRY_NOTICE_DAYS,
    AssignmentStatus,
    OperationStatus,
    RelationshipStatus,
    RequestAction,
    RequestStatus,
)
from ..models import AccessAssignment, ExpiryNotice, Operation, Relationship
from .assignments import assignment_activate, assignment_complete_deletion, operation_run
from .common import audit_change
from .transitions import Step, transition

S = RelationshipStatus


def _start_term(relationship: Relationship, now: datetime) -> None:
    relationship.activated_at = now
    relationship.end_at = now + relationship.duration


# GDAP-APPROVE: ``approved`` → ``activating`` → ``active`` (also the tail of an approval).
ACTIVATION_STEPS = (
    Step(S.ACTIVATING, "gdap.relationship.activating", system=True),
    Step(S.ACTIVE, "gdap.relationship.activated", apply=_start_term, system=True),
)


@transaction.atomic
def relationship_activate(*, relationship_id, now: datetime | None = None) -> bool:
    """System: ``approved``/``activating`` → ``active`` (GDAP-APPROVE). Returns whether it changed."""
    return (
        transition(action="activate", relationship_id=relationship_id, now=now, steps=ACTIVATION_STEPS)
        is not None
    )


def _fail_lock_request(relationship: Relationship, now: datetime) -> None:
    relationship.requests.filter(action=RequestAction.LOCK_FOR_APPROVAL).update(
        status=RequestStatus.FAILED, last_modified_at=now
    )


def _request_expiry_plan(relationship: Relationship, now: datetime) -> list[Step]:
    if relationship.locked_at is None or relationship.locked_at + APPROVAL_REQUEST_LIFETIME > now:
        return []
    return [
        Step(
            S.EXPIRED, "gdap.relationship.request_expired", apply=_fail_lock_request, notify="request_expired"
        )
    ]


@transaction.atomic
def relationship_expire_request(*, relationship_id, now: datetime | None = None) -> bool:
    """System, GDAP-REQUEST-EXPIRY: an ``approvalPending`` relationship locked 90 days ago or more
    becomes ``expired`` (Graph has no separate status for an expired invitation). Side effects: the
    lock request is marked failed, one audit event, an e-mail to the partner's admin agents."""
    return (
        transition(
            action="expire_request", relationship_id=relationship_id, now=now, steps=_request_expiry_plan
        )
        is not None
    )


def _deprovision_assignments(relationship: Relationship, now: datetime) -> dict:
    removed = relationship.access_assignments.exclude(status=AssignmentStatus.DELETED).update(
        status=AssignmentStatus.DELETED, last_modified_at=now
    )
    return {"assignmentsDeleted": removed}


def _roll_forward(relationship: Relationship, now: datetime) -> None:
    while relationship.end_at <= now:
        relationship.end_at += AUTO_EXTEND_ON


def _end_date_plan(relationship: Relationship, now: datetime) -> list[Step]:
    if relationship.end_at is None or relationship.end_at > now:
        return []
    if relationship.status == S.ACTIVE and relationship.auto_extends:
        return [Step(None, "gdap.relationship.auto_extended", apply=_roll_forward)]
    return [
        Step(S.EXPIRING, "gdap.relationship.expiring"),
        Step(S.EXPIRED, "gdap.relationship.expired", apply=_deprovision_assignments, notify="expired"),
    ]


@transaction.atomic
def relationship_reach_end_date(*, relationship_id, now: datetime | None = None) -> str | None:
    """System, at the end date of an ``active`` relationship: GDAP-AUTO-EXTEND rolls an auto-extending
    one forward by 180 days (as often as needed to pass ``now``); otherwise GDAP-EXPIRY takes it
    ``expiring`` → ``expired`` and its access assignments are deleted. Returns ``"extended"``,
    ``"expired"`` or None when nothing was due."""
    relationship = transition(action="expire", relationship_id=relationship_id, now=now, steps=_end_date_plan)
    if relationship is None:
        return None
    return "expired" if relationship.status == S.EXPIRED else "extended"


def _finish_termination(relationship: Relationship, now: datetime) -> dict:
    if (
        relationship.end_at
        and relationship.activated_at
        and relationship.activated_at < now < relationship.end_at
    ):
        relationship.end_at = now
    relationship.requests.filter(action=RequestAction.TERMINATE, status=RequestStatus.PENDING).update(
        status=RequestStatus.SUCCEEDED, last_modified_at=now
    )
    return _deprovision_assignments(relationship, now)


TERMINATION_STEPS = (
    Step(S.TERMINATING, "gdap.relationship.terminating"),
    Step(S.TERMINATED, "gdap.relationship.terminated", apply=_finish_termination),
)


@transaction.atomic
def relationship_complete_termination(*, relationship_id, now: datetime | None = None) -> bool:
    """System, GDAP-TERMINATE: ``terminationRequested`` → ``terminating`` → ``terminated``; access
    assignments are deleted, the terminate request succeeds, ``end_at`` becomes the termination
    time. Returns whether it changed."""
    return (
        transition(
            action="complete_termination", relationship_id=relationship_id, now=now, steps=TERMINATION_STEPS
        )
        is not None
    )


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
    or None. Not a status change: the relationship row is locked but not modified."""
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
    audit_change(
        "gdap.relationship.expiry_notice",
        actor=None,
        relationship=relationship,
        after={"daysBefore": days, "endDateTime": relationship.end_at.isoformat()},
    )
    notifications.notify_on_commit("expiry_notice", relationship.pk, days=days)
    return days


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
