"""Browser pages of the support managers' queues: a queue (keyset pages, HTMX table refresh), bulk
actions, saved queues, CSV export (streamed, or prepared in the background with a progress page),
and the reports page.

Views are thin: they parse the query or the form, read through ``selectors`` / ``reports`` /
``exports`` (scoped to the actor's partner, and for exports to the actor), call ``bulk``, the
saved-queue or the export services, and render. Only support managers see every queue, act in bulk
and read reports; admin and helpdesk agents get "My requests" (and may export it).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from core.files import private_file_response
from customers.choices import Workload
from partners.selectors import partner_users
from servicerequests.choices import ExportStatus, Severity, Status
from servicerequests.filters import SLA_FILTER_STATES
from servicerequests.handoffs.selectors import handoffs_received
from servicerequests.models import QueueExport, SavedQueue
from servicerequests.services import ASSIGNABLE_ROLES, SETTABLE_STATUSES, UNSET
from servicerequests.sla import SlaState

from .bulk import MAX_BULK_ROWS, BulkAction, service_request_bulk_apply
from .definitions import (
    HANDOFF_QUEUE_KEY,
    HANDOFF_QUEUE_NAME,
    ORDERINGS,
    PARAM_FIELDS,
    QueueDefinition,
    QueueFilters,
    QueueNotFound,
    filters_as_params,
    filters_from_params,
    is_queue_manager,
    may_open_handoff_queue,
    may_open_queues,
    ordering_get,
)
from .exports import (
    EXPORT_CHUNK_SIZE,
    EXPORT_PENDING_TIMEOUT,
    EXPORT_RETENTION,
    SUGGEST_BACKGROUND_EXPORT_ROWS,
    csv_lines,
    export_storage,
    queue_export_file,
    queue_export_list,
    queue_export_start,
)
from .freshness import queue_counts_ensure_fresh, report_rollup_ensure_fresh
from .handoffs import HANDOFF_PAGE_SIZE, handoff_clock
from .reports import WORKLOAD_COLOURS, duration_label, report_for
from .rows import detail_url_parts, row_html, sla_cell
from .selectors import (
    DEFAULT_PAGE_SIZE,
    InvalidCursor,
    default_queue_key,
    queue_counts,
    queue_export_rows,
    queue_get,
    queue_page,
    queue_requests,
    queues_visible,
    saved_queue_list,
)
from .services import saved_queue_create, saved_queue_delete, saved_queue_rename


def _require_queue_user(request) -> None:
    if not may_open_queues(request.user):
        raise PermissionDenied("Queues are for the partner's support managers, admin and helpdesk agents.")


def _require_manager(request) -> None:
    if not is_queue_manager(request.user):
        raise PermissionDenied("Only a support manager may do this.")


def _queue_or_404(request, key: str) -> QueueDefinition:
    try:
        return queue_get(actor=request.user, key=key)
    except QueueNotFound:
        raise Http404("No such queue.") from None


def _assignees(request):
    return (
        partner_users(actor=request.user)
        .filter(is_active=True, roles__role__in=list(ASSIGNABLE_ROLES))
        .distinct()
        .order_by("username")
    )


def _assignee_options(request) -> list[tuple[str, str]]:
    """``(user id, name)`` of the users a request can be assigned to, for the filter and bulk
    selects: values, not user objects (the page needs two strings of each)."""
    return [
        (str(pk), f"{first} {last}".strip() or username)
        for pk, username, first, last in _assignees(request).values_list(
            "pk", "username", "first_name", "last_name"
        )
    ]


def _queue_url(queue: QueueDefinition) -> str:
    return reverse("queue_detail", args=[queue.key])


def _filter_params(filters: QueueFilters, base: QueueFilters) -> list[tuple[str, str]]:
    """``filters`` as query parameters that give them back on top of the queue's ``base`` filters:
    a filter of ``base`` that was cleared is sent empty (left out, the base one would apply again)."""
    params = filters_as_params(filters)
    given = {param for param, _value in params}
    in_base = {param for param, _value in filters_as_params(base)}
    return [*params, *((param, "") for param in PARAM_FIELDS if param in in_base - given)]


def _sidebar_counts(user, queues) -> dict:
    """The sidebar's maintained counts, recomputed first when missing or stale (queues.freshness)."""
    extra = (HANDOFF_QUEUE_KEY,) if may_open_handoff_queue(user) else ()
    counts = queue_counts(actor=user, queues=queues, extra_keys=extra)
    if queue_counts_ensure_fresh(
        partner_id=user.partner_id, refreshed=[c.refreshed_at for c in counts.values()]
    ):
        counts = queue_counts(actor=user, queues=queues, extra_keys=extra)
    return counts


