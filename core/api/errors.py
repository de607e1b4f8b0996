"""The ``/v1`` error shape and the one exception handler that produces it.

Every 4xx/5xx of the ``/v1`` API is ``{"code": int, "description": str, "data": [...],
"source": "PartnerCenterSimulator"}`` — except 429, whose body is Partner Center's throttling
shape ``{"statusCode": 429, "message": "Rate limit is exceeded. Try again in N seconds."}``.
Codes follow Partner Center's documented error codes where one fits (``ERROR_CODES``); the
others are this simulator's own and are listed in ``docs/api.md``. Descriptions and reasons are in
the request's language (``X-Locale``, else ``Accept-Language``: ``core.i18n``); codes, field names
and rule ids never are.
"""

from __future__ import annotations

import logging
import math

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext
from rest_framework import exceptions, status
from rest_framework.response import Response

from core.exceptions import DomainError
from core.security import is_database_unavailable, service_unavailable_response
from core.signals import permission_denied

from .headers import correlation_id_for
from .shape import ERROR_CODES, error_body

logger = logging.getLogger("partnercenter.api")

_DRF_KINDS: tuple[tuple[type[exceptions.APIException], str], ...] = (
    (exceptions.ValidationError, "validation"),
    (exceptions.ParseError, "parse"),
    (exceptions.NotAuthenticated, "not_authenticated"),
    (exceptions.AuthenticationFailed, "authentication_failed"),
    (exceptions.PermissionDenied, "permission_denied"),
    (exceptions.NotFound, "not_found"),
    (exceptions.MethodNotAllowed, "method_not_allowed"),
    (exceptions.NotAcceptable, "not_acceptable"),
    (exceptions.UnsupportedMediaType, "unsupported_media_type"),
)


class ApiError(exceptions.APIException):
    """A ``/v1`` error with an explicit kind (see ``ERROR_CODES``), description and data list."""

    def __init__(self, kind: str, description: str = "", data: list | None = None, headers=None):
        self.kind = kind
        self.status_code, self.code, default = ERROR_CODES[kind]
        self.description = description or default
        self.data = data or []
        self.headers = headers or {}
        super().__init__(detail=self.description)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def validation_data(detail, prefix: str = "") -> list[dict]:
    """Flatten DRF/Django validation details into ``[{"field": "a.b", "reason": "..."}]``."""
    items: list[dict] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            field = "" if key in ("non_field_errors", "__all__") else _camel(str(key))
            path = ".".join(p for p in (prefix, field) if p)
            items.extend(validation_data(value, path))
    elif isinstance(detail, list | tuple):
        for index, value in enumerate(detail):
            if isinstance(value, dict | list) and value:
                items.extend(validation_data(value, f"{prefix}[{index}]" if prefix else str(index)))
            elif value:
                items.append({"field": prefix, "reason": str(value)})
    elif detail:
        items.append({"field": prefix, "reason": str(detail)})
    return items


def django_validation_detail(exc: DjangoValidationError):
    """The message dict (or list) of a Django ``ValidationError``."""
    return exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}


def throttled_message(seconds: int) -> str:
    """The 429 body's ``message`` (Azure API Management's words, in the request's language)."""
    return gettext("Rate limit is exceeded. Try again in %(seconds)s seconds.") % {"seconds": seconds}


def throttled_body(wait: float | None) -> tuple[dict, int]:
    seconds = max(1, math.ceil(wait or 1))
    return {"statusCode": 429, "message": throttled_message(seconds)}, seconds


def _description_of(detail) -> str:
    if isinstance(detail, list | tuple) and detail:
        return str(detail[0])
    if isinstance(detail, dict):
        return gettext("Invalid property.")
    return str(detail)


def exception_handler(exc, context) -> Response:
    """Turn any exception raised in a ``/v1`` view into the error shape (never a stack trace)."""
    request = context.get("request")
    if isinstance(exc, DomainError):
        exc = ApiError(exc.api_kind, exc.api_description(), exc.api_data(), headers=exc.api_headers())
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(django_validation_detail(exc))
    elif isinstance(exc, RequestDataTooBig):
        limit = {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
        exc = ApiError(
            "payload_too_large",
            gettext("The request body is larger than %(limit)s bytes.") % limit,
            [{"field": "", "reason": gettext("at most %(limit)s bytes") % limit}],
        )

    if isinstance(exc, exceptions.PermissionDenied) and request is not None:
        # Every 403 of a role or scope check is on record (an eligibility refusal is an ApiError,
        # recorded by the filing service as servicerequest.filing_denied instead).
        permission_denied.send(
            sender=exception_handler, request=request, reason=str(exc.detail), surface="api"
        )

    if isinstance(exc, exceptions.Throttled):
        body, seconds = throttled_body(exc.wait)
        return Response(body, status=status.HTTP_429_TOO_MANY_REQUESTS, headers={"Retry-After": str(seconds)})

    headers = {}
    if isinstance(exc, ApiError):
        body = error_body(exc.code, exc.description, exc.data)
        headers.update(exc.headers)
        return Response(body, status=exc.status_code, headers=headers)

    if isinstance(exc, exceptions.APIException):
        kind = next((k for cls, k in _DRF_KINDS if isinstance(exc, cls)), None)
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if kind == "validation":
            _, code, description = ERROR_CODES[kind]
            data = validation_data(exc.detail)
            fields = ", ".join(sorted({d["field"] for d in data if d["field"]}))
            if fields:
                description = gettext("Invalid property: %(fields)s.") % {"fields": fields}
            return Response(error_body(code, description, data), status=exc.status_code, headers=headers)
        if kind is None:
            code = exc.status_code * 10 if exc.status_code < 500 else ERROR_CODES["server_error"][1]
        else:
            code = ERROR_CODES[kind][1]
        return Response(
            error_body(code, _description_of(exc.detail)), status=exc.status_code, headers=headers
        )

    if request is not None and is_database_unavailable(exc):
        return service_unavailable_response(request, exc)  # 503 + Retry-After, not a 500

    correlation_id = correlation_id_for(request) if request is not None else ""
    logger.exception("Unexpected error in the API (correlation id %s)", correlation_id)
    _, code, description = ERROR_CODES["server_error"]
    description = gettext("%(description)s Correlation id: %(correlation_id)s.") % {
        "description": description,
        "correlation_id": correlation_id,
    }
    return Response(
        error_body(code, description, [{"correlationId": correlation_id}]),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )
