from django.contrib import admin

from core.admin import ReadOnlyModelAdmin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyModelAdmin):
    """Read-only: audit events are append-only."""

    list_display = ["occurred_at", "actor_name", "action", "object_type", "object_id", "partner_id"]
    list_filter = ["action"]
    search_fields = ["object_id", "actor_name"]
    show_full_result_count = False
