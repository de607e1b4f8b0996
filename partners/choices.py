"""Enumerations of the partners app (values are the wire values of RULES.md)."""

from django.db import models


class PartnerType(models.TextChoices):
    DIRECT_BILL = "direct_bill", "Direct bill partner (CSP direct provider)"
    INDIRECT_PROVIDER = "indirect_provider", "Indirect provider"
    INDIRECT_RESELLER = "indirect_reseller", "Indirect reseller"
    ADVISOR = "advisor", "Advisor"


class Cloud(models.TextChoices):
    COMMERCIAL = "commercial", "Commercial"
    US_GOVERNMENT = "us_government", "US Government"


class PartnerCenterRole(models.TextChoices):
    ADMIN_AGENT = "admin_agent", "Admin agent"
    HELPDESK_AGENT = "helpdesk_agent", "Helpdesk agent"
    SALES_AGENT = "sales_agent", "Sales agent"
    BILLING_ADMIN = "billing_admin", "Billing admin"
    GLOBAL_ADMIN = "global_admin", "Global admin"
    SUPPORT_MANAGER = "support_manager", "Support manager"


class EntitlementKind(models.TextChoices):
    PARTNER_PROGRAM = "partner_program", "Partner program ID"
    PREMIER_UNIFIED = "premier_unified", "Premier / Unified contract ID"
    AZURE_SUPPORT_PLAN = "azure_support_plan", "Azure support plan ID"
