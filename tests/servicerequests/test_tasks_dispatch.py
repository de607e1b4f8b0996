"""The dispatch task and its sweeper: delivery, idempotency, retries with backoff, final failure."""

import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connections
from django.utils import timezone

from audit.models import AuditEvent
from portals import adapters
from portals import tasks as portal_tasks
from portals.dispatch import dispatch_deliver
from portals.models import PortalTicket
from servicerequests import tasks
from servicerequests.models import Dispatch
from tests.factories import ServiceRequestFactory

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


def make_dispatch(*, workload="m365", portal="m365", severity="critical", **fields):
    request = ServiceRequestFactory(workload=workload, severity=severity, status="none", portal=portal)
    return Dispatch.objects.create(request=request, portal=portal, next_attempt_at=timezone.now(), **fields)


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    "workload,portal,severity,number,target",
    [
        ("azure", "azure", "critical", r"26112500\d{8}", timedelta(hours=2)),
        ("m365", "m365", "moderate", r"[1-9]\d{7}", timedelta(hours=4)),
        ("ems", "m365", "minimal", r"[1-9]\d{7}", timedelta(hours=8)),
        ("dynamics", "dynamics", "minimal", r"CAS-\d{5}-[A-Z0-9]{6}", timedelta(hours=8)),
    ],
)
def test_delivery_opens_the_request_with_ticket_and_sla_clock(workload, portal, severity, number, target):
    dispatch = make_dispatch(workload=workload, portal=portal, severity=severity)

    assert portal_tasks.dispatch_service_request.delay(dispatch.pk).get() == "delivered"

    dispatch.refresh_from_db()
    request = dispatch.request
    request.refresh_from_db()
    ticket = PortalTicket.objects.get(service_request=request)
    assert re.fullmatch(number, ticket.ticket_number)
    assert (request.status, request.external_ticket_id, request.portal) == (
        "open",
        ticket.ticket_number,
        portal,
    )
    assert request.sla_due_at == NOW + target
    assert request.version == 2
    assert (dispatch.status, dispatch.attempts, dispatch.delivered_at, dispatch.next_attempt_at) == (
        "delivered",
        1,
        NOW,
        None,
    )
    event = AuditEvent.objects.get(action="servicerequest.dispatched")
    assert event.before == {"status": "none", "externalTicketId": "", "slaDueAt": None}
    assert event.after == {
        "status": "open",
        "externalTicketId": ticket.ticket_number,
        "portal": portal,
        "slaDueAt": (NOW + target).isoformat(),
        "attempts": 1,
    }
    assert AuditEvent.objects.filter(action="portal.ticket_created").count() == 1


@pytest.mark.django_db
def test_running_the_task_twice_changes_nothing_the_second_time():
    dispatch = make_dispatch()
    portal_tasks.dispatch_service_request.delay(dispatch.pk)
    portal_tasks.dispatch_service_request.delay(dispatch.pk)
    dispatch.refresh_from_db()
    assert dispatch.attempts == 1
    assert PortalTicket.objects.count() == 1
    assert AuditEvent.objects.filter(action="servicerequest.dispatched").count() == 1
    assert dispatch.request.version == 2


@pytest.mark.django_db
def test_an_existing_portal_ticket_is_reused_not_duplicated():
    """A worker that crashed after the portal took the ticket but before recording it retries safely."""
    dispatch = make_dispatch()
    ticket, created = adapters.portal_ticket_create(
        service_request=dispatch.request, portal="m365", new_ticket_number=lambda now: "12345678"
    )
    assert created is True
    portal_tasks.dispatch_service_request.delay(dispatch.pk)
    dispatch.request.refresh_from_db()
    assert dispatch.request.external_ticket_id == "12345678"
    assert PortalTicket.objects.count() == 1


@pytest.mark.django_db
def test_a_ticket_number_collision_draws_another_number():
    first, second = make_dispatch(), make_dispatch()
    numbers = iter(["11111111", "11111111", "22222222"])
    adapters.portal_ticket_create(
        service_request=first.request, portal="m365", new_ticket_number=lambda now: "11111111"
    )
    ticket, created = adapters.portal_ticket_create(
        service_request=second.request, portal="m365", new_ticket_number=lambda now: next(numbers)
    )
    assert (ticket.ticket_number, created) == ("22222222", True)


class FlakyPortal(adapters.PortalAdapter):
    portal = "m365"

    def __init__(self, failures):
        self.failures = failures
        self.calls = 0

    def create_ticket(self, service_request):
        self.calls += 1
        if self.calls <= self.failures:
            raise adapters.PortalUnavailable(f"portal timeout #{self.calls}")
        return super().create_ticket(service_request)

    def new_ticket_number(self, *, now):
        return "87654321"


@pytest.fixture
def flaky(monkeypatch, settings):
    settings.DISPATCH_MAX_RETRIES = 3

    def install(failures):
        portal = FlakyPortal(failures)
        monkeypatch.setitem(adapters.ADAPTERS, "m365", portal)
        return portal

    return install


