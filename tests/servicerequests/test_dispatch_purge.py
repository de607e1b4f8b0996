"""``dispatch_purge_delivered``: delivered dispatches older than ``DISPATCH_RETENTION_DAYS`` are
deleted in batches (the hourly ``servicerequests.purge_dispatches``); the outbox's pending and
failed rows never are."""

import math
from datetime import timedelta

import pytest
from django.conf import settings as project_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEvent
from servicerequests.choices import DispatchStatus, Portal
from servicerequests.models import Dispatch, ServiceRequest
from servicerequests.services import dispatch_purge_delivered
from servicerequests.tasks import purge_dispatches
from tests.factories import ServiceRequestFactory

pytestmark = pytest.mark.django_db

TABLE = Dispatch._meta.db_table


def _dispatch(status: str, *, age_days: float, label: str = "") -> Dispatch:
    """A request and its dispatch, filed ``age_days`` ago; delivered then if ``status`` says so."""
    at = timezone.now() - timedelta(days=age_days)
    request = ServiceRequestFactory(title=label or f"{status} {age_days}")
    return Dispatch.objects.create(
        request=request,
        portal=Portal.M365,
        status=status,
        attempts=0 if status == DispatchStatus.PENDING else 1,
        created_at=at,
        updated_at=at,
        next_attempt_at=at if status == DispatchStatus.PENDING else None,
        delivered_at=at if status == DispatchStatus.DELIVERED else None,
    )


def _remaining() -> list[str]:
    return sorted(Dispatch.objects.values_list("request__title", flat=True))


def test_only_delivered_dispatches_past_the_retention_go(settings):
    settings.DISPATCH_RETENTION_DAYS = 30
    _dispatch(DispatchStatus.DELIVERED, age_days=31, label="old delivered")
    _dispatch(DispatchStatus.DELIVERED, age_days=29, label="recent delivered")
    _dispatch(DispatchStatus.PENDING, age_days=400, label="old pending")
    _dispatch(DispatchStatus.FAILED, age_days=400, label="old failed")
    now = timezone.now()

    assert dispatch_purge_delivered(now=now) == 1

    assert _remaining() == ["old failed", "old pending", "recent delivered"]
    assert ServiceRequest.objects.count() == 4  # the requests themselves stay
    event = AuditEvent.objects.get(action="dispatch.purged")
    assert (event.actor_id, event.partner_id, event.object_type, event.object_id) == (
        None,
        None,
        "servicerequests.Dispatch",
        "",
    )
    assert event.after == {
        "dispatches": 1,
        "retentionDays": 30,
        "deliveredBefore": (now - timedelta(days=30)).isoformat(),
    }


def test_a_second_run_deletes_nothing_and_records_nothing(settings):
    settings.DISPATCH_RETENTION_DAYS = 30
    _dispatch(DispatchStatus.DELIVERED, age_days=31)
    assert dispatch_purge_delivered() == 1
    assert dispatch_purge_delivered() == 0
    assert AuditEvent.objects.filter(action="dispatch.purged").count() == 1


@pytest.mark.parametrize("given", [{}, {"retention_days": 0}, {"retention_days": -1}])
def test_retention_0_keeps_every_dispatch(settings, given):
    settings.DISPATCH_RETENTION_DAYS = 0
    _dispatch(DispatchStatus.DELIVERED, age_days=4000)
    with CaptureQueriesContext(connection) as captured:
        assert dispatch_purge_delivered(**given) == 0
    assert captured.captured_queries == []
    assert Dispatch.objects.count() == 1
    assert not AuditEvent.objects.filter(action="dispatch.purged").exists()


def test_the_default_keeps_every_dispatch():
    assert project_settings.DISPATCH_RETENTION_DAYS == 0


@pytest.mark.parametrize(("rows", "batch", "deletes"), [(0, 4, 0), (3, 4, 1), (8, 4, 2), (9, 4, 3)])
def test_a_purge_of_n_dispatches_runs_ceil_n_over_batch_deletes(rows, batch, deletes):
    for _ in range(rows):
        _dispatch(DispatchStatus.DELIVERED, age_days=60)
    _dispatch(DispatchStatus.DELIVERED, age_days=1, label="recent")

    with CaptureQueriesContext(connection) as captured:
        assert dispatch_purge_delivered(retention_days=30, batch_size=batch) == rows

    statements = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("DELETE")]
    assert statements == [s for s in statements if s.startswith(f'DELETE FROM "{TABLE}"')]
    assert len(statements) == deletes == math.ceil(rows / batch)
    assert _remaining() == ["recent"]


def test_a_run_stops_after_its_limit_and_the_next_goes_on():
    for _ in range(7):
        _dispatch(DispatchStatus.DELIVERED, age_days=60)
    assert dispatch_purge_delivered(retention_days=30, batch_size=2, limit=3) == 4  # two whole batches
    assert dispatch_purge_delivered(retention_days=30, batch_size=2, limit=3) == 3
    assert Dispatch.objects.count() == 0
    runs = AuditEvent.objects.filter(action="dispatch.purged").order_by("id")
    assert [event.after["dispatches"] for event in runs] == [4, 3]


def test_the_task_returns_the_count(settings):
    settings.DISPATCH_RETENTION_DAYS = 30
    _dispatch(DispatchStatus.DELIVERED, age_days=31)
    _dispatch(DispatchStatus.DELIVERED, age_days=90)
    _dispatch(DispatchStatus.PENDING, age_days=90)
    assert purge_dispatches.delay().get() == {"dispatches": 2}
    assert purge_dispatches.delay().get() == {"dispatches": 0}
