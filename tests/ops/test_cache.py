"""The ``api`` cache on Redis through django-redis: the throttle counters are shared there, and
an unreachable Redis lets requests through (logged) instead of failing them."""

import logging
import os
import uuid

import pytest
from django.core.cache import caches

from tests.api.conftest import client_for, make_partner_world
from tests.conftest import require

pytestmark = pytest.mark.django_db


def _api_cache(settings, location: str, **options) -> None:
    settings.CACHES = {
        **settings.CACHES,
        "api": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex[:8]}",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5, **options},
        },
    }


@pytest.fixture
def redis_api_cache(settings):
    url = os.environ.get("REDIS_URL", "")
    require(bool(url), "this test needs Redis: set REDIS_URL")
    _api_cache(settings, url)
    yield caches["api"]
    caches["api"].delete_pattern("*")  # this test's keys only (its own prefix), never a FLUSHDB
    caches["api"].close()


@pytest.mark.redis
def test_the_throttles_count_in_redis(redis_api_cache, settings):
    settings.API_THROTTLE_RATES = {"user": "100/min", "partner": "3/min"}
    world = make_partner_world()
    first, second = client_for(world.admin), client_for(world.admin)
    statuses = [c.get("/v1/customers").status_code for c in (first, second, first, second)]
    assert statuses == [200, 200, 200, 429]
    # The counters live in Redis: a fresh cache object (another process) sees them.
    caches["api"].close()
    history = caches.create_connection("api").get(f"throttle_partner_{world.partner.pk}")
    assert isinstance(history, list) and len(history) == 3


@pytest.mark.redis
def test_the_cache_behaves_as_djangos(redis_api_cache):
    cache = redis_api_cache
    assert cache.get("a") is None
    cache.set("a", {"history": [1.5, 2.5]})
    assert cache.get("a") == {"history": [1.5, 2.5]}
    assert cache.add("a", "other") is False
    assert cache.add("b", 7) is True
    assert cache.incr("b") == 8
    cache.set_many({"n": 1})
    assert cache.get_many(["a", "b", "n"]) == {"a": {"history": [1.5, 2.5]}, "b": 8, "n": 1}
    cache.delete("a")
    assert cache.get("a", "gone") == "gone"


def test_an_unreachable_redis_lets_requests_through(settings, caplog):
    _api_cache(settings, "redis://127.0.0.1:1/0")  # nothing listens there
    caches["api"].close()
    settings.API_THROTTLE_RATES = {"user": "1/min", "partner": "1/min"}
    world = make_partner_world()
    client = client_for(world.admin)
    try:
        with caplog.at_level(logging.WARNING, logger="partnercenter.api"):
            assert [client.get("/v1/customers").status_code for _ in range(2)] == [200, 200]
    finally:
        caches["api"].close()
    assert any("its cache is unreachable" in r.getMessage() for r in caplog.records)
