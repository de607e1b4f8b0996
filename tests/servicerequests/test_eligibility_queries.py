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
from tests.factories import AzureRoleAssignmentFactory, SubscriptionFactory, UserFactory

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
def test_query_count_is_fixed_and_at_most_four(world, workload, django_assert_max_num_queries):
    small, small_decision = count_queries(world.request(workload=workload))
    grow(world, relationships=RELATIONSHIPS, assignments_per_relationship=ASSIGNMENTS_PER_RELATIONSHIP)
    assert AccessAssignment.objects.count() == 1 + RELATIONSHIPS * ASSIGNMENTS_PER_RELATIONSHIP
    with django_assert_max_num_queries(4):
        decision = evaluate(world.request(workload=workload))
    large, _ = count_queries(world.request(workload=workload))
    assert large == small
    assert decision.failed_rule_ids == small_decision.failed_rule_ids
    assert "'Bulk relationship 0'" in decision.outcome("SR-GDAP-ACTIVE").message


def test_own_subscription_reads_two_queries(world, django_assert_num_queries):
    with django_assert_num_queries(2):
        decision = evaluate(world.request(customer_id=None, support_entitlement_id="PREM-7781"))
    assert decision.allowed


def test_no_active_relationship_reads_no_other_groups_assignments(world, django_assert_num_queries):
    """The user with the customer (one statement), and the relationships with the user's
    assignments (one statement); with no active relationship, no sample of other groups'
    assignments is read."""
    world.relationship.status = "expired"
    world.relationship.save()
    with django_assert_num_queries(2):
        evaluate(world.request(workload="m365"))


@pytest.mark.parametrize(("workload", "queries"), [("m365", 2), ("azure", 3)])
def test_allowed_path_query_count(world, workload, queries, django_assert_num_queries):
    grow(world, relationships=RELATIONSHIPS, assignments_per_relationship=ASSIGNMENTS_PER_RELATIONSHIP)
    with django_assert_num_queries(queries):
        assert evaluate(world.request(workload=workload)).allowed


def test_worst_case_path_reads_four_queries_at_any_size(world, django_assert_num_queries):
    """The user's groups have no active assignment: a sample of other groups' is read for the remedy."""
    world.assignment.status = "pending"
    world.assignment.save()
    with django_assert_num_queries(4):
        small = evaluate(world.request(workload="azure"))
    grow(world, relationships=RELATIONSHIPS, assignments_per_relationship=ASSIGNMENTS_PER_RELATIONSHIP)
    GroupMembership.objects.filter(user=world.alice, group__name__startswith="Bulk").delete()
    with django_assert_num_queries(4):
        large = evaluate(world.request(workload="azure"))
    assert small.failed_rule_ids == large.failed_rule_ids == ["SR-GDAP-ASSIGNMENT", "SR-GDAP-ANY-ROLE"]


def _orm_reference(world, now):
    """The four hot queries as the ORM's ``values()`` joins: what ``queries`` must return."""
    from django.db.models import Exists, OuterRef, Q

    from customers.models import Customer
    from gdap.selectors import held_by
    from partners.models import User
    from webhooks.models import WebhookRegistration

    role = ("roles__template_id", "roles__name", "roles__support_tickets", "roles__service_health")
    partner_ref = tuple(
        f"partner__indirect_provider{s}"
        for s in ("_id", "__name", "__type", "__support_email", "__support_phone", "__support_url")
    )
    partner_id, customer_id = world.partner.pk, world.customer.pk
    users = User.objects.filter(pk=world.alice.pk).values(
        "id",
        "username",
        "email",
        "phone",
        "partner_id",
        "partner__name",
        "partner__type",
        "partner__cloud",
        "partner__domains",
        "partner__support_email",
        "partner__support_phone",
        "partner__support_url",
        *partner_ref,
        "roles__role",
        "memberships__group_id",
        "memberships__group__name",
        "memberships__group__partner_id",
        has_webhook_registrations=Exists(
            WebhookRegistration.objects.filter(partner_id=OuterRef("partner_id"))
        ),
    )
    users = [
        {
            **{k: v for k, v in row.items() if k != "has_webhook_registrations"},
            "partner__has_webhook_registrations": row["has_webhook_registrations"],
        }
        for row in users
    ]
    customers = Customer.objects.filter(pk=customer_id, partner_links__partner_id=partner_id).values(
        "id", "name", "cloud", "country", "default_domain", "domains__domain"
    )
    relationships = (
        Relationship.objects.filter(Q(partner_id=partner_id) | Q(created_for_reseller_id=partner_id))
        .filter(customer_id=customer_id)
        .order_by("display_name", "id", "roles__name")
        .values(
            "id",
            "display_name",
            "status",
            "end_at",
            "partner_id",
            "partner__name",
            "created_for_reseller_id",
            "created_for_reseller__name",
            "partner_consent_at",
            *role,
        )
    )
    groups = list(GroupMembership.objects.filter(user=world.alice).values_list("group_id", flat=True))
    assignments = (
        AccessAssignment.objects.filter(
            held_by(partner_id, "relationship__"),
            relationship__customer_id=customer_id,
            relationship__status="active",
            relationship__end_at__gt=now,
            security_group_id__in=groups,
        )
        .exclude(status="deleted")
        .order_by("security_group__name", "id", "roles__name")
        .values("id", "relationship_id", "security_group_id", "security_group__name", "status", *role)
    )
    return list(users), list(customers), list(relationships), list(assignments), groups


