from django.contrib import admin

from .models import (
    AzureRoleAssignment,
    Customer,
    CustomerDomain,
    CustomerPartnerRelationship,
    IsvPublisher,
    ServiceHealthIssue,
    Subscription,
)


class CustomerDomainInline(admin.TabularInline):
    model = CustomerDomain
    extra = 0


class PartnerLinkInline(admin.TabularInline):
    model = CustomerPartnerRelationship
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "default_domain", "cloud", "country", "id"]
    list_filter = ["cloud", "country"]
    search_fields = ["name", "domains__domain"]
    inlines = [CustomerDomainInline, PartnerLinkInline]


class AzureRoleInline(admin.TabularInline):
    model = AzureRoleAssignment
    extra = 0


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["offer", "customer", "workload", "channel", "is_trial", "status", "provider"]
    list_filter = ["workload", "channel", "is_trial", "status"]
    search_fields = ["offer", "customer__name"]
    list_select_related = ["customer", "provider"]
    inlines = [AzureRoleInline]


@admin.register(IsvPublisher)
class IsvPublisherAdmin(admin.ModelAdmin):
    list_display = ["name", "support_url", "support_email", "support_phone"]
    search_fields = ["name"]


@admin.register(ServiceHealthIssue)
class ServiceHealthIssueAdmin(admin.ModelAdmin):
    list_display = ["issue_id", "title", "service", "customer", "classification", "status", "start_at"]
    list_filter = ["workload", "classification", "status", "is_resolved"]
    search_fields = ["issue_id", "title"]
    list_select_related = ["customer"]
