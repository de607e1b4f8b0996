"""Customers (tenants), their domains, partner links, subscriptions, Azure RBAC and service health."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from .choices import (
    AzureRole,
    Channel,
    CustomerCloud,
    HealthClassification,
    HealthStatus,
    RelationshipToPartner,
    SubscriptionStatus,
    Workload,
)


class Customer(models.Model):
    """A customer tenant. ``id`` is the tenant UUID; the first domain is the default one. ``cloud``
    decides which partners may serve it (SR-CLOUD-MATCH) and which service health issues it sees."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    cloud = models.CharField(max_length=32, choices=CustomerCloud.choices, default=CustomerCloud.COMMERCIAL)
    country = models.CharField(max_length=2, default="US")
    default_domain = models.CharField(max_length=253, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    partners = models.ManyToManyField(
        "partners.Partner", through="CustomerPartnerRelationship", related_name="customers"
    )

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name", "id"], name="customer_name_idx")]
        constraints = [
            models.UniqueConstraint(fields=["name"], name="customer_unique_name"),
            models.CheckConstraint(name="customer_cloud_valid", condition=Q(cloud__in=CustomerCloud.values)),
        ]

    def __str__(self) -> str:
        return self.name


class CustomerDomain(models.Model):
    """A domain of a customer tenant (``*.onmicrosoft.com`` or a verified custom domain)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253, unique=True)
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_default", "domain"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=Q(is_default=True), name="customerdomain_one_default"
            ),
        ]

    def __str__(self) -> str:
        return self.domain


class CustomerPartnerRelationship(models.Model):
    """A relationship row between a customer and a partner (reseller, advisor, indirect reseller)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="partner_links")
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="customer_links", db_index=False
    )
    relationship = models.CharField(max_length=32, choices=RelationshipToPartner.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "customer"], name="customerpartner_unique"),
            models.CheckConstraint(
                name="customerpartner_relationship_valid",
                condition=Q(relationship__in=RelationshipToPartner.values),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} → {self.customer} ({self.relationship})"


class IsvPublisher(models.Model):
    """A third-party software vendor whose marketplace products Microsoft does not support."""

    name = models.CharField(max_length=200, unique=True)
    support_url = models.URLField(blank=True)
    support_email = models.EmailField(blank=True)
    support_phone = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="isv_has_a_contact",
                condition=~Q(support_url="") | ~Q(support_email="") | ~Q(support_phone=""),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def contact(self) -> dict:
        return {
            "name": self.name,
            "supportUrl": self.support_url,
            "supportEmail": self.support_email,
            "supportPhone": self.support_phone,
        }


