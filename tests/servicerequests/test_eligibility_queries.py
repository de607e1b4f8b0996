"""The snapshot reads a fixed number of queries, however much GDAP data the customer has."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from customers.choices import AzureRole, Workload
from gdap.models import AccessAssignment, EntraRole, Relationship
from partners.models import GroupMembership, SecurityGroup
from servicerequests.eligibility import evaluate
from tests.factories import AzureRoleAssignmentFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db

RELATIONSHIPS = 50
ASSIGNMENTS_PER_RELATIONSHIP = 20


def grow(world, *, relationships: int, assignments_per_relationship: int) -> None:
    """Add relationships × assignments (bulk), many groups (alice in half) and more subscriptions."""
    now = timezone.now()
    groups = SecurityGroup.objects.bulk_create(
        [
            SecurityGroup(partner=world.partner, name=f"Bulk group {i}")
            for i in range(assignments_per_relationship)
        ]
    )
    GroupMembership.objects.bulk_create([GroupMembership(group=g, user=world.alice) for g in groups[::2]])
    rels = Relationship.objects.bulk_create(
        [
            Relationship(
                partner=world.partner,
                customer=world.customer,
                display_name=f"Bulk relationship {i}",
                duration=timedelta(days=730),
                status="active",
                activated_at=now - timedelta(days=10),
                end_at=now + timedelta(days=720),
            )
            for i in range(relationships)
        ]
    )
    roles = list(EntraRole.objects.filter(name__in=["Service Support Administrator", "Global Reader"]))
    Relationship.roles.through.objects.bulk_create(
        [Relationship.roles.through(relationship=r, entrarole=role) for r in rels for role in roles]
    )
    assignments = AccessAssignment.objects.bulk_create(
        [AccessAssignment(relationship=r, security_group=g, status="active") for r in rels for g in groups]
    )
    AccessAssignment.roles.through.objects.bulk_create(
        [
            AccessAssignment.roles.through(accessassignment=a, entrarole=role)
            for a in assignments
            for role in roles
        ]
    )
    for i in range(5):
        sub = SubscriptionFactory(
            customer=world.customer, workload=Workload.AZURE, offer=f"Azure plan {i}", provider=world.partner
        )
        AzureRoleAssignmentFactory(subscription=sub, role_definition_id=AzureRole.READER, user=world.alice)
    for group in groups:
        AzureRoleAssignmentFactory(subscription=world.azure, role_definition_id=AzureRole.READER, group=group)


def count_queries(request) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        decision = evaluate(request)
    return len(ctx.captured_queries), decision


@pytest.mark.parametrize("workload", ["m365", "azure", "marketplace"])
def test_query_count_is_fixed_and_at_most_six(world, workload, django_assert_max_num_queries):
    small, small_decision = count_queries(world.request(workload=workload))
    grow(world, relationships=RELATIONSHIPS, assignments_per_relationship=ASSIGNMENTS_PER_RELATIONSHIP)
    assert AccessAssignment.objects.count() == 1 + RELATIONSHIPS * ASSIGNMENTS_PER_RELATIONSHIP
    with django_assert_max_num_queries(6):
        decision = evaluate(world.request(workload=workload))
    large, _ = count_queries(world.request(workload=workload))
    assert large == small
    assert decision.failed_rule_ids == small_decision.failed_rule_ids
    assert "'Bulk relationship 0'" in decision.outcome("SR-GDAP-ACTIVE").message


def test_own_subscription_reads_two_queries(world, django_assert_num_queries):
    with django_assert_num_queries(2):
        decision = evaluate(world.request(customer_id=None, support_entitlement_id="PREM-7781"))
    assert decision.allowed


def test_no_active_relationship_skips_the_assignment_queries(world, django_assert_num_queries):
    world.relationship.status = "expired"
    world.relationship.save()
    with django_assert_num_queries(3):
        evaluate(world.request(workload="m365"))


@pytest.mark.parametrize(("workload", "queries"), [("m365", 4), ("azure", 5)])
def test_allowed_path_query_count(world, workload, queries, django_assert_num_queries):
    grow(world, relationships=RELATIONSHIPS, assignments_per_relationship=ASSIGNMENTS_PER_RELATIONSHIP)
    with django_assert_num_queries(queries):
        assert evaluate(world.request(workload=workload)).allowed


def test_worst_case_path_reads_six_queries_at_any_size(world, django_assert_num_queries):
    """The user's groups have no active assignment: a sample of other groups' is read for the remedy."""
    world.assignment.status = "pending"
    world.assignment.save()
    with django_assert_num_queries(6):
        small = evaluate(world.request(workload="azure"))
    grow(world, relationships=RELATIONSHIPS, assignments_per_relationship=ASSIGNMENTS_PER_RELATIONSHIP)
    GroupMembership.objects.filter(user=world.alice, group__name__startswith="Bulk").delete()
    with django_assert_num_queries(6):
        large = evaluate(world.request(workload="azure"))
    assert small.failed_rule_ids == large.failed_rule_ids == ["SR-GDAP-ASSIGNMENT", "SR-GDAP-ANY-ROLE"]
