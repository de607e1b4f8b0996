"""Security and reliability glue: the 503 answer when the database is unreachable, and the page a
locked-out sign-in gets (django-axes).

- ``ServiceUnavailableMiddleware``: a view that fails because the database refused or dropped the
  connection (``OperationalError`` / ``InterfaceError``) answers **503** with ``Retry-After`` and the
  request's correlation id, in the shape of the surface it was called on (``/v1`` error JSON, Graph
  error JSON, or a plain HTML page), instead of a 500. The API exception handlers call
  ``service_unavailable_response`` for the same errors. Nothing partial is left behind because
  every write runs in ``transaction.atomic``: the failed transaction is rolled back as a whole.
  The page is built without templates or context processors, which would touch the database again.
- ``NullCharacterMiddleware``: a NUL character (``\\x00``) in the path, a query parameter or a
  submitted form field is refused with **400** naming the field, before any view runs: PostgreSQL
  can't store or even compare NUL in text, so letting it through turns a typo into a 500.
- ``JsonNestingMiddleware``: a JSON body on ``/v1`` or Graph nested deeper than ``JSON_MAX_DEPTH``
  (32) arrays/objects is refused with **400** naming ``body``, before any parser recurses into it
  (Python's JSON decoder and the camelCase converter would otherwise fail with ``RecursionError``).
- ``page_not_found``: ``handler404``; an unknown path under ``/graph/`` or ``/v1/`` answers in that
  API's error shape, anything else gets the 404 page.
- ``sign_in_locked_out``: ``AXES_LOCKOUT_CALLABLE``; the sign-in page again, with a message saying
  how long the lock lasts, and HTTP 429.

Every message is in the request's language: the middlewares above answer before Django's
``LocaleMiddleware`` runs, so they choose it themselves (``request_language``: ``X-Locale`` on
``/v1``, then the language cookie and ``Accept-Language``). Codes and field names never change.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from types import SimpleNamespace

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .api.shape import ERROR_CODES, error_body
from .i18n import bcp47, supported_language
from .middleware import CORRELATION_ID_HEADER, get_correlation_id

logger = logging.getLogger("partnercenter.security")

#: Errors meaning "the database is not reachable right now" (not a bug in the request).
DATABASE_UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
UNAVAILABLE_MESSAGE = _("The service is temporarily unavailable: its database can't be reached.")
LOCKED_OUT_STATUS = 429


def is_database_unavailable(exc: BaseException) -> bool:
    return isinstance(exc, DATABASE_UNAVAILABLE_ERRORS)


def request_language(request) -> str:
    """The language of an answer given before ``LocaleMiddleware`` ran (see the module docstring)."""
    if request is None:
        return settings.LANGUAGE_CODE
    if request.path.startswith("/v1/"):
        language = supported_language(request.headers.get("X-Locale"))
        if language:
            return language
    return translation.get_language_from_request(request)


def _correlation_id(request) -> str:
    return getattr(request, "correlation_id", "") or get_correlation_id()


def service_unavailable_response(request, exc: BaseException | None = None) -> HttpResponse:
    """503 with ``Retry-After`` and the correlation id, shaped for ``/v1``, ``/graph`` or the browser."""
    with translation.override(request_language(request)):
        return _service_unavailable_response(request, exc)


def _service_unavailable_response(request, exc: BaseException | None) -> HttpResponse:
    correlation_id = _correlation_id(request)
    logger.error(
        "database unavailable (%s); answered 503 (correlation id %s)",
        type(exc).__name__ if exc is not None else "unknown",
        correlation_id,
        exc_info=exc,
    )
    message = gettext(
        "The service is temporarily unavailable: its database can't be reached. Try again in %(seconds)s "
        "seconds. Correlation id: %(correlation_id)s."
    ) % {"seconds": RETRY_AFTER_SECONDS, "correlation_id": correlation_id}
    path = request.path if request is not None else ""
    if path.startswith("/v1/"):
        response = JsonResponse(
            error_body(ERROR_CODES["server_error"][1], message, [{"correlationId": correlation_id}]),
            status=503,
        )
    elif path.startswith("/graph/"):
        response = JsonResponse(
            {
                "error": {
                    "code": "ServiceUnavailable",
                    "message": message,
                    "innerError": {"request-id": correlation_id},
                }
            },
            status=503,
        )
    else:
        page = {
            "lang": bcp47(translation.get_language() or settings.LANGUAGE_CODE),
            "title": escape(gettext("Service unavailable · Partner Center support portal")),
            "heading": escape(gettext("Service temporarily unavailable")),
            "text": escape(
                gettext(
                    "%(unavailable)s Nothing you submitted was saved in part: try again in %(seconds)s "
                    "seconds."
                )
                % {"unavailable": UNAVAILABLE_MESSAGE, "seconds": RETRY_AFTER_SECONDS}
            ),
            "label": escape(gettext("Correlation id:")),
            "correlation_id": escape(correlation_id),
        }
        response = HttpResponse(
            "<!doctype html><html lang='{lang}'><head><meta charset='utf-8'>"
            "<title>{title}</title></head><body>"
            "<main><h1>{heading}</h1><p>{text}</p>"
            "<p>{label} <code data-testid='correlation-id'>{correlation_id}</code></p>"
            "</main></body></html>".format(**page),
            status=503,
            content_type="text/html; charset=utf-8",
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    if correlation_id:
        response[CORRELATION_ID_HEADER] = correlation_id
    return response


class ServiceUnavailableMiddleware:
    """Turn a view's ``OperationalError`` / ``InterfaceError`` into a 503 (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_unavailable(exception):
            return service_unavailable_response(request, exception)
        return None


