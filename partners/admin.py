from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import GroupMembership, Partner, SecurityGroup, SupportEntitlement, User, UserRole


class UserRoleInline(admin.TabularInline):
    model = UserRole
    extra = 0


class GroupMembershipInline(admin.TabularInline):
    model = GroupMembership
    extra = 0
    autocomplete_fields = ["group"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "partner", "customer", "is_active"]
    list_filter = ["partner", "is_active"]
    list_select_related = ["partner", "customer"]
    fieldsets = DjangoUserAdmin.fieldsets + (("Organisation", {"fields": ("partner", "customer", "phone")}),)
    inlines = [UserRoleInline, GroupMembershipInline]


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "type", "cloud", "mpn_id", "indirect_provider"]
    list_filter = ["type", "cloud"]
    search_fields = ["name", "mpn_id"]
    list_select_related = ["indirect_provider"]


@admin.register(SecurityGroup)
class SecurityGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "partner", "id"]
    list_filter = ["partner"]
    search_fields = ["name"]
    list_select_related = ["partner"]


@admin.register(SupportEntitlement)
class SupportEntitlementAdmin(admin.ModelAdmin):
    list_display = ["entitlement_id", "kind", "partner", "valid_until"]
    list_filter = ["kind"]
    list_select_related = ["partner"]
