"""The hand-off of a request from a reseller (or advisor) to the provider of the customer's
subscription, and the notes both sides add to it."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import IssueType, Severity


class HandoffStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the provider")
    ACCEPTED = "accepted", _("Filed by the provider")
    DECLINED = "declined", _("Declined by the provider")


#: The provider's response clock of a hand-off, by severity (the "Hand-offs from resellers" queue).
HANDOFF_RESPONSE_TARGETS: dict[str, timedelta] = {
    Severity.CRITICAL: timedelta(hours=1),
    Severity.MODERATE: timedelta(hours=4),
    Severity.MINIMAL: timedelta(hours=8),
}


def handoff_due_at(*, severity: str, created_at: datetime) -> datetime:
    """When the provider's answer (filed or declined) to a hand-off is due."""
    return created_at + HANDOFF_RESPONSE_TARGETS[severity]


class ServiceRequestHandoff(models.Model):
    """A reseller's request that its provider file a service request it may not file itself.

    ``reseller``: the partner asking (an indirect reseller or an advisor); ``provider``: the
    subscription's provider, who files it (``service_request``) or declines it (``decline_reason``).
    Both partners read it; no other partner does.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reseller = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="handoffs_sent", db_index=False
    )
    provider = models.ForeignKey(
        "partners.Partner",
        on_delete=models.CASCADE,
        related_name="handoffs_received",
        db_index=False,
    )
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    subscription = models.ForeignKey("customers.Subscription", on_delete=models.CASCADE, related_name="+")
    workload = models.CharField(max_length=16, default="azure")
    issue_type = models.CharField(max_length=32, choices=IssueType.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=10000)
    severity = models.CharField(max_length=16, choices=Severity.choices)
    contact_first_name = models.CharField(max_length=100, blank=True)
    contact_last_name = models.CharField(max_length=100, blank=True)
    contact_email = models.EmailField()
    contact_phone = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=16, choices=HandoffStatus.choices, default=HandoffStatus.PENDING)
    created_by = models.ForeignKey("partners.User", null=True, on_delete=models.SET_NULL, related_name="+")
    due_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        "partners.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(max_length=2000, blank=True)
    service_request = models.OneToOneField(
        "servicerequests.ServiceRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="handoff",
    )
    notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "servicerequests"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["provider", "status", "due_at"], name="handoff_provider_idx"),
            models.Index(fields=["reseller", "-created_at"], name="handoff_reseller_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def contact_name(self) -> str:
        return f"{self.contact_first_name} {self.contact_last_name}".strip()


class HandoffNote(models.Model):
    """A note on a hand-off by either side (``partner``: the writer's partner)."""

    handoff = models.ForeignKey(ServiceRequestHandoff, on_delete=models.CASCADE, related_name="notes")
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    text = models.TextField(max_length=4000)
    created_by = models.ForeignKey("partners.User", null=True, on_delete=models.SET_NULL, related_name="+")
    created_by_name = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "servicerequests"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.created_by_name}: {self.text[:40]}"