NUL = "\x00"
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _null_character_fields(request) -> list[str]:
    """Where the request carries a NUL: ``path``, query parameter names, form field names."""
    fields = []
    if NUL in request.path:
        fields.append("path")
    for key, values in request.GET.lists():
        if NUL in key or any(NUL in value for value in values):
            fields.append(key.replace(NUL, "\\x00"))
    # Browser forms only: the APIs take JSON, whose string fields refuse NUL in their serializers.
    is_api = request.path.startswith(("/v1/", "/graph/"))
    if request.method == "POST" and not is_api and request.content_type in FORM_CONTENT_TYPES:
        try:
            items = list(request.POST.lists())
        except Exception:  # a malformed body is the view's (or Django's) to report
            items = []
        for key, values in items:
            if NUL in key or any(isinstance(v, str) and NUL in v for v in values):
                fields.append(key.replace(NUL, "\\x00"))
    return fields


def bad_request_response(request, fields: list[str], reason: str, **params) -> HttpResponse:
    """400 naming each field and the reason, in the shape of the surface (``/v1``, Graph, browser),
    in the request's language: ``reason`` (a lazy msgid) is rendered in it, with ``params``."""
    with translation.override(request_language(request)):
        text = str(reason) % params if params else str(reason)
        return _bad_request_response(request, fields, text)


def _bad_request_response(request, fields: list[str], reason: str) -> HttpResponse:
    names = ", ".join(fields)
    path = request.path
    if path.startswith("/v1/"):
        return JsonResponse(
            error_body(
                ERROR_CODES["validation"][1],
                gettext("Invalid property: %(fields)s.") % {"fields": names},
                [{"field": field, "reason": reason} for field in fields],
            ),
            status=400,
        )
    if path.startswith("/graph/"):
        return JsonResponse(
            {
                "error": {
                    "code": "BadRequest",
                    "message": "; ".join(f"{field}: {reason}" for field in fields),
                    "target": fields[0],
                    "innerError": {"request-id": _correlation_id(request)},
                }
            },
            status=400,
        )
    page = {
        "lang": bcp47(translation.get_language() or settings.LANGUAGE_CODE),
        "title": escape(gettext("Bad request")),
        "names": escape(names),
        "reason": escape(reason),
        "home": escape(gettext("Back to home")),
    }
    return HttpResponse(
        "<!doctype html><html lang='{lang}'><head><meta charset='utf-8'><title>{title}</title></head>"
        "<body><main><h1>{title}</h1><p>{names}: {reason}</p>"
        "<p><a href='/'>{home}</a></p></main></body></html>".format(**page),
        status=400,
        content_type="text/html; charset=utf-8",
    )


