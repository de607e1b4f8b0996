"""One process draining a filled outbox: one dispatch at a time (the ``servicerequests.dispatch``
task's work, then the ``send_notification`` task's) against the relay's batches, in alternating
rounds on the same database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pc_bench_mine REDIS_URL=redis://127.0.0.1:6379/11 \
        python -m bench.relay_drain --dispatches 2000

Under ``partnercenter.settings.bench`` unless ``DJANGO_SETTINGS_MODULE`` says otherwise: the
production settings (``DEBUG`` off, so no query log; the dummy e-mail backend), as the relay runs
in production; ``local``'s ``DEBUG`` and console e-mail would add their own cost to every figure.
The database must be migrated (``manage.py migrate``); the rows stay. Each round files
``--round`` requests through the filing service (relay mode: nothing is published), then drains
them in-process, timing wall clock and this process's CPU plus its PostgreSQL backend's. The
one-at-a-time path runs without a broker, so it leaves out Celery's own per-task cost (message
fetch, acknowledgement, the worker's signals): its figure is an upper bound of the old rate.
"""

from __future__ import annotations

import argparse
import json
import os
import time


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnercenter.settings.bench")
    import django

    django.setup()


def _fill(world, count: int) -> list[int]:
    from django.test.utils import override_settings

    from partners.models import User
    from servicerequests.models import Dispatch
    from servicerequests.services import service_request_file

    actor = User.objects.get(pk=world.agent_id)
    ids = []
    with override_settings(DISPATCH_RELAY=True):
        for index in range(count):
            request = service_request_file(
                actor=actor,
                customer_id=world.customer_id,
                workload="m365",
                title=f"Drain measurement {index}",
                description="Measuring the outbox drain.",
                severity="moderate",
                support_topic_id=world.support_topic_id,
            )
            ids.append(Dispatch.objects.get(request=request).pk)
    return ids


def _backend_cpu() -> float:
    from django.db import connection

    from bench.cpu import process_cpu_seconds

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return process_cpu_seconds(cursor.fetchone()[0])


def _one_at_a_time(dispatch_ids: list[int]) -> int:
    from portals.dispatch import dispatch_deliver
    from servicerequests.models import Notification, NotificationKind
    from servicerequests.notifications import notification_send

    emails = 0
    for dispatch_id in dispatch_ids:
        dispatch = dispatch_deliver(dispatch_id=dispatch_id)
        for notification_id in Notification.objects.filter(
            request_id=dispatch.request_id, kind=NotificationKind.FILED, sent_at__isnull=True
        ).values_list("pk", flat=True):
            emails += notification_send(notification_id=notification_id)
    return emails


def _batches(batch: int) -> int:
    from portals.batch import dispatch_drain

    return dispatch_drain(limit=batch).emails_sent


def measure(*, dispatches: int, round_size: int, batch: int) -> dict:
    from bench.filing import stage_filing_world

    world = stage_filing_world()
    rounds = {"one at a time": [], "relay batches": []}
    done = 0
    while done < dispatches:
        for kind in (
            ("one at a time", "relay batches")
            if done // round_size % 2 == 0
            else ("relay batches", "one at a time")
        ):
            ids = _fill(world, round_size)
            wall, cpu, db = time.perf_counter(), time.process_time(), _backend_cpu()
            emails = _one_at_a_time(ids) if kind == "one at a time" else _batches(batch)
            rounds[kind].append(
                {
                    "deliveries": len(ids),
                    "emails": emails,
                    "seconds": time.perf_counter() - wall,
                    "cpu_seconds": (time.process_time() - cpu) + (_backend_cpu() - db),
                }
            )
        done += round_size
    result = {}
    for kind, measured in rounds.items():
        deliveries = sum(r["deliveries"] for r in measured)
        seconds = sum(r["seconds"] for r in measured)
        result[kind] = {
            "deliveries": deliveries,
            "emails": sum(r["emails"] for r in measured),
            "deliveries_per_second": round(deliveries / seconds, 1),
            "cpu_ms_per_delivery": round(sum(r["cpu_seconds"] for r in measured) * 1000 / deliveries, 2),
            "per_round_per_second": [round(r["deliveries"] / r["seconds"], 1) for r in measured],
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dispatches", type=int, default=1000, help="per path, in all")
    parser.add_argument("--round", dest="round_size", type=int, default=250)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    _setup()
    print(
        json.dumps(
            measure(dispatches=args.dispatches, round_size=args.round_size, batch=args.batch), indent=2
        )
    )


if __name__ == "__main__":
    main()
