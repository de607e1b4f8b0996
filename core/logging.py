"""Structured logs: one JSON object per line, each carrying the correlation id.

Every line has ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message`` and
``correlation_id`` (``""`` outside a request or task), then, when tracing is on and the line is
written inside a span, ``trace_id`` and ``span_id`` (hex, as trace viewers show them;
``core.tracing``), then any ``extra`` fields of the record.
Request lines (``partnercenter.request``, ``django.request``) also carry ``method``, ``path`` and
``status``. Exceptions are in ``exc_info`` as one string, so a traceback stays on one line.

Used by ``LOGGING`` in the settings and by gunicorn's ``logconfig_dict`` (``docker/gunicorn.conf.py``);
imports nothing from Django.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from pythonjsonlogger.json import JsonFormatter as _BaseJsonFormatter

from core.middleware import get_correlation_id
from core.tracing import tracing_current_ids


class CorrelationIdFilter(logging.Filter):
    """Set ``record.correlation_id`` from the current request or task (so ``%(correlation_id)s`` works).

    Attach it to handlers, not loggers: handler filters also see records propagated from child loggers.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "correlation_id", None):
            record.correlation_id = get_correlation_id()
        return True


class JsonFormatter(_BaseJsonFormatter):
    """python-json-logger's formatter with this portal's field names and request fields."""

    # Fields every line starts with, in this order; extras follow.
    LEADING_FIELDS = ("time", "level", "logger", "message", "correlation_id")
    TRACE_FIELDS = ("trace_id", "span_id")

    def __init__(self, fmt: str | None = None, datefmt: str | None = None, style: str = "%", **kwargs: Any):
        # The fields are fixed: ``fmt`` (accepted for dictConfig's "class" form) is ignored.
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        super().__init__("%(levelname)s %(name)s %(message)s", datefmt, "%", **kwargs)

    def add_fields(self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]):
        super().add_fields(log_data, record, message_dict)
        log_data["time"] = datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds")
        log_data["correlation_id"] = getattr(record, "correlation_id", None) or get_correlation_id()
        ids = tracing_current_ids()
        if ids is not None:
            log_data["trace_id"], log_data["span_id"] = ids
        # django.request passes the HttpRequest and status_code; keep only what a reader needs.
        request = log_data.pop("request", None)
        if hasattr(request, "method") and hasattr(request, "path"):
            log_data.setdefault("method", request.method)
            log_data.setdefault("path", request.path)
        if "status_code" in log_data:
            log_data.setdefault("status", log_data.pop("status_code"))
        first = self.LEADING_FIELDS + tuple(key for key in self.TRACE_FIELDS if key in log_data)
        extras = {key: value for key, value in log_data.items() if key not in first}
        leading = {key: log_data[key] for key in first}
        log_data.clear()
        log_data.update(leading, **extras)
