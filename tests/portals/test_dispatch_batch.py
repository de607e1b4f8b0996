"""The dispatch relay's batches: many deliveries in one transaction with the result of one delivery
each, a fixed number of statements, the e-mails sent with the batch, a failing portal isolated."""

import json
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent
from portals import adapters
from portals.batch import dispatch_deliver_batch, dispatch_drain
from portals.models import PortalTicket
from servicerequests.models import Dispatch, Notification, ServiceRequest
from tests.factories import ServiceRequestFactory, UserFactory
from webhooks.models import WebhookDelivery, WebhookEvent, WebhookRegistration
from webhooks.services import webhook_event_emit

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


def pending(count, *, workload="m365", portal="m365", partner=None, **fields):
    made = []
    for _ in range(count):
        extra = {"partner": partner} if partner is not None else {}
        filer = UserFactory(**extra)
        request = ServiceRequestFactory(
            workload=workload, severity="critical", status="none", portal=portal, created_by=filer, **extra
        )
        made.append(
            Dispatch.objects.create(request=request, portal=portal, next_attempt_at=timezone.now(), **fields)
        )
    return made


@time_machine.travel(NOW, tick=False)
def test_a_batch_delivers_each_dispatch_as_one_delivery_would():
    dispatches = pending(3) + pending(2, workload="azure", portal="azure")

    result = dispatch_deliver_batch(limit=10)

    assert (result.claimed, result.delivered, result.failed, result.emails_sent) == (5, 5, 0, 5)
    for dispatch in dispatches:
        dispatch.refresh_from_db()
        request = dispatch.request
        request.refresh_from_db()
        ticket = PortalTicket.objects.get(service_request=request)
        assert (dispatch.status, dispatch.attempts, dispatch.delivered_at, dispatch.next_attempt_at) == (
            "delivered",
            1,
            NOW,
            None,
        )
        assert (request.status, request.external_ticket_id, request.portal, request.version) == (
            "open",
            ticket.ticket_number,
            dispatch.portal,
            2,
        )
        assert request.sla_due_at == NOW + timedelta(hours=2)  # critical: SR-PRIORITY
        event = AuditEvent.objects.get(action="servicerequest.dispatched", object_id=str(request.pk))
        assert event.after["externalTicketId"] == ticket.ticket_number
        assert event.after["attempts"] == 1
        note = Notification.objects.get(request=request, kind="filed")
        assert note.sent_at is not None and note.attempts == 1
    assert AuditEvent.objects.filter(action="portal.ticket_created").count() == 5
    assert sorted(m.to[0] for m in mail.outbox) == sorted(d.request.created_by.email for d in dispatches)
    bodies = {m.to[0]: m.body for m in mail.outbox}
    for dispatch in dispatches:  # each e-mail names its portal ticket
        assert dispatch.request.external_ticket_id in bodies[dispatch.request.created_by.email]


def test_a_second_batch_finds_nothing_and_nothing_is_delivered_twice():
    pending(4)
    assert dispatch_deliver_batch(limit=10).delivered == 4
    again = dispatch_deliver_batch(limit=10)
    assert (again.claimed, again.delivered) == (0, 0)
    assert PortalTicket.objects.count() == 4
    assert Notification.objects.count() == 4
    assert len(mail.outbox) == 4


def test_only_due_pending_dispatches_are_claimed_oldest_first():
    later = pending(1)[0]
    Dispatch.objects.filter(pk=later.pk).update(next_attempt_at=timezone.now() + timedelta(minutes=5))
    failed = pending(1, status="failed")[0]
    due = pending(3)
    result = dispatch_deliver_batch(limit=2)
    assert result.claimed == 2
    assert set(Dispatch.objects.filter(status="delivered").values_list("pk", flat=True)) == {
        due[0].pk,
        due[1].pk,
    }
    assert dispatch_drain(limit=2).delivered == 1
    assert Dispatch.objects.get(pk=later.pk).status == "pending"
    assert Dispatch.objects.get(pk=failed.pk).status == "failed"


