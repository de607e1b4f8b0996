"""The reporting rollup and snapshot from a known small dataset, the reports page, the tasks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from queues import tasks
from queues.reports import duration_label, report_for, report_rollup_refresh
from servicerequests.models import QueueCount, ReportRollup, ReportSnapshot
from tests.factories import CustomerFactory, PartnerFactory, ServiceRequestFactory, UserFactory

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def dataset(db):
    """Contoso: six requests over three days, one of them older than the window; Northwind: one."""
    partner = PartnerFactory(name="Contoso")
    other = PartnerFactory(name="Northwind")
    manager = UserFactory(partner=partner, roles=["support_manager"])
    fabrikam, litware = CustomerFactory(name="Fabrikam"), CustomerFactory(name="Litware")

    def sr(customer, *, created, workload="m365", severity="moderate", due=None, response=None, **kw):
        return ServiceRequestFactory(
            partner=kw.pop("partner", partner),
            customer=customer,
            workload=workload,
            severity=severity,
            created_at=created,
            updated_at=created,
            sla_due_at=created + due if due is not None else None,
            first_response_at=created + response if response is not None else None,
            **kw,
        )

    h = timedelta(hours=1)
    day1 = datetime(2026, 3, 8, 9, 0, tzinfo=UTC)
    day3 = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
    # Critical, met in 30 min; critical, breached (answered after 3 h, due 2 h).
    sr(
        fabrikam,
        created=day1,
        workload="azure",
        severity="critical",
        due=2 * h,
        response=h / 2,
        status="closed",
        closed_at=day1 + 4 * h,
    )
    sr(fabrikam, created=day1 + h, workload="azure", severity="critical", due=2 * h, response=3 * h)
    # Moderate, met in 1 h; moderate still running (due later today): neither met nor breached.
    sr(litware, created=day3, due=4 * h, response=h)
    sr(fabrikam, created=day3 + h, due=4 * h)
    # Minimal, running past due (breached), no response.
    sr(
        litware,
        created=day3 - timedelta(days=1),
        severity="minimal",
        due=8 * h,
        workload="dynamics",
        status="attention_needed",
    )
    # Older than the window: open for 40 days.
    sr(fabrikam, created=NOW - timedelta(days=40), due=4 * h, response=2 * h)
    sr(CustomerFactory(name="Tailspin"), created=day3, partner=other, due=4 * h)
    return partner, other, manager


def test_rollup_rows_from_a_known_dataset(dataset):
    partner, other, manager = dataset
    assert report_rollup_refresh(partner_id=partner.pk, now=NOW) == 3
    assert list(
        ReportRollup.objects.filter(partner=partner).values_list(
            "day", "workload", "severity", "created", "sla_met", "sla_breached", "first_response_seconds"
        )
    ) == [
        (date(2026, 3, 8), "azure", "critical", 2, 1, 1, [1800, 10800]),
        (date(2026, 3, 9), "dynamics", "minimal", 1, 0, 1, []),
        (date(2026, 3, 10), "m365", "moderate", 2, 1, 0, [3600]),
    ]
    snapshot = ReportSnapshot.objects.get(partner=partner)
    assert snapshot.backlog_by_age == {"lt_1d": 2, "1_3d": 2, "3_7d": 0, "7_30d": 0, "gt_30d": 1}
    assert [(c["name"], c["open"]) for c in snapshot.top_customers] == [("Fabrikam", 3), ("Litware", 2)]
    assert snapshot.median_first_response == {
        "critical": 6300.0,
        "moderate": 3600.0,
        "minimal": None,
        "all": 3600.0,
    }
    assert not ReportRollup.objects.filter(partner=other).exists()


def test_the_page_reads_the_medians_the_refresh_computed_not_every_response_time(dataset):
    """The response times grow with the partner's requests; the page reads the three medians."""
    partner, _other, manager = dataset
    report_rollup_refresh(partner_id=partner.pk, now=NOW)
    ReportRollup.objects.filter(partner=partner).update(first_response_seconds=[1, 2, 3])
    assert report_for(actor=manager, now=NOW).median_first_response == {
        "critical": 6300.0,
        "moderate": 3600.0,
        "minimal": None,
        "all": 3600.0,
    }
    ReportSnapshot.objects.filter(partner=partner).delete()  # never refreshed: nothing to show
    assert report_for(actor=manager, now=NOW).median_first_response == dict.fromkeys(
        ["critical", "moderate", "minimal", "all"]
    )


