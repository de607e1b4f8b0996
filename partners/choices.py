"""Enumerations of the partners app (values are the wire values of RULES.md).

The labels of ``PartnerType``, ``Cloud`` and ``PartnerCenterRole`` are marked with ``gettext_noop``:
other apps build tables of them at import time and join them into sentences, so they stay plain
strings here; pages translate them where they show them (``{% translate partner.get_type_display %}``).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class PartnerType(models.TextChoices):
    DIRECT_BILL = "direct_bill", gettext_noop("Direct bill partner (CSP direct provider)")
    INDIRECT_PROVIDER = "indirect_provider", gettext_noop("Indirect provider")
    INDIRECT_RESELLER = "indirect_reseller", gettext_noop("Indirect reseller")
    ADVISOR = "advisor", gettext_noop("Advisor")


class Cloud(models.TextChoices):
    COMMERCIAL = "commercial", gettext_noop("Commercial")
    US_GOVERNMENT = "us_government", gettext_noop("US Government")


class PartnerCenterRole(models.TextChoices):
    ADMIN_AGENT = "admin_agent", gettext_noop("Admin agent")
    HELPDESK_AGENT = "helpdesk_agent", gettext_noop("Helpdesk agent")
    SALES_AGENT = "sales_agent", gettext_noop("Sales agent")
    BILLING_ADMIN = "billing_admin", gettext_noop("Billing admin")
    GLOBAL_ADMIN = "global_admin", gettext_noop("Global admin")
    SUPPORT_MANAGER = "support_manager", gettext_noop("Support manager")


class EntitlementKind(models.TextChoices):
    PARTNER_PROGRAM = "partner_program", _("Partner program ID")
    PREMIER_UNIFIED = "premier_unified", _("Premier / Unified contract ID")
    AZURE_SUPPORT_PLAN = "azure_support_plan", _("Azure support plan ID")