@pytest.mark.django_db
def test_a_transient_failure_is_retried_until_delivered(flaky):
    portal = flaky(failures=2)
    dispatch = make_dispatch()
    portal_tasks.dispatch_service_request.delay(dispatch.pk)  # eager: the retries run at once
    dispatch.refresh_from_db()
    assert portal.calls == 3
    assert (dispatch.status, dispatch.attempts, dispatch.last_error) == ("delivered", 3, "")
    assert dispatch.request.portal_ticket.ticket_number == "87654321"


@pytest.mark.django_db
def test_after_the_last_retry_the_dispatch_is_failed_with_the_error(flaky):
    portal = flaky(failures=99)
    dispatch = make_dispatch()
    portal_tasks.dispatch_service_request.delay(dispatch.pk)
    dispatch.refresh_from_db()
    assert portal.calls == 4  # the first attempt and DISPATCH_MAX_RETRIES=3 retries
    assert (dispatch.status, dispatch.attempts) == ("failed", 4)
    assert dispatch.last_error == "PortalUnavailable: portal timeout #4"
    assert dispatch.can_retry is True
    dispatch.request.refresh_from_db()
    assert (dispatch.request.status, dispatch.request.external_ticket_id) == ("none", "")
    assert PortalTicket.objects.count() == 0
    event = AuditEvent.objects.get(action="dispatch.failed")
    assert event.after == {
        "status": "failed",
        "attempts": 4,
        "lastError": "PortalUnavailable: portal timeout #4",
    }


@pytest.mark.parametrize("retries", range(8))
def test_backoff_grows_exponentially_with_jitter_and_a_cap(retries):
    ceiling = min(300.0, 5.0 * 2**retries)
    for _ in range(50):
        countdown = tasks.retry_countdown(retries, factor=5.0, maximum=300.0)
        assert ceiling / 2 <= countdown <= ceiling


@pytest.mark.django_db
def test_a_missing_dispatch_is_not_an_error():
    assert portal_tasks.dispatch_service_request.delay(987654).get() == "missing"


@pytest.mark.django_db
def test_the_sweeper_sends_overdue_pending_dispatches_only(monkeypatch, settings):
    settings.DISPATCH_SWEEP_MIN_AGE = 60
    now = timezone.now()
    overdue = make_dispatch()
    Dispatch.objects.filter(pk=overdue.pk).update(next_attempt_at=now - timedelta(seconds=61))
    legacy = make_dispatch()
    Dispatch.objects.filter(pk=legacy.pk).update(next_attempt_at=None, created_at=now - timedelta(minutes=5))
    make_dispatch()  # fresh: its own message is still on the way
    backing_off = make_dispatch()
    Dispatch.objects.filter(pk=backing_off.pk).update(next_attempt_at=now + timedelta(minutes=2))
    delivered = make_dispatch(status="delivered")
    Dispatch.objects.filter(pk=delivered.pk).update(next_attempt_at=now - timedelta(hours=1))
    failed = make_dispatch(status="failed")
    Dispatch.objects.filter(pk=failed.pk).update(next_attempt_at=now - timedelta(hours=1))
    sent = []
    monkeypatch.setattr(tasks, "enqueue", lambda task, *args: sent.append((task, args)) or True)

    assert tasks.sweep_dispatches() == 2
    assert sorted(sent) == sorted(
        [("servicerequests.dispatch", (overdue.pk,)), ("servicerequests.dispatch", (legacy.pk,))]
    )


@pytest.mark.django_db
def test_the_sweeper_delivers_through_the_task():
    dispatch = make_dispatch()
    assert tasks.sweep_dispatches(min_age_seconds=0) == 1
    dispatch.refresh_from_db()
    assert dispatch.status == "delivered"
    assert tasks.sweep_dispatches(min_age_seconds=0) == 0


@pytest.mark.django_db
def test_delivery_uses_a_fixed_number_of_queries(django_assert_max_num_queries):
    dispatch = make_dispatch()
    with django_assert_max_num_queries(14):  # locks, ticket, request, dispatch, audit events, webhook outbox
        dispatch_deliver(dispatch_id=dispatch.pk)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_create_one_portal_ticket(postgres_only):
    dispatch = make_dispatch()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=5)
            results.append(dispatch_deliver(dispatch_id=dispatch.pk).status)
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert results == ["delivered", "delivered"]
    assert PortalTicket.objects.filter(service_request_id=dispatch.request_id).count() == 1
    dispatch.refresh_from_db()
    assert dispatch.attempts == 1
    assert AuditEvent.objects.filter(action="servicerequest.dispatched").count() == 1


@pytest.mark.django_db
def test_the_admin_shows_each_dispatchs_state_attempts_and_last_error(client, admin_user, flaky):
    flaky(failures=99)
    dispatch = make_dispatch()
    portal_tasks.dispatch_service_request.delay(dispatch.pk)
    client.force_login(admin_user)

    page = client.get(f"/admin/servicerequests/servicerequest/{dispatch.request_id}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "PortalUnavailable: portal timeout #4" in html
    assert "Failed" in html
    listing = client.get("/admin/servicerequests/dispatch/?status__exact=failed")
    assert listing.status_code == 200
    assert "PortalUnavailable: portal timeout #4" in listing.content.decode()
