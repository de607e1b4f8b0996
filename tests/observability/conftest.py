"""Fixtures of the metrics tests: scraping ``/metrics`` and reading single samples of the scrape."""

from __future__ import annotations

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from tests.api.conftest import make_partner_world

Samples = dict[tuple[str, frozenset], float]


def scrape(**headers) -> Samples:
    """One ``GET /metrics``: every sample, keyed by (sample name, its labels)."""
    response = Client().get("/metrics", **headers)
    assert response.status_code == 200, response.content
    return samples_of(response.content.decode())


def samples_of(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels) -> float:
    """A sample's value; 0 when the scrape has no such sample (a counter not counted yet)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def families_of(samples: Samples) -> set[str]:
    return {name for name, _ in samples}


@pytest.fixture
def world(db):
    """A partner whose admin agent may file M365 requests for its customer (tests/api/conftest.py)."""
    return make_partner_world()
