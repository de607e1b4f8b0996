"""The "Hand-offs from resellers" queue's rows: each hand-off's response clock as a cell."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from servicerequests.handoffs.models import ServiceRequestHandoff
from servicerequests.sla import SlaState, sla_state

from .reports import duration_label
from .rows import SlaCell

HANDOFF_PAGE_SIZE = 200


def handoff_clock(handoff: ServiceRequestHandoff, now: datetime) -> SlaCell:
    """Time left to file or decline, overdue by, met or missed (stopped when decided)."""
    state = sla_state(due_at=handoff.due_at, at=now, stopped_at=handoff.decided_at)
    if state == SlaState.MET:
        return SlaCell(state, _("answered in time"))
    if state == SlaState.BREACHED:
        if handoff.decided_at is not None:
            return SlaCell(state, _("answered late"))
        return SlaCell(
            state,
            _("overdue %(duration)s") % {"duration": duration_label((now - handoff.due_at).total_seconds())},
        )
    return SlaCell(state, duration_label((handoff.due_at - now).total_seconds()))
