"""CSV export of a queue: exact content, the queue's scope, streaming."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from tests.queues.test_queues import NOW, build_queue_world


@pytest.fixture
def frozen():
    import time_machine

    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def queue_world(db):
    return build_queue_world()


def _csv(response) -> list[list[str]]:
    assert response.streaming
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_export_of_a_queue_has_exact_rows_in_the_queue_order(client, queue_world, frozen):
    client.force_login(queue_world.manager)
    response = client.get(reverse("queue_export", args=["unassigned"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="queue-unassigned-20260310T120000Z'
    )
    fabrikam, litware = (str(queue_world.customers[n].pk) for n in ("fabrikam", "litware"))
    assert _csv(response) == [
        [
            "id",
            "title",
            "customer_id",
            "customer_name",
            "workload",
            "severity",
            "status",
            "assigned_to",
            "created_at",
            "updated_at",
            "sla_due_at",
            "first_response_at",
            "closed_at",
            "external_ticket_id",
            "sla_state",
        ],
        [
            "100000000000001",
            "Request 100000000000001",
            fabrikam,
            "Fabrikam",
            "azure",
            "critical",
            "open",
            "",
            "2026-03-10T10:30:00+00:00",
            "2026-03-10T10:30:00+00:00",
            "2026-03-10T12:30:00+00:00",
            "",
            "",
            "",
            "breaching_soon",
        ],
        [
            "100000000000002",
            "Request 100000000000002",
            litware,
            "Litware",
            "m365",
            "moderate",
            "open",
            "",
            "2026-03-10T11:00:00+00:00",
            "2026-03-10T11:00:00+00:00",
            "2026-03-10T15:00:00+00:00",
            "",
            "",
            "",
            "ok",
        ],
        [
            "100000000000005",
            "Request 100000000000005",
            fabrikam,
            "Fabrikam",
            "azure",
            "critical",
            "none",
            "",
            "2026-03-10T11:55:00+00:00",
            "2026-03-10T11:55:00+00:00",
            "",
            "",
            "",
            "",
            "not_started",
        ],
    ]


def test_export_follows_the_url_filters_and_an_agents_scope(client, queue_world, frozen):
    client.force_login(queue_world.manager)
    rows = _csv(
        client.get(reverse("queue_export", args=["unassigned"]), {"workload": "m365", "status": "open"})
    )
    assert [r[0] for r in rows[1:]] == ["100000000000002"]
    client.force_login(queue_world.helpdesk)
    rows = _csv(client.get(reverse("queue_export", args=["mine"]), {"order": "-created"}))
    assert [(r[0], r[7]) for r in rows[1:]] == [("100000000000007", "hugo"), ("100000000000003", "hugo")]
    assert client.get(reverse("queue_export", args=["unassigned"])).status_code == 404


def test_export_cells_that_look_like_formulas_are_quoted(client, queue_world, frozen):
    sr = queue_world.rows["ok"]
    sr.title = '=HYPERLINK("http://evil")'
    sr.save(update_fields=["title"])
    client.force_login(queue_world.manager)
    rows = _csv(client.get(reverse("queue_export", args=["unassigned"])))
    assert rows[2][1] == '\'=HYPERLINK("http://evil")'


def test_bad_export_parameters_are_a_400(client, queue_world):
    client.force_login(queue_world.manager)
    response = client.get(reverse("queue_export", args=["unassigned"]), {"sla": "late"})
    assert response.status_code == 400
    assert (
        response.content.decode() == "Export not started: SLA: must be one of ok, breaching_soon, breached."
    )


def test_a_base_filter_cleared_in_the_url_stays_cleared_in_the_export_link(client, queue_world, frozen):
    client.force_login(queue_world.manager)
    page = client.get(reverse("queue_detail", args=["unassigned"]), {"assignee": "", "order": "-created"})
    query = page.context["filter_query"]
    assert query == "status=none&status=open&status=attention_needed&assignee=&order=-created"
    assert f'href="{reverse("queue_export", args=["unassigned"])}?{query.replace("&", "&amp;")}"' in (
        page.content.decode()
    )
    rows = _csv(client.get(f"{reverse('queue_export', args=['unassigned'])}?{query}"))
    # every active request, assigned or not (without the empty assignee, Unassigned's would apply again)
    assert [r[0] for r in rows[1:]] == [
        "100000000000005",
        "100000000000002",
        "100000000000001",
        "100000000000004",
        "100000000000007",
        "100000000000003",
    ]
