"""Bearer token authentication for the API (django-rest-knox), without knox's per-request sweep.

knox's ``TokenAuthentication`` reads every token of the user on every request to delete the
expired ones: one more query, and a model per token, on each API call. Here an expired token is
refused just the same (it never authenticates), and expired tokens are deleted by the hourly
``partnercenter.purge_expired`` task (``maintenance.api_token_purge_expired``).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from rest_framework import exceptions
from rest_framework.authentication import get_authorization_header

from .scopes import SCOPES, view_scopes


class TokenAuthentication(KnoxTokenAuthentication):
    """``Authorization: Bearer <token>``; a token past its ``expiry`` is refused (401)."""

    def _cleanup_token(self, auth_token) -> bool:
        """True (skip it: it cannot authenticate) when the presented token has expired."""
        return auth_token.expiry is not None and auth_token.expiry < timezone.now()


class TokenScheme(KnoxTokenScheme):
    """The OpenAPI security scheme of knox's tokens (``knoxApiToken``, a Bearer token), for this class."""

    target_class = "core.api.authentication.TokenAuthentication"


APP_TOKEN_PREFIX = "pca_"
APP_PREFIX = APP_TOKEN_PREFIX.encode()


class AppTokenAuthentication(OAuth2Authentication):
    """``Authorization: Bearer pca_…``: an app-only access token from ``/oauth2/token``
    (django-oauth-toolkit). The request acts as the registration's service identity, a user of
    the partner (``Application.user``); ``request.auth`` is the ``AccessToken`` whose scopes
    ``core.api.scopes.EndpointScopePermission`` checks. Other bearer tokens are left to the next
    class (personal tokens), so they cost no extra query; a ``pca_`` token that is unknown,
    expired or of a removed application is a 401.
    """

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if len(parts) != 2 or parts[0].lower() != b"bearer" or not parts[1].startswith(APP_PREFIX):
            return None
        result = super().authenticate(request)
        if result is None:
            raise exceptions.AuthenticationFailed(gettext("Invalid token."))
        _user, access_token = result
        identity = access_token.user or access_token.application.user
        if identity is None or not identity.is_active:
            raise exceptions.AuthenticationFailed(gettext("Invalid token."))
        return identity, access_token

    def authenticate_header(self, request):
        return "Bearer"  # the WWW-Authenticate of a 401, as for personal tokens


class AppTokenScheme(OpenApiAuthenticationExtension):
    """OpenAPI: the OAuth 2 client-credentials scheme (``appOAuth2``) with every scope; each
    operation lists the scopes its URL name declares in ``core.api.scopes.ENDPOINT_SCOPES``."""

    target_class = "core.api.authentication.AppTokenAuthentication"
    name = "appOAuth2"

    def get_security_definition(self, auto_schema):
        return {
            "type": "oauth2",
            "description": (
                "App-only access token of an app registration (client credentials). "
                "Each operation lists the scope it needs."
            ),
            "flows": {"clientCredentials": {"tokenUrl": "/oauth2/token", "scopes": dict(SCOPES)}},
        }

    def get_security_requirement(self, auto_schema):
        scopes = view_scopes(auto_schema.view, auto_schema.method)
        if not scopes:
            return []  # USER_ONLY: an app token is never accepted; only the other schemes
        return {self.name: scopes}
