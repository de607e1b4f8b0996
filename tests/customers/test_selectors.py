"""``customers.selectors``: what the customer lists of the browser and of ``/v1/customers`` read."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from customers.selectors import (
    GDAP_ACTIVE_STATUS,
    customer_list_with_relationship,
    customer_relationship_to_partner,
)
from gdap.choices import RelationshipStatus
from tests.factories import CustomerPartnerRelationshipFactory, RelationshipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_gdap_status_read_through_the_reverse_relation_is_gdaps_active_status():
    assert GDAP_ACTIVE_STATUS == RelationshipStatus.ACTIVE


def test_customer_list_with_relationship_annotates_the_partner_link_and_active_gdap(
    django_assert_num_queries,
):
    user = UserFactory(roles=["admin_agent"])
    active = CustomerPartnerRelationshipFactory(partner=user.partner, relationship="advisor").customer
    expired = CustomerPartnerRelationshipFactory(partner=user.partner).customer
    terminated = CustomerPartnerRelationshipFactory(partner=user.partner).customer
    other_partners_gdap = CustomerPartnerRelationshipFactory(partner=user.partner).customer
    CustomerPartnerRelationshipFactory()  # another partner's customer: not listed
    RelationshipFactory(partner=user.partner, customer=active)
    RelationshipFactory(
        partner=user.partner, customer=expired, activated_at=timezone.now() - timedelta(days=800)
    )
    RelationshipFactory(partner=user.partner, customer=terminated, status=RelationshipStatus.TERMINATED)
    RelationshipFactory(customer=other_partners_gdap)

    with django_assert_num_queries(1):
        rows = {
            c.pk: (c.relationship_to_partner, c.allow_delegated_access)
            for c in customer_list_with_relationship(actor=user)
        }

    assert rows == {
        active.pk: ("advisor", True),
        expired.pk: ("reseller", False),
        terminated.pk: ("reseller", False),
        other_partners_gdap.pk: ("reseller", False),
    }


def test_customer_relationship_to_partner_is_the_label_or_empty():
    link = CustomerPartnerRelationshipFactory(relationship="indirect_reseller")
    assert customer_relationship_to_partner(customer=link.customer, partner_id=link.partner_id) == (
        "Indirect reseller"
    )
    assert customer_relationship_to_partner(customer=link.customer, partner_id=None) == ""


def test_delegated_access_of_a_reseller_relationship_is_the_resellers_not_the_providers():
    """GDAP-INDIRECT-RESELLER: a relationship a provider created for its reseller is delegated access
    for the reseller's users, not for the provider's."""
    from partners.choices import PartnerType
    from tests.factories import PartnerFactory

    provider = PartnerFactory(type=PartnerType.INDIRECT_PROVIDER)
    reseller = PartnerFactory(type=PartnerType.INDIRECT_RESELLER, indirect_provider=provider)
    link = CustomerPartnerRelationshipFactory(partner=reseller, relationship="indirect_reseller")
    CustomerPartnerRelationshipFactory(partner=provider, customer=link.customer)
    RelationshipFactory(partner=provider, created_for_reseller=reseller, customer=link.customer)

    def access(partner):
        user = UserFactory(partner=partner, roles=["admin_agent"])
        return {c.pk: c.allow_delegated_access for c in customer_list_with_relationship(actor=user)}

    assert access(reseller) == {link.customer.pk: True}
    assert access(provider) == {link.customer.pk: False}
