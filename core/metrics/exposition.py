"""One scrape: every metric of this process, or of every process sharing ``PROMETHEUS_MULTIPROC_DIR``.

Without ``PROMETHEUS_MULTIPROC_DIR`` a scrape reads prometheus-client's default registry (this
process only: ``runserver``, one gunicorn worker). With it, every process writes its counters and
histograms into files in that directory and :func:`metrics_exposition` adds up all of them, so it
does not matter which gunicorn worker answers the scrape. The directory must be empty when the
first process starts and must not be shared between hosts or containers (file names are process
ids): ``docker/gunicorn.conf.py`` empties it when gunicorn starts, ``core.metrics.celery`` when a
Celery worker starts, and the compose file mounts a tmpfs there.
"""

from __future__ import annotations

import os
from pathlib import Path

from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector

from . import scrape_collectors


def multiprocess_directory() -> Path | None:
    """The directory of prometheus-client's multiprocess mode, or None when it is off."""
    value = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "").strip()
    return Path(value) if value else None


def multiprocess_directory_clear() -> None:
    """Remove the value files of earlier runs (call once, before the first process records)."""
    directory = multiprocess_directory()
    if directory is None:
        return
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink(missing_ok=True)


def process_registry():
    """What this process records: the default registry, or the sum over every process's files."""
    directory = multiprocess_directory()
    if directory is None:
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(directory))
    return registry


class _Scrape:
    """A registry-like object whose ``collect()`` chains its sources (``generate_latest`` needs only that)."""

    def __init__(self, sources):
        self._sources = tuple(sources)

    def collect(self):
        for source in self._sources:
            yield from source.collect()


def metrics_exposition(*, accept: str = "", with_scrape_collectors: bool = True) -> tuple[bytes, str]:
    """The text exposition (Prometheus text format, or OpenMetrics when ``accept`` asks for it) and
    its content type. ``with_scrape_collectors`` adds the collectors registered with
    ``core.metrics.register_scrape_collector`` (the database and broker gauges); it costs their
    queries. Reads only; records nothing."""
    sources = [process_registry()]
    if with_scrape_collectors:
        sources.extend(scrape_collectors())
    encoder, content_type = choose_encoder(accept)
    return encoder(_Scrape(sources)), content_type