def _handoff_entry(user, counts) -> dict:
    """The sidebar's "Hand-offs from resellers" entry (providers' managers and admin agents)."""
    if not may_open_handoff_queue(user):
        return {}
    return {"handoff_queue": {"name": HANDOFF_QUEUE_NAME, "count": counts.get(HANDOFF_QUEUE_KEY)}}


def _page_context(request, queue: QueueDefinition) -> tuple[dict, int]:
    user = request.user
    now = timezone.now()
    status = 200
    errors: dict[str, list[str]] = {}
    try:
        filters = filters_from_params(request.GET, queue.filters)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        filters, status = queue.filters, 400
    order_key = request.GET.get("order") or queue.ordering
    try:
        ordering = ordering_get(order_key)
    except ValidationError as exc:
        errors["order"] = exc.message_dict["ordering"]
        ordering, status = ordering_get(queue.ordering), 400
    queryset = queue_requests(actor=user, filters=filters, now=now)
    cursor = request.GET.get("cursor", "")
    try:
        page = queue_page(queryset, ordering=ordering, cursor=cursor, size=DEFAULT_PAGE_SIZE)
    except InvalidCursor as exc:
        errors["cursor"] = [str(exc)]
        page, status, cursor = queue_page(queryset, ordering=ordering, size=DEFAULT_PAGE_SIZE), 400, ""
    rows = [
        (sr, sla_cell(sr, now), duration_label((now - sr.created_at).total_seconds())) for sr in page.rows
    ]
    queues = queues_visible(actor=user)
    counts = queue_counts(actor=user, queues=queues)
    if queue_counts_ensure_fresh(
        partner_id=user.partner_id, refreshed=[c.refreshed_at for c in counts.values()]
    ):
        counts = queue_counts(actor=user, queues=queues)
    manager = is_queue_manager(user)
    filter_params = [*_filter_params(filters, queue.filters), ("order", ordering.key)]
    modified = filters != queue.filters or ordering.key != queue.ordering
    queue_url = _queue_url(queue)
    detail_url = detail_url_parts()
    rows_html = [
        row_html(*row, queue_url=queue_url, selectable=manager, detail_url=detail_url) for row in rows
    ]
    current_count = counts.get(queue.key)
    estimate = None if modified or current_count is None else current_count
    suggest_background = estimate is not None and estimate.count >= SUGGEST_BACKGROUND_EXPORT_ROWS
    return {
        "queue": queue,
        "queue_url": queue_url,
        "queues": [(q, counts.get(q.key)) for q in queues],
        **_handoff_entry(user, counts),
        "rows": rows,
        "rows_html": rows_html,
        "next_cursor": page.next_cursor,
        "is_first_page": not cursor,
        "filters": filters,
        "ordering": ordering,
        "orderings": list(ORDERINGS.values()),
        "filter_query": urlencode(filter_params),
        "filter_params": filter_params,
        "modified": modified,
        "estimate": estimate,
        "background_export_suggested": suggest_background,
        "errors": errors,
        "is_manager": manager,
        "assignees": _assignee_options(request) if manager else [],
        "workload_choices": Workload.choices,
        "severity_choices": Severity.choices,
        "status_choices": Status.choices,
        "settable_statuses": [(s, Status(s).label) for s in Status.values if s in SETTABLE_STATUSES],
        "sla_choices": [(s, SlaState(s).label) for s in SLA_FILTER_STATES],
        "bulk_actions": BulkAction.choices,
        "max_bulk_rows": MAX_BULK_ROWS,
        "current_url": f"{queue_url}?{urlencode(filter_params)}",
        "now": now,
    }, status


