"""``/metrics``: Prometheus's text format, the ``METRICS_TOKEN`` check, and reachable by a scraper
on the internal network (no HTTPS redirect, any host name)."""

import pytest
from django.test import Client

from .conftest import families_of, samples_of

pytestmark = pytest.mark.django_db


def test_open_without_a_token_in_prometheus_text_format(settings):
    settings.METRICS_TOKEN = ""
    response = Client().get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    names = families_of(samples_of(response.content.decode()))
    assert {"portal_dispatch_outbox_depth", "portal_metrics_source_up", "process_cpu_seconds_total"} <= names


def test_openmetrics_when_asked():
    response = Client().get("/metrics", HTTP_ACCEPT="application/openmetrics-text; version=1.0.0")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/openmetrics-text; version=1.0.0")
    assert response.content.endswith(b"# EOF\n")


@pytest.mark.parametrize(
    ("authorization", "status"),
    [
        (None, 401),
        ("Bearer wrong-token", 401),
        ("Bearer ", 401),
        ("Basic czNjcmV0LW1ldHJpY3MtdG9rZW4=", 401),
        ("s3cret-metrics-token", 401),
        ("Bearer s3cret-metrics-token", 200),
        ("bearer s3cret-metrics-token", 200),
    ],
)
def test_with_a_token_only_the_bearer_token_scrapes(settings, authorization, status):
    settings.METRICS_TOKEN = "s3cret-metrics-token"
    headers = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
    response = Client().get("/metrics", **headers)
    assert response.status_code == status
    if status == 401:
        assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
        assert b"portal_" not in response.content
    else:
        assert b"portal_dispatch_outbox_depth" in response.content


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_only_get_and_head(method):
    response = getattr(Client(), method)("/metrics")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def test_a_scraper_on_the_internal_network_is_neither_redirected_nor_refused(settings):
    # Production redirects plain HTTP to HTTPS and refuses unknown hosts; Prometheus asks for
    # http://web:8000/metrics.
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["portal.example.com"]
    response = Client().get("/metrics", HTTP_HOST="web:8000")
    assert response.status_code == 200
    assert b"portal_dispatch_outbox_depth" in response.content
    # ...while every other path still is.
    assert Client().get("/healthz", HTTP_HOST="web:8000").status_code == 400


def test_scrapes_are_not_written_to_the_access_log(caplog):
    with caplog.at_level("INFO", logger="partnercenter.request"):
        Client().get("/metrics")
    assert [r for r in caplog.records if r.name == "partnercenter.request"] == []
