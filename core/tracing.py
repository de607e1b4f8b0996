"""Traces with OpenTelemetry: off unless ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set.

``tracing_configure()`` is called once per process where the application starts: by
``partnercenter/wsgi.py`` and ``asgi.py`` before Django loads, by gunicorn's ``post_fork``
(``docker/gunicorn.conf.py``) and by Celery's ``worker_process_init`` (``partnercenter/celery.py``),
so that every forked process has its own exporter thread. When the endpoint is unset it returns
at once: nothing from OpenTelemetry is imported, no middleware or signal handler is added, and a
request costs what it cost before.

When it is set, the process gets a tracer provider exporting over OTLP/HTTP (the standard
``OTEL_EXPORTER_OTLP_*`` and ``OTEL_SERVICE_NAME`` / ``OTEL_RESOURCE_ATTRIBUTES`` variables
apply; docs/operations.md) and the instrumentations of Django (one span per request), Celery
(a span per publish and per task run, the trace context carried in the message headers, so the
API's POST, the dispatch task and the portal ticket it creates are one trace), psycopg 3 (one span
per query), Redis and httpx. ``core.logging`` puts the current trace and span ids on every JSON
log line (``tracing_current_ids``).

Imports nothing from Django or the domain apps (the Django instrumentation reads the settings
only when ``tracing_configure`` runs).
"""

from __future__ import annotations

import os
from typing import Any

#: The provider installed by ``tracing_configure`` in this process, or None (tracing off).
_provider: Any = None
_instrumentors: list[Any] = []


def tracing_enabled() -> bool:
    """Whether traces are to be exported (``OTEL_EXPORTER_OTLP_ENDPOINT`` or its traces variant set,
    and ``OTEL_SDK_DISABLED`` not true)."""
    if os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    return bool(
        os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    )


def tracing_configure(*, exporter: Any = None, service_name: str | None = None) -> bool:
    """Install tracing in this process, once; returns whether it is on.

    Without ``exporter`` it does nothing unless ``tracing_enabled()``; then spans are batched and
    sent over OTLP/HTTP by a background thread. With an ``exporter`` (tests: the SDK's
    ``InMemorySpanExporter``) spans go to it synchronously, whatever the environment. The
    instrumentations are given this provider explicitly and the provider also becomes
    OpenTelemetry's global one (only when exporting over OTLP: the global can be set once per
    process). A second call is a no-op; ``tracing_shutdown`` undoes the instrumentation.
    """
    global _provider
    if _provider is not None:
        return True
    if exporter is None and not tracing_enabled():
        return False

    from opentelemetry import trace
    from opentelemetry.instrumentation.celery import CeleryInstrumentor
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.sdk.resources import OTELResourceDetector, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    # OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES win over the name given here.
    name = service_name or "partnercenter"
    resource = Resource.create({"service.name": name}).merge(OTELResourceDetector().detect())
    provider = TracerProvider(resource=resource)
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        trace.set_tracer_provider(provider)
    else:
        provider.add_span_processor(SimpleSpanProcessor(exporter))

    instrumentors = [
        DjangoInstrumentor(),
        CeleryInstrumentor(),
        PsycopgInstrumentor(),
        RedisInstrumentor(),
        HTTPXClientInstrumentor(),
    ]
    for instrumentor in instrumentors:
        if not instrumentor.is_instrumented_by_opentelemetry:
            instrumentor.instrument(tracer_provider=provider)
    _instrumentors[:] = instrumentors
    _provider = provider
    return True


def tracing_shutdown() -> None:
    """Flush the spans still buffered and remove the instrumentations (tests; process exit)."""
    global _provider
    if _provider is None:
        return
    for instrumentor in _instrumentors:
        if instrumentor.is_instrumented_by_opentelemetry:
            instrumentor.uninstrument()
    _instrumentors.clear()
    _provider.shutdown()
    _provider = None


def tracing_tracer(name: str) -> Any:
    """A tracer for spans of one's own (``with tracing_tracer(__name__).start_as_current_span("x"):``),
    from this process's provider; OpenTelemetry's no-op tracer when tracing is off."""
    from opentelemetry import trace

    return trace.get_tracer(name, tracer_provider=_provider)


def tracing_current_ids() -> tuple[str, str] | None:
    """The current trace and span ids as lowercase hex (32 and 16 digits), or None outside a span
    or when tracing is off (then OpenTelemetry is not even imported)."""
    if _provider is None:
        return None
    from opentelemetry import trace

    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return format(context.trace_id, "032x"), format(context.span_id, "016x")
