"""factory_boy factories for the domain models (tests only)."""

import uuid
from datetime import timedelta

import factory
from django.utils import timezone

from customers.choices import Channel, Workload
from customers.models import (
    AzureRoleAssignment,
    Customer,
    CustomerDomain,
    CustomerPartnerRelationship,
    IsvPublisher,
    ServiceHealthIssue,
    Subscription,
)
from gdap.choices import AssignmentStatus, RelationshipStatus
from gdap.models import AccessAssignment, EntraRole, Relationship
from partners.choices import Cloud, PartnerType
from partners.models import GroupMembership, Partner, SecurityGroup, SupportEntitlement, User, UserRole
from servicerequests.models import ServiceRequest


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Partner {n}")
    type = PartnerType.DIRECT_BILL
    cloud = Cloud.COMMERCIAL
    mpn_id = factory.Sequence(lambda n: f"{4400000 + n}")
    domains = factory.LazyAttribute(lambda o: [f"{o.name.lower().replace(' ', '')}.example"])
    support_email = "help@partner.example"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@partner.example")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    partner = factory.SubFactory(PartnerFactory)
    password = factory.django.Password("pass-word-123")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            for role in extracted:
                UserRole.objects.create(user=self, role=role)

    @factory.post_generation
    def groups_in(self, create, extracted, **kwargs):
        if create and extracted:
            for group in extracted:
                GroupMembership.objects.create(user=self, group=group)


class SecurityGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SecurityGroup

    partner = factory.SubFactory(PartnerFactory)
    name = factory.Sequence(lambda n: f"Group {n}")


class SupportEntitlementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportEntitlement

    partner = factory.SubFactory(PartnerFactory)
    kind = "premier_unified"
    entitlement_id = factory.Sequence(lambda n: f"PREM-{1000 + n}")
    valid_until = factory.LazyFunction(lambda: timezone.now() + timedelta(days=300))


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Customer {n}")
    cloud = Cloud.COMMERCIAL
    country = "US"
    default_domain = factory.LazyAttribute(lambda o: f"{o.name.lower().replace(' ', '')}.onmicrosoft.com")

    @factory.post_generation
    def with_domain(self, create, extracted, **kwargs):
        if create and self.default_domain:
            CustomerDomain.objects.get_or_create(
                customer=self, domain=self.default_domain, defaults={"is_default": True}
            )


class CustomerPartnerRelationshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerPartnerRelationship

    customer = factory.SubFactory(CustomerFactory)
    partner = factory.SubFactory(PartnerFactory)
    relationship = "reseller"


class IsvPublisherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IsvPublisher

    name = factory.Sequence(lambda n: f"ISV {n}")
    support_url = "https://support.isv.example"
    support_email = "support@isv.example"
    support_phone = "+1 800 555 0199"


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription

    customer = factory.SubFactory(CustomerFactory)
    workload = Workload.M365
    offer = "Microsoft 365 E3"
    channel = Channel.CSP
    provider = factory.SubFactory(PartnerFactory)
    azure_subscription_id = factory.LazyAttribute(
        lambda o: uuid.uuid4() if o.workload == Workload.AZURE else None
    )
    isv = factory.LazyAttribute(
        lambda o: IsvPublisherFactory() if o.workload == Workload.MARKETPLACE else None
    )


class AzureRoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AzureRoleAssignment

    subscription = factory.SubFactory(SubscriptionFactory, workload=Workload.AZURE, offer="Azure plan")
    role_definition_id = "cfd33db0-3dd1-45e3-aa9d-cdbdf3b6f24e"


class RelationshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Relationship
        skip_postgeneration_save = True

    partner = factory.SubFactory(PartnerFactory)
    customer = factory.SubFactory(CustomerFactory)
    display_name = factory.Sequence(lambda n: f"Relationship {n}")
    duration = timedelta(days=730)
    status = RelationshipStatus.ACTIVE
    activated_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=30))
    end_at = factory.LazyAttribute(
        lambda o: o.activated_at + o.duration if o.activated_at is not None else None
    )

    @factory.post_generation
    def role_names(self, create, extracted, **kwargs):
        if create and extracted:
            self.roles.set(EntraRole.objects.filter(name__in=extracted))


class AccessAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccessAssignment
        skip_postgeneration_save = True

    relationship = factory.SubFactory(RelationshipFactory)
    security_group = factory.SubFactory(SecurityGroupFactory)
    status = AssignmentStatus.ACTIVE

    @factory.post_generation
    def role_names(self, create, extracted, **kwargs):
        if create and extracted:
            self.roles.set(EntraRole.objects.filter(name__in=extracted))


class ServiceHealthIssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceHealthIssue

    issue_id = factory.Sequence(lambda n: f"EX{700000 + n}")
    customer = None
    # A customer's own issue is in the customer's cloud; a global one in the commercial cloud.
    cloud = factory.LazyAttribute(lambda o: o.customer.cloud if o.customer is not None else "commercial")
    service = "Exchange Online"
    workload = Workload.M365
    classification = "incident"
    status = "serviceDegradation"
    title = "Delays sending mail"
    start_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=2))


class ServiceRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceRequest

    partner = factory.SubFactory(PartnerFactory)
    customer = factory.SubFactory(CustomerFactory)
    workload = Workload.M365
    title = factory.Sequence(lambda n: f"Request {n}")
    description = "Something is wrong."
    severity = "moderate"
    status = "open"
