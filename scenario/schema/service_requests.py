"""The ``service_requests`` section (and, after it, the generated ``service_request_history``)."""

from __future__ import annotations

import re
from datetime import datetime

from customers.choices import Workload
from servicerequests.choices import IssueType, Severity, Status

from .. import rules
from .fields import join
from .history import history_expand
from .plan import CustomerSpec, ServiceRequestSpec
from .references import Checker
from .service_request_fields import request_fields, stable_service_request_id

SERVICE_REQUEST_ID = re.compile(r"^[1-9][0-9]{14}$")


def raw_time(value) -> str:
    """The ``created`` value as written (``-3d`` stays ``-3d``), so a reload derives the same id."""
    return value.isoformat() if isinstance(value, datetime) else str(value)


def service_requests_validate(
    checker: Checker, doc: dict, *, customers: list[CustomerSpec]
) -> list[ServiceRequestSpec]:
    """The ``service_requests`` section, then the requests ``service_request_history`` generates
    for the partners and ``customers`` of this document; each request id once."""
    out = []
    seen_ids: set[str] = set()
    for path, raw in checker.items(doc, "", "service_requests"):
        data = checker.mapping(raw, path, rules.SERVICE_REQUEST_KEYS)
        if data is None:
            continue
        spec = service_request_validate(checker, data, path)
        if spec is None:
            continue
        if spec.id in seen_ids:
            checker.error(
                path, f"duplicate service request {spec.id} (same partner, customer, title and created)"
            )
            continue
        seen_ids.add(spec.id)
        out.append(spec)
    for path, raw in checker.items(doc, "", "service_request_history"):
        data = checker.mapping(raw, path, rules.HISTORY_KEYS)
        if data is None:
            continue
        for spec in history_expand(checker, data, path, customers=customers):
            if spec.id not in seen_ids:
                seen_ids.add(spec.id)
                out.append(spec)
    return out


def service_request_validate(checker: Checker, data: dict, path: str) -> ServiceRequestSpec | None:
    """One service request: its partner, customer or own-subscription entitlement, users, times and
    SLA fields; None on any problem. Without an ``id`` the id is derived from its content."""
    errors_before = len(checker.errors)
    partner = checker.partner_ref(data, path, "partner")
    customer = checker.customer_ref(data, path, "customer", required=False)
    created_by = checker.user_ref(data, path, "created_by", partner)
    assigned_to = checker.user_ref(data, path, "assigned_to", partner, required=False)
    workload = checker.choice(data, path, "workload", rules.WORKLOADS, "workload", required=True)
    title = checker.text(data, path, "title", required=True, max_length=200)
    description = checker.text(data, path, "description", max_length=10000, default=None)
    severity = checker.choice(data, path, "severity", rules.SEVERITIES, "severity", default=Severity.MINIMAL)
    status = checker.choice(data, path, "status", rules.SR_STATUSES, "status", default=Status.OPEN)
    created = checker.time(data, path, "created", required=True)
    first_response = checker.time(data, path, "first_response")
    closed = checker.time(data, path, "closed")
    issue_type = checker.choice(data, path, "issue_type", rules.ISSUE_TYPES, "issue type", default=None)
    if issue_type is not None and workload is not None and workload != Workload.AZURE:
        checker.error(join(path, "issue_type"), f"only for azure requests, this one is {workload}")
    if status is not None and status != Status.CLOSED and data.get("closed") is not None:
        checker.error(join(path, "closed"), f"only for closed requests, this one is {status}")
    for key, value in (("first_response", first_response), ("closed", closed)):
        if value is not None and created is not None and value < created:
            checker.error(join(path, key), "must not be before created")
    entitlement = checker.text(data, path, "entitlement", max_length=64, default=None, numbers=True)
    if customer is None and data.get("customer") is None:
        if entitlement is None and data.get("entitlement") is None:
            checker.error(
                join(path, "entitlement"),
                "SR-OWN-SUBSCRIPTION-ENTITLEMENT: required for a request without a customer",
            )
        elif entitlement is not None and partner is not None and entitlement not in partner.entitlements:
            checker.error(
                join(path, "entitlement"),
                f"unknown support entitlement {entitlement!r} in partner {partner.name!r}",
            )
    elif entitlement is not None:
        checker.error(join(path, "entitlement"), "only for a request without a customer (own subscription)")
    portal = checker.choice(data, path, "portal", rules.PORTALS, "portal", default="")
    external_ticket_id = checker.text(data, path, "external_ticket_id", max_length=32, numbers=True)
    request_id = checker.text(data, path, "id", default=None, numbers=True)
    if request_id is not None and not SERVICE_REQUEST_ID.match(request_id):
        checker.error(join(path, "id"), f"expected 15 digits, got {request_id!r}")
    if len(checker.errors) > errors_before:
        return None
    request_id = request_id or stable_service_request_id(
        "request", partner.name, customer or "", title, raw_time(data.get("created"))
    )
    fields = request_fields(
        workload=workload,
        title=title,
        description=description or title,
        severity=severity,
        status=status,
        created=created,
        first_response=first_response,
        closed=closed,
        issue_type=issue_type or (IssueType.TECHNICAL if workload == Workload.AZURE else ""),
        now=checker.now,
    )
    fields["portal"] = portal
    fields["external_ticket_id"] = external_ticket_id
    return ServiceRequestSpec(
        id=request_id,
        partner=partner.name,
        customer=customer,
        created_by=created_by,
        assigned_to=assigned_to,
        entitlement=entitlement if customer is None else None,
        fields=fields,
    )
