"""Graph enumerations for GDAP (values are Graph's own camelCase strings). Labels carry a context
(``pgettext_lazy``): Portuguese agrees them with the noun they describe, whose gender differs."""

from datetime import timedelta

from django.db import models
from django.utils.translation import pgettext_lazy


class RelationshipStatus(models.TextChoices):
    CREATED = "created", pgettext_lazy("relationship status", "Created")
    APPROVAL_PENDING = "approvalPending", pgettext_lazy("relationship status", "Approval pending")
    APPROVED = "approved", pgettext_lazy("relationship status", "Approved")
    ACTIVATING = "activating", pgettext_lazy("relationship status", "Activating")
    ACTIVE = "active", pgettext_lazy("relationship status", "Active")
    EXPIRING = "expiring", pgettext_lazy("relationship status", "Expiring")
    EXPIRED = "expired", pgettext_lazy("relationship status", "Expired")
    TERMINATION_REQUESTED = (
        "terminationRequested",
        pgettext_lazy("relationship status", "Termination requested"),
    )
    TERMINATING = "terminating", pgettext_lazy("relationship status", "Terminating")
    TERMINATED = "terminated", pgettext_lazy("relationship status", "Terminated")


class AssignmentStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("access assignment status", "Pending")
    ACTIVE = "active", pgettext_lazy("access assignment status", "Active")
    DELETING = "deleting", pgettext_lazy("access assignment status", "Deleting")
    DELETED = "deleted", pgettext_lazy("access assignment status", "Deleted")
    ERROR = "error", pgettext_lazy("access assignment status", "Error")


class RequestAction(models.TextChoices):
    LOCK_FOR_APPROVAL = "lockForApproval", pgettext_lazy("relationship request action", "Lock for approval")
    APPROVE = "approve", pgettext_lazy("relationship request action", "Approve")
    REJECT = "reject", pgettext_lazy("relationship request action", "Reject")
    TERMINATE = "terminate", pgettext_lazy("relationship request action", "Terminate")


class RequestStatus(models.TextChoices):
    CREATED = "created", pgettext_lazy("relationship request status", "Created")
    PENDING = "pending", pgettext_lazy("relationship request status", "Pending")
    SUCCEEDED = "succeeded", pgettext_lazy("relationship request status", "Succeeded")
    FAILED = "failed", pgettext_lazy("relationship request status", "Failed")


class OperationType(models.TextChoices):
    ACCESS_ASSIGNMENT_UPDATE = (
        "delegatedAdminAccessAssignmentUpdate",
        pgettext_lazy("operation type", "Access assignment update"),
    )
    RELATIONSHIP_UPDATE = (
        "delegatedAdminRelationshipUpdate",
        pgettext_lazy("operation type", "Relationship update"),
    )


class OperationStatus(models.TextChoices):
    NOT_STARTED = "notStarted", pgettext_lazy("operation status", "Not started")
    RUNNING = "running", pgettext_lazy("operation status", "Running")
    SUCCEEDED = "succeeded", pgettext_lazy("operation status", "Succeeded")
    FAILED = "failed", pgettext_lazy("operation status", "Failed")


MIN_DURATION = timedelta(days=1)  # GDAP-DURATION: P1D
MAX_DURATION = timedelta(days=730)  # GDAP-DURATION: P730D (two years)
AUTO_EXTEND_OFF = timedelta(0)  # GDAP-AUTO-EXTEND: PT0S
AUTO_EXTEND_ON = timedelta(days=180)  # GDAP-AUTO-EXTEND: P180D
DISPLAY_NAME_MAX = 50  # GDAP-NAME
APPROVAL_REQUEST_LIFETIME = timedelta(days=90)  # GDAP-REQUEST-EXPIRY
EXPIRY_NOTICE_DAYS = (30, 7, 1)  # GDAP-EXPIRY-NOTICE
