"""Models of the project package: API tokens and idempotency records of the REST API."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from knox.models import AbstractAuthToken


class ApiToken(AbstractAuthToken):
    """A personal API token (django-rest-knox): shown once, stored as a SHA-512 digest.

    ``token_key`` is the first 15 characters of the token (shown in lists so a user can
    recognise it); ``expiry`` null means it never expires. Revoking deletes the row; an expired
    token is refused and deleted by the hourly ``partnercenter.purge_expired`` task.
    """

    name = models.CharField(max_length=100)

    # No default ordering: the token lookup of every API request (knox's, by ``token_key``) needs
    # none; lists order explicitly (``apiaccess.selectors.api_token_list``).

    def __str__(self) -> str:
        return f"{self.name} ({self.token_key}…)"


class IdempotencyRecord(models.Model):
    """The first response to a POST carrying ``MS-RequestId``, per user, with a hash of its body.

    The row is inserted at the end of the transaction of the work it guards, so a retry with the
    same id (a concurrent one waits on the unique index until the first one commits) fails there,
    rolls back its own work and replays the stored response. A first attempt that fails with a
    5xx records nothing, so a retry runs afresh.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    request_id = models.CharField(max_length=64)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    # SHA-256 of the request's parsed body (canonical JSON): a reuse of the id with another body is
    # refused instead of replayed. Empty on records written before it was kept.
    body_hash = models.CharField(max_length=64, blank=True, default="")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    body = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "request_id"], name="idempotency_unique_per_user"),
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_idx")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.request_id})"
