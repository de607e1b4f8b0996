"""``bench.maintenance``: partners added up to the asked number, each maintenance task's body run
once and timed against its soft time limit, the aged idempotency records purged."""

from __future__ import annotations

import pytest

from bench import maintenance
from core.models import IdempotencyRecord
from partners.models import Partner
from queues.tasks import refresh_report_rollup
from tests.factories import PartnerFactory, ServiceRequestFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_measure_times_every_task_against_its_limit(monkeypatch):
    purged = []
    monkeypatch.setattr("partnercenter.celery.app.control.purge", lambda: purged.append(True) or 0)
    big, small = PartnerFactory(), PartnerFactory()
    for _ in range(3):
        ServiceRequestFactory(partner=big)
    ServiceRequestFactory(partner=small)
    user = UserFactory(partner=big)
    for index in range(4):
        IdempotencyRecord.objects.create(user=user, request_id=f"r{index}", method="POST", path="/v1/x")

    results = maintenance.measure(Partner.objects.count() + 2)

    assert results["partners_added"] == 2
    assert Partner.objects.filter(name__startswith="Bench Maintenance Partner").count() == 2
    assert maintenance.measure(Partner.objects.count())["partners_added"] == 0  # reaching it adds none
    assert results["service_requests"] == 4
    runs = {run["name"]: run for run in results["runs"]}
    assert len(runs) == 11
    largest = runs["report rollup: one partner (largest, 3 requests)"]
    assert largest["soft_time_limit"] == refresh_report_rollup.soft_time_limit == 240
    assert largest["share_of_limit"] == round(largest["seconds"] / 240, 4)
    assert "queue counts: one partner (median, 1 requests)" in runs
    assert runs["purge of expired API rows (4 idempotency records)"]["result"]["idempotency_records"] == 4
    assert not IdempotencyRecord.objects.exists()
    assert purged  # the messages it enqueued are purged from the broker
