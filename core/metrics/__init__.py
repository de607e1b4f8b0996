"""The portal's Prometheus metrics: their definitions, in one place (``docs/operations.md``).

Counters and histograms recorded by the process that sees the event: web processes (requests,
filings, eligibility decisions, database and cache timings) and Celery workers (task runs and
deliveries). With ``PROMETHEUS_MULTIPROC_DIR`` set, prometheus-client keeps every process's values
in files in that directory and a scrape adds them up, so gunicorn's and Celery's several worker
processes all count (``core.metrics.exposition``).

Gauges that describe the state of the data (outbox depth, SLA breaches, expiring GDAP
relationships, Celery queue depths) are not recorded here: they are read at scrape time by
collectors that the top layer registers with :func:`register_scrape_collector` (the
``observability`` app), since this bottom layer imports no domain app.

Label values are bounded: task names, rule ids and outcomes come from tables in code, never from
user input.
"""

from __future__ import annotations

import os

from prometheus_client import Counter, Histogram, disable_created_metrics

# In multiprocess mode every metric defined below opens its file in the directory at once: make
# sure it exists (a tmpfs mount point does; a path in a fresh container or on a laptop may not).
if os.environ.get("PROMETHEUS_MULTIPROC_DIR", "").strip():
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"].strip(), exist_ok=True)

# Only the values: the ``*_created`` series double the exposition and no dashboard reads them.
disable_created_metrics()

#: Sub-second buckets for the hot paths (a decision, a query, a cache call), up to 10 s.
FAST_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)
#: Task runs: from a few milliseconds to the hard time limit (60 s) and beyond.
TASK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)

FILINGS = Counter(
    "portal_servicerequest_filings_total",
    "Service request filings by outcome: filed, or denied by the eligibility rules.",
    ["outcome"],
)
FILING_FAILED_RULES = Counter(
    "portal_servicerequest_filing_failed_rules_total",
    "Rules that failed in denied filings, by rule id (a denial counts once per failed rule).",
    ["rule_id"],
)
ELIGIBILITY_DECISION_SECONDS = Histogram(
    "portal_eligibility_decision_seconds",
    "Time to evaluate one eligibility request (snapshot reads and every rule).",
    buckets=FAST_BUCKETS,
)
DELIVERIES = Counter(
    "portal_deliveries_total",
    "Attempts of the delivery tasks (dispatch to a portal, notification e-mail, webhook) by result.",
    ["task", "result"],
)
CELERY_TASKS = Counter(
    "portal_celery_tasks_total",
    "Celery task runs by task name and final state (SUCCESS, FAILURE, RETRY).",
    ["task", "state"],
)
CELERY_TASK_SECONDS = Histogram(
    "portal_celery_task_duration_seconds",
    "Wall time of one Celery task run, by task name.",
    ["task"],
    buckets=TASK_BUCKETS,
)
DB_QUERY_SECONDS = Histogram(
    "portal_db_query_duration_seconds",
    "Time of one database query (web requests and task runs), by connection alias and vendor.",
    ["alias", "vendor"],
    buckets=FAST_BUCKETS,
)
CACHE_OPERATION_SECONDS = Histogram(
    "portal_cache_operation_duration_seconds",
    "Time of one cache operation, by cache alias and operation.",
    ["cache", "operation"],
    buckets=FAST_BUCKETS,
)

_scrape_collectors: list = []


def register_scrape_collector(collector) -> None:
    """Add ``collector`` (an object with ``collect()`` yielding metric families) to every ``/metrics``
    scrape of the web processes. Idempotent. Collectors run at scrape time, in the scraping process."""
    if collector not in _scrape_collectors:
        _scrape_collectors.append(collector)


def scrape_collectors() -> tuple:
    """The collectors registered with :func:`register_scrape_collector`."""
    return tuple(_scrape_collectors)
