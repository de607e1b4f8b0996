from django.contrib import admin

from .models import PortalTicket


@admin.register(PortalTicket)
class PortalTicketAdmin(admin.ModelAdmin):
    list_display = ["ticket_number", "portal", "customer", "title", "status", "created_at"]
    list_filter = ["portal", "status"]
    search_fields = ["ticket_number", "title"]
    raw_id_fields = ["service_request", "customer"]
    readonly_fields = ["created_at", "updated_at"]
