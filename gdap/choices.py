"""Graph enumerations for GDAP (values are Graph's own camelCase strings)."""

from datetime import timedelta

from django.db import models


class RelationshipStatus(models.TextChoices):
    CREATED = "created", "Created"
    APPROVAL_PENDING = "approvalPending", "Approval pending"
    APPROVED = "approved", "Approved"
    ACTIVATING = "activating", "Activating"
    ACTIVE = "active", "Active"
    EXPIRING = "expiring", "Expiring"
    EXPIRED = "expired", "Expired"
    TERMINATION_REQUESTED = "terminationRequested", "Termination requested"
    TERMINATING = "terminating", "Terminating"
    TERMINATED = "terminated", "Terminated"


class AssignmentStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACTIVE = "active", "Active"
    DELETING = "deleting", "Deleting"
    DELETED = "deleted", "Deleted"
    ERROR = "error", "Error"


class RequestAction(models.TextChoices):
    LOCK_FOR_APPROVAL = "lockForApproval", "Lock for approval"
    APPROVE = "approve", "Approve"
    REJECT = "reject", "Reject"
    TERMINATE = "terminate", "Terminate"


class RequestStatus(models.TextChoices):
    CREATED = "created", "Created"
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class OperationType(models.TextChoices):
    ACCESS_ASSIGNMENT_UPDATE = "delegatedAdminAccessAssignmentUpdate", "Access assignment update"
    RELATIONSHIP_UPDATE = "delegatedAdminRelationshipUpdate", "Relationship update"


class OperationStatus(models.TextChoices):
    NOT_STARTED = "notStarted", "Not started"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


MIN_DURATION = timedelta(days=1)  # GDAP-DURATION: P1D
MAX_DURATION = timedelta(days=730)  # GDAP-DURATION: P730D (two years)
AUTO_EXTEND_OFF = timedelta(0)  # GDAP-AUTO-EXTEND: PT0S
AUTO_EXTEND_ON = timedelta(days=180)  # GDAP-AUTO-EXTEND: P180D
DISPLAY_NAME_MAX = 50  # GDAP-NAME
APPROVAL_REQUEST_LIFETIME = timedelta(days=90)  # GDAP-REQUEST-EXPIRY
EXPIRY_NOTICE_DAYS = (30, 7, 1)  # GDAP-EXPIRY-NOTICE
