"""The ``Attachment`` model (imported by ``servicerequests.models``)."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AttachmentSource(models.TextChoices):
    """Where a file was attached."""

    BROWSER = "browser", _("Request page")
    API = "api", _("API")
    PORTAL = "portal", _("Workload portal")


class Attachment(models.Model):
    """A file attached to a service request (listed in Partner Center's ``fileLinks``).

    ``file_name`` is the sanitised name shown and downloaded; ``storage_name`` the file's name in
    the private ``attachments`` storage (``<request id>/<attachment id>``: nothing of the uploaded
    name). ``content_type`` is the type found in the content (``files.rules``), never the one the
    client declared. ``uploaded_by`` is null for a portal's engineer (``uploaded_by_name`` says who).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    request = models.ForeignKey(
        "servicerequests.ServiceRequest",
        on_delete=models.CASCADE,
        related_name="attachments",
        db_index=False,
    )
    file_name = models.CharField(max_length=160)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=200, unique=True)
    source = models.CharField(max_length=16, choices=AttachmentSource.choices)
    uploaded_by = models.ForeignKey(
        "partners.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_by_name = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["request", "created_at"], name="attachment_request_idx")]
        constraints = [
            models.CheckConstraint(
                name="attachment_source_valid", condition=Q(source__in=AttachmentSource.values)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} on {self.request_id}"

    @property
    def extension(self) -> str:
        """The extension without its dot, lower case (``""`` when the name has none)."""
        stem, dot, ext = self.file_name.rpartition(".")
        return ext.lower() if dot and stem else ""

    @property
    def name_without_extension(self) -> str:
        stem, dot, _ext = self.file_name.rpartition(".")
        return stem if dot and stem else self.file_name
