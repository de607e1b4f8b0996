"""Notes, updates and dispatch retries: who may, what changes, what is audited."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from servicerequests.exceptions import DispatchNotRetryable, StaleVersion
from servicerequests.models import Dispatch, Note
from servicerequests.services import dispatch_retry, service_request_add_note, service_request_update
from tests.factories import PartnerFactory, ServiceRequestFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner():
    return PartnerFactory()


@pytest.fixture
def request_(partner):
    return ServiceRequestFactory(partner=partner, severity="moderate", status="open")


@pytest.fixture
def manager(partner):
    return UserFactory(partner=partner, roles=["support_manager"], first_name="Mia", last_name="Manager")


@pytest.fixture
def agent(partner):
    return UserFactory(partner=partner, roles=["admin_agent"], first_name="Alex", last_name="Agent")


def test_a_note_is_added_versioned_and_audited(request_, agent):
    note = service_request_add_note(actor=agent, service_request=request_, text="  Customer called back.  ")
    assert (note.text, note.created_by_id, note.created_by_name) == (
        "Customer called back.",
        agent.pk,
        "Alex Agent",
    )
    assert request_.version == 2
    request_.refresh_from_db()
    assert request_.version == 2
    event = AuditEvent.objects.get(action="servicerequest.note_added")
    assert (event.actor_id, event.object_id, event.after) == (
        agent.pk,
        request_.pk,
        {"noteId": note.pk, "text": "Customer called back."},
    )


@pytest.mark.parametrize("roles", [["sales_agent"], ["billing_admin"], []])
def test_read_only_roles_cannot_add_notes_or_update(request_, partner, roles):
    reader = UserFactory(partner=partner, roles=roles)
    with pytest.raises(PermissionDenied, match="SR-VIEW"):
        service_request_add_note(actor=reader, service_request=request_, text="hello")
    with pytest.raises(PermissionDenied, match="SR-VIEW"):
        service_request_update(actor=reader, service_request=request_, status="closed")
    assert Note.objects.count() == 0
    assert AuditEvent.objects.count() == 0
    request_.refresh_from_db()
    assert (request_.status, request_.version) == ("open", 1)


def test_another_partners_user_cannot_act(request_):
    outsider = UserFactory(roles=["admin_agent", "support_manager"])
    with pytest.raises(PermissionDenied):
        service_request_update(actor=outsider, service_request=request_, severity="critical")
    with pytest.raises(PermissionDenied):
        service_request_add_note(actor=outsider, service_request=request_, text="hello")


@pytest.mark.parametrize("text", ["", "   ", "x" * 10001])
def test_note_text_is_validated(request_, agent, text):
    with pytest.raises(ValidationError) as caught:
        service_request_add_note(actor=agent, service_request=request_, text=text)
    assert list(caught.value.message_dict) == ["text"]
    assert Note.objects.count() == 0


def test_closing_sets_closed_at_bumps_version_and_audits_before_after(request_, agent):
    updated = service_request_update(
        actor=agent, service_request=request_, status="closed", expected_version=1
    )
    assert updated.status == "closed"
    assert updated.closed_at is not None
    assert updated.version == 2
    event = AuditEvent.objects.get(action="servicerequest.updated")
    assert event.before == {"status": "open", "closed_at": None}
    assert event.after == {"status": "closed", "closed_at": updated.closed_at.isoformat()}


def test_a_stale_version_is_refused_and_nothing_changes(request_, agent):
    service_request_add_note(actor=agent, service_request=request_, text="bump")  # version 2
    with pytest.raises(StaleVersion) as caught:
        service_request_update(actor=agent, service_request=request_, severity="critical", expected_version=1)
    assert (caught.value.expected, caught.value.current) == (1, 2)
    request_.refresh_from_db()
    assert (request_.severity, request_.version) == ("moderate", 2)
    assert AuditEvent.objects.filter(action="servicerequest.updated").count() == 0


def test_no_change_is_no_version_bump_and_no_event(request_, agent):
    updated = service_request_update(
        actor=agent, service_request=request_, status="open", severity="moderate"
    )
    assert updated.version == 1
    assert AuditEvent.objects.count() == 0


def test_only_a_support_manager_assigns(request_, agent, manager):
    with pytest.raises(PermissionDenied, match="support manager"):
        service_request_update(actor=agent, service_request=request_, assigned_to=agent)
    updated = service_request_update(actor=manager, service_request=request_, assigned_to=agent)
    assert updated.assigned_to_id == agent.pk
    event = AuditEvent.objects.get(action="servicerequest.updated")
    assert (event.before, event.after) == ({"assigned_to_id": None}, {"assigned_to_id": agent.pk})
    updated = service_request_update(actor=manager, service_request=request_, assigned_to=None)
    assert updated.assigned_to_id is None
    assert updated.version == 3


@pytest.mark.parametrize("assignee_kind", ["other_partner", "sales_agent", "inactive"])
def test_the_assignee_must_be_able_to_act(request_, partner, manager, assignee_kind):
    assignee = {
        "other_partner": lambda: UserFactory(roles=["admin_agent"]),
        "sales_agent": lambda: UserFactory(partner=partner, roles=["sales_agent"]),
        "inactive": lambda: UserFactory(partner=partner, roles=["admin_agent"], is_active=False),
    }[assignee_kind]()
    with pytest.raises(ValidationError) as caught:
        service_request_update(actor=manager, service_request=request_, assigned_to=assignee)
    assert list(caught.value.message_dict) == ["assigned_to"]
    request_.refresh_from_db()
    assert request_.assigned_to_id is None


@pytest.mark.parametrize(
    "changes,field",
    [({"status": "none"}, "status"), ({"status": "done"}, "status"), ({"severity": "A"}, "severity")],
)
def test_bad_values_are_named(request_, agent, changes, field):
    with pytest.raises(ValidationError) as caught:
        service_request_update(actor=agent, service_request=request_, **changes)
    assert list(caught.value.message_dict) == [field]


def test_update_with_a_note_is_one_change(request_, agent):
    service_request_update(
        actor=agent, service_request=request_, status="attention_needed", note_text="Waiting."
    )
    assert request_.version == 2
    note = Note.objects.get()
    event = AuditEvent.objects.get()
    assert event.after == {"status": "attention_needed", "note": {"id": note.pk, "text": "Waiting."}}


@pytest.mark.parametrize(
    "old,new,shift_hours",
    [("moderate", "critical", -2), ("minimal", "critical", -6), ("critical", "minimal", 6)],
)
def test_a_severity_change_moves_a_running_sla_clock(partner, agent, old, new, shift_hours):
    due = timezone.now() + timedelta(hours=3)
    request = ServiceRequestFactory(partner=partner, severity=old, sla_due_at=due)
    service_request_update(actor=agent, service_request=request, severity=new)
    assert request.sla_due_at == due + timedelta(hours=shift_hours)


def test_a_breached_clock_does_not_move(partner, agent):
    due = timezone.now() - timedelta(hours=1)
    request = ServiceRequestFactory(partner=partner, severity="minimal", sla_due_at=due, sla_breached=True)
    service_request_update(actor=agent, service_request=request, severity="critical")
    assert request.sla_due_at == due


def test_a_failed_dispatch_is_retried(request_, agent, django_capture_on_commit_callbacks):
    dispatch = Dispatch.objects.create(
        request=request_, portal="m365", status="failed", attempts=6, last_error="boom"
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        dispatch_retry(actor=agent, dispatch=dispatch)
    assert len(callbacks) == 1
    dispatch.refresh_from_db()
    assert (dispatch.status, dispatch.attempts) == ("delivered", 7)
    event = AuditEvent.objects.get(action="dispatch.retried")
    assert (event.before, event.after) == ({"status": "failed", "lastError": "boom"}, {"status": "pending"})


@pytest.mark.parametrize("status", ["pending", "delivered"])
def test_only_a_failed_dispatch_can_be_retried(request_, agent, status):
    dispatch = Dispatch.objects.create(request=request_, portal="m365", status=status)
    with pytest.raises(DispatchNotRetryable):
        dispatch_retry(actor=agent, dispatch=dispatch)
    assert AuditEvent.objects.count() == 0


def test_a_sales_agent_cannot_retry(request_, partner):
    dispatch = Dispatch.objects.create(request=request_, portal="m365", status="failed")
    with pytest.raises(PermissionDenied):
        dispatch_retry(actor=UserFactory(partner=partner, roles=["sales_agent"]), dispatch=dispatch)
    dispatch.refresh_from_db()
    assert dispatch.status == "failed"


@pytest.fixture
def helpdesk(partner):
    return UserFactory(partner=partner, roles=["helpdesk_agent"], first_name="Hank", last_name="Helpdesk")


def test_a_helpdesk_agent_works_on_requests_assigned_to_them(request_, helpdesk, manager):
    service_request_update(actor=manager, service_request=request_, assigned_to=helpdesk)
    service_request_add_note(actor=helpdesk, service_request=request_, text="Looking into it.")
    service_request_update(actor=helpdesk, service_request=request_, severity="critical", status="closed")
    request_.refresh_from_db()
    assert (request_.severity, request_.status, request_.notes.count()) == ("critical", "closed", 1)


@pytest.mark.parametrize("assigned", ["nobody", "someone else"])
def test_a_helpdesk_agent_cannot_change_requests_not_assigned_to_them(
    request_, partner, helpdesk, manager, assigned
):
    if assigned == "someone else":
        other = UserFactory(partner=partner, roles=["helpdesk_agent"])
        service_request_update(actor=manager, service_request=request_, assigned_to=other)
    request_.refresh_from_db()
    version = request_.version
    refusal = "SR-VIEW: a helpdesk agent changes only the requests assigned to them."
    with pytest.raises(PermissionDenied, match=refusal):
        service_request_add_note(actor=helpdesk, service_request=request_, text="hello")
    with pytest.raises(PermissionDenied, match=refusal):
        service_request_update(actor=helpdesk, service_request=request_, severity="critical")
    request_.refresh_from_db()
    assert (request_.version, request_.severity, request_.notes.count()) == (version, "moderate", 0)


def test_an_admin_agent_who_is_also_helpdesk_keeps_writing_everywhere(request_, partner):
    both = UserFactory(partner=partner, roles=["admin_agent", "helpdesk_agent"])
    service_request_add_note(actor=both, service_request=request_, text="Any request.")
    assert request_.notes.count() == 1
