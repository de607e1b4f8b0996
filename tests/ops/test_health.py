"""/healthz and /readyz: JSON bodies, status codes, and how each check's failure counts."""

import os
from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse

from core import health
from tests.conftest import require

UNREACHABLE_REDIS_URL = "redis://127.0.0.1:1/0"


@pytest.fixture(autouse=True)
def _fresh_migration_cache():
    health._migrations_applied.clear()
    yield
    health._migrations_applied.clear()


def test_healthz_answers_without_touching_the_database(client):
    # No ``db`` fixture: any database access would raise.
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    assert response.json() == {"status": "ok", "checks": {"process": "ok"}}


@pytest.mark.parametrize("name", ["healthz", "readyz"])
def test_health_endpoints_refuse_writes(client, name):
    assert client.post(reverse(name)).status_code == 405


@pytest.mark.django_db
def test_readyz_ok_with_redis_unconfigured(client, settings):
    settings.REDIS_URL = ""

    response = client.get(reverse("readyz"))

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "unconfigured", "migrations": "ok"},
    }


@pytest.mark.django_db
def test_readyz_ok_with_reachable_redis(client, settings):
    url = os.environ.get("REDIS_URL", "")
    require(bool(url), "this test needs Redis: set REDIS_URL")
    settings.REDIS_URL = url

    response = client.get(reverse("readyz"))

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "ok", "migrations": "ok"},
    }


@pytest.mark.django_db
def test_readyz_unreachable_redis_is_degraded_but_still_200(client, settings):
    settings.REDIS_URL = UNREACHABLE_REDIS_URL

    response = client.get(reverse("readyz"))

    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "checks": {"database": "ok", "redis": "error: ConnectionError", "migrations": "ok"},
    }


@pytest.mark.django_db
def test_readyz_pending_migrations_fail_with_503(client, settings):
    settings.REDIS_URL = ""
    fake_plan = [(object(), False)] * 3
    with mock.patch.object(health.MigrationExecutor, "migration_plan", return_value=fake_plan):
        response = client.get(reverse("readyz"))

    assert response.status_code == 503
    assert response.json() == {
        "status": "fail",
        "checks": {"database": "ok", "redis": "unconfigured", "migrations": "pending: 3"},
    }


@pytest.mark.django_db
def test_readyz_rechecks_pending_migrations_but_remembers_applied_ones(client, settings):
    settings.REDIS_URL = ""
    with mock.patch.object(health.MigrationExecutor, "migration_plan", return_value=[(object(), False)]):
        assert client.get(reverse("readyz")).json()["checks"]["migrations"] == "pending: 1"
    assert client.get(reverse("readyz")).json()["checks"]["migrations"] == "ok"

    with mock.patch.object(health, "MigrationExecutor") as executor:
        assert client.get(reverse("readyz")).json()["checks"]["migrations"] == "ok"
    executor.assert_not_called()


@pytest.mark.django_db
def test_readyz_database_down_fails_and_skips_the_migration_check(client, settings):
    settings.REDIS_URL = ""
    with (
        mock.patch.object(health.connection, "cursor", side_effect=OperationalError("connection refused")),
        mock.patch.object(health, "MigrationExecutor") as executor,
    ):
        response = client.get(reverse("readyz"))

    assert response.status_code == 503
    assert response.json() == {
        "status": "fail",
        "checks": {"database": "error: OperationalError", "redis": "unconfigured", "migrations": "unknown"},
    }
    executor.assert_not_called()


@pytest.mark.parametrize(
    ("database_ok", "redis_ok", "migrations_ok", "expected_status", "expected_code"),
    [
        (True, True, True, "ok", 200),
        (True, False, True, "degraded", 200),
        (True, True, False, "fail", 503),
        (True, False, False, "fail", 503),
        (False, True, True, "fail", 503),
        (False, False, True, "fail", 503),
    ],
)
def test_readyz_status_is_the_worst_failing_check(
    client, database_ok, redis_ok, migrations_ok, expected_status, expected_code
):
    def outcome(ok, name):
        return mock.Mock(return_value=(ok, "ok" if ok else f"error: {name}"))

    with (
        mock.patch.object(health, "check_database", outcome(database_ok, "db")),
        mock.patch.object(health, "check_redis", outcome(redis_ok, "redis")),
        mock.patch.object(health, "check_migrations", outcome(migrations_ok, "migrations")),
    ):
        response = client.get(reverse("readyz"))

    assert response.status_code == expected_code
    assert response.json()["status"] == expected_status
