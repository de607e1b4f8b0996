"""Tickets as the simulated workload portals hold them, each in its portal's own id format."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from servicerequests.choices import Portal, Status


class PortalTicket(models.Model):
    """A ticket in a workload portal (Azure: 16-digit id; M365 / Power Platform: their own formats).

    At most one ticket per service request: this is what makes dispatch idempotent.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    portal = models.CharField(max_length=16, choices=Portal.choices)
    ticket_number = models.CharField(max_length=32)
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.CASCADE, related_name="portal_tickets"
    )
    service_request = models.OneToOneField(
        "servicerequests.ServiceRequest", on_delete=models.CASCADE, related_name="portal_ticket"
    )
    title = models.CharField(max_length=200)
    severity = models.CharField(max_length=16)
    status = models.CharField(max_length=24, default="open")
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["portal", "customer", "-created_at"], name="ticket_portal_cust_idx"),
            models.Index(fields=["status", "created_at"], name="ticket_status_created_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["portal", "ticket_number"], name="ticket_unique_number"),
            models.CheckConstraint(name="ticket_portal_valid", condition=Q(portal__in=Portal.values)),
        ]

    def __str__(self) -> str:
        return f"{self.get_portal_display()} ticket {self.ticket_number}"

    def get_status_display(self) -> str:
        """The status in words, as a service request's ``Status`` labels it (an unknown value as stored)."""
        return dict(Status.choices).get(self.status, self.status)
