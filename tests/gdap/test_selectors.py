"""The GDAP selectors that eligibility-adjacent pages share."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gdap.selectors import effective_roles, health_visible_customer_ids
from tests.factories import AccessAssignmentFactory, RelationshipFactory, SecurityGroupFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    agent = UserFactory(roles=["admin_agent"])
    desk = SecurityGroupFactory(partner=agent.partner, name="Support desk")
    readers = SecurityGroupFactory(partner=agent.partner, name="Readers")
    other_group = SecurityGroupFactory(partner=agent.partner, name="Other")
    agent.security_groups.add(desk, readers)
    rel = RelationshipFactory(
        partner=agent.partner,
        role_names=["Service Support Administrator", "Global Reader", "Directory Readers"],
    )
    AccessAssignmentFactory(
        relationship=rel, security_group=desk, role_names=["Service Support Administrator"]
    )
    AccessAssignmentFactory(
        relationship=rel, security_group=readers, role_names=["Global Reader"], status="pending"
    )
    AccessAssignmentFactory(relationship=rel, security_group=other_group, role_names=["Directory Readers"])
    return agent, rel


def test_effective_roles_come_from_active_assignments_to_the_users_groups(world):
    agent, rel = world
    assert [r.name for r in effective_roles(user=agent, customer_id=rel.customer_id)] == [
        "Service Support Administrator"
    ]


def test_no_roles_once_the_relationship_has_ended(world):
    agent, rel = world
    later = rel.end_at + timedelta(minutes=1)
    assert list(effective_roles(user=agent, customer_id=rel.customer_id, at=later)) == []
    rel.status = "terminated"
    rel.save()
    assert list(effective_roles(user=agent, customer_id=rel.customer_id)) == []


def test_no_roles_for_another_partners_user(world):
    _, rel = world
    stranger = UserFactory(roles=["admin_agent"])
    assert list(effective_roles(user=stranger, customer_id=rel.customer_id)) == []


def test_health_visible_customers_need_a_service_health_role(world):
    agent, rel = world
    assert list(health_visible_customer_ids(user=agent)) == [{"relationship__customer_id": rel.customer_id}]
    other = RelationshipFactory(partner=agent.partner, role_names=["Directory Readers"])
    AccessAssignmentFactory(
        relationship=other, security_group=agent.security_groups.first(), role_names=["Directory Readers"]
    )
    ids = {
        row["relationship__customer_id"] for row in health_visible_customer_ids(user=agent, at=timezone.now())
    }
    assert ids == {rel.customer_id}
