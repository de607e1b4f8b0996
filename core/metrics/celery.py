"""Celery's side of the metrics: task runs, deliveries by result, and the worker's exporter.

Connected in ``partnercenter/celery.py`` with :func:`metrics_connect_celery`, through Celery's
public signals only, keyed by task name (this bottom layer imports no tasks module):

- ``portal_celery_tasks_total{task,state}`` and ``portal_celery_task_duration_seconds{task}`` for
  every task run (``task_prerun`` / ``task_postrun``), with its database queries timed as in a web
  request (``portal_db_query_duration_seconds``);
- ``portal_deliveries_total{task,result}`` for the three delivery tasks of :data:`DELIVERY_RESULTS`:
  the run's return value mapped to a result when it returns, ``retry`` when it raises Celery's
  retry (``task_retry``), ``error`` when it raises (``task_failure``). In eager mode (no broker) a
  task retries in-process and the attempt that retried reports its retry's result.

Worker processes: with ``METRICS_WORKER_PORT`` set, the worker's main process empties
``PROMETHEUS_MULTIPROC_DIR`` and serves the sum of its pool processes' metrics on that port
(``worker_init``); a pool process that exits is marked dead (``worker_process_shutdown``).
"""

from __future__ import annotations

import logging
import os
import time

from celery import states
from django.conf import settings
from prometheus_client import start_http_server
from prometheus_client.multiprocess import mark_process_dead

from . import CELERY_TASK_SECONDS, CELERY_TASKS, DELIVERIES
from .exposition import multiprocess_directory, multiprocess_directory_clear, process_registry
from .middleware import db_queries_timed

logger = logging.getLogger(__name__)

#: Delivery task name → {return value: result label}. A value not listed counts as ``other``.
DELIVERY_RESULTS: dict[str, dict[object, str]] = {
    # the dispatch's status after the attempt, or "missing" when the dispatch no longer exists
    "servicerequests.dispatch": {"delivered": "delivered", "failed": "failed", "missing": "missing"},
    # whether an e-mail went out now (False: sent already, or given up after the last retry)
    "servicerequests.send_notification": {True: "sent", False: "not_sent"},
    # the delivery's status after the attempt ("pending": another attempt is scheduled); None: missing
    "webhooks.deliver": {"delivered": "delivered", "failed": "failed", "pending": "retry", None: "missing"},
}

_runs: dict[str, tuple[float, object]] = {}


def delivery_result(task_name: str, retval) -> str:
    """The ``result`` label of a delivery task that returned ``retval``."""
    results = DELIVERY_RESULTS[task_name]
    try:
        return results.get(retval, "other")
    except TypeError:  # an unhashable return value
        return "other"


def celery_task_prerun(task_id=None, task=None, **kwargs) -> None:
    """``task_prerun``: start the run's clock and time its queries (not for an eager run inside a
    web request, whose queries the request already times)."""
    eager = bool(getattr(getattr(task, "request", None), "is_eager", False))
    timing = None if eager else db_queries_timed().__enter__()
    _runs[task_id] = (time.perf_counter(), timing)


def celery_task_postrun(task_id=None, task=None, retval=None, state=None, **kwargs) -> None:
    """``task_postrun``: count the run by state, observe its duration; a delivery that returned
    counts by result."""
    started, timing = _runs.pop(task_id, (None, None))
    if timing is not None:
        timing.close()
    name = getattr(task, "name", None) or "unknown"
    CELERY_TASKS.labels(name, state or "UNKNOWN").inc()
    if started is not None:
        CELERY_TASK_SECONDS.labels(name).observe(time.perf_counter() - started)
    if state == states.SUCCESS and name in DELIVERY_RESULTS:
        DELIVERIES.labels(name, delivery_result(name, retval)).inc()


def celery_task_retry(sender=None, **kwargs) -> None:
    """``task_retry``: a delivery task raised Celery's retry."""
    name = getattr(sender, "name", None)
    if name in DELIVERY_RESULTS:
        DELIVERIES.labels(name, "retry").inc()


def celery_task_failure(sender=None, **kwargs) -> None:
    """``task_failure``: a delivery task raised."""
    name = getattr(sender, "name", None)
    if name in DELIVERY_RESULTS:
        DELIVERIES.labels(name, "error").inc()


def celery_worker_init(**kwargs) -> None:
    """``worker_init`` (the worker's main process, before its pool starts): with
    ``METRICS_WORKER_PORT`` set, empty the multiprocess directory and serve the metrics there."""
    port = getattr(settings, "METRICS_WORKER_PORT", None)
    if not port:
        return
    multiprocess_directory_clear()
    start_http_server(
        port, addr=getattr(settings, "METRICS_WORKER_ADDRESS", "0.0.0.0"), registry=process_registry()
    )
    logger.info("worker metrics on port %s (multiprocess directory %s)", port, multiprocess_directory())


def celery_worker_process_shutdown(pid=None, **kwargs) -> None:
    """``worker_process_shutdown``: a pool process exits; its live values stop counting."""
    if multiprocess_directory() is not None:
        mark_process_dead(pid or os.getpid(), path=str(multiprocess_directory()))


def metrics_connect_celery() -> None:
    """Connect the handlers above (idempotent: Celery dedupes by handler)."""
    from celery.signals import (
        task_failure,
        task_postrun,
        task_prerun,
        task_retry,
        worker_init,
        worker_process_shutdown,
    )

    task_prerun.connect(celery_task_prerun, weak=False)
    task_postrun.connect(celery_task_postrun, weak=False)
    task_retry.connect(celery_task_retry, weak=False)
    task_failure.connect(celery_task_failure, weak=False)
    worker_init.connect(celery_worker_init, weak=False)
    worker_process_shutdown.connect(celery_worker_process_shutdown, weak=False)
