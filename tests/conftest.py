"""Shared fixtures. Services that a test needs (PostgreSQL, Redis, worker, Chromium) are
skipped with a reason when absent, except in CI (CI=true), where their absence fails the test."""

import os

import pytest
from django.core.management import call_command
from django.db import connection, connections
from pytest_django.plugin import blocking_manager_key

# The private storages' fixtures (a fresh directory, a local S3 server), for every test package.
from tests.files import local_roots, s3_bucket, s3_server, storage_backend  # noqa: F401

IN_CI = os.environ.get("CI", "").lower() == "true"

#: The backend a real sign-in stores in the session (``partners.backends``: the user is read with
#: its partner); ``client.force_login`` otherwise stores django-axes' backend, one query more a page.
SIGN_IN_BACKEND = "partners.backends.ModelBackend"


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
    from servicerequests.models import SupportTopic
    from servicerequests.support_topics import SUPPORT_TOPICS
    from tests.catalogues import ensure_entra_roles

    ensure_entra_roles()
    if SupportTopic.objects.count() != len(SUPPORT_TOPICS):
        SupportTopic.objects.bulk_create(
            [
                SupportTopic(id=tid, workload=workload, name=name, description=description)
                for tid, workload, name, description in SUPPORT_TOPICS
            ],
            ignore_conflicts=True,
        )


def uses_serialized_rollback(item: pytest.Item) -> bool:
    """The test restores the database serialized after migrating (``serialized_rollback``)."""
    marker = item.get_closest_marker("django_db")
    requested = bool(marker is not None and marker.kwargs.get("serialized_rollback"))
    return requested or "django_db_serialized_rollback" in getattr(item, "fixturenames", ())


def empty_for_serialized_rollback() -> None:
    """Empty each test database that a serialized rollback is about to restore, if it holds rows.

    The restore inserts the rows serialized after migrating, with their primary keys, into what it
    expects to be an empty database: a serialized-rollback test's own flush skips ``post_migrate``.
    The flush at the end of any other transactional test (a Celery worker test, a live server test
    without ``serialized_rollback``) runs ``post_migrate``, which recreates the content types and
    permissions under new primary keys; restoring over those fails on their unique keys
    (``django_content_type``: ``admin.logentry`` already exists). Flushing without ``post_migrate``
    first leaves the database as the restore expects. One cheap query when it is already empty.
    """
    from django.contrib.contenttypes.models import ContentType

    for alias in connections:
        if not hasattr(connections[alias], "_test_serialized_contents"):
            continue  # not set up yet, or nothing to restore on it
        if not ContentType.objects.using(alias).exists():
            continue
        call_command(
            "flush",
            verbosity=0,
            interactive=False,
            database=alias,
            reset_sequences=False,
            inhibit_post_migrate=True,
        )
        ContentType.objects.clear_cache()  # it holds the ids of the rows just deleted


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    # Before any fixture: pytest-django's own autouse fixture restores the serialized database
    # ahead of every fixture of this project.
    if uses_serialized_rollback(item):
        with item.config.stash[blocking_manager_key].unblock():
            empty_for_serialized_rollback()


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A request in another language leaves that language active in the test's thread (Django
    deactivates nothing at a response's end); every test starts in English."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


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
