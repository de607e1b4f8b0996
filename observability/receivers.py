"""Filing counters, from the audit trail: every filing and every refusal writes one audit event.

``servicerequest.filed`` counts ``portal_servicerequest_filings_total{outcome="filed"}``;
``servicerequest.filing_denied`` counts ``{outcome="denied"}`` and, per failed rule of its
``failedRuleIds``, ``portal_servicerequest_filing_failed_rules_total{rule_id}``. Counted when the
event's transaction commits, so a rolled-back filing counts nothing. Observing the audit model
keeps the filing code free of metric calls; the audit event stays the one record of the filing.
"""

from __future__ import annotations

from django.db import transaction

from core.metrics import FILING_FAILED_RULES, FILINGS

#: Audit action → filing outcome label.
FILING_OUTCOMES = {"servicerequest.filed": "filed", "servicerequest.filing_denied": "denied"}


def filing_count(*, action: str, failed_rule_ids) -> None:
    """Count one filing of ``action`` (a key of :data:`FILING_OUTCOMES`) and its failed rules."""
    FILINGS.labels(FILING_OUTCOMES[action]).inc()
    for rule_id in failed_rule_ids:
        FILING_FAILED_RULES.labels(str(rule_id)).inc()


def audit_event_saved(sender, instance, created, **kwargs) -> None:
    """``post_save`` of ``AuditEvent``: count a new filing event once its transaction commits."""
    if not created or instance.action not in FILING_OUTCOMES:
        return
    failed = (instance.after or {}).get("failedRuleIds", []) if instance.action.endswith("_denied") else []
    action, failed_rule_ids = instance.action, tuple(failed)
    transaction.on_commit(lambda: filing_count(action=action, failed_rule_ids=failed_rule_ids))
