"""Shared fixtures. Services that a test needs (PostgreSQL, Redis, worker, Chromium) are
skipped with a reason when absent, except in CI (CI=true), where their absence fails the test."""

import os

import pytest
from django.db import connection

IN_CI = os.environ.get("CI", "").lower() == "true"


def require(condition: bool, reason: str) -> None:
    """Skip (or, in CI, fail) a test whose service is missing."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(reason)


@pytest.fixture
def postgres_only(db):
    """The test needs PostgreSQL (run with DATABASE_URL=postgres://...)."""
    require(connection.vendor == "postgresql", "this test needs PostgreSQL: set DATABASE_URL")


DB_FIXTURES = frozenset({"db", "transactional_db", "live_server", "django_db_reset_sequences"})
TRANSACTIONAL_FIXTURES = frozenset({"transactional_db", "live_server", "django_db_reset_sequences"})


def seed_catalogues() -> None:
    """Recreate the catalogues that data migrations seed (Entra roles, support topics) when missing.

    A transactional test ends with a flush that empties every table, data
    migrations' rows included; the tests after it still expect the catalogues.
    Two cheap COUNT queries when nothing is missing.
    """
    from gdap.models import EntraRole
    from gdap.roles import ENTRA_ROLES
    from servicerequests.models import SupportTopic
    from servicerequests.support_topics import SUPPORT_TOPICS

    if EntraRole.objects.count() != len(ENTRA_ROLES):
        EntraRole.objects.bulk_create(
            [
                EntraRole(template_id=tid, name=name, support_tickets=tickets, service_health=health)
                for tid, name, tickets, health in ENTRA_ROLES
            ],
            ignore_conflicts=True,
        )
    if SupportTopic.objects.count() != len(SUPPORT_TOPICS):
        SupportTopic.objects.bulk_create(
            [
                SupportTopic(id=tid, workload=workload, name=name, description=description)
                for tid, workload, name, description in SUPPORT_TOPICS
            ],
            ignore_conflicts=True,
        )


@pytest.fixture(autouse=True)
def _seeded_catalogues(request):
    """Every database test starts with the seeded catalogues, whatever ran before it."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if marker is None and not names & DB_FIXTURES:
        return
    transactional = bool(names & TRANSACTIONAL_FIXTURES) or bool(
        marker is not None and marker.kwargs.get("transaction")
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    seed_catalogues()
