"""Simulated portal progress: the engineer asks (attention needed), then closes; each step syncs back once."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from audit.models import AuditEvent
from portals import tasks
from portals.models import PortalTicket
from portals.services import portal_ticket_advance
from portals.tasks import dispatch_service_request
from servicerequests.models import Dispatch, Note, Notification
from tests.factories import PartnerFactory, ServiceRequestFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


@pytest.fixture
def progress(settings):
    settings.PORTAL_PROGRESS_ENABLED = True
    settings.PORTAL_PROGRESS_ATTENTION_AFTER = 120
    settings.PORTAL_PROGRESS_CLOSE_AFTER = 600


@pytest.fixture
def dispatched():
    """A dispatched m365 request at T0, filed by Fay and assigned to Gus."""
    partner = PartnerFactory()
    filer = UserFactory(partner=partner, roles=["admin_agent"], email="fay@partner.example")
    assignee = UserFactory(partner=partner, roles=["admin_agent"], email="gus@partner.example")
    request = ServiceRequestFactory(
        partner=partner,
        workload="m365",
        severity="moderate",
        status="none",
        created_by=filer,
        assigned_to=assignee,
    )
    dispatch = Dispatch.objects.create(request=request, portal="m365")
    with time_machine.travel(T0, tick=False):
        dispatch_service_request.delay(dispatch.pk)
    request.refresh_from_db()
    return request


def run_at(moment, django_capture_on_commit_callbacks):
    with time_machine.travel(moment, tick=False), django_capture_on_commit_callbacks(execute=True):
        return tasks.progress_tickets()


def test_progress_is_off_unless_enabled(dispatched, django_capture_on_commit_callbacks):
    assert run_at(T0 + timedelta(days=1), django_capture_on_commit_callbacks) == 0
    assert PortalTicket.objects.get().status == "open"


def test_the_engineer_asks_then_closes_and_each_step_syncs_back_once(
    progress, dispatched, django_capture_on_commit_callbacks
):
    request = dispatched
    assert run_at(T0 + timedelta(seconds=119), django_capture_on_commit_callbacks) == 0

    assert run_at(T0 + timedelta(seconds=120), django_capture_on_commit_callbacks) == 1
    request.refresh_from_db()
    ticket = PortalTicket.objects.get()
    assert (ticket.status, request.status) == ("attention_needed", "attention_needed")
    assert request.first_response_at == T0 + timedelta(seconds=120)
    assert request.version == 3
    note = Note.objects.get()
    assert note.created_by_id is None
    assert note.created_by_name == "Microsoft 365 support engineer"
    assert note.text.startswith("I am the support engineer who owns this case.")
    assert ticket.details["notes"][0]["by"] == "Microsoft 365 support engineer"
    assert sorted(m.to[0] for m in mail.outbox) == ["fay@partner.example", "gus@partner.example"]
    assert {m.subject for m in mail.outbox} == {
        f"Action needed on service request {request.pk}: {request.title}"
    }
    assert note.text in mail.outbox[0].body
    event = AuditEvent.objects.get(action="servicerequest.portal_updated")
    assert event.before == {"status": "open", "firstResponseAt": None}
    assert event.after["status"] == "attention_needed"

    assert run_at(T0 + timedelta(seconds=300), django_capture_on_commit_callbacks) == 0  # nothing due yet

    assert run_at(T0 + timedelta(seconds=600), django_capture_on_commit_callbacks) == 1
    request.refresh_from_db()
    ticket.refresh_from_db()
    assert (ticket.status, request.status) == ("closed", "closed")
    assert request.closed_at == T0 + timedelta(seconds=600)
    assert request.first_response_at == T0 + timedelta(seconds=120)
    assert Note.objects.count() == 2
    assert Notification.objects.filter(kind="status_closed").count() == 2
    assert len(mail.outbox) == 4

    assert run_at(T0 + timedelta(days=2), django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 4
    assert AuditEvent.objects.filter(action="portal.ticket_updated").count() == 2


def test_advancing_the_same_step_twice_does_nothing_the_second_time(progress, dispatched):
    ticket = PortalTicket.objects.get()
    moment = T0 + timedelta(minutes=3)
    assert portal_ticket_advance(ticket_id=ticket.pk, now=moment).status == "attention_needed"
    assert portal_ticket_advance(ticket_id=ticket.pk, now=moment) is None
    assert Note.objects.count() == 1


def test_a_request_the_partner_closed_only_closes_the_ticket(
    progress, dispatched, django_capture_on_commit_callbacks
):
    request = dispatched
    type(request).objects.filter(pk=request.pk).update(status="closed", closed_at=T0 + timedelta(seconds=30))
    assert run_at(T0 + timedelta(seconds=120), django_capture_on_commit_callbacks) == 1
    assert PortalTicket.objects.get().status == "closed"
    request.refresh_from_db()
    assert (request.status, request.version) == ("closed", 2)
    assert Note.objects.count() == 0
    assert mail.outbox == []
