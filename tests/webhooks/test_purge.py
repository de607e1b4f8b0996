"""``webhook_delivery_purge``: finished deliveries older than ``WEBHOOK_DELIVERY_RETENTION_DAYS``
and the events left without a delivery are deleted in batches (the hourly
``webhooks.purge_deliveries``); pending deliveries and their events never are."""

import math
from datetime import timedelta

import pytest
from django.conf import settings as project_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEvent
from tests.factories import PartnerFactory
from webhooks.choices import DeliveryStatus, EventName
from webhooks.models import WebhookDelivery, WebhookEvent
from webhooks.services import WebhookPurge, webhook_delivery_purge
from webhooks.tasks import purge_deliveries

pytestmark = pytest.mark.django_db

DELIVERIES = WebhookDelivery._meta.db_table


@pytest.fixture
def partner():
    return PartnerFactory()


def _event(partner, *, age_days: float, name: str) -> WebhookEvent:
    return WebhookEvent.objects.create(
        partner=partner,
        event_name=EventName.TEST_CREATED,
        resource_name="webhookregistration",
        resource_id=name,
        sequence_number=1,
        body="{}",
        created_at=timezone.now() - timedelta(days=age_days),
    )


def _delivery(event, status: str, *, age_days: float, redelivery_of=None) -> WebhookDelivery:
    at = timezone.now() - timedelta(days=age_days)
    return WebhookDelivery.objects.create(
        partner_id=event.partner_id,
        event=event,
        redelivery_of=redelivery_of,
        url="https://hooks.example.com/pc",
        status=status,
        attempts=0 if status == DeliveryStatus.PENDING else 1,
        next_attempt_at=at if status == DeliveryStatus.PENDING else None,
        delivered_at=at if status == DeliveryStatus.DELIVERED else None,
        created_at=at,
        updated_at=at,
    )


def _events() -> list[str]:
    return sorted(WebhookEvent.objects.values_list("resource_id", flat=True))


def test_only_finished_deliveries_past_the_retention_go_and_the_events_they_leave_empty(partner):
    done = _event(partner, age_days=40, name="done")
    _delivery(done, DeliveryStatus.DELIVERED, age_days=40)
    _delivery(done, DeliveryStatus.FAILED, age_days=40)
    retrying = _event(partner, age_days=40, name="retrying")
    old_pending = _delivery(retrying, DeliveryStatus.PENDING, age_days=40)
    recent = _event(partner, age_days=5, name="recent")
    recent_delivered = _delivery(recent, DeliveryStatus.DELIVERED, age_days=5)
    _event(partner, age_days=40, name="old, never delivered")  # no registration subscribed
    _event(partner, age_days=5, name="recent, never delivered")
    now = timezone.now()

    assert webhook_delivery_purge(now=now, retention_days=30) == WebhookPurge(deliveries=2, events=2)

    assert set(WebhookDelivery.objects.values_list("pk", flat=True)) == {old_pending.pk, recent_delivered.pk}
    assert _events() == ["recent", "recent, never delivered", "retrying"]
    event = AuditEvent.objects.get(action="webhook.deliveries_purged")
    assert (event.actor_id, event.partner_id, event.object_type) == (None, None, "webhooks.WebhookDelivery")
    assert event.after == {
        "deliveries": 2,
        "events": 2,
        "retentionDays": 30,
        "createdBefore": (now - timedelta(days=30)).isoformat(),
    }


def test_a_redelivery_outlives_its_purged_original(partner):
    event = _event(partner, age_days=40, name="redelivered")
    original = _delivery(event, DeliveryStatus.FAILED, age_days=40)
    pending = _delivery(event, DeliveryStatus.PENDING, age_days=0, redelivery_of=original)
    finished = _delivery(event, DeliveryStatus.DELIVERED, age_days=1, redelivery_of=original)

    assert webhook_delivery_purge(retention_days=30) == WebhookPurge(deliveries=1, events=0)

    assert not WebhookDelivery.objects.filter(pk=original.pk).exists()
    for redelivery in (pending, finished):
        redelivery.refresh_from_db()
        assert (redelivery.redelivery_of_id, redelivery.event_id) == (None, event.pk)
    assert _events() == ["redelivered"]  # its redeliveries still point at it


