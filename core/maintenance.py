"""Housekeeping of the API's own tables, run by the hourly ``partnercenter.purge_expired`` task."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from oauth2_provider.models import get_access_token_model

from .models import ApiToken, IdempotencyRecord


def api_token_purge_expired(*, now: datetime | None = None) -> int:
    """Delete the API tokens whose ``expiry`` has passed (they no longer authenticate anyone);
    returns how many. Tokens without an expiry are kept."""
    deleted, _ = ApiToken.objects.filter(expiry__lt=now or timezone.now()).delete()
    return deleted


def app_token_purge_expired(*, now: datetime | None = None) -> int:
    """Delete the app-only access tokens (django-oauth-toolkit's) that have expired; returns how
    many. They last an hour (``APP_TOKEN_TTL_SECONDS``) and refuse to authenticate once expired."""
    deleted, _ = get_access_token_model().objects.filter(expires__lt=now or timezone.now()).delete()
    return deleted


def idempotency_record_purge(*, now: datetime | None = None) -> int:
    """Delete the idempotency records older than ``IDEMPOTENCY_RETENTION_HOURS`` (24 by default):
    a retry with the same ``MS-RequestId`` after that runs afresh. Returns how many."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.IDEMPOTENCY_RETENTION_HOURS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
