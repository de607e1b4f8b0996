"""MS-CorrelationId: echoed when valid, generated when absent, replaced when invalid; bound while the
request (or a Celery task) runs, and written on the access log line."""

import logging
import uuid
from types import SimpleNamespace

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from core import middleware
from core.middleware import (
    CorrelationIdMiddleware,
    celery_before_task_publish,
    celery_task_postrun,
    celery_task_prerun,
    get_correlation_id,
    set_correlation_id,
)

GIVEN = "0f8fad5b-d9cb-469f-a165-70867728950e"


def _is_uuid4(value: str) -> bool:
    return str(uuid.UUID(value)) == value and uuid.UUID(value).version == 4


@pytest.fixture(autouse=True)
def unbound():
    """Run each test with no correlation id bound, and leave none behind (responses built here
    are not closed, so nothing else would unbind the middleware's id)."""
    token = set_correlation_id("")
    yield
    middleware.reset_correlation_id(token)


@pytest.mark.parametrize(
    ("sent", "echoed"),
    [
        (GIVEN, GIVEN),
        (GIVEN.upper(), GIVEN),
        ("{" + GIVEN + "}", GIVEN),
        (GIVEN.replace("-", ""), GIVEN),
    ],
)
def test_valid_correlation_id_is_echoed_in_canonical_form(client, sent, echoed):
    response = client.get(reverse("healthz"), headers={"MS-CorrelationId": sent})

    assert response["MS-CorrelationId"] == echoed


def test_missing_correlation_id_is_generated_fresh_per_request(client):
    first = client.get(reverse("healthz"))["MS-CorrelationId"]
    second = client.get(reverse("healthz"))["MS-CorrelationId"]

    assert _is_uuid4(first)
    assert _is_uuid4(second)
    assert first != second


@pytest.mark.parametrize("sent", ["", "not-a-uuid", "12345", GIVEN + "0", "x" * 500, f"{GIVEN}; drop"])
def test_invalid_correlation_id_is_replaced(client, sent):
    echoed = client.get(reverse("healthz"), headers={"MS-CorrelationId": sent})["MS-CorrelationId"]

    assert echoed != sent
    assert _is_uuid4(echoed)


@pytest.mark.django_db  # closing the response sends request_finished, which closes old connections
def test_correlation_id_is_bound_until_the_response_is_closed(unbound):
    seen = {}

    def view(request):
        seen["contextvar"] = get_correlation_id()
        seen["request"] = request.correlation_id
        return HttpResponse("ok")

    response = CorrelationIdMiddleware(view)(RequestFactory().get("/x", headers={"MS-CorrelationId": GIVEN}))

    assert seen == {"contextvar": GIVEN, "request": GIVEN}
    assert response["MS-CorrelationId"] == GIVEN
    assert get_correlation_id() == GIVEN  # Django logs 4xx/5xx responses after the middleware chain
    response.close()
    assert get_correlation_id() == ""


def test_correlation_id_is_unbound_even_when_the_view_raises(unbound):
    def view(request):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        CorrelationIdMiddleware(view)(RequestFactory().get("/x", headers={"MS-CorrelationId": GIVEN}))

    assert get_correlation_id() == ""


def test_each_request_writes_one_access_log_line(caplog):
    view = CorrelationIdMiddleware(lambda request: HttpResponse(status=201))
    with caplog.at_level(logging.INFO, logger="partnercenter.request"):
        view(RequestFactory().post("/v1/customers?secret=1", headers={"MS-CorrelationId": GIVEN}))

    [record] = [r for r in caplog.records if r.name == "partnercenter.request"]
    assert record.getMessage() == "POST /v1/customers 201"
    assert (record.method, record.path, record.status) == ("POST", "/v1/customers", 201)
    assert record.correlation_id == GIVEN
    assert record.duration_ms >= 0


@pytest.mark.parametrize(("path", "status", "logged"), [("/healthz", 200, False), ("/readyz", 503, True)])
def test_probe_paths_are_logged_only_when_failing(caplog, path, status, logged):
    view = CorrelationIdMiddleware(lambda request: HttpResponse(status=status))
    with caplog.at_level(logging.INFO, logger="partnercenter.request"):
        view(RequestFactory().get(path))

    assert [r.path for r in caplog.records if r.name == "partnercenter.request"] == ([path] if logged else [])


def test_publishing_a_task_carries_the_bound_correlation_id(unbound):
    headers = {}
    celery_before_task_publish(headers=headers)
    assert headers == {}

    set_correlation_id(GIVEN)
    celery_before_task_publish(headers=headers)
    assert headers == {"ms_correlation_id": GIVEN}


@pytest.mark.parametrize(
    ("request_fields", "bound_before", "expected"),
    [
        ({"ms_correlation_id": GIVEN}, "", GIVEN),  # worker, protocol 2: custom headers on the request
        ({"headers": {"ms_correlation_id": GIVEN}}, "", GIVEN),  # task.apply(headers=...)
        ({"ms_correlation_id": GIVEN}, "11111111-1111-4111-8111-111111111111", GIVEN),
        ({}, "11111111-1111-4111-8111-111111111111", "11111111-1111-4111-8111-111111111111"),  # eager
        ({"ms_correlation_id": "garbage"}, "", None),  # fresh id
        ({"correlation_id": GIVEN}, "", None),  # Celery's own correlation_id is the task id: not ours
        ({}, "", None),  # beat: fresh id
    ],
)
def test_task_run_binds_a_correlation_id_and_restores_the_previous_one(
    unbound, request_fields, bound_before, expected
):
    set_correlation_id(bound_before)
    task = SimpleNamespace(request=SimpleNamespace(**{"headers": None, **request_fields}))

    celery_task_prerun(task_id="t-1", task=task)
    during = get_correlation_id()
    celery_task_postrun(task_id="t-1", task=task)

    if expected is None:
        assert _is_uuid4(during)
        assert during != GIVEN
    else:
        assert during == expected
    assert get_correlation_id() == bound_before
    assert middleware._task_tokens == {}
