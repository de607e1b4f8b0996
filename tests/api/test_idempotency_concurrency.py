"""Twenty concurrent POSTs with one MS-RequestId file exactly one request (PostgreSQL)."""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from core.models import IdempotencyRecord
from servicerequests.models import ServiceRequest
from tests.conftest import require

from .conftest import client_for, make_partner_world
from .test_servicerequests import M365_BODY

RACERS = 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_retries_create_exactly_one_request():
    require(connection.vendor == "postgresql", "this test needs PostgreSQL: set DATABASE_URL")
    world = make_partner_world("Race")
    clients = [client_for(world.admin) for _ in range(RACERS)]
    request_id = str(uuid.uuid4())
    url = f"/v1/customers/{world.customer.id}/servicerequests"
    barrier = threading.Barrier(RACERS)

    def post(client):
        try:
            barrier.wait(timeout=30)
            response = client.post(url, M365_BODY, format="json", HTTP_MS_REQUESTID=request_id)
            return response.status_code, response.json().get("id"), response["Location"]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        results = list(pool.map(post, clients))

    assert ServiceRequest.objects.count() == 1
    sr = ServiceRequest.objects.get()
    assert {status for status, _, _ in results} == {201}
    assert {sr_id for _, sr_id, _ in results} == {sr.id}
    assert len({location for _, _, location in results}) == 1
    assert IdempotencyRecord.objects.filter(request_id=request_id).count() == 1
