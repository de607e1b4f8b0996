"""Support managers' queues: built-in queue rows, URL filters and orderings, SLA state boundaries,
keyset pages under concurrent inserts, query counts, saved queues, and who may open what.

``queue_world`` (built by ``build_queue_world``, which the other ``test_queues*`` and
``test_bulk*`` modules reuse) is Contoso with a support manager, a helpdesk agent, an admin agent
and a sales agent, plus Northwind (another partner) with its own manager, at a frozen ``NOW``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from queues.definitions import BUILTIN_BY_KEY, ORDERINGS, QueueFilters, QueueNotFound
from queues.reports import queue_counts_refresh
from queues.selectors import (
    InvalidCursor,
    cursor_encode,
    queue_counts,
    queue_get,
    queue_page,
    queue_requests,
    queues_visible,
)
from queues.services import saved_queue_create, saved_queue_delete, saved_queue_rename
from servicerequests.filters import sla_state_q
from servicerequests.models import QueueCount, SavedQueue, ServiceRequest
from servicerequests.sla import SlaState
from tests.conftest import SIGN_IN_BACKEND
from tests.factories import (
    CustomerFactory,
    PartnerFactory,
    ServiceRequestFactory,
    SupportEntitlementFactory,
    UserFactory,
)

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@dataclass
class QueueWorld:
    partner: object
    other: object
    manager: object
    helpdesk: object
    admin: object
    sales: object
    other_manager: object
    customers: dict
    rows: dict = field(default_factory=dict)


def make_request(partner, customer, *, id, minutes_ago, due_in=None, **fields) -> ServiceRequest:
    """A request filed ``minutes_ago`` before NOW whose SLA is due ``due_in`` minutes after NOW."""
    created = NOW - timedelta(minutes=minutes_ago)
    values = {
        "status": "open",
        "severity": "moderate",
        "workload": "m365",
        "sla_due_at": NOW + timedelta(minutes=due_in) if due_in is not None else None,
        "created_at": created,
        "updated_at": created,
    }
    values.update(fields)
    return ServiceRequestFactory(id=id, partner=partner, customer=customer, title=f"Request {id}", **values)


@pytest.fixture
def queue_world(db) -> QueueWorld:
    return build_queue_world()


def build_queue_world() -> QueueWorld:
    """The world of these tests (the other queue, bulk and export modules build it too)."""
    partner = PartnerFactory(name="Contoso Partners")
    other = PartnerFactory(name="Northwind Partners")
    world = QueueWorld(
        partner=partner,
        other=other,
        manager=UserFactory(
            username="mia", first_name="Mia", last_name="Manager", partner=partner, roles=["support_manager"]
        ),
        helpdesk=UserFactory(
            username="hugo", first_name="Hugo", last_name="Help", partner=partner, roles=["helpdesk_agent"]
        ),
        admin=UserFactory(username="ada", partner=partner, roles=["admin_agent"]),
        sales=UserFactory(username="sam", partner=partner, roles=["sales_agent"]),
        other_manager=UserFactory(username="otto", partner=other, roles=["support_manager"]),
        customers={
            "fabrikam": CustomerFactory(name="Fabrikam"),
            "litware": CustomerFactory(name="Litware"),
            "tailspin": CustomerFactory(name="Tailspin"),
        },
    )
    fab, lit = world.customers["fabrikam"], world.customers["litware"]
    r = world.rows
    r["soon"] = make_request(
        partner, fab, id="100000000000001", minutes_ago=90, due_in=30, severity="critical", workload="azure"
    )
    r["ok"] = make_request(partner, lit, id="100000000000002", minutes_ago=60, due_in=180)
    r["breached"] = make_request(
        partner,
        fab,
        id="100000000000003",
        minutes_ago=490,
        due_in=-10,
        severity="minimal",
        assigned_to=world.helpdesk,
    )
    r["attention"] = make_request(
        partner,
        lit,
        id="100000000000004",
        minutes_ago=120,
        due_in=120,
        status="attention_needed",
        workload="dynamics",
        assigned_to=world.manager,
    )
    r["none"] = make_request(
        partner,
        fab,
        id="100000000000005",
        minutes_ago=5,
        severity="critical",
        status="none",
        workload="azure",
    )
    r["closed"] = make_request(
        partner,
        fab,
        id="100000000000006",
        minutes_ago=600,
        due_in=-300,
        status="closed",
        severity="critical",
        first_response_at=NOW - timedelta(minutes=400),
        closed_at=NOW - timedelta(minutes=200),
    )
    r["met"] = make_request(
        partner,
        lit,
        id="100000000000007",
        minutes_ago=300,
        due_in=-60,
        assigned_to=world.helpdesk,
        first_response_at=NOW - timedelta(minutes=120),
    )
    r["foreign"] = make_request(
        other,
        world.customers["tailspin"],
        id="100000000000008",
        minutes_ago=30,
        due_in=20,
        severity="critical",
    )
    return world


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def ids(rows) -> list[str]:
    return [r.pk for r in rows]


def names(world: QueueWorld, rows) -> list[str]:
    by_id = {sr.pk: name for name, sr in world.rows.items()}
    return [by_id[pk] for pk in ids(rows)]


def builtin_rows(world, key, actor):
    queue = queue_get(actor=actor, key=key)
    queryset = queue_requests(actor=actor, filters=queue.filters, now=NOW)
    return queue_page(queryset, ordering=ORDERINGS[queue.ordering], size=50).rows


# Built-in queues, filters and orderings ----------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "actor", "expected"),
    [
        ("unassigned", "manager", ["soon", "ok", "none"]),
        ("mine", "helpdesk", ["met", "breached"]),
        ("mine", "manager", ["attention"]),
        ("breaching_soon", "manager", ["soon"]),
        ("breached", "manager", ["breached"]),
        ("critical_open", "manager", ["none", "soon"]),
        ("attention_needed", "manager", ["attention"]),
    ],
)
def test_builtin_queue_rows_and_order(queue_world, frozen, key, actor, expected):
    assert names(queue_world, builtin_rows(queue_world, key, getattr(queue_world, actor))) == expected


@pytest.mark.parametrize(
    ("filters", "ordering", "expected"),
    [
        ({}, "-created", ["none", "ok", "soon", "attention", "met", "breached", "closed"]),
        ({}, "created", ["closed", "breached", "met", "attention", "soon", "ok", "none"]),
        ({}, "sla_due", ["closed", "met", "breached", "soon", "attention", "ok", "none"]),
        ({"workloads": ["azure", "dynamics"]}, "-created", ["none", "soon", "attention"]),
        ({"severities": ["critical"], "statuses": ["closed"]}, "-created", ["closed"]),
        ({"statuses": ["open"], "assignee": "none"}, "-created", ["ok", "soon"]),
        ({"sla_state": "ok"}, "-created", ["ok", "attention"]),
        ({"sla_state": "breached"}, "-created", ["breached"]),
        ({"customer_id": "litware"}, "-created", ["ok", "attention", "met"]),
    ],
)
def test_filters_and_orderings_give_exact_rows(queue_world, frozen, filters, ordering, expected):
    if filters.get("customer_id"):
        filters = {**filters, "customer_id": str(queue_world.customers[filters["customer_id"]].pk)}
    queryset = queue_requests(actor=queue_world.manager, filters=QueueFilters.from_dict(filters), now=NOW)
    rows = queue_page(queryset, ordering=ORDERINGS[ordering], size=50).rows
    assert names(queue_world, rows) == expected


def test_assignee_filter_by_user_id(queue_world, frozen):
    filters = QueueFilters.from_dict({"assignee": str(queue_world.helpdesk.pk)})
    rows = queue_page(
        queue_requests(actor=queue_world.manager, filters=filters, now=NOW), ordering=ORDERINGS["-created"]
    ).rows
    assert names(queue_world, rows) == ["met", "breached"]


def test_a_page_row_holds_the_columns_of_its_request_with_the_customer_and_assignee_names(
    queue_world, frozen
):
    nameless = UserFactory(
        username="nia", first_name="", last_name="", partner=queue_world.partner, roles=["helpdesk_agent"]
    )
    ServiceRequest.objects.filter(pk=queue_world.rows["ok"].pk).update(assigned_to=nameless)
    entitlement = SupportEntitlementFactory(partner=queue_world.partner)
    ServiceRequest.objects.filter(pk=queue_world.rows["none"].pk).update(
        customer=None, support_entitlement=entitlement
    )
    rows = queue_page(
        queue_requests(actor=queue_world.manager, filters=QueueFilters(), now=NOW),
        ordering=ORDERINGS["-created"],
    ).rows
    by_pk = {sr.pk: sr for sr in ServiceRequest.objects.select_related("customer", "assigned_to")}
    columns = ("id", "title", "workload", "severity", "status", "created_at", "updated_at", "sla_due_at")
    columns += ("first_response_at", "closed_at", "customer_id")
    for row in rows:
        sr = by_pk[row.pk]
        assert [getattr(row, c) for c in columns] == [getattr(sr, c) for c in columns]
    names_shown = {row.pk: (row.customer_name, row.assignee_name) for row in rows}
    assert names_shown == {
        "100000000000005": (None, None),  # own subscription, unassigned
        "100000000000002": ("Litware", "nia"),  # no full name: the username
        "100000000000001": ("Fabrikam", None),
        "100000000000004": ("Litware", "Mia Manager"),
        "100000000000007": ("Litware", "Hugo Help"),
        "100000000000003": ("Fabrikam", "Hugo Help"),
        "100000000000006": ("Fabrikam", None),
    }


def test_a_helpdesk_agent_only_ever_sees_own_requests_whatever_the_filters(queue_world, frozen):
    rows = queue_page(
        queue_requests(actor=queue_world.helpdesk, filters=QueueFilters(), now=NOW),
        ordering=ORDERINGS["-created"],
    ).rows
    assert names(queue_world, rows) == ["met", "breached"]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"workloads": ["azure", "cobol"]}, "workloads", "'cobol' is not one of"),
        ({"customer_id": "not-a-guid"}, "customer_id", "must be a customer tenant ID (GUID)."),
        ({"assignee": "bob"}, "assignee", "must be 'me', 'none' or a user ID."),
        ({"sla_state": "met"}, "sla_state", "must be one of ok, breaching_soon, breached."),
        ({"colour": "red"}, "colour", "is not a queue filter."),
    ],
)
def test_bad_filters_name_the_field(data, field, message):
    with pytest.raises(ValidationError) as excinfo:
        QueueFilters.from_dict(data)
    assert field in excinfo.value.message_dict
    assert message in excinfo.value.message_dict[field][0]


# SLA state boundaries ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at_offset", "expected"),
    [
        (timedelta(hours=-2), SlaState.OK),
        (timedelta(hours=-1, seconds=-1), SlaState.OK),
        (timedelta(hours=-1), SlaState.BREACHING_SOON),
        (timedelta(seconds=-1), SlaState.BREACHING_SOON),
        (timedelta(0), SlaState.BREACHED),
        (timedelta(seconds=1), SlaState.BREACHED),
    ],
)
def test_sla_state_filter_agrees_with_the_clock_at_the_boundaries(db, at_offset, expected):
    due = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    sr = ServiceRequestFactory(sla_due_at=due, created_at=due - timedelta(hours=4))
    at = due + at_offset
    with time_machine.travel(at, tick=False):
        assert sr.sla_state == expected
        matching = {
            state: ServiceRequest.objects.filter(sla_state_q(state, now=at), pk=sr.pk).exists()
            for state in (SlaState.OK, SlaState.BREACHING_SOON, SlaState.BREACHED)
        }
    assert matching == {state: state == expected for state in matching}


@pytest.mark.parametrize(
    ("first_response", "closed", "expected_breached"),
    [
        (timedelta(minutes=-1), None, False),  # answered in time: met
        (timedelta(minutes=1), None, True),  # answered late
        (None, timedelta(minutes=-1), False),  # closed in time
        (None, timedelta(minutes=1), True),  # closed late
        (timedelta(minutes=5), timedelta(minutes=-5), False),  # closed in time, answered later
    ],
)
def test_a_stopped_clock_is_breached_only_when_it_stopped_late(db, first_response, closed, expected_breached):
    due = NOW - timedelta(hours=1)
    sr = ServiceRequestFactory(
        sla_due_at=due,
        status="closed" if closed is not None else "open",
        first_response_at=due + first_response if first_response is not None else None,
        closed_at=due + closed if closed is not None else None,
    )
    assert (sr.sla_state_at(NOW) == SlaState.BREACHED) is expected_breached
    assert (
        ServiceRequest.objects.filter(sla_state_q("breached", now=NOW), pk=sr.pk).exists()
        is expected_breached
    )


# Keyset pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize("ordering", list(ORDERINGS))
def test_keyset_pages_neither_skip_nor_repeat_rows_under_concurrent_inserts(db, ordering):
    partner = PartnerFactory()
    manager = UserFactory(partner=partner, roles=["support_manager"])
    customer = CustomerFactory()
    base = NOW - timedelta(days=2)
    original = []
    for i in range(23):
        created = base + timedelta(minutes=10 * (i // 3))  # ties of three on the ordering key
        original.append(
            ServiceRequestFactory(
                id=str(200000000000000 + i * 7),
                partner=partner,
                customer=customer,
                created_at=created,
                updated_at=created,
                sla_due_at=None if i % 5 == 0 else created + timedelta(hours=4),
            ).pk
        )
    ordering_obj = ORDERINGS[ordering]
    seen: list[str] = []
    cursor = ""
    inserted = 0
    for _ in range(20):
        page = queue_page(
            queue_requests(actor=manager, filters=QueueFilters(), now=NOW),
            ordering=ordering_obj,
            cursor=cursor,
            size=5,
        )
        seen.extend(ids(page.rows))
        # Between page fetches, others file requests: newest, oldest, a tie in the middle, no clock.
        for created in (NOW, base - timedelta(days=1), base + timedelta(minutes=40)):
            ServiceRequestFactory(
                id=str(300000000000000 + inserted),
                partner=partner,
                customer=customer,
                created_at=created,
                updated_at=created,
                sla_due_at=None if inserted % 2 else created + timedelta(hours=4),
            )
            inserted += 1
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert len(seen) == len(set(seen)), "a row was repeated"
    assert set(original) <= set(seen), "a row that existed before the first page was skipped"


def test_a_cursor_of_another_ordering_or_garbage_is_refused(queue_world):
    sr = queue_world.rows["ok"]
    queryset = queue_requests(actor=queue_world.manager, filters=QueueFilters())
    good = cursor_encode(ORDERINGS["-created"], sr)
    assert ids(queue_page(queryset, ordering=ORDERINGS["-created"], cursor=good).rows)[0] == "100000000000001"
    for bad in (cursor_encode(ORDERINGS["-updated"], sr), "bm90LWpzb24", "!!!"):
        with pytest.raises(InvalidCursor):
            queue_page(queryset, ordering=ORDERINGS["-created"], cursor=bad)


# Who may open what -------------------------------------------------------------------------------


def test_managers_see_every_builtin_queue_agents_only_theirs(queue_world):
    saved_queue_create(
        actor=queue_world.manager, name="Azure", filters={"workloads": ["azure"]}, ordering="-created"
    )
    assert [q.key for q in queues_visible(actor=queue_world.manager)] == [
        *BUILTIN_BY_KEY,
        f"saved-{SavedQueue.objects.get().pk}",
    ]
    for agent in (queue_world.helpdesk, queue_world.admin):
        assert [q.key for q in queues_visible(actor=agent)] == ["mine"]
        with pytest.raises(QueueNotFound):
            queue_get(actor=agent, key="unassigned")
    assert queues_visible(actor=queue_world.sales) == []


def test_another_partners_saved_queue_is_not_found(queue_world):
    saved = saved_queue_create(
        actor=queue_world.other_manager, name="Theirs", filters={}, ordering="-created"
    )
    with pytest.raises(QueueNotFound):
        queue_get(actor=queue_world.manager, key=f"saved-{saved.pk}")


# Saved queues ------------------------------------------------------------------------------------


def test_saved_queue_create_rename_delete_audits_each(queue_world):
    manager = queue_world.manager
    saved = saved_queue_create(
        actor=manager,
        name="  Azure criticals ",
        filters={"workloads": ["azure"], "severities": ["critical"], "assignee": "me"},
        ordering="sla_due",
    )
    assert (saved.name, saved.filters, saved.ordering, saved.partner_id) == (
        "Azure criticals",
        {"workloads": ["azure"], "severities": ["critical"], "assignee": "me"},
        "sla_due",
        queue_world.partner.pk,
    )
    saved_queue_rename(actor=manager, saved_queue=saved, name="Azure A")
    saved.refresh_from_db()
    assert saved.name == "Azure A"
    saved_queue_delete(actor=manager, saved_queue=saved)
    assert not SavedQueue.objects.exists()
    assert list(
        AuditEvent.objects.filter(object_type="servicerequests.SavedQueue")
        .order_by("id")
        .values_list("action", "actor_id")
    ) == [("queue.saved", manager.pk), ("queue.renamed", manager.pk), ("queue.deleted", manager.pk)]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "is required."),
        ("x" * 81, "must be at most 80 characters (it has 81)."),
        ("unassigned", "“unassigned” is the name of a built-in queue."),
        ("Mine", "your partner already has a queue named “Mine”."),
    ],
)
def test_saved_queue_names_are_checked_and_nothing_is_written(queue_world, name, message):
    saved_queue_create(actor=queue_world.manager, name="Mine", filters={}, ordering="-created")
    with pytest.raises(ValidationError) as excinfo:
        saved_queue_create(actor=queue_world.manager, name=name, filters={}, ordering="-created")
    assert excinfo.value.message_dict == {"name": [message]}
    assert SavedQueue.objects.count() == 1


def test_only_the_owner_renames_or_deletes_and_only_managers_save(queue_world):
    saved = saved_queue_create(actor=queue_world.manager, name="Mine", filters={}, ordering="-created")
    colleague = UserFactory(partner=queue_world.partner, roles=["support_manager"])
    with pytest.raises(PermissionDenied):
        saved_queue_rename(actor=colleague, saved_queue=saved, name="Hijacked")
    with pytest.raises(PermissionDenied):
        saved_queue_delete(actor=queue_world.other_manager, saved_queue=saved)
    with pytest.raises(PermissionDenied):
        saved_queue_create(actor=queue_world.helpdesk, name="Helpdesk", filters={}, ordering="-created")
    with pytest.raises(ValidationError) as excinfo:
        saved_queue_create(actor=queue_world.manager, name="Bad order", filters={}, ordering="title")
    assert list(excinfo.value.message_dict) == ["ordering"]


# Pages -------------------------------------------------------------------------------------------


def test_queue_page_shows_the_rows_with_sla_and_sidebar_counts(client, queue_world, frozen):
    queue_counts_refresh(partner_id=queue_world.partner.pk, now=NOW)
    client.force_login(queue_world.manager)
    response = client.get(reverse("queue_detail", args=["unassigned"]))
    assert response.status_code == 200
    html = response.content.decode()
    rows = response.context["rows"]
    assert [(sr.pk, sla.state, sla.text, age) for sr, sla, age in rows] == [
        ("100000000000001", "breaching_soon", "30 min", "1 h 30 min"),
        ("100000000000002", "ok", "3 h 00 min", "1 h 00 min"),
        ("100000000000005", "not_started", "not started", "5 min"),
    ]
    assert {q.key: c.count for q, c in response.context["queues"]} == {
        "unassigned": 3,
        "mine": 1,
        "breaching_soon": 1,
        "breached": 1,
        "critical_open": 2,
        "attention_needed": 1,
    }
    assert 'class="sla sla-breaching_soon"' in html
    assert "100000000000008" not in html  # Northwind's request


def test_queue_rows_are_escaped_and_carry_their_cells(client, queue_world, frozen):
    """The rows are built in Python (speed): every value is escaped, and the cells are those the
    page and the browser tests read (row id, link, assignee, SLA state, selection box)."""
    customer = CustomerFactory(name="<b>Evil & Co</b>")
    ServiceRequest.objects.create(
        id="100000000000099",
        partner=queue_world.partner,
        customer=customer,
        workload="m365",
        title='<script>alert("x")</script>',
        description="x",
        severity="critical",
        status="open",
        created_at=NOW - timedelta(minutes=20),
        updated_at=NOW - timedelta(minutes=20),
        sla_due_at=NOW + timedelta(minutes=40),
    )
    client.force_login(queue_world.manager)
    html = client.get(reverse("queue_detail", args=["unassigned"])).content.decode()
    assert "<script>alert" not in html and "<b>Evil" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&lt;b&gt;Evil &amp; Co&lt;/b&gt;" in html
    row = html[html.index('<tr data-request-id="100000000000099">') :]
    row = row[: row.index("</tr>")]
    detail = reverse("servicerequests:detail", args=["100000000000099"])
    assert f'<a href="{detail}">100000000000099</a>' in row
    assert 'id="sel-100000000000099"' in row  # a manager selects rows
    assert 'data-testid="assignee" data-label="Assignee"><span class="muted">Unassigned</span></td>' in row
    # The title links to the request too, clamped to two lines with the full text as its tooltip.
    escaped_title = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
    assert f'<a class="clamp-2" href="{detail}" title="{escaped_title}" data-testid="row-title">' in row
    assert '<span class="badge badge-critical">Critical (A)</span>' in row
    assert '<span class="sla sla-breaching_soon" data-testid="sla">40 min</span>' in row
    assert f'?customer={customer.pk}">' in row


def test_queue_index_opens_the_default_queue(client, queue_world, frozen):
    client.force_login(queue_world.manager)
    assert client.get(reverse("queues")).context["queue"].key == "unassigned"
    client.force_login(queue_world.helpdesk)
    response = client.get(reverse("queues"))
    assert response.context["queue"].key == "mine"
    assert [sr.pk for sr, _s, _a in response.context["rows"]] == ["100000000000007", "100000000000003"]


@pytest.mark.parametrize(
    ("user", "url_args", "status"),
    [
        ("sales", ["mine"], 403),
        ("helpdesk", ["unassigned"], 404),
        ("admin", ["breached"], 404),
        ("admin", ["mine"], 200),
        ("manager", ["no-such-queue"], 404),
    ],
)
def test_who_may_open_which_queue(client, queue_world, user, url_args, status):
    client.force_login(getattr(queue_world, user))
    assert client.get(reverse("queue_detail", args=url_args)).status_code == status


def test_url_filters_and_ordering_override_the_queue(client, queue_world, frozen):
    client.force_login(queue_world.manager)
    url = reverse("queue_detail", args=["unassigned"])
    response = client.get(url, {"workload": "m365", "order": "-created"})
    assert [sr.pk for sr, _s, _a in response.context["rows"]] == ["100000000000002"]
    assert (
        response.context["filter_query"]
        == "workload=m365&status=none&status=open&status=attention_needed&assignee=none&order=-created"
    )


@pytest.mark.parametrize(
    ("params", "field"),
    [({"severity": "urgent"}, "severity"), ({"order": "title"}, "order"), ({"cursor": "zzz"}, "cursor")],
)
def test_bad_url_parameters_are_a_400_naming_them(client, queue_world, params, field):
    client.force_login(queue_world.manager)
    response = client.get(reverse("queue_detail", args=["unassigned"]), params)
    assert response.status_code == 400
    assert list(response.context["errors"]) == [field]


def test_htmx_gets_only_the_results(client, queue_world, frozen):
    client.force_login(queue_world.manager)
    response = client.get(reverse("queue_detail", args=["breached"]), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="queue-results"')
    assert "<html" not in html
    assert "100000000000003" in html


def _make_rows(partner, n: int):
    customer = CustomerFactory()
    ServiceRequest.objects.bulk_create(
        [
            ServiceRequest(
                id=str(400000000000000 + i),
                partner=partner,
                customer=customer,
                workload="m365",
                title=f"Bulk {i}",
                description="x",
                severity="moderate",
                status="open",
                created_at=NOW - timedelta(minutes=i),
                updated_at=NOW - timedelta(minutes=i),
                sla_due_at=NOW + timedelta(minutes=i),
            )
            for i in range(n)
        ]
    )


def _queries_for(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("order", ["-created", "sla_due"])
def test_queue_page_queries_do_not_grow_with_rows_or_depth(
    client, queue_world, frozen, django_assert_max_num_queries, order
):
    client.force_login(queue_world.manager, backend=SIGN_IN_BACKEND)  # as a real sign-in stores it
    url = reverse("queue_detail", args=["unassigned"])
    _make_rows(queue_world.partner, 230)
    # Fresh counts (a page view finding none recounts first: queues.freshness, tested below).
    queue_counts_refresh(partner_id=queue_world.partner.pk, now=NOW)
    first = _queries_for(client, url, {"order": order})
    cursor = client.get(url, {"order": order}).context["next_cursor"]
    for _ in range(2):
        cursor = client.get(url, {"order": order, "cursor": cursor}).context["next_cursor"]
    deep = _queries_for(client, url, {"order": order, "cursor": cursor})
    assert first == deep
    # session, user with its partner, roles, saved queues, counts, assignees, the page (one more at
    # the NULL tail of a nullable ordering)
    with django_assert_max_num_queries(7):
        client.get(url, {"order": order, "cursor": cursor})
    last_cursor = cursor
    while cursor:
        last_cursor = cursor
        cursor = client.get(url, {"order": order, "cursor": cursor}).context["next_cursor"]
    with django_assert_max_num_queries(8):
        assert client.get(url, {"order": order, "cursor": last_cursor}).context["next_cursor"] is None


def test_counts_refresh_writes_each_queue_and_drops_deleted_saved_queues(queue_world, frozen):
    saved = saved_queue_create(
        actor=queue_world.manager,
        name="Fabrikam",
        filters={"customer_id": str(queue_world.customers["fabrikam"].pk)},
        ordering="-created",
    )
    queue_counts_refresh(partner_id=queue_world.partner.pk, now=NOW)
    counts = dict(QueueCount.objects.filter(partner=queue_world.partner).values_list("queue_key", "count"))
    assert counts == {
        "unassigned": 3,
        "breaching_soon": 1,
        "breached": 1,
        "critical_open": 2,
        "attention_needed": 1,
        f"mine:{queue_world.manager.pk}": 1,
        f"mine:{queue_world.helpdesk.pk}": 2,
        f"mine:{queue_world.admin.pk}": 0,
        f"saved:{saved.pk}": 4,
    }  # no "handoffs": a partner without resellers nor hand-offs received has no such queue
    saved_queue_delete(actor=queue_world.manager, saved_queue=saved)
    queue_counts_refresh(partner_id=queue_world.partner.pk, now=NOW)
    assert not QueueCount.objects.filter(queue_key=f"saved:{saved.pk}").exists()
    assert not QueueCount.objects.filter(partner=queue_world.other).exists()


def test_a_saved_queue_assigned_to_me_counts_for_each_viewer(
    client, queue_world, frozen, django_assert_num_queries
):
    """Saved queues are shared by the partner's managers: "assigned to me" means whoever looks."""
    manager = queue_world.manager
    colleague = UserFactory(username="max", partner=queue_world.partner, roles=["support_manager"])
    ServiceRequest.objects.filter(pk__in=[queue_world.rows["ok"].pk, queue_world.rows["soon"].pk]).update(
        assigned_to=colleague
    )
    saved = SavedQueue.objects.create(
        partner=queue_world.partner,
        owner=manager,
        name="Assigned to me",
        filters={"statuses": ["open", "attention_needed"], "assignee": "me"},
    )
    queue_counts_refresh(partner_id=queue_world.partner.pk, now=NOW)
    counts = dict(
        QueueCount.objects.filter(queue_key__startswith=f"saved:{saved.pk}").values_list("queue_key", "count")
    )
    assert counts == {f"saved:{saved.pk}:{manager.pk}": 1, f"saved:{saved.pk}:{colleague.pk}": 2}

    key = f"saved-{saved.pk}"
    for viewer, expected in (
        (manager, ["100000000000004"]),
        (colleague, ["100000000000001", "100000000000002"]),
    ):
        queues = queues_visible(actor=viewer)
        with django_assert_num_queries(1):
            sidebar = queue_counts(actor=viewer, queues=queues)
        assert sidebar[key].count == len(expected)
        client.force_login(viewer)
        response = client.get(reverse("queue_detail", args=[key]), {"order": "created"})
        assert sorted(sr.pk for sr, _s, _a in response.context["rows"]) == expected
        assert {q.key: c.count for q, c in response.context["queues"] if c}[key] == len(expected)

    saved_queue_delete(actor=manager, saved_queue=saved)
    assert not QueueCount.objects.filter(queue_key__startswith=f"saved:{saved.pk}").exists()


