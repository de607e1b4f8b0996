"""CSV exports of a queue: the lines themselves, and the background export with a progress bar.

Two paths share one generator, :func:`csv_lines`:

- the streamed export (``views.queue_export``) sends the lines to the browser as the
  database cursor yields them;
- the background export (:class:`~servicerequests.models.QueueExport`) is started by
  :func:`queue_export_start`, written by the Celery task ``servicerequests.export_queue``
  (:func:`queue_export_run`) to the private ``exports`` storage (``core.files``: a directory, or an
  S3 bucket shared by web and workers on any host), recording its progress chunk by chunk, and
  downloaded by its requester from the status page. The sweeper
  (:func:`queue_export_sweep`) re-sends an export whose message was lost and fails one that no
  worker picked up or whose worker was lost; :func:`queue_export_purge` removes files and rows
  after :data:`EXPORT_RETENTION`.

Both read the rows with a server-side cursor in chunks of :data:`EXPORT_CHUNK_SIZE`: memory stays
constant whatever the number of rows (docs/performance.md).
"""

from __future__ import annotations

import csv
import logging
import re
import tempfile
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import Storage
from django.db import DatabaseError, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.services import audit_event_record
from core.csv import csv_cell
from core.files import EXPORTS, private_storage
from core.queueing import enqueue
from partners.models import User
from servicerequests.choices import ExportStatus
from servicerequests.models import QueueExport
from servicerequests.sla import sla_state

from .definitions import (
    ASSIGNEE_ME,
    QueueDefinition,
    QueueFilters,
    is_queue_manager,
    may_open_queues,
    ordering_get,
)
from .selectors import EXPORT_COLUMNS, EXPORT_FIELDS, queue_export_rows, queue_get, queue_requests

logger = logging.getLogger(__name__)

#: Rows fetched from the database at a time, and rows between two progress updates.
EXPORT_CHUNK_SIZE = 2000
#: The export task's soft time limit; the hard limit is a minute later (``tasks.export_queue``).
EXPORT_TIME_LIMIT = timedelta(minutes=15)
#: How long an export may wait for a worker before the sweeper gives up on it.
EXPORT_PENDING_TIMEOUT = timedelta(minutes=15)
#: How long files and rows are kept (``queue_export_purge``, beat ``export-purge``).
EXPORT_RETENTION = timedelta(hours=24)
#: From this maintained count on, the queue page recommends the background export.
SUGGEST_BACKGROUND_EXPORT_ROWS = 10_000
#: Exports a user may have waiting or running at once.
MAX_UNFINISHED_EXPORTS = 3
SWEEP_BATCH = 500

# The only names this module writes in the exports storage (the purge deletes nothing else;
# ``.part`` files are those of earlier versions, which wrote in place).
_FILE_NAME = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.csv(\.part)?$")


# CSV lines (both paths) -------------------------------------------------------------------------


class _Echo:
    """A file-like object whose ``write`` returns the line, for ``csv.writer`` in a generator."""

    def write(self, value):
        return value


EXPORT_HEADER = (*(header for header, _field in EXPORT_COLUMNS), "sla_state")


def csv_lines(rows, *, now: datetime):
    """The CSV lines of a queue export: a header, then one line per row tuple of ``EXPORT_FIELDS``
    with its SLA state at ``now``. A generator: nothing is held but the current chunk."""
    writer = csv.writer(_Echo())
    yield writer.writerow(EXPORT_HEADER)
    due_index = EXPORT_FIELDS.index("sla_due_at")
    response_index = EXPORT_FIELDS.index("first_response_at")
    closed_index = EXPORT_FIELDS.index("closed_at")
    for row in rows:
        stops = [t for t in (row[response_index], row[closed_index]) if t is not None]
        state = sla_state(due_at=row[due_index], at=now, stopped_at=min(stops, default=None))
        yield writer.writerow([*(csv_cell(v) for v in row), str(state)])


# Reads ------------------------------------------------------------------------------------------


def queue_export_list(*, actor: User) -> QuerySet[QueueExport]:
    """The actor's own background exports, newest first: nobody sees another user's exports, of
    their partner or any other; a user who may not open the queues has none."""
    if not may_open_queues(actor):
        return QueueExport.objects.none()
    return QueueExport.objects.filter(partner_id=actor.partner_id, requested_by_id=actor.pk).order_by(
        "-created_at"
    )


