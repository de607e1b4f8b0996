"""One filter definition of service requests: the SR-PRIORITY clock states as filters (used by the
list page, the API and the queues).
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import F, Q

from .sla import BREACHING_SOON_WITHIN, SlaState

#: The SLA states a list can filter on (the clock of ``servicerequests.sla``).
SLA_FILTER_STATES = (SlaState.OK, SlaState.BREACHING_SOON, SlaState.BREACHED)


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
