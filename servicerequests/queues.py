"""Support managers' queues: filters, built-in queues as data, saved queues and keyset pages.

A queue is a set of filters over the partner's requests plus an ordering. The built-in queues
(:data:`BUILTIN_QUEUES`) are data; support managers add saved queues (``SavedQueue`` rows). Admin
and helpdesk agents get "My requests" only (:data:`QUEUE_ROLES`).

Pages are keyset pages: the cursor holds the ordering key and the id of the last row, so any page
costs one index range scan from that position (no OFFSET, no COUNT). The orderings are backed by
the ``sr_partner_*`` and ``sr_active_*`` indexes, which start with the partner. The counts in the
sidebar are read from ``QueueCount`` rows that ``reports.queue_counts_refresh`` maintains.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from audit.services import audit_event_record
from customers.choices import Workload
from partners.choices import PartnerCenterRole
from partners.models import User

from .choices import Severity, Status
from .models import ACTIVE_STATUSES, QueueCount, SavedQueue, ServiceRequest
from .selectors import service_request_list
from .sla import BREACHING_SOON_WITHIN, SlaState

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
NAME_MAX = 80
#: ``assignee`` filter values besides a user id.
ASSIGNEE_ME = "me"
ASSIGNEE_NONE = "none"

#: Who may open which queues: support managers all of them (and saved queues, bulk actions,
#: reports); admin and helpdesk agents "My requests" only.
MANAGER_ROLES = frozenset({PartnerCenterRole.SUPPORT_MANAGER})
AGENT_QUEUE_KEYS = frozenset({"mine"})
QUEUE_ROLES = frozenset(
    {PartnerCenterRole.SUPPORT_MANAGER, PartnerCenterRole.ADMIN_AGENT, PartnerCenterRole.HELPDESK_AGENT}
)

#: The SLA states a queue can filter on (the clock of ``servicerequests.sla``).
SLA_FILTER_STATES = (SlaState.OK, SlaState.BREACHING_SOON, SlaState.BREACHED)


class InvalidCursor(ValueError):
    """The ``cursor`` parameter is not one this queue issued."""


class QueueNotFound(LookupError):
    """No queue with this key that the actor may open."""


def is_queue_manager(actor: User) -> bool:
    """Whether the actor is a support manager of a partner (all queues, bulk actions, reports)."""
    return actor.partner_id is not None and bool(actor.role_codes.intersection(MANAGER_ROLES))


def may_open_queues(actor: User) -> bool:
    """Whether the actor may open the queues page at all (managers, admin and helpdesk agents)."""
    return actor.partner_id is not None and bool(actor.role_codes.intersection(QUEUE_ROLES))


# SLA states as filters ---------------------------------------------------------------------------


def _running() -> Q:
    return Q(sla_due_at__isnull=False, first_response_at__isnull=True, closed_at__isnull=True)


def sla_state_q(state: str, *, now: datetime) -> Q:
    """The rows whose SR-PRIORITY state at ``now`` is ``state`` (the same answer as
    ``ServiceRequest.sla_state_at(now)``, as a filter). ``ValueError`` for another state."""
    soon = now + BREACHING_SOON_WITHIN
    if state == SlaState.OK:
        return _running() & Q(sla_due_at__gt=soon)
    if state == SlaState.BREACHING_SOON:
        return _running() & Q(sla_due_at__gt=now, sla_due_at__lte=soon)
    if state == SlaState.BREACHED:
        # Running past due, or stopped (first response / closing, whichever came first) after due.
        stopped_late = Q(sla_due_at__isnull=False) & (
            (
                Q(first_response_at__gt=F("sla_due_at"))
                & (Q(closed_at__isnull=True) | Q(closed_at__gt=F("sla_due_at")))
            )
            | Q(first_response_at__isnull=True, closed_at__gt=F("sla_due_at"))
        )
        return (_running() & Q(sla_due_at__lte=now)) | stopped_late
    raise ValueError(f"{state!r} is not one of {', '.join(SLA_FILTER_STATES)}")


# Filters ----------------------------------------------------------------------------------------


def _ordered_subset(values, allowed: list[str], field_name: str) -> tuple[str, ...]:
    values = [values] if isinstance(values, str) else list(values or ())
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ValidationError({field_name: [f"{unknown[0]!r} is not one of {', '.join(allowed)}."]})
    return tuple(v for v in allowed if v in values)


@dataclass(frozen=True)
class QueueFilters:
    """The filters of a queue. Empty means "any". ``assignee``: ``me``, ``none`` (unassigned), a
    user id, or empty; ``sla_state``: one of :data:`SLA_FILTER_STATES` or empty."""

    workloads: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    customer_id: str = ""
    assignee: str = ""
    sla_state: str = ""

    @classmethod
    def from_dict(cls, data: dict) -> QueueFilters:
        """Validated filters from a dict of :meth:`as_dict`'s shape; ``ValidationError`` naming the field."""
        data = data or {}
        unknown = sorted(set(data) - set(cls.__dataclass_fields__))
        if unknown:
            raise ValidationError({unknown[0]: ["is not a queue filter."]})
        customer_id = str(data.get("customer_id") or "").strip()
        if customer_id:
            try:
                customer_id = str(uuid.UUID(customer_id))
            except ValueError:
                raise ValidationError({"customer_id": ["must be a customer tenant id (GUID)."]}) from None
        assignee = str(data.get("assignee") or "").strip()
        if assignee and assignee not in (ASSIGNEE_ME, ASSIGNEE_NONE) and not assignee.isdigit():
            raise ValidationError({"assignee": ["must be 'me', 'none' or a user id."]})
        sla = str(data.get("sla_state") or "").strip()
        if sla and sla not in SLA_FILTER_STATES:
            raise ValidationError({"sla_state": [f"must be one of {', '.join(SLA_FILTER_STATES)}."]})
        return cls(
            workloads=_ordered_subset(data.get("workloads"), Workload.values, "workloads"),
            severities=_ordered_subset(data.get("severities"), Severity.values, "severities"),
            statuses=_ordered_subset(data.get("statuses"), Status.values, "statuses"),
            customer_id=customer_id,
            assignee=assignee,
            sla_state=sla,
        )

    def as_dict(self) -> dict:
        """The non-empty filters, JSON-ready (what ``SavedQueue.filters`` stores)."""
        return {
            name: list(value) if isinstance(value, tuple) else value
            for name, value in (
                ("workloads", self.workloads),
                ("severities", self.severities),
                ("statuses", self.statuses),
                ("customer_id", self.customer_id),
                ("assignee", self.assignee),
                ("sla_state", self.sla_state),
            )
            if value
        }

    def q(self, *, actor: User | None, now: datetime) -> Q:
        """These filters as a ``Q`` (``assignee=me`` needs the actor; without one it matches nothing)."""
        condition = Q()
        if self.statuses:
            condition &= Q(status__in=list(self.statuses))
        if self.workloads:
            condition &= Q(workload__in=list(self.workloads))
        if self.severities:
            condition &= Q(severity__in=list(self.severities))
        if self.customer_id:
            condition &= Q(customer_id=self.customer_id)
        if self.assignee == ASSIGNEE_NONE:
            condition &= Q(assigned_to__isnull=True)
        elif self.assignee == ASSIGNEE_ME:
            condition &= Q(assigned_to_id=actor.pk if actor is not None else -1)
        elif self.assignee:
            condition &= Q(assigned_to_id=int(self.assignee))
        if self.sla_state:
            condition &= sla_state_q(self.sla_state, now=now)
        return condition


