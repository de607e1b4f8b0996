"""SR-PRIORITY as data: initial response targets per severity, and the SLA state as a pure function.

CSP partners' critical issues get priority: the initial response targets are
critical (severity A) 2 h, moderate (B) 4 h, minimal (C) 8 h. The clock starts
when the workload portal accepts the ticket (the dispatch is delivered) and
stops at the first response from the portal's engineer, or when the request
is closed, whichever comes first.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Severity

RULE_ID = "SR-PRIORITY"

#: Initial response target per severity (SR-PRIORITY).
SLA_TARGETS: dict[str, timedelta] = {
    Severity.CRITICAL: timedelta(hours=2),
    Severity.MODERATE: timedelta(hours=4),
    Severity.MINIMAL: timedelta(hours=8),
}

#: A running clock due within this window is ``breaching_soon``.
BREACHING_SOON_WITHIN = timedelta(hours=1)


class SlaState(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    OK = "ok", _("On track")
    BREACHING_SOON = "breaching_soon", _("Breaching soon")
    BREACHED = "breached", _("Breached")
    MET = "met", _("Met")


def sla_target(severity: str) -> timedelta:
    """The initial response target of a severity; ``KeyError`` for an unknown one."""
    return SLA_TARGETS[severity]


def sla_due_at(*, severity: str, started_at: datetime) -> datetime:
    """When the initial response is due for a clock started at ``started_at``."""
    return started_at + sla_target(severity)


def sla_state(*, due_at: datetime | None, at: datetime, stopped_at: datetime | None = None) -> SlaState:
    """The SLA state at time ``at``.

    ``due_at`` None: the clock has not started (the request is not with the
    portal yet). ``stopped_at``: when the clock stopped (first response or
    closing); the target was then met if it stopped by ``due_at``.
    A running clock is ``breached`` from ``due_at`` on, ``breaching_soon``
    when due within :data:`BREACHING_SOON_WITHIN`, else ``ok``.
    """
    if due_at is None:
        return SlaState.NOT_STARTED
    if stopped_at is not None and stopped_at <= at:
        return SlaState.MET if stopped_at <= due_at else SlaState.BREACHED
    if at >= due_at:
        return SlaState.BREACHED
    if due_at - at <= BREACHING_SOON_WITHIN:
        return SlaState.BREACHING_SOON
    return SlaState.OK
