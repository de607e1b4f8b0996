"""Background queue exports: the file holds exactly the streamed export's lines; progress is
recorded chunk by chunk; failures leave no file; the sweeper and the purge; who may see, poll and
download an export; the pages.

Tasks run eagerly here (``partnercenter.settings.test``): the export is written when the starting
transaction commits (``django_capture_on_commit_callbacks(execute=True)``). The real worker is in
``test_queue_exports_worker.py``.
"""

from __future__ import annotations

import csv
import io
import os
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError
from django.urls import reverse
from kombu.exceptions import OperationalError as BrokerError

from audit.models import AuditEvent
from queues import exports, tasks
from queues.definitions import QueueFilters, QueueNotFound
from queues.exports import (
    EXPORT_PENDING_TIMEOUT,
    EXPORT_TIME_LIMIT,
    MAX_UNFINISHED_EXPORTS,
    queue_export_list,
    queue_export_purge,
    queue_export_run,
    queue_export_start,
    queue_export_sweep,
)
from queues.selectors import queue_get
from servicerequests.models import QueueExport
from tests.conftest import SIGN_IN_BACKEND
from tests.factories import UserFactory
from tests.queues.test_queues import NOW, build_queue_world


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def queue_world(db):
    return build_queue_world()


@pytest.fixture(autouse=True)
def export_root(settings, tmp_path):
    """A private export directory per test, not created yet (the task creates it)."""
    settings.EXPORT_ROOT = tmp_path / "exports"
    return settings.EXPORT_ROOT


def files_in(root) -> list[str]:
    return sorted(os.listdir(root)) if root.exists() else []


def start(actor, key="unassigned", *, filters=None, ordering=None) -> QueueExport:
    queue = queue_get(actor=actor, key=key)
    return queue_export_start(
        actor=actor,
        queue=queue,
        filters=QueueFilters.from_dict(filters) if filters is not None else queue.filters,
        ordering=ordering or queue.ordering,
    )


def streamed(client, key, params) -> bytes:
    response = client.get(reverse("queue_export", args=[key]), params)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def prepare(client, capture, key, params) -> tuple:
    with capture(execute=True):
        response = client.post(reverse("queue_export_prepare", args=[key]), params)
    return response, QueueExport.objects.order_by("-created_at").first()


# The file: the streamed export's lines ------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "key", "params", "expected_rows"),
    [
        ("manager", "unassigned", {}, 3),
        ("manager", "unassigned", {"status": "", "assignee": "", "order": "-created"}, 7),
        ("manager", "breached", {"order": "created"}, 1),
        ("manager", "unassigned", {"status": "", "assignee": "", "workload": "m365", "order": "sla_due"}, 4),
        ("helpdesk", "mine", {"order": "-created"}, 2),
    ],
)
def test_the_file_holds_exactly_the_streamed_lines_in_order(
    client,
    queue_world,
    frozen,
    django_capture_on_commit_callbacks,
    export_root,
    user,
    key,
    params,
    expected_rows,
):
    actor = getattr(queue_world, user)
    client.force_login(actor)
    expected = streamed(client, key, params)

    response, export = prepare(client, django_capture_on_commit_callbacks, key, params)

    assert response.status_code == 302
    assert response["Location"] == reverse("queue_export_status", args=[export.pk])
    assert (export.status, export.rows_total, export.rows_written) == ("done", expected_rows, expected_rows)
    assert (export.started_at, export.finished_at) == (NOW, NOW)
    assert files_in(export_root) == [f"{export.pk}.csv"]
    content = (export_root / export.file_name).read_bytes()
    assert content == expected
    assert export.size_bytes == len(content)
    assert len(content.decode().splitlines()) == expected_rows + 1  # the header
    download = client.get(reverse("queue_export_download", args=[export.pk]))
    assert b"".join(download.streaming_content) == expected


