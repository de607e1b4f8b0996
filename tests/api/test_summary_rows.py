"""``servicerequests.api.summaries``: a collection page read as values writes the same items as the
same requests read as model instances, for every kind of row a page holds."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from servicerequests.api.serializers import ServiceRequestSummarySerializer
from servicerequests.api.summaries import SummaryRow, summary_rows
from servicerequests.api.views import _summary_relations
from servicerequests.models import ServiceRequest, SupportTopic
from servicerequests.selectors import support_topic_get
from tests.factories import (
    CustomerFactory,
    PartnerFactory,
    ServiceRequestFactory,
    SupportEntitlementFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _page(partner):
    return ServiceRequest.objects.filter(partner=partner).order_by("-created_at", "-id")


@pytest.fixture
def mixed_page():
    """A partner's requests of every shape: routed to a customer's portal, not yet routed (the
    snapshot's portal), about the partner's own subscription (no customer), assigned to a user with
    and without a name, with a support topic, closed with a breached clock."""
    partner = PartnerFactory(support_phone="+1 555 0199")
    customer = CustomerFactory(name="Contoso Ltd")
    topic = SupportTopic.objects.order_by("pk").first()
    assert topic is not None, "the migrations load the support topics"
    named = UserFactory(partner=partner, first_name="Ana", last_name="Silva")
    unnamed = UserFactory(partner=partner, first_name="", last_name="")
    ServiceRequestFactory(partner=partner, customer=customer, portal="m365", assigned_to=named)
    ServiceRequestFactory(
        partner=partner,
        customer=customer,
        portal="",
        status="none",
        eligibility={"portal": {"url": "/portals/azure/new-support-request"}},
        support_topic=topic,
    )
    ServiceRequestFactory(
        partner=partner,
        customer=None,
        support_entitlement=SupportEntitlementFactory(partner=partner),
        portal="azure",
        assigned_to=unnamed,
        eligibility={"portal": {"url": "/portals/azure/own"}},
    )
    now = timezone.now()
    ServiceRequestFactory(
        partner=partner,
        customer=customer,
        portal="m365",
        status="closed",
        closed_at=now,
        sla_due_at=now,
        sla_breached=True,
    )
    return partner


def test_a_page_read_as_values_writes_the_items_of_the_same_page_read_as_models(mixed_page):
    models = list(_page(mixed_page))
    rows = summary_rows(_page(mixed_page))
    _summary_relations(rows)

    expected = ServiceRequestSummarySerializer(models, many=True).data
    written = ServiceRequestSummarySerializer(rows, many=True).data

    assert [row.pk for row in rows] == [sr.pk for sr in models]
    assert JSONRenderer().render(written) == JSONRenderer().render(expected)
    by_id = {item["id"]: item for item in written}
    own = next(sr for sr in models if sr.customer_id is None)
    assert by_id[own.pk]["organization"]["phoneNumber"] == "+1 555 0199"
    assert {item["assignedTo"]["displayName"] for item in written if item["assignedTo"]} == {
        "Ana Silva",
        next(sr.assigned_to.username for sr in models if sr.assigned_to and not sr.assigned_to.first_name),
    }
    assert any(item["supportTopicName"] for item in written)


def test_a_page_is_read_in_one_query_and_its_relations_in_one_each(mixed_page):
    topic_id = next(sr.support_topic_id for sr in _page(mixed_page) if sr.support_topic_id)
    support_topic_get(topic_id)  # the process's copy of the topic table, read once

    with CaptureQueriesContext(connection) as page:
        rows = summary_rows(_page(mixed_page))
    with CaptureQueriesContext(connection) as relations:
        _summary_relations(rows)

    assert len(page) == 1
    assert all(isinstance(row, SummaryRow) for row in rows)
    # the partner of the request without a customer, the unrouted requests' portal URLs; the
    # topic is the process's copy's
    assert len(relations) == 2
    assert next(row for row in rows if row.support_topic_id).support_topic.pk == topic_id


def test_a_row_without_customer_or_assignee_has_neither():
    sr = ServiceRequestFactory(
        customer=None, support_entitlement=SupportEntitlementFactory(), assigned_to=None
    )

    (row,) = summary_rows(ServiceRequest.objects.filter(pk=sr.pk))

    assert row.pk == sr.pk
    assert row.customer is None
    assert row.assigned_to is None
    assert row.created_at == sr.created_at
