"""Fixtures for the GDAP tests: a partner with an admin agent, a linked customer with its admin."""

from datetime import timedelta

import pytest

from gdap.choices import RelationshipStatus
from partners.choices import PartnerCenterRole
from tests.factories import (
    CustomerFactory,
    CustomerPartnerRelationshipFactory,
    PartnerFactory,
    RelationshipFactory,
    SecurityGroupFactory,
    UserFactory,
)

SSA = "f023fd81-a637-4b56-95fd-791ac0226033"  # Service Support Administrator
GR = "f2ef992c-3afb-46b9-b7cf-a126ee74c451"  # Global Reader
GA = "62e90394-69f5-4237-9190-012177145e10"  # Global Administrator
DR = "88d8e3e3-8f55-4a1e-953a-9b9898b8876b"  # Directory Readers

ALL_STATUSES = list(RelationshipStatus.values)


@pytest.fixture
def partner(db):
    return PartnerFactory(name="Contoso Partners")


@pytest.fixture
def customer(partner):
    customer = CustomerFactory(name="Fabrikam")
    CustomerPartnerRelationshipFactory(customer=customer, partner=partner)
    return customer


@pytest.fixture
def admin_agent(partner):
    return UserFactory(partner=partner, username="alice", roles=[PartnerCenterRole.ADMIN_AGENT])


@pytest.fixture
def sales_agent(partner):
    return UserFactory(partner=partner, username="sam", roles=[PartnerCenterRole.SALES_AGENT])


@pytest.fixture
def customer_admin(customer):
    return UserFactory(partner=None, customer=customer, username="fabrikam-ga", email="ga@fabrikam.example")


@pytest.fixture
def other_admin_agent(db):
    return UserFactory(username="mallory", roles=[PartnerCenterRole.ADMIN_AGENT])


@pytest.fixture
def group(partner):
    return SecurityGroupFactory(partner=partner, name="Support desk")


@pytest.fixture
def make_relationship(partner, customer):
    """A relationship of ``partner`` with ``customer`` in any status, with sensible dates."""

    def make(
        status=RelationshipStatus.ACTIVE, roles=("Service Support Administrator", "Global Reader"), **kw
    ):
        from django.utils import timezone

        now = timezone.now()
        defaults = {"partner": partner, "customer": customer, "status": status, "role_names": list(roles)}
        if status in (
            RelationshipStatus.CREATED,
            RelationshipStatus.APPROVAL_PENDING,
            RelationshipStatus.APPROVED,
        ):
            defaults |= {"activated_at": None, "end_at": None}
        if status == RelationshipStatus.APPROVAL_PENDING:
            defaults["locked_at"] = now - timedelta(days=1)
        return RelationshipFactory(**(defaults | kw))

    return make
