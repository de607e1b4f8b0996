"""Publishing Celery tasks from a web request without ever failing it.

Work is enqueued after commit (``transaction.on_commit(..., robust=True)``): the data is already
committed, so a broker outage must neither turn the answer into a 500 nor keep the request waiting.
``enqueue`` gives up after the short publish retry policy (``CELERY_TASK_PUBLISH_RETRY_POLICY``), logs
a warning and returns False; the app's sweeper re-sends what was not enqueued.

Services name the task (``enqueue("servicerequests.dispatch", dispatch_id)``) instead of importing
its module, so a tasks module may import the services it calls without an import cycle. Every app
imports its own ``tasks`` module in ``AppConfig.ready()``, so the name is registered in every
process (and an eager run, ``CELERY_TASK_ALWAYS_EAGER``, still runs the task in-process).
"""

from __future__ import annotations

import logging

from celery import current_app
from django.conf import settings
from kombu.exceptions import OperationalError as BrokerError

logger = logging.getLogger(__name__)


def enqueue(task, *args, countdown: float | None = None, **kwargs) -> bool:
    """Send ``task(*args, **kwargs)`` to the broker; on a broker error log it and return False.

    ``task`` is a registered task's name (or the task object itself). An unknown name raises
    ``KeyError``: it is a programming error, not an outage.
    """
    if isinstance(task, str):
        task = current_app.tasks[task]
    try:
        task.apply_async(
            args=args,
            kwargs=kwargs,
            countdown=countdown or None,
            retry=True,
            retry_policy=settings.CELERY_TASK_PUBLISH_RETRY_POLICY,
        )
    except (BrokerError, OSError) as exc:
        logger.warning("could not enqueue %s%r (%s); a sweeper will send it later", task.name, args, exc)
        return False
    return True
