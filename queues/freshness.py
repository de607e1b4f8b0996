"""Dashboards that are never empty when data exists: the queue counts and the report rollup are
recomputed on demand when a page finds them missing or older than their refresh interval.

Celery beat refreshes them too (``partnercenter/celery.py``), but ``make run`` starts no beat; so
the queue pages and the reports page call :func:`queue_counts_ensure_fresh` and
:func:`report_rollup_ensure_fresh` with what they already read. Fresh data costs no query. Stale
data is recomputed under a per-partner lock (a PostgreSQL advisory lock held for the transaction,
or a process lock elsewhere), and staleness is checked again once the lock is held, so concurrent
page views compute once: the others wait for the lock and find the data fresh.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.db import OperationalError, connection, transaction
from django.db.models import Min
from django.utils import timezone

from servicerequests.models import QueueCount, ReportRollup, ReportSnapshot

from .reports import queue_counts_refresh, report_rollup_refresh, report_window

#: How old the counts and the rollup may be before a page view recomputes them (the beat periods).
COUNTS_REFRESH_INTERVAL = timedelta(seconds=60)
ROLLUP_REFRESH_INTERVAL = timedelta(seconds=300)
#: How long a page view waits for another one computing the same partner's numbers.
LOCK_TIMEOUT_MS = 15_000

_process_locks: dict[str, threading.Lock] = {}
_process_locks_guard = threading.Lock()


def is_stale(refreshed_at: datetime | None, interval: timedelta, *, now: datetime) -> bool:
    """Whether numbers stamped ``refreshed_at`` (None: never computed) need recomputing at ``now``."""
    return refreshed_at is None or now - refreshed_at > interval


@contextmanager
def partner_lock(name: str, partner_id):
    """Hold the lock ``name`` for one partner; yields whether it was obtained (False after
    ``LOCK_TIMEOUT_MS`` of waiting). PostgreSQL: a transaction-level advisory lock, shared by
    every process; otherwise a lock of this process (SQLite serialises writers anyway)."""
    key = f"{name}:{partner_id}"
    if connection.vendor == "postgresql":
        with transaction.atomic():
            try:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(f"SET LOCAL lock_timeout = {int(LOCK_TIMEOUT_MS)}")
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(key.encode())])
            except OperationalError:
                yield False
                return
            yield True
        return
    with _process_locks_guard:
        lock = _process_locks.setdefault(key, threading.Lock())
    obtained = lock.acquire(timeout=LOCK_TIMEOUT_MS / 1000)
    try:
        yield obtained
    finally:
        if obtained:
            lock.release()


def _refresh_once(name: str, partner_id, *, stale: Callable[[], bool], refresh: Callable[[], object]) -> bool:
    with partner_lock(name, partner_id) as obtained:
        if not obtained or not stale():
            return False
        refresh()
        return True


def queue_counts_ensure_fresh(*, partner_id, refreshed: Iterable[datetime | None], now=None) -> bool:
    """Recount the partner's queues when ``refreshed`` (the stamps of the counts a page read; empty
    when none exist) is empty or holds one older than :data:`COUNTS_REFRESH_INTERVAL`. Returns
    whether this call recounted (the caller then reads the counts again)."""
    if partner_id is None:
        return False
    now = now or timezone.now()
    stamps = list(refreshed)
    if stamps and not any(is_stale(s, COUNTS_REFRESH_INTERVAL, now=now) for s in stamps):
        return False

    def stale() -> bool:
        oldest = QueueCount.objects.filter(partner_id=partner_id).aggregate(m=Min("refreshed_at"))["m"]
        return is_stale(oldest, COUNTS_REFRESH_INTERVAL, now=now)

    return _refresh_once(
        "queue-counts", partner_id, stale=stale, refresh=lambda: queue_counts_refresh(partner_id=partner_id)
    )


def report_rollup_ensure_fresh(*, partner_id, refreshed_at: datetime | None, now=None) -> bool:
    """Recompute the partner's rollup when ``refreshed_at`` (the report's oldest stamp, None when
    never computed) is older than :data:`ROLLUP_REFRESH_INTERVAL`. Returns whether it did."""
    if partner_id is None:
        return False
    now = now or timezone.now()
    if not is_stale(refreshed_at, ROLLUP_REFRESH_INTERVAL, now=now):
        return False

    def stale() -> bool:
        first_day, _ = report_window(now)
        stamps = [
            ReportSnapshot.objects.filter(partner_id=partner_id).aggregate(m=Min("refreshed_at"))["m"],
            ReportRollup.objects.filter(partner_id=partner_id, day__gte=first_day).aggregate(
                m=Min("refreshed_at")
            )["m"],
        ]
        if stamps[0] is None:
            return True
        return any(s is not None and is_stale(s, ROLLUP_REFRESH_INTERVAL, now=now) for s in stamps)

    return _refresh_once(
        "report-rollup", partner_id, stale=stale, refresh=lambda: report_rollup_refresh(partner_id=partner_id)
    )


def dashboards_refresh(partner_ids: Iterable) -> None:
    """Compute the queue counts and the rollup of these partners now (after a scenario load)."""
    for pid in partner_ids:
        with partner_lock("queue-counts", pid):
            queue_counts_refresh(partner_id=pid)
        with partner_lock("report-rollup", pid):
            report_rollup_refresh(partner_id=pid)
