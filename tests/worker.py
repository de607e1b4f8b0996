"""A real Celery worker on the real Redis, for tests (reusable).

Usage in a test module::

    from tests.worker import celery_worker  # noqa: F401  (the fixture)

    @pytest.mark.worker
    def test_something(celery_worker):        # uses transactional_db
        ...                                   # tasks now go through Redis to the worker thread
        wait_for(lambda: ..., timeout=10)

The fixture skips the test (fails it when ``CI=true``) without ``REDIS_URL`` or
without PostgreSQL (the worker thread must see the test's committed rows). It
turns eager mode off, purges the queue, starts one worker thread (solo pool)
on ``REDIS_URL``, and closes the worker thread's database connection after
each task so the test database can be flushed and dropped. ``broker_down()``
points *publishing* at an unreachable broker while the worker keeps consuming.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import connection, connections

from partnercenter.celery import app as celery_app
from tests.conftest import require

UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"


def _close_thread_connections(**kwargs) -> None:
    connections.close_all()


def _reset_producer_pools() -> None:
    """Drop the cached broker connections so the next publish uses the current configuration."""
    celery_app._pool = None
    with suppress(AttributeError):
        celery_app.amqp._producer_pool = None


@contextmanager
def running_worker(*, redis_url: str) -> Iterator[object]:
    """Run one Celery worker thread consuming from ``redis_url``; eager mode is off meanwhile."""
    conf = celery_app.conf
    saved = {
        key: conf[key]
        for key in ("task_always_eager", "broker_url", "result_backend", "broker_write_url")
        if key in conf
    }
    conf.update(
        task_always_eager=False, broker_url=redis_url, result_backend=redis_url, broker_write_url=None
    )
    _reset_producer_pools()
    celery_app.loader.import_task_module("celery.contrib.testing.tasks")  # celery.ping, for the ping check
    task_postrun.connect(_close_thread_connections, weak=False)
    try:
        with celery_app.connection_for_write() as conn:
            celery_app.control.purge(connection=conn)
        with start_worker(celery_app, pool="solo", concurrency=1, perform_ping_check=True) as worker:
            yield worker
    finally:
        task_postrun.disconnect(_close_thread_connections)
        conf.update(saved)
        _reset_producer_pools()


@contextmanager
def broker_down() -> Iterator[None]:
    """Publishing goes to an unreachable broker (the worker keeps consuming from the real one)."""
    conf = celery_app.conf
    conf.broker_write_url = UNREACHABLE_BROKER
    _reset_producer_pools()
    try:
        yield
    finally:
        conf.broker_write_url = None
        _reset_producer_pools()


def wait_for(condition: Callable[[], object], *, timeout: float = 15.0, interval: float = 0.1):
    """Poll ``condition`` until it returns something truthy; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout}s")
        time.sleep(interval)


@pytest.fixture
def celery_worker(transactional_db):
    """A real worker on ``REDIS_URL`` for the duration of the test (see the module docstring)."""
    redis_url = os.environ.get("REDIS_URL", "")
    require(bool(redis_url), "this test needs Redis and a real worker: set REDIS_URL")
    require(connection.vendor == "postgresql", "this test needs PostgreSQL: set DATABASE_URL")
    with running_worker(redis_url=redis_url) as worker:
        yield worker
