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

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core.text import ascii_digits
from customers.choices import Workload
from partners.models import display_name
from partners.selectors import partner_users
from servicerequests.choices import Severity, Status
from servicerequests.filters import SLA_FILTER_STATES
from servicerequests.handoffs.selectors import handoffs_received
from servicerequests.models import SavedQueue
from servicerequests.services import ASSIGNABLE_ROLES, SETTABLE_STATUSES
from servicerequests.sla import SlaState

from .bulk import (
    CONFIRM_ABOVE,
    MAX_BULK_ROWS,
    BulkAction,
    bulk_action_check,
    bulk_action_question,
    bulk_failure_lines,
    bulk_result_summary,
    service_request_bulk_apply,
)
from .definitions import (
    HANDOFF_QUEUE_KEY,
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
    SUGGEST_BACKGROUND_EXPORT_ROWS,
)
from .freshness import queue_counts_ensure_fresh, report_rollup_ensure_fresh
from .handoffs import HANDOFF_PAGE_SIZE, handoff_clock
from .reports import WORKLOAD_COLOURS, duration_label, report_for
from .rows import detail_url_parts, row_html, row_words, sla_cell
from .selectors import (
    DEFAULT_PAGE_SIZE,
    InvalidCursor,
    default_queue_key,
    queue_counts,
    queue_get,
    queue_page,
    queue_requests,
    queues_visible,
    saved_queue_list,
)
from .services import saved_queue_create, saved_queue_delete, saved_queue_rename
from .sidebar import sidebar_entries


def _require_queue_user(request) -> None:
    if not may_open_queues(request.user):
        raise PermissionDenied(_("Queues are for the partner's support managers, admin and helpdesk agents."))


def _require_manager(request) -> None:
    if not is_queue_manager(request.user):
        raise PermissionDenied(_("Only a support manager may do this."))


def _queue_or_404(request, key: str) -> QueueDefinition:
    try:
        return queue_get(actor=request.user, key=key)
    except QueueNotFound:
        raise Http404(_("No such queue.")) from None


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
        (str(pk), display_name(first, last, username))
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


