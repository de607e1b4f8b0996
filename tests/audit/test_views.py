"""The audit log page: who may read it, filters, keyset pages, CSV export, object history."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.selectors import audit_events_for_object
from partners.choices import PartnerCenterRole
from tests.api.conftest import make_partner_world
from tests.factories import UserFactory

LOG = reverse("audit:log")
EXPORT = reverse("audit:export")
BASE = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def event(world, *, minutes=0, action="servicerequest.updated", actor=None, customer=None, **fields):
    actor = actor or world.admin
    return AuditEvent.objects.create(
        occurred_at=BASE + timedelta(minutes=minutes),
        action=action,
        actor_id=actor.pk,
        actor_name=actor.username,
        partner_id=world.partner.pk,
        customer_id=customer.pk if customer else None,
        object_type=fields.pop("object_type", "servicerequests.ServiceRequest"),
        object_id=fields.pop("object_id", "616122292874576"),
        **fields,
    )


@pytest.fixture
def browser(client, world):
    client.force_login(world.admin)
    return client


def page_ids(response) -> list[int]:
    return [e.pk for e in response.context["events"]]


def test_keyset_pages_cover_every_event_once_in_order(browser, world):
    # 120 events, many sharing a timestamp: the id breaks the tie.
    for n in range(120):
        event(world, minutes=n // 4)
    # Signing in wrote auth.signed_in too (now, so first).
    expected = list(
        AuditEvent.objects.filter(partner_id=world.partner.pk)
        .order_by("-occurred_at", "-id")
        .values_list("pk", flat=True)
    )
    assert len(expected) == 121
    seen, url, pages = [], LOG, 0
    while url:
        response = browser.get(url)
        assert response.status_code == 200
        seen.extend(page_ids(response))
        pages += 1
        cursor = response.context["next_cursor"]
        url = f"{LOG}?cursor={cursor}" if cursor else None
    assert seen == expected
    assert pages == 3
    assert len(set(seen)) == 121


def test_a_page_reads_a_fixed_number_of_queries(browser, world, django_assert_max_num_queries):
    for n in range(60):
        event(world, minutes=n)
    with django_assert_max_num_queries(7):
        response = browser.get(LOG)
    assert len(response.context["events"]) == 50


def test_a_forged_cursor_is_a_400_showing_the_first_page(browser, world):
    event(world)
    response = browser.get(f"{LOG}?cursor=not-a-cursor")
    assert response.status_code == 400
    assert "not a cursor of this list" in response.content.decode()
    assert [e.action for e in response.context["events"]] == ["auth.signed_in", "servicerequest.updated"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"action": "servicerequest.filed"}, ["filed"]),
        ({"object_type": "gdap.Relationship"}, ["gdap"]),
        ({"object_id": "999999999999999"}, ["other-object"]),
        ({"date_from": "2026-03-02", "date_to": "2026-03-02"}, ["next-day"]),
        ({"date_to": "2026-03-01"}, ["filed", "gdap", "other-object", "by-bob", "for-customer"]),
    ],
)
def test_filters(browser, world, params, expected):
    labels = {}
    labels["filed"] = event(world, minutes=1, action="servicerequest.filed")
    labels["gdap"] = event(world, minutes=2, object_type="gdap.Relationship", object_id="abc")
    labels["other-object"] = event(world, minutes=3, object_id="999999999999999")
    labels["by-bob"] = event(world, minutes=4, actor=UserFactory(partner=world.partner, username="bob"))
    labels["for-customer"] = event(world, minutes=5, customer=world.customer)
    labels["next-day"] = event(world, minutes=60 * 24 + 1)
    response = browser.get(LOG, params)
    assert response.status_code == 200
    names = {v.pk: k for k, v in labels.items()}
    assert sorted(names[pk] for pk in page_ids(response)) == sorted(expected)


def test_actor_and_customer_filters(browser, world):
    bob = UserFactory(partner=world.partner, username="bob")
    mine = event(world, minutes=1, actor=bob)
    event(world, minutes=2)
    for_customer = event(world, minutes=3, customer=world.customer)
    assert page_ids(browser.get(LOG, {"actor": bob.pk})) == [mine.pk]
    assert page_ids(browser.get(LOG, {"customer": world.customer.pk})) == [for_customer.pk]


def test_an_inverted_date_range_is_refused(browser, world):
    response = browser.get(LOG, {"date_from": "2026-03-05", "date_to": "2026-03-01"})
    assert response.status_code == 400
    assert "must be on or after the From date." in response.content.decode()


def test_another_partners_events_never_appear(browser, world):
    other = make_partner_world("Tailspin")
    theirs = AuditEvent.objects.create(
        action="servicerequest.filed", partner_id=other.partner.pk, actor_name="eve"
    )
    mine = event(world)
    signed_in = AuditEvent.objects.get(action="auth.signed_in")
    assert page_ids(browser.get(LOG)) == [signed_in.pk, mine.pk]
    assert "eve" not in browser_csv(browser)
    assert theirs.pk not in page_ids(browser.get(LOG, {"action": "servicerequest.filed"}))


def browser_csv(browser, params=None) -> str:
    response = browser.get(EXPORT, params or {})
    assert response.status_code == 200
    assert response.streaming
    return b"".join(response.streaming_content).decode()


def test_csv_export_streams_the_filtered_events(browser, world):
    event(world, minutes=1, action="servicerequest.filed", after={"title": '=HYPERLINK("http://x")'})
    event(
        world,
        minutes=2,
        action="servicerequest.updated",
        before={"status": "open"},
        after={"status": "closed"},
    )
    response = browser.get(EXPORT, {"action": "servicerequest.updated"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == [
        "occurred_at",
        "actor_id",
        "actor",
        "partner_id",
        "customer_id",
        "action",
        "object_type",
        "object_id",
        "before",
        "after",
        "request_id",
        "correlation_id",
        "ip_address",
    ]
    assert rows[1:] == [
        [
            "2026-03-01T12:02:00+00:00",
            str(world.admin.pk),
            world.admin.username,
            str(world.partner.pk),
            "",
            "servicerequest.updated",
            "servicerequests.ServiceRequest",
            "616122292874576",
            '{"status":"open"}',
            '{"status":"closed"}',
            "",
            "",
            "",
        ]
    ]


def test_csv_cells_that_look_like_formulas_are_neutralised(browser, world):
    event(world, actor=UserFactory(partner=world.partner, username="=cmd"))
    rows = list(csv.reader(io.StringIO(browser_csv(browser, {"action": "servicerequest.updated"}))))
    assert rows[1][2] == "'=cmd"


@pytest.mark.parametrize(
    "role", [PartnerCenterRole.SALES_AGENT, PartnerCenterRole.HELPDESK_AGENT, PartnerCenterRole.BILLING_ADMIN]
)
@pytest.mark.parametrize("url", [LOG, EXPORT])
def test_other_roles_get_403(client, world, role, url):
    client.force_login(UserFactory(partner=world.partner, roles=[role]))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("role", [PartnerCenterRole.ADMIN_AGENT, PartnerCenterRole.SUPPORT_MANAGER])
def test_admin_agents_and_support_managers_read_it_and_see_the_nav_link(client, world, role):
    client.force_login(UserFactory(partner=world.partner, roles=[role]))
    response = client.get(LOG)
    assert response.status_code == 200
    assert f'href="{LOG}"' in response.content.decode()


def test_object_history_is_scoped_to_the_partner_and_oldest_first(world):
    other = make_partner_world("Tailspin")
    later = event(world, minutes=5)
    earlier = event(world, minutes=1)
    AuditEvent.objects.create(
        action="x",
        partner_id=other.partner.pk,
        object_type="servicerequests.ServiceRequest",
        object_id="616122292874576",
    )
    history = audit_events_for_object(
        actor=world.admin, object_type="servicerequests.ServiceRequest", object_id="616122292874576"
    )
    assert list(history) == [earlier, later]


def test_history_partial_renders(world):
    from django.template.loader import render_to_string

    filed = event(world, action="servicerequest.filed", after={"status": "none"})
    html = render_to_string("audit/_history.html", {"history": [filed]})
    assert "servicerequest.filed" in html
    assert f'data-event-id="{filed.pk}"' in html
