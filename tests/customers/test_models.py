"""Constraints and invariants of the customers models."""

import uuid

import pytest
from django.db import IntegrityError, transaction

from customers.models import AzureRoleAssignment, CustomerDomain, IsvPublisher, Subscription
from tests.factories import (
    CustomerFactory,
    IsvPublisherFactory,
    PartnerFactory,
    SecurityGroupFactory,
    ServiceHealthIssueFactory,
    SubscriptionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_one_default_domain_per_customer_and_domains_unique():
    customer = CustomerFactory(default_domain="fabrikam.onmicrosoft.com")
    CustomerDomain.objects.create(customer=customer, domain="fabrikam.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        CustomerDomain.objects.create(customer=customer, domain="fabrikam.net", is_default=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        CustomerDomain.objects.create(customer=CustomerFactory(), domain="fabrikam.com")


@pytest.mark.parametrize(
    ("channel", "with_provider", "ok"),
    [("csp", True, True), ("csp", False, False), ("direct", False, True), ("direct", True, False)],
)
def test_csp_subscriptions_have_a_provider_and_direct_ones_none(channel, with_provider, ok):
    customer = CustomerFactory()
    provider = PartnerFactory() if with_provider else None

    def create():
        Subscription.objects.create(
            customer=customer, workload="m365", offer="E3", channel=channel, provider=provider
        )

    if ok:
        create()
    else:
        with pytest.raises(IntegrityError), transaction.atomic():
            create()


def test_azure_subscriptions_need_an_azure_id_and_only_they_have_one():
    customer = CustomerFactory()
    provider = PartnerFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscription.objects.create(
            customer=customer, workload="azure", offer="Azure plan", provider=provider
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscription.objects.create(
            customer=customer,
            workload="m365",
            offer="E3",
            provider=provider,
            azure_subscription_id=uuid.uuid4(),
        )


def test_marketplace_subscriptions_point_at_an_isv_and_others_do_not():
    customer = CustomerFactory()
    provider = PartnerFactory()
    isv = IsvPublisherFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscription.objects.create(
            customer=customer, workload="marketplace", offer="Backup", provider=provider
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscription.objects.create(
            customer=customer, workload="m365", offer="E3", provider=provider, isv=isv
        )
    sub = SubscriptionFactory(workload="marketplace", offer="Backup")
    assert sub.isv is not None


def test_isv_needs_at_least_one_contact():
    with pytest.raises(IntegrityError), transaction.atomic():
        IsvPublisher.objects.create(name="Silent ISV")


def test_azure_role_assignment_goes_to_a_user_or_a_group_not_both():
    sub = SubscriptionFactory(workload="azure", offer="Azure plan")
    user = UserFactory()
    group = SecurityGroupFactory(partner=user.partner)
    reader = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
    AzureRoleAssignment.objects.create(subscription=sub, role_definition_id=reader, user=user)
    AzureRoleAssignment.objects.create(subscription=sub, role_definition_id=reader, group=group)
    with pytest.raises(IntegrityError), transaction.atomic():
        AzureRoleAssignment.objects.create(
            subscription=sub, role_definition_id=reader, user=user, group=group
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        AzureRoleAssignment.objects.create(subscription=sub, role_definition_id=reader)
    with pytest.raises(IntegrityError), transaction.atomic():
        AzureRoleAssignment.objects.create(subscription=sub, role_definition_id=reader, user=user)


def test_unknown_azure_role_is_refused():
    sub = SubscriptionFactory(workload="azure", offer="Azure plan")
    with pytest.raises(IntegrityError), transaction.atomic():
        AzureRoleAssignment.objects.create(
            subscription=sub, role_definition_id=str(uuid.uuid4()), user=UserFactory()
        )


def test_health_issue_ids_unique_per_customer_and_globally():
    customer = CustomerFactory()
    ServiceHealthIssueFactory(issue_id="EX1", customer=customer)
    ServiceHealthIssueFactory(issue_id="EX1", customer=CustomerFactory())
    ServiceHealthIssueFactory(issue_id="EX1", customer=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceHealthIssueFactory(issue_id="EX1", customer=customer)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceHealthIssueFactory(issue_id="EX1", customer=None)
