"""The rows of a queue page: the SLA cell of a request and one table row as escaped HTML."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from customers.choices import WORKLOAD_LABELS
from servicerequests.choices import SEVERITY_LABELS, STATUS_LABELS
from servicerequests.sla import SlaState, sla_state

from .reports import duration_label
from .selectors import QueueRow


@dataclass
class SlaCell:
    """What the SLA column shows for one row."""

    state: str
    text: str


def sla_cell(row: QueueRow, now: datetime) -> SlaCell:
    """The SLA remaining of a row at ``now``: time left, overdue by, met or not started."""
    stops = [t for t in (row.first_response_at, row.closed_at) if t is not None]
    due = row.sla_due_at
    state = sla_state(due_at=due, at=now, stopped_at=min(stops, default=None))
    if state == SlaState.NOT_STARTED:
        return SlaCell(state, pgettext("SLA", "not started"))
    if state == SlaState.MET:
        return SlaCell(state, pgettext("SLA", "met"))
    if state == SlaState.BREACHED:
        if stops:
            return SlaCell(state, pgettext("SLA", "missed"))
        return SlaCell(
            state, _("overdue %(duration)s") % {"duration": duration_label((now - due).total_seconds())}
        )
    return SlaCell(state, duration_label((due - now).total_seconds()))


_CHECKBOX = (
    '<td class="cell-select"><input type="checkbox" name="ids" value="{0}" id="sel-{0}" '
    'aria-label="{label}"></td>'
)
# Customer and workload ride under the title so that the table fits its card at 1366 px; on
# narrow screens the cells become a card per row (portal.css), labelled by ``data-label``.
_ROW = (
    '<tr data-request-id="{pk}">{checkbox}'
    '<td class="mono cell-id" data-label="{id_label}"><a href="{url}">{pk}</a></td>'
    '<td class="cell-title">'
    '<a class="clamp-2" href="{url}" title="{title}" data-testid="row-title">{title}</a>'
    '<span class="row-sub">{customer} · {workload}</span></td>'
    '<td class="cell-severity"><span class="badge badge-{severity}">{severity_label}</span></td>'
    '<td class="cell-status"><span class="badge badge-{status}">{status_label}</span></td>'
    '<td class="cell-assignee" data-testid="assignee" data-label="{assignee_label}">{assignee}</td>'
    '<td class="cell-age" data-label="{age_label}">{age}</td>'
    '<td class="cell-sla" data-label="{sla_label}">'
    '<span class="sla sla-{sla_state}" data-testid="sla">{sla_text}</span></td>'
    "</tr>"
)
_MUTED = '<span class="muted">{}</span>'


_ID_SLOT = "999999999999999"


def detail_url_parts() -> tuple[str, str]:
    """The request page's URL around its id, reversed once per page instead of once per row."""
    head, _slot, tail = reverse("servicerequests:detail", args=[_ID_SLOT]).rpartition(_ID_SLOT)
    return head, tail


def escape_text(value) -> str:
    """``django.utils.html.escape`` (the same five characters, the same entities) without its
    lazy-string wrapper, which cost more than the escaping over a page's few hundred values."""
    return html.escape(str(value))


@dataclass(frozen=True)
class RowWords:
    """The words of the rows, translated once per page (not once per row), escaped; the choice
    labels by value."""

    own_subscription: str
    unassigned: str
    select: str
    id_label: str
    assignee_label: str
    age_label: str
    sla_label: str
    workloads: dict[str, str]
    severities: dict[str, str]
    statuses: dict[str, str]


def _escaped_labels(labels: dict[str, str]) -> dict[str, str]:
    return {value: escape_text(label) for value, label in labels.items()}


def row_words() -> RowWords:
    """The rows' words in the active language."""
    return RowWords(
        workloads=_escaped_labels(WORKLOAD_LABELS),
        severities=_escaped_labels(SEVERITY_LABELS),
        statuses=_escaped_labels(STATUS_LABELS),
        own_subscription=_MUTED.format(escape_text(_("Own subscription"))),
        unassigned=_MUTED.format(escape_text(_("Unassigned"))),
        select=_("Select %(id)s"),
        id_label=escape_text(_("ID")),
        assignee_label=escape_text(_("Assignee")),
        age_label=escape_text(_("Age")),
        sla_label=escape_text(_("SLA")),
    )


def row_html(
    sr: QueueRow,
    sla: SlaCell,
    age: str,
    *,
    queue_url: str,
    selectable: bool,
    detail_url: tuple[str, str],
    words: RowWords | None = None,
) -> str:
    """One row of the queue table as HTML, the same markup the template wrote, every interpolated
    value escaped (``escape_text``); ``words`` from :func:`row_words`, shared by a page's rows."""
    words = words or row_words()
    head, tail = detail_url
    pk = escape_text(sr.pk)
    customer = words.own_subscription
    if sr.customer_id:
        link = f"{queue_url}?customer={sr.customer_id}"
        customer = f'<a href="{escape_text(link)}">{escape_text(sr.customer_name)}</a>'
    assignee = words.unassigned
    if sr.assignee_name is not None:
        assignee = escape_text(sr.assignee_name)
    return mark_safe(  # noqa: S308 - every interpolated value is escaped above or here
        _ROW.format(
            pk=pk,
            checkbox=_CHECKBOX.format(pk, label=escape_text(words.select % {"id": sr.pk}))
            if selectable
            else "",
            id_label=words.id_label,
            assignee_label=words.assignee_label,
            age_label=words.age_label,
            sla_label=words.sla_label,
            url=escape_text(f"{head}{sr.pk}{tail}"),
            title=escape_text(sr.title),
            customer=customer,
            workload=words.workloads.get(sr.workload) or escape_text(sr.workload),
            severity=escape_text(sr.severity),
            severity_label=words.severities.get(sr.severity) or escape_text(sr.severity),
            status=escape_text(sr.status),
            status_label=words.statuses.get(sr.status) or escape_text(sr.status),
            assignee=assignee,
            age=escape_text(age),
            sla_state=escape_text(sla.state),
            sla_text=escape_text(sla.text),
        )
    )
