"""Enumerations of the customers app."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class Workload(models.TextChoices):
    AZURE = "azure", "Azure"
    M365 = "m365", "Microsoft 365"
    DYNAMICS = "dynamics", "Dynamics 365"
    EMS = "ems", "Enterprise Mobility + Security"
    MARKETPLACE = "marketplace", _("Marketplace (third-party ISV)")


#: Display label of each workload value (the choices' labels), for code that renders many rows.
WORKLOAD_LABELS: dict[str, str] = dict(Workload.choices)


class CustomerCloud(models.TextChoices):
    """The cloud a customer tenant lives in (RULES.md's vocabulary). GCC is Microsoft 365 Government
    Community Cloud: sold and supported through the commercial Partner Center and administered in
    the commercial admin centers. US Government is GCC High, DoD and Azure Government.

    Labels marked with ``gettext_noop`` (plain strings: other apps join them at import time); pages
    translate them where they show them."""

    COMMERCIAL = "commercial", gettext_noop("Commercial")
    GCC = "gcc", "GCC"
    US_GOVERNMENT = "us_government", gettext_noop("US Government")


class RelationshipToPartner(models.TextChoices):
    RESELLER = "reseller", _("Reseller")
    ADVISOR = "advisor", _("Advisor")
    INDIRECT_RESELLER = "indirect_reseller", _("Indirect reseller")


class Channel(models.TextChoices):
    CSP = "csp", _("Cloud Solution Provider")
    DIRECT = "direct", _("Direct")


class SubscriptionStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    DELETED = "deleted", _("Deleted")
    EXPIRED = "expired", _("Expired")


class AzureRole(models.TextChoices):
    """Azure RBAC roles on a subscription, keyed by their real role definition GUIDs."""

    OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "Owner"
    CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c", "Contributor"
    SUPPORT_REQUEST_CONTRIBUTOR = "cfd33db0-3dd1-45e3-aa9d-cdbdf3b6f24e", "Support Request Contributor"
    READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7", "Reader"


class HealthClassification(models.TextChoices):
    INCIDENT = "incident", _("Incident")
    ADVISORY = "advisory", _("Advisory")


class HealthStatus(models.TextChoices):
    """Graph ``serviceHealthStatus`` values."""

    SERVICE_OPERATIONAL = "serviceOperational", _("Service operational")
    INVESTIGATING = "investigating", _("Investigating")
    RESTORING_SERVICE = "restoringService", _("Restoring service")
    VERIFYING_SERVICE = "verifyingService", _("Verifying service")
    SERVICE_RESTORED = "serviceRestored", _("Service restored")
    POST_INCIDENT_REVIEW_PUBLISHED = "postIncidentReviewPublished", _("Post-incident report published")
    SERVICE_DEGRADATION = "serviceDegradation", _("Service degradation")
    SERVICE_INTERRUPTION = "serviceInterruption", _("Service interruption")
    EXTENDED_RECOVERY = "extendedRecovery", _("Extended recovery")
    FALSE_POSITIVE = "falsePositive", _("False positive")
    INVESTIGATION_SUSPENDED = "investigationSuspended", _("Investigation suspended")
    RESOLVED = "resolved", _("Resolved")
    MITIGATED_EXTERNAL = "mitigatedExternal", _("Mitigated (external)")
    MITIGATED = "mitigated", _("Mitigated")
    RESOLVED_EXTERNAL = "resolvedExternal", _("Resolved (external)")
    CONFIRMED = "confirmed", _("Confirmed")
    REPORTED = "reported", _("Reported")


RESOLVED_HEALTH_STATUSES = frozenset(
    {
        HealthStatus.SERVICE_OPERATIONAL,
        HealthStatus.SERVICE_RESTORED,
        HealthStatus.POST_INCIDENT_REVIEW_PUBLISHED,
        HealthStatus.FALSE_POSITIVE,
        HealthStatus.RESOLVED,
        HealthStatus.RESOLVED_EXTERNAL,
        HealthStatus.MITIGATED,
        HealthStatus.MITIGATED_EXTERNAL,
    }
)
