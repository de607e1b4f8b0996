"""Fixtures of the queues' tests."""

from __future__ import annotations

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def default_language_afterwards():
    """A request of a Portuguese-speaking user leaves its language active in the test's thread
    (the middleware activates it and nothing deactivates it): the next test starts in English."""
    yield
    translation.deactivate()
