"""A sliding-window-counter rate limiter whose counters live in a Django cache (``api``).

Each limited key (a scope and an identity, e.g. ``throttle:user:42``) has one counter per fixed
window of ``period`` seconds. At a moment ``elapsed`` seconds into window ``w``, the requests of
the sliding window (the last ``period`` seconds) are estimated as
``count(w) + count(w - 1) * (1 - elapsed / period)``: the previous window weighted by how much of
it the sliding window still covers. A request is allowed when the estimate of the requests allowed
before it is below the limit, in every scope checked with it. State per key: two integers.

On Redis (the cache is django-redis) all the scopes of one request cost one round trip: a
pipeline with ``INCR`` and ``EXPIRE`` of each scope's current counter and ``GET`` of its previous
one. ``INCR`` is atomic, so concurrent requests each see their own count and a window never lets
more than the limit through. Only allowed requests are counted, as in DRF: when a scope refuses, a
second round trip (on that path only) ``DECR``s every counter the request incremented. Another
cache (local memory in tests and development) goes through Django's cache API (``add``, ``incr``,
``get_many``, ``decr``) with the same arithmetic.

Cache and Redis errors (``redis.exceptions.RedisError``, ``OSError``) propagate: the caller
decides what an unreachable store means (``core.api.throttling`` lets the request through).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.cache import caches
from django_redis import get_redis_connection
from django_redis.cache import RedisCache

from core.metrics import CACHE_OPERATION_SECONDS

#: Added to a computed wait: retrying exactly that many seconds later finds the estimate strictly
#: below the limit, not equal to it.
WAIT_MARGIN = 0.001

#: DRF's rate periods, by their first letter ("600/min", "10/s", "1000/hour", "5/day").
RATE_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def now() -> float:
    """The limiter's clock, in seconds since the epoch (tests replace it)."""
    return time.time()


def parse_rate(rate: str) -> tuple[int, int]:
    """``"600/min"`` → ``(600, 60)``: DRF's rate syntax, ``<requests>/<s|m|h|d…>``.

    Raises ``ValueError`` (or ``KeyError`` for an unknown period) on a malformed rate."""
    count, period = rate.split("/")
    return int(count), RATE_PERIODS[period.strip()[0]]


@dataclass(frozen=True)
class Limit:
    """At most ``limit`` requests in any ``period`` seconds for ``key`` (a scope and an identity)."""

    key: str
    limit: int
    period: int

    def window_keys(self, at: float) -> tuple[str, str, float]:
        """The current and previous windows' counter names at ``at``, and the seconds elapsed in
        the current window. A period's windows start at multiples of it since the epoch."""
        window, elapsed = divmod(at, self.period)
        window = int(window)
        stem = f"{self.key}:{self.period}"
        return f"{stem}:{window}", f"{stem}:{window - 1}", elapsed


@dataclass(frozen=True)
class Usage:
    """One scope's counters as a request found them: ``current`` includes that request."""

    limit: Limit
    current: int
    previous: int
    elapsed: float

    @property
    def weight(self) -> float:
        """The share of the previous window the sliding window still covers (1 → 0 over a window)."""
        return 1.0 - self.elapsed / self.limit.period

    @property
    def before(self) -> float:
        """The estimated requests allowed in the sliding window before this one."""
        return self.previous * self.weight + (self.current - 1)

    @property
    def allowed(self) -> bool:
        return self.before < self.limit.limit

    def wait(self) -> float:
        """Seconds until a request of this scope would be allowed, if this request is not counted
        and no other arrives: 0 when one would be allowed now, else a positive number.

        Within the current window the estimate falls as the previous window's weight does; when
        the current window alone is at the limit, the wait runs into the next window, where this
        window's count is the weighted one."""
        limit, period = self.limit.limit, self.limit.period
        counted = self.current - 1
        remaining = period - self.elapsed
        if limit <= 0:
            return remaining + period
        if counted < limit:
            if self.before < limit:
                return 0.0
            # previous * (remaining - t) / period + counted < limit
            return max(0.0, remaining - (limit - counted) * period / self.previous) + WAIT_MARGIN
        # Into the next window: counted * (period - s) / period < limit.
        return remaining + period * (1.0 - limit / counted) + WAIT_MARGIN


