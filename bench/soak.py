"""Soak run: a bounded mix of browsing, filing and API calls against the production-shaped stack.

The script starts everything itself on loopback and stops it at the end:

- a fresh PostgreSQL database (``pc_soak_<pid>`` next to ``--database-url``), migrated and loaded
  with ``scenarios/demo.yaml``; dropped at the end unless ``--keep-database``;
- gunicorn (``--web-workers`` processes) and one Celery worker on Redis (``--redis-url``);
- ``--concurrency`` client threads, each signed in (browser session) and holding an API token,
  looping over a weighted mix of actions (``MIX``) until ``--seconds`` passed or
  ``--max-requests`` were sent, whichever comes first.

It reports the request count, errors (any 5xx, any unexpected status, any connection error; the
run fails unless it is 0), latency percentiles per action, the RSS of each gunicorn worker after a
warm-up and at the end (from ``/proc/<pid>/status``), and whether every request filed during the
run was dispatched by the worker (status ``open`` with a portal ticket) within ``--drain-seconds``.

    .venv/bin/python bench/soak.py --seconds 120
    .venv/bin/python bench/soak.py --seconds 30 --concurrency 4 --json results/soak.json
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
from memory import children_of  # bench/memory.py: this script runs from bench/ (python bench/soak.py)

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = str(BASE_DIR / ".venv" / "bin" / "python")
BIN = BASE_DIR / ".venv" / "bin"
USERS = ("alice",)  # Contoso's admin agent, allowed to file for Fabrikam (README "Demo sign-ins")
FILING_CUSTOMER = "Fabrikam"
FILING = {
    "title": "Soak: mail delivery delayed",
    "description": "Outbound mail is delayed by several minutes for every user.",
    "severity": "minimal",
    "workload": "m365",
}

# Action → (weight, what counts as success). Browsing dominates, as in real use.
MIX: dict[str, tuple[int, tuple[int, ...]]] = {
    "browse_home": (10, (200,)),
    "browse_customers": (10, (200,)),
    "browse_customer": (8, (200,)),
    "browse_requests": (10, (200,)),
    "browse_request": (8, (200,)),
    "browse_relationships": (5, (200,)),
    "api_customers": (10, (200,)),
    "api_requests": (10, (200,)),
    "api_request": (8, (200,)),
    "api_graph_relationships": (5, (200,)),
    "api_eligibility": (5, (200,)),
    "api_file": (6, (201,)),
    "api_note": (5, (200,)),
}


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    filed: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.latencies.values())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def require_loopback(url: str) -> None:
    host = urlsplit(url).hostname
    if host not in {"127.0.0.1", "localhost", "::1"}:
        sys.exit(f"soak: {url} is not on loopback; this script only talks to 127.0.0.1")


def database_urls(base_url: str) -> tuple[str, str, str]:
    """(admin URL, soak database URL, soak database name) next to ``base_url``."""
    parts = urlsplit(base_url)
    name = f"pc_soak_{os.getpid()}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    return admin, urlunsplit(parts._replace(path=f"/{name}")), name


def psql(admin_url: str, sql: str) -> None:
    subprocess.run(["psql", "-q", admin_url, "-c", sql], check=True, capture_output=True, text=True)


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=BASE_DIR, env=env, check=True, capture_output=True, text=True
    )
    return result.stdout


def start(command: list[str], log_path: Path, env: dict) -> subprocess.Popen:
    """Start a process of the stack with its output in ``log_path`` (the child keeps its own handle)."""
    with open(log_path, "w") as log:
        return subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def wait_ready(base: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("soak: gunicorn never became ready")


def sign_in(client: httpx.Client, username: str) -> None:
    page = client.get("/signin/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = client.post(
        "/signin/",
        data={"username": username, "password": f"{username}-demo-pass", "csrfmiddlewaretoken": token},
        headers={"Referer": str(client.base_url) + "/signin/"},
    )
    if response.status_code != 302:
        raise SystemExit(f"soak: sign-in of {username} answered {response.status_code}")


class Client:
    """One simulated user: a browser session and an API token, acting until the run ends."""

    def __init__(self, base: str, username: str, token: str, customer_id: str, results: Results):
        self.browser = httpx.Client(base_url=base, timeout=30, follow_redirects=False)
        self.api = httpx.Client(base_url=base, timeout=30, headers={"Authorization": f"Bearer {token}"})
        self.customer_id = customer_id
        self.results = results
        self.request_ids: list[str] = []
        sign_in(self.browser, username)

    def _known_request(self) -> str | None:
        return random.choice(self.request_ids) if self.request_ids else None

    def act(self, action: str) -> tuple[httpx.Response | None, str]:
        customer, request_id = self.customer_id, self._known_request()
        if action == "browse_home":
            return self.browser.get("/"), "/"
        if action == "browse_customers":
            return self.browser.get("/customers/"), "/customers/"
        if action == "browse_customer":
            return self.browser.get(f"/customers/{customer}/"), "/customers/{id}/"
        if action == "browse_requests":
            return self.browser.get("/service-requests/"), "/service-requests/"
        if action == "browse_request" and request_id:
            return self.browser.get(f"/service-requests/{request_id}/"), "/service-requests/{id}/"
        if action == "browse_relationships":
            return self.browser.get("/gdap/relationships/"), "/gdap/relationships/"
        if action == "api_customers":
            return self.api.get("/v1/customers"), "/v1/customers"
        if action == "api_requests":
            return self.api.get("/v1/servicerequests", params={"size": 25}), "/v1/servicerequests"
        if action == "api_request" and request_id:
            return self.api.get(f"/v1/servicerequests/{request_id}"), "/v1/servicerequests/{id}"
        if action == "api_graph_relationships":
            path = "/graph/v1.0/tenantRelationships/delegatedAdminRelationships"
            return self.api.get(path), path
        if action == "api_eligibility":
            path = f"/v1/customers/{customer}/servicerequests/eligibility"
            return self.api.post(path, json=FILING), path
        if action == "api_file":
            response = self.api.post(f"/v1/customers/{customer}/servicerequests", json=FILING)
            if response.status_code == 201:
                self.request_ids.append(response.json()["id"])
                with self.results.lock:
                    self.results.filed.append(response.json()["id"])
            return response, "/v1/customers/{id}/servicerequests"
        if action == "api_note" and request_id:
            body = {"newNote": {"text": f"Soak note {time.time():.3f}"}}
            return self.api.patch(f"/v1/servicerequests/{request_id}", json=body), "/v1/servicerequests/{id}"
        return None, ""  # an action that needs a filed request before it can run

    def close(self) -> None:
        self.browser.close()
        self.api.close()


def run_clients(clients: list[Client], results: Results, seconds: float, max_requests: int) -> float:
    actions = list(MIX)
    weights = [MIX[a][0] for a in actions]
    deadline = time.monotonic() + seconds
    sent = Counter()

    def loop(client: Client) -> None:
        while time.monotonic() < deadline:
            with results.lock:
                if sent["n"] >= max_requests:
                    return
                sent["n"] += 1
            action = random.choices(actions, weights)[0]
            started = time.monotonic()
            try:
                response, label = client.act(action)
            except httpx.HTTPError as exc:
                with results.lock:
                    results.errors.append(f"{action}: {type(exc).__name__}: {exc}")
                continue
            if response is None:
                with results.lock:
                    sent["n"] -= 1
                continue
            elapsed = time.monotonic() - started
            with results.lock:
                results.latencies[action].append(elapsed)
                results.statuses[response.status_code] += 1
                if response.status_code not in MIX[action][1]:
                    results.errors.append(f"{action} {label}: {response.status_code} {response.text[:200]!r}")

    started = time.monotonic()
    threads = [threading.Thread(target=loop, args=(c,), daemon=True) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def drain(base: str, token: str, request_ids: list[str], seconds: float) -> tuple[int, float]:
    """Wait until every filed request is ``open`` with a portal ticket; (how many are not, seconds waited)."""
    started = time.monotonic()
    pending = set(request_ids)
    with httpx.Client(base_url=base, timeout=30, headers={"Authorization": f"Bearer {token}"}) as api:
        while pending and time.monotonic() - started < seconds:
            for request_id in list(pending):
                body = api.get(f"/v1/servicerequests/{request_id}").json()
                if body.get("status") != "none" and body.get("externalTicketId"):
                    pending.discard(request_id)
            if pending:
                time.sleep(1)
    return len(pending), time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=120.0, help="how long to run (default 120)")
    parser.add_argument("--max-requests", type=int, default=50_000, help="stop after this many requests")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads (default 8)")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL URL on loopback; the soak database is created next to it",
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/10", help="Redis on loopback (broker)")
    parser.add_argument(
        "--drain-seconds", type=float, default=60.0, help="time allowed to dispatch the filings"
    )
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument("--json", help="also write the report to this file")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        sys.exit("soak: --database-url must be PostgreSQL")
    require_loopback(args.database_url)
    require_loopback(args.redis_url)

    admin_url, database_url, database_name = database_urls(args.database_url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    workdir = Path(tempfile.mkdtemp(prefix="soak-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "partnercenter.settings.local",
        "DEBUG": "false",
        "DATABASE_URL": database_url,
        "REDIS_URL": args.redis_url,
        "API_THROTTLE_USER_RATE": "1000000/min",
        "API_THROTTLE_PARTNER_RATE": "1000000/min",
        "LOG_LEVEL": "WARNING",
        "CONN_MAX_AGE": "60",
    }
    processes: list[subprocess.Popen] = []
    clients: list[Client] = []
    psql(admin_url, f"DROP DATABASE IF EXISTS {database_name}")
    psql(admin_url, f"CREATE DATABASE {database_name}")
    try:
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "load_scenario", "scenarios/demo.yaml")
        tokens = {
            u: manage(env, "create_api_token", u, "--name", "soak").strip().splitlines()[-1] for u in USERS
        }
        if shutil.which("redis-cli"):  # no Celery messages left over from an earlier run
            subprocess.run(["redis-cli", "-u", args.redis_url, "FLUSHDB"], capture_output=True, check=False)
        web = start(
            [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", str(args.web_workers),
             "--timeout", "60", "partnercenter.wsgi"],
            workdir / "web.log", env,
        )  # fmt: skip
        processes.append(web)
        worker = start(
            [str(BIN / "celery"), "-A", "partnercenter", "worker", "--loglevel=WARNING", "--concurrency=2",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            workdir / "worker.log", env,
        )  # fmt: skip
        processes.append(worker)
        wait_ready(base)
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {tokens['alice']}"}) as api:
            flt = json.dumps({"Field": "CompanyName", "Value": FILING_CUSTOMER, "Operator": "starts_with"})
            customer_id = api.get("/v1/customers", params={"filter": flt}).json()["items"][0]["id"]

        results = Results()
        clients = [
            Client(base, USERS[i % len(USERS)], tokens[USERS[i % len(USERS)]], customer_id, results)
            for i in range(args.concurrency)
        ]
        # Warm-up: a tenth of the run (at most 15 s), then the memory baseline.
        warm = min(15.0, args.seconds / 10)
        run_clients(clients, Results(), warm, args.max_requests)
        workers = children_of(web.pid)
        rss_before = {pid: rss_kib(pid) for pid in workers}
        elapsed = run_clients(clients, results, args.seconds - warm, args.max_requests)
        rss_after = {pid: rss_kib(pid) for pid in workers if Path(f"/proc/{pid}").exists()}
        undispatched, drain_seconds = drain(base, tokens["alice"], results.filed, args.drain_seconds)

        all_latencies = [v for values in results.latencies.values() for v in values]
        report = {
            "seconds": round(elapsed, 1),
            "concurrency": args.concurrency,
            "web_workers": args.web_workers,
            "requests": results.count,
            "requests_per_second": round(results.count / elapsed, 1) if elapsed else 0,
            "errors": len(results.errors),
            "statuses": dict(sorted(results.statuses.items())),
            "latency_ms": {
                "p50": round(percentile(all_latencies, 0.50) * 1000, 1),
                "p95": round(percentile(all_latencies, 0.95) * 1000, 1),
                "p99": round(percentile(all_latencies, 0.99) * 1000, 1),
                "max": round(max(all_latencies, default=0) * 1000, 1),
            },
            "p95_ms_by_action": {
                a: round(percentile(v, 0.95) * 1000, 1) for a, v in sorted(results.latencies.items())
            },
            "filed_including_warm_up": len(results.filed),
            "undispatched_after_drain": undispatched,
            "drain_seconds": round(drain_seconds, 1),
            "web_worker_rss_kib": {
                str(pid): {
                    "before": rss_before[pid],
                    "after": rss_after.get(pid),
                    "growth": (rss_after.get(pid) or 0) - rss_before[pid],
                }
                for pid in workers
            },  # fmt: skip
            "web_worker_rss_growth_kib_mean": round(
                statistics.mean((rss_after.get(p) or 0) - rss_before[p] for p in workers), 1
            )
            if workers
            else None,  # fmt: skip
            "first_errors": results.errors[:10],
        }
        print(json.dumps(report, indent=2))
        if args.json:
            Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
        return 0 if not results.errors and undispatched == 0 else 1
    finally:
        for client in clients:
            client.close()
        for process in reversed(processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        print(f"soak: logs of gunicorn and the worker in {workdir}", file=sys.stderr)
        if not args.keep_database:
            try:
                psql(admin_url, f"DROP DATABASE IF EXISTS {database_name} WITH (FORCE)")
            except subprocess.CalledProcessError as exc:
                print(f"soak: could not drop {database_name}: {exc.stderr}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
