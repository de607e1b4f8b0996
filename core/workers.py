"""Database connections of Celery workers: kept from one task to the next, as a web process keeps
its connection from one request to the next.

Celery's Django fixup closes every connection before and after each task unless
``CELERY_DB_REUSE_MAX`` is set (it then closes them every that-many tasks). With it set, these
handlers do what Django does around each request: ``close_old_connections()`` closes a connection
that is past ``CONN_MAX_AGE``, that fails its health check (``CONN_HEALTH_CHECKS``), or that a
task left unusable after an error, and keeps the rest open. Eager tasks (run in-process, inside a
web request's transaction) are left alone.
"""

from __future__ import annotations

from django.db import close_old_connections


def _close_old_connections(task=None, **kwargs) -> None:
    if getattr(getattr(task, "request", None), "is_eager", False):
        return
    close_old_connections()


def db_connections_connect_celery() -> None:
    """Connect the handlers to Celery's ``task_prerun`` and ``task_postrun`` (idempotent)."""
    from celery.signals import task_postrun, task_prerun

    task_prerun.connect(_close_old_connections, weak=False, dispatch_uid="core.workers.prerun")
    task_postrun.connect(_close_old_connections, weak=False, dispatch_uid="core.workers.postrun")
