"""The context a change is made in: correlation id, ``MS-RequestId`` and client address, in one object.

``RequestContextMiddleware`` binds the Django request being handled; ``request_context()`` reads
the three values from it (and the correlation id from ``core.middleware``, which also binds one
per Celery task). Services never take these as arguments: the audit writer
(``audit.services.audit_event_record``) and anything else that records where a change came from
call ``request_context()``. Outside a request (Celery tasks, management commands) ``request_id``
and ``client_ip`` are empty and ``correlation_id`` is the task's.
"""

from __future__ import annotations

import contextvars
import uuid
from dataclasses import dataclass

from .middleware import get_correlation_id

_current_request: contextvars.ContextVar[object | None] = contextvars.ContextVar(
    "current_request", default=None
)


@dataclass(frozen=True, slots=True)
class RequestContext:
    """Where a change comes from. Empty strings / ``None`` when unknown."""

    correlation_id: str = ""
    request_id: str = ""
    client_ip: str | None = None


def current_request():
    """The Django request being handled in this context, or None."""
    return _current_request.get()


def request_ip(request) -> str | None:
    """The client address of ``request`` (``REMOTE_ADDR``; set by the proxy in front of gunicorn)."""
    return (request.META.get("REMOTE_ADDR") or None) if request is not None else None


def request_request_id(request) -> str:
    """The request's ``MS-RequestId``: the one ``core.api.headers.request_id_for`` settled on
    (also when it generated it), else the client's header when it is a GUID, else ``""``."""
    if request is None:
        return ""
    settled = getattr(request, "_pc_request_id", None)
    if settled:
        return settled[0]
    raw = request.headers.get("MS-RequestId", "")
    try:
        return str(uuid.UUID(raw.strip())) if raw else ""
    except ValueError:
        return ""


def request_context() -> RequestContext:
    """The context of the request or task being handled now (see the module docstring)."""
    request = _current_request.get()
    if request is None:
        return RequestContext(correlation_id=get_correlation_id())
    return RequestContext(
        correlation_id=get_correlation_id(),
        request_id=request_request_id(request),
        client_ip=request_ip(request),
    )


class RequestContextMiddleware:
    """Bind the request for whatever records its context while it is handled (after the correlation id)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)
