"""Gauges read at scrape time: the state of the outbox, the SLAs, GDAP and the Celery queues.

Each collector answers from a few bounded queries on indexed columns (partial indexes over the
pending dispatches and webhook deliveries, ``gdap_rel_status_end_idx``, ``sr_partner_breached_idx``)
or from one Redis pipeline of ``LLEN``; it runs in the web process that answers the scrape
(``core.metrics.register_scrape_collector``). A source that cannot be read reports
``portal_metrics_source_up{source} 0`` and its gauges are left out of that scrape, so the rest of
``/metrics`` still answers.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import redis
from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, Min, Q
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily

from gdap.choices import RelationshipStatus
from gdap.models import Relationship
from servicerequests.choices import DispatchStatus
from servicerequests.models import ACTIVE_STATUSES, Dispatch, ServiceRequest
from webhooks.choices import DeliveryStatus
from webhooks.models import WebhookDelivery

logger = logging.getLogger(__name__)

#: A relationship is "expiring" when it ends within this long.
GDAP_EXPIRY_HORIZON = timedelta(days=7)
#: GDAP relationships that still grant access until their end.
GDAP_LIVE_STATUSES = (RelationshipStatus.ACTIVE, RelationshipStatus.EXPIRING)
BROKER_TIMEOUT_SECONDS = 1.0


class DomainStateCollector:
    """Outbox, webhook backlog, SLA breaches and expiring GDAP relationships from the database, and
    the Celery queue depths from the broker; ``portal_metrics_source_up`` tells which could be read."""

    def collect(self):
        up = GaugeMetricFamily(
            "portal_metrics_source_up",
            "Whether the scrape could read a source of the gauges (1) or not (0).",
            labels=["source"],
        )
        try:
            families = database_gauges(now=timezone.now())
        except DatabaseError:
            logger.warning("metrics: the database could not be read", exc_info=True)
            up.add_metric(["database"], 0.0)
        else:
            yield from families
            up.add_metric(["database"], 1.0)
        url = settings.CELERY_BROKER_URL
        if url.startswith(("redis://", "rediss://", "unix://")):
            try:
                family = broker_queue_gauge(url=url, queues=settings.METRICS_CELERY_QUEUES)
            except redis.RedisError:
                logger.warning("metrics: the broker could not be read", exc_info=True)
                up.add_metric(["broker"], 0.0)
            else:
                yield family
                up.add_metric(["broker"], 1.0)
        yield up


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


#: At most this many failing webhook endpoints are reported per scrape (the worst first), so the
#: series stay bounded however many partners there are.
WEBHOOK_ENDPOINTS_REPORTED = 50


def webhook_endpoint_gauge() -> GaugeMetricFamily:
    """``portal_webhook_endpoint_retrying_deliveries{partner_id, partner}``: for each partner whose
    webhook endpoint is failing now, its deliveries pending a retry (pending after at least one
    failed attempt). A partner has at most one registration, so the partner names the endpoint.
    Reads the pending deliveries' partial index; at most ``WEBHOOK_ENDPOINTS_REPORTED`` series."""
    family = GaugeMetricFamily(
        "portal_webhook_endpoint_retrying_deliveries",
        "Webhook deliveries pending a retry after a failed attempt, by partner endpoint "
        f"(the {WEBHOOK_ENDPOINTS_REPORTED} worst endpoints).",
        labels=["partner_id", "partner"],
    )
    rows = (
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, attempts__gt=0)
        .values("partner_id", "partner__name")
        .annotate(retrying=Count("pk"))
        .order_by("-retrying", "partner_id")[:WEBHOOK_ENDPOINTS_REPORTED]
    )
    for row in rows:
        family.add_metric([str(row["partner_id"]), row["partner__name"]], float(row["retrying"]))
    return family


def database_gauges(*, now) -> list[GaugeMetricFamily]:
    """The gauges read from the database (six bounded queries on indexed columns)."""
    outbox = Dispatch.objects.filter(status=DispatchStatus.PENDING).aggregate(
        depth=Count("pk"), oldest=Min("created_at")
    )
    oldest_age = (now - outbox["oldest"]).total_seconds() if outbox["oldest"] else 0.0
    webhooks_pending = WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING).count()
    sla_breached = ServiceRequest.objects.filter(sla_breached=True, status__in=ACTIVE_STATUSES).count()
    gdap_expiring = Relationship.objects.filter(
        Q(end_at__gt=now, end_at__lte=now + GDAP_EXPIRY_HORIZON), status__in=GDAP_LIVE_STATUSES
    ).count()
    return [
        webhook_endpoint_gauge(),
        _gauge(
            "portal_dispatch_outbox_depth",
            "Dispatches to the workload portals still pending (the outbox).",
            outbox["depth"],
        ),
        _gauge(
            "portal_dispatch_outbox_oldest_age_seconds",
            "Age of the oldest pending dispatch (0 when the outbox is empty).",
            max(oldest_age, 0.0),
        ),
        _gauge(
            "portal_webhook_deliveries_pending",
            "Webhook deliveries still pending (first attempt or a retry scheduled).",
            webhooks_pending,
        ),
        _gauge(
            "portal_servicerequests_sla_breached",
            "Active service requests past their SR-PRIORITY initial response target.",
            sla_breached,
        ),
        _gauge(
            "portal_gdap_relationships_expiring",
            "Active GDAP relationships that end within the next 7 days.",
            gdap_expiring,
        ),
    ]


_clients: dict[str, redis.Redis] = {}


def _broker_client(url: str) -> redis.Redis:
    client = _clients.get(url)
    if client is None:
        client = _clients[url] = redis.Redis.from_url(
            url, socket_connect_timeout=BROKER_TIMEOUT_SECONDS, socket_timeout=BROKER_TIMEOUT_SECONDS
        )
    return client


def broker_queue_gauge(*, url: str, queues) -> GaugeMetricFamily:
    """``portal_celery_queue_depth{queue}``: messages waiting in each of ``queues`` (one pipeline of
    ``LLEN`` on the Redis broker)."""
    queues = list(queues)
    pipeline = _broker_client(url).pipeline(transaction=False)
    for queue in queues:
        pipeline.llen(queue)
    lengths = pipeline.execute()
    family = GaugeMetricFamily(
        "portal_celery_queue_depth",
        "Messages waiting in a Celery queue (broker list length).",
        labels=["queue"],
    )
    for queue, length in zip(queues, lengths, strict=True):
        family.add_metric([queue], float(length))
    return family
