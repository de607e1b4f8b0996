"""Correlation ids: one per request or Celery task, readable anywhere through a context variable.

A client may send ``MS-CorrelationId`` (a UUID, as Partner Center clients do); anything else
is replaced by a fresh UUID. The id is echoed in the response header of the same name, put on
every log line (``core.logging``), and is what audit events and Celery tasks read
through ``get_correlation_id()``.

This module imports nothing from Django at import time, so that gunicorn's log configuration
can use it before Django is set up.
"""

from __future__ import annotations

import contextvars
import logging
import time
import uuid

CORRELATION_ID_HEADER = "MS-CorrelationId"
# Key of the id in Celery message headers (not "correlation_id": Celery uses that for the task id).
CELERY_HEADER = "ms_correlation_id"
# Successful probes of these paths are not access-logged: load balancers call them every few seconds.
QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})

_correlation_id: contextvars.ContextVar[str] = contextvars.ContextVar("correlation_id", default="")
request_logger = logging.getLogger("partnercenter.request")
# Tokens of the ids bound by ``celery_task_prerun``, by task id, for ``celery_task_postrun``.
_task_tokens: dict[str, contextvars.Token[str]] = {}


def get_correlation_id() -> str:
    """The correlation id of the current request or task, or ``""`` outside of one."""
    return _correlation_id.get()


def set_correlation_id(value: str) -> contextvars.Token[str]:
    """Make ``value`` the current correlation id; returns the token to restore the previous one."""
    return _correlation_id.set(value)


def reset_correlation_id(token: contextvars.Token[str]) -> None:
    """Restore the correlation id that was current before ``set_correlation_id`` returned ``token``."""
    _correlation_id.reset(token)


def correlation_id_parse(raw: str | None) -> str | None:
    """The canonical (lower-case, hyphenated) form of ``raw`` when it is a UUID, else ``None``.

    Any form ``uuid.UUID`` reads is accepted (braces, no hyphens, upper case), like
    ``core.api.headers``; the id is always echoed in the canonical form.
    """
    if not raw or len(raw) > 64:
        return None
    try:
        return str(uuid.UUID(raw.strip()))
    except ValueError:
        return None


def correlation_id_new() -> str:
    """A fresh correlation id (a random UUID)."""
    return str(uuid.uuid4())


def _unbind_after_response(**kwargs) -> None:
    """``request_finished`` handler: the response is closed; no request is current any more."""
    set_correlation_id("")


class CorrelationIdMiddleware:
    """Bind a correlation id to each request, echo it, and write one access log line per request.

    Put it first in ``MIDDLEWARE`` so that everything below it runs with the id bound. The id
    stays bound until the response is closed (``request_finished``), so Django's own
    ``django.request`` lines for 4xx/5xx responses, written after the middleware chain, carry it
    too. The access line goes to the ``partnercenter.request`` logger with ``method``, ``path``
    (no query string), ``status`` and ``duration_ms``.
    """

    def __init__(self, get_response):
        from django.core.signals import request_finished

        self.get_response = get_response
        request_finished.connect(_unbind_after_response, dispatch_uid="partnercenter.correlation_id.unbind")

    def __call__(self, request):
        correlation_id = (
            correlation_id_parse(request.headers.get(CORRELATION_ID_HEADER)) or correlation_id_new()
        )
        request.correlation_id = correlation_id
        token = set_correlation_id(correlation_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
        except BaseException:
            reset_correlation_id(token)
            raise
        response[CORRELATION_ID_HEADER] = correlation_id
        if not (request.path in QUIET_PATHS and response.status_code < 400):
            request_logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "correlation_id": correlation_id,
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                },
            )
        return response


# Celery propagation. Connect in ``partnercenter/celery.py`` with ``correlation_id_connect_celery()``.


def celery_before_task_publish(headers=None, **kwargs) -> None:
    """``before_task_publish`` handler: carry the current correlation id in the message headers."""
    correlation_id = get_correlation_id()
    if headers is not None and correlation_id:
        headers.setdefault(CELERY_HEADER, correlation_id)


def celery_task_prerun(task_id=None, task=None, **kwargs) -> None:
    """``task_prerun`` handler: bind the correlation id for the task run.

    Uses the publisher's id from the message headers; an eager task (run in-process) keeps the
    id already bound; otherwise (beat, a publisher outside any request) a fresh one.
    """
    request = getattr(task, "request", None)
    received = getattr(request, CELERY_HEADER, None) or (getattr(request, "headers", None) or {}).get(
        CELERY_HEADER
    )
    correlation_id = correlation_id_parse(received) or get_correlation_id() or correlation_id_new()
    _task_tokens[task_id] = set_correlation_id(correlation_id)


def celery_task_postrun(task_id=None, **kwargs) -> None:
    """``task_postrun`` handler: restore the correlation id that was bound before the task ran."""
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        reset_correlation_id(token)


def correlation_id_connect_celery() -> None:
    """Connect the three Celery signal handlers above (idempotent: Celery dedupes by handler)."""
    from celery.signals import before_task_publish, task_postrun, task_prerun

    before_task_publish.connect(celery_before_task_publish, weak=False)
    task_prerun.connect(celery_task_prerun, weak=False)
    task_postrun.connect(celery_task_postrun, weak=False)
