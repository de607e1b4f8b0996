"""Enumerations of the servicerequests app (Partner Center wire values)."""

from django.db import models


class Severity(models.TextChoices):
    """``ServiceRequestSeverity``; the integer values are the real API's."""

    CRITICAL = "critical", "Critical (A)"
    MODERATE = "moderate", "Moderate (B)"
    MINIMAL = "minimal", "Minimal (C)"


SEVERITY_INTEGERS = {1: Severity.CRITICAL, 2: Severity.MODERATE, 3: Severity.MINIMAL}
#: Display label of each severity value (the choices' labels).
SEVERITY_LABELS: dict[str, str] = dict(Severity.choices)


class Status(models.TextChoices):
    """``ServiceRequestStatus``; the integer values are the real API's."""

    NONE = "none", "None"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"
    ATTENTION_NEEDED = "attention_needed", "Attention needed"


STATUS_INTEGERS = {0: Status.NONE, 1: Status.OPEN, 2: Status.CLOSED, 3: Status.ATTENTION_NEEDED}
#: Display label of each status value (the choices' labels).
STATUS_LABELS: dict[str, str] = dict(Status.choices)


class IssueType(models.TextChoices):
    TECHNICAL = "technical", "Technical"
    BILLING = "billing", "Billing"
    SUBSCRIPTION_MANAGEMENT = "subscription_management", "Subscription management"
    QUOTA = "quota", "Service and subscription limits (quotas)"


class SupportLanguage(models.TextChoices):
    """The language a customer wants Microsoft support to answer in (the Azure portal's and the
    Microsoft 365 admin center's "preferred support language"). Values are BCP 47 tags, labels
    each language's own name, so they read the same in every interface language."""

    EN_US = "en-US", "English"
    PT_BR = "pt-BR", "Português (Brasil)"
    PT_PT = "pt-PT", "Português (Portugal)"
    ES_ES = "es-ES", "Español"
    FR_FR = "fr-FR", "Français"
    DE_DE = "de-DE", "Deutsch"
    IT_IT = "it-IT", "Italiano"
    JA_JP = "ja-JP", "日本語"
    KO_KR = "ko-KR", "한국어"
    ZH_CN = "zh-CN", "中文(简体)"
    ZH_TW = "zh-TW", "中文(繁體)"


#: The support language that follows an interface language (``settings.LANGUAGES`` code).
SUPPORT_LANGUAGE_OF_INTERFACE = {"en": "en-US", "pt-br": "pt-BR", "pt-pt": "pt-PT"}


class SupportPlan(models.TextChoices):
    CLOUD_SOLUTION_PROVIDER = "cloud_solution_provider", "Cloud Solution Provider"
    PARTNER_ENTITLEMENT = "partner_entitlement", "Partner's own entitlement"


class Portal(models.TextChoices):
    AZURE = "azure", "Azure portal"
    M365 = "m365", "Microsoft 365 admin center"
    DYNAMICS = "dynamics", "Power Platform admin center"


class DispatchStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class ExportStatus(models.TextChoices):
    """Where a background queue export (``QueueExport``) stands."""

    PENDING = "pending", "Waiting for a worker"
    RUNNING = "running", "Writing"
    DONE = "done", "Ready to download"
    FAILED = "failed", "Failed"
