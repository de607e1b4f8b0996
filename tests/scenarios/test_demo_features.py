"""What the demo shows beyond the eligibility cases: a pending hand-off waiting for Northwind, an
expiring relationship that the relationship list flags, and portal tickets on the seeded requests."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse

from gdap.models import EntraRole
from gdap.roles import ENTRA_ROLES
from partners.models import User
from portals.models import PortalTicket
from scenario.loader import scenario_load
from servicerequests.handoffs.models import HandoffStatus, ServiceRequestHandoff
from servicerequests.models import ServiceRequest

DEMO = Path(settings.BASE_DIR) / "scenarios" / "demo.yaml"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        for template_id, name, tickets, health in ENTRA_ROLES:
            EntraRole.objects.get_or_create(
                template_id=template_id,
                defaults={"name": name, "support_tickets": tickets, "service_health": health},
            )
        yield scenario_load(DEMO)
        transaction.set_rollback(True)


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_a_pending_handoff_waits_in_noras_queue_and_tom_follows_it(demo, db):
    pending = ServiceRequestHandoff.objects.get(status=HandoffStatus.PENDING)
    assert (pending.reseller.name, pending.provider.name, pending.customer.name) == (
        "Tailspin Resellers",
        "Northwind Distribution",
        "Lamna Healthcare",
    )
    assert pending.notes.count() == 1
    assert (
        ServiceRequestHandoff.objects.filter(status=HandoffStatus.DECLINED).exclude(decline_reason="").count()
        == 1
    )
    html = _client("nora").get(reverse("queue_handoffs")).content.decode()
    assert pending.title in html
    html = _client("tom").get(reverse("servicerequests:handoff_list")).content.decode()
    assert pending.title in html and "Declined by the provider" in html


def test_the_relationship_list_flags_relecloud_expiring_in_six_days(demo, db):
    html = _client("alice").get(reverse("gdap:relationship_list")).content.decode()
    row = next(r for r in html.split("<tr>") if "Relecloud administration" in r)
    assert 'data-testid="expiring-flag"' in row
    assert "expires in 5\xa0days" in row or "expires in 6\xa0days" in row
    fabrikam = next(r for r in html.split("<tr>") if ">Fabrikam support<" in r)
    assert 'data-testid="expiring-flag"' not in fabrikam


def test_seeded_requests_that_reached_their_portal_have_its_ticket(demo, db):
    dispatched = ServiceRequest.objects.filter(
        customer__isnull=False, status__in=["open", "attention_needed", "closed"]
    ).exclude(workload="marketplace")
    assert dispatched.count() > 200
    assert not dispatched.filter(external_ticket_id="").exists()
    tickets = dict(PortalTicket.objects.values_list("service_request_id", "ticket_number"))
    assert all(tickets[sr.pk] == sr.external_ticket_id for sr in dispatched.only("pk", "external_ticket_id"))
    azure = dispatched.filter(workload="azure").first()
    assert len(azure.external_ticket_id) == 16 and azure.portal == "azure"
    assert not ServiceRequest.objects.filter(status="none").exclude(external_ticket_id="").exists()
