"""Append-only audit events.

Events are a record that outlives the objects they describe, so they hold
ids and names rather than foreign keys. The model refuses updates and
deletes; on PostgreSQL a trigger (migration ``0002``) makes the database
itself reject UPDATE and DELETE on the table.
"""

from django.db import models
from django.utils import timezone


class AuditEventImmutable(Exception):
    """Raised on any attempt to change or delete an audit event."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditEventImmutable("Audit events are append-only: UPDATE is refused.")

    def delete(self):
        raise AuditEventImmutable("Audit events are append-only: DELETE is refused.")

    _raw_delete = delete


class AuditEvent(models.Model):
    """Who did what, on behalf of which customer, to which object, with before/after values."""

    occurred_at = models.DateTimeField(default=timezone.now)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_name = models.CharField(max_length=150, blank=True)
    partner_id = models.UUIDField(null=True, blank=True)
    customer_id = models.UUIDField(null=True, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=80, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    correlation_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["partner_id", "-occurred_at", "-id"], name="audit_partner_time_idx"),
            models.Index(fields=["partner_id", "action", "-occurred_at"], name="audit_partner_action_idx"),
            models.Index(fields=["object_type", "object_id", "-occurred_at"], name="audit_object_idx"),
            models.Index(fields=["partner_id", "customer_id", "-occurred_at"], name="audit_customer_idx"),
            models.Index(fields=["partner_id", "actor_id", "-occurred_at"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.actor_name or 'system'} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditEventImmutable("Audit events are append-only: an event cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditEventImmutable("Audit events are append-only: an event cannot be deleted.")