@login_required
@require_GET
def queue_index(request):
    """``/queues/``: the actor's default queue (Unassigned for a manager, My requests otherwise)."""
    _require_queue_user(request)
    return _render_queue(request, _queue_or_404(request, default_queue_key(request.user)))


@login_required
@require_GET
def queue_detail(request, key: str):
    """One queue: filters and ordering from the URL, keyset pages (``?cursor=``). An HTMX request
    gets only the results (table and pager)."""
    _require_queue_user(request)
    return _render_queue(request, _queue_or_404(request, key))


def _render_queue(request, queue: QueueDefinition):
    context, status = _page_context(request, queue)
    if getattr(request, "htmx", False):
        return render(request, "servicerequests/queues/_results.html", context, status=status)
    return render(request, "servicerequests/queues/queue.html", context, status=status)


def _back(request):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("queues")


@login_required
@require_POST
def queue_bulk(request):
    """Apply one action to the selected requests (``service_request_bulk_apply``), then go back to
    the queue with a message: how many succeeded, and for each other request why not."""
    _require_manager(request)
    data = request.POST
    action = data.get("action", "")
    assignee = UNSET
    if action == BulkAction.ASSIGN:
        assignee_id = data.get("assignee", "")
        assignee = (
            _assignees(request).prefetch_related("roles").filter(pk=assignee_id).first()
            if assignee_id.isdigit()
            else None
        )
    try:
        result = service_request_bulk_apply(
            actor=request.user,
            request_ids=data.getlist("ids"),
            action=action,
            assignee=None if assignee is UNSET else assignee,
            status=data.get("status") or None,
            severity=data.get("severity") or None,
            note_text=data.get("note_text") or None,
        )
    except ValidationError as exc:
        for field, reasons in exc.message_dict.items():
            messages.error(request, f"{field}: {' '.join(reasons)}")
        return _back(request)
    label = BulkAction(action).label
    if result.succeeded:
        messages.success(request, f"{label}: done for {len(result.succeeded)} of {result.total} request(s).")
    for request_id, reason in result.failed.items():
        messages.error(request, f"{label}: request {request_id} not changed: {reason}")
    return _back(request)


@login_required
@require_POST
def queue_saved_create(request):
    """Save the current filters and ordering as a named queue of the partner."""
    _require_manager(request)
    try:
        filters = filters_from_params(request.POST, QueueFilters())
        saved = saved_queue_create(
            actor=request.user,
            name=request.POST.get("name", ""),
            filters=filters.as_dict(),
            ordering=request.POST.get("order", "") or "-created",
        )
    except ValidationError as exc:
        for field, reasons in exc.message_dict.items():
            messages.error(request, f"Queue not saved: {field}: {' '.join(reasons)}")
        return _back(request)
    messages.success(request, f"Queue {saved.name!r} saved.")
    return redirect("queue_detail", key=f"saved-{saved.pk}")


def _saved_or_404(request, pk: int) -> SavedQueue:
    saved = saved_queue_list(actor=request.user).filter(pk=pk).first()
    if saved is None:
        raise Http404("No such queue.")
    return saved


@login_required
@require_POST
def queue_saved_rename(request, pk: int):
    """Rename one of the actor's own saved queues."""
    _require_manager(request)
    saved = _saved_or_404(request, pk)
    try:
        saved_queue_rename(actor=request.user, saved_queue=saved, name=request.POST.get("name", ""))
    except ValidationError as exc:
        for field, reasons in exc.message_dict.items():
            messages.error(request, f"Queue not renamed: {field}: {' '.join(reasons)}")
    else:
        messages.success(request, f"Queue renamed to {saved.name!r}.")
    return redirect("queue_detail", key=f"saved-{saved.pk}")


@login_required
@require_POST
def queue_saved_delete(request, pk: int):
    """Delete one of the actor's own saved queues."""
    _require_manager(request)
    saved = _saved_or_404(request, pk)
    name = saved.name
    saved_queue_delete(actor=request.user, saved_queue=saved)
    messages.success(request, f"Queue {name!r} deleted.")
    return redirect("queues")


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
        reasons = "; ".join(f"{f}: {' '.join(m)}" for f, m in exc.message_dict.items())
        return HttpResponseBadRequest(f"Export not started: {reasons}", content_type="text/plain")
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
        raise Http404("No such queue.") from None
    except ValidationError as exc:
        for field, reasons in exc.message_dict.items():
            messages.error(request, f"Export not started: {field}: {' '.join(reasons)}")
        return _back(request)
    return redirect("queue_export_status", export_id=export.pk)


