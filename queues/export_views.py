"""Browser pages of the queues' CSV exports: streamed at once, or prepared in the background with
a progress page and a download once done.

Thin like ``views``: parse the query or the form, authorise (the actor's queues; an export is only
ever its requester's), call ``exports``, render.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core.files import private_file_response
from customers.choices import Workload
from servicerequests.choices import ExportStatus, Severity, Status
from servicerequests.models import QueueExport
from servicerequests.sla import SlaState

from .definitions import (
    ASSIGNEE_ME,
    ASSIGNEE_NONE,
    BUILTIN_BY_KEY,
    ORDERINGS,
    QueueFilters,
    QueueNotFound,
    filters_from_params,
    ordering_get,
)
from .exports import (
    EXPORT_CHUNK_SIZE,
    EXPORT_PENDING_TIMEOUT,
    EXPORT_RETENTION,
    csv_lines,
    export_storage,
    queue_export_file,
    queue_export_list,
    queue_export_start,
)
from .reports import duration_label
from .selectors import queue_export_rows, queue_requests
from .views import _assignee_options, _back, _error_lines, _queue_or_404, _require_queue_user


@login_required
@require_GET
def queue_export(request, key: str):
    """The queue (with the URL's filters and ordering) as CSV, streamed from the database in
    chunks: memory stays flat whatever the number of rows."""
    _require_queue_user(request)
    queue = _queue_or_404(request, key)
    try:
        filters = filters_from_params(request.GET, queue.filters)
        ordering = ordering_get(request.GET.get("order") or queue.ordering)
    except ValidationError as exc:
        reasons = "; ".join(_error_lines(exc.message_dict))
        return HttpResponseBadRequest(
            _("Export not started: %(reason)s") % {"reason": reasons},
            content_type="text/plain; charset=utf-8",
        )
    now = timezone.now()
    queryset = queue_requests(actor=request.user, filters=filters, now=now)
    rows = queue_export_rows(queryset, ordering=ordering, chunk_size=EXPORT_CHUNK_SIZE)
    response = StreamingHttpResponse(csv_lines(rows, now=now), content_type="text/csv; charset=utf-8")
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    response["Content-Disposition"] = f'attachment; filename="queue-{queue.key}-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def queue_export_prepare(request, key: str):
    """Start the background export of the queue with the form's filters and ordering
    (``exports.queue_export_start``) and go to its status page; a refusal goes back to the queue
    with the reason."""
    _require_queue_user(request)
    queue = _queue_or_404(request, key)
    try:
        filters = filters_from_params(request.POST, queue.filters)
        ordering = ordering_get(request.POST.get("order") or queue.ordering)
        export = queue_export_start(actor=request.user, queue=queue, filters=filters, ordering=ordering.key)
    except QueueNotFound:
        raise Http404(_("No such queue.")) from None
    except ValidationError as exc:
        for line in _error_lines(exc.message_dict):
            messages.error(request, _("Export not started: %(reason)s") % {"reason": line})
        return _back(request)
    return redirect("queue_export_status", export_id=export.pk)


def _export_or_404(request, export_id) -> QueueExport:
    export = queue_export_list(actor=request.user).filter(pk=export_id).first()
    if export is None:
        raise Http404(_("No such export."))
    return export


def _seconds_label(seconds: float) -> str:
    """``4 s``, ``2 min 05 s``; from an hour on as :func:`duration_label`."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return _("%(seconds)d s") % {"seconds": seconds}
    if seconds < 3600:
        return _("%(minutes)d min %(seconds)02d s") % {"minutes": seconds // 60, "seconds": seconds % 60}
    return duration_label(seconds)


FILTER_LABELS = {
    "workloads": gettext_lazy("Workload"),
    "severities": gettext_lazy("Severity"),
    "statuses": gettext_lazy("Status"),
    "customer_id": gettext_lazy("Customer tenant ID"),
    "assignee": gettext_lazy("Assigned to"),
    "sla_state": gettext_lazy("SLA"),
}
ASSIGNEE_LABELS = {ASSIGNEE_ME: gettext_lazy("Me"), ASSIGNEE_NONE: gettext_lazy("Unassigned")}


def _filter_value_label(request, name: str, value: str) -> str:
    """One filter value in words: a choice's label, "Me", "Unassigned" or the user's name."""
    if name == "workloads":
        return str(Workload(value).label)
    if name == "severities":
        return str(Severity(value).label)
    if name == "statuses":
        return str(Status(value).label)
    if name == "sla_state":
        return str(SlaState(value).label)
    if name == "assignee":
        if value in ASSIGNEE_LABELS:
            return str(ASSIGNEE_LABELS[value])
        return dict(_assignee_options(request)).get(value, value)
    return value


def _filter_labels(request, filters: dict) -> list[tuple[str, str]]:
    # In the filters' own order (a JSON column may come back with its keys in another).
    canonical = QueueFilters.from_dict(filters).as_dict()
    return [
        (
            FILTER_LABELS[name],
            ", ".join(
                _filter_value_label(request, name, v) for v in (value if isinstance(value, list) else [value])
            ),
        )
        for name, value in canonical.items()
    ]


def _queue_name(export: QueueExport) -> str:
    """The export's queue name: a built-in queue's in the active language, a saved one's as stored."""
    builtin = BUILTIN_BY_KEY.get(export.queue_key)
    return str(builtin.name) if builtin is not None else export.queue_name


def _not_ready(export: QueueExport) -> str:
    if export.status == ExportStatus.FAILED:
        return _("This export failed, so there is no file to download: %(error)s") % {"error": export.error}
    if export.status == ExportStatus.RUNNING and export.rows_total is not None:
        return _(
            "This export is not ready yet: %(written)s of %(total)s rows written (%(percent)s%%). "
            "Download it from its page when it is done."
        ) % {
            "written": number_format(export.rows_written, force_grouping=True),
            "total": number_format(export.rows_total, force_grouping=True),
            "percent": export.percent,
        }
    return _(
        "This export is not ready yet: it is waiting for a worker. Download it from its page when it is done."
    )


def _export_context(request, export: QueueExport) -> dict:
    now = timezone.now()
    if export.status == ExportStatus.PENDING:
        elapsed = now - export.created_at
    else:
        elapsed = (export.finished_at or now) - (export.started_at or export.created_at)
    # Past the sweeper's age a pending export's message was probably lost: the page says so.
    waiting = (
        export.status == ExportStatus.PENDING and elapsed.total_seconds() >= settings.DISPATCH_SWEEP_MIN_AGE
    )
    ordering = ORDERINGS.get(export.ordering)
    return {
        "export": export,
        "percent": export.percent,
        "elapsed": _seconds_label(elapsed.total_seconds()),
        "waiting_for_worker": waiting,
        "pending_timeout_minutes": int(EXPORT_PENDING_TIMEOUT.total_seconds() // 60),
        "filter_labels": _filter_labels(request, export.filters),
        "queue_name": _queue_name(export),
        "ordering_label": ordering.label if ordering else export.ordering,
        "queue_url": reverse("queue_detail", args=[export.queue_key]),
        "expires_at": export.created_at + EXPORT_RETENTION,
    }


@login_required
@require_GET
def queue_export_status(request, export_id):
    """A background export of the user's: queue, filters, progress bar, elapsed time, and the
    download link once done (or why it failed). An HTMX request gets only the progress fragment,
    which polls every second until the export is done or failed."""
    _require_queue_user(request)
    export = _export_or_404(request, export_id)
    context = _export_context(request, export)
    if getattr(request, "htmx", False):
        return render(request, "servicerequests/queues/_export_progress.html", context)
    context["recent_exports"] = [
        (item, _queue_name(item)) for item in queue_export_list(actor=request.user)[:10]
    ]
    return render(request, "servicerequests/queues/export.html", context)


@login_required
@require_GET
def queue_export_download(request, export_id):
    """The file of one of the user's finished background exports, as an attachment. 409 while it
    is not done (with where it stands), 410 once the file has been purged."""
    _require_queue_user(request)
    export = _export_or_404(request, export_id)
    if export.status != ExportStatus.DONE:
        return HttpResponse(_not_ready(export), status=409, content_type="text/plain; charset=utf-8")
    name = queue_export_file(export)
    response = None
    if name is not None:
        response = private_file_response(
            storage=export_storage(),
            name=name,
            download_name=export.download_name,
            content_type="text/csv; charset=utf-8",
        )
    if response is None:
        return HttpResponse(
            _("The file of this export is no longer available; start a new export."),
            status=410,
            content_type="text/plain; charset=utf-8",
        )
    return response