# Orderings ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ordering:
    """A queue ordering: one column then the id, both ascending or both descending. A nullable
    ascending column puts its NULLs last (PostgreSQL's default for an ascending index)."""

    key: str
    label: str
    field: str
    descending: bool
    nullable: bool = False

    def order_by(self) -> list:
        if self.descending:
            return [F(self.field).desc(), F("id").desc()]
        return [F(self.field).asc(nulls_last=True) if self.nullable else F(self.field).asc(), F("id").asc()]


#: Orderings by key, each backed by an index that starts with the partner (docs/performance.md).
ORDERINGS: dict[str, Ordering] = {
    o.key: o
    for o in (
        Ordering("-created", "Newest first", "created_at", descending=True),
        Ordering("created", "Oldest first", "created_at", descending=False),
        Ordering("sla_due", "SLA due soonest", "sla_due_at", descending=False, nullable=True),
        Ordering("-updated", "Recently updated", "updated_at", descending=True),
    )
}
DEFAULT_ORDERING = "-created"


def ordering_get(key: str) -> Ordering:
    """The ordering of ``key``; ``ValidationError`` naming ``ordering`` for an unknown one."""
    try:
        return ORDERINGS[key]
    except KeyError:
        raise ValidationError({"ordering": [f"must be one of {', '.join(ORDERINGS)}."]}) from None