def test_a_queue_saved_assigned_to_me_shows_each_manager_their_own_requests(client, queue_world, frozen):
    """Saving keeps "assigned to me" as ``me``: the colleague who opens the queue sees their own
    requests and their own count, not the requests of the manager who saved it."""
    manager = queue_world.manager
    colleague = UserFactory(username="max", partner=queue_world.partner, roles=["support_manager"])
    ServiceRequest.objects.filter(pk__in=[queue_world.rows["ok"].pk, queue_world.rows["soon"].pk]).update(
        assigned_to=colleague
    )
    client.force_login(manager)
    response = client.post(
        reverse("queue_saved_create"),
        {
            "name": "Assigned to me",
            "status": ["open", "attention_needed"],
            "assignee": "me",
            "order": "created",
        },
    )
    saved = SavedQueue.objects.get()
    assert response.status_code == 302
    assert (saved.owner_id, saved.filters) == (
        manager.pk,
        {"statuses": ["open", "attention_needed"], "assignee": "me"},
    )
    assert AuditEvent.objects.get(action="queue.saved").after["filters"] == saved.filters

    queue_counts_refresh(partner_id=queue_world.partner.pk, now=NOW)
    key = f"saved-{saved.pk}"
    for viewer, expected in (
        (colleague, ["100000000000001", "100000000000002"]),
        (manager, ["100000000000004"]),
    ):
        assert queue_get(actor=viewer, key=key).filters.assignee == "me"
        assert queue_counts(actor=viewer, queues=queues_visible(actor=viewer))[key].queue_key == (
            f"saved:{saved.pk}:{viewer.pk}"
        )
        client.force_login(viewer)
        response = client.get(reverse("queue_detail", args=[key]))
        assert response.status_code == 200
        assert response.context["filters"].assignee == "me"
        assert sorted(sr.pk for sr, _s, _a in response.context["rows"]) == expected
        assert {q.key: c.count for q, c in response.context["queues"] if c}[key] == len(expected)
        assert '<option value="me" selected>Me</option>' in response.content.decode()


def test_saving_renaming_deleting_through_the_pages(client, queue_world):
    client.force_login(queue_world.manager)
    response = client.post(
        reverse("queue_saved_create"), {"name": "Azure", "workload": "azure", "order": "sla_due"}
    )
    saved = SavedQueue.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("queue_detail", args=[f"saved-{saved.pk}"])
    assert (saved.filters, saved.ordering) == ({"workloads": ["azure"]}, "sla_due")
    client.post(reverse("queue_saved_rename", args=[saved.pk]), {"name": "Azure all"})
    saved.refresh_from_db()
    assert saved.name == "Azure all"
    client.force_login(queue_world.other_manager)
    assert client.post(reverse("queue_saved_delete", args=[saved.pk])).status_code == 404
    client.force_login(queue_world.manager)
    client.post(reverse("queue_saved_delete", args=[saved.pk]))
    assert not SavedQueue.objects.exists()
