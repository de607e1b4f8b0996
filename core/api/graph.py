"""Microsoft Graph conventions for the ``/graph/v1.0`` views: the error shape and its exception
handler, the ``GraphApiView`` base that applies it (per view: ``/v1`` keeps its own handler),
camelCase/PascalCase JSON input, weak ETags / ``If-Match``, ``$filter=status eq`` and OData keyset
paging.

Errors: ``{"error": {"code", "message", "innerError": {"request-id", "date"}}}`` (plus ``target``,
the offending field, when there is one); ``message`` is in the ``Accept-Language`` of the request
(Graph's header), ``code`` and ``target`` never change. An app maps its own domain exceptions by overriding
``GraphApiView.graph_error_for`` to return a ``GraphError``; this module imports no app. A 403
is sent to ``core.signals.permission_denied`` (surface ``"graph"``) for the audit trail.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
import uuid

from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from core.security import is_database_unavailable, service_unavailable_response
from core.signals import permission_denied
from core.text import ascii_digits

from .casing import PartnerCenterJSONParser
from .errors import throttled_message
from .scopes import EndpointScopePermission

# The Graph views' logger has been "gdap.api" since GDAP was the only Graph surface; kept so that
# log routing and alerts keep working.
logger = logging.getLogger("gdap.api")

GRAPH_ROOT = "/graph/v1.0/"
DEFAULT_TOP = 100
MAX_TOP = 999


class GraphError(exceptions.APIException):
    """An error with an explicit HTTP status, Graph ``code``, message and (optional) target field."""

    def __init__(self, http_status: int, code: str, message: str, target: str | None = None):
        self.status_code = http_status
        self.graph_code = code
        self.message = message
        self.target = target
        super().__init__(detail=message, code=code)


class PreconditionRequired(exceptions.APIException):
    """PATCH/DELETE without ``If-Match`` (Graph requires it)."""

    status_code = 428
    default_code = "PreconditionRequired"
    default_detail = _("The If-Match header is required: send the @odata.etag you last read.")


class PreconditionFailed(exceptions.APIException):
    """An ``If-Match`` that names no current version of the resource."""

    status_code = 412
    default_code = "PreconditionFailed"
    default_detail = _("If-Match does not match the current ETag.")


class BadGraphQuery(exceptions.ParseError):
    """A malformed ``$top``, ``$skiptoken`` or ``$filter``."""


# DRF / Django exception → (HTTP status, Graph error code)
_DRF_CODES: tuple[tuple[type[Exception], int, str], ...] = (
    (exceptions.NotAuthenticated, 401, "InvalidAuthenticationToken"),
    (exceptions.AuthenticationFailed, 401, "InvalidAuthenticationToken"),
    (exceptions.PermissionDenied, 403, "Forbidden"),
    (DjangoPermissionDenied, 403, "Forbidden"),
    (exceptions.NotFound, 404, "ResourceNotFound"),
    (Http404, 404, "ResourceNotFound"),
    (ObjectDoesNotExist, 404, "ResourceNotFound"),
    (exceptions.MethodNotAllowed, 405, "MethodNotAllowed"),
    (exceptions.NotAcceptable, 406, "NotAcceptable"),
    (exceptions.UnsupportedMediaType, 415, "UnsupportedMediaType"),
    (PreconditionRequired, 428, "PreconditionRequired"),
    (PreconditionFailed, 412, "PreconditionFailed"),
    (exceptions.ParseError, 400, "BadRequest"),
    (RequestDataTooBig, 413, "RequestEntityTooLarge"),
    (exceptions.ValidationError, 400, "BadRequest"),
)


def graph_error(request, http_status: int, code: str, message: str, target: str | None = None, headers=None):
    """A Graph-shaped error response with a fresh ``request-id`` (also sent as a header)."""
    request_id = str(uuid.uuid4())
    body = {
        "error": {
            "code": code,
            "message": message,
            "innerError": {
                "request-id": request_id,
                "date": timezone.now().replace(microsecond=0).isoformat().replace("+00:00", "Z"),
            },
        }
    }
    client_request_id = request.headers.get("client-request-id") if request is not None else None
    if client_request_id:
        body["error"]["innerError"]["client-request-id"] = client_request_id
    if target:
        body["error"]["target"] = target
    return Response(body, status=http_status, headers={"request-id": request_id, **(headers or {})})


def _validation_message(detail, prefix="") -> list[tuple[str, str]]:
    """Flatten DRF validation detail into (field path, reason) pairs."""
    if isinstance(detail, dict):
        pairs = []
        for key, value in detail.items():
            if isinstance(key, int) or str(key).isdigit():
                path = f"{prefix}[{key}]"
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            pairs.extend(_validation_message(value, path))
        return pairs
    if isinstance(detail, list):
        pairs = []
        for i, item in enumerate(detail):
            if isinstance(item, dict | list):
                pairs.extend(_validation_message(item, f"{prefix}[{i}]"))
            else:
                pairs.append((prefix, str(item)))
        return pairs
    return [(prefix, str(detail))]


def graph_exception_handler(exc, context):
    """Map an exception to Graph's error shape: first the view's own domain errors
    (``GraphApiView.graph_error_for``), then DRF/Django exceptions; anything else is a 500 with a
    request id and no details (the traceback goes to the log). Every 403 is sent to
    ``core.signals.permission_denied`` with surface ``"graph"``."""
    request = context.get("request")
    view = context.get("view")
    if isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait or 1)
        return Response(
            {"statusCode": 429, "message": throttled_message(wait)},
            status=429,
            headers={"Retry-After": str(wait)},
        )
    translate = getattr(view, "graph_error_for", None)
    if translate is not None:
        exc = translate(exc) or exc
    denied = exceptions.PermissionDenied | DjangoPermissionDenied
    is_denied = isinstance(exc, denied) or (isinstance(exc, GraphError) and exc.status_code == 403)
    if is_denied and request is not None:
        reason = exc.message if isinstance(exc, GraphError) else str(exc)
        permission_denied.send(
            sender=graph_exception_handler, request=request, reason=reason, surface="graph"
        )
    if isinstance(exc, GraphError):
        return graph_error(request, exc.status_code, exc.graph_code, exc.message, target=exc.target)
    if isinstance(exc, exceptions.ValidationError):
        pairs = _validation_message(exc.detail)
        message = "; ".join(f"{field}: {reason}" if field else reason for field, reason in pairs)
        return graph_error(request, 400, "BadRequest", message, target=pairs[0][0] if pairs else None)
    for kind, http_status, code in _DRF_CODES:
        if isinstance(exc, kind):
            if isinstance(exc, exceptions.APIException):
                message = str(exc.detail)
            elif isinstance(exc, ObjectDoesNotExist | Http404):
                message = gettext("The requested resource does not exist.")
            else:
                message = str(exc) or code
            headers = {}
            if http_status == 401:
                headers["WWW-Authenticate"] = 'Bearer realm="api"'
            return graph_error(request, http_status, code, message, headers=headers)
    if request is not None and is_database_unavailable(exc):
        return service_unavailable_response(request, exc)  # 503 + Retry-After, not a 500
    logger.exception("unhandled error in a Graph API view", exc_info=exc)
    return graph_error(request, 500, "InternalServerError", gettext("An unexpected error occurred."))


class GraphJSONParser(PartnerCenterJSONParser):
    """JSON bodies in camelCase or PascalCase, handed on as camelCase (as ``/v1`` reads them)."""


class GraphApiView(APIView):
    """Base of every ``/graph/v1.0`` view: authenticated users, JSON, Graph errors."""

    permission_classes = [IsAuthenticated, EndpointScopePermission]
    parser_classes = [GraphJSONParser]
    renderer_classes = [JSONRenderer]

    def graph_error_for(self, exc: Exception) -> GraphError | None:
        """The ``GraphError`` an app's own exception stands for, or None (the default: no domain
        errors). Subclasses map their domain exceptions here."""
        return None

    def get_exception_handler(self):
        return graph_exception_handler

    def get_authenticate_header(self, request):
        return super().get_authenticate_header(request) or 'Bearer realm="api"'


# ---------------------------------------------------------------------------------------------
# ETags


def etag(version: int) -> str:
    """Graph-style weak ETag of a resource version (``@odata.etag`` and the ``ETag`` header)."""
    return f'W/"{version}"'


_ETAG_VALUE = re.compile(r'^(?:W/)?"?([^"]*)"?$')


def if_match_version(request) -> int | None:
    """The version named by ``If-Match`` (None for ``*``). Missing → 428; a value that is not one of
    our ETags can never match → 412."""
    raw = request.headers.get("If-Match")
    if raw is None or not raw.strip():
        raise PreconditionRequired()
    raw = raw.strip()
    if raw == "*":
        return None
    match = _ETAG_VALUE.match(raw.split(",")[0].strip())
    value = match.group(1) if match else ""
    if not ascii_digits(value):
        raise PreconditionFailed(
            gettext("If-Match %(value)s does not match the current ETag") % {"value": raw}
        )
    return int(value)


# ---------------------------------------------------------------------------------------------
# OData collections with keyset paging


def _encode_token(values: list[str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _decode_token(token: str, size: int) -> list[str]:
    try:
        padded = token + "=" * (-len(token) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise BadGraphQuery("$skiptoken is not a token this service issued") from None
    if not isinstance(values, list) or len(values) != size or not all(isinstance(v, str) for v in values):
        raise BadGraphQuery("$skiptoken is not a token this service issued")
    return values


def top_param(request) -> int:
    """``$top`` (1–999, default 100); anything else is a 400."""
    raw = request.query_params.get("$top")
    if raw is None:
        return DEFAULT_TOP
    if not ascii_digits(raw) or not 1 <= int(raw) <= MAX_TOP:
        raise BadGraphQuery(f"$top must be an integer between 1 and {MAX_TOP}")
    return int(raw)


def graph_collection(request, queryset, *, ordering: tuple[str, str], serialize, entity_set: str) -> Response:
    """One page of ``queryset`` in Graph's collection shape, ordered by the two ``ordering`` fields
    (the second unique), with ``@odata.nextLink`` carrying an opaque keyset ``$skiptoken``."""
    first, second = ordering
    top = top_param(request)
    qs = queryset.order_by(first, second)
    token = request.query_params.get("$skiptoken")
    if token:
        raw_first, raw_second = _decode_token(token, 2)
        model = queryset.model
        try:
            v1 = model._meta.get_field(first).to_python(raw_first)
            v2 = model._meta.get_field(second).to_python(raw_second)
        except Exception:
            raise BadGraphQuery("$skiptoken is not a token this service issued") from None
        qs = qs.filter(Q(**{f"{first}__gt": v1}) | Q(**{first: v1, f"{second}__gt": v2}))
    rows = list(qs[: top + 1])
    page, more = rows[:top], len(rows) > top
    body = {
        "@odata.context": request.build_absolute_uri(GRAPH_ROOT) + f"$metadata#{entity_set}",
        "value": serialize(page),
    }
    if more:
        last = page[-1]

        def raw(value):
            return value.isoformat() if hasattr(value, "isoformat") else str(value)

        params = request.query_params.copy()
        params["$top"] = str(top)
        params["$skiptoken"] = _encode_token([raw(getattr(last, first)), raw(getattr(last, second))])
        body["@odata.nextLink"] = request.build_absolute_uri(request.path) + "?" + params.urlencode(safe="$'")
    return Response(body)


_FILTER = re.compile(r"^\s*status\s+eq\s+'(?P<value>[A-Za-z]+)'\s*$")


def status_filter(request, allowed: list[str]) -> str | None:
    """``$filter=status eq 'active'`` → ``"active"``; the only filter these collections support."""
    raw = request.query_params.get("$filter")
    if raw is None or not raw.strip():
        return None
    match = _FILTER.match(raw)
    if match is None:
        raise BadGraphQuery("only $filter=status eq '<status>' is supported")
    if match["value"] not in allowed:
        raise BadGraphQuery(f"unknown status '{match['value']}'; one of: {', '.join(allowed)}")
    return match["value"]