def test_the_export_is_created_as_asked_audited_and_the_file_private(
    client, queue_world, frozen, django_capture_on_commit_callbacks, export_root
):
    client.force_login(queue_world.manager)
    _response, export = prepare(
        client,
        django_capture_on_commit_callbacks,
        "unassigned",
        {"workload": "m365", "order": "-created"},
    )
    assert (export.partner_id, export.requested_by_id, export.queue_key, export.queue_name) == (
        queue_world.partner.pk,
        queue_world.manager.pk,
        "unassigned",
        "Unassigned",
    )
    assert export.filters == {
        "workloads": ["m365"],
        "statuses": ["none", "open", "attention_needed"],
        "assignee": "none",
    }
    assert export.ordering == "-created"
    event = AuditEvent.objects.get(action="queue.export_started")
    assert (event.actor_id, event.partner_id, event.object_type, event.object_id) == (
        queue_world.manager.pk,
        queue_world.partner.pk,
        "servicerequests.QueueExport",
        str(export.pk),
    )
    assert event.after == {
        "queue": "unassigned",
        "queueName": "Unassigned",
        "filters": export.filters,
        "ordering": "-created",
    }
    assert (export_root / export.file_name).stat().st_mode & 0o777 == 0o600
    assert export_root.stat().st_mode & 0o777 == 0o700


def test_an_agents_export_holds_only_their_requests_whatever_the_filters(
    queue_world, frozen, django_capture_on_commit_callbacks, export_root
):
    with django_capture_on_commit_callbacks(execute=True):
        export = start(queue_world.helpdesk, "mine", filters={"assignee": ""}, ordering="-created")
    export.refresh_from_db()
    assert export.filters["assignee"] == "me"
    ids = [row[0] for row in csv.reader(io.StringIO((export_root / export.file_name).read_text()))][1:]
    assert ids == ["100000000000007", "100000000000003"]


# Progress ----------------------------------------------------------------------------------------


