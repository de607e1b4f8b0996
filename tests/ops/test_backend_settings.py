"""The database, cache and broker settings, read in a subprocess with a clean environment: psycopg 3
binding parameters on the server and preparing statements (unless turned off for a pooler in
transaction mode), django-redis for the ``api`` cache, kombu's own Redis transport."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
ENVIRONMENT = {
    "SECRET_KEY": "k3y-" + "x7Qp9vLm2Rt8Wz4Nc6Hb1Jd5Fg0Ks3Ye" * 2,
    "DATABASE_URL": "postgres://portal:secret@db.internal:5432/portal",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "ALLOWED_HOSTS": "portal.example.com",
}
PRINT_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "OPTIONS": settings.DATABASES["default"].get("OPTIONS", {}),
    "CONN_MAX_AGE": settings.DATABASES["default"]["CONN_MAX_AGE"],
    "API_CACHE": settings.CACHES["api"],
    "BROKER": [settings.CELERY_BROKER_URL, getattr(settings, "CELERY_BROKER_TRANSPORT", None)],
}))
"""


def settings_with(module: str, **environment: str) -> dict:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DJANGO_SETTINGS_MODULE": module, **environment}
    result = subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("module", ["partnercenter.settings.production", "partnercenter.settings.test"])
def test_postgresql_binds_on_the_server_and_lets_the_driver_prepare(module):
    settings = settings_with(module, **ENVIRONMENT)
    assert settings["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": 5}
    assert "pool" not in settings["OPTIONS"]  # persistent connections instead (docs/operations.md)


def test_behind_pgbouncer_in_transaction_mode_nothing_is_prepared():
    settings = settings_with(
        "partnercenter.settings.production", **ENVIRONMENT, DATABASE_PREPARED_STATEMENTS="false"
    )
    assert settings["OPTIONS"] == {"server_side_binding": False, "prepare_threshold": None}


def test_sqlite_gets_no_postgresql_options():
    settings = settings_with("partnercenter.settings.test", DATABASE_URL="sqlite:////tmp/unused.sqlite3")
    assert settings["OPTIONS"] == {}


def test_the_api_cache_is_django_redis_and_the_broker_kombus_own_transport():
    settings = settings_with("partnercenter.settings.production", **ENVIRONMENT)
    assert settings["API_CACHE"] == {
        "BACKEND": "core.metrics.cache.TimedRedisCache",  # django-redis, timed (below)
        "LOCATION": "redis://redis.internal:6379/0",
        "KEY_PREFIX": "api",
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1.0, "SOCKET_TIMEOUT": 1.0},
    }
    assert settings["BROKER"] == ["redis://redis.internal:6379/0", None]


def test_without_redis_the_api_cache_is_in_process():
    settings = settings_with("partnercenter.settings.test", DATABASE_URL="sqlite:////tmp/unused.sqlite3")
    assert settings["API_CACHE"] == {
        "BACKEND": "core.metrics.cache.TimedLocMemCache",
        "LOCATION": "api",
    }
    assert settings["BROKER"] == ["memory://", None]


def test_the_timed_backends_are_django_redis_and_django_locmem():
    from django.core.cache.backends.locmem import LocMemCache
    from django_redis.cache import RedisCache

    from core.metrics.cache import TimedLocMemCache, TimedRedisCache

    assert issubclass(TimedRedisCache, RedisCache)
    assert issubclass(TimedLocMemCache, LocMemCache)
