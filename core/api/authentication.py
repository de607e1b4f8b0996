"""Bearer token authentication for the API (django-rest-knox), without knox's per-request sweep.

knox's ``TokenAuthentication`` reads every token of the user on every request to delete the
expired ones: one more query, and a model per token, on each API call. Here an expired token is
refused just the same (it never authenticates), and expired tokens are deleted by the hourly
``partnercenter.purge_expired`` task (``maintenance.api_token_purge_expired``).
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication


class TokenAuthentication(KnoxTokenAuthentication):
    """``Authorization: Bearer <token>``; a token past its ``expiry`` is refused (401)."""

    def _cleanup_token(self, auth_token) -> bool:
        """True (skip it: it cannot authenticate) when the presented token has expired."""
        return auth_token.expiry is not None and auth_token.expiry < timezone.now()


class TokenScheme(KnoxTokenScheme):
    """The OpenAPI security scheme of knox's tokens (``knoxApiToken``, a Bearer token), for this class."""

    target_class = "core.api.authentication.TokenAuthentication"
