"""Cache backends that time every operation (``portal_cache_operation_duration_seconds``).

Each is the project's backend with :class:`TimedCacheMixin` in front; ``CACHES`` in the settings
names them. The ``cache`` label is the cache's ``KEY_PREFIX``, else its ``LOCATION``, else
``default``. Django's async methods (``aget``...) call the sync ones, so they are timed too.
"""

from __future__ import annotations

import time

from django.core.cache.backends.locmem import LocMemCache
from django_redis.cache import RedisCache

from . import CACHE_OPERATION_SECONDS

#: The operations timed (every public sync method of Django's ``BaseCache`` that reaches the store).
TIMED_OPERATIONS = (
    "get",
    "set",
    "add",
    "delete",
    "touch",
    "incr",
    "decr",
    "has_key",
    "get_many",
    "set_many",
    "delete_many",
    "clear",
)


def _timed(operation: str):
    def method(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return getattr(super(TimedCacheMixin, self), operation)(*args, **kwargs)
        finally:
            CACHE_OPERATION_SECONDS.labels(self.metrics_label, operation).observe(
                time.perf_counter() - started
            )

    method.__name__ = operation
    method.__doc__ = f"``{operation}``, timed."
    return method


class TimedCacheMixin:
    """Times each operation of the backend it is mixed into (put it first in the bases)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        location = server if isinstance(server, str) else ",".join(server)
        self.metrics_label = params.get("KEY_PREFIX") or location or "default"


for _operation in TIMED_OPERATIONS:
    setattr(TimedCacheMixin, _operation, _timed(_operation))


class TimedLocMemCache(TimedCacheMixin, LocMemCache):
    """Django's local-memory cache, timed."""


class TimedRedisCache(TimedCacheMixin, RedisCache):
    """django-redis's ``RedisCache`` (one redis-py client per server), timed."""
