"""GDAP: Entra role catalogue, delegated admin relationships, access assignments, requests, operations."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from .choices import (
    AUTO_EXTEND_OFF,
    AUTO_EXTEND_ON,
    MAX_DURATION,
    MIN_DURATION,
    AssignmentStatus,
    OperationStatus,
    OperationType,
    RelationshipStatus,
    RequestAction,
    RequestStatus,
)


def new_relationship_id() -> str:
    """Graph's relationship id form: two GUIDs joined by ``-``."""
    return f"{uuid.uuid4()}-{uuid.uuid4()}"


class EntraRole(models.Model):
    """A built-in Entra role, keyed by its real template id, with the capabilities RULES.md gives it
    (``reference/entra-roles.md``, loaded from ``gdap.roles.CATALOGUE`` by data migrations)."""

    template_id = models.UUIDField(primary_key=True)
    name = models.CharField(max_length=120, unique=True)
    support_tickets = models.BooleanField(
        default=False, help_text="microsoft.office365.supportTickets: may file M365, EMS, Dynamics requests."
    )
    service_health = models.BooleanField(
        default=False, help_text="microsoft.office365.serviceHealth: may read service health."
    )
    azure_support_tickets = models.BooleanField(
        default=False, help_text="microsoft.azure.supportTickets: may open Azure support tickets."
    )
    privileged = models.BooleanField(default=False, help_text="Microsoft marks the role as privileged.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def capabilities(self) -> list[str]:
        caps = []
        if self.support_tickets:
            caps.append("support_tickets")
        if self.service_health:
            caps.append("service_health")
        if self.azure_support_tickets:
            caps.append("azure_support_tickets")
        return caps


class Relationship(models.Model):
    """A GDAP delegated admin relationship: a time-bound grant of Entra roles from a customer to a partner.

    ``end_at`` = ``activated_at`` + ``duration`` (GDAP-APPROVE). ``duration_iso`` is the duration as
    the partner wrote it (``P2Y``), echoed by Graph; empty when it was given in days.

    When an indirect provider creates it for one of its resellers, ``created_for_reseller`` names
    that reseller (GDAP-INDIRECT-RESELLER): the reseller consents first (``partner_consent_at``,
    Graph's ``isPartnerConsentPending`` until then), then the customer approves; once active it
    grants the reseller's security groups, never the provider's.
    """

    id = models.CharField(primary_key=True, max_length=73, default=new_relationship_id, editable=False)
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.CASCADE,
        related_name="gdap_relationships",
        db_index=False,
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="gdap_relationships"
    )
    display_name = models.CharField(max_length=50)
    duration = models.DurationField()
    duration_iso = models.CharField(max_length=32, blank=True, default="")
    auto_extend_duration = models.DurationField(default=AUTO_EXTEND_OFF)
    status = models.CharField(
        max_length=24, choices=RelationshipStatus.choices, default=RelationshipStatus.CREATED
    )
    roles = models.ManyToManyField(EntraRole, related_name="relationships")
    created_for_reseller = models.ForeignKey(
        "partners.Partner",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="gdap_relationships_from_provider",
    )
    partner_consent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_modified_at = models.DateTimeField(default=timezone.now)
    locked_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    end_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["partner", "customer", "status"], name="gdap_rel_partner_cust_idx"),
            models.Index(fields=["partner", "status", "end_at"], name="gdap_rel_partner_status_idx"),
            models.Index(fields=["status", "end_at"], name="gdap_rel_status_end_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["partner", "display_name"], name="gdap_rel_unique_name"),
            models.CheckConstraint(
                name="gdap_rel_status_valid", condition=Q(status__in=RelationshipStatus.values)
            ),
            models.CheckConstraint(
                name="gdap_rel_duration_bounds",
                condition=Q(duration__gte=MIN_DURATION) & Q(duration__lte=MAX_DURATION),
            ),
            models.CheckConstraint(
                name="gdap_rel_auto_extend_values",
                condition=Q(auto_extend_duration__in=[AUTO_EXTEND_OFF, AUTO_EXTEND_ON]),
            ),
            models.CheckConstraint(
                name="gdap_rel_end_after_activation",
                condition=Q(end_at__isnull=True)
                | Q(activated_at__isnull=True)
                | Q(end_at__gt=models.F("activated_at")),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def auto_extends(self) -> bool:
        return self.auto_extend_duration == AUTO_EXTEND_ON

    @property
    def holder_id(self):
        """The partner whose security groups the relationship grants: the reseller it was created
        for, else the partner that created it (GDAP-INDIRECT-RESELLER)."""
        return self.created_for_reseller_id or self.partner_id

    @property
    def is_partner_consent_pending(self) -> bool:
        """Graph's ``isPartnerConsentPending``: a relationship created for a reseller that the reseller
        has neither approved nor rejected yet (False for any other relationship)."""
        return (
            self.created_for_reseller_id is not None
            and self.partner_consent_at is None
            and self.status in (RelationshipStatus.CREATED, RelationshipStatus.APPROVAL_PENDING)
        )

    def is_active_at(self, at=None) -> bool:
        at = at or timezone.now()
        return self.status == RelationshipStatus.ACTIVE and self.end_at is not None and self.end_at > at


class AccessAssignment(models.Model):
    """Inside a relationship, a grant of some of its roles to one of the partner's security groups."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    relationship = models.ForeignKey(
        Relationship,
        on_delete=models.CASCADE,
        related_name="access_assignments",
        db_index=False,
    )
    security_group = models.ForeignKey(
        "partners.SecurityGroup",
        on_delete=models.CASCADE,
        related_name="access_assignments",
        db_index=False,
    )
    roles = models.ManyToManyField(EntraRole, related_name="access_assignments")
    status = models.CharField(
        max_length=16, choices=AssignmentStatus.choices, default=AssignmentStatus.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_modified_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["security_group", "status"], name="gdap_assign_group_status_idx"),
            models.Index(fields=["relationship", "status"], name="gdap_assign_rel_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                name="gdap_assign_status_valid", condition=Q(status__in=AssignmentStatus.values)
            ),
            models.UniqueConstraint(
                fields=["relationship", "security_group"],
                condition=~Q(status__in=[AssignmentStatus.DELETED]),
                name="gdap_assign_one_live_per_group",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.security_group} in {self.relationship}"


class RelationshipRequest(models.Model):
    """An action requested on a relationship (Graph ``delegatedAdminRelationshipRequest``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    relationship = models.ForeignKey(Relationship, on_delete=models.CASCADE, related_name="requests")
    action = models.CharField(max_length=24, choices=RequestAction.choices)
    status = models.CharField(max_length=16, choices=RequestStatus.choices, default=RequestStatus.CREATED)
    requested_by = models.ForeignKey(
        "partners.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_modified_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.action} on {self.relationship}"


class Operation(models.Model):
    """A long-running operation on a relationship (Graph ``delegatedAdminRelationshipOperation``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    relationship = models.ForeignKey(Relationship, on_delete=models.CASCADE, related_name="operations")
    operation_type = models.CharField(max_length=48, choices=OperationType.choices)
    data = models.TextField(blank=True)
    status = models.CharField(
        max_length=16, choices=OperationStatus.choices, default=OperationStatus.NOT_STARTED
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_modified_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.operation_type} ({self.status})"


class RoleTemplate(models.Model):
    """A partner's saved set of Entra roles, offered by the role picker next to the built-in
    least-privileged templates of ``gdap.roles.SUGGESTED_TEMPLATES``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.CASCADE,
        related_name="gdap_role_templates",
        db_index=False,
    )
    name = models.CharField(max_length=80)
    roles = models.ManyToManyField(EntraRole, related_name="templates")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "name"], name="gdap_roletemplate_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ExpiryNotice(models.Model):
    """One GDAP-EXPIRY-NOTICE sent to the partner's admin agents: ``days_before`` (30, 7 or 1) the
    relationship's ``end_at``. Unique per relationship, threshold and end date, so each notice goes
    out once, and a relationship whose end date moved gets a fresh set."""

    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="expiry_notices", db_index=False
    )
    days_before = models.PositiveSmallIntegerField()
    end_at = models.DateTimeField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["relationship", "days_before", "end_at"], name="gdap_expirynotice_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.days_before}-day notice for {self.relationship_id}"