def _sidebar(user, queues, counts, *, current_key: str | None = None, handoff_current: bool = False) -> dict:
    """The sidebar's context: ``queues`` with their counts (``(queue, count or None)``) and the
    prepared ``sidebar_entries``. "Hand-offs from resellers" is listed for providers' managers and
    admin agents where it applies: the partner has resellers or has received hand-offs, which is
    when ``reports.queue_counts_refresh`` counts that queue."""
    return {
        "queues": [(q, counts.get(q.key)) for q in queues],
        "sidebar_entries": sidebar_entries(
            queues,
            counts,
            current_key=current_key,
            handoff_listed=may_open_handoff_queue(user) and HANDOFF_QUEUE_KEY in counts,
            handoff_current=handoff_current,
        ),
    }


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
    counts = _sidebar_counts(user, queues)
    manager = is_queue_manager(user)
    filter_params = [*_filter_params(filters, queue.filters), ("order", ordering.key)]
    modified = filters != queue.filters or ordering.key != queue.ordering
    queue_url = _queue_url(queue)
    detail_url = detail_url_parts()
    words = row_words()
    rows_html = [
        row_html(*row, queue_url=queue_url, selectable=manager, detail_url=detail_url, words=words)
        for row in rows
    ]
    current_count = counts.get(queue.key)
    estimate = None if modified or current_count is None else current_count
    suggest_background = estimate is not None and estimate.count >= SUGGEST_BACKGROUND_EXPORT_ROWS
    return {
        "queue": queue,
        "queue_url": queue_url,
        **_sidebar(user, queues, counts, current_key=queue.key),
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
        "error_lines": _error_lines(errors),
        "is_manager": manager,
        "assignees": _assignee_options(request) if manager else [],
        "workload_choices": Workload.choices,
        "severity_choices": Severity.choices,
        "status_choices": Status.choices,
        "settable_statuses": [(s, Status(s).label) for s in Status.values if s in SETTABLE_STATUSES],
        "sla_choices": [(s, SlaState(s).label) for s in SLA_FILTER_STATES],
        "bulk_actions": BulkAction.choices,
        "max_bulk_rows": MAX_BULK_ROWS,
        "confirm_above": CONFIRM_ABOVE,
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


#: The words for the fields and parameters that validation errors name (the keys stay English).
FIELD_LABELS = {
    "action": gettext_lazy("Action"),
    "assignee": gettext_lazy("Assignee"),
    "status": gettext_lazy("Status"),
    "severity": gettext_lazy("Severity"),
    "note_text": gettext_lazy("Note"),
    "request_ids": gettext_lazy("Selected requests"),
    "name": gettext_lazy("Queue name"),
    "workload": gettext_lazy("Workload"),
    "workloads": gettext_lazy("Workload"),
    "severities": gettext_lazy("Severity"),
    "statuses": gettext_lazy("Status"),
    "customer": gettext_lazy("Customer tenant ID"),
    "customer_id": gettext_lazy("Customer tenant ID"),
    "sla": gettext_lazy("SLA"),
    "sla_state": gettext_lazy("SLA"),
    "order": gettext_lazy("Order"),
    "ordering": gettext_lazy("Order"),
    "cursor": gettext_lazy("Page"),
    "export": gettext_lazy("Export"),
}


def _error_lines(message_dict: dict) -> list[str]:
    """``{field: [reason, ...]}`` as one line per field, the field in words ("Status: ...")."""
    return [
        _("%(field)s: %(reasons)s") % {"field": FIELD_LABELS.get(field, field), "reasons": " ".join(reasons)}
        for field, reasons in message_dict.items()
    ]


def _bulk_arguments(request) -> dict:
    """The bulk form's arguments of ``service_request_bulk_apply`` (the assignee read among the
    partner's assignable users: None when absent or not one of them)."""
    data = request.POST
    action = data.get("action", "")
    assignee = None
    if action == BulkAction.ASSIGN:
        assignee_id = data.get("assignee", "")
        if ascii_digits(assignee_id):
            assignee = _assignees(request).prefetch_related("roles").filter(pk=assignee_id).first()
    return {
        "request_ids": data.getlist("ids"),
        "action": action,
        "assignee": assignee,
        "status": data.get("status") or None,
        "severity": data.get("severity") or None,
        "note_text": data.get("note_text") or None,
    }


@login_required
@require_POST
def queue_bulk(request):
    """Apply one action to the selected requests (``service_request_bulk_apply``), then go back to
    the queue with what happened: one sentence for the requests changed, one for each request not
    changed and why. Above :data:`~queues.bulk.CONFIRM_ABOVE` selected requests, a form not yet
    confirmed (``confirmed=1``) gets a confirmation page naming the action and the count instead,
    nothing changed."""
    _require_manager(request)
    arguments = _bulk_arguments(request)
    try:
        ids = bulk_action_check(**arguments)
        if len(ids) > CONFIRM_ABOVE and request.POST.get("confirmed") != "1":
            return _bulk_confirmation(request, arguments, ids)
        result = service_request_bulk_apply(actor=request.user, **arguments)
    except ValidationError as exc:
        for line in _error_lines(exc.message_dict):
            messages.error(request, line)
        return _back(request)
    wording = {key: arguments[key] for key in ("assignee", "status", "severity")}
    if result.succeeded:
        messages.success(request, bulk_result_summary(result, **wording))
    else:
        messages.error(request, bulk_result_summary(result, **wording))
    for line in bulk_failure_lines(result):
        messages.error(request, line)
    return _back(request)


def _bulk_confirmation(request, arguments: dict, ids: list[str]):
    """The confirmation step of a large bulk action: the question, the form again with
    ``confirmed=1``, and the way back."""
    target = request.POST.get("next", "")
    if not (target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})):
        target = reverse("queues")
    assignee = arguments["assignee"]
    hidden = [
        ("action", arguments["action"]),
        ("assignee", str(assignee.pk) if assignee is not None else ""),
        ("status", arguments["status"] or ""),
        ("severity", arguments["severity"] or ""),
        ("note_text", arguments["note_text"] or ""),
        ("next", target),
        *(("ids", request_id) for request_id in ids),
    ]
    question = bulk_action_question(
        action=arguments["action"],
        count=len(ids),
        assignee=assignee,
        status=arguments["status"],
        severity=arguments["severity"],
    )
    return render(
        request,
        "servicerequests/queues/bulk_confirm.html",
        {
            "question": question,
            "action_label": BulkAction(arguments["action"]).label,
            "count": len(ids),
            "ids": ids,
            "note_text": arguments["note_text"] if arguments["action"] == BulkAction.ADD_NOTE else "",
            "hidden": hidden,
            "back_url": target,
        },
    )


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
        for line in _error_lines(exc.message_dict):
            messages.error(request, _("Queue not saved: %(reason)s") % {"reason": line})
        return _back(request)
    messages.success(request, _("Queue “%(name)s” saved.") % {"name": saved.name})
    return redirect("queue_detail", key=f"saved-{saved.pk}")


def _saved_or_404(request, pk: int) -> SavedQueue:
    saved = saved_queue_list(actor=request.user).filter(pk=pk).first()
    if saved is None:
        raise Http404(_("No such queue."))
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
        for line in _error_lines(exc.message_dict):
            messages.error(request, _("Queue not renamed: %(reason)s") % {"reason": line})
    else:
        messages.success(request, _("Queue renamed to “%(name)s”.") % {"name": saved.name})
    return redirect("queue_detail", key=f"saved-{saved.pk}")


@login_required
@require_POST
def queue_saved_delete(request, pk: int):
    """Delete one of the actor's own saved queues."""
    _require_manager(request)
    saved = _saved_or_404(request, pk)
    name = saved.name
    saved_queue_delete(actor=request.user, saved_queue=saved)
    messages.success(request, _("Queue “%(name)s” deleted.") % {"name": name})
    return redirect("queues")


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
        raise PermissionDenied(_("Hand-offs come to a provider's support managers and admin agents."))
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
            **_sidebar(user, queues, counts, handoff_current=True),
            "is_manager": is_queue_manager(user),
        },
    )
