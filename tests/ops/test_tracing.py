"""Traces: a filing through the API is traced from the view through the dispatch task to the
database, the trace context travels in the task message's headers, and log lines carry the ids."""

import io
import json
import logging

import pytest
from django.db import connection
from kombu import Connection
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from core.logging import CorrelationIdFilter, JsonFormatter
from core.tracing import (
    tracing_configure,
    tracing_current_ids,
    tracing_enabled,
    tracing_shutdown,
    tracing_tracer,
)
from portals.models import PortalTicket
from servicerequests.models import ServiceRequest
from tests.api.conftest import client_for, make_partner_world
from tests.api.test_servicerequests import M365_BODY, file_url
from tests.conftest import require

ROUTE = "v1/customers/<uuid:tenant_id>/servicerequests"


@pytest.fixture
def spans():
    """Tracing on for this test, spans kept in memory; returns the exporter."""
    exporter = InMemorySpanExporter()
    assert tracing_configure(exporter=exporter, service_name="tests")
    yield exporter
    tracing_shutdown()


@pytest.fixture
def world(db):
    return make_partner_world()


def file_through_the_api(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.admin).post(file_url(world), M365_BODY, format="json")
    assert response.status_code == 201
    return ServiceRequest.objects.get(pk=response.json()["id"])


def test_off_without_an_endpoint(monkeypatch):
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", raising=False)
    assert tracing_enabled() is False
    assert tracing_configure() is False
    assert tracing_current_ids() is None


@pytest.mark.parametrize(
    ("environ", "enabled"),
    [
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, True),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_SDK_DISABLED": "true"}, False),
    ],
)
def test_on_when_an_endpoint_is_set(monkeypatch, environ, enabled):
    for name in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_SDK_DISABLED"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    assert tracing_enabled() is enabled


def test_a_traced_filing_has_spans_for_the_view_and_the_dispatch_task(
    spans, world, django_capture_on_commit_callbacks
):
    request = file_through_the_api(world, django_capture_on_commit_callbacks)

    assert PortalTicket.objects.filter(service_request=request).count() == 1
    finished = spans.get_finished_spans()
    [view] = [span for span in finished if span.kind == SpanKind.SERVER]
    assert view.name == f"POST {ROUTE}"
    assert view.attributes["http.route"] == ROUTE
    assert view.attributes["http.status_code"] == 201
    [task] = [span for span in finished if span.name == "run/servicerequests.dispatch"]
    assert task.kind == SpanKind.CONSUMER
    assert task.attributes["celery.state"] == "SUCCESS"
    assert {span.resource.attributes["service.name"] for span in finished} == {"tests"}


@pytest.mark.django_db(transaction=True)
def test_a_traced_filing_has_spans_for_the_database(spans, django_capture_on_commit_callbacks):
    require(connection.vendor == "postgresql", "this test needs PostgreSQL: set DATABASE_URL")
    # psycopg is instrumented at connect time (in production before any connection is made); the
    # traced connection is closed afterwards so that the tests after this one use a plain one.
    connection.close()
    try:
        file_through_the_api(make_partner_world(), django_capture_on_commit_callbacks)
    finally:
        connection.close()

    finished = spans.get_finished_spans()
    [view] = [span for span in finished if span.kind == SpanKind.SERVER]
    [task] = [span for span in finished if span.name == "run/servicerequests.dispatch"]
    queries = [span for span in finished if span.attributes.get("db.system") == "postgresql"]
    assert {span.kind for span in queries} == {SpanKind.CLIENT}
    inserts = {span.parent.span_id for span in queries if span.parent and span.name.startswith("INSERT")}
    # The view inserts the request; the task inserts the portal ticket (each inside its own span).
    assert view.context.span_id in inserts
    assert task.context.span_id in inserts


def test_the_trace_context_travels_in_the_task_message(spans, world):
    """Published to a broker (in memory here), the dispatch message carries the publisher's trace;
    run by a worker's request machinery, the task's span continues that trace."""
    from partnercenter.celery import app
    from portals.tasks import dispatch_service_request

    always_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False  # publish the message instead of running the task
    try:
        with Connection("memory://") as connection:
            trace_id = publish_and_run_a_dispatch(app, dispatch_service_request, connection)
    finally:
        app.conf.task_always_eager = always_eager

    finished = spans.get_finished_spans()
    [parent] = [span for span in finished if span.name == "filing"]
    [publish] = [span for span in finished if span.name == "apply_async/servicerequests.dispatch"]
    [run] = [span for span in finished if span.name == "run/servicerequests.dispatch"]
    assert format(parent.context.trace_id, "032x") == trace_id
    assert publish.kind == SpanKind.PRODUCER
    assert publish.parent.span_id == parent.context.span_id
    assert run.context.trace_id == parent.context.trace_id
    assert run.parent.span_id == publish.context.span_id


def publish_and_run_a_dispatch(app, task, connection) -> str:
    """Publish a dispatch message inside a span, run it as a worker would; the message's trace id."""
    from celery.worker.request import Request

    queue = connection.SimpleQueue("trace-test")
    try:
        with tracing_tracer("tests").start_as_current_span("filing"):
            task.apply_async((0,), connection=connection, queue="trace-test")
        message = queue.get(timeout=1)
        Request(message, app=app, task=task).execute()  # no such dispatch: the task answers "missing"
    finally:
        queue.close()
    return message.headers["traceparent"].split("-")[1]


def test_log_lines_inside_a_span_carry_its_trace_and_span_ids(spans):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(CorrelationIdFilter())
    logger = logging.getLogger("tests.tracing")
    logger.addHandler(handler)
    try:
        with tracing_tracer("tests").start_as_current_span("work") as span:
            logger.warning("inside")
        logger.warning("outside")
    finally:
        logger.removeHandler(handler)

    inside, outside = (json.loads(line) for line in stream.getvalue().splitlines())
    context = span.get_span_context()
    assert list(inside)[:7] == ["time", "level", "logger", "message", "correlation_id", "trace_id", "span_id"]
    assert inside["trace_id"] == format(context.trace_id, "032x")
    assert inside["span_id"] == format(context.span_id, "016x")
    assert "trace_id" not in outside and "span_id" not in outside
