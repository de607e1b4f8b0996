"""The dispatch relay on PostgreSQL: several relays draining at once deliver every dispatch exactly
once (``FOR UPDATE SKIP LOCKED``), and a new dispatch wakes a listening relay through the dispatch
table's NOTIFY without any broker message. Skipped without PostgreSQL (fails in CI)."""

import threading
import time

import pytest
from django.core import mail
from django.db import connections, transaction
from django.utils import timezone

from audit.models import AuditEvent
from portals.batch import dispatch_drain
from portals.models import PortalTicket
from portals.relay import DispatchRelay
from servicerequests.models import Dispatch, Notification
from tests.factories import PartnerFactory, ServiceRequestFactory, UserFactory
from webhooks.models import WebhookDelivery, WebhookEvent, WebhookRegistration

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def pending(count, *, partner=None):
    ids = []
    with transaction.atomic():
        for _ in range(count):
            filer = UserFactory(partner=partner) if partner is not None else UserFactory()
            request = ServiceRequestFactory(
                workload="m365",
                severity="moderate",
                status="none",
                portal="m365",
                partner=filer.partner,
                created_by=filer,
            )
            ids.append(
                Dispatch.objects.create(request=request, portal="m365", next_attempt_at=timezone.now()).pk
            )
    return ids


@pytest.mark.parametrize("subscribed", [False, True])
def test_several_relays_draining_at_once_deliver_each_dispatch_once(postgres_only, subscribed, monkeypatch):
    # The webhook deliveries' tasks are recorded, not run: sending them (eagerly, in the relays'
    # threads, with retries against a host that does not resolve) is the webhook tests' subject,
    # and its DNS lookups made this test's relays outlast their join on a slow machine.
    enqueued = []
    monkeypatch.setattr("webhooks.services.enqueue", lambda name, *args: enqueued.append((name, *args)))
    partner = PartnerFactory()
    if subscribed:  # one partner's requests: the relays share its registration, not its counters
        WebhookRegistration.objects.create(
            partner=partner,
            url="https://hooks.example/partner-center",
            events=["servicerequest-updated"],
            secret_salt="salt",
            secret_hint="abcd",
            created_by=UserFactory(partner=partner),
        )
    ids = pending(60, partner=partner)
    barrier = threading.Barrier(4)
    delivered, errors = [], []

    def relay():
        try:
            barrier.wait(timeout=10)
            delivered.append(dispatch_drain(limit=7).delivered)
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=relay) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not any(thread.is_alive() for thread in threads), "a relay outlasted its join"
    assert errors == []
    assert sum(delivered) == 60
    assert len([n for n in delivered if n]) >= 2  # they really shared the work
    assert list(Dispatch.objects.filter(pk__in=ids).values_list("status", "attempts").distinct()) == [
        ("delivered", 1)
    ]
    assert PortalTicket.objects.count() == 60
    assert AuditEvent.objects.filter(action="servicerequest.dispatched").count() == 60
    assert Notification.objects.filter(sent_at__isnull=False).count() == 60
    assert len(mail.outbox) == 60
    events = WebhookEvent.objects.filter(partner=partner)
    assert sorted(events.values_list("sequence_number", flat=True)) == ([1] * 60 if subscribed else [])
    assert events.values("resource_id").distinct().count() == (60 if subscribed else 0)
    deliveries = WebhookDelivery.objects.filter(partner=partner)
    assert deliveries.count() == (60 if subscribed else 0)
    assert sorted(enqueued) == sorted(
        ("webhooks.deliver", pk) for pk in deliveries.values_list("pk", flat=True)
    )


def test_a_new_dispatch_wakes_a_listening_relay_without_a_broker_message(postgres_only, monkeypatch):
    published = []
    monkeypatch.setattr("core.queueing.enqueue", lambda *args, **kwargs: published.append(args))
    relay = DispatchRelay(idle=30.0)  # only a NOTIFY can wake it within the test's wait
    ready = threading.Event()

    def run():
        try:
            relay.run_once()
            ready.set()
            while not relay.stop.is_set():
                relay._wait()
                relay.run_once()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    try:
        assert ready.wait(10)
        time.sleep(0.2)  # the relay is waiting in LISTEN
        started = time.monotonic()
        (dispatch_id,) = pending(1)
        deadline = started + 10

        def e_mailed():
            return Notification.objects.filter(
                request__dispatch__pk=dispatch_id, sent_at__isnull=False
            ).exists()

        while not e_mailed() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert e_mailed()
        assert time.monotonic() - started < 5  # woken by NOTIFY, not by the 30 s idle look
        assert Dispatch.objects.get(pk=dispatch_id).status == "delivered"
        assert published == []
    finally:
        relay.stop.set()
        with connections["default"].cursor() as cursor:  # wake it so it sees the stop
            cursor.execute("SELECT pg_notify('servicerequests_dispatch', '')")
        thread.join(timeout=40)
    assert relay.delivered == 1


def test_the_trigger_notifies_at_commit_for_a_new_or_retried_dispatch_only(postgres_only):
    import psycopg
    from django.db import connection

    settings_dict = connection.settings_dict
    listener = psycopg.connect(
        dbname=connection.settings_dict["NAME"],
        user=settings_dict["USER"],
        host=settings_dict["HOST"],
        port=settings_dict["PORT"] or 5432,
        password=settings_dict["PASSWORD"] or None,
        autocommit=True,
    )
    try:
        listener.execute("LISTEN servicerequests_dispatch")

        def received():
            return len(list(listener.notifies(timeout=0.5)))

        with transaction.atomic():
            (dispatch_id,) = pending(1)
            assert received() == 0  # nothing before commit
        assert received() == 1
        Dispatch.objects.filter(pk=dispatch_id).update(status="failed")
        assert received() == 0  # leaving pending wakes nobody
        Dispatch.objects.filter(pk=dispatch_id).update(status="pending")  # a user's retry
        assert received() == 1
    finally:
        listener.close()