# Queue definitions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueDefinition:
    """A queue: built-in (``saved`` None) or a saved queue."""

    key: str
    name: str
    filters: QueueFilters
    ordering: str
    description: str = ""
    saved: SavedQueue | None = field(default=None, compare=False)

    @property
    def is_builtin(self) -> bool:
        return self.saved is None

    def count_key(self, actor: User) -> str:
        """The ``QueueCount.queue_key`` of this queue as ``actor`` sees it: "assigned to me" in My
        requests or in a saved queue means the viewer, so those have one count per viewer."""
        if self.key == "mine":
            return f"mine:{actor.pk}"
        if self.saved is not None:
            if self.filters.assignee == ASSIGNEE_ME:
                return f"saved:{self.saved.pk}:{actor.pk}"
            return f"saved:{self.saved.pk}"
        return self.key


#: The built-in queues, in sidebar order.
BUILTIN_QUEUES: tuple[QueueDefinition, ...] = (
    QueueDefinition(
        "unassigned",
        "Unassigned",
        QueueFilters(statuses=ACTIVE_STATUSES, assignee=ASSIGNEE_NONE),
        "sla_due",
        "Active requests nobody is assigned to, SLA due soonest first.",
    ),
    QueueDefinition(
        "mine",
        "My requests",
        QueueFilters(statuses=ACTIVE_STATUSES, assignee=ASSIGNEE_ME),
        "sla_due",
        "Active requests assigned to you.",
    ),
    QueueDefinition(
        "breaching_soon",
        "Breaching soon",
        QueueFilters(statuses=ACTIVE_STATUSES, sla_state=SlaState.BREACHING_SOON),
        "sla_due",
        "SR-PRIORITY initial response due within the hour.",
    ),
    QueueDefinition(
        "breached",
        "Breached",
        QueueFilters(statuses=ACTIVE_STATUSES, sla_state=SlaState.BREACHED),
        "sla_due",
        "Active requests past their SR-PRIORITY initial response target.",
    ),
    QueueDefinition(
        "critical_open",
        "Critical open",
        QueueFilters(statuses=ACTIVE_STATUSES, severities=(Severity.CRITICAL,)),
        "-created",
        "Active critical (severity A) requests.",
    ),
    QueueDefinition(
        "attention_needed",
        "Attention needed",
        QueueFilters(statuses=(Status.ATTENTION_NEEDED,)),
        "-updated",
        "The workload portal is waiting for the partner.",
    ),
)
BUILTIN_BY_KEY = {q.key: q for q in BUILTIN_QUEUES}
SAVED_PREFIX = "saved-"


def _saved_definition(saved: SavedQueue) -> QueueDefinition:
    return QueueDefinition(
        key=f"{SAVED_PREFIX}{saved.pk}",
        name=saved.name,
        filters=QueueFilters.from_dict(saved.filters),
        ordering=saved.ordering if saved.ordering in ORDERINGS else DEFAULT_ORDERING,
        saved=saved,
    )


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
    return [*BUILTIN_QUEUES, *(_saved_definition(s) for s in saved_queue_list(actor=actor))]


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
    if key.startswith(SAVED_PREFIX) and key[len(SAVED_PREFIX) :].isdigit():
        saved = saved_queue_list(actor=actor).filter(pk=int(key[len(SAVED_PREFIX) :])).first()
        if saved is not None:
            return _saved_definition(saved)
    raise QueueNotFound(key)


def queue_counts(*, actor: User, queues: list[QueueDefinition]) -> dict[str, QueueCount]:
    """The maintained counts of ``queues`` by queue key (one query; a queue not yet counted is absent)."""
    if not queues or actor.partner_id is None:
        return {}
    by_count_key = {q.count_key(actor): q.key for q in queues}
    rows = QueueCount.objects.filter(partner_id=actor.partner_id, queue_key__in=list(by_count_key))
    return {by_count_key[row.queue_key]: row for row in rows}


