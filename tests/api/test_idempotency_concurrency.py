"""Twenty concurrent POSTs with one MS-RequestId file exactly one request (PostgreSQL), and a
race of two different bodies under one id files one of them and refuses the other."""

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


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_different_bodies_under_one_id_file_one_and_refuse_the_others():
    require(connection.vendor == "postgresql", "this test needs PostgreSQL: set DATABASE_URL")
    world = make_partner_world("RaceBodies")
    clients = [client_for(world.admin) for _ in range(RACERS)]
    request_id = str(uuid.uuid4())
    url = f"/v1/customers/{world.customer.id}/servicerequests"
    bodies = [{**M365_BODY, "title": f"Body {index % 2}"} for index in range(RACERS)]
    barrier = threading.Barrier(RACERS)

    def post(args):
        client, body = args
        try:
            barrier.wait(timeout=30)
            response = client.post(url, body, format="json", HTTP_MS_REQUESTID=request_id)
            return body["title"], response.status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        results = list(pool.map(post, zip(clients, bodies, strict=True)))

    sr = ServiceRequest.objects.get()
    assert {status for title, status in results if title == sr.title} == {201}
    assert {status for title, status in results if title != sr.title} == {422}
    assert IdempotencyRecord.objects.filter(request_id=request_id).count() == 1
