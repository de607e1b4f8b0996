"""App registrations: a partner's applications that call the API with app-only tokens.

The OAuth 2 side (client id, tokens) is django-oauth-toolkit's ``Application`` and
``AccessToken``; a registration adds what Partner Center's partners expect of an Entra app
registration: its partner, display name, granted scopes, secrets (several, hashed, expiring,
revocable), its service identity, owner and last use.

The **service identity** (``service_user``) is a partner user that stands for the app, as a
service principal does in Entra: it holds the admin agent role and the security group memberships
chosen for the app, it is the actor of everything the app does (audit, throttling, idempotency),
and it can never sign in (no usable password). It is also ``Application.user``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from oauth2_provider.settings import oauth2_settings

from partners.models import Partner


class AppRegistration(models.Model):
    """One application of a partner. ``removed_at`` set: removed (its client can no longer get a
    token, its tokens are gone); the row stays for the audit trail."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="app_registrations", db_index=False
    )
    display_name = models.CharField(max_length=100)
    client_id = models.CharField(max_length=100, unique=True)
    application = models.OneToOneField(
        oauth2_settings.APPLICATION_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registration",
    )
    service_user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="app_registration"
    )
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["display_name", "created_at"]
        indexes = [models.Index(fields=["partner", "removed_at"], name="appreg_partner_idx")]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.client_id})"


class AppSecret(models.Model):
    """A client secret of a registration: only its SHA-256 digest and first characters (``hint``)
    are stored. Usable while not revoked and not expired; several may be usable at once (rotation
    with overlap)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    registration = models.ForeignKey(AppRegistration, on_delete=models.CASCADE, related_name="secrets")
    description = models.CharField(max_length=100, blank=True)
    hint = models.CharField(max_length=8)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.hint}… of {self.registration_id}"

    def is_usable(self, at=None) -> bool:
        at = at or timezone.now()
        return self.revoked_at is None and self.expires_at > at
