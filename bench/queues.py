"""Benchmark of the support managers' queues, the list API and the reports page at scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pc_bench python bench/queues.py --rows 100000
    DATABASE_URL=... python bench/queues.py --rows 1000000 --repeat 30

Seeds the database with ``bench/seed.py`` (reused when it already holds ``--rows``), refreshes the
queue counts and the reporting rollup once (timed), then requests each page ``--repeat`` times
in-process through Django's test client (the whole middleware, view and template stack, no
network) as "Bench Partner 00"'s support manager, which holds 15% of the rows:

- the queue page: the first page of every built-in queue and of all requests, and a deep page
  (the cursor of the 50,000th row of all requests, or the middle when fewer);
- ``GET /v1/servicerequests`` with each filter;
- the reports page;
- the CSV export of all the partner's requests (up to ``--export-rows``): time, peak Python
  allocations (tracemalloc) and the growth of the process's peak resident memory.

Prints p50/p95 in milliseconds and queries per request, and writes ``bench/results/queues.json``.
Needs PostgreSQL (the seeder uses COPY).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnercenter.settings.test")
# The benchmark is one user sending thousands of requests: lift the API throttle.
os.environ.setdefault("API_THROTTLE_USER_RATE", "100000000/min")
os.environ.setdefault("API_THROTTLE_PARTNER_RATE", "100000000/min")
# As in production (settings/production.py): persistent database connections.
os.environ.setdefault("CONN_MAX_AGE", "60")

sys.path.insert(0, str(ROOT / "bench"))
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from seed import seed  # noqa: E402

from partners.models import User  # noqa: E402
from queues.definitions import BUILTIN_QUEUES, ORDERINGS  # noqa: E402
from queues.reports import queue_counts_refresh, report_rollup_refresh  # noqa: E402
from queues.selectors import cursor_encode  # noqa: E402
from servicerequests.models import ServiceRequest  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "queues.json"
TARGETS_MS = {"queue": 50, "api": 40, "reports": 300}
EXPORT_TARGET_MB = 100


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def measure(client: Client, url: str, params: dict, repeat: int) -> dict:
    for _ in range(3):  # warm caches and the connection
        response = client.get(url, params)
        assert response.status_code == 200, (url, params, response.status_code, response.content[:300])
    timings = []
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *a: queries.append(sql) or execute(sql, *a)):
        client.get(url, params)
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url, params)
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(percentile(timings, 0.95), 2),
        "queries": len(queries),
    }


def _vm_hwm_kb() -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_hwm() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def measure_export(client: Client, url: str) -> dict:
    reset = _reset_hwm()
    before = _vm_hwm_kb()
    tracemalloc.start()
    started = time.perf_counter()
    response = client.get(url)
    rows = -1  # the header
    size = 0
    for chunk in response.streaming_content:
        rows += chunk.count(b"\n")
        size += len(chunk)
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    after = _vm_hwm_kb()
    return {
        "rows": rows,
        "megabytes_written": round(size / 2**20, 1),
        "seconds": round(seconds, 2),
        "rows_per_second": round(rows / seconds) if seconds else None,
        "python_peak_mb": round(peak / 2**20, 1),
        "rss_peak_growth_mb": round((after - before) / 1024, 1) if reset and before and after else None,
        "rss_peak_mb": round(after / 1024, 1) if after else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--deep", type=int, default=50_000, help="position of the deep page's cursor")
    parser.add_argument(
        "--only",
        choices=["queue", "api", "reports"],
        help="measure only these pages (no maintenance timings, no export)",
    )
    args = parser.parse_args()

    info = seed(args.rows)
    manager = User.objects.get(username=info.manager_username)
    agent = User.objects.get(username=info.agent_username)
    started = time.perf_counter()
    counts_written = queue_counts_refresh()
    counts_seconds = time.perf_counter() - started
    started = time.perf_counter()
    rollup_written = report_rollup_refresh()
    rollup_seconds = time.perf_counter() - started
    started = time.perf_counter()
    queue_counts_refresh(partner_id=info.main_partner_id)
    counts_one_seconds = time.perf_counter() - started

    client = Client()
    client.force_login(manager)
    results: dict[str, dict] = {}

    def run(kind: str, name: str, url: str, params: dict | None = None) -> None:
        if args.only and kind != args.only:
            return
        results[f"{kind}: {name}"] = {"kind": kind, **measure(client, url, params or {}, args.repeat)}

    for queue in BUILTIN_QUEUES:
        run("queue", f"{queue.name} (first page)", reverse("queue_detail", args=[queue.key]))
    all_url = reverse("queue_detail", args=["unassigned"])
    all_params = {"status": "", "assignee": "", "order": "-created"}
    run("queue", "All requests (first page)", all_url, all_params)
    partner_rows = ServiceRequest.objects.filter(partner_id=info.main_partner_id).order_by(
        "-created_at", "-id"
    )
    deep = min(args.deep, max(0, info.main_partner_rows // 2))
    deep_row = partner_rows.only("id", "created_at")[deep]
    run(
        "queue",
        f"All requests (page at row {deep:,})",
        all_url,
        {**all_params, "cursor": cursor_encode(ORDERINGS["-created"], deep_row)},
    )
    unassigned = (
        ServiceRequest.objects.filter(
            partner_id=info.main_partner_id, status__in=["none", "open", "attention_needed"], assigned_to=None
        )
        .exclude(sla_due_at=None)
        .order_by("sla_due_at", "id")
    )
    middle = unassigned.count() // 2
    run(
        "queue",
        f"Unassigned (page at row {middle:,})",
        reverse("queue_detail", args=["unassigned"]),
        {"cursor": cursor_encode(ORDERINGS["sla_due"], unassigned.only("id", "sla_due_at")[middle])},
    )
    client.defaults["HTTP_HX_REQUEST"] = "true"
    run("queue", "Breached (HTMX table refresh)", reverse("queue_detail", args=["breached"]))
    del client.defaults["HTTP_HX_REQUEST"]

    customer_id = str(
        ServiceRequest.objects.filter(partner_id=info.main_partner_id).values_list("customer_id", flat=True)[
            0
        ]
    )
    api_filters = {
        "no filter": {},
        "status=open": {"status": "open"},
        "severity=critical": {"severity": "critical"},
        "workload=azure": {"workload": "azure"},
        "customerId": {"customerId": customer_id},
        "assignedTo=<agent>": {"assignedTo": agent.username},
        "assignedTo=none": {"assignedTo": "none"},
        "unassigned=true&status=open": {"unassigned": "true", "status": "open"},
        "slaBreached=true": {"slaBreached": "true"},
        "slaState=breaching_soon": {"slaState": "breaching_soon"},
        "slaState=breached&status=open": {"slaState": "breached", "status": "open"},
        "orderBy=-lastModifiedDate": {"orderBy": "-lastModifiedDate"},
        "orderBy=slaDueDate": {"orderBy": "slaDueDate"},
        "q=issue 12": {"q": "issue 12"},
    }
    for name, params in api_filters.items():
        run("api", name, "/v1/servicerequests", params)
    run("reports", "Reports page", reverse("queue_reports"))

    export = (
        None
        if args.only
        else measure_export(
            client, f"{reverse('queue_export', args=['unassigned'])}?status=&assignee=&order=-created"
        )
    )

    width = max(len(name) for name in results)
    print(f"\nQueues bench on PostgreSQL: {args.rows:,} requests, {info.main_partner_rows:,} for the partner")
    print(f"{'page':<{width}}  {'p50 ms':>8}  {'p95 ms':>8}  {'queries':>7}  target")
    print("-" * (width + 40))
    for name, r in results.items():
        target = TARGETS_MS[r["kind"]]
        mark = "ok" if r["p95_ms"] <= target else "OVER"
        print(
            f"{name:<{width}}  {r['p50_ms']:>8.2f}  {r['p95_ms']:>8.2f}  {r['queries']:>7}  ≤{target} {mark}"
        )
    if export:
        print(
            f"\nCSV export: {export['rows']:,} rows, {export['megabytes_written']} MB "
            f"in {export['seconds']} s; "
            f"peak Python allocations {export['python_peak_mb']} MB, "
            f"peak RSS growth {export['rss_peak_growth_mb']} MB "
            f"(target < {EXPORT_TARGET_MB} MB)"
        )
    print(
        f"Maintenance: queue counts of all partners {counts_seconds:.2f} s ({counts_written} counts), "
        f"of one partner {counts_one_seconds:.2f} s; rollup {rollup_seconds:.2f} s ({rollup_written} rows)"
    )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "rows": args.rows,
                "measured_partner_rows": info.main_partner_rows,
                "repeat": args.repeat,
                "database": connection.vendor,
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "seed_seconds": info.seconds if info.loaded else None,
                "maintenance": {
                    "queue_counts_all_partners_s": round(counts_seconds, 2),
                    "queue_counts_one_partner_s": round(counts_one_seconds, 2),
                    "report_rollup_all_partners_s": round(rollup_seconds, 2),
                },
                "pages": results,
                "export": export,
                "targets_ms": TARGETS_MS,
            },
            indent=2,
        )
    )
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
