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
