"""Queues in a real browser: a support manager opens Breaching soon, assigns three requests in bulk
to a helpdesk agent, and the agent finds exactly those in My requests; a support manager prepares
a queue's export in the background, watches it reach 100% and downloads the file."""

from __future__ import annotations

import csv
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from servicerequests.models import QueueExport, ServiceRequest
from tests.e2e.conftest import sign_in
from tests.factories import ServiceRequestFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_manager_bulk_assigns_breaching_requests_and_the_agent_sees_them(page, world):
    UserFactory(
        username="mia",
        first_name="Mia",
        last_name="Manager",
        partner=world.partner,
        roles=["support_manager"],
    )
    hugo = UserFactory(
        username="hugo", first_name="Hugo", last_name="Help", partner=world.partner, roles=["helpdesk_agent"]
    )
    now = timezone.now()
    soon = [
        ServiceRequestFactory(
            id=f"10000000000010{i}",
            partner=world.partner,
            customer=world.customer,
            title=f"Mail delayed {i}",
            severity="critical",
            created_at=now - timedelta(minutes=100 + i),
            sla_due_at=now + timedelta(minutes=20 + i),
        ).pk
        for i in range(4)
    ]
    later = ServiceRequestFactory(
        partner=world.partner, customer=world.customer, sla_due_at=now + timedelta(hours=5)
    ).pk

    sign_in(page, "mia")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Queues").click()
    page.locator('[data-queue="breaching_soon"]').click()
    assert page.get_by_test_id("queue-name").inner_text() == "Breaching soon"
    table = page.get_by_test_id("queue-table")
    assert table.locator("tbody tr").evaluate_all("rows => rows.map(r => r.dataset.requestId)") == soon
    assert later not in table.inner_text()
    for request_id in soon[:3]:
        page.get_by_label(f"Select {request_id}").check()
    page.get_by_label("With the selected requests").select_option("assign")
    page.get_by_label("Assignee").select_option(label="Hugo Help")
    page.get_by_role("button", name="Apply to selected").click()
    page.wait_for_url(re.compile(r"/queues/breaching_soon/"))
    assert "3 requests assigned to Hugo Help." in page.locator(".messages").inner_text()
    assignees = page.get_by_test_id("assignee").all_inner_texts()
    assert assignees == ["Hugo Help", "Hugo Help", "Hugo Help", "Unassigned"]
    assert set(ServiceRequest.objects.filter(pk__in=soon[:3]).values_list("assigned_to", flat=True)) == {
        hugo.pk
    }

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/signin/"))
    sign_in(page, "hugo")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My requests").click()
    assert page.get_by_test_id("queue-name").inner_text() == "My requests"
    rows = page.get_by_test_id("queue-table").locator("tbody tr")
    assert rows.evaluate_all("rows => rows.map(r => r.dataset.requestId)") == soon[:3]
    assert page.get_by_test_id("queue-list").locator("a").all_inner_texts()[0].startswith("My requests")


def test_manager_prepares_an_export_watches_it_finish_and_downloads_it(page, world, settings, tmp_path):
    settings.EXPORT_ROOT = tmp_path / "exports"
    UserFactory(username="mia", partner=world.partner, roles=["support_manager"])
    now = timezone.now()
    unassigned = [
        ServiceRequestFactory(
            partner=world.partner,
            customer=world.customer,
            title=f"Printer offline {i}",
            created_at=now - timedelta(minutes=30 + i),
            sla_due_at=now + timedelta(hours=2, minutes=i),
        ).pk
        for i in range(25)
    ]
    ServiceRequestFactory(partner=world.partner, customer=world.customer, status="closed", closed_at=now)

    sign_in(page, "mia")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Queues").click()
    assert page.get_by_test_id("queue-name").inner_text() == "Unassigned"
    page.get_by_test_id("prepare-export").click()
    page.wait_for_url(re.compile(r"/queues/exports/[0-9a-f-]{36}/$"))

    assert page.get_by_test_id("export-title").inner_text() == "Export of Unassigned"
    page.get_by_test_id("export-percent").filter(has_text="100%").wait_for()
    assert page.get_by_test_id("export-bar").get_attribute("value") == "100"
    assert "25 of 25 rows written" in page.get_by_test_id("export-rows").inner_text()
    assert page.get_by_test_id("export-progress").get_attribute("hx-trigger") is None  # polling stopped
    with page.expect_download() as download_info:
        page.get_by_test_id("export-download").click()
    download = download_info.value
    assert re.fullmatch(r"queue-unassigned-\d{8}T\d{6}Z\.csv", download.suggested_filename)
    with Path(download.path()).open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert page.get_by_test_id("export-size").inner_text() == filesizeformat(
        Path(download.path()).stat().st_size
    )
    assert len(rows) == 26  # the header and every unassigned request
    assert [r[0] for r in rows[1:]] == unassigned  # SLA due soonest first
    export = QueueExport.objects.get()
    assert (export.status, export.rows_written, export.requested_by.username) == ("done", 25, "mia")
    assert page.get_by_test_id("recent-exports").locator("tbody tr").count() == 1


def test_the_export_page_follows_a_running_export_and_stops_polling_when_done(
    page, world, settings, tmp_path
):
    settings.EXPORT_ROOT = tmp_path
    mia = UserFactory(username="mia", partner=world.partner, roles=["support_manager"])
    export = QueueExport(
        partner=world.partner,
        requested_by=mia,
        queue_key="unassigned",
        queue_name="Unassigned",
        ordering="sla_due",
        status="running",
        started_at=timezone.now(),
        rows_total=4000,
        rows_written=1000,
    )
    export.save()
    status_url = f"/queues/exports/{export.pk}/"
    polls = []
    page.on(
        "request", lambda request: polls.append(request.url) if request.url.endswith(status_url) else None
    )

    sign_in(page, "mia")
    page.goto(status_url)
    assert page.get_by_test_id("export-percent").inner_text() == "25%"
    QueueExport.objects.filter(pk=export.pk).update(rows_written=3000)
    page.get_by_test_id("export-percent").filter(has_text="75%").wait_for()  # no reload: HTMX polled

    (tmp_path / f"{export.pk}.csv").write_text("id\n")
    QueueExport.objects.filter(pk=export.pk).update(
        status="done",
        rows_written=4000,
        file_name=f"{export.pk}.csv",
        size_bytes=3,
        finished_at=timezone.now(),
    )
    page.get_by_test_id("export-download").wait_for()
    assert page.get_by_test_id("export-percent").inner_text() == "100%"
    settled = len(polls)
    page.wait_for_timeout(2500)
    assert len(polls) == settled  # the finished fragment has no trigger: polling stopped
