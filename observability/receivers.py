"""Filing counters, from the audit trail: every filing and every refusal writes one audit event.

``servicerequest.filed`` counts ``portal_servicerequest_filings_total{outcome="filed"}``;
``servicerequest.filing_denied`` counts ``{outcome="denied"}`` and, per failed rule of its
``failedRuleIds``, ``portal_servicerequest_filing_failed_rules_total{rule_id}``. Counted when the
event is written: a filing adds no after-commit work of its own (its one after-commit job is the
dispatch message), so a filing whose transaction is then rolled back (an API answer after a
failed write, ``docs/api.md``) still counts; the audit trail is the exact record. Observing the
audit model keeps the filing code free of metric calls.
"""

from __future__ import annotations

from core.metrics import FILING_FAILED_RULES, FILINGS

#: Audit action → filing outcome label.
FILING_OUTCOMES = {"servicerequest.filed": "filed", "servicerequest.filing_denied": "denied"}


def filing_count(*, action: str, failed_rule_ids) -> None:
    """Count one filing of ``action`` (a key of :data:`FILING_OUTCOMES`) and its failed rules."""
    FILINGS.labels(FILING_OUTCOMES[action]).inc()
    for rule_id in failed_rule_ids:
        FILING_FAILED_RULES.labels(str(rule_id)).inc()


def audit_event_saved(sender, instance, created, **kwargs) -> None:
    """``post_save`` of ``AuditEvent``: count a new filing event."""
    if not created or instance.action not in FILING_OUTCOMES:
        return
    failed = (instance.after or {}).get("failedRuleIds", []) if instance.action.endswith("_denied") else []
    filing_count(action=instance.action, failed_rule_ids=failed)