def test_a_redelivery_purged_before_its_original_leaves_the_original_alone(partner):
    event = _event(partner, age_days=90, name="both old")
    original = _delivery(event, DeliveryStatus.DELIVERED, age_days=90)
    _delivery(event, DeliveryStatus.DELIVERED, age_days=60, redelivery_of=original)
    assert webhook_delivery_purge(retention_days=30, batch_size=1) == WebhookPurge(deliveries=2, events=1)
    assert not WebhookDelivery.objects.exists()
    assert not WebhookEvent.objects.exists()


@pytest.mark.parametrize("given", [{}, {"retention_days": 0}])
def test_retention_0_keeps_everything(settings, partner, given):
    settings.WEBHOOK_DELIVERY_RETENTION_DAYS = 0
    _delivery(_event(partner, age_days=4000, name="ancient"), DeliveryStatus.DELIVERED, age_days=4000)
    _event(partner, age_days=4000, name="ancient, never delivered")
    with CaptureQueriesContext(connection) as captured:
        assert webhook_delivery_purge(**given) == WebhookPurge()
    assert captured.captured_queries == []
    assert (WebhookDelivery.objects.count(), WebhookEvent.objects.count()) == (1, 2)
    assert not AuditEvent.objects.filter(action="webhook.deliveries_purged").exists()


def test_deliveries_are_kept_30_days_by_default():
    assert project_settings.WEBHOOK_DELIVERY_RETENTION_DAYS == 30


@pytest.mark.parametrize(
    ("rows", "batch", "deletes"), [(0, 4, 0), (3, 4, 1), (8, 4, 2), (9, 4, 3), (25, 10, 3)]
)
def test_a_purge_of_n_deliveries_runs_ceil_n_over_batch_deletes(partner, rows, batch, deletes):
    event = _event(partner, age_days=1, name="recent event")  # kept: not old, whatever its deliveries
    for _ in range(rows):
        _delivery(event, DeliveryStatus.DELIVERED, age_days=60)
    kept = _delivery(event, DeliveryStatus.DELIVERED, age_days=1)

    with CaptureQueriesContext(connection) as captured:
        assert webhook_delivery_purge(retention_days=30, batch_size=batch) == WebhookPurge(deliveries=rows)

    deletes_run = [
        q["sql"] for q in captured.captured_queries if q["sql"].startswith(f'DELETE FROM "{DELIVERIES}"')
    ]
    assert len(deletes_run) == deletes == math.ceil(rows / batch)
    assert list(WebhookDelivery.objects.values_list("pk", flat=True)) == [kept.pk]


def test_a_run_stops_after_its_limit_and_the_next_goes_on(partner):
    event = _event(partner, age_days=60, name="busy")
    for _ in range(5):
        _delivery(event, DeliveryStatus.DELIVERED, age_days=60)
    assert webhook_delivery_purge(retention_days=30, batch_size=2, limit=2) == WebhookPurge(deliveries=2)
    assert webhook_delivery_purge(retention_days=30, batch_size=2, limit=2) == WebhookPurge(deliveries=2)
    assert webhook_delivery_purge(retention_days=30, batch_size=2, limit=2) == WebhookPurge(
        deliveries=1, events=1
    )
    assert (WebhookDelivery.objects.count(), WebhookEvent.objects.count()) == (0, 0)


def test_the_task_returns_the_counts(settings, partner):
    settings.WEBHOOK_DELIVERY_RETENTION_DAYS = 30
    event = _event(partner, age_days=31, name="old")
    _delivery(event, DeliveryStatus.DELIVERED, age_days=31)
    _delivery(event, DeliveryStatus.FAILED, age_days=31)
    _delivery(_event(partner, age_days=31, name="pending"), DeliveryStatus.PENDING, age_days=31)
    assert purge_deliveries.delay().get() == {"deliveries": 2, "events": 1}
    assert purge_deliveries.delay().get() == {"deliveries": 0, "events": 0}
    assert AuditEvent.objects.filter(action="webhook.deliveries_purged").count() == 1
