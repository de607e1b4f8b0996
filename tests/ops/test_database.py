"""The hot lookups are plain ORM queries; on PostgreSQL psycopg 3 prepares them on the server once
a connection has run them ``DATABASE_PREPARE_THRESHOLD`` times, and prepares nothing when
``DATABASE_PREPARED_STATEMENTS`` is off (a pooler in transaction mode)."""

import uuid

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.backends.postgresql.base import DatabaseWrapper

from customers.models import Customer
from customers.selectors import customer_get
from tests.api.conftest import make_partner_world
from tests.conftest import require

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_partner_world()


def test_customer_get_is_scoped_to_the_partner(world):
    assert customer_get(actor=world.admin, customer_id=world.customer.pk) == world.customer
    assert customer_get(actor=world.admin, customer_id=str(world.customer.pk)).name == world.customer.name
    with pytest.raises(Customer.DoesNotExist):
        customer_get(actor=world.admin, customer_id=world.other_customer.pk)
    with pytest.raises(Customer.DoesNotExist):
        customer_get(actor=world.admin, customer_id=uuid.uuid4())
    with pytest.raises(ValidationError):
        customer_get(actor=world.admin, customer_id="not-a-uuid")


def _prepared_statements(conn) -> list[str]:
    with conn.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        return [row[0] for row in cursor.fetchall()]


def _customer_lookups(statements: list[str]) -> list[str]:
    return [s for s in statements if '"customers_customer"' in s and '"customers_customerpartner' in s]


@pytest.mark.postgres
def test_the_driver_prepares_a_lookup_the_connection_runs_often(world):
    require(connection.vendor == "postgresql", "this test needs PostgreSQL: set DATABASE_URL")
    threshold = settings.DATABASES["default"]["OPTIONS"]["prepare_threshold"]
    assert threshold == settings.DATABASE_PREPARE_THRESHOLD
    assert not _customer_lookups(_prepared_statements(connection))
    for _ in range(threshold + 1):
        assert customer_get(actor=world.admin, customer_id=world.customer.pk) == world.customer
    prepared = _customer_lookups(_prepared_statements(connection))
    assert len(prepared) == 1
    assert "$1" in prepared[0]  # the parameters are bound on the server, not inlined


@pytest.mark.postgres
def test_with_prepared_statements_off_nothing_is_prepared(world):
    require(connection.vendor == "postgresql", "this test needs PostgreSQL: set DATABASE_URL")
    off = DatabaseWrapper(
        {
            **connection.settings_dict,
            "OPTIONS": {
                **connection.settings_dict["OPTIONS"],
                "server_side_binding": False,
                "prepare_threshold": None,
            },
        }
    )
    try:
        for _ in range(10):
            with off.cursor() as cursor:
                cursor.execute("SELECT id FROM customers_customer WHERE name = %s", ["nobody"])
        assert _prepared_statements(off) == []
    finally:
        off.close()
