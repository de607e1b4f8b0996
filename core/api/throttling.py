"""Throttling per user and per partner, with rates read from ``settings.API_THROTTLE_RATES``.

Counters live in the ``api`` cache (Redis when ``REDIS_URL`` is set, so every web process
shares them). A throttled request gets 429 with ``Retry-After`` (see ``errors.py``).
"""

import logging

from django.conf import settings
from django.core.cache import caches
from redis.exceptions import RedisError
from rest_framework.throttling import SimpleRateThrottle

from core.context import request_ip

logger = logging.getLogger("partnercenter.api")


class _SettingsRateThrottle(SimpleRateThrottle):
    """A sliding-window throttle whose rate is looked up in settings on every request.

    When the counters' cache (Redis) can't be reached the request is let through and a warning is
    logged: a Redis outage must not turn every API call into a 500 (filing keeps working through
    the outbox; see ``core.health``).
    """

    @property
    def cache(self):
        return caches["api"]

    def get_rate(self):
        return getattr(settings, "API_THROTTLE_RATES", {}).get(self.scope)

    def get_ident(self, request):
        """The client address through the trusted proxies only (``core.context.request_ip``, as the
        audit trail and sign-in lockout see it), not DRF's ``NUM_PROXIES`` reading of the header."""
        return request_ip(request) or ""

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except (RedisError, OSError) as exc:
            logger.warning("throttle %s skipped: its cache is unreachable (%s)", self.scope, exc)
            return True


class UserRateThrottle(_SettingsRateThrottle):
    """Requests per signed-in user (anonymous requests: per client address)."""

    scope = "user"

    def get_cache_key(self, request, view):
        ident = request.user.pk if request.user and request.user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class PartnerRateThrottle(_SettingsRateThrottle):
    """Requests per partner organisation, all its users together (none for users without one)."""

    scope = "partner"

    def get_cache_key(self, request, view):
        partner_id = getattr(request.user, "partner_id", None)
        if partner_id is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": partner_id}


class TokenRequestThrottle(_SettingsRateThrottle):
    """Requests to ``POST /oauth2/token`` per client address (``API_THROTTLE_RATES["token"]``)."""

    scope = "token"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