def test_report_numbers_from_the_rollup(dataset):
    partner, _other, manager = dataset
    report_rollup_refresh(partner_id=partner.pk, now=NOW)
    report = report_for(actor=manager, now=NOW)
    assert (report.days[0], report.days[-1], len(report.days)) == (date(2026, 2, 9), date(2026, 3, 10), 30)
    assert {d: {w: n for w, n in v.items() if n} for d, v in report.per_day.items() if any(v.values())} == {
        date(2026, 3, 8): {"azure": 2},
        date(2026, 3, 9): {"dynamics": 1},
        date(2026, 3, 10): {"m365": 2},
    }
    assert report.created_by_workload == {"azure": 2, "m365": 2, "dynamics": 1, "ems": 0, "marketplace": 0}
    assert report.sla == {
        "critical": {"met": 1, "breached": 1, "measured": 2, "percent": 50.0},
        "moderate": {"met": 1, "breached": 0, "measured": 1, "percent": 100.0},
        "minimal": {"met": 0, "breached": 1, "measured": 1, "percent": 0.0},
    }
    assert report.median_first_response == {
        "critical": 6300.0,
        "moderate": 3600.0,
        "minimal": None,
        "all": 3600.0,
    }
    assert report.backlog == [
        ("lt_1d", "< 1 day", 2),
        ("1_3d", "1–3 days", 2),
        ("3_7d", "3–7 days", 0),
        ("7_30d", "7–30 days", 0),
        ("gt_30d", "> 30 days", 1),
    ]
    assert report.refreshed_at == NOW
    assert [b.title for b in report.charts["per_day"].bars] == [
        "03/08/2026 Azure: 2",
        "03/09/2026 Dynamics 365: 1",
        "03/10/2026 Microsoft 365: 2",
    ]
    assert [b.value_label for b in report.charts["sla"].bars] == ["50.0% of 2", "100.0% of 1", "0.0% of 1"]


def test_days_before_the_window_keep_their_rows(dataset):
    partner, _other, _manager = dataset
    report_rollup_refresh(partner_id=partner.pk, now=NOW)
    later = NOW + timedelta(days=29)
    report_rollup_refresh(partner_id=partner.pk, now=later)
    assert list(
        ReportRollup.objects.filter(partner=partner).values_list("day", "created", "refreshed_at")
    ) == [
        (date(2026, 3, 8), 2, NOW),
        (date(2026, 3, 9), 1, NOW),
        (date(2026, 3, 10), 2, later),
    ]


def test_reports_page_reads_the_rollup_only(client, dataset, django_assert_max_num_queries):
    partner, _other, manager = dataset
    report_rollup_refresh(partner_id=partner.pk, now=NOW)
    client.force_login(manager)
    with time_machine.travel(NOW, tick=False), django_assert_max_num_queries(6):
        response = client.get(reverse("queue_reports"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="chart-per-day"' in html
    assert '<strong data-testid="median-all">1 h 00 min</strong>' in html
    assert "<title>03/08/2026 Azure: 2</title>" in html
    assert "Fabrikam" in html


@pytest.mark.parametrize("roles", [["helpdesk_agent"], ["admin_agent"], ["sales_agent"]])
def test_reports_are_for_support_managers(client, dataset, roles):
    client.force_login(UserFactory(partner=dataset[0], roles=roles))
    assert client.get(reverse("queue_reports")).status_code == 403


def test_the_beat_tasks_refresh_every_partner(dataset):
    with time_machine.travel(NOW, tick=False):
        assert tasks.refresh_report_rollup.apply().get() == 2  # one task per partner, run eagerly
        assert ReportRollup.objects.count() == 4
        assert tasks.refresh_queue_counts.apply().get() == 2
    # five built-in counts per partner (neither has resellers nor hand-offs), one "My requests"
    assert QueueCount.objects.count() == 2 * 5 + 1


@pytest.mark.parametrize("task", [tasks.refresh_queue_counts, tasks.refresh_report_rollup])
def test_the_beat_run_enqueues_one_task_per_partner_and_does_no_counting(db, task, monkeypatch):
    partners = sorted([PartnerFactory().pk for _ in range(5)])
    sent = []
    monkeypatch.setattr("core.maintenance.enqueue", lambda name, *args: sent.append((name, args)) or True)

    assert task.apply().get() == 5

    assert sent == [(task.name, (partner_id,)) for partner_id in partners]
    assert not QueueCount.objects.exists()
    assert not ReportSnapshot.objects.exists()


def test_a_partner_s_task_refreshes_that_partner_only(dataset):
    partner, other, _manager = dataset
    with time_machine.travel(NOW, tick=False):
        assert tasks.refresh_queue_counts.apply(args=(other.pk,)).get() == 5
    assert set(QueueCount.objects.values_list("partner_id", flat=True)) == {other.pk}


@pytest.mark.parametrize(
    ("seconds", "label"),
    [(None, "—"), (59, "1 min"), (3500, "58 min"), (3600, "1 h 00 min"), (200000, "2 d 7 h")],
)
def test_duration_label(seconds, label):
    assert duration_label(seconds) == label
