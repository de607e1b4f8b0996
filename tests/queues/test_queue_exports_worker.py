"""Background queue exports on a real Celery worker and the real Redis.

Runs in CI; skipped locally without REDIS_URL and PostgreSQL (``tests/worker.py``). The worker
thread writes the file through a server-side cursor in autocommit, so the progress rows it
commits chunk by chunk are what another connection (the status page) reads.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from queues import exports
from queues.exports import queue_export_start, queue_export_sweep
from queues.selectors import queue_get
from servicerequests.models import QueueExport, ServiceRequest
from tests.factories import CustomerFactory, PartnerFactory, UserFactory
from tests.worker import broker_down, celery_worker, wait_for  # noqa: F401  (celery_worker is a fixture)

pytestmark = [
    pytest.mark.worker,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.usefixtures("celery_worker"),
]


@pytest.fixture
def manager(transactional_db, settings, tmp_path):
    settings.EXPORT_ROOT = tmp_path / "exports"
    partner = PartnerFactory(name="Contoso Partners")
    customer = CustomerFactory(name="Fabrikam")
    now = timezone.now()
    ServiceRequest.objects.bulk_create(
        [
            ServiceRequest(
                id=str(500000000000000 + i),
                partner=partner,
                customer=customer,
                workload="m365",
                title=f"Mailbox {i}",
                description="x",
                severity="moderate",
                status="open",
                created_at=now - timedelta(minutes=i),
                updated_at=now - timedelta(minutes=i),
                sla_due_at=now + timedelta(hours=1, minutes=i),
            )
            for i in range(45)
        ]
    )
    return UserFactory(username="mia", partner=partner, roles=["support_manager"])


def finished(export_id):
    export = QueueExport.objects.get(pk=export_id)
    return export if export.is_finished else None


def start(manager) -> QueueExport:
    queue = queue_get(actor=manager, key="unassigned")
    return queue_export_start(actor=manager, queue=queue, filters=queue.filters, ordering="sla_due")


def test_the_worker_writes_the_export_and_commits_progress_per_chunk(manager, monkeypatch, settings):
    monkeypatch.setattr(exports, "EXPORT_CHUNK_SIZE", 10)
    progress = []
    real = exports._progress_record

    def recording(export_id, *, rows_written):
        real(export_id, rows_written=rows_written)
        progress.append(rows_written)

    monkeypatch.setattr(exports, "_progress_record", recording)

    export = start(manager)  # committed: the worker takes it from Redis

    done = wait_for(lambda: finished(export.pk), timeout=20)
    assert (done.status, done.rows_total, done.rows_written) == ("done", 45, 45)
    assert progress == [10, 20, 30, 40]
    lines = (settings.EXPORT_ROOT / done.file_name).read_text().splitlines()
    assert len(lines) == 46
    assert [line.split(",")[0] for line in lines[1:4]] == [
        "500000000000000",
        "500000000000001",
        "500000000000002",
    ]


def test_a_broker_outage_delays_the_export_but_the_sweeper_sends_it(manager, settings):
    with broker_down():
        export = start(manager)  # the enqueue after commit fails and is logged
    QueueExport.objects.filter(pk=export.pk).update(created_at=F("created_at") - timedelta(minutes=2))
    export.refresh_from_db()
    assert export.status == "pending"

    assert queue_export_sweep().requeued == 1  # beat runs it every minute

    done = wait_for(lambda: finished(export.pk), timeout=20)
    assert (done.status, done.rows_written) == ("done", 45)
    assert (settings.EXPORT_ROOT / done.file_name).is_file()
    assert queue_export_sweep().requeued == 0
