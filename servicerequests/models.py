"""Service requests, their notes, the support topic catalogue and the dispatch outbox."""

import secrets
import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from customers.choices import Workload

from .choices import (
    DispatchStatus,
    ExportStatus,
    IssueType,
    Portal,
    Severity,
    Status,
    SupportLanguage,
    SupportPlan,
)
from .sla import SlaState, sla_state


def new_service_request_id() -> str:
    """A Partner Center-shaped service request id: a 15-digit numeric string."""
    return str(secrets.randbelow(9 * 10**14) + 10**14)


#: Statuses of a request that is still being worked on (the built-in queues show only these; the
#: ``sr_active_*`` partial indexes cover exactly them).
ACTIVE_STATUSES = (Status.NONE, Status.OPEN, Status.ATTENTION_NEEDED)


class SupportTopic(models.Model):
    """A support topic (Partner Center ``SupportTopic``; integer id) for one workload."""

    id = models.PositiveIntegerField(primary_key=True)
    workload = models.CharField(max_length=16, choices=Workload.choices)
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["workload", "name"]
        indexes = [models.Index(fields=["workload", "name"], name="supporttopic_wl_idx")]

    def __str__(self) -> str:
        return self.name


class ServiceRequest(models.Model):
    """A service request filed by a partner user, on behalf of a customer or about its own subscription.

    ``customer`` is null for a request about the partner's own subscription
    (SR-OWN-SUBSCRIPTION-ENTITLEMENT). ``eligibility`` is the snapshot of rule
    outcomes at filing time. ``version`` backs the API's ETag.
    """

    id = models.CharField(primary_key=True, max_length=15, default=new_service_request_id, editable=False)
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="service_requests", db_index=False
    )
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="service_requests",
    )
    workload = models.CharField(max_length=16, choices=Workload.choices)
    subscription = models.ForeignKey(
        "customers.Subscription",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_requests",
    )
    issue_type = models.CharField(max_length=32, choices=IssueType.choices, blank=True)
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=10000)
    severity = models.CharField(max_length=16, choices=Severity.choices, default=Severity.MINIMAL)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.NONE)
    support_topic = models.ForeignKey(
        SupportTopic, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    support_plan = models.CharField(max_length=32, choices=SupportPlan.choices, blank=True)
    support_entitlement = models.ForeignKey(
        "partners.SupportEntitlement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_requests",
    )
    contact_first_name = models.CharField(max_length=100, blank=True)
    contact_last_name = models.CharField(max_length=100, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=64, blank=True)
    country_code = models.CharField(max_length=2, blank=True)
    support_language = models.CharField(
        max_length=8,
        choices=SupportLanguage.choices,
        default=SupportLanguage.EN_US,
        help_text="The language the customer wants support to answer in (BCP 47).",
    )
    created_by = models.ForeignKey(
        "partners.User", null=True, on_delete=models.SET_NULL, related_name="filed_requests"
    )
    assigned_to = models.ForeignKey(
        "partners.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_requests",
    )
    sla_due_at = models.DateTimeField(null=True, blank=True)
    sla_breached = models.BooleanField(default=False)
    first_response_at = models.DateTimeField(null=True, blank=True)
    external_ticket_id = models.CharField(max_length=32, blank=True)
    portal = models.CharField(max_length=16, choices=Portal.choices, blank=True)
    eligibility = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["partner", "-created_at", "-id"], name="sr_partner_created_idx"),
            models.Index(fields=["partner", "status", "-created_at", "-id"], name="sr_partner_status_idx"),
            models.Index(
                fields=["partner", "customer", "-created_at", "-id"], name="sr_partner_customer_idx"
            ),
            models.Index(
                fields=["partner", "assigned_to", "status", "-created_at"],
                name="sr_partner_assignee_idx",
            ),
            models.Index(
                fields=["partner", "severity", "status", "-created_at"], name="sr_partner_severity_idx"
            ),
            models.Index(
                fields=["partner", "workload", "status", "-created_at"], name="sr_partner_workload_idx"
            ),
            models.Index(fields=["partner", "sla_due_at"], name="sr_partner_sla_idx"),
            models.Index(fields=["partner", "created_by", "-created_at"], name="sr_partner_creator_idx"),
            models.Index(
                fields=["sla_due_at"],
                condition=Q(sla_breached=False, status__in=["open", "attention_needed"]),
                name="sr_sla_sweep_idx",
            ),
            # Queues and the list API (docs/performance.md): keyset orderings over the active rows.
            models.Index(fields=["partner", "-updated_at", "-id"], name="sr_partner_updated_idx"),
            models.Index(
                fields=["partner", "-created_at", "-id"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="sr_active_created_idx",
            ),
            models.Index(
                fields=["partner", "sla_due_at", "id"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="sr_active_sla_idx",
            ),
            models.Index(
                fields=["partner", "assigned_to", "sla_due_at", "id"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="sr_active_assignee_sla_idx",
            ),
            # slaBreached=true on the list API (a small share of the rows: a partial index counts them fast).
            models.Index(
                fields=["partner", "-created_at", "-id"],
                condition=Q(sla_breached=True),
                name="sr_partner_breached_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(name="sr_status_valid", condition=Q(status__in=Status.values)),
            models.CheckConstraint(name="sr_severity_valid", condition=Q(severity__in=Severity.values)),
            models.CheckConstraint(name="sr_workload_valid", condition=Q(workload__in=Workload.values)),
            models.CheckConstraint(name="sr_id_is_15_digits", condition=Q(id__regex=r"^[1-9][0-9]{14}$")),
            models.CheckConstraint(
                name="sr_issue_type_only_for_azure",
                condition=Q(issue_type="") | Q(workload=Workload.AZURE),
            ),
            models.CheckConstraint(
                name="sr_own_subscription_needs_entitlement",
                condition=Q(customer__isnull=False) | Q(support_entitlement__isnull=False),
            ),
            models.CheckConstraint(
                name="sr_closed_has_closed_at",
                condition=~Q(status=Status.CLOSED) | Q(closed_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.id}: {self.title}"

    def sla_state_at(self, at=None) -> SlaState:
        """SR-PRIORITY clock state at ``at`` (default now); see :func:`servicerequests.sla.sla_state`."""
        stops = [t for t in (self.first_response_at, self.closed_at) if t is not None]
        return sla_state(due_at=self.sla_due_at, at=at or timezone.now(), stopped_at=min(stops, default=None))

    @property
    def sla_state(self) -> SlaState:
        return self.sla_state_at()


class RoutingContextUse(models.Model):
    """A routing context (``servicerequests.routing``) that filed a request. A context files once: a
    second submit with the same token finds this row (its primary key is the token's SHA-256)."""

    digest = models.CharField(primary_key=True, max_length=64)
    service_request = models.OneToOneField(ServiceRequest, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.digest[:12]}… → {self.service_request_id}"


class Note(models.Model):
    """A note on a service request (Partner Center ``ServiceRequestNote``)."""

    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="notes", db_index=False
    )
    text = models.TextField(max_length=10000)
    created_by = models.ForeignKey(
        "partners.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by_name = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["request", "created_at"], name="note_request_idx")]

    def __str__(self) -> str:
        return f"Note on {self.request_id}"


class Dispatch(models.Model):
    """The outbox row that hands a request to its workload portal.

    Written in the same transaction as the request; one per request, so a
    re-run never files a second portal ticket.
    """

    request = models.OneToOneField(ServiceRequest, on_delete=models.CASCADE, related_name="dispatch")
    portal = models.CharField(max_length=16, choices=Portal.choices)
    status = models.CharField(max_length=16, choices=DispatchStatus.choices, default=DispatchStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the next delivery attempt is due (now for a new row; later while backing off).",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["created_at"], condition=Q(status="pending"), name="dispatch_pending_idx"),
            models.Index(
                fields=["next_attempt_at"], condition=Q(status="pending"), name="dispatch_pending_due_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="dispatch_status_valid", condition=Q(status__in=DispatchStatus.values)
            ),
        ]

    def __str__(self) -> str:
        return f"Dispatch of {self.request_id} ({self.status})"

    @property
    def can_retry(self) -> bool:
        """Whether a user may hand it to the portal again (``dispatch_retry``): only a failed dispatch."""
        return self.status == DispatchStatus.FAILED


class NotificationKind(models.TextChoices):
    """What an e-mail notification is about; one template pair per kind under ``servicerequests/email/``."""

    FILED = "filed", "Request filed"
    SLA_BREACHED = "sla_breached", "SLA breached"
    STATUS_ATTENTION_NEEDED = "status_attention_needed", "Portal needs attention"
    STATUS_CLOSED = "status_closed", "Portal closed the request"


class Notification(models.Model):
    """One e-mail about a service request to one recipient, sent at most once.

    The row is written in the transaction of the change it reports; the
    e-mail goes out after commit and ``sent_at`` records that it did. The
    unique (kind, request, recipient e-mail) constraint is what makes a re-run
    sweeper or a duplicated task never send the same notice twice; an attempt
    is recorded (``attempts``, ``last_attempt_at``) before its e-mail is sent,
    so the one case that does send twice — a fault between sending and
    recording ``sent_at`` — is visible on the row.
    """

    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="notifications", db_index=False
    )
    recipient = models.ForeignKey(
        "partners.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )
    recipient_email = models.EmailField()
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Counted and stamped when an attempt starts, before the e-mail goes out: an e-mail sent again
    # after a fault (sent, then the database lost before ``sent_at`` committed) shows as 2 attempts.
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # An attempt under way holds the row until then (a duplicate task or the sweeper leaves it).
    locked_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["request", "created_at"], name="notification_request_idx"),
            models.Index(
                fields=["created_at"], condition=Q(sent_at__isnull=True), name="notification_unsent_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "request", "recipient_email"], name="notification_once_per_recipient"
            ),
            models.CheckConstraint(
                name="notification_kind_valid", condition=Q(kind__in=NotificationKind.values)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient_email} about {self.request_id}"


# Support managers' queues and reports ------------------------------------------------------------


class SavedQueue(models.Model):
    """A support manager's saved view of the partner's requests: a name, filters and an ordering.

    ``filters`` holds the canonical filter dict of :class:`queues.definitions.QueueFilters`
    (validated by ``queues.saved_queue_create``); ``ordering`` a key of ``queues.ORDERINGS``. Every
    support manager of the partner sees the partner's saved queues; only the owner renames or
    deletes one.
    """

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="saved_queues", db_index=False
    )
    owner = models.ForeignKey("partners.User", on_delete=models.CASCADE, related_name="saved_queues")
    name = models.CharField(max_length=80)
    filters = models.JSONField(default=dict, blank=True)
    ordering = models.CharField(max_length=16, default="-created")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "name"], name="savedqueue_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class QueueCount(models.Model):
    """How many requests a queue of a partner held at ``refreshed_at``: the sidebar's counts.

    ``queue_key`` is a built-in queue's key, ``mine:<user id>`` for one user's "My requests",
    ``saved:<id>`` for a saved queue, or ``saved:<id>:<user id>`` for a saved queue whose filters
    say "assigned to me" (one count per support manager who may view it). Written only by
    ``reports.queue_counts_refresh`` (a Celery beat task, and after each bulk action), so a queue
    page never counts requests itself.
    """

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    queue_key = models.CharField(max_length=40)
    count = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "queue_key"], name="queuecount_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.queue_key}: {self.count}"


class ReportRollup(models.Model):
    """Daily rollup of a partner's requests by the day they were filed, workload and severity.

    ``created`` requests filed that day; of them, ``sla_met`` and ``sla_breached`` by their
    SR-PRIORITY outcome as known at ``refreshed_at``; ``first_response_seconds`` the sorted times
    to first response (seconds from filing) of those that had one, so that a median over any set of
    days is exact. Maintained by ``reports.report_rollup_refresh`` (Celery beat) for the recent
    window; the reports page reads only these rows.
    """

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()
    workload = models.CharField(max_length=16, choices=Workload.choices)
    severity = models.CharField(max_length=16, choices=Severity.choices)
    created = models.PositiveIntegerField(default=0)
    sla_met = models.PositiveIntegerField(default=0)
    sla_breached = models.PositiveIntegerField(default=0)
    first_response_seconds = models.JSONField(default=list, blank=True)
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["partner", "day", "workload", "severity"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "day", "workload", "severity"], name="reportrollup_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.workload}/{self.severity}: {self.created}"


class ReportSnapshot(models.Model):
    """The partner's current backlog, computed by ``reports.report_rollup_refresh``.

    ``backlog_by_age``: ``{bucket key: count}`` of active requests by age (``reports.AGE_BUCKETS``);
    ``top_customers``: ``[{"customerId", "name", "open"}]``, the customers with the most active
    requests, most first; ``median_first_response``: ``{severity or "all": seconds or None}``, the
    median time to first response of the requests filed in the report window (exact: computed from
    every time the rollup's ``first_response_seconds`` hold), so that the page reads three numbers
    instead of every time (they grow with the partner's requests).
    """

    partner = models.OneToOneField("partners.Partner", on_delete=models.CASCADE, related_name="+")
    backlog_by_age = models.JSONField(default=dict, blank=True)
    top_customers = models.JSONField(default=list, blank=True)
    median_first_response = models.JSONField(default=dict, blank=True)
    refreshed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Report snapshot of {self.partner_id}"


class QueueExport(models.Model):
    """A queue's CSV export written to a file by a Celery task, for queues too large to stream
    comfortably; the user watches its progress and downloads the file when it is done.

    The export is what ``requested_by`` could see of the queue ``queue_key`` with ``filters`` (the
    dict of ``queues.QueueFilters.as_dict``) in ``ordering`` when the task ran. ``rows_total`` is
    the count the task takes when it starts (the exact number written once it is done);
    ``rows_written`` grows chunk by chunk. ``file_name`` is relative to ``settings.EXPORT_ROOT``, a
    private directory that nothing serves: the file is only handed out by the download view to
    its requester. Files and rows are purged after ``EXPORT_RETENTION_HOURS``.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    # Indexed by ``queueexport_user_created_idx``, which starts with it.
    requested_by = models.ForeignKey(
        "partners.User", on_delete=models.CASCADE, related_name="queue_exports", db_index=False
    )
    queue_key = models.CharField(max_length=40)
    queue_name = models.CharField(max_length=80)
    filters = models.JSONField(default=dict, blank=True)
    ordering = models.CharField(max_length=16)
    status = models.CharField(max_length=16, choices=ExportStatus.choices, default=ExportStatus.PENDING)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    rows_written = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=100, blank=True)
    size_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # A user's recent exports (the status page's list).
            models.Index(fields=["requested_by", "-created_at"], name="queueexport_user_created_idx"),
            # The purge (everything older than the retention).
            models.Index(fields=["created_at"], name="queueexport_created_idx"),
            # The sweeper (exports never picked up, or whose worker was lost).
            models.Index(
                fields=["created_at"],
                condition=Q(status__in=[ExportStatus.PENDING, ExportStatus.RUNNING]),
                name="queueexport_unfinished_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="queueexport_status_valid", condition=Q(status__in=ExportStatus.values)
            ),
            models.CheckConstraint(
                name="queueexport_done_has_file",
                condition=~Q(status=ExportStatus.DONE) | ~Q(file_name=""),
            ),
        ]

    def __str__(self) -> str:
        return f"Export of {self.queue_name} ({self.status})"

    @property
    def is_finished(self) -> bool:
        """Done or failed: nothing will change any more."""
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)

    @property
    def percent(self) -> int | None:
        """Rows written as a whole percentage of the count (None before the count is known)."""
        if self.status == ExportStatus.DONE:
            return 100
        if self.rows_total is None:
            return None
        if self.rows_total == 0:
            return 0
        return min(100, self.rows_written * 100 // self.rows_total)

    @property
    def download_name(self) -> str:
        """The file name the browser saves, like the streamed export's."""
        return f"queue-{self.queue_key}-{self.created_at.strftime('%Y%m%dT%H%M%SZ')}.csv"


# The hand-offs' models live in their own module; imported here so that the app registers them.
# Files attached to requests (servicerequests.files) -----------------------------------------------
from .files.models import Attachment, AttachmentSource  # noqa: E402
from .handoffs.models import HandoffNote, ServiceRequestHandoff  # noqa: E402

__all__ = [
    "ACTIVE_STATUSES",
    "Attachment",
    "AttachmentSource",
    "Dispatch",
    "HandoffNote",
    "Note",
    "Notification",
    "NotificationKind",
    "QueueCount",
    "QueueExport",
    "ReportRollup",
    "ReportSnapshot",
    "RoutingContextUse",
    "SavedQueue",
    "ServiceRequest",
    "ServiceRequestHandoff",
    "SupportTopic",
    "new_service_request_id",
]
