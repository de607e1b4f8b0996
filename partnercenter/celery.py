"""Celery application. Broker and results on Redis; eager when REDIS_URL is unset.

The beat schedule lives here, in code (docs/async.md describes each task).
"""

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnercenter.settings.local")

app = Celery("partnercenter")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Carry the request's MS-CorrelationId into every task it enqueues (logs and audit events on the worker).
from core.middleware import correlation_id_connect_celery  # noqa: E402

correlation_id_connect_celery()

# Database connections kept across tasks, closed when old, unhealthy or broken (core.workers).
from core.workers import db_connections_connect_celery  # noqa: E402

db_connections_connect_celery()

# Task runs, deliveries by result, and the worker's metrics port (core.metrics.celery).
from core.metrics.celery import metrics_connect_celery  # noqa: E402

metrics_connect_celery()


@worker_process_init.connect(weak=False)
def _configure_tracing(**kwargs):
    # In each worker process (its own exporter thread); a no-op unless OTEL_EXPORTER_OTLP_ENDPOINT is set.
    from core.tracing import tracing_configure

    tracing_configure(service_name="partnercenter-worker")


#: Periodic tasks, by task name: (interval in seconds, options).
BEAT_SCHEDULE = {
    # Re-send dispatches left pending (broker down at filing, lost message).
    "dispatch-sweeper": {"task": "servicerequests.sweep_dispatches", "schedule": 30.0},
    # Re-send notification e-mails left unsent.
    "notification-sweeper": {"task": "servicerequests.sweep_notifications", "schedule": 60.0},
    # Mark SR-PRIORITY breaches once and notify.
    "sla-sweeper": {"task": "servicerequests.sweep_sla", "schedule": 60.0},
    # GDAP lifecycle: request expiry, expiring/expired, auto-extend, expiry notices.
    "gdap-lifecycle-sweeper": {"task": "gdap.sweep_lifecycle", "schedule": 300.0},
    # Support managers' queue counts (the SLA queues change as time passes).
    "queue-counts": {"task": "servicerequests.refresh_queue_counts", "schedule": 60.0},
    # Reporting rollup of the last 30 days and the backlog snapshots (the reports page reads only these).
    "report-rollup": {"task": "servicerequests.refresh_report_rollup", "schedule": 300.0},
    # Re-send webhook deliveries whose message was lost (broker down at commit, worker lost).
    "webhook-sweeper": {"task": "webhooks.sweep_deliveries", "schedule": 60.0},
    # Background queue exports: re-send lost ones, fail those no worker picked up or whose worker died.
    "export-sweeper": {"task": "servicerequests.sweep_exports", "schedule": 60.0},
    # Remove queue export files and rows older than 24 hours.
    "export-purge": {"task": "servicerequests.purge_exports", "schedule": 3600.0},
    # Delete the attachments of requests closed more than ATTACHMENT_RETENTION_DAYS ago (0: never).
    "attachment-purge": {"task": "servicerequests.purge_attachments", "schedule": 3600.0},
    # Delete dispatches delivered more than DISPATCH_RETENTION_DAYS ago (0, the default: never).
    "dispatch-purge": {"task": "servicerequests.purge_dispatches", "schedule": 3600.0},
    # Delete finished webhook deliveries (and events left without one) past WEBHOOK_DELIVERY_RETENTION_DAYS.
    "webhook-purge": {"task": "webhooks.purge_deliveries", "schedule": 3600.0},
    # Delete expired API tokens and idempotency records older than IDEMPOTENCY_RETENTION_HOURS.
    "expired-purge": {"task": "partnercenter.purge_expired", "schedule": 3600.0},
    # Audit events: create the coming months' partitions, drop those past AUDIT_RETENTION_DAYS (0: never).
    "audit-partitions": {"task": "audit.maintain_partitions", "schedule": 86400.0},
}
#: Only scheduled when PORTAL_PROGRESS_ENABLED is true.
PORTAL_PROGRESS_SCHEDULE = {
    "portal-progress": {"task": "portals.progress_tickets", "schedule": 30.0},
}


def beat_schedule(*, portal_progress_enabled: bool) -> dict:
    """The beat schedule for the given settings."""
    schedule = dict(BEAT_SCHEDULE)
    if portal_progress_enabled:
        schedule.update(PORTAL_PROGRESS_SCHEDULE)
    return schedule


@app.on_after_configure.connect
def _install_beat_schedule(sender, **kwargs):
    # Django settings are loaded by now (reading them at import time would be circular).
    from django.conf import settings

    sender.conf.beat_schedule = beat_schedule(
        portal_progress_enabled=getattr(settings, "PORTAL_PROGRESS_ENABLED", False)
    )
