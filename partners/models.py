"""Partner organisations, their users, Partner Center roles, security groups and entitlements."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .choices import Cloud, EntitlementKind, PartnerCenterRole, PartnerType


class Partner(models.Model):
    """A CSP partner organisation: one tenant of this portal.

    ``id`` is the partner's tenant UUID. An indirect reseller points at the
    indirect provider (distributor) it buys through.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200, unique=True)
    type = models.CharField(max_length=32, choices=PartnerType.choices)
    cloud = models.CharField(max_length=32, choices=Cloud.choices, default=Cloud.COMMERCIAL)
    mpn_id = models.CharField("MPN id", max_length=32, blank=True)
    domains = models.JSONField(default=list, blank=True)
    indirect_provider = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="indirect_resellers"
    )
    support_email = models.EmailField(blank=True)
    support_phone = models.CharField(max_length=64, blank=True)
    support_url = models.URLField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="partner_type_valid",
                condition=Q(type__in=PartnerType.values),
            ),
            models.CheckConstraint(
                name="partner_cloud_valid",
                condition=Q(cloud__in=Cloud.values),
            ),
            models.CheckConstraint(
                name="partner_indirect_provider_only_for_resellers",
                condition=Q(indirect_provider__isnull=True) | Q(type=PartnerType.INDIRECT_RESELLER),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def support_contact(self) -> dict:
        return {"email": self.support_email, "phone": self.support_phone, "url": self.support_url}


def display_name(first_name: str, last_name: str, username: str = "") -> str:
    """First and last name as ``AbstractUser.get_full_name`` joins them, or ``username`` when both
    are empty: how a user is named where only their columns were read (values, not a ``User``)."""
    return f"{first_name} {last_name}".strip() or username


class User(AbstractUser):
    """A person who signs in: a partner's user, or a customer-side admin.

    Exactly one of ``partner`` and ``customer`` is set for everyone except
    platform superusers. Partner Center roles are :class:`UserRole` rows.
    """

    partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.CASCADE, related_name="users"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="admins",
        help_text="Set for a customer-side global admin (approves GDAP requests).",
    )
    phone = models.CharField(max_length=64, blank=True)
    language = models.CharField(
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text="The language of this user's pages and e-mails; blank follows the browser.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="user_partner_or_customer_not_both",
                condition=Q(partner__isnull=True) | Q(customer__isnull=True),
            ),
        ]

    @property
    def role_codes(self) -> set[str]:
        """Partner Center role codes of this user (uses a prefetch when present)."""
        return {r.role for r in self.roles.all()}

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_codes.intersection(roles))

    @property
    def is_customer_admin(self) -> bool:
        return self.customer_id is not None


class UserRole(models.Model):
    """One Partner Center role held by a partner user in the partner's own tenant."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles", db_index=False)
    role = models.CharField(max_length=32, choices=PartnerCenterRole.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="userrole_unique"),
            models.CheckConstraint(
                name="userrole_role_valid", condition=Q(role__in=PartnerCenterRole.values)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"


class SecurityGroup(models.Model):
    """A partner's security group; GDAP access assignments grant roles to it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="security_groups", db_index=False
    )
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    members = models.ManyToManyField(User, through="GroupMembership", related_name="security_groups")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "name"], name="securitygroup_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.partner})"


class GroupMembership(models.Model):
    """Membership of a partner user in one of the partner's security groups."""

    group = models.ForeignKey(SecurityGroup, on_delete=models.CASCADE, db_index=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="groupmembership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.group_id}"


class SupportEntitlement(models.Model):
    """A support plan of the partner itself (for requests about its own subscriptions)."""

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="support_entitlements", db_index=False
    )
    kind = models.CharField(max_length=32, choices=EntitlementKind.choices)
    entitlement_id = models.CharField(max_length=64)
    valid_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["entitlement_id"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "entitlement_id"], name="supportentitlement_unique"),
            models.CheckConstraint(
                name="supportentitlement_kind_valid", condition=Q(kind__in=EntitlementKind.values)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.entitlement_id}"

    def is_valid(self, at=None) -> bool:
        at = at or timezone.now()
        return self.valid_until is None or self.valid_until > at
