"""``/metrics`` for Prometheus, and the timing of every database query of a web request.

The endpoint is answered here, near the top of ``MIDDLEWARE`` (right after the correlation id),
rather than by a URL route: a scrape is a machine on the internal network asking for plain HTTP by
the container's name (``web:8000``), which production's HTTPS redirect and ``ALLOWED_HOSTS`` would
refuse; the metrics do not depend on the host name. When ``METRICS_TOKEN`` is set a scrape must
send ``Authorization: Bearer <METRICS_TOKEN>`` (401 otherwise); when it is empty the endpoint is
open, so keep it off the public reverse proxy (``docs/operations.md``).
"""

from __future__ import annotations

import hmac
import time
from contextlib import ExitStack

from django.conf import settings
from django.db import connections
from django.http import HttpResponse

from . import DB_QUERY_SECONDS
from .exposition import metrics_exposition

METRICS_PATH = "/metrics"


def metrics_token_valid(authorization: str) -> bool:
    """Whether an ``Authorization`` header value may scrape: always when ``METRICS_TOKEN`` is empty,
    otherwise only ``Bearer <METRICS_TOKEN>`` (compared in constant time)."""
    expected = getattr(settings, "METRICS_TOKEN", "")
    if not expected:
        return True
    scheme, _, token = authorization.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), expected.encode())


def metrics_response(request) -> HttpResponse:
    """The scrape's answer: 405 for anything but GET/HEAD, 401 without the token, else the metrics."""
    if request.method not in ("GET", "HEAD"):
        response = HttpResponse(status=405)
        response["Allow"] = "GET, HEAD"
        return response
    if not metrics_token_valid(request.headers.get("Authorization", "")):
        response = HttpResponse("Unauthorized: send Authorization: Bearer <METRICS_TOKEN>\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        response["Content-Type"] = "text/plain; charset=utf-8"
        return response
    body, content_type = metrics_exposition(accept=request.headers.get("Accept", ""))
    response = HttpResponse(body, content_type=content_type)
    response["Cache-Control"] = "no-store"
    return response


def db_query_timed(execute, sql, params, many, context):
    """``connection.execute_wrapper`` hook: observe each query's duration in ``DB_QUERY_SECONDS``."""
    connection = context["connection"]
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        DB_QUERY_SECONDS.labels(connection.alias, connection.vendor).observe(time.perf_counter() - started)


def db_queries_timed() -> ExitStack:
    """A context in which every query on every database connection of this thread is timed."""
    stack = ExitStack()
    for connection in connections.all():
        stack.enter_context(connection.execute_wrapper(db_query_timed))
    return stack


class MetricsMiddleware:
    """Answer ``GET /metrics``; time the database queries of every other request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == METRICS_PATH:
            return metrics_response(request)
        with db_queries_timed():
            return self.get_response(request)
