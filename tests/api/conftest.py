"""Fixtures of the /v1 API tests: a partner world where an admin agent may file for a customer."""

from dataclasses import dataclass

import pytest
from django.core.cache import caches
from rest_framework.test import APIClient

from core.models import ApiToken
from customers.choices import Workload
from partners.choices import PartnerCenterRole
from servicerequests.models import SupportTopic
from servicerequests.support_topics import SUPPORT_TOPICS
from tests.catalogues import ensure_entra_roles
from tests.factories import (
    AccessAssignmentFactory,
    CustomerFactory,
    CustomerPartnerRelationshipFactory,
    PartnerFactory,
    RelationshipFactory,
    SecurityGroupFactory,
    SubscriptionFactory,
    UserFactory,
)

HIGH_RATES = {"user": "100000/min", "partner": "100000/min"}


@pytest.fixture(autouse=True)
def api_settings(settings):
    """High throttle rates (the throttling test lowers them) and fresh throttle counters."""
    settings.API_THROTTLE_RATES = dict(HIGH_RATES)
    settings.CACHES = {
        **settings.CACHES,
        "api": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api-tests"},
    }
    caches["api"].clear()


def seed_catalogues() -> None:
    """Make sure the Entra role and support topic catalogues exist: the data migrations load them,
    but a transactional test starts after earlier ones truncated every table."""
    ensure_entra_roles()
    for topic_id, workload, name, description in SUPPORT_TOPICS:
        SupportTopic.objects.get_or_create(
            id=topic_id, defaults={"workload": workload, "name": name, "description": description}
        )


@dataclass
class World:
    partner: object
    admin: object
    customer: object
    other_partner: object
    other_customer: object
    group: object
    relationship: object


def make_partner_world(name: str = "Contoso", *, roles=(PartnerCenterRole.ADMIN_AGENT,)) -> World:
    seed_catalogues()
    partner = PartnerFactory(name=f"{name} Partners", support_phone="+1 425 555 0100")
    group = SecurityGroupFactory(partner=partner, name="Support desk")
    admin = UserFactory(
        username=f"{name.lower()}-alice",
        email=f"alice@{name.lower()}partners.example",
        first_name="Alice",
        last_name="Admin",
        phone="+1 425 555 0101",
        partner=partner,
        roles=list(roles),
        groups_in=[group],
    )
    customer = CustomerFactory(name=f"Fabrikam of {name}")
    CustomerPartnerRelationshipFactory(customer=customer, partner=partner, relationship="reseller")
    relationship = RelationshipFactory(
        partner=partner,
        customer=customer,
        display_name=f"{customer.name} support",
        role_names=["Service Support Administrator", "Global Reader"],
    )
    AccessAssignmentFactory(
        relationship=relationship,
        security_group=group,
        role_names=["Service Support Administrator", "Global Reader"],
    )
    SubscriptionFactory(customer=customer, workload=Workload.M365, provider=partner)
    other_partner = PartnerFactory(name=f"Other of {name}")
    other_customer = CustomerFactory(name=f"Northwind of {name}")
    CustomerPartnerRelationshipFactory(customer=other_customer, partner=other_partner)
    return World(partner, admin, customer, other_partner, other_customer, group, relationship)


@pytest.fixture
def world(db) -> World:
    return make_partner_world()


def token_for(user, **kwargs) -> str:
    _, token = ApiToken.objects.create(user=user, name="tests", **kwargs)
    return token


def client_for(user, **headers) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}", **headers)
    return client


@pytest.fixture
def api(world) -> APIClient:
    """An API client authenticated with a Bearer token of the world's admin agent."""
    return client_for(world.admin)
