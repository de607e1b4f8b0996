"""Several processes count: gunicorn's workers and Celery's pool add up through
``PROMETHEUS_MULTIPROC_DIR``, and a Celery worker serves their sum on ``METRICS_WORKER_PORT``.

Each case runs fresh interpreters: prometheus-client picks its multiprocess mode at import time.
"""

import os
import socket
import subprocess
import sys
from pathlib import Path

from .conftest import samples_of, value

ROOT = Path(__file__).resolve().parents[2]


def run(code: str, **env) -> str:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "partnercenter.settings.test", **env}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_scrape_adds_up_every_process(tmp_path):
    directory = tmp_path / "prometheus"  # created by the first process
    count = "from core.metrics import FILINGS; FILINGS.labels('{outcome}').inc()"
    for outcome in ("filed", "filed", "denied"):
        run(count.format(outcome=outcome), PROMETHEUS_MULTIPROC_DIR=str(directory))
    assert len(list(directory.glob("counter_*.db"))) == 3  # one file per process

    text = run(
        "from core.metrics.exposition import metrics_exposition; "
        "print(metrics_exposition(with_scrape_collectors=False)[0].decode())",
        PROMETHEUS_MULTIPROC_DIR=str(directory),
    )
    samples = samples_of(text)
    assert value(samples, "portal_servicerequest_filings_total", outcome="filed") == 2
    assert value(samples, "portal_servicerequest_filings_total", outcome="denied") == 1


WORKER = """
import multiprocessing, sys, urllib.request
from types import SimpleNamespace
import django
django.setup()
from core.metrics.celery import celery_task_postrun, celery_task_prerun, celery_worker_init

celery_worker_init()  # the worker's main process: empties the directory, serves the port

def pool_process(task_id):
    task = SimpleNamespace(name="webhooks.deliver", request=SimpleNamespace(is_eager=False))
    celery_task_prerun(task_id=task_id, task=task)
    celery_task_postrun(task_id=task_id, task=task, retval="delivered", state="SUCCESS")

context = multiprocessing.get_context("fork")
processes = [context.Process(target=pool_process, args=(f"task-{n}",)) for n in range(2)]
for process in processes:
    process.start()
for process in processes:
    process.join()
answer = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=10)
sys.stdout.write(answer.read().decode())
"""


def test_a_celery_worker_serves_its_pool_processes_metrics(tmp_path):
    stale = tmp_path / "counter_999999.db"
    stale.write_bytes(b"left by an earlier run")
    port = free_port()
    text = run(
        WORKER.replace("sys.argv[1]", str(port)),
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path),
        METRICS_WORKER_PORT=str(port),
        METRICS_WORKER_ADDRESS="127.0.0.1",
    )
    assert not stale.exists()
    samples = samples_of(text)
    assert value(samples, "portal_deliveries_total", task="webhooks.deliver", result="delivered") == 2
    assert value(samples, "portal_celery_tasks_total", task="webhooks.deliver", state="SUCCESS") == 2
    assert value(samples, "portal_celery_task_duration_seconds_count", task="webhooks.deliver") == 2
    # The worker's port serves what the processes recorded, not the database gauges of the web.
    assert not any(name.startswith("portal_dispatch_outbox") for name, _ in samples)


def test_without_a_port_a_worker_serves_nothing(tmp_path):
    stale = tmp_path / "counter_999999.db"
    stale.write_bytes(b"")
    run(
        "import django; django.setup(); "
        "from core.metrics.celery import celery_worker_init; celery_worker_init()",
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path),
        METRICS_WORKER_PORT="",
    )
    assert stale.exists()  # not the worker's directory to empty
