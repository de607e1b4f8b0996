"""django-oauth-toolkit wired to app registrations: client authentication against the
registration's secrets, scopes limited to what it was granted, ``pca_`` access tokens.

Only the client-credentials grant exists (every ``Application`` is created with it). The token
endpoint's refusals are OAuth 2's: a wrong, expired or revoked secret, or a removed app →
401 ``invalid_client``; a scope not granted or unknown → 400 ``invalid_scope``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from urllib.parse import unquote_plus

from django.utils import timezone
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import BaseScopes

from audit.services import audit_event_record
from core.api.authentication import APP_TOKEN_PREFIX
from core.api.scopes import SCOPES

from .models import AppRegistration, AppSecret

# ``scope=.default`` (or ``<resource>/.default``, as Entra spells it) asks for every granted scope.
DEFAULT_SCOPE_SUFFIX = ".default"


def secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def generate_access_token(request) -> str:
    """A new access token: ``pca_`` + 43 random URL-safe characters (stored as a checksum)."""
    return APP_TOKEN_PREFIX + secrets.token_urlsafe(32)


def _registration_of(application) -> AppRegistration | None:
    try:
        registration = application.registration
    except AppRegistration.DoesNotExist:
        return None
    return None if registration.removed_at is not None else registration


class RegistrationScopes(BaseScopes):
    """Every scope of ``core.api.scopes.SCOPES``; an application may have those it was granted."""

    def get_all_scopes(self):
        return dict(SCOPES)

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        registration = _registration_of(application) if application is not None else None
        return list(registration.scopes) if registration else []

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        return self.get_available_scopes(application, request)


class AppOAuth2Validator(OAuth2Validator):
    """Client credentials checked against ``AppSecret`` rows instead of one stored secret."""

    def _presented_credentials(self, request) -> tuple[str, str]:
        auth = request.headers.get("HTTP_AUTHORIZATION") or request.headers.get("Authorization") or ""
        kind, _, value = auth.partition(" ")
        if kind.lower() == "basic" and value:
            try:
                decoded = base64.b64decode(value).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError, ValueError):
                return "", ""
            client_id, _, secret = decoded.partition(":")
            return unquote_plus(client_id), unquote_plus(secret)
        return (getattr(request, "client_id", "") or ""), (getattr(request, "client_secret", "") or "")

    def authenticate_client(self, request, *args, **kwargs):
        """True when the client id names a registration that is not removed and the secret is one
        of its usable secrets (not revoked, not expired). Marks the secret's last use."""
        client_id, secret = self._presented_credentials(request)
        if not client_id or not secret:
            return False
        if self._load_application(client_id, request) is None:
            return False
        registration = _registration_of(request.client)
        if registration is None or not registration.service_user.is_active:
            return False
        now = timezone.now()
        row = AppSecret.objects.filter(
            registration=registration,
            digest=secret_digest(secret),
            revoked_at__isnull=True,
            expires_at__gt=now,
        ).first()
        if row is None:
            return False
        request.app_registration = registration
        request.app_secret = row
        return True

    def validate_user(self, username, password, client, request, *args, **kwargs):
        """No grant here signs a person in (no password grant): never checks a password."""
        return False

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        """The requested scopes must all be granted; ``.default`` stands for all granted ones."""
        registration = _registration_of(client)
        granted = list(registration.scopes) if registration else []
        if any(scope.endswith(DEFAULT_SCOPE_SUFFIX) for scope in scopes):
            if len(scopes) != 1 or not granted:
                return False
            request.scopes = granted
            return True
        return bool(scopes) and set(scopes).issubset(granted)

    def _create_access_token(self, expires, request, token, source_refresh_token=None):
        """The token acts as the registration's service identity; the issue is on record
        (``application.token_issued``) and the registration's and secret's last use updated."""
        request.user = request.client.user
        access_token = super()._create_access_token(expires, request, token, source_refresh_token)
        registration = getattr(request, "app_registration", None)
        if registration is not None:
            now = timezone.now()
            AppRegistration.objects.filter(pk=registration.pk).update(last_used_at=now)
            AppSecret.objects.filter(pk=request.app_secret.pk).update(last_used_at=now)
            audit_event_record(
                action="application.token_issued",
                actor=request.client.user,
                obj=registration,
                after={
                    "clientId": registration.client_id,
                    "scopes": token["scope"].split(),
                    "secretHint": request.app_secret.hint,
                    "expiresAt": expires.isoformat(),
                },
            )
        return access_token