def test_progress_is_recorded_after_every_chunk(queue_world, frozen, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_CHUNK_SIZE", 2)
    seen = []
    real = exports._progress_record

    def spy(export_id, *, rows_written):
        real(export_id, rows_written=rows_written)
        row = QueueExport.objects.get(pk=export_id)
        seen.append((rows_written, row.rows_written, row.rows_total, row.status))

    monkeypatch.setattr(exports, "_progress_record", spy)
    export = start(queue_world.manager, filters={}, ordering="-created")  # all 7 of the partner's

    done = queue_export_run(export_id=export.pk)

    assert seen == [(2, 2, 7, "running"), (4, 4, 7, "running"), (6, 6, 7, "running")]
    assert (done.status, done.rows_written, done.rows_total, done.percent) == ("done", 7, 7, 100)


def test_a_second_run_of_the_same_export_does_nothing(queue_world, frozen, export_root):
    export = start(queue_world.manager)
    first = queue_export_run(export_id=export.pk)
    written = (export_root / first.file_name).read_bytes()

    again = queue_export_run(export_id=export.pk)

    assert (again.status, again.rows_written, again.finished_at) == ("done", 3, first.finished_at)
    assert (export_root / first.file_name).read_bytes() == written
    assert queue_export_run(export_id="00000000-0000-0000-0000-000000000000") is None


@pytest.mark.parametrize(
    ("rows_total", "rows_written", "status", "percent"),
    [(None, 0, "running", None), (0, 0, "running", 0), (8, 3, "running", 37), (8, 9, "running", 100)],
)
def test_percent(rows_total, rows_written, status, percent):
    assert QueueExport(rows_total=rows_total, rows_written=rows_written, status=status).percent == percent


# Failures ----------------------------------------------------------------------------------------


def test_an_error_mid_file_marks_the_export_failed_and_stores_nothing(
    queue_world, frozen, monkeypatch, export_root
):
    monkeypatch.setattr(exports, "EXPORT_CHUNK_SIZE", 2)
    export = start(queue_world.manager, filters={}, ordering="-created")
    real_rows = exports.queue_export_rows
    partial = []

    def rows_then_lost_connection(queryset, **kwargs):
        for i, row in enumerate(real_rows(queryset, **kwargs)):
            if i == 5:
                partial.append(files_in(export_root))
                raise DatabaseError("server closed the connection unexpectedly")
            yield row

    monkeypatch.setattr(exports, "queue_export_rows", rows_then_lost_connection)

    failed = queue_export_run(export_id=export.pk)

    assert partial == [[]]  # the storage never holds a partial file (it is written aside first)
    assert files_in(export_root) == []
    assert (failed.status, failed.rows_written, failed.file_name, failed.size_bytes) == (
        "failed",
        4,
        "",
        None,
    )
    assert failed.finished_at == NOW
    assert failed.error == (
        "The export failed on an unexpected error (DatabaseError); the details are in the worker's log."
    )


def test_a_full_disk_is_named_in_the_failure(queue_world, frozen, monkeypatch, export_root):
    export = start(queue_world.manager)
    real_lines = exports.csv_lines

    def header_then_disk_full(rows, *, now):
        lines = real_lines(rows, now=now)
        yield next(lines)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(exports, "csv_lines", header_then_disk_full)
    failed = queue_export_run(export_id=export.pk)
    assert (failed.status, failed.error) == (
        "failed",
        "The export file could not be written (No space left on device).",
    )
    assert files_in(export_root) == []


def test_a_requester_who_lost_the_queues_gets_a_failed_export_and_no_file(queue_world, frozen, export_root):
    export = start(queue_world.manager)
    queue_world.manager.roles.all().delete()
    failed = queue_export_run(export_id=export.pk)
    assert (failed.status, failed.error, failed.rows_total) == (
        "failed",
        "You may no longer open the queues, so nothing was exported.",
        None,
    )
    assert files_in(export_root) == []


def test_a_broker_outage_leaves_the_export_pending_and_the_sweeper_sends_it(
    queue_world, django_capture_on_commit_callbacks, monkeypatch, export_root
):
    def broker_down(*args, **kwargs):
        raise BrokerError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    with monkeypatch.context() as patch:
        patch.setattr(tasks.export_queue, "apply_async", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            export = start(queue_world.manager)
    export.refresh_from_db()
    assert export.status == "pending"
    assert queue_export_sweep(now=export.created_at + timedelta(seconds=10)).requeued == 0  # too early

    sweep = queue_export_sweep(now=export.created_at + timedelta(seconds=61))

    export.refresh_from_db()
    assert (sweep.requeued, sweep.failed) == (1, 0)
    assert (export.status, export.rows_written) == ("done", 3)
    assert files_in(export_root) == [f"{export.pk}.csv"]


def test_the_sweeper_fails_exports_no_worker_took_or_whose_worker_was_lost(
    queue_world, monkeypatch, export_root
):
    sent = []
    monkeypatch.setattr(exports, "_enqueue_export", lambda export_id: sent.append(export_id) or True)
    manager = queue_world.manager
    now = NOW

    def make(status, age, started_age=None):
        return QueueExport.objects.create(
            partner=queue_world.partner,
            requested_by=manager,
            queue_key="unassigned",
            queue_name="Unassigned",
            ordering="sla_due",
            status=status,
            created_at=now - age,
            started_at=now - started_age if started_age is not None else None,
        )

    fresh = make("pending", timedelta(seconds=20))
    lost_message = make("pending", timedelta(minutes=3))
    never_taken = make("pending", EXPORT_PENDING_TIMEOUT + timedelta(seconds=1))
    running = make("running", timedelta(minutes=5), timedelta(minutes=5))
    worker_lost = make(
        "running", EXPORT_TIME_LIMIT + timedelta(minutes=4), EXPORT_TIME_LIMIT + timedelta(minutes=3)
    )
    export_root.mkdir()
    (export_root / f"{worker_lost.pk}.csv.part").write_text("id,title\n")
    (export_root / f"{running.pk}.csv.part").write_text("id,title\n")

    sweep = queue_export_sweep(now=now)

    assert (sweep.requeued, sweep.failed) == (1, 2)
    assert sent == [lost_message.pk]
    states = {e.pk: (e.status, e.error) for e in QueueExport.objects.all()}
    assert states[fresh.pk] == ("pending", "")
    assert states[lost_message.pk] == ("pending", "")
    assert states[running.pk] == ("running", "")
    assert states[never_taken.pk] == (
        "failed",
        "No worker picked the export up within 15 minutes; start it again "
        "(if this happens again, the portal's task workers are down).",
    )
    assert states[worker_lost.pk] == (
        "failed",
        "The export stopped before it finished (its worker was lost); start it again.",
    )
    assert files_in(export_root) == [f"{running.pk}.csv.part"]
    assert queue_export_sweep(now=now).failed == 0  # idempotent


# Purge -------------------------------------------------------------------------------------------


def test_the_purge_removes_old_files_and_rows_only(queue_world, export_root):
    export_root.mkdir()
    manager = queue_world.manager
    cutoff = NOW - timedelta(hours=24)

    def make(age):
        export = QueueExport(
            partner=queue_world.partner,
            requested_by=manager,
            queue_key="unassigned",
            queue_name="Unassigned",
            ordering="sla_due",
            status="done",
            created_at=NOW - age,
        )
        export.file_name = f"{export.pk}.csv"
        export.save()
        path = export_root / export.file_name
        path.write_text("id\n")
        os.utime(path, (export.created_at.timestamp(), export.created_at.timestamp()))
        return export

    old = make(timedelta(hours=25))
    recent = make(timedelta(hours=23))
    orphan_old = export_root / "0f0f0f0f-0000-4000-8000-000000000001.csv.part"
    orphan_recent = export_root / "0f0f0f0f-0000-4000-8000-000000000002.csv"
    not_ours = export_root / "README.txt"
    for path, age in ((orphan_old, 30), (orphan_recent, 1), (not_ours, 48)):
        path.write_text("x")
        stamp = (NOW - timedelta(hours=age)).timestamp()
        os.utime(path, (stamp, stamp))

    assert queue_export_purge(older_than=cutoff) == 1

    assert list(QueueExport.objects.values_list("pk", flat=True)) == [recent.pk]
    assert files_in(export_root) == sorted([orphan_recent.name, f"{recent.pk}.csv", "README.txt"])
    assert not QueueExport.objects.filter(pk=old.pk).exists()
    assert queue_export_purge(older_than=cutoff) == 0


def test_the_purge_task_keeps_a_days_exports(queue_world, export_root):
    with time_machine.travel(NOW - timedelta(hours=30), tick=False):
        old = start(queue_world.manager)
        queue_export_run(export_id=old.pk)
    with time_machine.travel(NOW - timedelta(hours=2), tick=False):
        recent = start(queue_world.manager)
        queue_export_run(export_id=recent.pk)
    with time_machine.travel(NOW, tick=False):
        assert tasks.purge_exports() == 1
    assert list(QueueExport.objects.values_list("pk", flat=True)) == [recent.pk]
    assert files_in(export_root) == [f"{recent.pk}.csv"]


# Starting: who and how many ----------------------------------------------------------------------


def test_who_may_start_an_export(queue_world):
    with pytest.raises(PermissionDenied):
        queue_export_start(
            actor=queue_world.sales,
            queue=queue_get(actor=queue_world.manager, key="unassigned"),
            filters=QueueFilters(),
            ordering="-created",
        )
    with pytest.raises(QueueNotFound):  # a manager's queue, for an agent
        queue_export_start(
            actor=queue_world.helpdesk,
            queue=queue_get(actor=queue_world.manager, key="unassigned"),
            filters=QueueFilters(),
            ordering="-created",
        )
    with pytest.raises(ValidationError) as excinfo:
        start(queue_world.manager, ordering="title")
    assert list(excinfo.value.message_dict) == ["ordering"]
    assert not QueueExport.objects.exists()
    assert not AuditEvent.objects.filter(action="queue.export_started").exists()


def test_a_user_has_at_most_a_few_exports_waiting(queue_world):
    for _ in range(MAX_UNFINISHED_EXPORTS):
        start(queue_world.manager)  # no on-commit here: they stay pending
    with pytest.raises(ValidationError) as excinfo:
        start(queue_world.manager)
    assert excinfo.value.message_dict == {
        "export": [
            "you already have 3 exports waiting or running; start another when one of them has finished."
        ]
    }
    start(UserFactory(partner=queue_world.partner, roles=["support_manager"]))  # another user may
    assert QueueExport.objects.count() == MAX_UNFINISHED_EXPORTS + 1


def test_the_queue_page_says_why_an_export_was_not_started(client, queue_world):
    client.force_login(queue_world.manager)
    next_url = reverse("queue_detail", args=["unassigned"]) + "?workload=azure"
    response = client.post(
        reverse("queue_export_prepare", args=["unassigned"]), {"sla": "late", "next": next_url}, follow=True
    )
    assert response.redirect_chain == [(next_url, 302)]
    assert (
        "Export not started: SLA: must be one of ok, breaching_soon, breached." in response.content.decode()
    )
    assert not QueueExport.objects.exists()


# Who sees what -----------------------------------------------------------------------------------


def test_the_list_holds_only_the_users_own_exports(queue_world):
    mine = start(queue_world.manager)
    colleague = UserFactory(partner=queue_world.partner, roles=["support_manager"])
    start(colleague)
    start(queue_world.other_manager)
    assert list(queue_export_list(actor=queue_world.manager)) == [mine]
    assert list(queue_export_list(actor=queue_world.sales)) == []


@pytest.mark.parametrize("url_name", ["queue_export_status", "queue_export_download"])
def test_nobody_else_sees_or_downloads_an_export(client, queue_world, frozen, export_root, url_name):
    export = start(queue_world.manager)
    queue_export_run(export_id=export.pk)
    url = reverse(url_name, args=[export.pk])
    colleague = UserFactory(partner=queue_world.partner, roles=["support_manager"])
    expected = {
        queue_world.manager: 200,
        colleague: 404,  # same partner, another user
        queue_world.helpdesk: 404,
        queue_world.other_manager: 404,  # another partner
        queue_world.sales: 403,  # may not open the queues at all
    }
    actual = {}
    for user in expected:
        client.force_login(user)
        actual[user] = client.get(url).status_code
    assert actual == expected
    client.logout()
    assert client.get(url).status_code == 302


@pytest.mark.parametrize(
    ("status", "rows_total", "rows_written", "error", "message"),
    [
        (
            "pending",
            None,
            0,
            "",
            "This export is not ready yet: it is waiting for a worker. "
            "Download it from its page when it is done.",
        ),
        (
            "running",
            9000,
            4000,
            "",
            "This export is not ready yet: 4,000 of 9,000 rows written (44%). "
            "Download it from its page when it is done.",
        ),
        (
            "failed",
            None,
            0,
            "No worker picked the export up within 15 minutes.",
            "This export failed, so there is no file to download: "
            "No worker picked the export up within 15 minutes.",
        ),
    ],
)
def test_an_unfinished_export_is_not_downloadable(
    client, queue_world, status, rows_total, rows_written, error, message
):
    export = start(queue_world.manager)
    QueueExport.objects.filter(pk=export.pk).update(
        status=status, rows_total=rows_total, rows_written=rows_written, error=error
    )
    client.force_login(queue_world.manager)
    response = client.get(reverse("queue_export_download", args=[export.pk]))
    assert response.status_code == 409
    assert response.content.decode() == message


def test_a_purged_file_is_gone(client, queue_world, export_root):
    export = start(queue_world.manager)
    done = queue_export_run(export_id=export.pk)
    (export_root / done.file_name).unlink()
    client.force_login(queue_world.manager)
    response = client.get(reverse("queue_export_download", args=[export.pk]))
    assert response.status_code == 410
    assert response.content.decode() == "The file of this export is no longer available; start a new export."


# Pages -------------------------------------------------------------------------------------------


def test_the_download_is_a_private_attachment(client, queue_world, frozen):
    export = start(queue_world.manager)
    queue_export_run(export_id=export.pk)
    client.force_login(queue_world.manager)
    response = client.get(reverse("queue_export_download", args=[export.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="queue-unassigned-20260310T120000Z.csv"'
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def _progress_html(client, export) -> str:
    response = client.get(reverse("queue_export_status", args=[export.pk]), headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response.content.decode()


def test_the_progress_fragment_polls_while_running_and_stops_when_done(client, queue_world, frozen):
    export = start(queue_world.manager)
    client.force_login(queue_world.manager)
    url = reverse("queue_export_status", args=[export.pk])
    polling = f'hx-get="{url}" hx-trigger="every 1s" hx-swap="outerHTML"'

    html = _progress_html(client, export)
    assert html.startswith('<div id="export-progress"')
    assert "<html" not in html
    assert polling in html
    assert "Not started yet." in html

    QueueExport.objects.filter(pk=export.pk).update(status="running", rows_total=8000, rows_written=2000)
    html = _progress_html(client, export)
    assert polling in html
    assert 'value="25"' in html
    assert "25%</strong> · 2,000 of 8,000 rows written" in html
    assert "Download CSV" not in html

    QueueExport.objects.filter(pk=export.pk).update(status="pending", rows_total=None, rows_written=0)
    queue_export_run(export_id=export.pk)
    html = _progress_html(client, export)
    assert "hx-trigger" not in html
    assert 'value="100"' in html
    assert "100%</strong> · 3 of 3 rows written" in html
    assert f'href="{reverse("queue_export_download", args=[export.pk])}"' in html

    QueueExport.objects.filter(pk=export.pk).update(status="failed", error="The export took too long.")
    html = _progress_html(client, export)
    assert "hx-trigger" not in html
    assert "The export took too long." in html
    assert "Download CSV" not in html


def test_the_status_page_shows_the_export_and_the_users_recent_ones(
    client, queue_world, frozen, django_assert_max_num_queries
):
    with time_machine.travel(NOW - timedelta(hours=1), tick=False):
        older = start(queue_world.manager, "breached")
        queue_export_run(export_id=older.pk)
    export = start(
        queue_world.manager, filters={"workloads": ["azure"], "statuses": ["open"]}, ordering="-created"
    )
    queue_export_run(export_id=export.pk)
    start(queue_world.other_manager)
    client.force_login(queue_world.manager, backend=SIGN_IN_BACKEND)  # as a real sign-in stores it
    # session, user with its partner, roles, the export, the recent exports
    with django_assert_max_num_queries(5):
        response = client.get(reverse("queue_export_status", args=[export.pk]))
    html = response.content.decode()
    assert response.context["export"] == export
    assert [e.pk for e, _name in response.context["recent_exports"]] == [export.pk, older.pk]
    assert "Export of Unassigned" in html
    assert "Workload: Azure; Status: Open" in html
    assert "Newest first" in html
    assert 'data-testid="export-size">' in html and "bytes" in html
    assert "hx-trigger" not in html


def test_a_pending_export_says_when_no_worker_took_it(client, queue_world):
    with time_machine.travel(NOW, tick=False):
        export = start(queue_world.manager)
    client.force_login(queue_world.manager)
    with time_machine.travel(NOW + timedelta(seconds=10), tick=False):
        assert "No worker has picked this export up yet" not in _progress_html(client, export)
    with time_machine.travel(NOW + timedelta(minutes=2), tick=False):
        html = _progress_html(client, export)
    assert "waiting for 2 min 00 s" in html
    assert "No worker has picked this export up yet" in html


def test_the_queue_page_offers_both_exports_with_the_current_filters(client, queue_world):
    client.force_login(queue_world.manager)
    response = client.get(reverse("queue_detail", args=["unassigned"]), {"assignee": "", "workload": "m365"})
    html = response.content.decode()
    assert f'action="{reverse("queue_export_prepare", args=["unassigned"])}"' in html
    # the cleared base filter is sent empty, so that the exports do not put it back
    for hidden in (
        '<input type="hidden" name="workload" value="m365">',
        '<input type="hidden" name="assignee" value="">',
        '<input type="hidden" name="order" value="sla_due">',
    ):
        assert hidden in html
    assert (
        f'href="{reverse("queue_export", args=["unassigned"])}?workload=m365&amp;status=none&amp;'
        'status=open&amp;status=attention_needed&amp;assignee=&amp;order=sla_due"'
    ) in html
    assert "Prepare export" in html