@dataclass(frozen=True)
class Decision:
    """The outcome for one request over all its scopes."""

    usages: tuple[Usage, ...]

    @property
    def allowed(self) -> bool:
        return all(usage.allowed for usage in self.usages)

    @property
    def wait(self) -> float | None:
        """Seconds until every scope would allow a request (each scope's estimate only falls while
        no request is counted, so the longest wait); ``None`` when this request was allowed."""
        if self.allowed:
            return None
        return max(usage.wait() for usage in self.usages)


def check(limits: Sequence[Limit], alias: str = "api") -> Decision:
    """Count a request against every limit of ``limits`` at once and decide on it.

    Allowed (every scope below its limit): the request stays counted in each scope. Refused by any
    scope: it is uncounted in all of them. On django-redis: one round trip when allowed, two when
    refused. Raises ``RedisError`` / ``OSError`` when the cache's store can't be reached."""
    if not limits:
        return Decision(())
    at = now()
    keyed = [(limit, *limit.window_keys(at)) for limit in limits]
    cache = caches[alias]
    on_redis = isinstance(cache, RedisCache)
    counts = _redis_count if on_redis else _cache_count
    usages = tuple(
        Usage(limit, current, previous, elapsed)
        for (limit, _, _, elapsed), (current, previous) in zip(
            keyed, counts(cache, alias, keyed), strict=True
        )
    )
    decision = Decision(usages)
    if not decision.allowed:
        uncount = _redis_uncount if on_redis else _cache_uncount
        uncount(cache, alias, [current_key for _, current_key, _, _ in keyed])
    return decision


def _timed(cache, alias: str, operation: str):
    """Times a pipeline as the cache's own operations are timed
    (``portal_cache_operation_duration_seconds``, operation ``throttle_count`` / ``throttle_uncount``)."""
    return CACHE_OPERATION_SECONDS.labels(getattr(cache, "metrics_label", alias), operation).time()


def _redis_count(cache, alias: str, keyed) -> list[tuple[int, int]]:
    pipe = get_redis_connection(alias).pipeline(transaction=False)
    for limit, current_key, previous_key, _ in keyed:
        current_key = cache.make_key(current_key)
        pipe.incr(current_key)
        # The counter is the previous window's during the next one: it lives two periods.
        pipe.expire(current_key, 2 * limit.period)
        pipe.get(cache.make_key(previous_key))
    with _timed(cache, alias, "throttle_count"):
        replies = pipe.execute()
    return [(int(replies[i]), int(replies[i + 2] or 0)) for i in range(0, len(replies), 3)]


def _redis_uncount(cache, alias: str, current_keys: list[str]) -> None:
    pipe = get_redis_connection(alias).pipeline(transaction=False)
    for key in current_keys:
        pipe.decr(cache.make_key(key))
    with _timed(cache, alias, "throttle_uncount"):
        pipe.execute()


def _cache_count(cache, alias: str, keyed) -> list[tuple[int, int]]:
    currents = []
    for limit, current_key, _, _ in keyed:
        timeout = 2 * limit.period
        cache.add(current_key, 0, timeout=timeout)
        try:
            currents.append(cache.incr(current_key))
        except ValueError:  # expired between add and incr
            cache.set(current_key, 1, timeout=timeout)
            currents.append(1)
    previous = cache.get_many([previous_key for _, _, previous_key, _ in keyed])
    return [
        (current, int(previous.get(previous_key) or 0))
        for current, (_, _, previous_key, _) in zip(currents, keyed, strict=True)
    ]


def _cache_uncount(cache, alias: str, current_keys: list[str]) -> None:
    for key in current_keys:
        with contextlib.suppress(ValueError):  # expired meanwhile: nothing left to uncount
            cache.decr(key)