def _export_or_404(request, export_id) -> QueueExport:
    export = queue_export_list(actor=request.user).filter(pk=export_id).first()
    if export is None:
        raise Http404("No such export.")
    return export


def _seconds_label(seconds: float) -> str:
    """``4 s``, ``2 min 05 s``; from an hour on as :func:`duration_label`."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return duration_label(seconds)


FILTER_LABELS = {
    "workloads": "Workload",
    "severities": "Severity",
    "statuses": "Status",
    "customer_id": "Customer tenant ID",
    "assignee": "Assigned to",
    "sla_state": "SLA",
}


def _filter_labels(filters: dict) -> list[tuple[str, str]]:
    # In the filters' own order (a JSON column may come back with its keys in another).
    canonical = QueueFilters.from_dict(filters).as_dict()
    return [
        (FILTER_LABELS[name], ", ".join(value) if isinstance(value, list) else value)
        for name, value in canonical.items()
    ]


def _not_ready(export: QueueExport) -> str:
    if export.status == ExportStatus.FAILED:
        return f"This export failed, so there is no file to download: {export.error}"
    if export.status == ExportStatus.RUNNING and export.rows_total is not None:
        return (
            f"This export is not ready yet: {export.rows_written} of {export.rows_total} rows written "
            f"({export.percent}%). Download it from its page when it is done."
        )
    return (
        "This export is not ready yet: it is waiting for a worker. Download it from its page when it is done."
    )


def _export_context(export: QueueExport) -> dict:
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
        "filter_labels": _filter_labels(export.filters),
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
    context = _export_context(export)
    if getattr(request, "htmx", False):
        return render(request, "servicerequests/queues/_export_progress.html", context)
    context["recent_exports"] = list(queue_export_list(actor=request.user)[:10])
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
            "The file of this export is no longer available; start a new export.",
            status=410,
            content_type="text/plain; charset=utf-8",
        )
    return response


@login_required
@require_GET
def queue_reports(request):
    """The partner's reports (support managers): charts drawn server-side from the rollup."""
    _require_manager(request)
    report = report_for(actor=request.user)
    if report_rollup_ensure_fresh(partner_id=request.user.partner_id, refreshed_at=report.refreshed_at):
        report = report_for(actor=request.user)
    return render(
        request,
        "servicerequests/reports/reports.html",
        {
            "report": report,
            "legend": [(Workload(w).label, colour) for w, colour in WORKLOAD_COLOURS.items()],
            "workload_totals": [(Workload(w).label, n) for w, n in report.created_by_workload.items()],
            "sla_rows": [
                (Severity(s).label, n, duration_label(report.median_first_response[s]))
                for s, n in report.sla.items()
            ],
            "median_all": duration_label(report.median_first_response["all"]),
        },
    )


@login_required
@require_GET
def queue_handoffs(request):
    """ "Hand-offs from resellers": the requests resellers asked the partner to file, answer due
    soonest first, with the hand-off's own response clock; ``?status=all`` shows decided ones too."""
    user = request.user
    if not may_open_handoff_queue(user):
        raise PermissionDenied("Hand-offs come to a provider's support managers and admin agents.")
    show_all = request.GET.get("status") == "all"
    now = timezone.now()
    rows = [
        (h, handoff_clock(h, now))
        for h in handoffs_received(actor=user, pending_only=not show_all).select_related(
            "reseller", "customer", "service_request"
        )[:HANDOFF_PAGE_SIZE]
    ]
    queues = queues_visible(actor=user) if may_open_queues(user) else []
    counts = _sidebar_counts(user, queues) if queues else {}
    return render(
        request,
        "servicerequests/queues/handoffs.html",
        {
            "rows": rows,
            "show_all": show_all,
            "queues": [(q, counts.get(q.key)) for q in queues],
            "is_manager": is_queue_manager(user),
            "handoff_current": True,
            **_handoff_entry(user, counts),
        },
    )
