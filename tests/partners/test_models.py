"""Constraints and invariants of the partners models."""

import pytest
from django.db import IntegrityError, transaction

from partners.models import Partner, UserRole
from tests.factories import CustomerFactory, PartnerFactory, SecurityGroupFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_partner_type_must_be_known():
    with pytest.raises(IntegrityError), transaction.atomic():
        Partner.objects.create(name="Bad type", type="wholesaler")


def test_partner_cloud_must_be_known():
    with pytest.raises(IntegrityError), transaction.atomic():
        Partner.objects.create(name="Bad cloud", type="direct_bill", cloud="mooncake")


def test_only_indirect_resellers_have_an_indirect_provider():
    provider = PartnerFactory(type="indirect_provider")
    PartnerFactory(type="indirect_reseller", indirect_provider=provider)
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnerFactory(type="advisor", indirect_provider=provider)


def test_partner_names_are_unique():
    PartnerFactory(name="Contoso")
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnerFactory(name="Contoso")


def test_user_cannot_belong_to_both_a_partner_and_a_customer():
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(customer=CustomerFactory())


def test_partner_center_roles_are_rows_unique_per_user():
    user = UserFactory(roles=["admin_agent", "support_manager"])
    assert user.role_codes == {"admin_agent", "support_manager"}
    assert user.has_role("admin_agent")
    assert not user.has_role("sales_agent")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserRole.objects.create(user=user, role="admin_agent")


def test_unknown_partner_center_role_is_refused():
    user = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        UserRole.objects.create(user=user, role="super_agent")


def test_security_group_names_unique_per_partner_only():
    group = SecurityGroupFactory(name="Admin agents")
    SecurityGroupFactory(name="Admin agents")  # another partner: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        SecurityGroupFactory(name="Admin agents", partner=group.partner)
