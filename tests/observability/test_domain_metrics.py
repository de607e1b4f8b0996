"""The domain metrics of ``/metrics`` after a filing, a refusal and a dispatch (names and labels),
and the gauges read from the database and the broker at scrape time."""

import os
import uuid
from datetime import timedelta
from types import SimpleNamespace
from unittest import mock

import pytest
import redis
from django.core.cache import caches
from django.db import DatabaseError, connection
from django.utils import timezone
from django_redis.cache import RedisCache

from core.metrics.celery import celery_task_failure, celery_task_retry, delivery_result
from servicerequests.models import Dispatch
from tests.api.conftest import client_for
from tests.api.test_servicerequests import M365_BODY, file_url
from tests.conftest import require
from tests.factories import RelationshipFactory, ServiceRequestFactory

from .conftest import scrape, value

pytestmark = pytest.mark.django_db


def deltas(before, after):
    return lambda name, **labels: value(after, name, **labels) - value(before, name, **labels)


def test_a_filing_a_refusal_and_a_dispatch(world, django_capture_on_commit_callbacks):
    api = client_for(world.admin)
    before = scrape()
    with django_capture_on_commit_callbacks(execute=True):
        filed = api.post(file_url(world), M365_BODY, format="json")
    assert filed.status_code == 201
    world.relationship.access_assignments.get().roles.set(
        world.relationship.roles.filter(name="Global Reader")
    )
    with django_capture_on_commit_callbacks(execute=True):
        refused = api.post(file_url(world), M365_BODY, format="json")
    assert refused.status_code == 403
    delta = deltas(before, scrape())

    assert delta("portal_servicerequest_filings_total", outcome="filed") == 1
    assert delta("portal_servicerequest_filings_total", outcome="denied") == 1
    assert delta("portal_servicerequest_filing_failed_rules_total", rule_id="SR-GDAP-ROLE-TICKETS") == 1
    assert delta("portal_eligibility_decision_seconds_count") == 2
    assert delta("portal_eligibility_decision_seconds_bucket", le="+Inf") == 2
    # The dispatch ran (eagerly, after the commit) and delivered; the filer's e-mail went out.
    assert Dispatch.objects.get().status == "delivered"
    assert delta("portal_deliveries_total", task="servicerequests.dispatch", result="delivered") == 1
    assert delta("portal_deliveries_total", task="servicerequests.send_notification", result="sent") == 1
    assert delta("portal_celery_tasks_total", task="servicerequests.dispatch", state="SUCCESS") == 1
    assert delta("portal_celery_task_duration_seconds_count", task="servicerequests.dispatch") == 1
    # Requests by view (django-prometheus), their queries and the throttles' cache calls.
    assert (
        delta(
            "django_http_requests_latency_seconds_by_view_method_count",
            view="v1:customer-servicerequest-list",
            method="POST",
        )
        == 2
    )
    assert (
        delta(
            "django_http_responses_total_by_status_view_method_total",
            status="403",
            view="v1:customer-servicerequest-list",
            method="POST",
        )
        == 1
    )
    assert delta("portal_db_query_duration_seconds_count", alias="default", vendor=connection.vendor) > 0
    # The throttles count each request: one timed pipeline on Redis, the cache's own incr elsewhere.
    on_redis = isinstance(caches["api"], RedisCache)
    operation, calls = ("throttle_count", 2) if on_redis else ("incr", 4)  # 2 requests, 2 scopes each
    assert delta("portal_cache_operation_duration_seconds_count", cache="api", operation=operation) == calls


def test_counting_a_filing_adds_no_after_commit_work(world, django_capture_on_commit_callbacks):
    before = scrape()
    with django_capture_on_commit_callbacks() as callbacks:
        assert client_for(world.admin).post(file_url(world), M365_BODY, format="json").status_code == 201
    assert len(callbacks) == 1  # the dispatch message only
    delta = deltas(before, scrape())
    assert delta("portal_servicerequest_filings_total", outcome="filed") == 1
    assert delta("portal_deliveries_total", task="servicerequests.dispatch", result="delivered") == 0