def types(rows):
    return [{key: type(value) for key, value in row.items()} for row in rows]


def test_the_sql_rows_equal_the_orms(world):
    """``queries`` (SQL written once) returns what the ORM's ``values()`` joins return, keys, values
    and types alike, on SQLite and PostgreSQL: with many groups, relationships and roles, a
    relationship another partner created for this one (GDAP-INDIRECT-RESELLER), one this partner
    created for a reseller, a deleted assignment and an expired relationship."""
    from servicerequests.eligibility import queries
    from tests.factories import AccessAssignmentFactory, PartnerFactory, RelationshipFactory

    grow(world, relationships=4, assignments_per_relationship=3)
    now = timezone.now()
    provider, reseller = PartnerFactory(name="Provider Ltd"), PartnerFactory(name="Reseller Ltd")
    group = SecurityGroup.objects.filter(partner=world.partner, members=world.alice).first()
    for relationship in (
        RelationshipFactory(partner=provider, customer=world.customer, created_for_reseller=world.partner),
        RelationshipFactory(partner=world.partner, customer=world.customer, created_for_reseller=reseller),
        RelationshipFactory(partner=world.partner, customer=world.customer, end_at=now - timedelta(days=1)),
    ):
        AccessAssignmentFactory(relationship=relationship, security_group=group)
    AccessAssignment.objects.filter(relationship__display_name="Bulk relationship 0").update(status="deleted")

    users, customers, relationships, assignments, groups = _orm_reference(world, now)
    assert len(users) > 1 and relationships and assignments  # the world has rows of every kind

    def canonical(rows):
        return sorted(repr(sorted(row.items())) for row in rows)

    got_users = queries.user_rows(user_pk=world.alice.pk)
    assert canonical(got_users) == canonical(users)
    got_users, got_customers = queries.user_and_customer_rows(
        user_pk=world.alice.pk, customer_id=world.customer.pk
    )
    assert canonical(got_users) == canonical(users)  # the same user rows, read with the customer
    assert canonical(got_customers) == canonical(customers)
    assert types(got_customers) == types(customers)
    got = queries.relationship_rows(partner_id=world.partner.pk, customer_id=world.customer.pk)
    assert got == relationships
    assert types(got) == types(relationships)
    scope = {
        "partner_id": world.partner.pk,
        "customer_id": world.customer.pk,
        "now": now,
        "relationship_status": "active",
        "deleted_status": "deleted",
    }
    both = queries.relationship_and_assignment_rows(**scope, group_ids=groups)
    assert both == (relationships, assignments)  # one statement, the same rows in the same order
    assert types(both[0] + both[1]) == types(relationships + assignments)
    assert queries.relationship_and_assignment_rows(**scope, group_ids=[]) == (relationships, [])
    # The customer is read only for the user's own partner; a user without a partner reads none.
    reseller_user = UserFactory(partner=reseller)
    assert queries.user_and_customer_rows(user_pk=reseller_user.pk, customer_id=world.customer.pk)[1] == []
    loner = UserFactory(partner=None)
    assert queries.user_and_customer_rows(user_pk=loner.pk, customer_id=world.customer.pk) == (
        queries.user_rows(user_pk=loner.pk),
        [],
    )
    assert {row["partner__has_webhook_registrations"] for row in got_users} == {False}

    from webhooks.models import WebhookRegistration

    WebhookRegistration.objects.create(partner=provider, url="https://provider.example/hook")
    assert {r["partner__has_webhook_registrations"] for r in queries.user_rows(user_pk=world.alice.pk)} == {
        False
    }  # another partner's registration is not this one's
    WebhookRegistration.objects.create(partner=world.partner, url="https://contoso.example/hook")
    users, *_ = _orm_reference(world, now)
    got_users = queries.user_rows(user_pk=world.alice.pk)
    assert canonical(got_users) == canonical(users)
    assert {row["partner__has_webhook_registrations"] for row in got_users} == {True}
