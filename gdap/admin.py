from django.contrib import admin

from .models import AccessAssignment, EntraRole, Operation, Relationship, RelationshipRequest


@admin.register(EntraRole)
class EntraRoleAdmin(admin.ModelAdmin):
    list_display = ["name", "template_id", "support_tickets", "service_health"]
    search_fields = ["name"]


class AccessAssignmentInline(admin.TabularInline):
    model = AccessAssignment
    extra = 0
    fields = ["security_group", "status"]


@admin.register(Relationship)
class RelationshipAdmin(admin.ModelAdmin):
    list_display = ["display_name", "partner", "customer", "status", "activated_at", "end_at"]
    list_filter = ["status"]
    search_fields = ["display_name", "id"]
    list_select_related = ["partner", "customer"]
    filter_horizontal = ["roles"]
    inlines = [AccessAssignmentInline]


@admin.register(AccessAssignment)
class AccessAssignmentAdmin(admin.ModelAdmin):
    list_display = ["id", "relationship", "security_group", "status"]
    list_filter = ["status"]
    list_select_related = ["relationship", "security_group"]
    filter_horizontal = ["roles"]


@admin.register(RelationshipRequest)
class RelationshipRequestAdmin(admin.ModelAdmin):
    list_display = ["id", "relationship", "action", "status", "created_at"]
    list_filter = ["action", "status"]


@admin.register(Operation)
class OperationAdmin(admin.ModelAdmin):
    list_display = ["id", "relationship", "operation_type", "status", "created_at"]
    list_filter = ["operation_type", "status"]
