"""A bounded, closed-loop HTTP load generator (asyncio + httpx) for the bench.

``concurrency`` clients each send one request, wait for its response, and send the next, until
``count`` requests were sent or ``max_seconds`` passed, whichever comes first: a run always stops
by itself. It talks to loopback only (``base_url`` must be ``http://127.0.0.1:<port>`` or
``http://localhost:<port>``). Connections are kept alive, one per client.

Every response is a sample: latency (from sending to the last byte of the body), status, and the
``X-Bench-Queries`` header when the server sets it (``partnercenter.settings.bench``).

Latency with one client (:func:`run_sequential`) is measured over a blocking ``http.client``
connection instead, so that a sample holds as little of the client's own CPU as it can: the
client shares the machine's cores with the server (docs/performance.md, "Read latency measured
without the client's own CPU").
"""

from __future__ import annotations

import asyncio
import http.client
import json
import math
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

QUERIES_HEADER = "X-Bench-Queries"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class Call:
    """One request to send: method, path (joined to the base URL), headers and an optional JSON body."""

    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    json: object | None = None


@dataclass(frozen=True)
class Sample:
    """One response: latency in seconds, status code, queries (None when the header is absent)."""

    latency: float
    status: int
    queries: int | None


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank ``p``-th percentile (0 < p <= 100) of ``values``; 0.0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class LoadResult:
    """The samples of one run and its wall-clock duration."""

    samples: list[Sample]
    seconds: float
    concurrency: int
    transport_errors: int = 0

    @classmethod
    def merged(cls, results: list[LoadResult]) -> LoadResult:
        """The slices of one load run at different times as one result: their samples, their
        seconds added up (throughput is over the time the load actually ran)."""
        return cls(
            samples=[sample for result in results for sample in result.samples],
            seconds=sum(result.seconds for result in results),
            concurrency=results[0].concurrency,
            transport_errors=sum(result.transport_errors for result in results),
        )

    def summary(self) -> dict:
        """Counts, throughput of successful (2xx) responses, latency percentiles in ms, queries."""
        ok = [s for s in self.samples if 200 <= s.status < 300]
        latencies = [s.latency * 1000 for s in ok]
        queries = [s.queries for s in ok if s.queries is not None]
        failures = Counter(str(s.status) for s in self.samples if not 200 <= s.status < 300)
        if self.transport_errors:
            failures["transport"] = self.transport_errors
        return {
            "requests": len(self.samples) + self.transport_errors,
            "ok": len(ok),
            "failures": dict(sorted(failures.items())),
            "concurrency": self.concurrency,
            "seconds": round(self.seconds, 3),
            "requests_per_second": round(len(ok) / self.seconds, 1) if self.seconds > 0 else 0.0,
            "latency_ms": {
                "p50": round(percentile(latencies, 50), 1),
                "p95": round(percentile(latencies, 95), 1),
                "p99": round(percentile(latencies, 99), 1),
                "max": round(max(latencies, default=0.0), 1),
            },
            "queries_per_request": {
                "mean": round(sum(queries) / len(queries), 2) if queries else None,
                "max": max(queries) if queries else None,
            },
        }


def _check_loopback(base_url: str) -> None:
    parts = urlsplit(base_url)
    if parts.scheme != "http" or parts.hostname not in LOOPBACK_HOSTS:
        raise ValueError(f"the load generator only talks to loopback over http, not {base_url!r}")


async def _run(
    *, base_url: str, make_call: Callable[[int], Call], count: int, concurrency: int, max_seconds: float
) -> LoadResult:
    samples: list[Sample] = []
    transport_errors = 0
    next_index = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30.0) as client:
        started = time.perf_counter()
        deadline = started + max_seconds

        async def client_loop() -> None:
            nonlocal next_index, transport_errors
            while next_index < count and time.perf_counter() < deadline:
                call = make_call(next_index)
                next_index += 1
                sent = time.perf_counter()
                try:
                    response = await client.request(
                        call.method, call.path, headers=call.headers, json=call.json
                    )
                    await response.aread()
                except httpx.HTTPError:
                    transport_errors += 1
                    continue
                latency = time.perf_counter() - sent
                raw = response.headers.get(QUERIES_HEADER)
                samples.append(Sample(latency, response.status_code, int(raw) if raw else None))

        await asyncio.gather(*(client_loop() for _ in range(concurrency)))
        seconds = time.perf_counter() - started
    return LoadResult(samples, seconds, concurrency, transport_errors)


def run_load(
    *,
    base_url: str,
    make_call: Callable[[int], Call],
    count: int,
    concurrency: int,
    max_seconds: float,
) -> LoadResult:
    """Send up to ``count`` requests built by ``make_call(i)`` with ``concurrency`` clients, for at
    most ``max_seconds``; return the samples. Raises ``ValueError`` for a non-loopback URL or
    non-positive bounds."""
    _check_loopback(base_url)
    if count < 1 or concurrency < 1 or max_seconds <= 0:
        raise ValueError("count, concurrency and max_seconds must be positive")

    return run_async(
        lambda: _run(
            base_url=base_url,
            make_call=make_call,
            count=count,
            concurrency=concurrency,
            max_seconds=max_seconds,
        )
    )


def run_sequential(
    *, base_url: str, make_call: Callable[[int], Call], count: int, max_seconds: float
) -> LoadResult:
    """One client sending ``count`` requests one after the other (at most ``max_seconds``) over one
    kept-alive ``http.client`` connection; the samples as :func:`run_load` takes them, from sending
    the request to the last byte of the body. A transport error is counted and the connection
    opened again. Raises ``ValueError`` for a non-loopback URL or non-positive bounds."""
    _check_loopback(base_url)
    if count < 1 or max_seconds <= 0:
        raise ValueError("count and max_seconds must be positive")
    parts = urlsplit(base_url)
    samples: list[Sample] = []
    transport_errors = 0
    connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=30.0)
    started = time.perf_counter()
    deadline = started + max_seconds
    try:
        for index in range(count):
            if time.perf_counter() >= deadline:
                break
            call = make_call(index)
            headers = dict(call.headers)
            body = None
            if call.json is not None:
                body = json.dumps(call.json).encode()
                headers["Content-Type"] = "application/json"
            sent = time.perf_counter()
            try:
                connection.request(call.method, call.path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                transport_errors += 1
                connection.close()
                continue
            latency = time.perf_counter() - sent
            raw = response.getheader(QUERIES_HEADER)
            samples.append(Sample(latency, response.status, int(raw) if raw else None))
    finally:
        connection.close()
    return LoadResult(samples, time.perf_counter() - started, 1, transport_errors)


def run_async(make_coroutine):
    """``asyncio.run(make_coroutine())``, in a thread of its own when an event loop already runs in
    this one (a caller inside async code, or a library's own loop, such as Playwright's)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make_coroutine())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make_coroutine())).result()
