"""A collection page's service requests read as values: :class:`SummaryRow`, not model instances.

``ServiceRequestSummarySerializer`` reads attributes: the request's columns, ``customer.name``,
``assigned_to`` (``id``, ``username``, ``get_full_name()``), ``support_topic.name``, ``partner``
(requests without a customer) and ``eligibility_portal_url`` (``portal_uri``). A page read as
model instances made three instances a row (the request, its customer, its assignee); a page read
here is one ``values_list`` over the columns the serializer writes, each row one slotted object
with those attributes, and the same JSON (``tests/api/test_summary_rows.py``).
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, fields
from typing import Any

from django.db.models import QuerySet

from partners.models import display_name

#: The joined names: the customer's, and the assignee's (LEFT JOINs: either may be absent).
JOINED_COLUMNS = (
    "customer__name",
    "assigned_to__username",
    "assigned_to__first_name",
    "assigned_to__last_name",
)


@dataclass(slots=True)
class SummaryCustomer:
    """The customer of a row: its name."""

    name: str


@dataclass(slots=True)
class SummaryAssignee:
    """The assignee of a row, as ``AssigneeSerializer`` reads a user."""

    id: int
    username: str
    first_name: str
    last_name: str

    def get_full_name(self) -> str:
        """First and last name, as ``AbstractUser.get_full_name``."""
        return display_name(self.first_name, self.last_name)


@dataclass(slots=True)
class SummaryRow:
    """One request of a collection page: the request's columns a collection item shows
    (``ServiceRequestSummarySerializer``), by their attribute names (the fields without a default,
    ``REQUEST_COLUMNS``); then the customer and the assignee (None when the request has none), and
    what ``_summary_relations`` attaches afterwards (the support topic, the partner of a request
    without a customer, the snapshot's portal URL)."""

    id: str
    partner_id: Any
    customer_id: Any
    workload: str
    subscription_id: Any
    issue_type: str
    title: str
    severity: str
    status: str
    support_topic_id: int | None
    contact_first_name: str
    contact_last_name: str
    contact_email: str
    contact_phone: str
    country_code: str
    support_language: str
    assigned_to_id: int | None
    sla_due_at: Any
    sla_breached: bool
    external_ticket_id: str
    portal: str
    version: int
    created_at: Any
    updated_at: Any
    closed_at: Any
    customer: SummaryCustomer | None = None
    assigned_to: SummaryAssignee | None = None
    support_topic: Any = None
    partner: Any = None
    eligibility_portal_url: str | None = None

    @property
    def pk(self) -> str:
        """The request's id, as a model instance's ``pk`` (the pagination's continuation token)."""
        return self.id


#: The request's columns, as ``values_list`` names them, in :class:`SummaryRow`'s order.
REQUEST_COLUMNS = tuple(field.name for field in fields(SummaryRow) if field.default is MISSING)
_OWN = len(REQUEST_COLUMNS)


def summary_rows(queryset: QuerySet) -> list[SummaryRow]:
    """The rows of ``queryset`` (service requests, filtered, ordered and sliced as the page needs)
    as :class:`SummaryRow`: one query, joining only the customer and the assignee (the rarer
    relations are ``_summary_relations``'s)."""
    rows = []
    for values in queryset.values_list(*REQUEST_COLUMNS, *JOINED_COLUMNS):
        row = SummaryRow(*values[:_OWN])
        if row.customer_id is not None:
            row.customer = SummaryCustomer(values[_OWN])
        if row.assigned_to_id is not None:
            row.assigned_to = SummaryAssignee(row.assigned_to_id, *values[_OWN + 1 :])
        rows.append(row)
    return rows