def test_a_batch_runs_the_same_statements_whatever_its_size(django_assert_max_num_queries):
    pending(2)
    with django_assert_max_num_queries(20) as small:  # claim, requests, tickets, writes, e-mails
        dispatch_deliver_batch(limit=50)
    pending(20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert dispatch_deliver_batch(limit=50).delivered == 20


#: Statements of one batch on PostgreSQL, e-mails included: claim, requests, the check of the drawn
#: ticket numbers, tickets (in a savepoint), one UPDATE of the requests, one of the dispatches, the
#: audit events, the webhook subscriptions, the notifications (check, INSERT), then the e-mails'
#: claim (3), their sent_at (1).
BATCH_STATEMENTS = 20


@pytest.mark.parametrize("size", [1, 100])
@pytest.mark.parametrize("subscribed", [False, True])
def test_a_batch_of_100_runs_the_statements_of_a_batch_of_1(
    postgres_only, size, subscribed, django_assert_num_queries
):
    """SQLite splits a bulk INSERT past 999 parameters, so the pin is PostgreSQL's. A partner that
    subscribes to webhooks adds the same statements to a batch of 1 and of 100: the sequence
    counters (lock, increment, new ones in a savepoint), the events, the deliveries."""
    partner = UserFactory().partner
    if subscribed:
        subscribe(partner, user=UserFactory(partner=partner))
    pending(size, partner=partner)
    with django_assert_num_queries(BATCH_STATEMENTS + (6 if subscribed else 0)):
        result = dispatch_deliver_batch(limit=100)
    assert (result.delivered, result.emails_sent, result.one_by_one) == (size, size, False)
    assert Dispatch.objects.filter(status="delivered").count() == size
    assert PortalTicket.objects.count() == size


@time_machine.travel(NOW, tick=False)
def test_one_update_starts_each_clock_by_its_severity_and_keeps_a_running_one():
    fresh = {severity: pending(1)[0] for severity in ("critical", "moderate", "minimal")}
    for severity, dispatch in fresh.items():
        ServiceRequest.objects.filter(pk=dispatch.request_id).update(severity=severity)
    running = pending(1)[0]
    earlier = NOW - timedelta(minutes=30)
    ServiceRequest.objects.filter(pk=running.request_id).update(status="attention_needed", sla_due_at=earlier)

    assert dispatch_deliver_batch(limit=10).delivered == 4

    hours = {"critical": 2, "moderate": 4, "minimal": 8}  # SR-PRIORITY
    for severity, dispatch in fresh.items():
        request = ServiceRequest.objects.get(pk=dispatch.request_id)
        assert (request.status, request.sla_due_at) == ("open", NOW + timedelta(hours=hours[severity]))
    request = ServiceRequest.objects.get(pk=running.request_id)
    ticket = PortalTicket.objects.get(service_request=request)
    assert (request.status, request.sla_due_at, request.version) == ("attention_needed", earlier, 2)
    assert (request.external_ticket_id, request.portal) == (ticket.ticket_number, "m365")
    assert request.updated_at == NOW


def test_a_request_that_already_has_its_ticket_keeps_it():
    dispatch = pending(1)[0]
    adapters.adapter_for("m365").create_ticket(dispatch.request)
    number = PortalTicket.objects.get().ticket_number
    pending(2)
    assert dispatch_deliver_batch(limit=10).delivered == 3
    dispatch.request.refresh_from_db()
    assert dispatch.request.external_ticket_id == number
    assert PortalTicket.objects.count() == 3


def drawing(numbers):
    """A Microsoft 365 portal whose ticket numbers are drawn from ``numbers``, in order."""
    draws = iter(numbers)

    class Scripted(adapters.Microsoft365AdminCenterAdapter):
        def new_ticket_number(self, *, now):
            return next(draws)

    return Scripted()


def test_a_drawn_number_already_taken_is_drawn_again_and_the_batch_still_delivers(monkeypatch):
    """A taken number (or the same number twice in one batch) is drawn again before the INSERT, so
    the batch does not fail and fall back to one delivery at a time."""
    taken = pending(1)[0]
    monkeypatch.setitem(adapters.ADAPTERS, "m365", drawing(["10000001"]))
    assert dispatch_deliver_batch(limit=10).delivered == 1
    pending(3)
    monkeypatch.setitem(
        adapters.ADAPTERS, "m365", drawing(["10000001", "10000002", "10000002", "10000003", "10000004"])
    )

    result = dispatch_deliver_batch(limit=10)

    assert (result.delivered, result.one_by_one) == (3, False)
    numbers = dict(PortalTicket.objects.values_list("service_request_id", "ticket_number"))
    assert numbers[taken.request_id] == "10000001"
    assert sorted(numbers.values()) == ["10000001", "10000002", "10000003", "10000004"]


def test_a_portal_that_draws_only_taken_numbers_gives_up():
    dispatch = pending(1)[0]
    adapters.adapter_for("m365").create_ticket(dispatch.request)
    number = PortalTicket.objects.get().ticket_number
    with pytest.raises(adapters.TicketNumberExhausted):
        drawing([number] * 10).free_ticket_numbers(1, now=timezone.now())


class RefusingPortal(adapters.Microsoft365AdminCenterAdapter):
    """Refuses the tickets of one request, in a batch and alone."""

    def __init__(self, refused_request_id):
        self.refused = refused_request_id

    def create_ticket(self, service_request):
        if service_request.pk == self.refused:
            raise adapters.PortalUnavailable("portal timeout")
        return super().create_ticket(service_request)

    def create_tickets(self, service_requests, *, now):
        if any(sr.pk == self.refused for sr in service_requests):
            raise adapters.PortalUnavailable("portal timeout")
        return super().create_tickets(service_requests, now=now)


def test_a_refusing_portal_fails_only_its_dispatch_which_backs_off(
    monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.DISPATCH_RETRY_BACKOFF = 5.0
    dispatches = pending(3)
    refused = dispatches[1]
    monkeypatch.setitem(adapters.ADAPTERS, "m365", RefusingPortal(refused.request_id))

    with django_capture_on_commit_callbacks(execute=True):  # one by one: each e-mail its own task
        result = dispatch_deliver_batch(limit=10)

    assert (result.one_by_one, result.delivered, result.failed) == (True, 2, 1)
    refused.refresh_from_db()
    assert (refused.status, refused.attempts) == ("pending", 1)
    assert "PortalUnavailable: portal timeout" in refused.last_error
    assert refused.next_attempt_at > timezone.now()  # backing off: the next batch leaves it alone
    assert dispatch_deliver_batch(limit=10).claimed == 0
    assert PortalTicket.objects.count() == 2
    assert Notification.objects.filter(sent_at__isnull=False).count() == 2


def test_after_its_last_retry_a_refused_dispatch_fails(monkeypatch, settings):
    settings.DISPATCH_MAX_RETRIES = 2
    dispatch = pending(1, attempts=2)[0]
    monkeypatch.setitem(adapters.ADAPTERS, "m365", RefusingPortal(dispatch.request_id))
    assert dispatch_deliver_batch(limit=10).failed == 1
    dispatch.refresh_from_db()
    assert (dispatch.status, dispatch.attempts, dispatch.next_attempt_at) == ("failed", 3, None)
    assert AuditEvent.objects.filter(action="dispatch.failed").count() == 1


def subscribe(partner, *, user, events=("servicerequest-updated",)):
    return WebhookRegistration.objects.create(
        partner=partner,
        url="https://hooks.example/partner-center",
        events=list(events),
        secret_salt="salt",
        secret_hint="abcd",
        created_by=user,
    )


def test_subscribed_partners_get_their_webhook_event_and_the_others_none():
    subscriber = pending(1)[0]
    partner = subscriber.request.partner
    subscribe(partner, user=subscriber.request.created_by)
    pending(2)
    assert dispatch_deliver_batch(limit=10).delivered == 3
    events = WebhookEvent.objects.all()
    assert [(e.partner_id, e.resource_id) for e in events] == [(partner.pk, str(subscriber.request_id))]


@time_machine.travel(NOW, tick=False)
def test_a_batch_writes_the_webhook_events_one_emit_per_request_would(
    settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://portal.example"
    partner = UserFactory().partner
    subscribe(partner, user=UserFactory(partner=partner))
    dispatches = pending(3, partner=partner)
    earlier = dispatches[0].request
    with transaction.atomic():  # an earlier event about the first request: its counter is at 1
        webhook_event_emit(event_name="servicerequest-updated", obj=earlier)
    sent = []

    with (
        mock.patch("webhooks.services.enqueue", lambda task, pk: sent.append((task, pk))),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert dispatch_deliver_batch(limit=10).delivered == 3

    dispatched = WebhookEvent.objects.exclude(pk=WebhookEvent.objects.earliest("pk").pk).order_by("pk")
    assert sorted((e.resource_id, e.sequence_number) for e in dispatched) == sorted(
        [(str(earlier.pk), 2)] + [(str(d.request_id), 1) for d in dispatches[1:]]
    )
    for event in dispatched:
        request = ServiceRequest.objects.get(pk=event.resource_id)
        audit = AuditEvent.objects.get(action="servicerequest.dispatched", object_id=event.resource_id)
        body = json.loads(event.body)
        assert body["auditUri"] == f"https://portal.example/v1/auditrecords/{audit.pk}"
        assert body["sequenceNumber"] == event.sequence_number
        data = body["data"]
        assert (data["status"], data["externalTicketId"]) == ("open", request.external_ticket_id)
        assert data["version"] == request.version
    deliveries = WebhookDelivery.objects.filter(event__in=dispatched)
    assert {(d.status, d.url) for d in deliveries} == {("pending", "https://hooks.example/partner-center")}
    assert sorted(pk for _task, pk in sent) == sorted(d.pk for d in deliveries)


def test_an_e_mail_the_backend_refuses_is_left_unsent_for_its_task(monkeypatch):
    pending(2)
    sent_tasks = []
    monkeypatch.setattr("servicerequests.notifications.enqueue", lambda task, *args: sent_tasks.append(args))
    calls = {"n": 0}
    from django.core.mail.backends.locmem import EmailBackend

    original = EmailBackend.send_messages

    def refuse_first(self, messages):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError("SMTP down")
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", refuse_first)
    result = dispatch_deliver_batch(limit=10)
    assert (result.delivered, result.emails_sent) == (2, 1)
    unsent = Notification.objects.get(sent_at__isnull=True)
    assert (unsent.attempts, unsent.locked_until, unsent.last_error) == (1, None, "OSError: SMTP down")
    assert sent_tasks == [(unsent.pk,)]


def test_the_relay_command_runs_until_stopped_and_reports(monkeypatch, settings):
    import io
    import signal

    from django.core.management import call_command

    from portals.relay import DispatchRelay

    pending(3)
    handlers = {}

    def run(relay):
        handlers.update({s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)})
        relay.run_once()  # SQLite: no LISTEN, the batches only
        handlers[signal.SIGTERM]()  # what SIGTERM does: stop after this drain
        assert relay.stop.is_set()

    monkeypatch.setattr(DispatchRelay, "run", run)
    monkeypatch.setattr("portals.relay.close_old_connections", lambda: None)  # inside the test's transaction
    saved = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    out = io.StringIO()
    try:
        call_command("dispatch_relay", "--batch", "2", "--idle", "0.1", stdout=out)
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)
    assert "batches of 2" in out.getvalue()
    assert "stopped: 3 delivered, 3 e-mails" in out.getvalue()
    assert Dispatch.objects.filter(status="delivered").count() == 3
