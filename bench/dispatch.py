"""Dispatch: how fast one Celery worker delivers the outbox, and how long a filed request waits to be
``open``.

Both figures are read from the database after the fact, from the rows the bench filed: a request's
``created_at`` (filing) and its ``Dispatch.delivered_at`` (the moment the worker handed it to the
portal and made it ``open``, in the same transaction).

- Worker throughput: the filing phase runs while no worker runs (the messages wait in Redis), then
  one worker starts; the rate is the delivered rows over the span between the first and the last
  ``delivered_at``, so the worker's start-up time is not counted.
- Time to open: for requests filed one at a time while the worker runs, ``delivered_at -
  created_at``, p50/p95/max.
"""

from __future__ import annotations

import time
from datetime import datetime

from bench.loadgen import percentile


def _dispatches(*, partner_id: str, since: datetime, until: datetime | None = None):
    from servicerequests.models import Dispatch

    queryset = Dispatch.objects.filter(request__partner_id=partner_id, request__created_at__gte=since)
    if until is not None:
        queryset = queryset.filter(request__created_at__lte=until)
    return queryset


def pending_count(*, partner_id: str, since: datetime, until: datetime | None = None) -> int:
    """How many dispatches of the partner's requests filed in the window are not delivered yet."""
    return _dispatches(partner_id=partner_id, since=since, until=until).exclude(status="delivered").count()


def wait_delivered(
    *, partner_id: str, since: datetime, until: datetime | None = None, timeout: float, interval: float = 0.5
) -> int:
    """Poll until every dispatch of the window is delivered or ``timeout`` seconds passed; return how
    many are still pending (0 when all were delivered)."""
    deadline = time.monotonic() + timeout
    while True:
        pending = pending_count(partner_id=partner_id, since=since, until=until)
        if pending == 0 or time.monotonic() >= deadline:
            return pending
        time.sleep(interval)


def wait_notified(
    *, partner_id: str, since: datetime, until: datetime | None = None, timeout: float, interval: float = 0.5
) -> int:
    """Poll until the filer's e-mail of every request filed in the window is sent (the dispatch task
    enqueues it, so it queues behind the outbox) or ``timeout`` seconds passed; return how many are
    still unsent. The time-to-open phase starts with the worker's queue drained."""
    from servicerequests.models import Notification

    unsent = Notification.objects.filter(
        request__partner_id=partner_id, request__created_at__gte=since, sent_at__isnull=True
    )
    if until is not None:
        unsent = unsent.filter(request__created_at__lte=until)
    deadline = time.monotonic() + timeout
    while True:
        pending = unsent.count()
        if pending == 0 or time.monotonic() >= deadline:
            return pending
        time.sleep(interval)


def worker_throughput(*, partner_id: str, since: datetime, until: datetime | None = None) -> dict:
    """Delivered rows per second over the span of their ``delivered_at`` (see the module docstring)."""
    delivered = sorted(
        _dispatches(partner_id=partner_id, since=since, until=until)
        .filter(status="delivered")
        .values_list("delivered_at", flat=True)
    )
    total = _dispatches(partner_id=partner_id, since=since, until=until).count()
    span = (delivered[-1] - delivered[0]).total_seconds() if len(delivered) > 1 else 0.0
    return {
        "backlog": total,
        "delivered": len(delivered),
        "seconds": round(span, 3),
        "deliveries_per_second": round((len(delivered) - 1) / span, 1) if span > 0 else None,
    }


def time_to_open(*, partner_id: str, since: datetime, until: datetime | None = None) -> dict:
    """Seconds from filing to ``open`` of the window's requests: p50, p95, max (delivered ones)."""
    rows = list(
        _dispatches(partner_id=partner_id, since=since, until=until).values_list(
            "request__created_at", "delivered_at"
        )
    )
    waits = [(delivered - created).total_seconds() * 1000 for created, delivered in rows if delivered]
    return {
        "requests": len(rows),
        "delivered": len(waits),
        "ms": {
            "p50": round(percentile(waits, 50), 1),
            "p95": round(percentile(waits, 95), 1),
            "p99": round(percentile(waits, 99), 1),
            "max": round(max(waits, default=0.0), 1),
        },
    }


def delivered_times(*, partner_id: str, since: datetime, until: datetime | None = None) -> list[datetime]:
    """The ``delivered_at`` of the window's delivered dispatches, in order."""
    return sorted(
        _dispatches(partner_id=partner_id, since=since, until=until)
        .filter(status="delivered")
        .values_list("delivered_at", flat=True)
    )


def relay_throughput(*, partner_id: str, since: datetime, until: datetime | None = None) -> dict:
    """The relay's rate over a filled outbox, e-mails included: delivered rows and sent ``filed``
    e-mails, over the span from the first delivery to the last delivery or e-mail (whichever is
    later), since the relay sends a batch's e-mails before it claims the next batch."""
    from servicerequests.models import Notification

    delivered = delivered_times(partner_id=partner_id, since=since, until=until)
    sent = Notification.objects.filter(
        request__partner_id=partner_id, request__created_at__gte=since, sent_at__isnull=False
    )
    if until is not None:
        sent = sent.filter(request__created_at__lte=until)
    sent_times = sorted(sent.values_list("sent_at", flat=True))
    if len(delivered) < 2:
        return {
            "delivered": len(delivered),
            "emails": len(sent_times),
            "seconds": 0.0,
            "deliveries_per_second": None,
        }
    end = max(delivered[-1], sent_times[-1] if sent_times else delivered[-1])
    span = (end - delivered[0]).total_seconds()
    return {
        "delivered": len(delivered),
        "emails": len(sent_times),
        "seconds": round(span, 3),
        "deliveries_per_second": round(len(delivered) / span, 1) if span > 0 else None,
        "emails_per_second": round(len(sent_times) / span, 1) if span > 0 else None,
    }
