"""Background queue exports on the S3 backend (a local moto server): the file goes to the bucket,
the download streams it from there, the purge removes it; and an export written by a worker in
another process, which shares no directory with the web process, is downloaded by the web process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from queues.exports import queue_export_purge, queue_export_run, queue_export_start
from queues.selectors import queue_get
from servicerequests.models import QueueExport, ServiceRequest
from tests.conftest import require
from tests.factories import CustomerFactory, PartnerFactory, UserFactory
from tests.files import S3_KEY, S3_REGION, S3_SECRET, s3_client, s3_keys

ROOT = Path(__file__).resolve().parents[2]


def _world():
    partner = PartnerFactory(name="Contoso Partners")
    customer = CustomerFactory(name="Fabrikam")
    now = timezone.now()
    ServiceRequest.objects.bulk_create(
        [
            ServiceRequest(
                id=str(700000000000000 + i),
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
            for i in range(12)
        ]
    )
    return UserFactory(username="mia", partner=partner, roles=["support_manager"])


def _start(manager) -> QueueExport:
    queue = queue_get(actor=manager, key="unassigned")
    return queue_export_start(actor=manager, queue=queue, filters=queue.filters, ordering="sla_due")


def _local_files(*roots: Path) -> list[Path]:
    return [p for root in roots for p in root.rglob("*") if p.is_file()]


@pytest.mark.django_db
def test_an_export_lives_in_the_bucket(client, s3_server, s3_bucket, local_roots):
    manager = _world()
    export = _start(manager)
    done = queue_export_run(export_id=export.pk)
    assert done.status == "done"
    assert s3_keys(s3_server, s3_bucket) == [f"exports/{export.pk}.csv"]
    assert _local_files(local_roots) == []
    client.force_login(manager)
    response = client.get(reverse("queue_export_download", args=[export.pk]))
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert len(lines) == 13 and lines[1].startswith("700000000000000,")
    assert queue_export_purge(older_than=timezone.now() + timedelta(seconds=1)) == 1
    assert s3_keys(s3_server, s3_bucket) == []


@pytest.mark.postgres
def test_a_worker_process_writes_the_export_that_the_web_process_serves(
    transactional_db, client, s3_server, s3_bucket, settings, tmp_path
):
    require(connection.vendor == "postgresql", "this test needs PostgreSQL: set DATABASE_URL")
    manager = _world()
    export = _start(manager)  # committed; the enqueue is eager in tests and runs it: undo that
    QueueExport.objects.filter(pk=export.pk).update(
        status="pending", file_name="", rows_total=None, rows_written=0, size_bytes=None, finished_at=None
    )
    for key in s3_keys(s3_server, s3_bucket):
        s3_client(s3_server).delete_object(Bucket=s3_bucket, Key=key)

    web_root, worker_root = tmp_path / "web", tmp_path / "worker"
    settings.EXPORT_ROOT = web_root
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "partnercenter.settings.test",
        "DATABASE_URL": (
            f"postgres://{quote(db['USER'])}"
            + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
            + f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "FILE_STORAGE": "s3",
        "S3_BUCKET": s3_bucket,
        "S3_ENDPOINT_URL": s3_server,
        "S3_REGION": S3_REGION,
        "S3_ACCESS_KEY_ID": S3_KEY,
        "S3_SECRET_ACCESS_KEY": S3_SECRET,
        "EXPORT_ROOT": str(worker_root),
        "ATTACHMENT_ROOT": str(worker_root),
        "REDIS_URL": "",
    }
    script = (
        "import django; django.setup()\n"
        "from queues.tasks import export_queue\n"
        f"print(export_queue.apply(args=[{str(export.pk)!r}]).get())\n"
    )
    worker = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert worker.returncode == 0, worker.stderr[-2000:]
    assert worker.stdout.strip().splitlines()[-1] == "done"

    export.refresh_from_db()
    assert (export.status, export.rows_written) == ("done", 12)
    assert s3_keys(s3_server, s3_bucket) == [f"exports/{export.pk}.csv"]
    client.force_login(manager)
    response = client.get(reverse("queue_export_download", args=[export.pk]))
    assert response.status_code == 200
    assert len(b"".join(response.streaming_content).decode().splitlines()) == 13
    assert _local_files(web_root, worker_root) == []  # no directory was shared, or used
    assert django_settings.STORAGES["exports"]["BACKEND"] == "storages.backends.s3.S3Storage"
