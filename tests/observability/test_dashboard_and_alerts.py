"""The Grafana dashboard and the Prometheus alert rules use only metrics that ``/metrics`` exposes,
and the compose file's observability profile mounts them."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from unittest import mock

import pytest
import yaml

from tests.api.conftest import client_for
from tests.conftest import require
from tests.factories import RelationshipFactory
from webhooks.models import WebhookDelivery, WebhookEvent

from .conftest import families_of, scrape
from .test_domain_metrics import M365_BODY, file_url

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "docker/grafana/dashboards/portal.json"
ALERTS = ROOT / "docker/prometheus/alerts.yml"
PROMETHEUS = ROOT / "docker/prometheus/prometheus.yml"
COMPOSE = ROOT / "docker-compose.yml"

#: Series that Prometheus itself writes for every target (not the portal's).
PROMETHEUS_SERIES = {"up"}
#: PromQL keywords that read like names (functions and aggregations are followed by "(").
PROMQL_KEYWORDS = {"and", "or", "unless", "bool", "offset", "group_left", "group_right", "inf", "nan"}


def promql_metric_names(expr: str) -> set[str]:
    """The metric names an expression reads: identifiers outside strings, label matchers, ranges
    and grouping clauses that are neither a function nor a keyword."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    expr = re.sub(r"\{[^}]*\}", " ", expr)
    expr = re.sub(r"\[[^\]]*\]", " ", expr)
    expr = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", expr)
    names = set()
    for match in re.finditer(r"(?<![\w.])[A-Za-z_:][\w:]*", expr):
        word = match.group()
        if expr[match.end() :].lstrip().startswith("(") or word.lower() in PROMQL_KEYWORDS:
            continue
        names.add(word)
    return names


def test_promql_metric_names():
    expr = (
        'histogram_quantile(0.95, sum by (le, view) (rate(a_bucket{view=~"x|y"}[5m]))) '
        "/ on (job) group_left b_total > 2e3 and up == 0"
    )
    assert promql_metric_names(expr) == {"a_bucket", "b_total", "up"}


def dashboard_expressions() -> list[str]:
    panels = json.loads(DASHBOARD.read_text())["panels"]
    return [target["expr"] for panel in panels for target in panel.get("targets", [])]


def alert_rules() -> list[dict]:
    return [rule for group in yaml.safe_load(ALERTS.read_text())["groups"] for rule in group["rules"]]


