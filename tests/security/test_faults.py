"""Faults: nothing leaked, nothing lost.

- The database goes away during a request: 503 with ``Retry-After`` and the correlation id (browser
  page, ``/v1`` and Graph JSON), and a write that fails half-way leaves nothing behind.
- Redis (the broker and the throttle counters) is down: filing still succeeds, the dispatch waits in
  the outbox, ``/readyz`` says ``degraded``; once the broker is back the sweeper delivers it.
- A worker dies in the middle of a dispatch (after the portal took the ticket, before the request
  row was updated): the sweeper finishes the job and exactly one portal ticket exists.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core.cache import caches
from django.db import InterfaceError, OperationalError
from django.db.backends.utils import CursorWrapper
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError
from rest_framework.test import APIClient

from portals.adapters import adapter_for
from portals.models import PortalTicket
from portals.tasks import dispatch_service_request
from servicerequests.choices import DispatchStatus, Status
from servicerequests.models import Dispatch, Note, ServiceRequest
from servicerequests.tasks import sweep_dispatches

from .conftest import written_rows

FILING = {
    "title": "Mail delayed",
    "description": "Mail is delayed.",
    "severity": "minimal",
    "workload": "m365",
}
CORRELATION_ID = "0f8fad5b-d9cb-469f-a165-70867728950e"


def api_client(world, persona: str = "admin_agent") -> APIClient:
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {world.tokens[persona]}", HTTP_MS_CORRELATIONID=CORRELATION_ID
    )
    return client


def database_down(error=OperationalError):
    """Every query fails as if the server were gone."""
    return mock.patch.object(
        CursorWrapper, "execute", side_effect=error("server closed the connection unexpectedly")
    )


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_page_without_its_database_is_503_with_the_correlation_id(staged_world, db, error):
    client = staged_world.clients["admin_agent"]
    with database_down(error):
        response = client.get("/customers/", HTTP_MS_CORRELATIONID=CORRELATION_ID)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["MS-CorrelationId"] == CORRELATION_ID
    page = response.content.decode()
    assert "Service temporarily unavailable" in page
    assert f"<code data-testid='correlation-id'>{CORRELATION_ID}</code>" in page
    assert "Traceback" not in page


def test_the_v1_api_without_its_database_is_503_in_its_error_shape(staged_world, db):
    with database_down():
        response = api_client(staged_world).get("/v1/customers")
    assert response.status_code == 503
    assert response["MS-CorrelationId"] == CORRELATION_ID
    assert response["Retry-After"] == "30"
    assert response.json() == {
        "code": 800003,
        "description": (
            "The service is temporarily unavailable: its database can't be reached. Try again in 30 seconds. "
            f"Correlation id: {CORRELATION_ID}."
        ),
        "data": [{"correlationId": CORRELATION_ID}],
        "source": "PartnerCenterSimulator",
    }


def test_the_graph_api_without_its_database_is_503_in_its_error_shape(staged_world, db):
    with database_down():
        response = api_client(staged_world).get("/graph/v1.0/tenantRelationships/delegatedAdminRelationships")
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "ServiceUnavailable"
    assert error["innerError"]["request-id"] == CORRELATION_ID


def test_a_filing_that_loses_the_database_half_way_leaves_nothing(staged_world, db):
    """The request row is inserted, then the audit write fails: the whole transaction is rolled back."""
    before = written_rows()
    dispatches = Dispatch.objects.count()
    customer = staged_world.orgs["A"].customer
    lost = OperationalError("terminating connection due to administrator command")
    with mock.patch("servicerequests.services.filing.audit_event_record", side_effect=lost):
        response = api_client(staged_world).post(
            f"/v1/customers/{customer.pk}/servicerequests", FILING, format="json"
        )
    assert response.status_code == 503
    assert response.json()["data"] == [{"correlationId": CORRELATION_ID}]
    assert written_rows() == before
    assert Dispatch.objects.count() == dispatches


def test_a_note_that_loses_the_database_half_way_leaves_nothing(staged_world, db):
    service_request = staged_world.orgs["A"].service_request
    notes, version = Note.objects.count(), ServiceRequest.objects.get(pk=service_request.pk).version
    lost = OperationalError("could not receive data from server")
    with mock.patch("servicerequests.services.updates.audit_event_record", side_effect=lost):
        response = staged_world.clients["admin_agent"].post(
            f"/service-requests/{service_request.pk}/notes/", {"text": "Customer confirmed the impact."}
        )
    assert response.status_code == 503
    assert Note.objects.count() == notes
    assert ServiceRequest.objects.get(pk=service_request.pk).version == version


# --- Redis down ----------------------------------------------------------------------------------

CLOSED_PORT_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down(settings):
    """Nothing listens where Redis should be: readiness, the throttle counters and the broker fail."""
    settings.REDIS_URL = CLOSED_PORT_REDIS
    settings.CACHES = {
        **settings.CACHES,
        "api": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CLOSED_PORT_REDIS,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
    }
    caches["api"].close()
    broker_down = BrokerError("[Errno 111] Connection refused")
    with mock.patch.object(dispatch_service_request, "apply_async", side_effect=broker_down):
        yield
    caches["api"].close()


def test_readyz_reports_degraded_not_failed_when_redis_is_down(client, db, redis_down):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"] == "error: ConnectionError"


def test_filing_succeeds_when_redis_is_down_and_the_outbox_keeps_the_dispatch(
    staged_world, db, redis_down, django_capture_on_commit_callbacks
):
    customer = staged_world.orgs["A"].customer
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api_client(staged_world).post(
            f"/v1/customers/{customer.pk}/servicerequests", FILING, format="json"
        )
    assert response.status_code == 201, response.content
    assert len(callbacks) >= 1  # the enqueue ran, and failed quietly
    service_request = ServiceRequest.objects.get(pk=response.json()["id"])
    assert service_request.status == Status.NONE
    assert service_request.dispatch.status == DispatchStatus.PENDING
    assert not PortalTicket.objects.filter(service_request=service_request).exists()


def test_the_sweeper_delivers_what_the_outage_left_behind(staged_world, db, settings):
    customer = staged_world.orgs["A"].customer
    with mock.patch.object(dispatch_service_request, "apply_async", side_effect=BrokerError("refused")):
        response = api_client(staged_world).post(
            f"/v1/customers/{customer.pk}/servicerequests", FILING, format="json"
        )
    service_request = ServiceRequest.objects.get(pk=response.json()["id"])
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.DISPATCH_SWEEP_MIN_AGE + 1)):
        assert sweep_dispatches() == 1  # the broker is back (eager in tests)
    service_request.refresh_from_db()
    assert service_request.status == Status.OPEN
    assert PortalTicket.objects.filter(service_request=service_request).count() == 1


# --- a worker dies mid-dispatch -------------------------------------------------------------------


class WorkerKilled(BaseException):
    """What SIGKILL looks like from inside: the process stops, its transaction is never committed."""


def _pending_request(world) -> ServiceRequest:
    customer = world.orgs["A"].customer
    with mock.patch.object(dispatch_service_request, "apply_async"):  # the message is lost with the worker
        response = api_client(world).post(
            f"/v1/customers/{customer.pk}/servicerequests", FILING, format="json"
        )
    assert response.status_code == 201, response.content
    return ServiceRequest.objects.get(pk=response.json()["id"])


def _sweep_until_delivered(settings) -> None:
    later = timezone.now() + timedelta(seconds=settings.DISPATCH_SWEEP_MIN_AGE + 1)
    with time_machine.travel(later):
        assert sweep_dispatches() == 1
        assert sweep_dispatches() == 0  # nothing left: a second sweep sends nothing again


def test_a_worker_killed_inside_the_dispatch_transaction_leaves_it_for_the_sweeper(
    staged_world, db, settings
):
    service_request = _pending_request(staged_world)
    killed = WorkerKilled("SIGKILL after the portal created the ticket")
    with (
        mock.patch("portals.dispatch.webhook_event_emit", side_effect=killed),
        pytest.raises(WorkerKilled),
    ):
        dispatch_service_request.apply(args=(service_request.dispatch.pk,))
    service_request.refresh_from_db()
    assert service_request.status == Status.NONE
    assert service_request.dispatch.status == DispatchStatus.PENDING
    assert PortalTicket.objects.filter(service_request=service_request).count() == 0
    _sweep_until_delivered(settings)
    service_request.refresh_from_db()
    tickets = list(PortalTicket.objects.filter(service_request=service_request))
    assert len(tickets) == 1
    assert service_request.external_ticket_id == tickets[0].ticket_number
    assert service_request.status == Status.OPEN
    assert Dispatch.objects.get(pk=service_request.dispatch.pk).status == DispatchStatus.DELIVERED


def test_a_worker_killed_after_the_portal_committed_its_ticket_reuses_that_ticket(staged_world, db, settings):
    """The portal took the ticket (committed on its side), then the worker died before updating the
    request: the sweeper's delivery finds the ticket instead of filing a second one."""
    service_request = _pending_request(staged_world)
    ticket_number = adapter_for(service_request.portal).create_ticket(service_request)
    service_request.refresh_from_db()
    assert service_request.status == Status.NONE  # the worker never got to update the request
    _sweep_until_delivered(settings)
    service_request.refresh_from_db()
    assert PortalTicket.objects.filter(service_request=service_request).count() == 1
    assert service_request.external_ticket_id == ticket_number
    assert service_request.status == Status.OPEN


def test_an_unknown_correlation_id_is_replaced_not_echoed(staged_world, db):
    client = staged_world.clients["admin_agent"]
    with database_down():
        response = client.get("/customers/", HTTP_MS_CORRELATIONID="<script>")
    assert response.status_code == 503
    assert str(uuid.UUID(response["MS-CorrelationId"])) == response["MS-CorrelationId"]
    assert "<script>" not in response.content.decode()
