"""Fixtures of the scenario tests: a fixed ``now``, the good document, and model row counts."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from django.apps import apps

from tests.catalogues import ensure_entra_roles

FILES = Path(__file__).with_name("files")
GOOD = FILES / "good.yaml"
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)

#: Models whose rows a scenario writes or a reset deletes, as "app_label.Model".
DOMAIN_MODELS = (
    "partners.Partner",
    "partners.User",
    "partners.UserRole",
    "partners.SecurityGroup",
    "partners.GroupMembership",
    "partners.SupportEntitlement",
    "customers.Customer",
    "customers.CustomerDomain",
    "customers.CustomerPartnerRelationship",
    "customers.IsvPublisher",
    "customers.Subscription",
    "customers.AzureRoleAssignment",
    "customers.ServiceHealthIssue",
    "gdap.Relationship",
    "gdap.AccessAssignment",
    "servicerequests.ServiceRequest",
    "portals.PortalTicket",
    "audit.AuditEvent",
)


@pytest.fixture(autouse=True)
def entra_roles(db):
    """The Entra role catalogue (a data migration loads it; ``--nomigrations`` would not)."""
    ensure_entra_roles()


@pytest.fixture
def good_document() -> dict:
    """A fresh copy of ``files/good.yaml``, for a test to change."""
    return copy.deepcopy(_GOOD)


def row_counts() -> dict[str, int]:
    """Rows of every model in the database (all apps), to prove that nothing was written."""
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def domain_counts() -> dict[str, int]:
    return {label: apps.get_model(label).objects.count() for label in DOMAIN_MODELS}


_GOOD = yaml.safe_load(GOOD.read_text())