@pytest.fixture
def full_scrape(world, django_capture_on_commit_callbacks, settings):
    """A scrape after a filing, a refusal and a dispatch, with a Redis broker's queue depths (a
    stand-in client when no Redis runs here), an expiring GDAP relationship and a webhook delivery
    waiting for a retry."""
    api = client_for(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(file_url(world), M365_BODY, format="json").status_code == 201
    world.relationship.access_assignments.get().roles.set(
        world.relationship.roles.filter(name="Global Reader")
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(file_url(world), M365_BODY, format="json").status_code == 403
    RelationshipFactory(partner=world.partner, customer=world.customer)
    event = WebhookEvent.objects.create(
        partner=world.partner,
        event_name="test-created",
        resource_name="t",
        resource_id="x",
        sequence_number=1,
    )
    WebhookDelivery.objects.create(partner=world.partner, event=event, url="u", attempts=1)
    redis_url = os.environ.get("REDIS_URL", "")
    settings.CELERY_BROKER_URL = redis_url or "redis://127.0.0.1:6379/0"
    if redis_url:
        return families_of(scrape())
    client = mock.MagicMock()
    client.pipeline.return_value.execute.return_value = [0] * len(settings.METRICS_CELERY_QUEUES)
    with mock.patch("observability.collectors._broker_client", return_value=client):
        return families_of(scrape())


def test_every_metric_of_the_dashboard_is_scraped(full_scrape):
    used = set().union(*map(promql_metric_names, dashboard_expressions()))
    assert len(used) >= 15
    assert used - full_scrape - PROMETHEUS_SERIES == set()


def test_every_metric_of_the_alert_rules_is_scraped(full_scrape):
    used = set().union(*(promql_metric_names(rule["expr"]) for rule in alert_rules()))
    assert len(used) >= 10
    assert used - full_scrape - PROMETHEUS_SERIES == set()


def test_every_domain_metric_is_on_the_dashboard():
    used = set().union(*map(promql_metric_names, dashboard_expressions()))
    domain = {
        "portal_servicerequest_filings_total",
        "portal_servicerequest_filing_failed_rules_total",
        "portal_eligibility_decision_seconds_bucket",
        "portal_dispatch_outbox_depth",
        "portal_dispatch_outbox_oldest_age_seconds",
        "portal_deliveries_total",
        "portal_servicerequests_sla_breached",
        "portal_gdap_relationships_expiring",
        "portal_celery_queue_depth",
        "django_http_requests_latency_seconds_by_view_method_count",
        "portal_db_query_duration_seconds_bucket",
        "portal_cache_operation_duration_seconds_bucket",
    }
    assert domain - used == set()


def test_the_alert_rules_are_complete():
    rules = alert_rules()
    names = [rule["alert"] for rule in rules]
    assert len(names) == len(set(names))
    for rule in rules:
        assert set(rule) <= {"alert", "expr", "for", "labels", "annotations"}, rule["alert"]
        assert rule["labels"]["severity"] in {"page", "warn", "info"}, rule["alert"]
        assert rule["annotations"]["summary"], rule["alert"]


def test_the_dashboard_reads_the_provisioned_data_source():
    dashboard = json.loads(DASHBOARD.read_text())
    datasources = yaml.safe_load(
        (ROOT / "docker/grafana/provisioning/datasources/prometheus.yml").read_text()
    )
    uid = datasources["datasources"][0]["uid"]
    panels = [panel for panel in dashboard["panels"] if panel["type"] != "row"]
    assert {panel["datasource"]["uid"] for panel in panels} == {uid}
    assert len({panel["id"] for panel in dashboard["panels"]}) == len(dashboard["panels"])


def test_prometheus_scrapes_web_and_workers_and_loads_the_rules():
    config = yaml.safe_load(PROMETHEUS.read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert jobs["portal-web"]["static_configs"] == [{"targets": ["web:8000"]}]
    assert jobs["portal-web"]["authorization"]["credentials_file"] == "/prometheus/metrics-token"
    assert jobs["portal-worker"]["dns_sd_configs"][0]["port"] == 9808
    assert config["rule_files"] == ["/etc/prometheus/alerts.yml"]


def test_the_observability_profile_mounts_the_files_of_the_repository():
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    profile = {name for name, service in services.items() if "observability" in service.get("profiles", [])}
    assert profile == {"prometheus", "grafana", "otel-collector", "jaeger"}
    for name in profile:
        for volume in services[name].get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{name} mounts {source}"
    assert services["worker"]["environment"]["METRICS_WORKER_PORT"] == 9808
    for name in ("web", "worker"):
        assert services[name]["environment"]["PROMETHEUS_MULTIPROC_DIR"] in services[name]["tmpfs"]


def test_docker_compose_config_accepts_the_profile():
    require(
        shutil.which("docker-compose") is not None,
        "docker-compose is not installed (apt-get install docker-compose)",
    )
    env = {
        **os.environ,
        "SECRET_KEY": "x",
        "ALLOWED_HOSTS": "portal.example.com",
        "POSTGRES_PASSWORD": "x",
        "PORTAL_DB_OWNER_PASSWORD": "x",
        "PORTAL_DB_PASSWORD": "x",
        "S3_SECRET_ACCESS_KEY": "x-object-store",
    }
    result = subprocess.run(
        [
            "docker-compose",
            "--project-directory",
            ".",
            "-f",
            "docker-compose.yml",
            "--profile",
            "observability",
            "config",
            "--services",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert {"prometheus", "grafana", "otel-collector", "jaeger", "web", "worker", "worker-webhooks"} <= set(
        result.stdout.split()
    )
