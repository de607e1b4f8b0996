"""Reads of the support managers' queues: the queues an actor may open, their maintained counts,
their rows and keyset pages.

Pages are keyset pages: the cursor holds the ordering key and the id of the last row, so any page
costs one index range scan from that position (no OFFSET, no COUNT). The counts in the sidebar are
read from ``QueueCount`` rows that ``queues.reports.queue_counts_refresh`` maintains.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, replace
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from core.text import ascii_digits
from partners.models import User, display_name
from servicerequests.models import QueueCount, SavedQueue, ServiceRequest
from servicerequests.selectors import service_request_list

from .definitions import (
    AGENT_QUEUE_KEYS,
    ASSIGNEE_ME,
    BUILTIN_BY_KEY,
    BUILTIN_QUEUES,
    SAVED_PREFIX,
    Ordering,
    QueueDefinition,
    QueueFilters,
    QueueNotFound,
    is_queue_manager,
    may_open_queues,
    saved_definition,
)

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class InvalidCursor(ValueError):
    """The ``cursor`` parameter is not one this queue issued."""


def saved_queue_list(*, actor: User) -> QuerySet[SavedQueue]:
    """The partner's saved queues (support managers only; nobody else has any)."""
    if not is_queue_manager(actor):
        return SavedQueue.objects.none()
    return SavedQueue.objects.filter(partner_id=actor.partner_id).order_by("name", "id")


def queues_visible(*, actor: User) -> list[QueueDefinition]:
    """The queues of the sidebar: every built-in and saved queue for a support manager, "My
    requests" for an admin or helpdesk agent, nothing for anyone else. One query (saved queues)."""
    if not may_open_queues(actor):
        return []
    if not is_queue_manager(actor):
        return [q for q in BUILTIN_QUEUES if q.key in AGENT_QUEUE_KEYS]
    return [*BUILTIN_QUEUES, *(saved_definition(s) for s in saved_queue_list(actor=actor))]


def default_queue_key(actor: User) -> str:
    """The queue ``/queues/`` opens: Unassigned for a support manager, else My requests."""
    return "unassigned" if is_queue_manager(actor) else "mine"


def queue_get(*, actor: User, key: str) -> QueueDefinition:
    """The queue ``key`` as the actor may open it; :class:`QueueNotFound` otherwise (another
    partner's saved queue, or a manager's queue for an agent)."""
    if not may_open_queues(actor):
        raise QueueNotFound(key)
    if key in BUILTIN_BY_KEY:
        if key not in AGENT_QUEUE_KEYS and not is_queue_manager(actor):
            raise QueueNotFound(key)
        return BUILTIN_BY_KEY[key]
    if key.startswith(SAVED_PREFIX) and ascii_digits(key[len(SAVED_PREFIX) :]):
        saved = saved_queue_list(actor=actor).filter(pk=int(key[len(SAVED_PREFIX) :])).first()
        if saved is not None:
            return saved_definition(saved)
    raise QueueNotFound(key)


def queue_counts(
    *, actor: User, queues: list[QueueDefinition], extra_keys: tuple[str, ...] = ()
) -> dict[str, QueueCount]:
    """The maintained counts of ``queues`` (and of the partner-wide ``extra_keys``, such as the
    hand-off queue's) by queue key (one query; a queue not yet counted is absent)."""
    if not queues or actor.partner_id is None:
        return {}
    by_count_key = {q.count_key(actor): q.key for q in queues}
    by_count_key.update({key: key for key in extra_keys})
    rows = QueueCount.objects.filter(partner_id=actor.partner_id, queue_key__in=list(by_count_key))
    return {by_count_key[row.queue_key]: row for row in rows}


# Rows and keyset pages ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One row of a queue page: the request's columns the page shows, its customer's name and its
    assignee's display name, read as values (no model instances)."""

    id: str
    title: str
    workload: str
    severity: str
    status: str
    created_at: datetime
    updated_at: datetime
    sla_due_at: datetime | None
    first_response_at: datetime | None
    closed_at: datetime | None
    customer_id: object | None
    #: The customer's name; None for a request about the partner's own subscription.
    customer_name: str | None
    #: The assignee's full name, or username when it has none; None when unassigned.
    assignee_name: str | None

    @property
    def pk(self) -> str:
        return self.id


#: The columns of a page's rows, in ``QueueRow``'s order, then the assignee's three name columns.
PAGE_FIELDS = (
    "id",
    "title",
    "workload",
    "severity",
    "status",
    "created_at",
    "updated_at",
    "sla_due_at",
    "first_response_at",
    "closed_at",
    "customer_id",
    "customer__name",
    "assigned_to__username",
    "assigned_to__first_name",
    "assigned_to__last_name",
)


def _queue_rows(queryset: QuerySet) -> list[QueueRow]:
    rows = []
    for *columns, username, first_name, last_name in queryset.values_list(*PAGE_FIELDS):
        name = display_name(first_name, last_name, username) if username is not None else None
        rows.append(QueueRow(*columns, name))
    return rows


