"""The ``api`` cache on Redis through django-redis: the throttle counters are shared there, each
API request costs one round trip to it, and an unreachable Redis lets requests through (logged)
instead of failing them."""

import logging
import os
import threading
import uuid

import pytest
from django.core.cache import caches
from redis import Connection

from core.api import ratelimit
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


class CountingConnection(Connection):
    """A redis-py connection that counts its writes to the socket: one per round trip (a pipeline
    sends all its commands at once)."""

    sends = 0

    def send_packed_command(self, command, check_health=True):
        type(self).sends += 1
        super().send_packed_command(command, check_health)


def _redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    require(bool(url), "this test needs Redis: set REDIS_URL")
    return url


@pytest.fixture
def redis_api_cache(settings):
    _api_cache(settings, _redis_url())
    yield caches["api"]
    caches["api"].delete_pattern("*")  # this test's keys only (its own prefix), never a FLUSHDB
    caches["api"].close()


@pytest.fixture
def counting_redis_api_cache(settings):
    """The ``api`` cache on Redis through ``CountingConnection``s (django-redis keeps a pool per
    URL for the process: this one's URL names its client, so that it gets a pool of its own)."""
    url = _redis_url()
    url += ("&" if "?" in url else "?") + "client_name=pc-throttle-round-trips"
    _api_cache(settings, url, CONNECTION_POOL_KWARGS={"connection_class": CountingConnection})
    yield caches["api"]
    caches["api"].delete_pattern("*")
    caches["api"].close()


@pytest.fixture
def frozen_clock(monkeypatch):
    """The limiter's clock stops 10 s into minute window 10 (no window turns during the test)."""
    monkeypatch.setattr(ratelimit, "now", lambda: 610.0)


@pytest.mark.redis
def test_the_throttles_count_in_redis(redis_api_cache, settings, frozen_clock):
    settings.API_THROTTLE_RATES = {"user": "100/min", "partner": "3/min"}
    world = make_partner_world()
    first, second = client_for(world.admin), client_for(world.admin)
    statuses = [c.get("/v1/customers").status_code for c in (first, second, first, second)]
    assert statuses == [200, 200, 200, 429]
    # The counters live in Redis: a fresh cache object (another process) sees them, and the
    # refused request is not among them.
    caches["api"].close()
    fresh = caches.create_connection("api")
    assert fresh.get(f"throttle:partner:{world.partner.pk}:60:10") == 3
    assert fresh.get(f"throttle:user:{world.admin.pk}:60:10") == 3
    assert 0 < fresh.ttl(f"throttle:partner:{world.partner.pk}:60:10") <= 120


@pytest.mark.redis
def test_an_api_request_costs_one_round_trip_to_redis(counting_redis_api_cache, settings, frozen_clock):
    settings.API_THROTTLE_RATES = {"user": "3/min", "partner": "100/min"}
    world = make_partner_world()
    client = client_for(world.admin)
    assert client.get("/v1/customers").status_code == 200  # connects (its handshake is not counted)
    CountingConnection.sends = 0
    assert [client.get("/v1/customers").status_code for _ in range(2)] == [200, 200]
    assert CountingConnection.sends == 2
    CountingConnection.sends = 0
    assert client.get("/v1/customers").status_code == 429
    assert CountingConnection.sends == 2  # the count, then the refused request's undoing


@pytest.mark.parametrize("backend", [pytest.param("redis", marks=pytest.mark.redis), "locmem"])
def test_concurrent_requests_never_pass_the_limit(backend, settings, frozen_clock):
    if backend == "redis":
        _api_cache(settings, _redis_url())
    else:
        location = f"concurrency-{uuid.uuid4().hex[:8]}"
        settings.CACHES = {
            **settings.CACHES,
            "api": {"BACKEND": "core.metrics.cache.TimedLocMemCache", "LOCATION": location},
        }
    # The partner's limit is never the one that refuses: were it, a request counted by the user
    # scope could meet another's not yet undone partner increment, and how many pass would
    # depend on timing (the limit still holds; only fewer may pass).
    limits = [ratelimit.Limit("throttle:user:1", 10, 60), ratelimit.Limit("throttle:partner:1", 100, 60)]
    start, results = threading.Barrier(40), []

    def request():
        start.wait()
        results.append(ratelimit.check(limits).allowed)
        caches["api"].close()

    threads = [threading.Thread(target=request) for _ in range(40)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert results.count(True) == 10
        assert caches["api"].get("throttle:user:1:60:10") == 10
        assert caches["api"].get("throttle:partner:1:60:10") == 10
    finally:
        if backend == "redis":
            caches["api"].delete_pattern("*")  # this test's own prefix
        else:
            caches["api"].clear()
        caches["api"].close()


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