def export_storage() -> Storage:
    """The private storage of export files (``STORAGES["exports"]``)."""
    return private_storage(EXPORTS)


def queue_export_file(export: QueueExport) -> str | None:
    """The storage name of a finished export's file, or None when it has none or it is gone
    (purged)."""
    if export.status != ExportStatus.DONE or not _FILE_NAME.match(export.file_name):
        return None
    return export.file_name if export_storage().exists(export.file_name) else None


# Writes -----------------------------------------------------------------------------------------


def queue_export_start(
    *, actor: User, queue: QueueDefinition, filters: QueueFilters, ordering: str
) -> QueueExport:
    """Start the background export of ``queue`` with ``filters`` in ``ordering`` for ``actor``.

    Authorises like the queue page: ``PermissionDenied`` for a user who may not open the queues,
    ``definitions.QueueNotFound`` for a queue the actor may not open (another partner's saved queue, a
    manager's queue for an agent). ``ValidationError`` naming ``ordering`` for an unknown
    ordering, or ``export`` when the actor already has :data:`MAX_UNFINISHED_EXPORTS` waiting or
    running. An agent's export holds only the requests assigned to them, whatever the filters
    (as their queue page shows), and says so in its stored filters.

    Side effects, in one transaction: the ``QueueExport`` row (pending) and an audit event
    ``queue.export_started``. After commit the task ``servicerequests.export_queue`` is enqueued;
    when the broker is down that is logged and the export sweeper sends it later (or fails it
    after :data:`EXPORT_PENDING_TIMEOUT`), so the export never waits silently for ever.
    """
    if not may_open_queues(actor):
        raise PermissionDenied(_("Queues are for the partner's support managers, admin and helpdesk agents."))
    queue = queue_get(actor=actor, key=queue.key)
    ordering_get(ordering)
    if not is_queue_manager(actor):
        filters = replace(filters, assignee=ASSIGNEE_ME)
    unfinished = QueueExport.objects.filter(
        requested_by_id=actor.pk, status__in=[ExportStatus.PENDING, ExportStatus.RUNNING]
    ).count()
    if unfinished >= MAX_UNFINISHED_EXPORTS:
        raise ValidationError(
            {
                "export": [
                    ngettext(
                        "you already have %(count)d export waiting or running; "
                        "start another when it has finished.",
                        "you already have %(count)d exports waiting or running; "
                        "start another when one of them has finished.",
                        unfinished,
                    )
                    % {"count": unfinished}
                ]
            }
        )
    # A built-in queue's name is stored in English (the pages show it in the reader's language).
    with translation.override("en"):
        queue_name = str(queue.name)
    with transaction.atomic():
        export = QueueExport.objects.create(
            partner_id=actor.partner_id,
            requested_by=actor,
            queue_key=queue.key,
            queue_name=queue_name,
            filters=filters.as_dict(),
            ordering=ordering,
        )
        audit_event_record(
            action="queue.export_started",
            actor=actor,
            obj=export,
            after={
                "queue": queue.key,
                "queueName": queue_name,
                "filters": export.filters,
                "ordering": ordering,
            },
        )
        transaction.on_commit(lambda: _enqueue_export(export.pk), robust=True)
    return export


def _enqueue_export(export_id) -> bool:
    return enqueue("servicerequests.export_queue", str(export_id))


class ExportRefused(Exception):
    """The requester may no longer read what the export would hold."""


class ExportCancelled(Exception):
    """The export row stopped being ``running`` under the task (failed by the sweeper, purged)."""


def _progress_record(export_id, *, rows_written: int) -> None:
    """One cheap UPDATE of the progress; :class:`ExportCancelled` when the export is no longer running."""
    if not QueueExport.objects.filter(pk=export_id, status=ExportStatus.RUNNING).update(
        rows_written=rows_written
    ):
        raise ExportCancelled(str(export_id))


def _write_csv(export: QueueExport, out, *, now: datetime) -> int:
    actor = export.requested_by
    if not (actor.is_active and actor.partner_id == export.partner_id and may_open_queues(actor)):
        raise ExportRefused(_("You may no longer open the queues, so nothing was exported."))
    queryset = queue_requests(actor=actor, filters=QueueFilters.from_dict(export.filters), now=now)
    if not QueueExport.objects.filter(pk=export.pk, status=ExportStatus.RUNNING).update(
        rows_total=queryset.count()
    ):
        raise ExportCancelled(str(export.pk))
    rows = queue_export_rows(queryset, ordering=ordering_get(export.ordering), chunk_size=EXPORT_CHUNK_SIZE)
    written = 0
    lines = csv_lines(rows, now=now)
    out.write(next(lines).encode("utf-8"))  # the header
    for line in lines:
        out.write(line.encode("utf-8"))
        written += 1
        if written % EXPORT_CHUNK_SIZE == 0:
            _progress_record(export.pk, rows_written=written)
    return written


