"""Constraints and invariants of the GDAP models and the Entra role catalogue."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from tests.factories import AccessAssignmentFactory, RelationshipFactory

pytestmark = pytest.mark.django_db


def test_relationship_ids_have_graph_form():
    rel = RelationshipFactory()
    assert len(rel.id) == 73 and rel.id.count("-") == 9


@pytest.mark.parametrize(
    ("duration", "ok"),
    [
        (timedelta(days=1), True),
        (timedelta(days=730), True),
        (timedelta(hours=23), False),
        (timedelta(days=731), False),
    ],
)
def test_duration_bounds_are_enforced_by_the_database(duration, ok):
    if ok:
        RelationshipFactory(duration=duration)
    else:
        with pytest.raises(IntegrityError), transaction.atomic():
            RelationshipFactory(duration=duration)


def test_auto_extend_is_off_or_180_days():
    RelationshipFactory(auto_extend_duration=timedelta(days=180))
    with pytest.raises(IntegrityError), transaction.atomic():
        RelationshipFactory(auto_extend_duration=timedelta(days=90))


def test_display_name_unique_per_partner():
    rel = RelationshipFactory(display_name="Fabrikam support")
    RelationshipFactory(display_name="Fabrikam support")  # other partner
    with pytest.raises(IntegrityError), transaction.atomic():
        RelationshipFactory(display_name="Fabrikam support", partner=rel.partner)


def test_unknown_status_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        RelationshipFactory(status="paused")


def test_one_live_assignment_per_group_and_relationship():
    assignment = AccessAssignmentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessAssignmentFactory(
            relationship=assignment.relationship, security_group=assignment.security_group
        )
    assignment.status = "deleted"
    assignment.save()
    AccessAssignmentFactory(relationship=assignment.relationship, security_group=assignment.security_group)


def test_is_active_at_needs_active_status_and_future_end():
    rel = RelationshipFactory()
    assert rel.is_active_at()
    assert not rel.is_active_at(rel.end_at + timedelta(seconds=1))
    rel.status = "expired"
    assert not rel.is_active_at()
