"""SR-PRIORITY: targets as data, the SLA state function, and the breach sweeper's once-only notices."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from audit.models import AuditEvent
from servicerequests import tasks
from servicerequests.models import Notification
from servicerequests.sla import SLA_TARGETS, SlaState, sla_due_at, sla_state
from tests.factories import PartnerFactory, ServiceRequestFactory, UserFactory

T0 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "severity,hours",
    [("critical", 2), ("moderate", 4), ("minimal", 8)],
    ids=["A-critical", "B-moderate", "C-minimal"],
)
def test_targets_follow_sr_priority(severity, hours):
    assert SLA_TARGETS[severity] == timedelta(hours=hours)
    assert sla_due_at(severity=severity, started_at=T0) == T0 + timedelta(hours=hours)


DUE = T0 + timedelta(hours=4)


@pytest.mark.parametrize(
    "due_at,at,stopped_at,expected",
    [
        (None, T0, None, SlaState.NOT_STARTED),
        (DUE, T0, None, SlaState.OK),
        (DUE, DUE - timedelta(hours=1, seconds=1), None, SlaState.OK),
        (DUE, DUE - timedelta(hours=1), None, SlaState.BREACHING_SOON),
        (DUE, DUE - timedelta(seconds=1), None, SlaState.BREACHING_SOON),
        (DUE, DUE, None, SlaState.BREACHED),
        (DUE, DUE + timedelta(days=3), None, SlaState.BREACHED),
        (DUE, DUE + timedelta(hours=1), DUE - timedelta(minutes=5), SlaState.MET),
        (DUE, DUE + timedelta(hours=1), DUE, SlaState.MET),
        (DUE, DUE + timedelta(hours=1), DUE + timedelta(minutes=5), SlaState.BREACHED),
        (DUE, T0 + timedelta(hours=1), T0 + timedelta(hours=2), SlaState.OK),  # stops later than "at"
    ],
)
def test_sla_state(due_at, at, stopped_at, expected):
    assert sla_state(due_at=due_at, at=at, stopped_at=stopped_at) == expected


@pytest.mark.django_db
def test_the_model_stops_the_clock_at_first_response_or_closing():
    request = ServiceRequestFactory(sla_due_at=DUE, first_response_at=DUE - timedelta(hours=1))
    assert request.sla_state_at(DUE + timedelta(hours=5)) == SlaState.MET
    request = ServiceRequestFactory(sla_due_at=DUE, status="closed", closed_at=DUE + timedelta(minutes=1))
    assert request.sla_state_at(DUE + timedelta(hours=5)) == SlaState.BREACHED


@pytest.fixture
def team():
    partner = PartnerFactory()
    return {
        "partner": partner,
        "assignee": UserFactory(partner=partner, roles=["admin_agent"], email="ann@partner.example"),
        "manager": UserFactory(partner=partner, roles=["support_manager"], email="max@partner.example"),
        "both": UserFactory(partner=partner, roles=["support_manager"], email="ann@partner.example"),
        "idle_manager": UserFactory(partner=partner, roles=["support_manager"], is_active=False),
        "agent": UserFactory(partner=partner, roles=["admin_agent"], email="other@partner.example"),
        "stranger": UserFactory(roles=["support_manager"], email="far@away.example"),
    }


def open_request(team, *, severity="critical", started=T0, **fields):
    values = {
        "partner": team["partner"],
        "severity": severity,
        "status": "open",
        "assigned_to": team["assignee"],
        "sla_due_at": sla_due_at(severity=severity, started_at=started),
    }
    return ServiceRequestFactory(**{**values, **fields})


def sweep_at(moment, django_capture_on_commit_callbacks):
    with time_machine.travel(moment, tick=False), django_capture_on_commit_callbacks(execute=True):
        return tasks.sweep_sla()


@pytest.mark.django_db
def test_each_transition_and_a_once_only_breach_notice(team, django_capture_on_commit_callbacks):
    request = open_request(team)  # critical: due at T0 + 2 h
    due = T0 + timedelta(hours=2)

    for moment, state in [
        (T0, SlaState.OK),
        (due - timedelta(minutes=61), SlaState.OK),
        (due - timedelta(minutes=59), SlaState.BREACHING_SOON),
    ]:
        assert sweep_at(moment, django_capture_on_commit_callbacks) == 0
        request.refresh_from_db()
        assert request.sla_state_at(moment) == state
        assert request.sla_breached is False
    assert mail.outbox == []

    assert sweep_at(due, django_capture_on_commit_callbacks) == 1
    request.refresh_from_db()
    assert request.sla_breached is True
    assert request.sla_state_at(due) == SlaState.BREACHED
    assert request.version == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@partner.example", "max@partner.example"]
    assert {m.subject for m in mail.outbox} == {f"SLA breached: service request {request.pk} (Critical (A))"}
    event = AuditEvent.objects.get(action="servicerequest.sla_breached")
    assert event.after == {
        "slaBreached": True,
        "slaDueAt": due.isoformat(),
        "severity": "critical",
        "ruleId": "SR-PRIORITY",
    }

    assert sweep_at(due + timedelta(minutes=1), django_capture_on_commit_callbacks) == 0
    assert sweep_at(due + timedelta(hours=5), django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 2
    assert Notification.objects.filter(kind="sla_breached", sent_at__isnull=False).count() == 2
    assert AuditEvent.objects.filter(action="servicerequest.sla_breached").count() == 1


@pytest.mark.django_db
def test_a_notice_cannot_be_recorded_twice_even_if_the_flag_is_reset(
    team, django_capture_on_commit_callbacks
):
    request = open_request(team)
    due = request.sla_due_at
    sweep_at(due, django_capture_on_commit_callbacks)
    type(request).objects.filter(pk=request.pk).update(sla_breached=False)
    assert sweep_at(due, django_capture_on_commit_callbacks) == 1
    assert len(mail.outbox) == 2  # the notifications were already recorded as sent


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {"status": "closed", "closed_at": T0 + timedelta(hours=1)},
        {"status": "none"},
        {"first_response_at": T0 + timedelta(minutes=30)},
        {"sla_due_at": None},
    ],
    ids=["closed", "not-dispatched", "responded", "no-clock"],
)
def test_stopped_or_unstarted_clocks_never_breach(team, django_capture_on_commit_callbacks, fields):
    request = open_request(team, **fields)
    assert sweep_at(T0 + timedelta(days=2), django_capture_on_commit_callbacks) == 0
    request.refresh_from_db()
    assert request.sla_breached is False
    assert mail.outbox == []


@pytest.mark.django_db
def test_an_unassigned_breach_goes_to_the_support_managers_only(team, django_capture_on_commit_callbacks):
    open_request(team, severity="minimal", assigned_to=None)
    assert sweep_at(T0 + timedelta(hours=8), django_capture_on_commit_callbacks) == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@partner.example", "max@partner.example"]


@pytest.mark.django_db
def test_sweeping_many_breaches_marks_each_once(team, django_capture_on_commit_callbacks):
    requests = [open_request(team, severity="moderate") for _ in range(5)]
    assert sweep_at(T0 + timedelta(hours=4), django_capture_on_commit_callbacks) == 5
    assert sweep_at(T0 + timedelta(hours=4), django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 2 * len(requests)


@pytest.mark.django_db
def test_the_sweeper_hands_out_chunks_and_marks_nothing_itself(team, monkeypatch):
    monkeypatch.setattr(tasks, "SLA_CHUNK", 2)
    due = sorted(
        (open_request(team, started=T0 - timedelta(minutes=minutes)) for minutes in (50, 40, 30, 20, 10)),
        key=lambda request: request.sla_due_at,
    )
    open_request(team, started=T0 + timedelta(hours=1))  # not due yet
    sent = []
    monkeypatch.setattr(tasks, "enqueue", lambda name, ids: sent.append((name, ids)) or True)

    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        assert tasks.sweep_sla() == 5

    ids = [request.pk for request in due]
    assert sent == [("servicerequests.mark_sla_breaches", chunk) for chunk in (ids[:2], ids[2:4], ids[4:])]
    assert not team["partner"].service_requests.filter(sla_breached=True).exists()


@pytest.mark.django_db
def test_a_chunk_marks_each_due_request_once(team, django_capture_on_commit_callbacks):
    due = open_request(team)
    later = open_request(team, started=T0 + timedelta(hours=3))
    with (
        time_machine.travel(T0 + timedelta(hours=2), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert tasks.mark_sla_breaches([due.pk, later.pk, due.pk]) == 1
    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.sla_breached, later.sla_breached) == (True, False)
    assert AuditEvent.objects.filter(action="servicerequest.sla_breached").count() == 1
