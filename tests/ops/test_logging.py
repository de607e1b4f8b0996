"""JSON log lines: fixed leading fields, the correlation id on every line, request fields."""

import io
import json
import logging

import pytest
from django.urls import reverse

from core.logging import CorrelationIdFilter, JsonFormatter
from core.middleware import reset_correlation_id, set_correlation_id

GIVEN = "0f8fad5b-d9cb-469f-a165-70867728950e"


@pytest.fixture
def json_lines():
    """Capture what the root logger emits, formatted as in production; returns a reader."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(CorrelationIdFilter())
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(previous_level)


def test_a_line_has_the_leading_fields_in_order_then_extras(json_lines):
    token = set_correlation_id(GIVEN)
    try:
        logging.getLogger("servicerequests.dispatch").warning(
            "dispatch %s late", "SR-1", extra={"attempt": 3}
        )
    finally:
        reset_correlation_id(token)

    [line] = json_lines()
    assert list(line) == ["time", "level", "logger", "message", "correlation_id", "attempt"]
    assert line["level"] == "WARNING"
    assert line["logger"] == "servicerequests.dispatch"
    assert line["message"] == "dispatch SR-1 late"
    assert line["correlation_id"] == GIVEN
    assert line["attempt"] == 3
    assert line["time"].endswith("+00:00")


def test_outside_a_request_the_correlation_id_is_empty(json_lines):
    token = set_correlation_id("")
    try:
        logging.getLogger("celery.beat").info("tick")
    finally:
        reset_correlation_id(token)

    assert json_lines()[0]["correlation_id"] == ""


def test_a_traceback_stays_on_one_line(json_lines):
    try:
        raise ValueError("bad value")
    except ValueError:
        logging.getLogger("x").exception("failed")

    [line] = json_lines()
    assert line["message"] == "failed"
    assert line["exc_info"].startswith("Traceback (most recent call last):")
    assert line["exc_info"].endswith("ValueError: bad value")


def test_request_lines_carry_the_correlation_id_method_path_and_status(client, json_lines):
    client.get(reverse("healthz") + "?probe=1", headers={"MS-CorrelationId": GIVEN})  # quiet: not logged
    client.get("/no-such-page/", headers={"MS-CorrelationId": GIVEN})

    lines = json_lines()
    by_logger = {line["logger"]: line for line in lines}
    assert set(by_logger) == {"django.request", "partnercenter.request"}
    assert {line["correlation_id"] for line in lines} == {GIVEN}
    access = by_logger["partnercenter.request"]
    assert (access["level"], access["message"]) == ("INFO", "GET /no-such-page/ 404")
    assert (access["method"], access["path"], access["status"]) == ("GET", "/no-such-page/", 404)
    not_found = by_logger["django.request"]
    assert (not_found["level"], not_found["message"]) == ("WARNING", "Not Found: /no-such-page/")
    assert (not_found["method"], not_found["path"], not_found["status"]) == ("GET", "/no-such-page/", 404)
    assert "request" not in not_found
