from django.contrib import admin

from core.admin import ReadOnlyModelAdmin

from .models import Dispatch, Note, Notification, QueueExport, ServiceRequest, SupportTopic


@admin.register(SupportTopic)
class SupportTopicAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "workload"]
    list_filter = ["workload"]


class NoteInline(admin.TabularInline):
    model = Note
    extra = 0
    readonly_fields = ["created_by", "created_by_name", "created_at"]


class DispatchInline(admin.StackedInline):
    model = Dispatch
    extra = 0
    readonly_fields = [
        "portal",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "created_at",
        "updated_at",
        "delivered_at",
    ]


class NotificationInline(admin.TabularInline):
    model = Notification
    extra = 0
    can_delete = False
    fields = ["kind", "recipient_email", "created_at", "sent_at", "attempts", "last_error"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ServiceRequest)
class ServiceRequestAdmin(admin.ModelAdmin):
    list_display = ["id", "title", "partner", "customer", "workload", "severity", "status", "created_at"]
    list_filter = ["status", "severity", "workload"]
    search_fields = ["id", "title"]
    list_select_related = ["partner", "customer"]
    raw_id_fields = ["customer", "subscription", "created_by", "assigned_to", "support_entitlement"]
    show_full_result_count = False
    readonly_fields = ["sla_state", "version"]
    inlines = [NoteInline, DispatchInline, NotificationInline]

    @admin.display(description="SLA state")
    def sla_state(self, obj):
        return obj.sla_state.label


@admin.register(Dispatch)
class DispatchAdmin(admin.ModelAdmin):
    list_display = ["request", "portal", "status", "attempts", "next_attempt_at", "short_error", "updated_at"]
    list_filter = ["status", "portal"]
    raw_id_fields = ["request"]
    readonly_fields = [
        "attempts",
        "last_error",
        "next_attempt_at",
        "created_at",
        "updated_at",
        "delivered_at",
    ]
    search_fields = ["request__id"]

    @admin.display(description="last error")
    def short_error(self, obj):
        return (obj.last_error[:80] + "…") if len(obj.last_error) > 80 else obj.last_error


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["kind", "request", "recipient_email", "created_at", "sent_at", "attempts"]
    list_filter = ["kind"]
    search_fields = ["request__id", "recipient_email"]
    raw_id_fields = ["request", "recipient"]
    readonly_fields = ["created_at", "sent_at", "attempts", "last_error"]


@admin.register(QueueExport)
class QueueExportAdmin(ReadOnlyModelAdmin):
    """Read-only: exports are written by their task and removed by the purge."""

    list_display = ["id", "queue_name", "requested_by", "status", "rows_written", "rows_total", "created_at"]
    list_filter = ["status"]
    search_fields = ["id", "queue_name", "requested_by__username"]
    list_select_related = ["requested_by"]
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]
