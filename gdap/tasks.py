"""Celery tasks of the GDAP lifecycle. Each takes ids, calls one service and is idempotent: the
services re-check the status under a row lock, so a retry or duplicate delivery changes nothing."""

from celery import shared_task

from . import notifications, services


@shared_task(name="gdap.sweep_lifecycle", soft_time_limit=240, time_limit=300)
def sweep_lifecycle() -> dict[str, int]:
    """Run every due GDAP system transition (see ``services.lifecycle_sweep``); scheduled on beat."""
    return services.lifecycle_sweep()


@shared_task(name="gdap.activate_assignment", soft_time_limit=30, time_limit=60)
def activate_assignment(assignment_id: str) -> bool:
    """``pending`` → ``active`` for one access assignment."""
    return services.assignment_activate(assignment_id=assignment_id)


@shared_task(name="gdap.complete_assignment_deletion", soft_time_limit=30, time_limit=60)
def complete_assignment_deletion(assignment_id: str) -> bool:
    """``deleting`` → ``deleted`` for one access assignment."""
    return services.assignment_complete_deletion(assignment_id=assignment_id)


@shared_task(name="gdap.complete_termination", soft_time_limit=30, time_limit=60)
def complete_termination(relationship_id: str) -> bool:
    """``terminationRequested`` → ``terminating`` → ``terminated`` for one relationship."""
    return services.relationship_complete_termination(relationship_id=relationship_id)


@shared_task(name="gdap.run_operation", soft_time_limit=30, time_limit=60)
def run_operation(operation_id: str) -> bool:
    """Apply one access-assignment update operation."""
    return services.operation_run(operation_id=operation_id)


@shared_task(
    name="gdap.send_notification",
    soft_time_limit=30,
    time_limit=60,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_notification(kind: str, relationship_id: str, extra: dict | None = None) -> int:
    """Send one GDAP e-mail (``gdap.notifications``); retried with backoff on SMTP/network errors."""
    return notifications.send(kind, relationship_id, extra)
