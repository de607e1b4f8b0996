"""Fixtures of the audit tests: the /v1 partner world (tests/api) and a filing helper."""

from __future__ import annotations

import pytest

from tests.api.conftest import make_partner_world
from tests.webhooks.conftest import file_m365  # noqa: F401  (re-exported for the audit tests)


@pytest.fixture
def world(db):
    return make_partner_world()
