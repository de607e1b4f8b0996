"""Enumerations of the customers app."""

from django.db import models


class Workload(models.TextChoices):
    AZURE = "azure", "Azure"
    M365 = "m365", "Microsoft 365"
    DYNAMICS = "dynamics", "Dynamics 365"
    EMS = "ems", "Enterprise Mobility + Security"
    MARKETPLACE = "marketplace", "Marketplace (third-party ISV)"


#: Display label of each workload value (the choices' labels), for code that renders many rows.
WORKLOAD_LABELS: dict[str, str] = dict(Workload.choices)


class CustomerCloud(models.TextChoices):
    """The cloud a customer tenant lives in (RULES.md's vocabulary). GCC is Microsoft 365 Government
    Community Cloud: sold and supported through the commercial Partner Center and administered in
    the commercial admin centers. US Government is GCC High, DoD and Azure Government."""

    COMMERCIAL = "commercial", "Commercial"
    GCC = "gcc", "GCC"
    US_GOVERNMENT = "us_government", "US Government"


class RelationshipToPartner(models.TextChoices):
    RESELLER = "reseller", "Reseller"
    ADVISOR = "advisor", "Advisor"
    INDIRECT_RESELLER = "indirect_reseller", "Indirect reseller"


class Channel(models.TextChoices):
    CSP = "csp", "Cloud Solution Provider"
    DIRECT = "direct", "Direct"


class SubscriptionStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    DELETED = "deleted", "Deleted"
    EXPIRED = "expired", "Expired"


class AzureRole(models.TextChoices):
    """Azure RBAC roles on a subscription, keyed by their real role definition GUIDs."""

    OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "Owner"
    CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c", "Contributor"
    SUPPORT_REQUEST_CONTRIBUTOR = "cfd33db0-3dd1-45e3-aa9d-cdbdf3b6f24e", "Support Request Contributor"
    READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7", "Reader"


class HealthClassification(models.TextChoices):
    INCIDENT = "incident", "Incident"
    ADVISORY = "advisory", "Advisory"


class HealthStatus(models.TextChoices):
    """Graph ``serviceHealthStatus`` values."""

    SERVICE_OPERATIONAL = "serviceOperational", "Service operational"
    INVESTIGATING = "investigating", "Investigating"
    RESTORING_SERVICE = "restoringService", "Restoring service"
    VERIFYING_SERVICE = "verifyingService", "Verifying service"
    SERVICE_RESTORED = "serviceRestored", "Service restored"
    POST_INCIDENT_REVIEW_PUBLISHED = "postIncidentReviewPublished", "Post-incident report published"
    SERVICE_DEGRADATION = "serviceDegradation", "Service degradation"
    SERVICE_INTERRUPTION = "serviceInterruption", "Service interruption"
    EXTENDED_RECOVERY = "extendedRecovery", "Extended recovery"
    FALSE_POSITIVE = "falsePositive", "False positive"
    INVESTIGATION_SUSPENDED = "investigationSuspended", "Investigation suspended"
    RESOLVED = "resolved", "Resolved"
    MITIGATED_EXTERNAL = "mitigatedExternal", "Mitigated (external)"
    MITIGATED = "mitigated", "Mitigated"
    RESOLVED_EXTERNAL = "resolvedExternal", "Resolved (external)"
    CONFIRMED = "confirmed", "Confirmed"
    REPORTED = "reported", "Reported"


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