def test_other_audit_events_count_no_filing(world):
    from audit.services import audit_event_record

    before = scrape()
    audit_event_record(action="servicerequest.updated", actor=world.admin)
    audit_event_record(
        action="servicerequest.filing_denied", actor=world.admin, after={"failedRuleIds": ["A", "B"]}
    )
    delta = deltas(before, scrape())
    assert delta("portal_servicerequest_filings_total", outcome="filed") == 0
    assert delta("portal_servicerequest_filings_total", outcome="denied") == 1
    assert delta("portal_servicerequest_filing_failed_rules_total", rule_id="A") == 1
    assert delta("portal_servicerequest_filing_failed_rules_total", rule_id="B") == 1


def test_the_outbox_gauges(world):
    # Filed without running the on-commit dispatch: the dispatch stays pending in the outbox.
    assert client_for(world.admin).post(file_url(world), M365_BODY, format="json").status_code == 201
    Dispatch.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    samples = scrape()
    assert value(samples, "portal_dispatch_outbox_depth") == 1
    assert 300 <= value(samples, "portal_dispatch_outbox_oldest_age_seconds") < 330
    assert value(samples, "portal_metrics_source_up", source="database") == 1

    Dispatch.objects.update(status="delivered")
    samples = scrape()
    assert value(samples, "portal_dispatch_outbox_depth") == 0
    assert value(samples, "portal_dispatch_outbox_oldest_age_seconds") == 0


def test_sla_breaches_and_expiring_gdap_relationships(world):
    before = scrape()
    ServiceRequestFactory(partner=world.partner, customer=world.customer, status="open", sla_breached=True)
    ServiceRequestFactory(
        partner=world.partner,
        customer=world.customer,
        status="closed",
        sla_breached=True,
        closed_at=timezone.now(),
    )
    ServiceRequestFactory(partner=world.partner, customer=world.customer, status="open", sla_breached=False)
    now = timezone.now()
    RelationshipFactory(partner=world.partner, customer=world.customer, end_at=now + timedelta(days=3))
    RelationshipFactory(partner=world.partner, customer=world.customer, end_at=now + timedelta(days=8))
    RelationshipFactory(partner=world.partner, customer=world.customer, end_at=now - timedelta(days=1))
    RelationshipFactory(
        partner=world.partner, customer=world.customer, end_at=now + timedelta(days=2), status="terminated"
    )
    delta = deltas(before, scrape())
    assert delta("portal_servicerequests_sla_breached") == 1
    assert delta("portal_gdap_relationships_expiring") == 1


def test_a_database_that_cannot_be_read_leaves_the_rest_of_the_scrape(world):
    with mock.patch("observability.collectors.database_gauges", side_effect=DatabaseError("gone")):
        samples = scrape()
    assert value(samples, "portal_metrics_source_up", source="database") == 0
    assert ("portal_dispatch_outbox_depth", frozenset()) not in samples
    assert ("process_cpu_seconds_total", frozenset()) in samples