def queue_requests(*, actor: User, filters: QueueFilters, now: datetime | None = None) -> QuerySet:
    """The actor's partner's requests matching ``filters`` (scoped by ``service_request_list``;
    a non-manager only ever sees requests assigned to them)."""
    if not may_open_queues(actor):
        return ServiceRequest.objects.none()
    if not is_queue_manager(actor):
        filters = replace(filters, assignee=ASSIGNEE_ME)
    now = now or timezone.now()
    return service_request_list(actor=actor).filter(filters.q(actor=actor, now=now))


def cursor_encode(ordering: Ordering, row: QueueRow) -> str:
    """The opaque cursor that continues after ``row`` in ``ordering``."""
    value = getattr(row, ordering.field)
    raw = json.dumps(
        [ordering.key, value.isoformat() if value is not None else None, row.pk], separators=(",", ":")
    ).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_decode(cursor: str, ordering: Ordering) -> tuple[datetime | None, str]:
    """``(key value, id)`` of a cursor of ``ordering``; :class:`InvalidCursor` for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key, value, pk = json.loads(raw)
        if key != ordering.key or not isinstance(pk, str) or not ascii_digits(pk):
            raise ValueError("bad cursor")
        if value is None:
            if not ordering.nullable:
                raise ValueError("bad cursor")
            return None, pk
        instant = datetime.fromisoformat(value)
        if timezone.is_naive(instant):
            raise ValueError("bad cursor")
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidCursor("cursor: not a cursor of this queue; start again from the first page") from exc
    return instant, pk


@dataclass
class QueuePage:
    """One page of a queue: its rows and the cursor of the next page (None on the last)."""

    rows: list[QueueRow]
    next_cursor: str | None


def _after(ordering: Ordering, value, pk: str) -> Q:
    # The first conjunct is a plain range on the indexed column (an index condition); the second
    # only breaks ties on the id.
    f = ordering.field
    if ordering.descending:
        return Q(**{f"{f}__lte": value}) & (Q(**{f"{f}__lt": value}) | Q(id__lt=pk))
    return Q(**{f"{f}__gte": value}) & (Q(**{f"{f}__gt": value}) | Q(id__gt=pk))


def queue_page(
    queryset: QuerySet, *, ordering: Ordering, cursor: str = "", size: int = DEFAULT_PAGE_SIZE
) -> QueuePage:
    """The page of ``queryset`` in ``ordering`` after ``cursor``, reading ``size + 1`` rows to know
    whether another page follows. One query; two when a nullable ordering reaches its NULLs
    (rows without an SLA clock come after all others, by id)."""
    size = max(1, min(size, MAX_PAGE_SIZE))
    value, pk = cursor_decode(cursor, ordering) if cursor else (None, None)
    if not ordering.nullable:
        if cursor:
            queryset = queryset.filter(_after(ordering, value, pk))
        rows = _queue_rows(queryset.order_by(*ordering.order_by())[: size + 1])
    else:
        nulls = queryset.filter(**{f"{ordering.field}__isnull": True}).order_by("id")
        if cursor and value is None:
            rows = _queue_rows(nulls.filter(id__gt=pk)[: size + 1])
        else:
            present = queryset.filter(**{f"{ordering.field}__isnull": False})
            if cursor:
                present = present.filter(_after(ordering, value, pk))
            rows = _queue_rows(present.order_by(*ordering.order_by())[: size + 1])
            if len(rows) <= size:
                rows += _queue_rows(nulls[: size + 1 - len(rows)])
    page_rows = rows[:size]
    next_cursor = cursor_encode(ordering, page_rows[-1]) if len(rows) > size else None
    return QueuePage(rows=page_rows, next_cursor=next_cursor)


def queue_export_rows(queryset: QuerySet, *, ordering: Ordering, chunk_size: int = 2000):
    """Every row of ``queryset`` in ``ordering`` as tuples of :data:`EXPORT_FIELDS`, streamed from
    the database in chunks (server-side cursor on PostgreSQL): memory stays constant."""
    return queryset.order_by(*ordering.order_by()).values_list(*EXPORT_FIELDS).iterator(chunk_size=chunk_size)


#: The columns of a queue's CSV export: (header, field), in order.
EXPORT_COLUMNS = (
    ("id", "id"),
    ("title", "title"),
    ("customer_id", "customer_id"),
    ("customer_name", "customer__name"),
    ("workload", "workload"),
    ("severity", "severity"),
    ("status", "status"),
    ("assigned_to", "assigned_to__username"),
    ("created_at", "created_at"),
    ("updated_at", "updated_at"),
    ("sla_due_at", "sla_due_at"),
    ("first_response_at", "first_response_at"),
    ("closed_at", "closed_at"),
    ("external_ticket_id", "external_ticket_id"),
)
EXPORT_FIELDS = tuple(f for _header, f in EXPORT_COLUMNS)
