"""Sustained load: open-loop filing at a fixed offered rate with the web tier, the dispatch relay and
a Celery worker running together, and what a partner feels: time from 201 to ``open``.

Open loop: filing ``i`` is sent at ``start + i / rate`` whether or not earlier ones were answered
(at most ``max_in_flight`` outstanding; a filing that would exceed it is counted as ``dropped``),
so a slow server shows as a growing time-to-open instead of slowing the client down. Meanwhile a
thread samples the outbox depth (the window's dispatches not yet delivered) every
``sample_interval`` seconds. After the load, the phase waits for the outbox to drain and reports
how long that took. Time to open is ``Dispatch.delivered_at - ServiceRequest.created_at`` of the
window's requests, read from the database afterwards.
"""

from __future__ import annotations

import asyncio
import threading
import time

import httpx

from bench import dispatch
from bench.cpu import process_cpu_seconds
from bench.filing import FilingWorld, filing_call
from bench.loadgen import LoadResult, Sample, _check_loopback, run_async


async def _open_loop(*, base_url, make_call, rate: float, seconds: float, max_in_flight: int) -> dict:
    samples: list[Sample] = []
    errors = 0
    dropped = 0
    in_flight = 0
    limits = httpx.Limits(max_connections=max_in_flight, max_keepalive_connections=max_in_flight)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30.0) as client:

        async def send(index: int) -> None:
            nonlocal errors, in_flight
            call = make_call(index)
            sent = time.perf_counter()
            try:
                response = await client.request(call.method, call.path, headers=call.headers, json=call.json)
                await response.aread()
                samples.append(Sample(time.perf_counter() - sent, response.status_code, None))
            except httpx.HTTPError:
                errors += 1
            finally:
                in_flight -= 1

        tasks = []
        started = time.perf_counter()
        total = int(rate * seconds)
        for index in range(total):
            delay = started + index / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            if in_flight >= max_in_flight:
                dropped += 1
                continue
            in_flight += 1
            tasks.append(asyncio.create_task(send(index)))
        sending_seconds = time.perf_counter() - started
        await asyncio.gather(*tasks)
        seconds_all = time.perf_counter() - started
    return {
        "result": LoadResult(samples, seconds_all, max_in_flight, errors),
        "offered": total,
        "dropped": dropped,
        "sending_seconds": sending_seconds,
    }


def _sample_depth(*, partner_id, since, interval: float, stop: threading.Event, out: list) -> None:
    from django.db import connections

    started = time.monotonic()
    try:
        while not stop.is_set():
            out.append(
                (
                    round(time.monotonic() - started, 2),
                    dispatch.pending_count(partner_id=partner_id, since=since),
                )
            )
            stop.wait(interval)
    finally:
        connections.close_all()


def measure_sustained(
    *,
    base_url: str,
    world: FilingWorld,
    rate: float,
    seconds: float,
    drain_timeout: float = 60.0,
    sample_interval: float = 0.5,
    max_in_flight: int = 200,
    relay_pid: int | None = None,
) -> dict:
    """File at ``rate`` a second for ``seconds`` (open loop) and report achieved filing rate,
    delivered per second, outbox depth over time, drain time after the load, time to open."""
    from django.utils import timezone

    _check_loopback(base_url)
    since = timezone.now()
    depths: list[tuple[float, int]] = []
    stop = threading.Event()
    sampler = threading.Thread(
        target=_sample_depth,
        kwargs={
            "partner_id": world.partner_id,
            "since": since,
            "interval": sample_interval,
            "stop": stop,
            "out": depths,
        },
        daemon=True,
    )
    sampler.start()
    relay_cpu = process_cpu_seconds(relay_pid) if relay_pid else None
    load = run_async(
        lambda: _open_loop(
            base_url=base_url,
            make_call=lambda i: filing_call(world, i),
            rate=rate,
            seconds=seconds,
            max_in_flight=max_in_flight,
        )
    )
    load_ended = time.monotonic()
    until = timezone.now()
    left = dispatch.wait_delivered(
        partner_id=world.partner_id, since=since, until=until, timeout=drain_timeout, interval=0.05
    )
    drained_after = round(time.monotonic() - load_ended, 2) if left == 0 else None
    if relay_pid:
        relay_cpu = process_cpu_seconds(relay_pid) - relay_cpu
    stop.set()
    sampler.join(timeout=10)
    summary = load["result"].summary()
    opened = dispatch.time_to_open(partner_id=world.partner_id, since=since, until=until)
    rows = dispatch.delivered_times(partner_id=world.partner_id, since=since, until=until)
    span = (rows[-1] - since).total_seconds() if rows else 0.0
    return {
        "offered_per_second": rate,
        "seconds": seconds,
        "offered": load["offered"],
        "dropped": load["dropped"],
        "achieved_per_second": round(summary["ok"] / load["sending_seconds"], 1)
        if load["sending_seconds"]
        else 0.0,
        "filing": summary,
        "delivered": len(rows),
        "delivered_per_second": round(len(rows) / span, 1) if span > 0 else None,
        "relay_cpu_ms_per_delivery": round(relay_cpu * 1000 / len(rows), 2) if relay_pid and rows else None,
        "outbox_depth": {"samples": depths, "max": max((d for _, d in depths), default=0)},
        "drained_after_load_seconds": drained_after,
        "undelivered": left,
        "time_to_open": opened,
    }
