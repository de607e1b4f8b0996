"""Dashboards never empty when data exists (queues.freshness): counts and the rollup are computed
when a scenario is loaded, recomputed by a page view when older than their refresh interval, and
computed once by concurrent page views."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from gdap.models import EntraRole
from gdap.roles import ENTRA_ROLES
from partners.models import User
from queues import freshness
from queues.definitions import BUILTIN_QUEUES
from queues.reports import AGE_BUCKETS, REPORT_DAYS
from queues.selectors import queue_requests
from scenario.loader import scenario_load
from servicerequests.models import ACTIVE_STATUSES, QueueCount, ReportSnapshot, ServiceRequest

DEMO = Path(settings.BASE_DIR) / "scenarios" / "demo.yaml"


@pytest.fixture
def demo(db):
    for template_id, name, tickets, health in ENTRA_ROLES:
        EntraRole.objects.get_or_create(
            template_id=template_id,
            defaults={"name": name, "support_tickets": tickets, "service_health": health},
        )
    return scenario_load(DEMO)


@pytest.mark.parametrize("username", ["maria", "nora"])
def test_a_fresh_demo_shows_the_same_numbers_as_a_direct_count(client, demo, username):
    manager = User.objects.get(username=username)
    partner_requests = ServiceRequest.objects.filter(partner_id=manager.partner_id)
    active = partner_requests.filter(status__in=list(ACTIVE_STATUSES))
    assert active.exists()
    client.force_login(manager)

    response = client.get(reverse("queue_reports"))
    assert response.status_code == 200
    report = response.context["report"]
    assert report.refreshed_at is not None
    assert "has no data yet" not in response.content.decode()
    assert sum(n for _key, _label, n in report.backlog) == active.count()
    since = timezone.now() - timedelta(days=REPORT_DAYS + 1)
    in_window = partner_requests.filter(created_at__date__gte=report.days[0], created_at__gte=since)
    assert sum(report.created_by_workload.values()) == in_window.count()
    for workload, n in report.created_by_workload.items():
        assert n == in_window.filter(workload=workload).count(), workload
    oldest = {key: n for key, _label, n in report.backlog}[AGE_BUCKETS[-1][0]]
    assert oldest == active.filter(created_at__lte=timezone.now() - timedelta(days=30)).count()

    response = client.get(reverse("queue_detail", args=["unassigned"]))
    assert response.status_code == 200
    counts = {q.key: c for q, c in response.context["queues"]}
    for queue in BUILTIN_QUEUES:
        expected = queue_requests(actor=manager, filters=queue.filters).count()
        assert counts[queue.key] is not None, queue.key
        assert counts[queue.key].count == expected, queue.key


def test_counts_older_than_their_interval_are_recounted_by_a_page_view(client, demo):
    maria = User.objects.get(username="maria")
    unassigned = ServiceRequest.objects.filter(
        partner_id=maria.partner_id, status__in=list(ACTIVE_STATUSES), assigned_to__isnull=True
    )
    before = QueueCount.objects.get(partner_id=maria.partner_id, queue_key="unassigned").count
    assert before == unassigned.count()
    unassigned.filter(pk=unassigned.order_by("pk").first().pk).update(assigned_to=maria)
    client.force_login(maria)

    # Within the interval the maintained count stands (no recount on every view).
    response = client.get(reverse("queue_detail", args=["unassigned"]))
    assert {q.key: c.count for q, c in response.context["queues"]}["unassigned"] == before

    QueueCount.objects.filter(partner_id=maria.partner_id).update(
        refreshed_at=timezone.now() - freshness.COUNTS_REFRESH_INTERVAL - timedelta(seconds=1)
    )
    response = client.get(reverse("queue_detail", args=["unassigned"]))
    assert {q.key: c.count for q, c in response.context["queues"]}["unassigned"] == before - 1


def test_a_report_without_a_rollup_is_computed_by_the_page_view(client, demo):
    maria = User.objects.get(username="maria")
    ReportSnapshot.objects.filter(partner_id=maria.partner_id).delete()
    client.force_login(maria)
    response = client.get(reverse("queue_reports"))
    assert response.context["report"].refreshed_at is not None
    assert ReportSnapshot.objects.filter(partner_id=maria.partner_id).exists()


def test_a_fresh_rollup_is_not_recomputed():
    now = timezone.now()
    assert not freshness.report_rollup_ensure_fresh(partner_id="p", refreshed_at=now, now=now)
    assert not freshness.queue_counts_ensure_fresh(partner_id="p", refreshed=[now], now=now)
    assert not freshness.queue_counts_ensure_fresh(partner_id=None, refreshed=[], now=now)


@pytest.mark.django_db
def test_concurrent_page_views_compute_once():
    """Eight views find the numbers stale at once: one computes, the others wait and find them fresh."""
    computed = []
    state = {"stale": True}

    def refresh():
        time.sleep(0.05)
        computed.append(threading.get_ident())
        state["stale"] = False

    results = []
    barrier = threading.Barrier(8)

    def view():
        barrier.wait()
        results.append(freshness._refresh_once("test", "p1", stale=lambda: state["stale"], refresh=refresh))

    threads = [threading.Thread(target=view) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(computed) == 1
    assert sorted(results) == [False] * 7 + [True]


@pytest.mark.django_db(transaction=True)
def test_concurrent_views_on_postgresql_compute_once_under_the_advisory_lock(postgres_only, monkeypatch):
    """Four connections find the counts missing at once: the advisory lock lets one recount; the
    others wait for it and then find fresh counts."""
    from django.db import connection

    from tests.factories import PartnerFactory

    partner = PartnerFactory()
    real = freshness.queue_counts_refresh
    calls = []

    def slow_refresh(**kwargs):
        calls.append(kwargs)
        time.sleep(0.3)
        return real(**kwargs)

    monkeypatch.setattr(freshness, "queue_counts_refresh", slow_refresh)
    barrier = threading.Barrier(4)
    results = []

    def view():
        try:
            barrier.wait()
            results.append(freshness.queue_counts_ensure_fresh(partner_id=partner.pk, refreshed=[]))
        finally:
            connection.close()

    threads = [threading.Thread(target=view) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert sorted(results) == [False, False, False, True]
    assert QueueCount.objects.filter(partner=partner, queue_key="unassigned").exists()
