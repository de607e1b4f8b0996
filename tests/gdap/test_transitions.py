"""The one transition sequence of the GDAP services (``gdap.services.transitions``): lock → check →
steps → one audit event per step → e-mails and tasks after commit; chains resume where they stopped."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from audit.models import AuditEvent
from gdap import services
from gdap.choices import AssignmentStatus, RelationshipStatus
from gdap.exceptions import GdapRuleViolation
from tests.factories import AccessAssignmentFactory

S = RelationshipStatus
pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def audit_trail(obj_id) -> list[tuple[str, int | None, str, str]]:
    """(action, actor id, status before, status after) of the audit events about one row, oldest first."""
    events = AuditEvent.objects.filter(object_id=str(obj_id)).order_by("occurred_at", "id")
    return [(e.action, e.actor_id, e.before.get("status"), e.after.get("status")) for e in events]


@pytest.mark.parametrize(
    ("start", "trail"),
    [
        (
            S.APPROVED,
            [
                ("gdap.relationship.activating", None, S.APPROVED, S.ACTIVATING),
                ("gdap.relationship.activated", None, S.ACTIVATING, S.ACTIVE),
            ],
        ),
        (S.ACTIVATING, [("gdap.relationship.activated", None, S.ACTIVATING, S.ACTIVE)]),
    ],
)
def test_activation_resumes_where_it_stopped(make_relationship, start, trail):
    rel = make_relationship(status=start)
    assert services.relationship_activate(relationship_id=rel.pk, now=T0) is True
    rel.refresh_from_db()
    assert (rel.status, rel.version, rel.activated_at, rel.end_at) == (
        S.ACTIVE,
        1 + len(trail),
        T0,
        T0 + rel.duration,
    )
    assert audit_trail(rel.pk) == trail


@pytest.mark.parametrize(
    ("start", "trail"),
    [
        (
            S.TERMINATION_REQUESTED,
            [
                ("gdap.relationship.terminating", None, S.TERMINATION_REQUESTED, S.TERMINATING),
                ("gdap.relationship.terminated", None, S.TERMINATING, S.TERMINATED),
            ],
        ),
        (S.TERMINATING, [("gdap.relationship.terminated", None, S.TERMINATING, S.TERMINATED)]),
    ],
)
def test_termination_resumes_where_it_stopped(make_relationship, start, trail):
    rel = make_relationship(status=start)
    assert services.relationship_complete_termination(relationship_id=rel.pk) is True
    rel.refresh_from_db()
    assert (rel.status, rel.version) == (S.TERMINATED, 1 + len(trail))
    assert audit_trail(rel.pk) == trail


def test_approval_is_the_approvers_step_then_the_systems(
    make_relationship, customer_admin, django_capture_on_commit_callbacks
):
    rel = make_relationship(status=S.APPROVAL_PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        rel, request = services.relationship_approve(actor=customer_admin, relationship_id=rel.pk)
    assert audit_trail(rel.pk) == [
        ("gdap.relationship.approved", customer_admin.pk, S.APPROVAL_PENDING, S.APPROVED),
        ("gdap.relationship.activating", None, S.APPROVED, S.ACTIVATING),
        ("gdap.relationship.activated", None, S.ACTIVATING, S.ACTIVE),
    ]
    assert (rel.status, rel.version, request.created_at) == (S.ACTIVE, 4, rel.last_modified_at)
    assert [m.subject for m in mail.outbox] == [f"GDAP relationship '{rel.display_name}' approved"]


def test_a_refused_step_writes_and_sends_nothing(
    make_relationship, customer_admin, django_capture_on_commit_callbacks
):
    rel = make_relationship(status=S.APPROVAL_PENDING, locked_at=T0 - timedelta(days=91))
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(GdapRuleViolation):
        services.relationship_approve(actor=customer_admin, relationship_id=rel.pk)
    rel.refresh_from_db()
    assert (rel.status, rel.version, callbacks) == (S.APPROVAL_PENDING, 1, [])
    assert audit_trail(rel.pk) == []
    assert not rel.requests.exists()


def test_a_system_step_that_no_longer_applies_changes_nothing(make_relationship):
    rel = make_relationship(status=S.ACTIVE)
    assert services.relationship_complete_termination(relationship_id=rel.pk) is False
    assert services.relationship_activate(relationship_id="no-such-relationship") is False
    rel.refresh_from_db()
    assert (rel.status, rel.version) == (S.ACTIVE, 1)
    assert audit_trail(rel.pk) == []


def test_assignment_steps_are_audited_on_the_assignment(
    make_relationship, admin_agent, django_capture_on_commit_callbacks
):
    rel = make_relationship(status=S.ACTIVE)
    assignment = AccessAssignmentFactory(relationship=rel, status=AssignmentStatus.ACTIVE)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.assignment_delete(actor=admin_agent, relationship_id=rel.pk, assignment_id=assignment.pk)
    assert len(callbacks) == 1  # the deletion task, which (eager) completes the deletion
    assignment.refresh_from_db()
    assert (assignment.status, assignment.version) == (AssignmentStatus.DELETED, 3)
    assert audit_trail(assignment.pk) == [
        ("gdap.assignment.deleting", admin_agent.pk, AssignmentStatus.ACTIVE, AssignmentStatus.DELETING),
        ("gdap.assignment.deleted", None, AssignmentStatus.DELETING, AssignmentStatus.DELETED),
    ]