# Rows and keyset pages ---------------------------------------------------------------------------

#: The columns a queue page and its CSV export read.
PAGE_FIELDS = (
    "id",
    "partner_id",
    "title",
    "workload",
    "severity",
    "status",
    "created_at",
    "updated_at",
    "sla_due_at",
    "first_response_at",
    "closed_at",
    "customer__name",
    "assigned_to__username",
    "assigned_to__first_name",
    "assigned_to__last_name",
)


def queue_requests(*, actor: User, filters: QueueFilters, now: datetime | None = None) -> QuerySet:
    """The actor's partner's requests matching ``filters`` (scoped by ``service_request_list``;
    a non-manager only ever sees requests assigned to them)."""
    if not may_open_queues(actor):
        return ServiceRequest.objects.none()
    if not is_queue_manager(actor):
        filters = replace(filters, assignee=ASSIGNEE_ME)
    now = now or timezone.now()
    return service_request_list(actor=actor).filter(filters.q(actor=actor, now=now))


def cursor_encode(ordering: Ordering, row: ServiceRequest) -> str:
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
        if key != ordering.key or not isinstance(pk, str) or not pk.isdigit():
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

    rows: list[ServiceRequest]
    next_cursor: str | None


def _after(ordering: Ordering, value, pk: str) -> Q:
    # The first conjunct is a plain range on the indexed column (an index condition); the second
    # only breaks ties on the id.
    f = ordering.field
    if ordering.descending:
        return Q(**{f"{f}__lte": value}) & (Q(**{f"{f}__lt": value}) | Q(id__lt=pk))
    return Q(**{f"{f}__gte": value}) & (Q(**{f"{f}__gt": value}) | Q(id__gt=pk))


def _select(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("customer", "assigned_to").only(*PAGE_FIELDS)


def queue_page(
    queryset: QuerySet, *, ordering: Ordering, cursor: str = "", size: int = DEFAULT_PAGE_SIZE
) -> QueuePage:
    """The page of ``queryset`` in ``ordering`` after ``cursor``, reading ``size + 1`` rows to know
    whether another page follows. One query; two when a nullable ordering reaches its NULLs
    (rows without an SLA clock come after all others, by id)."""
    size = max(1, min(size, MAX_PAGE_SIZE))
    value, pk = cursor_decode(cursor, ordering) if cursor else (None, None)
    queryset = _select(queryset)
    if not ordering.nullable:
        if cursor:
            queryset = queryset.filter(_after(ordering, value, pk))
        rows = list(queryset.order_by(*ordering.order_by())[: size + 1])
    else:
        nulls = queryset.filter(**{f"{ordering.field}__isnull": True}).order_by("id")
        if cursor and value is None:
            rows = list(nulls.filter(id__gt=pk)[: size + 1])
        else:
            present = queryset.filter(**{f"{ordering.field}__isnull": False})
            if cursor:
                present = present.filter(_after(ordering, value, pk))
            rows = list(present.order_by(*ordering.order_by())[: size + 1])
            if len(rows) <= size:
                rows += list(nulls[: size + 1 - len(rows)])
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


# URL parameters ----------------------------------------------------------------------------------

#: Query parameters of the queue page → filter fields (the multi-valued ones may repeat).
PARAM_FIELDS = {
    "workload": "workloads",
    "severity": "severities",
    "status": "statuses",
    "customer": "customer_id",
    "assignee": "assignee",
    "sla": "sla_state",
}
MULTI_PARAMS = frozenset({"workload", "severity", "status"})


def filters_from_params(params, base: QueueFilters) -> QueueFilters:
    """``base`` with every filter given in the query ``params`` replaced (an empty value clears
    it); ``ValidationError`` naming the parameter for a bad value."""
    data = base.as_dict()
    for param, name in PARAM_FIELDS.items():
        if param not in params:
            continue
        if param in MULTI_PARAMS:
            values = [v for raw in params.getlist(param) for v in raw.split(",") if v]
            data[name] = values
        else:
            data[name] = params.get(param, "")
    try:
        return QueueFilters.from_dict(data)
    except ValidationError as exc:
        reverse = {v: k for k, v in PARAM_FIELDS.items()}
        raise ValidationError(
            {reverse.get(f, f): messages for f, messages in exc.message_dict.items()}
        ) from None


def filters_as_params(filters: QueueFilters) -> list[tuple[str, str]]:
    """``filters`` as query parameters (the inverse of :func:`filters_from_params`)."""
    reverse = {v: k for k, v in PARAM_FIELDS.items()}
    params = []
    for name, value in filters.as_dict().items():
        values = value if isinstance(value, list) else [value]
        params.extend((reverse[name], v) for v in values)
    return params


# Saved queues (writes) ---------------------------------------------------------------------------


def _require_manager(actor: User) -> None:
    if not is_queue_manager(actor):
        raise PermissionDenied("Only a support manager may save, rename or delete queues.")


def _require_owner(actor: User, saved_queue: SavedQueue) -> None:
    _require_manager(actor)
    if saved_queue.partner_id != actor.partner_id or saved_queue.owner_id != actor.pk:
        raise PermissionDenied("Only the support manager who saved a queue may rename or delete it.")


def _validated_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ["is required."]})
    if len(name) > NAME_MAX:
        raise ValidationError({"name": [f"must be at most {NAME_MAX} characters (it has {len(name)})."]})
    if name.lower() in {q.name.lower() for q in BUILTIN_QUEUES}:
        raise ValidationError({"name": [f"{name!r} is the name of a built-in queue."]})
    return name


