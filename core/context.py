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
import ipaddress
import uuid
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings

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


@lru_cache(maxsize=8)
def _trusted_networks(proxies: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies if proxy.strip())


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An address from a peer or an ``X-Forwarded-For`` entry (``[v6]:port`` and ``v4:port`` too)."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def request_ip(request) -> str | None:
    """The client address of ``request``, believing only the configured trusted proxies.

    ``settings.TRUSTED_PROXIES`` (addresses or networks; empty by default) are the reverse proxies
    whose ``X-Forwarded-For`` is believed. When the peer (``REMOTE_ADDR``) is not one of them, the
    client is the peer and the header is ignored (a client can write anything in it). When it is,
    the header's entries are read from the right, skipping trusted proxies, and the first other
    address is the client (a proxy chain: CDN, load balancer, nginx); a malformed entry stops the
    walk at the last trusted hop. The one answer for the audit trail (``request_context``), API
    throttling (``core.api.throttling``) and sign-in lockout (django-axes'
    ``AXES_CLIENT_IP_CALLABLE``), so the three always agree. None without a request or peer.
    """
    if request is None:
        return None
    peer = request.META.get("REMOTE_ADDR") or None
    trusted = _trusted_networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    if peer is None or not trusted:
        return peer

    def is_trusted(address) -> bool:
        return any(address in network for network in trusted if address.version == network.version)

    client = _address(peer)
    if client is None or not is_trusted(client):
        return peer
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for entry in reversed([part for part in forwarded.split(",") if part.strip()]):
        hop = _address(entry)
        if hop is None:
            break
        client = hop
        if not is_trusted(hop):
            break
    return str(client)


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


def request_context_of(request) -> RequestContext:
    """The context of an explicit Django ``request`` (or of none: the task's, when it is None),
    for code that is handed its request rather than running under the middleware."""
    if request is None:
        return RequestContext(correlation_id=get_correlation_id())
    return RequestContext(
        correlation_id=get_correlation_id(),
        request_id=request_request_id(request),
        client_ip=request_ip(request),
    )


def request_context() -> RequestContext:
    """The context of the request or task being handled now (see the module docstring)."""
    return request_context_of(_current_request.get())


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
