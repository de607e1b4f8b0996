"""Partner Center request headers: ``MS-CorrelationId``, ``MS-RequestId``, ``ETag`` / ``If-Match``."""

from __future__ import annotations

import uuid

CORRELATION_ID_HEADER = "MS-CorrelationId"
REQUEST_ID_HEADER = "MS-RequestId"


def _uuid_or_none(raw: str | None) -> str | None:
    if not raw:
        return None
    try:
        return str(uuid.UUID(raw.strip()))
    except ValueError:
        return None


def correlation_id_for(request) -> str:
    """The request's correlation id: the one bound by ``core.middleware`` when it runs,
    else the client's ``MS-CorrelationId`` (a UUID), else a fresh UUID; stable per request."""
    django_request = getattr(request, "_request", request)
    value = getattr(django_request, "correlation_id", "")
    if not value:
        try:
            from core.middleware import get_correlation_id
        except ImportError:  # pragma: no cover - the middleware module ships with the project
            get_correlation_id = None
        value = (get_correlation_id() if get_correlation_id else "") or ""
    if not value:
        value = _uuid_or_none(django_request.headers.get(CORRELATION_ID_HEADER)) or str(uuid.uuid4())
        django_request.correlation_id = value
    return value


def request_id_for(request) -> tuple[str, bool]:
    """``(request id, given_by_client)``. A missing ``MS-RequestId`` gets a fresh UUID (stable per
    request). A present but malformed one is returned as given; ``request_id_valid`` checks it."""
    django_request = getattr(request, "_request", request)
    cached = getattr(django_request, "_pc_request_id", None)
    if cached is not None:
        return cached
    raw = django_request.headers.get(REQUEST_ID_HEADER)
    result = (raw.strip(), True) if raw and raw.strip() else (str(uuid.uuid4()), False)
    django_request._pc_request_id = result
    return result


def request_id_valid(value: str) -> bool:
    """Partner Center request ids are GUIDs."""
    return _uuid_or_none(value) is not None


def etag_for(version: int) -> str:
    """The strong ETag of a resource at ``version``."""
    return f'"{version}"'


def if_match_versions(header: str | None) -> list[str] | None:
    """The versions listed in an ``If-Match`` header (``["*"]`` for any), or ``None`` when absent."""
    if header is None or not header.strip():
        return None
    values = []
    for part in header.split(","):
        part = part.strip()
        if part.startswith("W/"):
            part = part[2:]
        values.append(part.strip('"'))
    return values
