"""Webhook attempts are bounded whatever the endpoint does, and signed the Standard Webhooks way.

A hostile endpoint on loopback drips its answer one byte at a time (each byte resets a read
timeout): the attempt still ends at ``WEBHOOKS_ATTEMPT_DEADLINE`` and counts as a failed attempt, so
the delivery reaches ``failed`` at the attempt limit instead of staying ``pending`` forever.
"""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone
from standardwebhooks import Webhook, WebhookVerificationError

from webhooks import services
from webhooks.choices import DeliveryStatus
from webhooks.models import WebhookDelivery
from webhooks.services import webhook_registration_create, webhook_test_send
from webhooks.signing import standard_secret
from webhooks.tasks import deliver_webhook

STATUS_LINE = b"HTTP/1.1 200 OK\r\n"


@contextmanager
def dripping_endpoint(head: bytes, drip: bytes = b"X", every: float = 0.3, lasting: float = 8.0):
    """A TCP server that reads the request, sends ``head`` and then ``drip`` every ``every`` seconds."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    stop = threading.Event()

    def serve():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            threading.Thread(target=drip_to, args=(conn,), daemon=True).start()

    def drip_to(conn):
        with conn:
            conn.settimeout(2)
            try:
                conn.recv(65536)
                conn.sendall(head)
                ends = time.monotonic() + lasting
                while not stop.is_set() and time.monotonic() < ends:
                    conn.sendall(drip)
                    time.sleep(every)
            except OSError:
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}/hooks"
    finally:
        stop.set()
        thread.join(timeout=2)
        server.close()


@pytest.fixture
def short_deadline(settings):
    settings.WEBHOOKS_ATTEMPT_DEADLINE = 1.5
    settings.WEBHOOKS_READ_TIMEOUT = 1.0  # longer than the drip interval: the read timeout never fires
    settings.WEBHOOKS_MAX_ATTEMPTS = 2
    return settings


@pytest.mark.parametrize(
    "head",
    [STATUS_LINE, STATUS_LINE + b"Content-Length: 100000\r\n\r\n"],
    ids=["headers dripped", "body dripped"],
)
def test_a_dripping_endpoint_is_cut_at_the_deadline_and_counted(
    world, short_deadline, django_capture_on_commit_callbacks, head
):
    with dripping_endpoint(head) as url:
        webhook_registration_create(actor=world.admin, url=url, events=["test-created"])
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            webhook_test_send(actor=world.admin)
        elapsed = time.monotonic() - started
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 2)
    assert delivery.last_error == "AttemptDeadlineExceeded: no complete answer within 1.5 s"
    assert elapsed < 2 * 1.5 + 3  # two attempts, each ended by the deadline (not by the 8 s drip)


def test_an_attempt_interrupted_by_the_time_limit_counts(
    world, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_MAX_ATTEMPTS = 2
    webhook_registration_create(actor=world.admin, url=receiver.url, events=["test-created"])
    with (
        mock.patch("webhooks.tasks.webhook_delivery_attempt", side_effect=SoftTimeLimitExceeded()),
        django_capture_on_commit_callbacks(execute=True),
    ):
        webhook_test_send(actor=world.admin)  # eager: the task and its retry run at once
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 2)
    assert delivery.last_error == "attempt interrupted: task time limit reached"


def test_the_lease_outlasts_the_task():
    assert services._lease_seconds() > deliver_webhook.time_limit > deliver_webhook.soft_time_limit
    assert deliver_webhook.soft_time_limit > 15.0  # the default attempt deadline ends an attempt first


def test_deliveries_verify_as_standard_webhooks_and_replays_are_refused(
    world, receiver, django_capture_on_commit_callbacks
):
    _, secret = webhook_registration_create(actor=world.admin, url=receiver.url, events=["test-created"])
    with django_capture_on_commit_callbacks(execute=True):
        webhook_test_send(actor=world.admin)
    [received] = receiver.requests
    headers = {name.lower(): value for name, value in received.headers.items()}
    delivery = WebhookDelivery.objects.get()
    assert headers["webhook-id"] == str(delivery.delivery_id) == received.delivery_id
    assert abs(int(headers["webhook-timestamp"]) - timezone.now().timestamp()) < 60
    assert headers["webhook-signature"].startswith("v1,")

    receiver_side = Webhook(standard_secret(secret))
    assert receiver_side.verify(received.body, headers)["eventName"] == "test-created"
    with pytest.raises(WebhookVerificationError):
        receiver_side.verify(received.body + b" ", headers)
    old = int((timezone.now() - timedelta(minutes=10)).timestamp())
    with pytest.raises(WebhookVerificationError):  # a replay: the signed timestamp is too old
        receiver_side.verify(received.body, {**headers, "webhook-timestamp": str(old)})
    with pytest.raises(WebhookVerificationError):
        Webhook(standard_secret(secret + "x")).verify(received.body, headers)
