"""One filing through the browser, from New request to the portal's submit: the pipeline's costs.

The routing step and the final submit each evaluate eligibility once (the Azure portal's review
step is one more check, when the user asks for it), and every HTTP request of the journey reads the
customer once: the page's own lookup is handed to the eligibility check and the filing service.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.selectors import customer_get
from servicerequests.eligibility import evaluate, snapshot
from servicerequests.models import ServiceRequest, SupportTopic
from tests.servicerequests import conftest as eligibility_world

pytestmark = pytest.mark.django_db

world = eligibility_world.world

#: A query that reads the customer's row (the user's own query joins the table for its customer-side
#: users; that is not a read of this customer). On PostgreSQL a prepared statement shows as EXECUTE,
#: so the lookups are also counted where they are made.
CUSTOMER_TABLE = re.compile(r'FROM "customers_customer"(\s|$)')


@pytest.fixture
def alice_client(client, world):
    client.force_login(world.alice)
    return client


@contextmanager
def counting():
    """Count the eligibility evaluations and the reads of the customer's row: the page's lookup
    (``customer_get``) and the eligibility snapshot's own (``_load_user_and_customer``, which reads
    it with the user)."""
    counts = {"evaluations": 0, "customer_reads": 0}
    with (
        mock.patch("servicerequests.services.filing.evaluate", wraps=evaluate) as evaluations,
        mock.patch("customers.shortcuts.customer_get", wraps=customer_get) as page_lookups,
        mock.patch.object(
            snapshot, "_load_user_and_customer", wraps=snapshot._load_user_and_customer
        ) as snapshot_reads,
        CaptureQueriesContext(connection) as queries,
    ):
        yield counts
    counts["evaluations"] = evaluations.call_count
    counts["customer_reads"] = page_lookups.call_count + snapshot_reads.call_count
    # No other query reads the customer's row either (visible where statements are not prepared).
    assert sum(bool(CUSTOMER_TABLE.search(q["sql"])) for q in queries.captured_queries) <= 1


def _route(alice_client, world, **data):
    with counting() as counts:
        response = alice_client.post(reverse("servicerequests:new", args=[world.customer.pk]), data)
    assert response.status_code == 302, response.content
    return urlsplit(response["Location"]), counts


def _contact(**overrides):
    return {
        "contact_method": "email",
        "contact_first_name": "Alice",
        "contact_last_name": "Admin",
        "contact_email": "alice@contosopartners.com",
        "contact_phone": "",
        **overrides,
    }


def test_an_admin_center_filing_evaluates_twice_and_reads_the_customer_once_per_request(alice_client, world):
    location, routing = _route(alice_client, world, workload="m365")
    assert routing == {"evaluations": 1, "customer_reads": 1}

    topic = SupportTopic.objects.get(name="Exchange Online")
    token = parse_qs(location.query)["ctx"][0]
    with counting() as submit:
        response = alice_client.post(
            location.path,
            {
                "ctx": token,
                "support_topic_id": topic.pk,
                "title": "Mail bounces",
                "description": "NDR 5.7.1",
                "severity": "minimal",
                **_contact(),
            },
        )
    assert response.status_code == 302
    assert ServiceRequest.objects.get().customer_id == world.customer.pk
    assert submit == {"evaluations": 1, "customer_reads": 1}


def test_an_azure_filing_checks_at_routing_review_and_submit_reading_the_customer_once_each(
    alice_client, world
):
    location, routing = _route(
        alice_client, world, workload="azure", subscription=world.azure.pk, issue_type="technical"
    )
    assert routing == {"evaluations": 1, "customer_reads": 1}
    token = parse_qs(location.query)["ctx"][0]
    data = {
        "ctx": token,
        "issue_type": "technical",
        "support_topic_id": SupportTopic.objects.get(name="Virtual Machines").pk,
        "title": "VM does not start",
        "description": "Stuck in starting.",
        "severity": "moderate",
        **_contact(),
    }
    with counting() as review:
        assert alice_client.post(location.path, {**data, "step": "review"}).status_code == 200
    assert review == {"evaluations": 1, "customer_reads": 1}
    with counting() as submit:
        assert alice_client.post(location.path, {**data, "step": "create"}).status_code == 302
    assert submit == {"evaluations": 1, "customer_reads": 1}
    assert ServiceRequest.objects.get().subscription_id == world.azure.pk


def test_a_refused_submit_evaluates_once_and_writes_nothing(alice_client, world):
    location, _ = _route(alice_client, world, workload="m365")
    token = parse_qs(location.query)["ctx"][0]
    world.relationship.status = "expired"
    world.relationship.save()
    with counting() as submit:
        response = alice_client.post(
            location.path,
            {
                "ctx": token,
                "support_topic_id": SupportTopic.objects.get(name="Exchange Online").pk,
                "title": "Mail bounces",
                "description": "NDR 5.7.1",
                "severity": "minimal",
                **_contact(),
            },
        )
    assert response.status_code == 403
    assert "SR-GDAP-ACTIVE" in response.content.decode()
    assert submit == {"evaluations": 1, "customer_reads": 1}
    assert ServiceRequest.objects.count() == 0
