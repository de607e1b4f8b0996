"""Health endpoints for container runtimes and load balancers. Unauthenticated, JSON, never cached.

- ``/healthz``: the process answers (touches no database): use it for liveness.
- ``/readyz``: the process can serve: database reachable, Redis reachable when ``REDIS_URL`` is
  set, no unapplied migrations. Use it for readiness / load-balancer membership.

``/readyz`` answers ``{"status": "ok"|"degraded"|"fail", "checks": {...}}``. A failing database
or pending migrations make it ``fail`` (503). A Redis outage only makes it ``degraded`` and still
200: filing keeps working because dispatch goes through the outbox, which the sweeper re-sends
once the broker is back, so taking web processes out of rotation would only make things worse.
Error details name the exception class only; the full error is logged with the correlation id.
"""

from __future__ import annotations

import functools
import logging

import redis
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

# What a failing check does to the overall status (rules as data).
CHECK_FAILURE_STATUS = {"database": "fail", "migrations": "fail", "redis": "degraded"}
# The worst status wins; each status has its HTTP code.
STATUS_SEVERITY = {"ok": 0, "degraded": 1, "fail": 2}
STATUS_HTTP_CODE = {"ok": 200, "degraded": 200, "fail": 503}
REDIS_TIMEOUT_SECONDS = 1.0

# The migration check is costly (it reads every migration file) and its "ok" cannot change
# during a process's life, so the first "ok" is remembered per database alias.
_migrations_applied: set[str] = set()


def _error(exc: BaseException) -> str:
    return f"error: {type(exc).__name__}"


def check_database() -> tuple[bool, str]:
    """Run ``SELECT 1`` on the default database."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # a probe reports any failure; it never answers 500
        logger.warning("readyz: database check failed: %s", exc, extra={"check": "database"})
        return False, _error(exc)
    return True, "ok"


@functools.lru_cache(maxsize=4)
def _redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS
    )


def check_redis() -> tuple[bool, str]:
    """PING the Redis at ``settings.REDIS_URL``; ``unconfigured`` (and fine) when it is empty."""
    url = getattr(settings, "REDIS_URL", "")
    if not url:
        return True, "unconfigured"
    try:
        _redis_client(url).ping()
    except Exception as exc:  # a probe reports any failure; it never answers 500
        logger.warning("readyz: redis check failed: %s", exc, extra={"check": "redis"})
        return False, _error(exc)
    return True, "ok"


def check_migrations() -> tuple[bool, str]:
    """Count the migrations not yet applied to the default database (``pending: N``)."""
    if connection.alias in _migrations_applied:
        return True, "ok"
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:  # a probe reports any failure (also a broken migration graph)
        logger.warning("readyz: migration check failed: %s", exc, extra={"check": "migrations"})
        return False, _error(exc)
    if plan:
        return False, f"pending: {len(plan)}"
    _migrations_applied.add(connection.alias)
    return True, "ok"


def readiness_report() -> tuple[str, dict[str, str]]:
    """Run the checks and return the overall status and each check's detail.

    The migration check is skipped (``unknown``) when the database is unreachable.
    """
    database_ok, database_detail = check_database()
    results = {"database": (database_ok, database_detail), "redis": check_redis()}
    results["migrations"] = check_migrations() if database_ok else (False, "unknown")
    status = "ok"
    for name, (ok, _detail) in results.items():
        if not ok and STATUS_SEVERITY[CHECK_FAILURE_STATUS[name]] > STATUS_SEVERITY[status]:
            status = CHECK_FAILURE_STATUS[name]
    return status, {name: detail for name, (_ok, detail) in results.items()}


@never_cache
@require_safe
def healthz(request):
    """Liveness: the process answers. Touches neither the database nor Redis."""
    return JsonResponse({"status": "ok", "checks": {"process": "ok"}})


@never_cache
@require_safe
def readyz(request):
    """Readiness: 200 when ``ok`` or ``degraded``, 503 when ``fail``, with each check's detail."""
    status, checks = readiness_report()
    return JsonResponse({"status": status, "checks": checks}, status=STATUS_HTTP_CODE[status])
