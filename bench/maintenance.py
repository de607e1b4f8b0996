"""The maintenance tasks at the bench's size, with 500 partners: how long one run of each takes
against its soft time limit.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pc_bench_mine REDIS_URL=redis://127.0.0.1:6379/11 \
        python -m bench.maintenance --partners 500

Run after ``make bench`` on the same database (its rows stay; this adds partners up to
``--partners``, named "Bench Maintenance Partner NNN", without requests). Under
``partnercenter.settings.bench`` unless ``DJANGO_SETTINGS_MODULE`` says otherwise, so tasks are
published to ``REDIS_URL``'s broker and nothing consumes them: every task body runs here, in this
process, and the messages it enqueued are purged from that broker afterwards (use a Redis database
of your own). Each figure is one run, wall clock:

- the beat's fan-outs (``refresh_queue_counts``, ``refresh_report_rollup`` without a partner): one
  message per partner;
- each per-partner task for the partner with the most requests and for a median one;
- each sweeper, once;
- the idempotency-record purge after the bench's records (one per filing) are aged past their
  retention (this deletes them; the bench makes new ones on its next run).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "maintenance.json"


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnercenter.settings.bench")
    import django

    django.setup()


def _partners_up_to(total: int) -> int:
    """Add partners without requests until there are ``total``; returns how many were added."""
    from partners.models import Partner

    missing = total - Partner.objects.count()
    if missing <= 0:
        return 0
    start = Partner.objects.filter(name__startswith="Bench Maintenance Partner").count()
    Partner.objects.bulk_create(
        [
            Partner(name=f"Bench Maintenance Partner {start + i:03d}", type="direct_bill")
            for i in range(missing)
        ]
    )
    return missing


def _timed(name: str, task, call) -> dict:
    started = time.perf_counter()
    result = call()
    seconds = time.perf_counter() - started
    limit = task.soft_time_limit
    return {
        "name": name,
        "seconds": round(seconds, 3),
        "soft_time_limit": limit,
        "share_of_limit": round(seconds / limit, 4) if limit else None,
        "result": result,
    }


def measure(partners: int) -> dict:
    from datetime import timedelta

    from django.db.models import Count
    from django.utils import timezone

    from core.models import IdempotencyRecord
    from core.tasks import purge_expired
    from partnercenter.celery import app
    from queues.tasks import refresh_queue_counts, refresh_report_rollup
    from servicerequests.models import ServiceRequest
    from servicerequests.tasks import sweep_dispatches, sweep_notifications, sweep_sla
    from webhooks.tasks import sweep_deliveries

    added = _partners_up_to(partners)
    sizes = list(
        ServiceRequest.objects.values("partner_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("partner_id", "n")
    )
    largest, median = sizes[0], sizes[len(sizes) // 2]
    runs = [
        _timed("queue counts: the beat's fan-out", refresh_queue_counts, lambda: refresh_queue_counts()),
        _timed("report rollup: the beat's fan-out", refresh_report_rollup, lambda: refresh_report_rollup()),
    ]
    for label, (partner_id, count) in (("largest", largest), ("median", median)):
        runs.append(
            _timed(
                f"queue counts: one partner ({label}, {count:,} requests)",
                refresh_queue_counts,
                lambda p=partner_id: refresh_queue_counts(str(p)),
            )
        )
        runs.append(
            _timed(
                f"report rollup: one partner ({label}, {count:,} requests)",
                refresh_report_rollup,
                lambda p=partner_id: refresh_report_rollup(str(p)),
            )
        )
    runs += [
        _timed("SLA sweep", sweep_sla, sweep_sla),
        _timed("dispatch sweep", sweep_dispatches, sweep_dispatches),
        _timed("notification sweep", sweep_notifications, sweep_notifications),
        _timed("webhook delivery sweep", sweep_deliveries, sweep_deliveries),
    ]
    aged = IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(days=2))
    runs.append(
        _timed(f"purge of expired API rows ({aged:,} idempotency records)", purge_expired, purge_expired)
    )
    purged_messages = app.control.purge()
    return {
        "partners": partners,
        "partners_added": added,
        "service_requests": sum(n for _, n in sizes),
        "broker_messages_purged": purged_messages,
        "runs": runs,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=500, help="partners to reach (default 500)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    _setup()
    results = measure(args.partners)
    print(f"{results['service_requests']:,} service requests, {args.partners} partners")
    print(f"{'run':<64} {'seconds':>8} {'limit s':>8} {'share':>7}")
    for run in results["runs"]:
        share = f"{run['share_of_limit']:.1%}" if run["share_of_limit"] is not None else ""
        print(f"{run['name']:<64} {run['seconds']:>8.3f} {run['soft_time_limit'] or '':>8} {share:>7}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"\nWrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
