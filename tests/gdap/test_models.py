"""Constraints and invariants of the GDAP models and the Entra role catalogue."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from gdap.models import EntraRole
from gdap.roles import ENTRA_ROLES
from tests.factories import AccessAssignmentFactory, RelationshipFactory

pytestmark = pytest.mark.django_db


def test_catalogue_has_every_role_of_the_rules_with_real_template_ids():
    rows = {
        str(r.template_id): (r.name, r.support_tickets, r.service_health) for r in EntraRole.objects.all()
    }
    assert len(rows) == len(ENTRA_ROLES) == 16
    assert rows["f023fd81-a637-4b56-95fd-791ac0226033"] == ("Service Support Administrator", True, True)
    assert rows["f2ef992c-3afb-46b9-b7cf-a126ee74c451"] == ("Global Reader", False, True)
    assert rows["88d8e3e3-8f55-4a1e-953a-9b9898b8876b"] == ("Directory Readers", False, False)
    assert rows["62e90394-69f5-4237-9190-012177145e10"] == ("Global Administrator", True, True)


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
