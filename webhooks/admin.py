from django.contrib import admin

from .models import WebhookDelivery, WebhookRegistration


@admin.register(WebhookRegistration)
class WebhookRegistrationAdmin(admin.ModelAdmin):
    """Registrations; the signing secret is never shown (only its salt is stored)."""

    list_display = ["partner", "url", "created_at"]
    readonly_fields = ["secret_salt", "secret_hint"]
    exclude = ["secret_salt"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """Deliveries, read-only: they change only through delivery attempts."""

    list_display = ["delivery_id", "partner", "status", "attempts", "last_status_code", "created_at"]
    list_filter = ["status"]
    search_fields = ["delivery_id"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
