"""Throttling per user and per partner, with rates read from ``settings.API_THROTTLE_RATES``.

Counters live in the ``api`` cache (Redis when ``REDIS_URL`` is set, so every web process
shares them) and are sliding-window counters (``core.api.ratelimit``): atomic, two integers per
user or partner, and one Redis round trip for all the scopes of a request. ``ApiRateThrottle``
(the API's ``DEFAULT_THROTTLE_CLASSES``) checks the user and the partner scopes together. A
throttled request gets 429 with ``Retry-After`` (see ``errors.py``).
"""

from __future__ import annotations

import logging

from django.conf import settings
from redis.exceptions import RedisError
from rest_framework.throttling import BaseThrottle

from core.context import request_ip

from . import ratelimit

logger = logging.getLogger("partnercenter.api")


class SlidingWindowThrottle(BaseThrottle):
    """Counts a request in each scope of ``scopes`` at once and lets it through when every scope is
    below its rate (``API_THROTTLE_RATES[scope]``, read on every request; a scope without a rate,
    or without an identity for this request, is not limited). A refused request is counted in none
    of them, and ``wait()`` then gives the seconds until one would be allowed.

    When the counters' cache (Redis) can't be reached the request is let through and a warning is
    logged: a Redis outage must not turn every API call into a 500 (filing keeps working through
    the outbox; see ``core.health``).
    """

    scopes: tuple[str, ...] = ()
    cache_alias = "api"

    def __init__(self):
        self.decision: ratelimit.Decision | None = None

    def get_rate(self, scope: str) -> str | None:
        return getattr(settings, "API_THROTTLE_RATES", {}).get(scope)

    def get_ident(self, request):
        """The client address through the trusted proxies only (``core.context.request_ip``, as the
        audit trail and sign-in lockout see it), not DRF's ``NUM_PROXIES`` reading of the header."""
        return request_ip(request) or ""

    def scope_ident(self, scope: str, request) -> object | None:
        """Whom ``scope`` counts this request against: ``user`` the signed-in user (anonymous: the
        client address), ``partner`` the user's partner organisation (``None``, not limited, for
        users without one), any other scope the client address."""
        user = getattr(request, "user", None)
        if scope == "user":
            return user.pk if user is not None and user.is_authenticated else self.get_ident(request)
        if scope == "partner":
            return getattr(user, "partner_id", None)
        return self.get_ident(request)

    def get_limits(self, request) -> list[ratelimit.Limit]:
        """The limits this request is counted against, one per limited scope."""
        limits = []
        for scope in self.scopes:
            rate = self.get_rate(scope)
            ident = self.scope_ident(scope, request) if rate else None
            if ident is None:
                continue
            count, period = ratelimit.parse_rate(rate)
            limits.append(ratelimit.Limit(f"throttle:{scope}:{ident}", count, period))
        return limits

    def allow_request(self, request, view):
        limits = self.get_limits(request)
        try:
            self.decision = ratelimit.check(limits, self.cache_alias)
        except (RedisError, OSError) as exc:
            names = ", ".join(self.scopes)
            logger.warning("throttle %s skipped: its cache is unreachable (%s)", names, exc)
            return True
        return self.decision.allowed

    def wait(self):
        """Seconds until a request would be allowed (positive) after a refusal; else ``None``."""
        return self.decision.wait if self.decision is not None else None


class ApiRateThrottle(SlidingWindowThrottle):
    """Requests per signed-in user and per partner organisation (all its users together), checked
    together: one Redis round trip per API request."""

    scopes = ("user", "partner")


class TokenRequestThrottle(SlidingWindowThrottle):
    """Requests to ``POST /oauth2/token`` per client address (``API_THROTTLE_RATES["token"]``)."""

    scopes = ("token",)
