"""``core.cache.RedisCache``: Django's Redis cache, one redis-py client per pool."""

import os
import uuid

import pytest

from core.cache import RedisCache
from tests.conftest import require


@pytest.fixture
def cache():
    url = os.environ.get("REDIS_URL", "")
    require(bool(url), "this test needs Redis: set REDIS_URL")
    backend = RedisCache(url, {"KEY_PREFIX": f"test-{uuid.uuid4().hex[:8]}", "TIMEOUT": 30})
    yield backend
    backend.delete_many(["a", "b", "n"])


def test_operations_reuse_one_client_per_pool(cache):
    clients = {id(cache._cache.get_client(write=True)) for _ in range(3)}
    clients |= {id(cache._cache.get_client(write=False)) for _ in range(3)}
    assert len(clients) == 1  # one server: reads and writes share its pool, and now its client


def test_it_behaves_as_the_django_backend(cache):
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
