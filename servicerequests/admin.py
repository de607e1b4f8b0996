from django.contrib import admin

from .models import Dispatch, Note, ServiceRequest, SupportTopic


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
        "created_at",
        "updated_at",
        "delivered_at",
    ]


@admin.register(ServiceRequest)
class ServiceRequestAdmin(admin.ModelAdmin):
    list_display = ["id", "title", "partner", "customer", "workload", "severity", "status", "created_at"]
    list_filter = ["status", "severity", "workload"]
    search_fields = ["id", "title"]
    list_select_related = ["partner", "customer"]
    raw_id_fields = ["customer", "subscription", "created_by", "assigned_to", "support_entitlement"]
    show_full_result_count = False
    inlines = [NoteInline, DispatchInline]


@admin.register(Dispatch)
class DispatchAdmin(admin.ModelAdmin):
    list_display = ["request", "portal", "status", "attempts", "updated_at"]
    list_filter = ["status", "portal"]
    raw_id_fields = ["request"]
