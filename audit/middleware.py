"""The request an audit event is written in: client address and ``MS-RequestId``.

``audit.services.audit_event_record`` fills ``ip_address`` and ``request_id`` from here when its
caller did not pass them, and ``correlation_id`` from ``partnercenter.middleware``. So a service
that knows nothing of HTTP (GDAP transitions, webhook registrations) still records where a change
came from. Outside a request (Celery tasks, management commands) nothing is bound.
"""

from __future__ import annotations

import contextvars
import uuid

_current_request: contextvars.ContextVar[object | None] = contextvars.ContextVar(
    "audit_request", default=None
)


def current_request():
    """The Django request being handled in this context, or None."""
    return _current_request.get()


def request_ip(request) -> str | None:
    """The client address of ``request`` (``REMOTE_ADDR``; set by the proxy in front of gunicorn)."""
    return (request.META.get("REMOTE_ADDR") or None) if request is not None else None


def request_request_id(request) -> str:
    """The request's ``MS-RequestId``: the one ``partnercenter.api.headers.request_id_for`` settled on
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


class AuditContextMiddleware:
    """Bind the request for the audit events written while it is handled (after the correlation id)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)
