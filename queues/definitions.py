"""What a support managers' queue is: its filters, orderings and definitions, as data.

A queue is a set of filters over the partner's requests plus an ordering. The built-in queues
(:data:`BUILTIN_QUEUES`) are data; support managers add saved queues (``SavedQueue`` rows). Admin
and helpdesk agents get "My requests" only (:data:`QUEUE_ROLES`). The orderings are backed by the
``sr_partner_*`` and ``sr_active_*`` indexes, which start with the partner.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from core.text import ascii_digits
from customers.choices import Workload
from partners.choices import PartnerCenterRole
from partners.models import User
from servicerequests.choices import Severity, Status
from servicerequests.eligibility.tables import PROVIDER_PARTNER_TYPES
from servicerequests.filters import SLA_FILTER_STATES, service_request_condition
from servicerequests.models import ACTIVE_STATUSES, SavedQueue
from servicerequests.sla import SlaState

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


class QueueNotFound(LookupError):
    """No queue with this key that the actor may open."""


def is_queue_manager(actor: User) -> bool:
    """Whether the actor is a support manager of a partner (all queues, bulk actions, reports)."""
    return actor.partner_id is not None and bool(actor.role_codes.intersection(MANAGER_ROLES))


def may_open_queues(actor: User) -> bool:
    """Whether the actor may open the queues page at all (managers, admin and helpdesk agents)."""
    return actor.partner_id is not None and bool(actor.role_codes.intersection(QUEUE_ROLES))


# Filters ----------------------------------------------------------------------------------------


def _ordered_subset(values, allowed: list[str], field_name: str) -> tuple[str, ...]:
    values = [values] if isinstance(values, str) else list(values or ())
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ValidationError(
            {
                field_name: [
                    _("%(value)r is not one of %(allowed)s.")
                    % {"value": unknown[0], "allowed": ", ".join(allowed)}
                ]
            }
        )
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
            raise ValidationError({unknown[0]: [_("is not a queue filter.")]})
        customer_id = str(data.get("customer_id") or "").strip()
        if customer_id:
            try:
                customer_id = str(uuid.UUID(customer_id))
            except ValueError:
                raise ValidationError({"customer_id": [_("must be a customer tenant ID (GUID).")]}) from None
        assignee = str(data.get("assignee") or "").strip()
        if assignee and assignee not in (ASSIGNEE_ME, ASSIGNEE_NONE) and not ascii_digits(assignee):
            raise ValidationError({"assignee": [_("must be 'me', 'none' or a user ID.")]})
        sla = str(data.get("sla_state") or "").strip()
        if sla and sla not in SLA_FILTER_STATES:
            raise ValidationError(
                {"sla_state": [_("must be one of %(allowed)s.") % {"allowed": ", ".join(SLA_FILTER_STATES)}]}
            )
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
        """These filters as a ``Q`` (``servicerequests.filters.service_request_condition``, the
        meaning the list page and the API share); ``assignee=me`` needs the actor, and without
        one it matches nothing."""
        assigned_to_id = None
        if self.assignee == ASSIGNEE_ME:
            assigned_to_id = actor.pk if actor is not None else -1
        elif self.assignee and self.assignee != ASSIGNEE_NONE:
            assigned_to_id = int(self.assignee)
        return service_request_condition(
            statuses=self.statuses,
            workloads=self.workloads,
            severities=self.severities,
            customer_id=self.customer_id,
            assigned_to_id=assigned_to_id,
            unassigned=True if self.assignee == ASSIGNEE_NONE else None,
            sla_states=(self.sla_state,) if self.sla_state else (),
            now=now,
        )


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
        Ordering("-created", gettext_lazy("Newest first"), "created_at", descending=True),
        Ordering("created", gettext_lazy("Oldest first"), "created_at", descending=False),
        Ordering("sla_due", gettext_lazy("SLA due soonest"), "sla_due_at", descending=False, nullable=True),
        Ordering("-updated", gettext_lazy("Recently updated"), "updated_at", descending=True),
    )
}
DEFAULT_ORDERING = "-created"


def ordering_get(key: str) -> Ordering:
    """The ordering of ``key``; ``ValidationError`` naming ``ordering`` for an unknown one."""
    try:
        return ORDERINGS[key]
    except KeyError:
        raise ValidationError(
            {"ordering": [_("must be one of %(allowed)s.") % {"allowed": ", ".join(ORDERINGS)}]}
        ) from None


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
        pgettext_lazy("queue", "Unassigned"),
        QueueFilters(statuses=ACTIVE_STATUSES, assignee=ASSIGNEE_NONE),
        "sla_due",
        gettext_lazy("Active requests nobody is assigned to, SLA due soonest first."),
    ),
    QueueDefinition(
        "mine",
        gettext_lazy("My requests"),
        QueueFilters(statuses=ACTIVE_STATUSES, assignee=ASSIGNEE_ME),
        "sla_due",
        gettext_lazy("Active requests assigned to you."),
    ),
    QueueDefinition(
        "breaching_soon",
        gettext_lazy("Breaching soon"),
        QueueFilters(statuses=ACTIVE_STATUSES, sla_state=SlaState.BREACHING_SOON),
        "sla_due",
        gettext_lazy("SR-PRIORITY initial response due within the hour."),
    ),
    QueueDefinition(
        "breached",
        pgettext_lazy("queue", "Breached"),
        QueueFilters(statuses=ACTIVE_STATUSES, sla_state=SlaState.BREACHED),
        "sla_due",
        gettext_lazy("Active requests past their SR-PRIORITY initial response target."),
    ),
    QueueDefinition(
        "critical_open",
        gettext_lazy("Critical open"),
        QueueFilters(statuses=ACTIVE_STATUSES, severities=(Severity.CRITICAL,)),
        "-created",
        gettext_lazy("Active critical (severity A) requests."),
    ),
    QueueDefinition(
        "attention_needed",
        gettext_lazy("Attention needed"),
        QueueFilters(statuses=(Status.ATTENTION_NEEDED,)),
        "-updated",
        gettext_lazy("The workload portal is waiting for the partner."),
    ),
)
BUILTIN_BY_KEY = {q.key: q for q in BUILTIN_QUEUES}

#: "Hand-offs from resellers": not a queue of service requests but of the hand-offs waiting for the
#: provider (``servicerequests.handoffs``); its count is maintained with the others.
HANDOFF_QUEUE_KEY = "handoffs"
HANDOFF_QUEUE_NAME = gettext_lazy("Hand-offs from resellers")
HANDOFF_QUEUE_ROLES = frozenset({PartnerCenterRole.SUPPORT_MANAGER, PartnerCenterRole.ADMIN_AGENT})


def may_open_handoff_queue(actor: User) -> bool:
    """Support managers and admin agents of a partner that can be a subscription's provider."""
    return (
        actor.partner_id is not None
        and actor.partner.type in PROVIDER_PARTNER_TYPES
        and bool(actor.role_codes.intersection(HANDOFF_QUEUE_ROLES))
    )


SAVED_PREFIX = "saved-"


def saved_definition(saved: SavedQueue) -> QueueDefinition:
    return QueueDefinition(
        key=f"{SAVED_PREFIX}{saved.pk}",
        name=saved.name,
        filters=QueueFilters.from_dict(saved.filters),
        ordering=saved.ordering if saved.ordering in ORDERINGS else DEFAULT_ORDERING,
        saved=saved,
    )


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
