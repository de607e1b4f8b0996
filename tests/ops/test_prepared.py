"""``core.prepared.PreparedValues``: the same rows as the queryset it stands for, one
compilation per shape, and the edge cases of its parameters."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.prepared import PreparedValues
from gdap.models import Relationship
from partners.models import Partner, User
from tests.factories import PartnerFactory, RelationshipFactory, UserFactory

pytestmark = pytest.mark.django_db


def users_of(partner_id, usernames):
    return (
        User.objects.filter(partner_id=partner_id, username__in=usernames)
        .order_by("username")
        .values("id", "username", "partner__name", "date_joined", "is_active")
    )


USERS = PreparedValues(
    users_of,
    fields={"partner_id": Partner._meta.pk, "usernames": User._meta.get_field("username")},
    many=("usernames",),
)

RELATIONSHIPS = PreparedValues(
    lambda partner_id, after: (
        Relationship.objects.filter(partner_id=partner_id, end_at__gt=after)
        .order_by("end_at")
        .values("id", "end_at", "partner__name")[:2]
    ),
    fields={"partner_id": Partner._meta.pk, "after": Relationship._meta.get_field("end_at")},
)


@pytest.fixture
def people():
    partner, other = PartnerFactory(name="Fabrikam Partners"), PartnerFactory()
    for name in ("ada", "bob", "cy"):
        UserFactory(partner=partner, username=name)
    UserFactory(partner=other, username="dee")
    return partner, other


def test_rows_equal_the_querysets(people):
    partner, other = people
    for partner_id, names in (
        (partner.id, ["ada", "cy"]),
        (partner.id, ["bob"]),
        (other.id, ["dee", "ada"]),
        (other.id, ["ada", "bob", "cy"]),
    ):
        expected = list(users_of(partner_id, names))
        assert USERS(partner_id=partner_id, usernames=names) == expected
    rows = USERS(partner_id=partner.id, usernames=["ada", "bob"])
    assert [r["username"] for r in rows] == ["ada", "bob"]
    assert rows[0]["partner__name"] == "Fabrikam Partners"
    assert rows[0]["is_active"] is True  # converted as Django converts (an integer on SQLite)
    assert rows[0]["date_joined"].tzinfo is not None


def test_datetime_parameters_and_slices(people):
    partner, _ = people
    now = timezone.now()
    relationships = [RelationshipFactory(partner=partner, end_at=now + timedelta(days=d)) for d in (1, 5, 9)]
    rows = RELATIONSHIPS(partner_id=partner.id, after=now + timedelta(days=2))
    assert [r["id"] for r in rows] == [relationships[1].id, relationships[2].id]
    assert RELATIONSHIPS(partner_id=partner.id, after=now) == list(
        Relationship.objects.filter(partner_id=partner.id, end_at__gt=now)
        .order_by("end_at")
        .values("id", "end_at", "partner__name")[:2]
    )


def test_an_empty_list_runs_no_sql(people):
    partner, _ = people
    with CaptureQueriesContext(connection) as queries:
        assert USERS(partner_id=partner.id, usernames=[]) == []
    assert len(queries) == 0


def test_one_compilation_per_shape(people):
    partner, _ = people
    built = []
    prepared = PreparedValues(
        lambda partner_id, usernames: built.append(len(usernames)) or users_of(partner_id, usernames),
        fields={"partner_id": Partner._meta.pk, "usernames": User._meta.get_field("username")},
        many=("usernames",),
    )
    for names in (["ada"], ["bob"], ["ada", "bob"], ["cy"], ["bob", "cy"]):
        with CaptureQueriesContext(connection) as queries:
            assert [r["username"] for r in prepared(partner_id=partner.id, usernames=names)] == sorted(names)
        assert len(queries) == 1
    assert built == [1, 2]


def test_a_parameter_the_query_does_not_use_is_refused(people):
    partner, _ = people
    prepared = PreparedValues(
        lambda partner_id, username: User.objects.filter(partner_id=partner_id).values("id"),
        fields={"partner_id": Partner._meta.pk, "username": User._meta.get_field("username")},
    )
    with pytest.raises(ValueError, match="username"):
        prepared(partner_id=partner.id, username="ada")


def test_integer_primary_keys_of_every_width(people):
    """Sentinels must stay inside a 32-bit column's range: Django turns an out-of-range integer into
    "matches nothing" on PostgreSQL, which would have been compiled in for good."""
    from servicerequests.models import SupportTopic

    topics = PreparedValues(
        lambda topic_id: SupportTopic.objects.filter(pk=topic_id).values("id", "name"),
        fields={"topic_id": SupportTopic._meta.pk},
    )
    topic = SupportTopic.objects.order_by("pk").first()
    assert topics(topic_id=topic.pk) == [{"id": topic.pk, "name": topic.name}]
    assert topics(topic_id=1) == []


# PostgreSQL: server-side prepared statements -------------------------------------------------------

NAMED = PreparedValues(
    lambda partner_id: (
        User.objects.filter(partner_id=partner_id, username__contains="a%b", is_active=True)
        .order_by("username")
        .values("id", "username")
    ),
    fields={"partner_id": Partner._meta.pk},
)


def _require_postgresql():
    from tests.conftest import require

    require(connection.vendor == "postgresql", "this test needs PostgreSQL: set DATABASE_URL")


@pytest.mark.postgres
def test_postgresql_prepares_once_per_session_then_only_executes(people):
    _require_postgresql()
    partner, other = people
    fresh = PreparedValues(users_of, fields=USERS.fields, many=("usernames",))
    expected = list(users_of(partner.id, ["ada", "cy"])), list(users_of(other.id, ["dee", "ada"]))
    with CaptureQueriesContext(connection) as first:
        assert fresh(partner_id=partner.id, usernames=["ada", "cy"]) == expected[0]
    with CaptureQueriesContext(connection) as again:
        assert fresh(partner_id=other.id, usernames=["dee", "ada"]) == expected[1]
    assert len(first) == len(again) == 1  # PREPARE travels with the first EXECUTE
    assert first[0]["sql"].startswith("PREPARE pc_prepared_") and "; EXECUTE pc_prepared_" in first[0]["sql"]
    assert again[0]["sql"].startswith("EXECUTE pc_prepared_")
    # Another list length is another statement, prepared on its first use.
    with CaptureQueriesContext(connection) as longer:
        fresh(partner_id=partner.id, usernames=["ada", "bob", "cy"])
    assert longer[0]["sql"].startswith("PREPARE ")


@pytest.mark.postgres
def test_constants_with_percent_signs_are_inlined_intact(people):
    _require_postgresql()
    partner, _ = people
    UserFactory(partner=partner, username="xa%by")
    UserFactory(partner=partner, username="xaby")  # a LIKE without the escaped % would match this too
    for _ in range(2):  # prepared, then executed
        assert [r["username"] for r in NAMED(partner_id=partner.id)] == ["xa%by"]


@pytest.mark.postgres
def test_a_session_that_lost_its_statements_prepares_them_again(people):
    _require_postgresql()
    partner, _ = people
    expected = list(users_of(partner.id, ["bob"]))
    assert USERS(partner_id=partner.id, usernames=["bob"]) == expected
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # as a pooler resetting the session would
    with pytest.raises(Exception, match="does not exist"), transaction.atomic():
        USERS(partner_id=partner.id, usernames=["bob"])
    # The error made it forget: the next call prepares under a new name.
    with CaptureQueriesContext(connection) as after:
        assert USERS(partner_id=partner.id, usernames=["bob"]) == expected
    assert after[0]["sql"].startswith("PREPARE ")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_again(people):
    _require_postgresql()
    partner, _ = people
    expected = list(users_of(partner.id, ["ada"]))
    assert USERS(partner_id=partner.id, usernames=["ada"]) == expected
    connection.close()
    with CaptureQueriesContext(connection) as after:
        assert USERS(partner_id=partner.id, usernames=["ada"]) == expected
    assert after[0]["sql"].startswith("PREPARE ")


@pytest.mark.postgres
def test_prepared_statements_can_be_turned_off(people, settings):
    _require_postgresql()
    settings.DATABASE_PREPARED_STATEMENTS = False
    off = PreparedValues(users_of, fields=USERS.fields, many=("usernames",))
    partner, _ = people
    with CaptureQueriesContext(connection) as queries:
        assert off(partner_id=partner.id, usernames=["cy"]) == list(users_of(partner.id, ["cy"]))
    assert queries[0]["sql"].startswith("SELECT ")
