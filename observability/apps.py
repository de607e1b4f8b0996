from django.apps import AppConfig


class ObservabilityConfig(AppConfig):
    """Metrics read from the domain: the gauges of ``/metrics`` (``observability.collectors``) and
    the filing counters fed by the audit trail (``observability.receivers``).

    Top layer of the import contract: it may import any domain app, and no app imports it. The
    metrics it records are defined in ``core.metrics``.
    """

    name = "observability"
    verbose_name = "Observability"

    def ready(self):
        from django.db.models.signals import post_save

        from audit.models import AuditEvent
        from core.metrics import register_scrape_collector

        from .collectors import DomainStateCollector
        from .receivers import audit_event_saved

        post_save.connect(audit_event_saved, sender=AuditEvent, dispatch_uid="observability.filings")
        register_scrape_collector(DomainStateCollector())