def test_an_unreachable_broker_is_reported(settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    samples = scrape()
    assert value(samples, "portal_metrics_source_up", source="broker") == 0
    assert not any(name == "portal_celery_queue_depth" for name, _ in samples)


def test_no_queue_depth_without_a_redis_broker(settings):
    settings.CELERY_BROKER_URL = "memory://"
    samples = scrape()
    assert not any(name == "portal_celery_queue_depth" for name, _ in samples)
    assert ("portal_metrics_source_up", frozenset({("source", "broker")})) not in samples


@pytest.mark.redis
def test_celery_queue_depths_are_redis_list_lengths(settings):
    url = os.environ.get("REDIS_URL", "")
    require(bool(url), "this test needs Redis: set REDIS_URL")
    busy, idle = f"metrics-test-{uuid.uuid4().hex[:8]}", f"metrics-test-{uuid.uuid4().hex[:8]}"
    settings.CELERY_BROKER_URL = url
    settings.METRICS_CELERY_QUEUES = [busy, idle]
    client = redis.Redis.from_url(url)
    client.rpush(busy, "a", "b", "c")
    try:
        samples = scrape()
    finally:
        client.delete(busy, idle)
    assert value(samples, "portal_celery_queue_depth", queue=busy) == 3
    assert value(samples, "portal_celery_queue_depth", queue=idle) == 0
    assert value(samples, "portal_metrics_source_up", source="broker") == 1


@pytest.mark.parametrize(
    ("task", "retval", "result"),
    [
        ("servicerequests.dispatch", "delivered", "delivered"),
        ("servicerequests.dispatch", "failed", "failed"),
        ("servicerequests.dispatch", "missing", "missing"),
        ("servicerequests.send_notification", True, "sent"),
        ("servicerequests.send_notification", False, "not_sent"),
        ("webhooks.deliver", "delivered", "delivered"),
        ("webhooks.deliver", "pending", "retry"),
        ("webhooks.deliver", "failed", "failed"),
        ("webhooks.deliver", None, "missing"),
        ("webhooks.deliver", ["unexpected"], "other"),
    ],
)
def test_delivery_results(task, retval, result):
    assert delivery_result(task, retval) == result


@pytest.mark.parametrize("task", ["servicerequests.dispatch", "webhooks.deliver"])
def test_retries_and_errors_of_deliveries(task):
    before = scrape()
    celery_task_retry(sender=SimpleNamespace(name=task))
    celery_task_failure(sender=SimpleNamespace(name=task))
    celery_task_failure(sender=SimpleNamespace(name="servicerequests.sweep_sla"))  # not a delivery
    delta = deltas(before, scrape())
    assert delta("portal_deliveries_total", task=task, result="retry") == 1
    assert delta("portal_deliveries_total", task=task, result="error") == 1
    assert delta("portal_deliveries_total", task="servicerequests.sweep_sla", result="error") == 0


def test_failing_webhook_endpoints_by_partner(world):
    from tests.api.conftest import make_partner_world
    from webhooks.models import WebhookDelivery, WebhookEvent

    other = make_partner_world("Tailspin")

    def delivery(partner, *, status="pending", attempts=0, n):
        event = WebhookEvent.objects.create(
            partner=partner,
            event_name="test-created",
            resource_name="test",
            resource_id="x",
            sequence_number=n,
            body="{}",
        )
        WebhookDelivery.objects.create(
            partner=partner, event=event, url="u", status=status, attempts=attempts
        )

    delivery(world.partner, attempts=1, n=1)
    delivery(world.partner, attempts=3, n=2)
    delivery(world.partner, attempts=0, n=3)  # first attempt not made yet: not failing
    delivery(world.partner, status="delivered", attempts=2, n=4)
    delivery(other.partner, status="failed", attempts=8, n=1)  # gave up: counted by portal_deliveries_total
    samples = scrape()
    labels = {"partner_id": str(world.partner.pk), "partner": world.partner.name}
    assert value(samples, "portal_webhook_endpoint_retrying_deliveries", **labels) == 2
    assert not [
        key
        for key in samples
        if key[0] == "portal_webhook_endpoint_retrying_deliveries"
        and ("partner", other.partner.name) in key[1]
    ]


def test_failing_webhook_endpoints_are_bounded(world, monkeypatch):
    from tests.api.conftest import make_partner_world
    from webhooks.models import WebhookDelivery, WebhookEvent

    monkeypatch.setattr("observability.collectors.WEBHOOK_ENDPOINTS_REPORTED", 2)
    for index, name in enumerate(["A", "B", "C"]):
        partner = make_partner_world(f"Partner {name}").partner
        for n in range(index + 1):
            event = WebhookEvent.objects.create(
                partner=partner,
                event_name="test-created",
                resource_name="t",
                resource_id="x",
                sequence_number=n + 1,
                body="{}",
            )
            WebhookDelivery.objects.create(partner=partner, event=event, url="u", attempts=1)
    samples = scrape()
    reported = {
        dict(labels)["partner"]: sample
        for (name, labels), sample in samples.items()
        if name == "portal_webhook_endpoint_retrying_deliveries"
    }
    assert reported == {"Partner C Partners": 3, "Partner B Partners": 2}
