"""The lifecycle sweeper (``gdap.sweep_lifecycle``): 90-day request expiry, activation, auto-extend,
expiry, notices once only, termination completion, assignment steps; idempotent."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from audit.models import AuditEvent
from gdap import services, tasks
from gdap.choices import AssignmentStatus, OperationStatus, RelationshipStatus
from gdap.exceptions import GdapRuleViolation
from gdap.models import ExpiryNotice, Operation
from tests.factories import AccessAssignmentFactory

from .conftest import SSA

S = RelationshipStatus
pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ZERO = {
    "requests_expired": 0,
    "activated": 0,
    "extended": 0,
    "expired": 0,
    "notices": 0,
    "terminated": 0,
    "assignments_activated": 0,
    "assignments_deleted": 0,
    "operations_run": 0,
}


def sweep():
    return tasks.sweep_lifecycle.apply().get()


def test_task_is_registered_under_its_beat_name():
    assert tasks.sweep_lifecycle.name == "gdap.sweep_lifecycle"
    assert tasks.sweep_lifecycle.soft_time_limit == 240
    assert tasks.sweep_lifecycle.time_limit == 300


@pytest.mark.parametrize(
    ("age", "expired"), [(timedelta(days=89, hours=23), False), (timedelta(days=90), True)]
)
def test_approval_request_expires_after_90_days(make_relationship, time_machine, age, expired):
    time_machine.move_to(T0, tick=False)
    rel = make_relationship(status=S.APPROVAL_PENDING, locked_at=T0)
    time_machine.move_to(T0 + age, tick=False)
    with_commit = sweep()
    rel.refresh_from_db()
    assert rel.status == (S.EXPIRED if expired else S.APPROVAL_PENDING)
    assert with_commit["requests_expired"] == int(expired)


def test_approved_relationship_is_activated_with_end_date(make_relationship, time_machine):
    time_machine.move_to(T0, tick=False)
    rel = make_relationship(status=S.APPROVED, duration=timedelta(days=100))
    assert sweep() == ZERO | {"activated": 1}
    rel.refresh_from_db()
    assert (rel.status, rel.activated_at, rel.end_at) == (S.ACTIVE, T0, T0 + timedelta(days=100))
    assert sweep() == ZERO


def test_non_extending_relationship_expires_at_end_date_and_loses_assignments(
    make_relationship, group, time_machine
):
    time_machine.move_to(T0, tick=False)
    rel = make_relationship(
        status=S.ACTIVE, activated_at=T0 - timedelta(days=10), duration=timedelta(days=10)
    )
    AccessAssignmentFactory(relationship=rel, security_group=group)
    assert rel.end_at == T0
    result = sweep()
    assert result["expired"] == 1
    rel.refresh_from_db()
    assert rel.status == S.EXPIRED
    assert list(rel.access_assignments.values_list("status", flat=True)) == [AssignmentStatus.DELETED]
    actions = list(
        AuditEvent.objects.filter(object_id=rel.pk).order_by("id").values_list("action", flat=True)
    )
    assert actions == ["gdap.relationship.expiring", "gdap.relationship.expired"]
    assert sweep() == ZERO


def test_relationship_not_yet_at_end_date_stays_active(make_relationship, time_machine):
    time_machine.move_to(T0, tick=False)
    rel = make_relationship(
        status=S.ACTIVE, activated_at=T0 - timedelta(days=10), duration=timedelta(days=11)
    )
    sweep()
    rel.refresh_from_db()
    assert rel.status == S.ACTIVE


def test_auto_extending_relationship_rolls_forward_180_days(make_relationship, time_machine):
    time_machine.move_to(T0, tick=False)
    rel = make_relationship(
        status=S.ACTIVE,
        activated_at=T0 - timedelta(days=365),
        duration=timedelta(days=365),
        auto_extend_duration=timedelta(days=180),
    )
    assert sweep() == ZERO | {"extended": 1}
    rel.refresh_from_db()
    assert (rel.status, rel.end_at) == (S.ACTIVE, T0 + timedelta(days=180))
    assert sweep() == ZERO


@pytest.mark.parametrize(
    ("days_left", "notice"),
    [(31, None), (30, 30), (8, 30), (7, 7), (2, 7), (1, 1), (0.5, 1)],
)
def test_expiry_notice_threshold(days_left, notice):
    assert services.expiry_notice_due(end_at=T0 + timedelta(days=days_left), now=T0) == notice


def test_expiry_notices_go_out_30_7_and_1_days_before_once_each(
    make_relationship, admin_agent, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(T0, tick=False)
    end = T0 + timedelta(days=40)
    rel = make_relationship(
        status=S.ACTIVE, activated_at=end - timedelta(days=400), duration=timedelta(days=400)
    )
    assert rel.end_at == end
    sent = []
    for days_before in (35, 30, 29, 7, 6, 1, 1, 0.5):
        time_machine.move_to(end - timedelta(days=days_before), tick=False)
        with django_capture_on_commit_callbacks(execute=True):
            sent.append(sweep()["notices"])
    assert sent == [0, 1, 0, 1, 0, 1, 0, 0]
    assert sorted(ExpiryNotice.objects.values_list("days_before", flat=True)) == [1, 7, 30]
    assert [m.subject for m in mail.outbox] == [
        f"GDAP relationship '{rel.display_name}' expires in {d} day(s)" for d in (30, 7, 1)
    ]
    assert mail.outbox[0].to == [admin_agent.email]


def test_no_expiry_notice_for_auto_extending_relationship(make_relationship, time_machine):
    time_machine.move_to(T0, tick=False)
    make_relationship(
        status=S.ACTIVE,
        activated_at=T0 - timedelta(days=360),
        duration=timedelta(days=365),
        auto_extend_duration=timedelta(days=180),
    )
    assert sweep()["notices"] == 0
    assert ExpiryNotice.objects.count() == 0


def test_termination_and_assignment_steps_complete(make_relationship, group, time_machine):
    time_machine.move_to(T0, tick=False)
    terminating = make_relationship(status=S.TERMINATION_REQUESTED)
    active = make_relationship(status=S.ACTIVE, display_name="Other")
    pending = AccessAssignmentFactory(
        relationship=active, security_group=group, status=AssignmentStatus.PENDING
    )
    other_group = type(group).objects.create(partner=group.partner, name="Second")
    deleting = AccessAssignmentFactory(
        relationship=active, security_group=other_group, status=AssignmentStatus.DELETING
    )
    operation = Operation.objects.create(
        relationship=active,
        operation_type="delegatedAdminAccessAssignmentUpdate",
        data=json.dumps({"accessAssignmentId": str(pending.pk), "roles": [SSA]}),
    )
    result = sweep()
    assert result == ZERO | {
        "terminated": 1,
        "assignments_activated": 1,
        "assignments_deleted": 1,
        "operations_run": 1,
    }
    terminating.refresh_from_db()
    pending.refresh_from_db()
    deleting.refresh_from_db()
    operation.refresh_from_db()
    assert terminating.status == S.TERMINATED
    assert (pending.status, deleting.status) == (AssignmentStatus.ACTIVE, AssignmentStatus.DELETED)
    assert operation.status == OperationStatus.SUCCEEDED
    assert sweep() == ZERO


def test_expired_relationship_cannot_be_restored(make_relationship, admin_agent):
    rel = make_relationship(status=S.EXPIRED)
    with pytest.raises(GdapRuleViolation) as exc:
        services.relationship_set_auto_extend(actor=admin_agent, relationship_id=rel.pk, enabled=True)
    assert exc.value.rule_id == "GDAP-EDIT-CREATED-ONLY"
    with pytest.raises(GdapRuleViolation) as exc:
        services.relationship_lock_for_approval(actor=admin_agent, relationship_id=rel.pk)
    assert exc.value.rule_id == "GDAP-LOCK"
    assert services.relationship_activate(relationship_id=rel.pk) is False
    assert services.relationship_reach_end_date(relationship_id=rel.pk) is None
    rel.refresh_from_db()
    assert (rel.status, rel.version) == (S.EXPIRED, 1)


SYSTEM_ALLOWED_FROM = {
    "activate": ({S.APPROVED, S.ACTIVATING}, S.ACTIVE),
    "expire_request": ({S.APPROVAL_PENDING}, S.EXPIRED),
    "reach_end_date": ({S.ACTIVE, S.EXPIRING}, S.EXPIRED),
    "complete_termination": ({S.TERMINATION_REQUESTED, S.TERMINATING}, S.TERMINATED),
}


@pytest.mark.parametrize("status", list(S.values))
@pytest.mark.parametrize("step", list(SYSTEM_ALLOWED_FROM))
def test_system_transitions_from_every_status(make_relationship, time_machine, step, status):
    time_machine.move_to(T0, tick=False)
    activated = (
        T0 - timedelta(days=400) if status not in (S.CREATED, S.APPROVAL_PENDING, S.APPROVED) else None
    )
    rel = make_relationship(
        status=status,
        activated_at=activated,
        duration=timedelta(days=365),
        locked_at=T0 - timedelta(days=120),
    )
    call = {
        "activate": services.relationship_activate,
        "expire_request": services.relationship_expire_request,
        "reach_end_date": services.relationship_reach_end_date,
        "complete_termination": services.relationship_complete_termination,
    }[step]
    result = call(relationship_id=rel.pk, now=T0)
    allowed, target = SYSTEM_ALLOWED_FROM[step]
    rel.refresh_from_db()
    if status in allowed:
        assert result
        assert rel.status == target
    else:
        assert not result
        assert (rel.status, rel.version) == (status, 1)
