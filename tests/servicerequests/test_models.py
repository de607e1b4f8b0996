"""Constraints and invariants of the service request models."""

import re

import pytest
from django.db import IntegrityError, transaction

from servicerequests.models import Dispatch, SupportTopic, new_service_request_id
from servicerequests.support_topics import SUPPORT_TOPICS
from tests.factories import ServiceRequestFactory

pytestmark = pytest.mark.django_db


def test_ids_are_15_digit_numeric_strings():
    for _ in range(200):
        assert re.fullmatch(r"[1-9][0-9]{14}", new_service_request_id())
    assert re.fullmatch(r"[1-9][0-9]{14}", ServiceRequestFactory().id)


def test_a_malformed_id_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRequestFactory(id="12345")


def test_support_topic_catalogue_is_seeded_for_every_workload():
    assert SupportTopic.objects.count() == len(SUPPORT_TOPICS)
    assert set(SupportTopic.objects.values_list("workload", flat=True)) == {
        "azure",
        "m365",
        "ems",
        "dynamics",
    }


@pytest.mark.parametrize("field,value", [("status", "pending"), ("severity", "urgent"), ("workload", "xbox")])
def test_enums_are_enforced_by_the_database(field, value):
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRequestFactory(**{field: value})


def test_issue_type_only_on_azure_requests():
    ServiceRequestFactory(workload="azure", issue_type="billing")
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRequestFactory(workload="m365", issue_type="billing")


def test_own_subscription_request_needs_an_entitlement():
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRequestFactory(customer=None)


def test_closed_requests_carry_a_closed_date():
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRequestFactory(status="closed")


def test_one_dispatch_per_request():
    request = ServiceRequestFactory()
    Dispatch.objects.create(request=request, portal="m365")
    with pytest.raises(IntegrityError), transaction.atomic():
        Dispatch.objects.create(request=request, portal="m365")