class NullCharacterMiddleware:
    """Refuse NUL characters in the path, query string and form fields with a 400 naming the field."""

    reason = _("null characters (\\x00) are not allowed.")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        fields = _null_character_fields(request)
        if fields:
            return bad_request_response(request, fields, self.reason)
        return self.get_response(request)


def json_nesting_depth(body: bytes, limit: int) -> int:
    """The nesting depth of arrays/objects in the JSON text ``body``, counted up to ``limit + 1``
    (enough to tell "too deep"); brackets inside strings don't count. Linear, no recursion."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return 0  # cannot be deeper than the number of brackets
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    return deepest
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest


class JsonNestingMiddleware:
    """Refuse a ``/v1`` or Graph JSON body nested deeper than ``settings.JSON_MAX_DEPTH`` with a 400
    naming ``body``. A body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is left to the view (413)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method in ("POST", "PUT", "PATCH")
            and request.path.startswith(("/v1/", "/graph/"))
            and "json" in (request.content_type or "")
        ):
            limit = settings.JSON_MAX_DEPTH
            try:
                body = request.body
            except Exception:  # noqa: BLE001 - too large or unreadable: the view answers it
                body = b""
            if json_nesting_depth(body, limit) > limit:
                reason = _("JSON nested deeper than %(limit)s levels is not accepted.")
                return bad_request_response(request, ["body"], reason, limit=limit)
        return self.get_response(request)


def page_not_found(request, exception=None):
    """``handler404``: the ``/v1`` and Graph error shapes under their roots (for paths even the ``/v1``
    catch-all route can't match, such as one with a line break); the 404 page elsewhere."""
    if request.path.startswith("/v1/"):
        return JsonResponse(
            error_body(ERROR_CODES["not_found"][1], gettext("No resource at this path.")), status=404
        )
    if request.path.startswith("/graph/"):
        return JsonResponse(
            {
                "error": {
                    "code": "ResourceNotFound",
                    "message": gettext("No resource at %(path)s.") % {"path": request.path},
                    "innerError": {"request-id": _correlation_id(request)},
                }
            },
            status=404,
        )
    from django.views.defaults import page_not_found as default_page_not_found

    return default_page_not_found(request, exception)


def _cool_off_text() -> str:
    cool_off = getattr(settings, "AXES_COOLOFF_TIME", None)
    if isinstance(cool_off, timedelta):
        minutes = max(1, round(cool_off.total_seconds() / 60))
        return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    return gettext("a while")


def sign_in_locked_out(request, credentials=None, *args, **kwargs) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: the sign-in page with the lockout explained, HTTP 429."""
    limit = getattr(settings, "AXES_FAILURE_LIMIT", 5)
    message = gettext(
        "Too many failed sign-in attempts (%(limit)s) for this user name from your address: sign-in is "
        "locked for %(duration)s. Try again later, or ask your administrator to unlock it."
    ) % {"limit": limit, "duration": _cool_off_text()}
    username = str((credentials or {}).get("username", "")) if isinstance(credentials, dict) else ""
    # What registration/login.html reads from its form; a real form would authenticate again when bound.
    form = SimpleNamespace(non_field_errors=[message], username=SimpleNamespace(value=username))
    response = render(
        request,
        "registration/login.html",
        {"form": form, "next": "", "locked_out": True},
        status=LOCKED_OUT_STATUS,
    )
    cool_off = getattr(settings, "AXES_COOLOFF_TIME", None)
    if isinstance(cool_off, timedelta):
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