def _failure_message(exc: Exception) -> str:
    if isinstance(exc, ExportRefused):
        return str(exc)
    if isinstance(exc, SoftTimeLimitExceeded):
        minutes = int(EXPORT_TIME_LIMIT.total_seconds() // 60)
        return _(
            "The export took longer than %(minutes)d minutes and was stopped; "
            "narrow the filters and start it again."
        ) % {"minutes": minutes}
    if isinstance(exc, ValidationError):
        return _("The export's filters are no longer valid: %(reasons)s") % {
            "reasons": "; ".join(exc.messages)
        }
    if isinstance(exc, OSError):
        return _("The export file could not be written (%(reason)s).") % {
            "reason": exc.strerror or type(exc).__name__
        }
    return _("The export failed on an unexpected error (%(error)s); the details are in the worker's log.") % {
        "error": type(exc).__name__
    }


def _requester_language(export: QueueExport) -> str:
    """The language of the requester's messages: their stored choice, else the default."""
    return export.requested_by.language or settings.LANGUAGE_CODE


def queue_export_run(*, export_id) -> QueueExport | None:
    """Write one export's CSV file: the body of the task ``servicerequests.export_queue``.

    Claims the export (pending → running, ``started_at``) with one conditional UPDATE, so a
    duplicated or re-sent message does nothing; a missing or already claimed export is returned
    unchanged. Then, as of the claim: checks that the requester may still open the queues, counts
    the rows once (``rows_total``), and writes the same lines as the streamed export
    (:func:`csv_lines` over a server-side cursor, :data:`EXPORT_CHUNK_SIZE` rows at a time) to a
    private temporary file of the worker, updating ``rows_written`` after every chunk. At the end
    the file is saved as ``<id>.csv`` in the exports storage (mode 0600 on the filesystem; one
    upload to S3) and the export is ``done`` with its size and exact row count: the storage never
    holds a partial file. On any error the export is ``failed`` with a message for the user and
    nothing is left in the storage; nothing is retried (the user starts again). Returns the export
    as it ends.
    """
    started = timezone.now()
    claimed = QueueExport.objects.filter(pk=export_id, status=ExportStatus.PENDING).update(
        status=ExportStatus.RUNNING, started_at=started
    )
    if not claimed:
        logger.info("export %s is not waiting for a worker; nothing to do", export_id)
        return QueueExport.objects.filter(pk=export_id).first()
    export = QueueExport.objects.select_related("requested_by").get(pk=export_id)
    with translation.override(_requester_language(export)):
        return _export_write(export, started=started)


def _export_write(export: QueueExport, *, started: datetime) -> QueueExport | None:
    """The body of :func:`queue_export_run` once the export is claimed, in the requester's language
    (its failure message is shown to them as written)."""
    storage = export_storage()
    saved = ""
    try:
        with tempfile.TemporaryFile(prefix="export-") as out:
            written = _write_csv(export, out, now=started)
            size = out.tell()
            out.seek(0)
            saved = storage.save(f"{export.pk}.csv", File(out))
        finished = QueueExport.objects.filter(pk=export.pk, status=ExportStatus.RUNNING).update(
            status=ExportStatus.DONE,
            rows_written=written,
            rows_total=written,
            file_name=saved,
            size_bytes=size,
            finished_at=timezone.now(),
        )
        if not finished:
            raise ExportCancelled(str(export.pk))
    except ExportCancelled:
        logger.info("export %s was cancelled or purged while it ran", export.pk)
        _delete_quietly(storage, saved)
    except Exception as exc:
        if not isinstance(exc, ExportRefused | SoftTimeLimitExceeded):
            logger.exception("export %s failed", export.pk)
        _delete_quietly(storage, saved)
        try:
            QueueExport.objects.filter(pk=export.pk, status=ExportStatus.RUNNING).update(
                status=ExportStatus.FAILED, error=_failure_message(exc), finished_at=timezone.now()
            )
        except DatabaseError:
            logger.exception("could not mark export %s failed; the sweeper will", export.pk)
    return QueueExport.objects.filter(pk=export.pk).first()


@dataclass(frozen=True)
class ExportSweep:
    """What one run of :func:`queue_export_sweep` did."""

    requeued: int
    failed: int


def queue_export_sweep(*, now: datetime | None = None) -> ExportSweep:
    """Keep background exports from waiting for ever (beat ``export-sweeper``, every minute).

    - A pending export older than :data:`EXPORT_PENDING_TIMEOUT` is failed: no worker picked it up.
    - A running export started more than the task's hard time limit ago is failed (its worker was
      lost or killed) and its partial file removed.
    - Every other pending export older than ``DISPATCH_SWEEP_MIN_AGE`` is enqueued again (its
      message was lost: broker down when it was started). A duplicate is harmless: the task claims
      the export once.

    Idempotent. Returns how many were enqueued again and how many failed.
    """
    now = now or timezone.now()
    unfinished = QueueExport.objects.filter(status__in=[ExportStatus.PENDING, ExportStatus.RUNNING])
    pending_minutes = int(EXPORT_PENDING_TIMEOUT.total_seconds() // 60)
    failed = 0
    # The messages are written in each requester's language (one UPDATE per language).
    expired = unfinished.filter(status=ExportStatus.PENDING, created_at__lte=now - EXPORT_PENDING_TIMEOUT)
    for language in _languages(expired):
        with translation.override(language or settings.LANGUAGE_CODE):
            failed += expired.filter(requested_by__language=language).update(
                status=ExportStatus.FAILED,
                finished_at=now,
                error=_(
                    "No worker picked the export up within %(minutes)d minutes; start it again "
                    "(if this happens again, the portal's task workers are down)."
                )
                % {"minutes": pending_minutes},
            )
    lost_before = now - EXPORT_TIME_LIMIT - timedelta(minutes=2)
    lost = list(
        unfinished.filter(
            status=ExportStatus.RUNNING, created_at__lte=lost_before, started_at__lte=lost_before
        ).values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    storage = export_storage()
    for export_id in lost:
        _delete_quietly(storage, f"{export_id}.csv.part")
    lost_exports = QueueExport.objects.filter(pk__in=lost, status=ExportStatus.RUNNING)
    for language in _languages(lost_exports):
        with translation.override(language or settings.LANGUAGE_CODE):
            failed += lost_exports.filter(requested_by__language=language).update(
                status=ExportStatus.FAILED,
                finished_at=now,
                error=_("The export stopped before it finished (its worker was lost); start it again."),
            )
    resend = unfinished.filter(
        status=ExportStatus.PENDING, created_at__lte=now - timedelta(seconds=settings.DISPATCH_SWEEP_MIN_AGE)
    ).values_list("pk", flat=True)[:SWEEP_BATCH]
    requeued = sum(_enqueue_export(export_id) for export_id in list(resend))
    return ExportSweep(requeued=requeued, failed=failed)


def _languages(exports: QuerySet[QueueExport]) -> list[str]:
    """The stored languages of the requesters of ``exports`` ("" for none)."""
    return sorted(set(exports.order_by().values_list("requested_by__language", flat=True).distinct()))


def queue_export_purge(*, older_than: datetime) -> int:
    """Remove the exports created before ``older_than``, their files, and any export file in the
    exports storage last written before then whose row is gone (a crash between the two). Touches
    nothing else in the storage. Idempotent; returns the number of exports removed."""
    storage = export_storage()
    removed = 0
    old = QueueExport.objects.filter(created_at__lt=older_than).order_by()
    while True:
        batch = list(old.values_list("pk", flat=True)[:SWEEP_BATCH])
        if not batch:
            break
        for export_id in batch:
            _delete_quietly(storage, f"{export_id}.csv")
            _delete_quietly(storage, f"{export_id}.csv.part")
        removed += QueueExport.objects.filter(pk__in=batch).delete()[0]
    try:
        _dirs, names = storage.listdir("")
    except FileNotFoundError:  # nothing was ever exported
        names = []
    for name in names:
        if _FILE_NAME.match(name) and storage.get_modified_time(name) < older_than:
            _delete_quietly(storage, name)
    return removed


def _delete_quietly(storage: Storage, name: str) -> None:
    """Delete ``name`` if it is there (an absent file is not an error)."""
    if name:
        storage.delete(name)
