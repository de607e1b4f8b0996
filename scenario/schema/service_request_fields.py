"""What a scenario's service requests and generated history share: the stable id and the model
fields of a historical request (SR-PRIORITY due time and breach)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from servicerequests.choices import Status
from servicerequests.sla import SLA_TARGETS

from .. import rules


def stable_service_request_id(*parts: object) -> str:
    """A 15-digit service request id derived from ``parts``, so a reload finds the same request."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()
    return str(int(digest, 16) % (9 * 10**14) + 10**14)


def request_fields(
    *, workload, title, description, severity, status, created, first_response, closed, issue_type, now
) -> dict[str, Any]:
    """Model fields of a historical request; SR-PRIORITY due time from the severity, breach as of now."""
    sla_due_at = created + SLA_TARGETS[severity] if status in rules.SLA_STARTED_STATUSES else None
    if status == Status.CLOSED and closed is None:
        closed = min(created + timedelta(days=1), now)
    stopped = min((t for t in (first_response, closed) if t is not None), default=None)
    breached = sla_due_at is not None and (stopped > sla_due_at if stopped is not None else now >= sla_due_at)
    return {
        "workload": workload,
        "title": title,
        "description": description,
        "severity": severity,
        "status": status,
        "issue_type": issue_type,
        "created_at": created,
        "updated_at": max(t for t in (created, first_response, closed) if t is not None),
        "first_response_at": first_response,
        "closed_at": closed,
        "sla_due_at": sla_due_at,
        "sla_breached": breached,
    }