class Subscription(models.Model):
    """A customer's product subscription (CSP or direct; Azure ones carry an Azure subscription id)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="subscriptions", db_index=False
    )
    workload = models.CharField(max_length=16, choices=Workload.choices)
    offer = models.CharField(max_length=200)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.CSP)
    is_trial = models.BooleanField(default=False)
    status = models.CharField(
        max_length=16, choices=SubscriptionStatus.choices, default=SubscriptionStatus.ACTIVE
    )
    provider = models.ForeignKey(
        "partners.Partner",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="provided_subscriptions",
    )
    reseller = models.ForeignKey(
        "partners.Partner",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resold_subscriptions",
    )
    azure_subscription_id = models.UUIDField(null=True, blank=True, unique=True)
    isv = models.ForeignKey(
        IsvPublisher, null=True, blank=True, on_delete=models.PROTECT, related_name="subscriptions"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["workload", "offer"]
        indexes = [models.Index(fields=["customer", "workload"], name="subscription_cust_wl_idx")]
        constraints = [
            models.CheckConstraint(
                name="subscription_workload_valid", condition=Q(workload__in=Workload.values)
            ),
            models.CheckConstraint(
                name="subscription_channel_valid", condition=Q(channel__in=Channel.values)
            ),
            models.CheckConstraint(
                name="subscription_status_valid", condition=Q(status__in=SubscriptionStatus.values)
            ),
            models.CheckConstraint(
                name="subscription_csp_has_provider_direct_has_none",
                condition=(Q(channel=Channel.CSP, provider__isnull=False))
                | Q(channel=Channel.DIRECT, provider__isnull=True, reseller__isnull=True),
            ),
            models.CheckConstraint(
                name="subscription_azure_id_only_for_azure",
                condition=Q(azure_subscription_id__isnull=True) | Q(workload=Workload.AZURE),
            ),
            models.CheckConstraint(
                name="subscription_azure_has_azure_id",
                condition=~Q(workload=Workload.AZURE) | Q(azure_subscription_id__isnull=False),
            ),
            models.CheckConstraint(
                name="subscription_isv_iff_marketplace",
                condition=(Q(workload=Workload.MARKETPLACE) & Q(isv__isnull=False))
                | (~Q(workload=Workload.MARKETPLACE) & Q(isv__isnull=True)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offer} ({self.customer})"


class AzureRoleAssignment(models.Model):
    """An Azure RBAC role on an Azure subscription, held by a partner user or security group."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="azure_role_assignments"
    )
    role_definition_id = models.CharField(max_length=36, choices=AzureRole.choices)
    user = models.ForeignKey(
        "partners.User", null=True, blank=True, on_delete=models.CASCADE, related_name="azure_roles"
    )
    group = models.ForeignKey(
        "partners.SecurityGroup",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="azure_roles",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="azurerole_user_xor_group",
                condition=(Q(user__isnull=False) & Q(group__isnull=True))
                | (Q(user__isnull=True) & Q(group__isnull=False)),
            ),
            models.CheckConstraint(
                name="azurerole_role_valid", condition=Q(role_definition_id__in=AzureRole.values)
            ),
            models.UniqueConstraint(
                fields=["subscription", "role_definition_id", "user"],
                condition=Q(user__isnull=False),
                name="azurerole_unique_user",
            ),
            models.UniqueConstraint(
                fields=["subscription", "role_definition_id", "group"],
                condition=Q(group__isnull=False),
                name="azurerole_unique_group",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_definition_id_display()} on {self.subscription}"


class ServiceHealthIssue(models.Model):
    """A service health issue shaped like Graph's ``serviceHealthIssue``.

    ``customer`` is null for an issue that concerns every tenant of ``cloud``; a customer's own
    issue has the customer's cloud. Only customers of that cloud see it. ``posts`` is the list of
    ``{createdDateTime, postType, description}`` updates.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    issue_id = models.CharField(max_length=32, help_text="Graph id, for example EX712345.")
    customer = models.ForeignKey(
        Customer,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="health_issues",
        db_index=False,
    )
    cloud = models.CharField(max_length=32, choices=CustomerCloud.choices, default=CustomerCloud.COMMERCIAL)
    service = models.CharField(max_length=120)
    workload = models.CharField(max_length=16, choices=Workload.choices)
    feature = models.CharField(max_length=120, blank=True)
    feature_group = models.CharField(max_length=120, blank=True)
    classification = models.CharField(max_length=16, choices=HealthClassification.choices)
    status = models.CharField(max_length=32, choices=HealthStatus.choices)
    title = models.CharField(max_length=300)
    impact_description = models.TextField(blank=True)
    start_at = models.DateTimeField()
    end_at = models.DateTimeField(null=True, blank=True)
    is_resolved = models.BooleanField(default=False)
    posts = models.JSONField(default=list, blank=True)
    last_modified_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-start_at"]
        indexes = [
            models.Index(fields=["customer", "workload", "is_resolved"], name="health_cust_wl_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "issue_id"],
                condition=Q(customer__isnull=False),
                name="health_unique_per_customer",
            ),
            models.UniqueConstraint(
                fields=["issue_id"], condition=Q(customer__isnull=True), name="health_unique_global"
            ),
            models.CheckConstraint(name="health_cloud_valid", condition=Q(cloud__in=CustomerCloud.values)),
            models.CheckConstraint(
                name="health_end_after_start",
                condition=Q(end_at__isnull=True) | Q(end_at__gte=models.F("start_at")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.issue_id}: {self.title}"
