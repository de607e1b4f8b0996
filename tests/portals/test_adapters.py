"""The portal adapters: one per workload portal, its own ticket number format, one ticket per request."""

import re
from datetime import UTC, datetime

import pytest

from portals.adapters import (
    ADAPTERS,
    AzurePortalAdapter,
    Microsoft365AdminCenterAdapter,
    PowerPlatformAdminCenterAdapter,
    adapter_for,
    portal_for_workload,
)
from portals.models import PortalTicket
from servicerequests.eligibility.tables import PORTAL_FOR_WORKLOAD
from tests.factories import ServiceRequestFactory, SubscriptionFactory

MOMENT = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "workload,portal", [("azure", "azure"), ("m365", "m365"), ("ems", "m365"), ("dynamics", "dynamics")]
)
def test_each_workload_goes_to_its_portal(workload, portal):
    assert portal_for_workload(workload) == portal
    assert adapter_for(portal).portal == portal


def test_marketplace_has_no_portal():
    assert "marketplace" not in PORTAL_FOR_WORKLOAD
    with pytest.raises(KeyError):
        portal_for_workload("marketplace")


@pytest.mark.parametrize(
    "adapter,pattern",
    [
        (AzurePortalAdapter(), r"261125\d{10}"),
        (Microsoft365AdminCenterAdapter(), r"[1-9]\d{7}"),
        (PowerPlatformAdminCenterAdapter(), r"CAS-\d{5}-[A-Z0-9]{6}"),
    ],
)
def test_ticket_number_formats(adapter, pattern):
    numbers = {adapter.new_ticket_number(now=MOMENT) for _ in range(200)}
    assert all(re.fullmatch(pattern, n) for n in numbers)
    assert len(numbers) > 190  # random enough that collisions are rare (and retried when they happen)


def test_azure_ticket_numbers_have_16_digits_like_real_azure_ones():
    assert len(AzurePortalAdapter().new_ticket_number(now=MOMENT)) == 16


@pytest.mark.django_db
def test_create_ticket_is_idempotent_per_request():
    request = ServiceRequestFactory(workload="m365", severity="critical", title="Teams calls drop")
    adapter = ADAPTERS["m365"]
    first = adapter.create_ticket(request)
    second = adapter.create_ticket(request)
    assert first == second
    ticket = PortalTicket.objects.get()
    assert (
        ticket.portal,
        ticket.ticket_number,
        ticket.customer_id,
        ticket.title,
        ticket.severity,
        ticket.status,
    ) == (
        "m365",
        first,
        request.customer_id,
        "Teams calls drop",
        "critical",
        "open",
    )
    assert ticket.details["severityLetter"] == "A"
    assert ticket.details["partnerCenterRequestId"] == request.pk
    assert ticket.details["supportCategory"] == "Microsoft 365"


@pytest.mark.django_db
def test_azure_ticket_carries_plan_issue_type_and_subscription():
    subscription = SubscriptionFactory(workload="azure", offer="Azure plan")
    request = ServiceRequestFactory(
        workload="azure", issue_type="quota", subscription=subscription, customer=subscription.customer
    )
    ADAPTERS["azure"].create_ticket(request)
    details = PortalTicket.objects.get().details
    assert details["supportPlan"] == "Cloud Solution Provider"
    assert details["issueType"] == "quota"
    assert details["subscriptionId"] == str(subscription.azure_subscription_id)
