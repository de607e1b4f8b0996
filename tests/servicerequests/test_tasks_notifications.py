"""Notifications: recorded with the change, e-mailed after commit, once; failures recorded and re-sent."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone

from servicerequests import notifications, tasks
from servicerequests.models import Notification
from servicerequests.notifications import notification_queue, notification_send
from tests.factories import ServiceRequestFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_and_people():
    request = ServiceRequestFactory(title="VPN down")
    people = [
        UserFactory(partner=request.partner, email="a@partner.example"),
        UserFactory(partner=request.partner, email="A@Partner.example"),  # same address, other case
        UserFactory(partner=request.partner, email=""),
        UserFactory(partner=request.partner, email="off@partner.example", is_active=False),
        UserFactory(partner=request.partner, email="b@partner.example"),
    ]
    return request, people


def test_recipients_are_deduplicated_and_skipped_without_address(
    request_and_people, django_capture_on_commit_callbacks
):
    request, people = request_and_people
    with django_capture_on_commit_callbacks(execute=True):
        created = notification_queue(kind="filed", service_request=request, recipients=people)
    assert [n.recipient_email for n in created] == ["a@partner.example", "b@partner.example"]
    assert sorted(m.to[0] for m in mail.outbox) == ["a@partner.example", "b@partner.example"]
    assert mail.outbox[0].subject == f"Service request {request.pk} filed: VPN down"
    assert mail.outbox[0].from_email == "portal@partnercenter.example"


def test_queueing_again_records_and_sends_nothing(request_and_people, django_capture_on_commit_callbacks):
    request, people = request_and_people
    with django_capture_on_commit_callbacks(execute=True):
        notification_queue(kind="filed", service_request=request, recipients=people)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert notification_queue(kind="filed", service_request=request, recipients=people) == []
    assert callbacks == []
    assert len(mail.outbox) == 2


def test_serialized_writers_check_once_and_insert_once(
    request_and_people, django_capture_on_commit_callbacks, django_assert_num_queries
):
    """Under the caller's lock: one query for those already notified, one INSERT for the rest."""
    request, people = request_and_people
    notification_queue(kind="filed", service_request=request, recipients=people[:1])  # "a" already has it
    with django_capture_on_commit_callbacks(execute=True), django_assert_num_queries(2):
        created = notification_queue(
            kind="filed", service_request=request, recipients=people, serialized=True
        )
    assert [n.recipient_email for n in created] == ["b@partner.example"]
    assert [m.to for m in mail.outbox] == [["b@partner.example"]]
    with django_assert_num_queries(1):
        assert (
            notification_queue(kind="filed", service_request=request, recipients=people, serialized=True)
            == []
        )
    assert Notification.objects.filter(request=request).count() == 2


def test_nothing_is_sent_when_the_transaction_rolls_back(
    request_and_people, django_capture_on_commit_callbacks
):
    request, people = request_and_people
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        notification_queue(kind="filed", service_request=request, recipients=people)
        raise RuntimeError("the change failed")
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_sending_twice_sends_once(request_and_people):
    request, people = request_and_people
    (notification,) = notification_queue(kind="sla_breached", service_request=request, recipients=people[:1])
    assert notification_send(notification_id=notification.pk) is True
    assert notification_send(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert (notification.attempts, notification.last_error) == (1, "")


def test_a_failing_backend_is_recorded_and_retried_then_given_up(request_and_people, monkeypatch, settings):
    settings.NOTIFICATION_MAX_RETRIES = 2
    request, people = request_and_people
    (notification,) = notification_queue(kind="filed", service_request=request, recipients=people[:1])

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("SMTP server down")

    monkeypatch.setattr(notifications, "send_mail", broken)
    assert tasks.send_notification.delay(notification.pk).result is False
    notification.refresh_from_db()
    assert notification.sent_at is None
    assert notification.attempts == 3
    assert notification.last_error == "ConnectionRefusedError: SMTP server down"


def test_the_sweeper_resends_unsent_notifications(request_and_people, settings):
    request, people = request_and_people
    settings.DISPATCH_SWEEP_MIN_AGE = 60
    (old,) = notification_queue(kind="filed", service_request=request, recipients=people[:1])
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    notification_queue(kind="sla_breached", service_request=request, recipients=people[:1])  # fresh
    assert tasks.sweep_notifications() == 1
    assert [m.to[0] for m in mail.outbox] == ["a@partner.example"]
    assert tasks.sweep_notifications() == 0


def test_an_e_mail_sent_again_after_a_fault_shows_as_a_second_attempt(request_and_people, monkeypatch):
    """Sent, then the database is lost before ``sent_at`` is recorded: the row already counted the
    attempt, holds a lease meanwhile (no immediate resend), and a later resend is attempt 2."""
    from django.db import OperationalError

    request, people = request_and_people
    (notification,) = notification_queue(kind="filed", service_request=request, recipients=people[:1])
    real_record = notifications._notification_record_sent

    def database_lost(notification_id):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(notifications, "_notification_record_sent", database_lost)
    with pytest.raises(OperationalError):
        notification_send(notification_id=notification.pk)
    notification.refresh_from_db()
    first_attempt_at = notification.last_attempt_at
    assert (len(mail.outbox), notification.attempts, notification.sent_at) == (1, 1, None)
    assert first_attempt_at is not None and notification.locked_until > first_attempt_at

    monkeypatch.setattr(notifications, "_notification_record_sent", real_record)
    assert notification_send(notification_id=notification.pk) is False  # the lease still holds
    with time_machine.travel(timezone.now() + timedelta(seconds=notifications.ATTEMPT_LEASE_SECONDS + 1)):
        assert notification_send(notification_id=notification.pk) is True
    notification.refresh_from_db()
    assert len(mail.outbox) == 2
    assert notification.attempts == 2
    assert notification.last_attempt_at > first_attempt_at
    assert (notification.sent_at is not None, notification.locked_until) == (True, None)
