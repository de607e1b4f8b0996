"""Every built-in role of the catalogue is selectable over Graph by its template id
(``accessDetails.unifiedRoles``), in relationships and in access assignments."""

from __future__ import annotations

import pytest

from gdap.models import Relationship
from gdap.roles import CATALOGUE, TEAMS_ADMINISTRATOR
from tests.graph import assert_graph_error, client_for

pytestmark = pytest.mark.django_db

BASE = "/graph/v1.0/tenantRelationships/delegatedAdminRelationships"
POWER_PLATFORM_ADMINISTRATOR = "11648597-926c-4cf3-9c36-bcebb0ba8dcc"
OFFICE_APPS_ADMINISTRATOR = "2b745bdf-0803-4d80-aa65-822c4493daac"


def body(customer, role_ids, name="Every role"):
    return {
        "displayName": name,
        "duration": "P365D",
        "customer": {"tenantId": str(customer.pk)},
        "accessDetails": {"unifiedRoles": [{"roleDefinitionId": r} for r in role_ids]},
    }


def test_a_relationship_with_every_built_in_role(admin_agent, customer):
    every = [row.template_id for row in CATALOGUE]
    response = client_for(admin_agent).post(BASE, body(customer, every), format="json")
    assert response.status_code == 201, response.content
    echoed = [r["roleDefinitionId"] for r in response.json()["accessDetails"]["unifiedRoles"]]
    assert sorted(echoed) == sorted(every)
    assert Relationship.objects.get().roles.count() == len(CATALOGUE) == 143


def test_roles_missing_from_the_old_catalogue_are_accepted_and_assignable(admin_agent, customer, group):
    api = client_for(admin_agent)
    roles = [TEAMS_ADMINISTRATOR, POWER_PLATFORM_ADMINISTRATOR, OFFICE_APPS_ADMINISTRATOR]
    created = api.post(BASE, body(customer, roles, name="Teams and apps"), format="json")
    assert created.status_code == 201, created.content
    relationship = Relationship.objects.get()
    relationship.status = "active"
    relationship.save()
    assignment = api.post(
        f"{BASE}/{relationship.pk}/accessAssignments",
        {
            "accessContainer": {"accessContainerId": str(group.pk), "accessContainerType": "securityGroup"},
            "accessDetails": {"unifiedRoles": [{"roleDefinitionId": TEAMS_ADMINISTRATOR}]},
        },
        format="json",
    )
    assert assignment.status_code == 201, assignment.content
    assert assignment.json()["accessDetails"] == {"unifiedRoles": [{"roleDefinitionId": TEAMS_ADMINISTRATOR}]}


def test_an_unknown_template_id_is_refused_naming_it(admin_agent, customer):
    unknown = "00000000-0000-4000-8000-0000000000aa"
    response = client_for(admin_agent).post(BASE, body(customer, [unknown]), format="json")
    error = assert_graph_error(response, 400, "BadRequest", target="accessDetails")
    assert unknown in error["message"]
    assert not Relationship.objects.exists()