def _save_unique(saved_queue: SavedQueue, **kwargs) -> None:
    try:
        with transaction.atomic():
            saved_queue.save(**kwargs)
    except IntegrityError:
        raise ValidationError(
            {"name": [f"your partner already has a queue named {saved_queue.name!r}."]}
        ) from None


def saved_queue_create(*, actor: User, name: str, filters: dict, ordering: str) -> SavedQueue:
    """Save a queue for the actor's partner (support managers only: ``PermissionDenied``).

    ``ValidationError`` naming the field for an empty, too long, built-in or already used name, a
    bad filter or an unknown ordering; nothing is written then. ``assignee: me`` is stored as
    ``me``: the partner's managers share saved queues, so it means whoever views the queue (its
    sidebar count is per viewer, ``QueueDefinition.count_key``). Side effects: the row and an audit
    event ``queue.saved``, in one transaction.
    """
    _require_manager(actor)
    name = _validated_name(name)
    parsed = QueueFilters.from_dict(filters)
    ordering_get(ordering)
    now = timezone.now()
    with transaction.atomic():
        saved = SavedQueue(
            partner_id=actor.partner_id,
            owner=actor,
            name=name,
            filters=parsed.as_dict(),
            ordering=ordering,
            created_at=now,
            updated_at=now,
        )
        _save_unique(saved)
        audit_event_record(
            action="queue.saved",
            actor=actor,
            obj=saved,
            after={"name": name, "filters": saved.filters, "ordering": ordering},
        )
    return saved


def saved_queue_rename(*, actor: User, saved_queue: SavedQueue, name: str) -> SavedQueue:
    """Rename the actor's own saved queue (``PermissionDenied`` for anyone else's; the same name
    rules as :func:`saved_queue_create`). Side effects: the row and an audit event ``queue.renamed``."""
    _require_owner(actor, saved_queue)
    name = _validated_name(name)
    with transaction.atomic():
        before = saved_queue.name
        saved_queue.name = name
        saved_queue.updated_at = timezone.now()
        _save_unique(saved_queue, update_fields=["name", "updated_at"])
        audit_event_record(
            action="queue.renamed",
            actor=actor,
            obj=saved_queue,
            before={"name": before},
            after={"name": name},
        )
    return saved_queue


def saved_queue_delete(*, actor: User, saved_queue: SavedQueue) -> None:
    """Delete the actor's own saved queue and its counts (``PermissionDenied`` for anyone else's).
    Side effects: an audit event ``queue.deleted``, in the same transaction."""
    _require_owner(actor, saved_queue)
    with transaction.atomic():
        audit_event_record(
            action="queue.deleted",
            actor=actor,
            obj=saved_queue,
            before={"name": saved_queue.name, "filters": saved_queue.filters},
        )
        QueueCount.objects.filter(
            Q(queue_key=f"saved:{saved_queue.pk}") | Q(queue_key__startswith=f"saved:{saved_queue.pk}:"),
            partner_id=saved_queue.partner_id,
        ).delete()
        saved_queue.delete()
