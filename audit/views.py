"""Browser pages of the audit trail: the partner's audit log (keyset pages), its CSV export, and the
403 handler that records permission denials.

Only the partner's admin agents and support managers read the log (others: 403). Views parse the
filters, read through ``audit.selectors`` (scoped to the partner) and render.
"""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.csv import csv_cell
from core.pages import query_string_without
from customers.selectors import customer_list
from partners.selectors import partner_users

from .forms import AuditLogFilterForm
from .selectors import (
    DEFAULT_PAGE_SIZE,
    InvalidCursor,
    audit_event_export_rows,
    audit_event_list,
    audit_event_page,
    audit_log_visible,
)
from .services import audit_permission_denied
from .wording import audit_event_sentence

CSV_COLUMNS = (
    "occurred_at",
    "actor_id",
    "actor",
    "partner_id",
    "customer_id",
    "action",
    "object_type",
    "object_id",
    "before",
    "after",
    "request_id",
    "correlation_id",
    "ip_address",
)


def _require_audit_reader(request) -> None:
    if not audit_log_visible(actor=request.user):
        raise PermissionDenied(
            _("Only the partner's admin agents and support managers can read the audit log.")
        )


def _filter_form(request) -> AuditLogFilterForm:
    user = request.user
    return AuditLogFilterForm(
        request.GET or None, users=partner_users(actor=user), customers=customer_list(actor=user)
    )


@login_required
def audit_log(request):
    """The partner's audit log: filters, newest first, keyset pages of 50 (``?cursor=``)."""
    _require_audit_reader(request)
    form = _filter_form(request)
    queryset = form.filters().apply(audit_event_list(actor=request.user))
    status = 200 if not form.is_bound or form.is_valid() else 400
    cursor_error = ""
    try:
        page = audit_event_page(queryset, cursor=request.GET.get("cursor", ""), size=DEFAULT_PAGE_SIZE)
    except InvalidCursor as exc:
        cursor_error = str(exc)
        page = audit_event_page(queryset, size=DEFAULT_PAGE_SIZE)
        status = 400
    customer_ids = {event.customer_id for event in page.events if event.customer_id}
    customer_names = (
        dict(customer_list(actor=request.user).filter(pk__in=customer_ids).values_list("pk", "name"))
        if customer_ids
        else {}
    )
    actor_ids = {event.actor_id for event in page.events if event.actor_id}
    actor_names = {
        user.pk: user.get_full_name() or user.username
        for user in (partner_users(actor=request.user).filter(pk__in=actor_ids) if actor_ids else ())
    }
    rows = [
        (
            event,
            audit_event_sentence(
                event,
                actor_name=actor_names.get(event.actor_id, event.actor_name),
                customer_name=customer_names.get(event.customer_id, ""),
            ),
        )
        for event in page.events
    ]
    return render(
        request,
        "audit/log.html",
        {
            "form": form,
            "events": page.events,
            "rows": rows,
            "next_cursor": page.next_cursor,
            "is_first_page": not request.GET.get("cursor"),
            "filter_query": query_string_without(request, "cursor"),
            "cursor_error": cursor_error,
        },
        status=status,
    )


class _Echo:
    """A file-like object whose ``write`` returns the line, for ``csv.writer`` in a generator."""

    def write(self, value):
        return value


def _csv_lines(events):
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for event in events:
        yield writer.writerow(
            [
                csv_cell(v)
                for v in (
                    event.occurred_at,
                    event.actor_id,
                    event.actor_name,
                    event.partner_id,
                    event.customer_id,
                    event.action,
                    event.object_type,
                    event.object_id,
                    event.before,
                    event.after,
                    event.request_id,
                    event.correlation_id,
                    event.ip_address,
                )
            ]
        )


@login_required
def audit_log_export(request):
    """The filtered log as CSV, streamed from the database in chunks (no size limit in memory)."""
    _require_audit_reader(request)
    form = _filter_form(request)
    if form.is_bound and not form.is_valid():
        return render(
            request, "audit/log.html", {"form": form, "events": [], "is_first_page": True}, status=400
        )
    events = audit_event_export_rows(form.filters().apply(audit_event_list(actor=request.user)))
    response = StreamingHttpResponse(_csv_lines(events), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response


def permission_denied(request, exception=None):
    """``handler403``: record the denial (``auth.permission_denied``), then the usual 403 page."""
    audit_permission_denied(request=request, reason=str(exception or "") or "Forbidden", surface="browser")
    return render(request, "403.html", {"exception": str(exception or "")}, status=403)
