"""Issue #21: "Hand-offs from resellers" is listed in the queues' sidebar only where it applies,
for a partner with indirect resellers or one that has received a hand-off."""

from __future__ import annotations

from django.urls import reverse

from partners.models import Partner
from queues.reports import queue_counts_refresh
from servicerequests.handoffs.services import handoff_create
from tests.factories import PartnerFactory
from tests.servicerequests.conftest import handoff_world, world  # noqa: F401  (fixtures used below)


def _sidebar(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("queue_detail", args=["unassigned"])).content.decode()


def test_a_direct_bill_partner_without_resellers_or_handoffs_has_no_handoff_queue(client, handoff_world):  # noqa: F811
    w = handoff_world
    queue_counts_refresh(partner_id=w.partner.pk)
    html = _sidebar(client, w.extra["maria"])
    assert 'data-queue="unassigned"' in html
    assert 'data-queue="handoffs"' not in html and "Hand-offs from resellers" not in html


def test_the_queue_appears_once_the_partner_has_received_a_handoff(client, handoff_world):  # noqa: F811
    w = handoff_world
    handoff_create(
        actor=w.extra["paula"],
        customer_id=w.customer.pk,
        subscription_id=w.azure.pk,
        issue_type="billing",
        title="Invoice charges the plan twice",
        description="The March invoice charges the Azure plan twice.",
        severity="moderate",
    )
    queue_counts_refresh(partner_id=w.partner.pk)
    html = _sidebar(client, w.extra["maria"])
    assert 'data-queue="handoffs"' in html and "Hand-offs from resellers" in html


def test_an_indirect_provider_with_resellers_has_it_before_any_handoff(client, handoff_world):  # noqa: F811
    w = handoff_world
    Partner.objects.filter(pk=w.partner.pk).update(type="indirect_provider")
    PartnerFactory(name="Tailspin Resellers", type="indirect_reseller", indirect_provider=w.partner)
    queue_counts_refresh(partner_id=w.partner.pk)
    html = _sidebar(client, w.extra["maria"])
    assert 'data-queue="handoffs"' in html
